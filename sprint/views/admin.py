"""Pages for installation administrators: programs and their first coordinators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import role_required
from ..extensions import db
from ..forms import options
from ..forms.staff import CollegeForm, DirectorySearchForm, InviteForm, MoveStudentForm, ProgramForm, TimeZoneForm
from ..models import College, OutboxEmail, Program, Role
from ..services.accounts import users
from ..services.directory import colleges
from ..services.season import programs, queries
from ..services.support import job_status, outbox
from .forms_support import errors_shown_on, status_for, valid_or_400

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required(Role.ADMIN)
def _guard() -> None:  # installation administrators only
    pass


@bp.route("/", methods=["GET", "POST"])
def dashboard():
    form = ProgramForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            program = programs.create_program(
                current_user,
                form.name.data,
                form.slug.data,
                form.region.data or "",
                form.contact_email.data or "",
                form.time_zone.data,
            )
            flash(f"{program.name} is created. Invite its first coordinator.", "success")
            return redirect(url_for("admin.program", program_id=program.id))
    return render_template(
        "admin/dashboard.html", form=form, programs=programs.program_summaries(), background=job_status.job_status()
    ), status_for(form)


def _invite_form(bound: bool = True) -> InviteForm:
    form = InviteForm() if bound else InviteForm(formdata=None)
    del form.host, form.host_role
    form.role.choices = options([("coordinator", "Coordinator")])
    return form


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
def program(program_id: int):
    program = db.get_or_404(Program, program_id)
    form = _invite_form()
    if form.validate_on_submit():
        with errors_shown_on(form):
            users.invite(current_user, form.email.data, Role.COORDINATOR, program=program)
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("admin.program", program_id=program.id))
    return render_template(
        "admin/program.html",
        program=program,
        form=form,
        zone_form=TimeZoneForm(time_zone=program.time_zone),
        move_form=_move_form(program),
        figures=queries.season_figures(program.id),
        people=queries.program_people_counts(program.id),
    ), status_for(form)


@bp.post("/programs/<int:program_id>/time-zone")
def time_zone(program_id: int):
    program = db.get_or_404(Program, program_id)
    form = TimeZoneForm()
    if form.validate_on_submit():
        programs.set_time_zone(current_user, program, form.time_zone.data)
        flash(f"{program.name} now reads and types times in {program.time_zone}.", "success")
    else:
        flash("Choose a time zone from the list.", "danger")
    return redirect(url_for("admin.program", program_id=program.id))


def _move_form(program: Program) -> MoveStudentForm:
    form = MoveStudentForm(prefix="move")
    form.program.choices = options((p.id, p.name) for p in programs.all_programs() if p.id != program.id)
    return form


@bp.post("/programs/<int:program_id>/move-student")
def move_student(program_id: int):
    program = db.get_or_404(Program, program_id)
    form = _move_form(program)
    if form.validate_on_submit():
        target = db.session.get(Program, form.program.data)
        with errors_shown_on(form):
            student = programs.student_by_email(program, form.email.data)
            programs.move_student(current_user, student, target)
            flash(f"{student.name} now belongs to {target.name}.", "success")
            return redirect(url_for("admin.program", program_id=program.id))
    return render_template(
        "admin/program.html",
        program=program,
        form=_invite_form(bound=False),
        zone_form=TimeZoneForm(time_zone=program.time_zone),
        move_form=form,
        figures=queries.season_figures(program.id),
        people=queries.program_people_counts(program.id),
    ), 400


@bp.get("/colleges", endpoint="colleges")
def college_list():
    form = valid_or_400(DirectorySearchForm(request.args))
    page = colleges.college_page(form.q.data or "", bool(form.unconfirmed.data), request.args.get("page", 1, type=int))
    return render_template(
        "admin/colleges.html", page=page, search=form.q.data or "", unconfirmed=bool(form.unconfirmed.data)
    )


@bp.route("/colleges/<int:college_id>", methods=["GET", "POST"])
def college(college_id: int):
    college = db.get_or_404(College, college_id)
    form = CollegeForm(obj=college)
    if form.validate_on_submit():
        with errors_shown_on(form):
            colleges.update_college(current_user, college, form.name.data, form.kind.data, form.confirmed.data)
            flash(f"{college.name} saved.", "success")
            return redirect(url_for("admin.colleges", unconfirmed=1))
    return render_template(
        "admin/college.html", form=form, college=college, history=colleges.history_of(college)
    ), status_for(form)


@bp.get("/email")
def email():
    return render_template(
        "admin/email.html",
        failed=outbox.failed_emails(None),
        waiting=outbox.waiting_count(None),
        resend_endpoint="admin.resend_email",
        program_names=dict(db.session.execute(db.select(Program.id, Program.name)).all()),
    )


@bp.post("/email/<int:email_id>/resend")
def resend_email(email_id: int):
    sent = outbox.resend(current_user, db.get_or_404(OutboxEmail, email_id))
    flash(f"The email to {sent.recipient} is queued to be sent again.", "success")
    return redirect(url_for("admin.email"))
