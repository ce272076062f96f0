"""Jinja filters and the values every template can use."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_login import current_user

from .models import Role
from .plurals import counted

NAV_FOR_ROLE = {
    Role.STUDENT: [("student.dashboard", "My season"), ("student.browse", "Positions"),
                   ("student.ranks", "Rank list"), ("student.profile", "Profile")],
    Role.HOST: [("company.dashboard", "Positions"), ("company.applicants", "Applicants"),
                ("company.results", "Results"), ("company.team", "Team"), ("company.profile", "Company")],
    Role.COORDINATOR: [("coordinator.dashboard", "Overview"), ("coordinator.cycle_list", "Seasons"),
                        ("coordinator.directory_home", "Directory"), ("coordinator.import_csv", "Import"),
                        ("coordinator.invite", "Invite"),
                        ("runs.index", "Match runs"), ("runs.audit", "Audit log"),
                        ("dashboards.overview", "Dashboards")],
    Role.LIAISON: [("liaison.dashboard", "My college")],
    Role.ADMIN: [("admin.dashboard", "Programs"), ("dashboards.overview", "Dashboards")],
}


def money(value: Decimal | float | None) -> str:
    return "" if value is None else f"${value:,.2f}"


def when(value: datetime | date | None, with_time: bool = False) -> str:
    if value is None:
        return "not set"
    if isinstance(value, datetime) and with_time:
        return value.strftime("%b %-d, %Y %H:%M UTC")
    return value.strftime("%b %-d, %Y")


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(when)
    app.add_template_filter(counted)

    @app.context_processor
    def navigation() -> dict:
        links = NAV_FOR_ROLE.get(Role(current_user.role), []) if getattr(current_user, "is_authenticated", False) else []
        return {"nav_links": links, "Role": Role}
