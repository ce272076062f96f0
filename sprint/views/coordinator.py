"""Pages for program coordinators: seasons, progress, directories, imports and extensions."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..access import role_required
from ..extensions import db
from ..forms import options
from ..forms.confirm import PhaseForm, StaffConfirmForm
from ..forms.coordinator import (
    BulkMessageForm,
    ExtensionForm,
    ImportConfirmForm,
    ImportForm,
    NewHostForm,
    SeasonDatesForm,
    SeasonForm,
    dates_of,
)
from ..forms.staff import DirectorySearchForm, InviteForm, TimeZoneForm
from ..models import ExtensionKind, HostCompany, HostMemberRole, OutboxEmail, Phase, Role
from ..services.accounts import users
from ..services.directory import (
    audit_log,
    bulk_messages,
    csv_import,
    directories,
    edits,
    import_jobs,
    progress,
    student_record,
)
from ..services.directory.csv_import_kinds import KINDS, template_rows
from ..services.errors import StaleEdit
from ..services.matching import scheduled_publication
from ..services.season import deadline_extensions, manage, programs, queries
from ..services.summer import access as summer
from ..services.support import job_status, local_time, outbox
from ..services.support.csv_export import to_csv_bytes
from .forms_support import errors_flashed, errors_shown_on, status_for, valid_or_400

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


@bp.before_request
@role_required(Role.COORDINATOR)
def _guard() -> None:  # coordinators only; every query below is scoped to their program
    pass


@bp.get("/")
def dashboard():
    program_id = current_user.program_id
    figures = queries.season_figures(program_id)
    shown = queries.pick_season([row.season for row in figures], staff=True).shown
    return render_template(
        "coordinator/dashboard.html",
        program=current_user.program,
        figures=figures,
        now=next((row for row in figures if row.season is shown), None),
        sign_up=url_for("auth.register", slug=current_user.program.slug, _external=True),
        zone_form=TimeZoneForm(time_zone=current_user.program.time_zone),
        people=queries.program_people_counts(program_id),
        background=job_status.job_status(),
    )


@bp.post("/time-zone")
def time_zone():
    form = TimeZoneForm()
    if form.validate_on_submit():
        program = programs.set_time_zone(current_user, current_user.program, form.time_zone.data)
        flash(f"Times are now read and typed in {program.time_zone}.", "success")
    else:
        flash("Choose a time zone from the list.", "danger")
    return redirect(url_for("coordinator.dashboard"))


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    hosts = current_user.program.hosts
    form.host.choices = options([(0, "(not a host member)")] + [(host.id, host.name) for host in hosts])
    if form.validate_on_submit():
        host = db.session.get(HostCompany, form.host.data) if form.role.data == Role.HOST else None
        with errors_shown_on(form):
            users.invite(current_user, form.email.data, Role(form.role.data), host, HostMemberRole(form.host_role.data))
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("coordinator.invite"))
    return render_template("coordinator/invite.html", form=form), status_for(form)


# --- seasons ----------------------------------------------------------------------------------


@bp.get("/seasons")
def season_list():
    return render_template("coordinator/seasons.html", seasons=queries.seasons_of(current_user.program_id))


def _zone() -> dict:
    """Form meta: coordinators type dates in their program's time zone."""
    return {"zone": local_time.zone_of(current_user.program)}


@bp.route("/seasons/new", methods=["GET", "POST"])
def new_season():
    form = SeasonForm(meta=_zone())
    if form.validate_on_submit():
        with errors_shown_on(form):
            season = manage.create_season(
                current_user, form.year.data, form.name.data, dates_of(form), copy_positions=form.copy_positions.data
            )
            flash(f"{season.name} created in draft.", "success")
            return redirect(url_for("coordinator.season", season_id=season.id))
    return render_template("coordinator/season_form.html", form=form, season=None), status_for(form)


