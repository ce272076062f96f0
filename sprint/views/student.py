"""Pages for students."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..access import role_required
from ..models import Role
from ..services import seasons

bp = Blueprint("student", __name__, url_prefix="/student")


@bp.before_request
@role_required(Role.STUDENT)
def _guard() -> None:  # every page in this blueprint is for students only
    pass


@bp.get("/")
def dashboard():
    cycle = seasons.current_cycle(current_user.program_id)
    return render_template(
        "student/dashboard.html", cycle=cycle,
        application=seasons.application_of(current_user, cycle),
        open_positions=seasons.open_positions_count(cycle),
        placements=seasons.placements_of(current_user))
