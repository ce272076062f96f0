"""Pages for host company members."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..access import role_required
from ..models import Role
from ..services import seasons

bp = Blueprint("company", __name__, url_prefix="/company")


@bp.before_request
@role_required(Role.HOST)
def _guard() -> None:  # host members only, and only while they belong to a host
    if current_user.membership is None:
        abort(403)


@bp.get("/")
def dashboard():
    host = current_user.host
    cycle = seasons.current_cycle(host.program_id)
    return render_template("company/dashboard.html", host=host, cycle=cycle,
                           positions=seasons.host_positions(host, cycle), team=seasons.host_team(host))
