"""Helpers the browser tests share: logging in through the form, screenshots, polling."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-output" / "screenshots"
DEMO_PASSWORD = "sprint-demo-2027"


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real form and wait for the landing page."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def wait_for(check: Callable[[], bool], seconds: float = 30.0, what: str = "condition") -> None:
    """Poll a check (for example a run finishing on the background thread) until it holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {seconds:.0f} s waiting for {what}")


def rank_rows(page: Page) -> list[str]:
    """A rank list's rows in their order, by the name of their rank input (titles can repeat)."""
    return page.locator("ol.ranklist .rank-input").evaluate_all("xs => xs.map(x => x.name)")


def demo_host_id() -> int:
    """The company of host@sprint.demo (call inside an app context)."""
    from sprint.extensions import db
    from sprint.models import HostMember, User

    user_id = db.session.scalar(db.select(User.id).where(User.email == "host@sprint.demo"))
    return db.session.scalar(db.select(HostMember.host_id).where(HostMember.user_id == user_id))


def demo_busiest_position() -> int:
    """The demo host's current-season position with the most applicants (at least three; app context)."""
    from sprint.extensions import db
    from sprint.models import Phase, Position, PositionInterest, Season

    counts = db.session.execute(
        db.select(Position.id, db.func.count(PositionInterest.id))
        .join(PositionInterest)
        .join(Season, Season.id == Position.season_id)  # the current season: past ones are closed
        .where(
            Position.host_id == demo_host_id(),
            PositionInterest.withdrawn_at.is_(None),
            Season.phase == Phase.APPLICATIONS,
        )
        .group_by(Position.id)
        .order_by(db.func.count(PositionInterest.id).desc(), Position.id)
    ).first()
    assert counts is not None and counts[1] >= 3
    return counts[0]
