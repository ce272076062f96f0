"""Pages for host company members: company, team, positions, applicants, rank lists and results."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import role_required
from ..extensions import db
from ..forms import options
from ..forms.company import (
    ApplicantFilterForm,
    CompanyForm,
    HostRankForm,
    InviteColleagueForm,
    PositionForm,
    RankViewForm,
    ReviewForm,
)
from ..forms.confirm import ConfirmForm
from ..forms.interviews import CutoffForm, MarkForm, SeriesForm, SlotForm
from ..forms.runs import OutcomeForm
from ..forms.summer import CheckInForm, EndForm, EvaluationForm, StartForm
from ..models import HostMember, HostMemberRole, Position, Role, User, utcnow
from ..plurals import counted
from ..services.accounts import users
from ..services.market import host_portal, interviews, open_actions, positions, profiles, rankings
from ..services.matching import outcomes, student_outcomes, vacancy_hosts
from ..services.messages import threads as message_threads
from ..services.season import queries
from ..services.summer import access as summer_access
from ..services.summer import forms_filled, lifecycle, quality, windows
from ..services.support.local_time import zone_label, zone_of
from .forms_support import errors_flashed, errors_shown_on, rank_inputs, status_for, valid_or_400
from .season_choice import shown_season

bp = Blueprint("company", __name__, url_prefix="/company")


@bp.before_request
@role_required(Role.HOST)
def _guard() -> None:  # host members only, and only while they belong to a host
    if current_user.membership is None:
        abort(403)


def _season():
    return shown_season()


def _own_position(position_id: int) -> Position:
    """A position of the member's own company, else 404 (other hosts' ids reveal nothing)."""
    position = db.get_or_404(Position, position_id)
    if position.host_id != current_user.membership.host_id:
        abort(404)
    return position


@bp.get("/")
def dashboard():
    host, season = current_user.host, _season()
    rows = queries.host_positions(host, season)
    return render_template(
        "company/dashboard.html",
        host=host,
        season=season,
        positions=rows,
        can=open_actions.for_host(current_user, season) if season else None,
        team=queries.host_team(host),
        is_owner=current_user.membership.role == HostMemberRole.OWNER,
        vacancy=vacancy_hosts.standing(host, season) if season else None,
    )


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    host = current_user.host
    form = CompanyForm(obj=host)
    if form.validate_on_submit():
        with errors_shown_on(form):
            host_portal.update_company(current_user, host, form.data)
            flash("The company profile is saved.", "success")
            return redirect(url_for("company.profile"))
    return render_template(
        "company/profile.html", form=form, host=host, is_owner=current_user.membership.role == HostMemberRole.OWNER
    ), status_for(form)


@bp.route("/team", methods=["GET", "POST"])
def team():
    host = current_user.host
    form = InviteColleagueForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            users.invite(current_user, form.email.data, Role.HOST, host, HostMemberRole(form.host_role.data))
            flash(f"We emailed an invitation to {form.email.data}.", "success")
            return redirect(url_for("company.team"))
    return render_template(
        "company/team.html",
        form=form,
        host=host,
        team=queries.host_team(host),
        is_owner=current_user.membership.role == HostMemberRole.OWNER,
    ), status_for(form)


@bp.route("/team/<int:membership_id>/remove", methods=["GET", "POST"])
def remove_member(membership_id: int):
    membership = db.get_or_404(HostMember, membership_id)
    if membership.host_id != current_user.membership.host_id:
        abort(404)
    leaving = membership.user_id == current_user.id
    form = ConfirmForm()
    if form.confirmed:
        with errors_shown_on(form):
            host_portal.remove_member(current_user, membership, form.reason.data or "")
            flash("You left the company." if leaving else "The colleague no longer has access.", "success")
            return redirect(url_for("main.index") if leaving else url_for("company.team"))
    return render_template(
        "company/remove_member.html",
        membership=membership,
        leaving=leaving,
        form=form,
        can=open_actions.remove_member(current_user, membership),
    ), status_for(form)


def _closed(season, action, position: Position | None = None):
    """The page in place of a position form that can no longer be sent; a POST is refused (409)."""
    return render_template(
        "company/position_closed.html", season=season, action=action, position=position
    ), 409 if request.method == "POST" else 200


@bp.route("/positions/new", methods=["GET", "POST"])
def new_position():
    season = _season()
    if season is None:
        abort(404)
    can = open_actions.for_host(current_user, season)
    if not can.post:  # say so before anyone fills in a whole form
        return _closed(season, can.post)
    form = PositionForm(season_year=season.year)
    if request.method == "GET":
        form.site_town.data = current_user.host.site_town
    if form.validate_on_submit():
        with errors_shown_on(form):
            position = positions.create_position(current_user, current_user.host, season, form.data)
            flash(f"{position.title} is posted.", "success")
            return redirect(url_for("company.dashboard"))
    return render_template("company/position_form.html", form=form, position=None, season=season), status_for(form)


@bp.route("/positions/<int:position_id>/edit", methods=["GET", "POST"])
def edit_position(position_id: int):
    position = _own_position(position_id)
    can = open_actions.for_position(current_user, position)
    if not can.change:
        return _closed(position.season, can.change, position)
    form = (
        PositionForm(data=positions.form_data(position), season_year=position.season.year)
        if request.method == "GET"
        else PositionForm(season_year=position.season.year)
    )
    if form.validate_on_submit():
        with errors_shown_on(form):
            changes = positions.update_position(current_user, position, form.data)
            flash(
                f"Saved {counted(len(changes), 'change')} to {position.title}." if changes else "Nothing changed.",
                "success",
            )
            return redirect(url_for("company.dashboard"))
    return render_template(
        "company/position_form.html", form=form, position=position, season=position.season
    ), status_for(form)


@bp.route("/positions/<int:position_id>/withdraw", methods=["GET", "POST"])
def withdraw_position(position_id: int):
    position = _own_position(position_id)
    form = ConfirmForm()
    if form.confirmed:
        with errors_shown_on(form):
            positions.withdraw_position(current_user, position, form.reason.data or "")
            flash(f"{position.title} is withdrawn; students can no longer apply to it.", "success")
            return redirect(url_for("company.dashboard"))
    return render_template(
        "company/withdraw_position.html",
        position=position,
        form=form,
        can=open_actions.for_position(current_user, position),
        applicants=positions.applicant_count(position),
    ), status_for(form)


@bp.get("/applicants")
def applicants():
    host, season = current_user.host, _season()
    if season is None:
        abort(404)
    form = ApplicantFilterForm(request.args)
    form.position.choices = options(
        [(0, "All positions")] + [(p.id, p.title) for p in positions.positions_of(host, season)]
    )
    form.college.choices = options([(0, "All colleges")] + [(c.id, c.name) for c in profiles.colleges()])
    valid = form.validate()
    page = host_portal.applicants(
        host,
        season,
        position_id=form.position.data if valid else None,
        skill=form.skill.data if valid else "",
        college_id=form.college.data if valid else None,
        major=form.major.data if valid else "",
        class_year=form.class_year.data if valid else None,
        page=request.args.get("page", 1, type=int),
    )
    keys = {(row.position.id, row.student.id) for row in page.items}
    return render_template(
        "company/applicants.html",
        form=form,
        page=page,
        season=season,
        interviews=interviews.statuses(host.id, keys),
        invite_form=FlaskForm(),
    ), 200 if valid else 400


@bp.route("/applicants/<int:student_id>", methods=["GET", "POST"])
def applicant(student_id: int):
    student = db.get_or_404(User, student_id)
    host = current_user.host
    if student.role != Role.STUDENT or not host_portal.may_see(host, student):
        abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        host_portal.save_review(current_user, student, form.note.data or "", form.interviewed.data)
        flash("Your note is saved.", "success")
        return redirect(url_for("company.applicant", student_id=student.id))
    review = host_portal.review_of(host, student)
    if request.method == "GET" and review is not None:
        form.note.data, form.interviewed.data = review.note, review.interviewed
    return render_template(
        "company/applicant.html",
        student=student,
        profile=student.profile,
        form=form,
        review=review,
        interests=(interests := host_portal.interests_in_host(host, student)),
        message_rows=message_threads.threads_of(current_user, interests),
    ), status_for(form)


@bp.route("/positions/<int:position_id>/ranks", methods=["GET", "POST"])
def ranks(position_id: int):
    position = _own_position(position_id)
    form = HostRankForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            rankings.save_host_ranks(
                current_user,
                position,
                rank_inputs(request.form),
                form.version.data,
                certify=form.action.data == "certify",
            )
            flash(
                "The list is certified: it will be used in the match."
                if form.action.data == "certify"
                else "Draft saved. Certify the list before the deadline.",
                "success",
            )
            return redirect(url_for("company.ranks", position_id=position.id, **_rank_view_args()))
    return _render_ranks(position, form), status_for(form)


def _rank_view_args() -> dict[str, str]:
    """The rank page's sort and filters from the query, kept across a save (other arguments dropped)."""
    return {name: value for name, value in request.args.items() if name in RankViewForm.NAMES and value}


