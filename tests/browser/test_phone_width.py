"""At 390 px wide (a phone) no main page of any role scrolls sideways: wide tables scroll inside their own box."""

from __future__ import annotations

import pytest
from browser_support import log_in
from playwright.sync_api import Page
from test_accessibility import LOGINS, ids, pages_for  # noqa: F401 - `ids` is the shared fixture

from sprint.extensions import db
from sprint.models import HostMember, PositionInterest, User

PHONE = {"width": 390, "height": 844}


def confirmation_pages(role: str, found: dict) -> list[str]:
    """The confirmation pages of irreversible actions, with ids of real demo records."""

    def lookup() -> dict:
        student = db.session.scalar(db.select(User.id).where(User.email == "student@sprint.demo"))
        member = db.session.scalar(db.select(User).where(User.email == "member@sprint.demo"))
        interest = db.session.scalar(
            db.select(PositionInterest.id)
            .join(PositionInterest.application)
            .where(PositionInterest.withdrawn_at.is_(None), PositionInterest.application.has(student_id=student))
            .limit(1)
        )
        membership = db.session.scalar(db.select(HostMember.id).where(HostMember.user_id == member.id))
        return {"interest": interest, "member": member.id, "membership": membership}

    return {
        "student": ["/student/applications/{interest}/withdraw"],
        "host": ["/company/team/{membership}/remove", f"/company/positions/{found['host_position']}/withdraw"],
        "coordinator": [
            "/coordinator/staff/{member}/deactivate",
            f"/coordinator/hosts/{found['host']}/unapprove",
            f"/coordinator/seasons/{found['season']}/phase/ranking",
        ],
    }.get(role, []), lookup


def overflow(page: Page, path: str) -> str | None:
    """None when the page fits the window's width, else what overflows."""
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    wide, window = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    return None if wide <= window else f"{path}: {wide} px wide in a {window} px window"


@pytest.mark.parametrize("role", ["anonymous", "student", "host", "coordinator", "liaison", "admin"])
def test_no_page_scrolls_sideways_on_a_phone(page: Page, ids: dict, demo, role: str) -> None:  # noqa: F811
    if role in LOGINS:
        log_in(page, LOGINS[role])  # at desktop width, where the log-out button is in view
    patterns, lookup = confirmation_pages(role, ids)
    known = demo.run(lookup)
    paths = pages_for(role, ids) + [pattern.format(**known) for pattern in patterns]
    page.set_viewport_size(PHONE)

    problems = [problem for path in paths if (problem := overflow(page, path))]

    assert problems == [], "\n".join(problems)
