"""Pages for students: profile, résumé, positions, applications, rank list, results and offers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import role_required
from ..extensions import db
from ..forms import options
from ..forms.confirm import ButtonForm, ConfirmForm
from ..forms.interviews import BookForm
from ..forms.student import ApplyForm, PositionSearchForm, ProfileForm, RankListForm, ResumeForm
from ..forms.summer import CheckInForm, SurveyForm
from ..models import Placement, PositionInterest, Role
from ..services.errors import ServiceError, StaleEdit
from ..services.market import applications, interviews, offers, open_actions, positions, profiles, rankings
from ..services.matching import outcomes, vacancy_students
from ..services.season import deadlines, queries
from ..services.summer import access as summer_access
from ..services.summer import forms_filled, lifecycle, quality, windows
from .forms_support import errors_shown_on, rank_inputs, show_error, status_for
from .season_choice import shown_season

bp = Blueprint("student", __name__, url_prefix="/student")


@bp.before_request
@role_required(Role.STUDENT)
def _guard() -> None:  # every page in this blueprint is for students only
    pass


def _season():
    season = shown_season()
    if season is None:
        flash(gettext("Your program has not opened a season yet."), "info")
    return season


@bp.get("/")
def dashboard():
    return _dashboard_page()


def _dashboard_page():
    """The student's home page; also what a refused answer from it is shown on."""
    season = shown_season()
    application = applications.application_for(current_user, season) if season else None
    outcome = outcomes.outcome_for(current_user, season) if season else None
    can = open_actions.for_student(current_user, season) if season else None
    return render_template(
        "student/dashboard.html",
        season=season,
        application=application,
        interests=applications.active_interests(application),
        health=rankings.student_health(application) if application else [],
        outcome=outcome,
        can=can,
        offer=open_actions.for_offer(current_user, outcome.placement) if outcome and outcome.placement else None,
        missing=profiles.profile_missing(current_user.profile),
        open_positions=queries.open_positions_count(season),
        placements=queries.placements_of(current_user),
        deadlines=can.deadlines if can else {},
        answer_form=FlaskForm(),
        summer=_summer_of(outcome.placement if outcome else None),
        vacancy=vacancy_students.standing(current_user, season) if season else None,
        interviews_waiting=interviews.open_count(current_user),
        interview_rows=interviews.for_student(current_user),
        describe=interviews.describe,
    )


def _summer_of(placement):
    """What of the summer is due on the dashboard: only for an internship the student accepted."""
    if placement is None or placement.status not in SUMMER_STATUSES:
        return None
    return forms_filled.state_for(current_user, placement)


SUMMER_STATUSES = ("accepted", "started", "completed", "ended_early")


def _profile_form(bound: bool = True) -> ProfileForm:
    """The profile form, bound to the posted data or filled from the saved profile."""
    profile = current_user.profile
    submitted = bound and request.method == "POST"
    form = ProfileForm() if submitted else ProfileForm(formdata=None, obj=profile)
    form.college.choices = options(
        [(0, gettext("Choose your college"))]
        + [(college.id, f"{college.name} ({college.state})") for college in profiles.colleges()]
    )
    if not submitted:
        form.college.data = profile.college_id or 0
        form.skills.data = ", ".join(profile.skill_names)
        for name in profiles.SELF_ID_FLAGS:
            getattr(form, name).data = {True: "yes", False: "no"}.get(getattr(profile, name), "")
        form.gender.data = profile.gender or ""
        form.race_ethnicity.data = profile.race_ethnicity or []
    return form


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    form = _profile_form()
    if form.validate_on_submit():
        with errors_shown_on(form):
            profiles.update_profile(current_user, form.data)
            flash(gettext("Your profile is saved."), "success")
            return redirect(url_for("student.profile"))
    return render_template(
        "student/profile.html", form=form, resume_form=ResumeForm(), profile=current_user.profile
    ), status_for(form)


@bp.post("/resume")
def upload_resume():
    resume_form = ResumeForm()
    if resume_form.validate_on_submit():
        upload = resume_form.resume.data
        with errors_shown_on(resume_form):
            profiles.save_resume(current_user, upload.read(), upload.filename)
            flash(gettext("Your résumé is uploaded."), "success")
            return redirect(url_for("student.profile"))
    return render_template(
        "student/profile.html", form=_profile_form(bound=False), resume_form=resume_form, profile=current_user.profile
    ), 400