def _render_ranks(position: Position, form: HostRankForm):
    view = valid_or_400(RankViewForm(request.args))
    page = rankings.rank_page(position, view.sort.data, view.fit.data, view.interview.data, view.ranked.data)
    form.version.data = position.ranks_version
    return render_template(
        "company/ranks.html",
        position=position,
        form=form,
        view=view,
        page=page,
        view_args=_rank_view_args(),
        can=open_actions.for_position(current_user, position),
        health=rankings.host_health(position, page.ranked),
    )


@bp.get("/results")
def results():
    season = _season()
    if season is None:
        abort(404)
    return _results_page(season, _host_outcome_form(), None, 200)


def _host_outcome_form(blank: bool = False, placement_id: int | None = None) -> OutcomeForm:
    """The hire or return-offer form; one per intern on the results page, each with its own element
    ids (the field names stay "outcome-..."), so every label points at its own row's field."""
    form = OutcomeForm(prefix="outcome", **({"formdata": None} if blank else {}))
    form.kind.choices = options(student_outcomes.kind_choices(host=True))
    if placement_id is not None:
        for item in form:
            item.id = f"{item.name}-{placement_id}"
            item.label.field_id = item.id
    return form


def _results_page(season, outcome_form: OutcomeForm, failed_placement_id: int | None, status: int):
    host = current_user.host
    published = bool(outcomes.published_runs(season))
    return render_template(
        "company/results.html",
        season=season,
        published=published,
        results=host_portal.results(host, season) if published else None,
        positions={p.id: p for p in positions.positions_of(host, season)},
        outcome_form=outcome_form,
        blank_outcome=lambda placement_id: _host_outcome_form(blank=True, placement_id=placement_id),
        failed_placement_id=failed_placement_id,
        recorded=student_outcomes.host_outcomes(host.id, season) if published else {},
        quality=quality.own_quality(host, season) if published else None,
        scales=quality.scale_labels(),
        small_cell=quality.SMALL_CELL,
    ), status


