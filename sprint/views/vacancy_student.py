"""Students' pages of a vacancy round: the seats left, their applications in order, hosts' invitations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import role_required
from ..forms.vacancy import VacancyApplyForm
from ..models import Role
from ..services.market import positions
from ..services.matching import vacancy_rounds, vacancy_students
from .forms_support import errors_shown_on, status_for
from .season_choice import shown_season

bp = Blueprint("vacancy_student", __name__, url_prefix="/student/vacancy")


@bp.before_request
@role_required(Role.STUDENT)
def _guard() -> None:  # students only; a round and its positions are looked up within their program
    pass


@bp.get("/")
def round_page():
    return _page(FlaskForm())


def _page(form: FlaskForm, status: int = 200):
    """The round page; also where a refused application is shown (with its 4xx status)."""
    season = shown_season()
    mine = vacancy_students.standing(current_user, season) if season else None
    return render_template(
        "vacancy/student/round.html",
        season=season,
        mine=mine,
        scores={
            entry.position.id: positions.score_for(current_user, entry.position)
            for entry in (mine.positions if mine else [])
        },
        apply_forms={  # the form just sent (with its errors) in its place, a fresh one elsewhere
            entry.position.id: form
            if getattr(form, "_prefix", "") == f"p{entry.position.id}-"
            else VacancyApplyForm(prefix=f"p{entry.position.id}", formdata=None)
            for entry in (mine.positions if mine else [])
        },
        form=form,
    ), status


@bp.post("/<int:round_id>/positions/<int:position_id>/apply")
def apply(round_id: int, position_id: int):
    round_ = vacancy_rounds.round_for(current_user, round_id)
    position = vacancy_students.position_in_round(round_, position_id)
    form = VacancyApplyForm(prefix=f"p{position_id}")
    if form.validate_on_submit():
        with errors_shown_on(form):
            vacancy_students.apply(current_user, round_, position, form.note.data or "")
            flash(gettext("Applied to %(title)s.", title=position.title), "success")
            return redirect(url_for("vacancy_student.round_page"))
    return _page(form, status_for(form))


@bp.post("/applications/<int:application_id>/withdraw")
def withdraw(application_id: int):
    application = vacancy_students.application_for(current_user, application_id)
    form = FlaskForm()
    if form.validate_on_submit():
        title = application.position.title
        with errors_shown_on(form):
            vacancy_students.withdraw(current_user, application)
            flash(gettext("Withdrew your application to %(title)s.", title=title), "success")
            return redirect(url_for("vacancy_student.round_page"))
    return _page(form, status_for(form))


@bp.post("/applications/<int:application_id>/move")
def move(application_id: int):
    application = vacancy_students.application_for(current_user, application_id)
    form = FlaskForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            vacancy_students.move(current_user, application, -1 if request.form.get("direction") == "up" else 1)
            return redirect(url_for("vacancy_student.round_page"))
    return _page(form, status_for(form))