@bp.get("/positions")
def browse():
    season = _season()
    if season is None:
        return redirect(url_for("student.dashboard"))
    form = PositionSearchForm(request.args)
    valid = form.validate()  # a refused search (a control character, too long) lists everything, with a 400
    filters = (
        positions.PositionFilters(**{k: v for k, v in form.data.items() if v}) if valid else positions.PositionFilters()
    )
    page = positions.browse(season, filters, request.args.get("page", 1, type=int))
    applied = applications.applied_position_ids(current_user, season)
    scores = {position.id: positions.score_for(current_user, position) for position in page.items}
    return render_template(
        "student/positions.html", season=season, form=form, page=page, applied=applied, scores=scores
    ), 200 if valid else 400


@bp.route("/positions/<int:position_id>", methods=["GET", "POST"])
def position(position_id: int):
    season = _season()
    position = positions.visible_position(season, position_id) if season else None
    if position is None:
        abort(404)
    form = ApplyForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            applications.apply(current_user, position, form.statement.data)
            flash(
                gettext("You applied to %(title)s. It is now at the bottom of your rank list.", title=position.title),
                "success",
            )
            return redirect(url_for("student.ranks"))
    applied = position.id in applications.applied_position_ids(current_user, season)
    return render_template(
        "student/position.html",
        position=position,
        form=form,
        applied=applied,
        can=open_actions.for_student(current_user, season),
        score=positions.score_for(current_user, position),
        missing=profiles.profile_missing(current_user.profile),
    ), status_for(form)


@bp.route("/applications/<int:interest_id>/withdraw", methods=["GET", "POST"])
def withdraw(interest_id: int):
    interest = db.get_or_404(PositionInterest, interest_id)
    if interest.application.student_id != current_user.id:
        abort(404)
    if interest.withdrawn_at is not None:
        flash(gettext("You already withdrew your application to %(title)s.", title=interest.position.title), "info")
        return redirect(url_for("student.ranks"))
    form = ConfirmForm()
    if form.confirmed:
        with errors_shown_on(form):
            applications.withdraw_interest(current_user, interest, form.reason.data or "")
            flash(gettext("You withdrew your application to %(title)s.", title=interest.position.title), "success")
            return redirect(url_for("student.ranks"))
    can = open_actions.for_student(current_user, interest.application.season)
    return render_template("student/withdraw.html", interest=interest, form=form, can=can), status_for(form)


@bp.route("/ranks", methods=["GET", "POST"])
def ranks():
    season = _season()
    if season is None:
        return redirect(url_for("student.dashboard"))
    application = applications.application_for(current_user, season)
    form = RankListForm()
    if form.validate_on_submit() and application is not None:
        try:
            rankings.save_student_ranks(
                current_user,
                application,
                rank_inputs(request.form),
                form.version.data,
                certify=form.action.data == "certify",
            )
        except ServiceError as error:
            show_error(form, error)  # a lost race shows the current list, as the message says; else what was typed
            typed = None if isinstance(error, StaleEdit) else rank_inputs(request.form)
            return _render_ranks(season, application, form, typed), status_for(form)
        flash(
            gettext("Your rank list is certified: it will be used in the match.")
            if form.action.data == "certify"
            else gettext("Your draft is saved. Certify it before the deadline."),
            "success",
        )
        return redirect(url_for("student.ranks"))
    return _render_ranks(season, application, form), status_for(form)


def _render_ranks(season, application, form, submitted=None):
    form.version.data = application.ranks_version if application else 0
    lines = rankings.lines_to_show(application, submitted) if application else []
    return render_template(
        "student/ranks.html",
        season=season,
        application=application,
        form=form,
        lines=lines,
        health=rankings.student_health(application),
        can=open_actions.for_student(current_user, season),
    )


def _own_placement(placement_id: int) -> Placement:
    placement = db.get_or_404(Placement, placement_id)
    if placement.student_id != current_user.id:
        abort(404)
    return placement


@bp.route("/offers/<int:placement_id>/accept", methods=["GET", "POST"])
def accept_offer(placement_id: int):
    placement = _own_placement(placement_id)
    form = ButtonForm()
    if form.confirmed:
        with errors_shown_on(form):  # a second answer from another tab: 409 with the offer as it is now
            offers.respond(current_user, placement, accept=True)
            flash(gettext("Congratulations! You accepted the offer."), "success")
            return redirect(url_for("student.dashboard"))
    return render_template(
        "student/accept_offer.html",
        placement=placement,
        form=form,
        can=open_actions.for_offer(current_user, placement),
        deadline=deadlines.response_deadline(current_user, placement),
    ), status_for(form)


