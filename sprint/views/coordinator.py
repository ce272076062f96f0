"""Pages for program coordinators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import role_required
from ..errors import ServiceError
from ..extensions import db
from ..forms import options
from ..forms.staff import InviteForm
from ..models import HostCompany, HostMemberRole, Role
from ..services import accounts, seasons
from .forms_support import show_error, status_for

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


@bp.before_request
@role_required(Role.COORDINATOR)
def _guard() -> None:  # coordinators only; every query below is scoped to their program
    pass


@bp.get("/")
def dashboard():
    program_id = current_user.program_id
    return render_template("coordinator/dashboard.html", program=current_user.program,
                           figures=seasons.cycle_figures(program_id),
                           people=seasons.program_people_counts(program_id))


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    hosts = current_user.program.hosts
    form.host.choices = options([(0, "(not a host member)")] + [(host.id, host.name) for host in hosts])
    if form.validate_on_submit():
        host = db.session.get(HostCompany, form.host.data) if form.role.data == Role.HOST else None
        try:
            accounts.invite(current_user, form.email.data, Role(form.role.data), host,
                            HostMemberRole(form.host_role.data))
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("coordinator.invite"))
    return render_template("coordinator/invite.html", form=form), status_for(form)
