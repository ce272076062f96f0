"""The coordinator's match console: run, inspect, compare, verify and publish matches; repair after."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import role_required
from ..forms import options
from ..forms.confirm import PublishForm, SchedulePublicationForm
from ..forms.runs import (
    AddPlacementForm,
    AuditFilterForm,
    EndPlacementForm,
    MovePlacementForm,
    OutcomeForm,
    RunForm,
)
from ..forms.summer import CorrectSummerForm, EndForm, StartForm
from ..models import Role, utcnow
from ..plurals import counted
from ..services.directory import audit_log
from ..services.market import open_actions
from ..services.matching import (
    match_quality,
    match_runs,
    offers_board,
    placement_changes,
    run_queue,
    run_reports,
    scheduled_publication,
    second_round,
    student_outcomes,
    vacancy_rounds,
)
from ..services.season import manage, queries
from ..services.summer import forms_filled, lifecycle, quality, windows
from ..services.support import local_time
from ..services.support.csv_export import to_csv_bytes
from .forms_support import errors_flashed, errors_shown_on, status_for

bp = Blueprint("runs", __name__, url_prefix="/coordinator/runs")


@bp.before_request
@role_required(Role.COORDINATOR)
def _guard() -> None:  # coordinators only; every record is looked up within their program
    pass


@bp.get("/")
def index():
    choices = queries.seasons_of(current_user.program_id)
    chosen = request.args.get("season", type=int)
    season = manage.season_for(current_user, chosen) if chosen else queries.staff_season(current_user.program_id)
    runs = run_reports.runs_of(season) if season else []
    return render_template(
        "runs/index.html",
        seasons=choices,
        season=season,
        runs=runs,
        open_seats=second_round.open_seats(season) if season else 0,
        can=open_actions.for_season(season, runs) if season else None,
        vacancy=vacancy_rounds.opening(season) if season else None,
        vacancy_rounds=vacancy_rounds.rounds_of(season) if season else [],
        scheduled=scheduled_publication.latest_by_run([run.id for run in runs]),
    )


@bp.route("/seasons/<int:season_id>/new", methods=["GET", "POST"])
@bp.route("/seasons/<int:season_id>/second-round", methods=["GET", "POST"], endpoint="second_round")
def new(season_id: int):
    season = manage.season_for(current_user, season_id)
    second = request.endpoint == "runs.second_round"
    form = RunForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            start = second_round.start_second_round if second else match_runs.start_run
            run = start(current_user, season, match_runs.RunSettings(**form.settings()))
            flash(f"Run #{run.id} is {run.status}.", "success")
            return redirect(url_for("runs.show", run_id=run.id))
    hints = second_round.suggestions(season) if second and request.method == "GET" else None
    return render_template(
        "runs/new.html", form=form, season=season, second=second, hints=hints, pick_season=season.id
    ), status_for(form)


@bp.get("/seasons/<int:season_id>/pick/<any(student, applicant, position, host):kind>")
def pick(season_id: int, kind: str):
    """The pickers' suggestions (the run form's locks and forbids, the placement forms): the season's
    students in the match (or any applicant), or its open positions or hosts, whose name (or email,
    title, host) starts with what was typed; a few at most."""
    season = manage.season_for(current_user, season_id)
    found = run_reports.pick(season, kind, request.args.get("q", ""))
    return jsonify(results=[{"value": value, "label": label} for value, label in found])


@bp.get("/<int:run_id>")
def show(run_id: int):
    run = run_reports.run_for(current_user, run_id)
    figures = run_reports.figures(run, request.args.get("page", 1, type=int))
    return render_template(
        "runs/show.html",
        run=run,
        f=figures,
        stage=run_queue.stage_of(run),
        form=FlaskForm(),
        page=request.args.get("page", 1, type=int),
        publish=open_actions.publish(run),
        scheduled=scheduled_publication.latest_by_run([run.id]).get(run.id),
        definition=match_quality.DEFINITION,
        published_reason=audit_log.latest_reasons("MatchRun", [run.id], ["run.published"]).get(run.id)
        if run.published_at
        else None,
    )


@bp.get("/<int:run_id>/status.json")
def status(run_id: int):
    run = run_reports.run_for(current_user, run_id)
    return jsonify(
        id=run.id,
        status=run.status,
        stage=run_queue.stage_of(run),
        error=run.error,
        solve_seconds=run.solve_seconds,
        started_at=run.started_at.isoformat() if run.started_at else None,
        time_limit_s=run.parameters.get("time_limit_s"),
    )


@bp.get("/<int:run_id>/explain/<key>")
def explain(run_id: int, key: str):
    run = run_reports.run_for(current_user, run_id)
    found = run_reports.explanation(run, key) or abort(404)
    return render_template(
        "runs/explain.html",
        run=run,
        name=found[0],
        where=found[1],
        reasons=found[2],
        student=key.startswith("s"),
        key=key,
    )


@bp.get("/<int:run_id>/verify")
def verify(run_id: int):
    run = run_reports.run_for(current_user, run_id)
    with errors_flashed():
        report = match_runs.verify(run)
        return render_template(
            "runs/verify.html",
            run=run,
            report=report,
            names=match_runs.verify_names(report),
            checked_at=match_runs.verified_at(run),
        )
    return redirect(url_for("runs.show", run_id=run.id))


@bp.route("/<int:run_id>/publish", methods=["GET", "POST"])
def confirm_publish(run_id: int):
    run = run_reports.run_for(current_user, run_id)
    form = PublishForm()
    if form.confirmed:
        with errors_shown_on(form):
            offers = match_runs.publish(current_user, run, form.reason.data or "", form.unstable_ok.data)
            flash(
                f"Published: {counted(offers, 'offer')} made; lists are locked, and the emails are on their way.",
                "success",
            )
            return redirect(url_for("runs.placements", season_id=run.season_id))
    return _publish_page(run, form, _schedule_form()), status_for(form)


@bp.post("/<int:run_id>/schedule")
def schedule_publication(run_id: int):
    run = run_reports.run_for(current_user, run_id)
    form = _schedule_form()
    if form.confirmed:
        with errors_shown_on(form):
            scheduled = scheduled_publication.schedule(
                current_user, run, form.publish_at.data, form.reason.data or "", form.unstable_ok.data
            )
            when = local_time.format_when(scheduled.publish_at, local_time.zone_of(current_user.program), True)
            flash(f"Run #{run.id} publishes {when}; you can cancel it until then.", "success")
            return redirect(url_for("runs.show", run_id=run.id))
    return _publish_page(run, PublishForm(formdata=None), form), status_for(form)


def _schedule_form() -> SchedulePublicationForm:
    return SchedulePublicationForm(prefix="schedule", meta={"zone": local_time.zone_of(current_user.program)})


def _publish_page(run, form: PublishForm, schedule: SchedulePublicationForm) -> str:
    return render_template(
        "runs/publish.html",
        run=run,
        f=run_reports.figures(run),
        form=form,
        schedule=schedule,
        waiting=scheduled_publication.waiting_for(run.season, run.round),
        publish=open_actions.publish(run),
    )


@bp.post("/scheduled/<int:scheduled_id>/cancel")
def cancel_publication(scheduled_id: int):
    scheduled = scheduled_publication.scheduled_for(current_user, scheduled_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    with errors_flashed():
        scheduled_publication.cancel(current_user, scheduled)
        flash(f"The scheduled publication of run #{scheduled.run_id} is cancelled.", "success")
    return redirect(url_for("runs.show", run_id=scheduled.run_id))


@bp.post("/<int:run_id>/<any(rerun, restart):action>")
def act(run_id: int, action: str):
    run = run_reports.run_for(current_user, run_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    with errors_flashed():
        target = getattr(match_runs, action)(current_user, run)
        flash(f"Run #{target.id} is {target.status}.", "success")
        return redirect(url_for("runs.show", run_id=target.id))
    return redirect(url_for("runs.show", run_id=run.id))


@bp.get("/compare")
def compare():
    first = run_reports.run_for(current_user, request.args.get("a", 0, type=int))
    second = run_reports.run_for(current_user, request.args.get("b", 0, type=int))
    if first.season_id != second.season_id or first.id == second.id:
        flash("Choose two different runs of the same season to compare.", "danger")
        return redirect(url_for("runs.index", season=first.season_id))
    a, b, moves, counts = run_reports.compare(first, second)
    return render_template(
        "runs/compare.html", a=a, b=b, moves=moves, counts=counts, definition=match_quality.DEFINITION
    )


@bp.get("/seasons/<int:season_id>/placements")
def placements(season_id: int):
    """The offers board: every offer of the season, filtered, with counts and the reminder button."""
    season = manage.season_for(current_user, season_id)
    filters = offers_board.filters_from(request.args)
    page = offers_board.offers(season, filters, request.args.get("page", 1, type=int))
    return render_template(
        "runs/placements.html",
        season=season,
        page=page,
        filters=filters,
        counts=offers_board.counts(season),
        hosts=offers_board.hosts_of(season),
        pending=offers_board.pending_count(season),
        labels=offers_board.STATUS_LABELS,
        zone=local_time.zone_abbreviation(local_time.zone_of(season.program)),
        now=utcnow(),
        form=FlaskForm(),
    )


@bp.get("/seasons/<int:season_id>/offers.csv")
def offers_csv(season_id: int):
    season = manage.season_for(current_user, season_id)
    rows = offers_board.csv_rows(season, offers_board.filters_from(request.args))
    return Response(
        to_csv_bytes(offers_board.CSV_HEADERS, rows, local_time.zone_of(season.program)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="offers-season-{season.id}.csv"'},
    )


@bp.post("/seasons/<int:season_id>/offers/remind")
def remind_offers(season_id: int):
    season = manage.season_for(current_user, season_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    with errors_flashed():
        sent = offers_board.remind_pending(current_user, season)
        flash(f"Reminder sent to {counted(sent, 'student')} with a pending offer.", "success")
    return redirect(url_for("runs.placements", season_id=season.id))


@bp.route("/placements/<int:placement_id>", methods=["GET", "POST"])
def placement(placement_id: int):
    placement = run_reports.placement_for(current_user, placement_id)
    end, move = EndPlacementForm(prefix="end"), MovePlacementForm(prefix="move")
    end.kind.choices = options(placement_changes.ending_choices())
    form = end if "end-reason" in request.form else move
    if request.method == "POST" and form.validate_on_submit():
        with errors_shown_on(form):
            if form is end:
                placement_changes.end_placement(current_user, placement, end.kind.data, end.reason.data)
            else:
                target = run_reports.position_named(placement.season, move.position.data)
                placement_changes.move_placement(current_user, placement, target, move.reason.data)
            flash("Placement updated and recorded in the audit log.", "success")
            return redirect(url_for("runs.placements", season_id=placement.season_id))
    return _placement_page(placement, end, move, _outcome_form(), status_for(form))


def _outcome_form() -> OutcomeForm:
    form = OutcomeForm(prefix="outcome")
    form.kind.choices = options(student_outcomes.kind_choices())
    return form


def _placement_page(placement, end, move, outcome: OutcomeForm, status: int, summer_form=None):
    forms = {
        "start": StartForm(prefix="start", formdata=None, started_on=placement.position.start_date),
        "finish": EndForm(prefix="finish", formdata=None),
        "correct": CorrectSummerForm(
            prefix="correct",
            formdata=None,
            status=placement.status,
            started_on=placement.started_on,
            ended_on=placement.ended_on,
            hours_worked=placement.hours_worked,
            end_reason=placement.end_reason,
            end_detail=placement.end_detail,
        ),
    }
    if summer_form is not None:
        forms[summer_form[0]] = summer_form[1]
    return render_template(
        "runs/placement.html",
        placement=placement,
        end=end,
        move=move,
        outcome=outcome,
        outcomes=student_outcomes.outcomes_of(placement.student),
        summer=forms,
        reasons=dict(lifecycle.end_reason_choices()),
        check_ins=[forms_filled.check_in_of(placement, side) for side in ("student", "host")],
        evaluation=forms_filled.evaluation_of(placement),
        survey=forms_filled.survey_of(placement),
        scales=quality.scale_labels(),
    ), status


@bp.post("/placements/<int:placement_id>/outcomes")
def record_outcome(placement_id: int):
    placement = run_reports.placement_for(current_user, placement_id)
    form = _outcome_form()
    if form.validate_on_submit():
        with errors_shown_on(form):
            recorded = student_outcomes.record(
                current_user,
                placement,
                form.kind.data,
                form.occurred_on.data,
                form.hourly_wage.data,
                form.employer.data,
                form.note.data,
            )
            flash(f"Outcome recorded: {recorded.kind_label}.", "success")
            return redirect(url_for("runs.placement", placement_id=placement.id))
    end, move = EndPlacementForm(prefix="end"), MovePlacementForm(prefix="move")
    end.kind.choices = options(placement_changes.ending_choices())
    return _placement_page(placement, end, move, form, status_for(form))


@bp.post("/outcomes/<int:outcome_id>/remove")
def remove_outcome(outcome_id: int):
    outcome = student_outcomes.outcome_in(current_user.program_id, outcome_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    back = outcome.placement_id
    with errors_flashed():
        student_outcomes.remove(current_user, outcome)
        flash("Outcome removed and recorded in the audit log.", "success")
    if back is None:
        return redirect(url_for("runs.index"))
    return redirect(url_for("runs.placement", placement_id=back))


@bp.post("/seasons/<int:season_id>/outcomes/derive")
def derive_returned(season_id: int):
    season = manage.season_for(current_user, season_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    with errors_flashed():
        added = student_outcomes.derive_returned(season, current_user)
        flash(f"{counted(added, 'student')} from an earlier season recorded as returned next summer.", "success")
    return redirect(url_for("runs.placements", season_id=season.id))


@bp.route("/seasons/<int:season_id>/placements/add", methods=["GET", "POST"])
def add_placement(season_id: int):
    season = manage.season_for(current_user, season_id)
    form = AddPlacementForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            student = run_reports.student_named(season, form.student.data)
            position = run_reports.position_named(season, form.position.data)
            placement_changes.add_placement(current_user, season, student, position, form.reason.data)
            flash("Placement added and recorded in the audit log.", "success")
            return redirect(url_for("runs.placements", season_id=season.id))
    return render_template("runs/add_placement.html", season=season, form=form), status_for(form)


@bp.get("/audit")
def audit():
    form = AuditFilterForm(request.args)
    people, types = audit_log.filters_of(current_user.program_id)
    form.person.choices = options([(0, "Everyone"), *people])
    form.record.choices = options([("", "All records"), *((t, t) for t in types)])
    valid = form.validate()
    rows, pages = audit_log.events(
        current_user.program_id,
        form.person.data if valid else None,
        form.record.data if valid else "",
        form.since.data if valid else None,
        form.until.data if valid else None,
        request.args.get("page", 1, type=int),
        local_time.zone_of(current_user.program),
    )
    return render_template(
        "runs/audit.html", form=form, rows=rows, pages=pages, page=request.args.get("page", 1, type=int)
    ), 200 if valid else 400


# --- the summer: confirm or correct a placement's start and end; the season's summer page ----------


def _summer_post(placement_id: int, name: str, form, act):
    placement = run_reports.placement_for(current_user, placement_id)
    if form.validate_on_submit():
        with errors_shown_on(form):
            act(placement)
            flash("The placement's summer is updated and recorded in the audit log.", "success")
            return redirect(url_for("runs.placement", placement_id=placement.id))
    end, move = EndPlacementForm(prefix="end"), MovePlacementForm(prefix="move")
    end.kind.choices = options(placement_changes.ending_choices())
    return _placement_page(placement, end, move, _outcome_form(), status_for(form), (name, form))


@bp.post("/placements/<int:placement_id>/start")
def confirm_start(placement_id: int):
    form = StartForm(prefix="start")
    return _summer_post(
        placement_id, "start", form, lambda p: lifecycle.confirm_start(current_user, p, form.started_on.data)
    )


@bp.post("/placements/<int:placement_id>/end")
def confirm_end(placement_id: int):
    form = EndForm(prefix="finish")
    return _summer_post(
        placement_id,
        "finish",
        form,
        lambda p: lifecycle.confirm_end(
            current_user,
            p,
            form.outcome.data,
            form.ended_on.data,
            form.hours_worked.data,
            form.end_reason.data,
            form.end_detail.data,
        ),
    )


@bp.post("/placements/<int:placement_id>/summer")
def correct_summer(placement_id: int):
    form = CorrectSummerForm(prefix="correct")
    return _summer_post(
        placement_id,
        "correct",
        form,
        lambda p: lifecycle.correct(
            current_user,
            p,
            form.status.data,
            form.started_on.data,
            form.ended_on.data,
            form.hours_worked.data,
            form.end_reason.data,
            form.end_detail.data,
            form.why.data,
        ),
    )


@bp.get("/seasons/<int:season_id>/summer")
def summer(season_id: int):
    """The season's summer: check-ins (calls asked for first) and the surveys aggregated per host."""
    season = manage.season_for(current_user, season_id)
    return render_template(
        "runs/summer.html",
        season=season,
        check_ins=quality.check_ins(season),
        calls=quality.calls_wanted(season),
        hosts=quality.host_quality(season),
        scales=quality.scale_labels(),
        definition=quality.DEFINITION,
        counts=quality.status_counts(season),
        rules=windows.WINDOW_RULES,
    )
