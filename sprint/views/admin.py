"""Pages for installation administrators: programs and their first coordinators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import role_required
from ..errors import ServiceError
from ..extensions import db
from ..forms import options
from ..forms.staff import InviteForm, ProgramForm
from ..models import Program, Role
from ..services import accounts, programs, seasons
from .forms_support import show_error, status_for

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required(Role.ADMIN)
def _guard() -> None:  # installation administrators only
    pass


@bp.route("/", methods=["GET", "POST"])
def dashboard():
    form = ProgramForm()
    if form.validate_on_submit():
        try:
            program = programs.create_program(current_user, form.name.data, form.slug.data,
                                              form.region.data or "", form.contact_email.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"{program.name} is created. Invite its first coordinator.", "success")
            return redirect(url_for("admin.program", program_id=program.id))
    return render_template("admin/dashboard.html", form=form, programs=programs.program_summaries()), \
        status_for(form)


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
def program(program_id: int):
    program = db.get_or_404(Program, program_id)
    form = InviteForm()
    del form.host, form.host_role
    form.role.choices = options([("coordinator", "Coordinator")])
    if form.validate_on_submit():
        try:
            accounts.invite(current_user, form.email.data, Role.COORDINATOR, program=program)
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("admin.program", program_id=program.id))
    return render_template("admin/program.html", program=program, form=form,
                           figures=seasons.cycle_figures(program.id),
                           people=seasons.program_people_counts(program.id)), status_for(form)