@bp.get("/seasons/<int:season_id>")
def season(season_id: int):
    season = manage.season_for(current_user, season_id)
    return render_template(
        "coordinator/progress.html",
        season=season,
        progress=progress.progress_of(season),
        moves=manage.phase_moves(season),
        history=audit_log.history("Season", season.id, ["season.phase_changed"]),
        scheduled=scheduled_publication.waiting_in(season),
        phase_labels={str(phase): phase.label for phase in Phase},
    )


@bp.route("/seasons/<int:season_id>/dates", methods=["GET", "POST"])
def season_dates(season_id: int):
    season = manage.season_for(current_user, season_id)
    form = SeasonDatesForm(obj=season, meta=_zone())
    if form.validate_on_submit():
        with errors_shown_on(form):
            manage.update_dates(current_user, season, dates_of(form), form.expired_offers.data)
            flash(f"Dates and offer settings of {season.name} saved.", "success")
            return redirect(url_for("coordinator.season", season_id=season.id))
    return render_template("coordinator/season_form.html", form=form, season=season), status_for(form)


def _phase_page(season, target: str, form: PhaseForm, status: int = 200):
    move = next((move for move in manage.phase_moves(season) if move.target == target), None)
    if move is None:
        abort(404)
    form.target.data = move.target.value
    return render_template("coordinator/phase_confirm.html", season=season, move=move, form=form), status


@bp.get("/seasons/<int:season_id>/phase/<target>")
def confirm_phase(season_id: int, target: str):
    return _phase_page(manage.season_for(current_user, season_id), target, PhaseForm())


@bp.post("/seasons/<int:season_id>/phase")
def move_phase(season_id: int):
    season = manage.season_for(current_user, season_id)
    form = PhaseForm()
    if form.target.data not in {phase.value for phase in Phase}:
        abort(400)
    if not form.confirmed:  # a bare POST moves nothing: show what the move means first
        return _phase_page(season, form.target.data, form, 400)
    with errors_flashed():
        manage.move_phase(current_user, season, Phase(form.target.data), form.reason.data or "")
        flash(f'{season.name} is now in "{Phase(season.phase).label}".', "success")
    return redirect(url_for("coordinator.season", season_id=season.id))


@bp.route("/seasons/<int:season_id>/extensions", methods=["GET", "POST"])
def extensions(season_id: int):
    season = manage.season_for(current_user, season_id)
    form = ExtensionForm(meta=_zone())
    if form.validate_on_submit():
        with errors_shown_on(form):
            extension = deadline_extensions.grant_extension(
                current_user, season, form.email.data, ExtensionKind(form.kind.data), form.until.data, form.reason.data
            )
            flash(f"Extended the {form.kind.data} deadline for {extension.user.name}.", "success")
            return redirect(url_for("coordinator.extensions", season_id=season.id))
    return render_template(
        "coordinator/extensions.html", season=season, form=form, extensions=deadline_extensions.extensions_of(season)
    ), status_for(form)


# --- directories ------------------------------------------------------------------------------


def _listing_args(kind: str):
    listing = directories.LISTINGS.get(kind) or abort(404)
    season = None
    if listing.needs_season:
        season_id = request.args.get("season", type=int)
        season = (
            manage.season_for(current_user, season_id) if season_id else queries.staff_season(current_user.program_id)
        )
    filter_ = request.args.get("filter", "")
    filter_ = filter_ if filter_ in dict(listing.filters) else ""
    return listing, season, valid_or_400(DirectorySearchForm(request.args)).q.data or "", filter_


@bp.get("/directory")
def directory_home():
    return redirect(url_for("coordinator.directory", kind="students"))


@bp.get("/directory/<kind>")
def directory(kind: str):
    listing, season, search, filter_ = _listing_args(kind)
    page = directories.page_of(
        current_user.program_id, kind, season, search, filter_, page=request.args.get("page", 1, type=int)
    )
    return render_template(
        "coordinator/directory.html",
        listing=listing,
        season=season,
        search=search,
        filter=filter_,
        page=page,
        seasons=queries.seasons_of(current_user.program_id),
    )