@bp.post("/interns/<int:placement_id>/outcome")
def record_outcome(placement_id: int):
    """A hire or a return offer for one of the company's interns (the coordinator records the rest)."""
    placement = student_outcomes.placement_of_host(current_user.membership.host_id, placement_id)
    form = _host_outcome_form(placement_id=placement.id)
    if form.validate_on_submit():
        with errors_shown_on(form):
            recorded = student_outcomes.record(
                current_user,
                placement,
                form.kind.data,
                form.occurred_on.data,
                form.hourly_wage.data,
                form.employer.data or current_user.host.name,
                form.note.data,
            )
            flash(f"{recorded.kind_label} recorded for {placement.student.name}.", "success")
            return redirect(url_for("company.results", season=placement.season_id))
    return _results_page(placement.season, form, placement.id, status_for(form))


# --- the summer: one page per intern, its start, end, check-in and evaluation -------------------


def _own_intern(placement_id: int):
    return summer_access.placement_of_host(current_user.membership.host_id, placement_id)


@bp.get("/interns/<int:placement_id>")
def intern(placement_id: int):
    return _intern_page(_own_intern(placement_id), None, 200)


def _intern_page(placement, failed, status: int):
    """The intern's summer page; `failed` is the posted form shown again with its errors."""
    start = StartForm(prefix="start", formdata=None, started_on=placement.position.start_date)
    forms = {
        "start": start,
        "end": EndForm(prefix="end", formdata=None),
        "check_in": CheckInForm(prefix="check_in", formdata=None),
        "evaluation": EvaluationForm(prefix="evaluation", formdata=None),
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "company/intern.html",
        placement=placement,
        state=forms_filled.state_for(current_user, placement),
        forms=forms,
        rules=windows.WINDOW_RULES,
        published_on=windows.published_on(placement),
        reasons=dict(lifecycle.end_reason_choices()),
    ), status