@bp.route("/offers/<int:placement_id>/decline", methods=["GET", "POST"])
def decline_offer(placement_id: int):
    placement = _own_placement(placement_id)
    form = ConfirmForm()
    if form.confirmed:
        with errors_shown_on(form):  # a second answer from another tab: 409 with the offer as it is now
            offers.respond(current_user, placement, accept=False, reason=form.reason.data or "")
            flash(
                gettext(
                    "You declined the offer. You can take the decline back from this page until the offer's "
                    "deadline, as long as the seat has not been offered to another student."
                ),
                "success",
            )
            return redirect(url_for("student.dashboard"))
    return render_template(
        "student/decline_offer.html",
        placement=placement,
        form=form,
        can=open_actions.for_offer(current_user, placement),
        deadline=deadlines.response_deadline(current_user, placement),
    ), status_for(form)


@bp.post("/offers/<int:placement_id>/undo-decline")
def undo_decline(placement_id: int):
    placement = _own_placement(placement_id)
    form = FlaskForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            offers.undo_decline(current_user, placement)
            flash(
                gettext(
                    "Your decline is taken back: the offer for %(title)s is open again.", title=placement.position.title
                ),
                "success",
            )
            return redirect(url_for("student.dashboard"))
        return _dashboard_page(), status_for(form)
    return redirect(url_for("student.dashboard"))


# --- the summer: the intern's page, check-in and survey -------------------------------------------


@bp.get("/internships/<int:placement_id>")
def internship(placement_id: int):
    return _internship_page(summer_access.placement_of_student(current_user, placement_id), None, 200)


def _internship_page(placement, failed, status: int):
    forms = {
        "check_in": CheckInForm(prefix="check_in", formdata=None),
        "survey": SurveyForm(prefix="survey", formdata=None),
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "student/internship.html",
        placement=placement,
        state=forms_filled.state_for(current_user, placement),
        forms=forms,
        rules=windows.WINDOW_RULES,
        reasons=dict(lifecycle.end_reason_choices()),
        small_cell=quality.SMALL_CELL,
    ), status


def _summer_post(placement_id: int, name: str, form, act):
    placement = summer_access.placement_of_student(current_user, placement_id)
    if form.validate_on_submit():
        with errors_shown_on(form):
            flash(act(placement), "success")
            return redirect(url_for("student.internship", placement_id=placement.id))
    return _internship_page(placement, (name, form), status_for(form))


@bp.post("/internships/<int:placement_id>/check-in")
def check_in(placement_id: int):
    form = CheckInForm(prefix="check_in")

    def act(placement):
        forms_filled.submit_check_in(current_user, placement, form.going.data, form.note.data, form.wants_call.data)
        return gettext("Thank you: your check-in is sent to the program's coordinators.")

    return _summer_post(placement_id, "check_in", form, act)


@bp.post("/internships/<int:placement_id>/survey")
def survey(placement_id: int):
    form = SurveyForm(prefix="survey")

    def act(placement):
        scales = {
            name: getattr(form, name).data for name in ("pay_benefits", "mentorship", "schedule", "safety", "learning")
        }
        forms_filled.submit_survey(
            current_user, placement, scales, form.would_recommend.data == "yes", form.comment.data
        )
        return gettext("Thank you: your survey is saved.")

    return _summer_post(placement_id, "survey", form, act)


# --- interviews: the student's invitations, book, move or decline -----------------------------------


@bp.get("/interviews")
def interviews_page(status: int = 200):
    return (
        render_template(
            "student/interviews.html",
            rows=interviews.for_student(current_user),
            describe=interviews.describe,
            book_form=BookForm(formdata=None),
            button=FlaskForm(),
        ),
        status,
    )


@bp.post("/interviews/<int:interview_id>/book")
def book_interview(interview_id: int):
    """Book or move: done, a redirect; refused (no time chosen, taken, past the cut-off), the page
    again with the reason and a 4xx (409 when another student took the time first)."""
    interview = interviews.interview_of_student(current_user, interview_id)
    form = BookForm()
    if form.validate_on_submit():
        slot = interviews.slot_of_host(interview.position.host_id, form.slot.data)
        moving = interview.status == "booked"
        with errors_shown_on(form):
            interviews.book(current_user, interview, slot)
            flash(gettext("Your interview is moved.") if moving else gettext("Your interview is booked."), "success")
            return redirect(url_for("student.interviews_page"))
    else:
        flash(gettext("Choose a time."), "danger")
    return interviews_page(status_for(form))


@bp.post("/interviews/<int:interview_id>/decline")
def decline_interview(interview_id: int):
    interview = interviews.interview_of_student(current_user, interview_id)
    form = FlaskForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            interviews.decline(current_user, interview)
            flash(gettext("You declined the interview."), "success")
            return redirect(url_for("student.interviews_page"))
    return interviews_page(status_for(form))
