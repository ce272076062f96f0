"""Jinja filters and the values every template can use."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context

from .models import MatchMode, Phase, Role, Season, WorkMode
from .plurals import counted
from .services.notifications import inbox
from .services.support import local_time

NAV_FOR_ROLE = {
    Role.STUDENT: [
        ("student.dashboard", _l("My season")),
        ("student.browse", _l("Positions")),
        ("student.ranks", _l("Rank list")),
        ("student.interviews_page", _l("Interviews")),
        ("student.profile", _l("Profile")),
    ],
    Role.HOST: [
        ("company.dashboard", "Positions"),
        ("company.applicants", "Applicants"),
        ("company.results", "Results"),
        ("company.team", "Team"),
        ("company.profile", "Company"),
    ],
    Role.COORDINATOR: [
        ("coordinator.dashboard", "Overview"),
        ("coordinator.season_list", "Seasons"),
        ("coordinator.directory_home", "Directory"),
        ("coordinator.import_csv", "Import"),
        ("coordinator.invite", "Invite"),
        ("runs.index", "Match runs"),
        ("runs.audit", "Audit log"),
        ("dashboards.overview", "Dashboards"),
    ],
    Role.LIAISON: [("liaison.dashboard", "My college")],
    Role.ADMIN: [
        ("admin.dashboard", "Programs"),
        ("admin.colleges", "Colleges"),
        ("dashboards.overview", "Dashboards"),
    ],
}


def page_zone() -> ZoneInfo:
    """The zone a page's dates are read in: the signed-in person's program's (the default zone
    for people without one)."""
    user = current_user if has_request_context() else None
    return local_time.zone_of(user.program if getattr(user, "is_authenticated", False) else None)


@pass_context
def when(context, value: datetime | date | None, with_time: bool = False) -> str:
    """`|when` and `|when(true)` / `|when(with_time=True)`: a stored instant in local time, labelled.
    An email's context names its program's zone (`time_zone`, set by notify.send_email)."""
    tz = context.get("time_zone") or page_zone()
    return local_time.format_when(value, tz, with_time, locale=get_locale())


STORED_INSTANT = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\+00:00)?")


@pass_context
def local_instants(context, text: object) -> str:
    """Text that quotes stored instants (the ISO UTC times kept in audit details) with each one as
    people read times: "2027-03-16T03:59+00:00" becomes "Mar 15, 2027, 11:59 PM EDT"."""

    def local(found: re.Match) -> str:
        instant = datetime.fromisoformat(found.group(0))
        if instant.tzinfo is not None:
            instant = instant.astimezone(UTC).replace(tzinfo=None)
        return when(context, instant, True)

    return STORED_INSTANT.sub(local, str(text))


def switch_url(season: Season) -> str:
    """This page for another season; a page about one record (a position, an applicant) belongs to
    its own season, so the switch goes to the role's home page instead."""
    if request.view_args:
        return url_for(f"{request.blueprint}.dashboard", season=season.id)
    return url_for(request.endpoint, **{**request.args.to_dict(), "page": None, "season": season.id})


WORK_MODE_LABELS = {WorkMode.ONSITE: _l("On site"), WorkMode.HYBRID: _l("Hybrid"), WorkMode.REMOTE: _l("Remote")}


def work_mode(value: str) -> str:
    """`|work_mode`: where a position is worked, as people read it ("On site"), in the page's language."""
    return str(WORK_MODE_LABELS[WorkMode(value)])


PHASE_LABELS = {
    Phase.DRAFT: _l("Being set up"),
    Phase.APPLICATIONS: _l("Applications open"),
    Phase.RANKING: _l("Ranking"),
    Phase.MATCHING: _l("Match being run"),
    Phase.PUBLISHED: _l("Results published"),
    Phase.CLOSED: _l("Closed"),
}


def phase_label(phase: Phase) -> str:
    """A season's phase as people read it ("Applications open"), in the page's language."""
    return str(PHASE_LABELS.get(phase, phase.label))


def init_app(app: Flask) -> None:
    app.add_template_global(phase_label)
    app.add_template_filter(work_mode)
    app.add_template_global(MatchMode, "MatchMode")
    app.add_template_filter(when)
    app.add_template_filter(local_instants)
    app.add_template_global(switch_url, "season_switch_url")
    app.add_template_filter(counted)
    app.add_template_global(lambda: inbox.unread_count(current_user), "unread_notifications")

    @app.context_processor
    def navigation() -> dict:
        links = (
            NAV_FOR_ROLE.get(Role(current_user.role), []) if getattr(current_user, "is_authenticated", False) else []
        )
        return {"nav_links": links, "Role": Role}