def _summer_post(placement_id: int, name: str, form, act):
    """Validate `form`, run `act(placement)`, flash and go back to the intern's page; else re-render."""
    placement = _own_intern(placement_id)
    if form.validate_on_submit():
        with errors_shown_on(form):
            flash(act(placement), "success")
            return redirect(url_for("company.intern", placement_id=placement.id))
    return _intern_page(placement, (name, form), status_for(form))


@bp.post("/interns/<int:placement_id>/start")
def confirm_start(placement_id: int):
    form = StartForm(prefix="start")

    def act(placement):
        lifecycle.confirm_start(current_user, placement, form.started_on.data)
        return f"{placement.student.name}'s start is confirmed."

    return _summer_post(placement_id, "start", form, act)


@bp.post("/interns/<int:placement_id>/end")
def confirm_end(placement_id: int):
    form = EndForm(prefix="end")

    def act(placement):
        lifecycle.confirm_end(
            current_user,
            placement,
            form.outcome.data,
            form.ended_on.data,
            form.hours_worked.data,
            form.end_reason.data,
            form.end_detail.data,
        )
        return f"{placement.student.name}'s internship is recorded as {placement.status.replace('_', ' ')}."

    return _summer_post(placement_id, "end", form, act)


@bp.post("/interns/<int:placement_id>/check-in")
def check_in(placement_id: int):
    form = CheckInForm(prefix="check_in")

    def act(placement):
        forms_filled.submit_check_in(current_user, placement, form.going.data, form.note.data, form.wants_call.data)
        return "Thank you: your check-in is sent to the program's coordinators."

    return _summer_post(placement_id, "check_in", form, act)


@bp.post("/interns/<int:placement_id>/evaluation")
def evaluate(placement_id: int):
    form = EvaluationForm(prefix="evaluation")

    def act(placement):
        forms_filled.submit_evaluation(
            current_user, placement, form.rating.data, form.skills.data, form.comments.data, form.share.data
        )
        return f"Your evaluation of {placement.student.name} is saved."

    return _summer_post(placement_id, "evaluation", form, act)


# --- interviews: slots, invitations and outcomes (services/market/interviews.py) --------------------


def _interviews_page(position: Position, failed=None, status: int = 200):
    forms = {
        "slot": SlotForm(prefix="slot", formdata=None),
        "series": SeriesForm(prefix="series", formdata=None),
        "cutoff": CutoffForm(prefix="cutoff", formdata=None, hours=position.interview_cutoff_hours),
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "company/interviews.html",
        position=position,
        forms=forms,
        data=interviews.for_position(position),
        candidates=rankings.candidates(position),
        describe=interviews.describe,
        describe_time=interviews.describe_time,
        mark_form=MarkForm(formdata=None),
        button=FlaskForm(),
        zone=zone_label(zone_of(current_user.program)),
        now=utcnow(),  # Done and No-show are offered once an interview's time has come
    ), status


@bp.get("/positions/<int:position_id>/interviews")
def position_interviews(position_id: int):
    return _interviews_page(_own_position(position_id))