@bp.get("/directory/<kind>.csv")
def directory_csv(kind: str):
    listing, season, search, filter_ = _listing_args(kind)
    rows = directories.all_rows(current_user.program_id, kind, season, search, filter_)
    name = "-".join(part for part in (kind, filter_, str(season.year) if season else "") if part)
    return Response(
        to_csv_bytes([header for _, header in listing.columns], rows, _zone()["zone"]),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@bp.get("/students/<int:student_id>")
def student(student_id: int):
    """One student's record: every season's application, rank list, placements, extensions, and emails."""
    record = student_record.record_for(current_user, student_id)
    evaluations: dict[int, list] = {}  # by placement: the host's evaluations the coordinator may read
    for evaluation in summer.evaluations_for_student(student_id, None, current_user):
        evaluations.setdefault(evaluation.placement_id, []).append(evaluation)
    return render_template("coordinator/student.html", record=record, evaluations=evaluations)


@bp.post("/hosts/<int:host_id>/approve")
def approve_host(host_id: int):
    host = edits.set_host_approval(current_user, edits.host_for(current_user, host_id), True)
    flash(f"{host.name} is approved: its open positions are visible to students.", "success")
    return redirect(url_for("coordinator.directory", kind="hosts", filter="unapproved"))


@bp.route("/hosts/<int:host_id>/unapprove", methods=["GET", "POST"])
def unapprove_host(host_id: int):
    host = edits.host_for(current_user, host_id)
    form = StaffConfirmForm()
    if form.confirmed:
        edits.set_host_approval(current_user, host, False, form.reason.data or "")
        flash(f"{host.name} is no longer approved: students cannot see its positions.", "success")
        return redirect(url_for("coordinator.directory", kind="hosts"))
    return render_template("coordinator/unapprove_host.html", host=host, form=form), status_for(form)


@bp.route("/hosts/new", methods=["GET", "POST"])
def new_host():
    form = NewHostForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            host = edits.create_host_with_owner(
                current_user,
                form.name.data,
                form.sector.data,
                form.site_town.data,
                form.size.data,
                form.owner_email.data,
            )
            flash(f"{host.name} added; an invitation went to {form.owner_email.data}.", "success")
            return redirect(url_for("coordinator.directory", kind="hosts", q=host.name))
    return render_template("coordinator/new_host.html", form=form), status_for(form)


@bp.route("/staff/<int:user_id>/<any(deactivate, reactivate):action>", methods=["GET", "POST"])
def staff_active(user_id: int, action: str):
    user = edits.staff_member_for(current_user, user_id)
    form = StaffConfirmForm()
    if form.confirmed:
        with errors_flashed():
            edits.set_account_active(current_user, user, action == "reactivate", form.reason.data or "")
            flash(f"{user.name} {'can log in again' if user.active else 'can no longer log in'}.", "success")
        return redirect(url_for("coordinator.directory", kind="staff"))
    return render_template("coordinator/staff_active.html", person=user, action=action, form=form), status_for(form)


# --- CSV import -------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    form = ImportForm()
    form.season.choices = options(
        [(c.id, c.name) for c in queries.seasons_of(current_user.program_id)] or [(0, "(no season yet)")]
    )
    if form.validate_on_submit():
        content = form.file.data.read(csv_import.MAX_BYTES + 1)
        season = manage.season_for(current_user, form.season.data) if KINDS[form.kind.data].needs_season else None
        result = csv_import.preview(current_user, form.kind.data, content, season)
        payload = ""
        if result.ok:  # kept on the server: the confirmation posts its signed id, not the file
            payload = csv_import.sign_upload(
                current_user, csv_import.stage(current_user, form.kind.data, season, content, result)
            )
        return render_template(
            "coordinator/import_preview.html",
            result=result,
            confirm=ImportConfirmForm(payload=payload),
            season=season,
            spec=KINDS[form.kind.data],
        ), 200 if result.ok else 422
    return render_template("coordinator/import.html", form=form, kinds=KINDS, max_rows=csv_import.MAX_ROWS), status_for(
        form
    )


@bp.post("/import/confirm")
def import_confirm():
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    with errors_flashed():
        try:
            job = import_jobs.confirm_import(current_user, form.payload.data)
        except StaleEdit as error:  # confirmed twice: the first confirmation does the import
            flash(str(error), "info")
        else:
            return redirect(url_for("coordinator.import_progress", import_id=job.id))
    return redirect(url_for("coordinator.import_csv"))


def _own_import(import_id: int):
    job = csv_import.job_of(current_user, import_id)
    if job is None:
        abort(404)
    return job


@bp.get("/import/<int:import_id>")
def import_progress(import_id: int):
    job = _own_import(import_id)
    return render_template(
        "coordinator/import_job.html",
        job=job,
        progress=csv_import.progress_of(job),
        has_directory=job.kind in directories.LISTINGS,
    )


@bp.get("/import/<int:import_id>/status.json")
def import_status(import_id: int):
    response = jsonify(csv_import.progress_of(_own_import(import_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/import/template/<kind>.csv")
def import_template(kind: str):
    if kind not in KINDS:
        abort(404)
    header, example = template_rows(kind, current_user.program_id)
    return Response(
        to_csv_bytes(header, [example]),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sprint-{kind}-template.csv"'},
    )


@bp.get("/email")
def email():
    program_id = current_user.program_id
    return render_template(
        "coordinator/email.html",
        failed=outbox.failed_emails(program_id),
        waiting=outbox.waiting_count(program_id),
        resend_endpoint="coordinator.resend_email",
    )


@bp.post("/email/<int:email_id>/resend")
def resend_email(email_id: int):
    sent = outbox.resend(current_user, db.get_or_404(OutboxEmail, email_id))
    flash(f"The email to {sent.recipient} is queued to be sent again.", "success")
    return redirect(url_for("coordinator.email"))


# --- bulk messages -----------------------------------------------------------------------------


def _message_form(season) -> BulkMessageForm:
    form = BulkMessageForm()
    form.segment.choices = options(bulk_messages.SEGMENTS.items())
    form.college_id.choices = options([(0, "—")] + [(college.id, college.name) for college in bulk_messages.colleges()])
    if not form.token.data:
        form.token.data = secrets.token_urlsafe(24)
    return form


def _message_args(form: BulkMessageForm) -> tuple:
    return form.segment.data, form.college_id.data or None, form.subject.data or "", form.body.data or ""


def _messages_page(season, form: BulkMessageForm, preview=None, status: int = 200):
    return render_template(
        "coordinator/messages.html",
        season=season,
        form=form,
        preview=preview,
        segments=bulk_messages.SEGMENTS,
        sent=bulk_messages.messages_of(season),
    ), status


@bp.route("/seasons/<int:season_id>/messages", methods=["GET", "POST"])
def messages(season_id: int):
    """Compose a message to a segment; a valid post shows the preview (how many, a few names) to send from."""
    season = manage.season_for(current_user, season_id)
    form = _message_form(season)
    if form.validate_on_submit():
        with errors_shown_on(form):
            return _messages_page(season, form, bulk_messages.preview(season, *_message_args(form)))
    return _messages_page(season, form, status=status_for(form))


@bp.post("/seasons/<int:season_id>/messages/send")
def send_message(season_id: int):
    """Send the previewed message (through the job queue); the same form posted again sends nothing."""
    season = manage.season_for(current_user, season_id)
    form = _message_form(season)
    if form.validate_on_submit():
        with errors_shown_on(form):
            message, new = bulk_messages.create_message(
                current_user, season, *_message_args(form), form.required.data, form.token.data
            )
            if new:
                bulk_messages.queue(message.id)
                flash(f"“{message.subject}” is being sent; each recipient finds it in their notifications.", "success")
            else:
                flash("This message was sent already: it is not sent twice.", "info")
            return redirect(url_for("coordinator.messages", season_id=season.id))
    return _messages_page(season, form, status=status_for(form))
