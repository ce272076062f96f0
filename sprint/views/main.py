"""The front page, and the way each role finds its home page."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Role, User
from ..services.market import interview_calendar, profiles
from ..services.support.health import check_health

bp = Blueprint("main", __name__)

HOME_FOR_ROLE = {
    Role.STUDENT: "student.dashboard",
    Role.HOST: "company.dashboard",
    Role.COORDINATOR: "coordinator.dashboard",
    Role.ADMIN: "admin.dashboard",
    Role.LIAISON: "liaison.dashboard",
}


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(HOME_FOR_ROLE[Role(current_user.role)]))
    return render_template("main/index.html")


@bp.get("/healthz")
def health():
    """For load balancers and monitors: 200 when the database and the queue answer, else 503 naming
    what failed; the worker is reported, and fails the check only with REQUIRE_WORKER."""
    healthy, body = check_health(
        require_worker=current_app.config["REQUIRE_WORKER"], stale_minutes=current_app.config["WORKER_STALE_MINUTES"]
    )
    return body, 200 if healthy else 503


@bp.get("/resumes/<int:student_id>")
@login_required
def resume(student_id: int):
    """A student's résumé, for the student, their coordinators and hosts they applied to."""
    student = db.get_or_404(User, student_id)
    path, name = profiles.resume_for(current_user, student)
    return send_file(path, mimetype="application/pdf", download_name=name, as_attachment=False)


OLD_LINK_METHODS = ["GET", "POST"]


@bp.route("/coordinator/cycles", methods=OLD_LINK_METHODS, defaults={"rest": ""})
@bp.route("/coordinator/cycles/<path:rest>", methods=OLD_LINK_METHODS)
@bp.route("/coordinator/runs/cycles/<path:rest>", methods=OLD_LINK_METHODS, endpoint="old_run_season_link")
def old_season_link(rest: str):
    """Bookmarks and open tabs from before seasons were called seasons everywhere: same page, new address.

    308 keeps the method and the body, so a form posted from an old tab still lands; the target checks
    who may see it, as always."""
    new_path = request.path.replace("/cycles", "/seasons", 1)
    query = urlencode([("season" if key == "cycle" else key, value) for key, value in request.args.items(multi=True)])
    return redirect(new_path + (f"?{query}" if query else ""), 308)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """A person's private calendar feed (no login: the signed link is the key; reset, it is a 404)."""
    user = interview_calendar.user_for_feed(token)
    if user is None:
        abort(404)
    response = current_app.response_class(interview_calendar.feed(user), mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    return response
