"""Hosts' pages of a vacancy round: their positions with seats left, each one's applicants to rank, and
invitations to eligible students who have not applied."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import role_required
from ..extensions import db
from ..models import Role, User
from ..services.matching import vacancy_hosts, vacancy_rounds
from .forms_support import errors_shown_on, rank_inputs, status_for
from .season_choice import shown_season

bp = Blueprint("vacancy_host", __name__, url_prefix="/company/vacancy")


@bp.before_request
@role_required(Role.HOST)
def _guard() -> None:  # host members only, and only while they belong to a host
    if current_user.membership is None:
        abort(403)


@bp.get("/")
def overview():
    season = shown_season()
    mine = vacancy_hosts.standing(current_user.host, season) if season else None
    return render_template("vacancy/host/overview.html", season=season, mine=mine)


@bp.route("/<int:round_id>/positions/<int:position_id>", methods=["GET", "POST"])
def ranks(round_id: int, position_id: int):
    round_ = vacancy_rounds.round_for(current_user, round_id)
    position = vacancy_hosts.position_in_round(current_user, round_, position_id)
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        with errors_shown_on(form):
            ranked = vacancy_hosts.save_ranks(current_user, round_, position, rank_inputs(request.form))
            flash(f"Saved: {ranked} ranked for {position.title}.", "success")
            return redirect(url_for("vacancy_host.ranks", round_id=round_.id, position_id=position.id))
    return _page(round_, position, form), status_for(form)


def _page(round_, position, form):
    return render_template(
        "vacancy/host/ranks.html",
        round=round_,
        stage=vacancy_rounds.stage(round_),
        position=position,
        people=vacancy_hosts.applicants(round_, position),
        invitable=vacancy_hosts.invitable(round_, position),
        form=form,
    )


@bp.post("/<int:round_id>/positions/<int:position_id>/invite/<int:student_id>")
def invite(round_id: int, position_id: int, student_id: int):
    round_ = vacancy_rounds.round_for(current_user, round_id)
    position = vacancy_hosts.position_in_round(current_user, round_, position_id)
    student = db.get_or_404(User, student_id)
    if student.role != Role.STUDENT or student.program_id != current_user.program_id:
        abort(404)
    form = FlaskForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            vacancy_hosts.invite(current_user, round_, position, student)
            flash(f"Invited {student.name} to apply to {position.title}.", "success")
            return redirect(url_for("vacancy_host.ranks", round_id=round_.id, position_id=position.id))
    return _page(round_, position, form), status_for(form)