def _interviews_post(position_id: int, name: str, form, act):
    position = _own_position(position_id)
    if form.validate_on_submit():
        with errors_shown_on(form):
            flash(act(position), "success")
            return redirect(url_for("company.position_interviews", position_id=position.id))
    return _interviews_page(position, (name, form), status_for(form))


def _details(form) -> interviews.SlotDetails:
    return interviews.check_details(
        form.minutes.data, form.format.data, form.address.data, form.link.data, form.interviewer.data
    )


@bp.post("/positions/<int:position_id>/interviews/slot")
def add_interview_slot(position_id: int):
    form = SlotForm(prefix="slot")

    def act(position):
        slot = interviews.add_slot(current_user, position, form.day.data, form.start.data, _details(form))
        return f"Slot published: {interviews.describe(slot)}."

    return _interviews_post(position_id, "slot", form, act)


@bp.post("/positions/<int:position_id>/interviews/series")
def add_interview_series(position_id: int):
    form = SeriesForm(prefix="series")

    def act(position):
        slots = interviews.add_series(
            current_user,
            position,
            form.first_day.data,
            form.last_day.data,
            form.weekdays.data or [],
            form.window_start.data,
            form.window_end.data,
            _details(form),
        )
        return f"Published {counted(len(slots), 'slot')}."

    return _interviews_post(position_id, "series", form, act)


@bp.post("/positions/<int:position_id>/interviews/cutoff")
def interview_cutoff(position_id: int):
    form = CutoffForm(prefix="cutoff")

    def act(position):
        interviews.set_cutoff(current_user, position, form.hours.data)
        return f"Students may move or decline until {form.hours.data} hours before their interview."

    return _interviews_post(position_id, "cutoff", form, act)


@bp.post("/interviews/invite")
def invite_interviews():
    """Invite the ticked applicants ("<position id>:<student id>" values), from the applicants list or a
    position's interview page."""
    back = request.form.get("back") == "applicants"
    picks: dict[int, set[int]] = {}
    for value in request.form.getlist("pick"):
        position_id, _, student_id = value.partition(":")
        if not (position_id.isascii() and position_id.isdigit() and student_id.isascii() and student_id.isdigit()):
            abort(400, description="An applicant to invite was not one of the list's: reload the page and tick again.")
        picks.setdefault(int(position_id), set()).add(int(student_id))
    if not FlaskForm().validate_on_submit():
        abort(400)
    owned = [(_own_position(position_id), ids) for position_id, ids in sorted(picks.items())]
    if not owned:
        flash("Tick at least one applicant to invite.", "danger")
    with errors_flashed():
        invited = sum(interviews.invite(current_user, position, ids) for position, ids in owned)
        if owned:
            flash(f"Invited {counted(invited, 'applicant')} to book an interview.", "success")
    if back or len(owned) != 1:
        return redirect(url_for("company.applicants"))
    return redirect(url_for("company.position_interviews", position_id=owned[0][0].id))


@bp.post("/interview-slots/<int:slot_id>/remove")
def remove_interview_slot(slot_id: int):
    slot = interviews.slot_of_host(current_user.membership.host_id, slot_id)
    position = slot.position
    form = FlaskForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            done = interviews.remove_slot(current_user, slot)
            flash("The slot is cancelled; the student is told." if done == "cancelled" else "Slot deleted.", "success")
            return redirect(url_for("company.position_interviews", position_id=position.id))
    return _interviews_page(position, None, status_for(form))


@bp.post("/interviews/<int:interview_id>/mark")
def mark_interview(interview_id: int):
    """Done, no-show or cancel; refused (too early, not open), the page again with the reason and a 4xx."""
    interview = interviews.interview_of_host(current_user.membership.host_id, interview_id)
    form = MarkForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            interviews.mark(current_user, interview, form.outcome.data)
            flash(f"{interview.student.name}: interview {interview.status_label.lower()}.", "success")
            return redirect(url_for("company.position_interviews", position_id=interview.position_id))
    else:
        flash("Mark the interview done or no-show, or cancel it.", "danger")
    return _interviews_page(interview.position, None, status_for(form))
