"""The front page, and the way each role finds its home page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..models import Role

bp = Blueprint("main", __name__)

HOME_FOR_ROLE = {
    Role.STUDENT: "student.dashboard",
    Role.HOST: "company.dashboard",
    Role.COORDINATOR: "coordinator.dashboard",
    Role.ADMIN: "admin.dashboard",
}


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(HOME_FOR_ROLE[Role(current_user.role)]))
    return render_template("main/index.html")


@bp.get("/healthz")
def health():
    return {"status": "ok"}
