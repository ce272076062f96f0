"""The coordinator's vacancy rounds: open one after round 1, watch who takes part, run, cancel."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import role_required
from ..forms.confirm import ConfirmForm
from ..forms.runs import RunForm
from ..forms.vacancy import VacancyRoundForm
from ..models import Role
from ..services.matching import match_runs, vacancy_rounds
from ..services.season import manage
from ..services.support import local_time
from .forms_support import errors_shown_on, status_for

bp = Blueprint("vacancy", __name__, url_prefix="/coordinator/vacancy-rounds")


@bp.before_request
@role_required(Role.COORDINATOR)
def _guard() -> None:  # coordinators only; every round is looked up within their program
    pass


@bp.route("/seasons/<int:season_id>/new", methods=["GET", "POST"])
def new(season_id: int):
    season = manage.season_for(current_user, season_id)
    form = VacancyRoundForm(meta={"zone": local_time.zone_of(current_user.program)})
    if form.validate_on_submit():
        with errors_shown_on(form):
            round_ = vacancy_rounds.open_round(
                current_user,
                season,
                vacancy_rounds.RoundSettings(
                    opens_at=form.opens_at.data,
                    closes_at=form.closes_at.data,
                    max_applications=form.max_applications.data,
                    include_declined=form.include_declined.data,
                    offer_hours=form.offer_hours.data,
                ),
            )
            flash(f"Vacancy round {round_.number} is open.", "success")
            return redirect(url_for("vacancy.show", round_id=round_.id))
    return render_template(
        "vacancy/new.html", form=form, season=season, seats=vacancy_rounds.open_positions(season)
    ), status_for(form)


@bp.get("/<int:round_id>")
def show(round_id: int):
    round_ = vacancy_rounds.round_for(current_user, round_id)
    return render_template(
        "vacancy/show.html",
        round=round_,
        stage=vacancy_rounds.stage(round_),
        f=vacancy_rounds.figures(round_),
    )


@bp.route("/<int:round_id>/run", methods=["GET", "POST"])
def run(round_id: int):
    round_ = vacancy_rounds.round_for(current_user, round_id)
    form = RunForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            started = vacancy_rounds.start_round_run(current_user, round_, match_runs.RunSettings(**form.settings()))
            flash(f"Run #{started.id} is {started.status}.", "success")
            return redirect(url_for("runs.show", run_id=started.id))
    return render_template(
        "runs/new.html", form=form, season=round_.season, second=False, hints=None, vacancy=round_
    ), status_for(form)


@bp.route("/<int:round_id>/cancel", methods=["GET", "POST"])
def cancel(round_id: int):
    round_ = vacancy_rounds.round_for(current_user, round_id)
    form = ConfirmForm()
    if form.confirmed:
        with errors_shown_on(form):
            vacancy_rounds.cancel_round(current_user, round_, form.reason.data or "")
            flash(f"Vacancy round {round_.number} is cancelled.", "success")
            return redirect(url_for("vacancy.show", round_id=round_.id))
    return render_template("vacancy/cancel.html", round=round_, form=form), status_for(form)
