"""The front page, and the way each role finds its home page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Role, User
from ..services.market import profiles

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
    return {"status": "ok"}


@bp.get("/resumes/<int:student_id>")
@login_required
def resume(student_id: int):
    """A student's résumé, for the student, their coordinators and hosts they applied to."""
    student = db.get_or_404(User, student_id)
    path, name = profiles.resume_for(current_user, student)
    return send_file(path, mimetype="application/pdf", download_name=name, as_attachment=False)
