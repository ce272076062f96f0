"""The place-by-hand form with JavaScript: typing part of a student's name or a position's title
offers the matching ones as suggestions (pickers.js asking `runs.pick`), never a list of everyone."""

from __future__ import annotations

from browser_support import log_in, wait_for
from playwright.sync_api import Page

from sprint.extensions import db
from sprint.models import Application, ApplicationStatus, Position, PositionStatus, User
from sprint.services.season import queries


def _season_with_an_applicant_and_a_position() -> tuple[int, str, str]:
    coordinator = db.session.scalar(db.select(User).where(User.email == "coordinator@sprint.demo"))
    season = queries.staff_season(coordinator.program_id)
    name = db.session.scalar(
        db.select(User.name)
        .join(Application, Application.student_id == User.id)
        .where(Application.season_id == season.id, Application.status == ApplicationStatus.SUBMITTED)
        .order_by(User.id)
        .limit(1)
    )
    title = db.session.scalar(
        db.select(Position.title)
        .where(Position.season_id == season.id, Position.status == PositionStatus.OPEN)
        .order_by(Position.id)
        .limit(1)
    )
    return season.id, name, title


def _suggestions(page: Page, field: str) -> list[str]:
    return page.locator(f"#{field}").evaluate("el => Array.from(el.list ? el.list.options : []).map(o => o.value)")


def test_the_place_by_hand_pickers_suggest_students_and_positions_as_one_types(page: Page, demo) -> None:
    season_id, name, title = demo.run(_season_with_an_applicant_and_a_position)
    log_in(page, "coordinator@sprint.demo")
    page.goto(f"/coordinator/runs/seasons/{season_id}/placements/add")
    assert page.locator("select#student").count() == 0 and page.locator("select#position").count() == 0

    page.locator("#student").press_sequentially(name[:5], delay=30)
    wait_for(lambda: bool(_suggestions(page, "student")), what="student suggestions")
    page.locator("#position").press_sequentially(title[:5], delay=30)
    wait_for(lambda: bool(_suggestions(page, "position")), what="position suggestions")

    assert all("@" in value for value in _suggestions(page, "student"))  # the value sent is the email
    assert all(value.startswith("#") for value in _suggestions(page, "position"))
