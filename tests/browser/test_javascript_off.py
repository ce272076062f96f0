"""JavaScript off: both rank lists still save and certify by typing numbers."""

from __future__ import annotations

import pytest
from browser_support import demo_host_id, log_in, rank_rows
from playwright.sync_api import Page, expect

from sprint.extensions import db
from sprint.models import Phase, Position, PositionInterest, Season


@pytest.fixture
def no_js(context_for) -> Page:
    page = context_for(java_script_enabled=False).new_page()
    page.goto("/")
    assert page.evaluate("1 + 1") == 2  # evaluate still works: only the page's own scripts are off
    return page


def test_student_rank_list_without_javascript(no_js: Page, demo) -> None:
    page = no_js
    log_in(page, "student@sprint.demo")
    page.goto("/student/ranks")
    expect(page.get_by_role("button", name="Up").first).to_be_hidden()  # the script never ran
    rows = rank_rows(page)
    assert len(rows) >= 2
    for rank, name in enumerate(reversed(rows), 1):  # reverse the whole list by typing
        page.locator(f"input[name='{name}']").fill(str(rank))
    page.get_by_role("button", name="Certify my list").click()
    expect(page.get_by_text("Your rank list is certified")).to_be_visible()
    assert rank_rows(page) == list(reversed(rows))

    # A repeated number is refused with a message, and nothing changes.
    inputs = page.locator(".rank-input")
    inputs.nth(1).fill(inputs.nth(0).input_value())
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Give each position a different rank")).to_be_visible()
    page.goto("/student/ranks")
    assert rank_rows(page) == list(reversed(rows))


def test_host_rank_list_without_javascript(no_js: Page, demo) -> None:
    def position_with_applicants() -> int:
        host_id = demo_host_id()
        counts = db.session.execute(
            db.select(Position.id, db.func.count(PositionInterest.id))
            .join(PositionInterest)
            .join(Season, Season.id == Position.season_id)  # the current season: past ones are closed
            .where(
                Position.host_id == host_id, PositionInterest.withdrawn_at.is_(None), Season.phase == Phase.APPLICATIONS
            )
            .group_by(Position.id)
            .order_by(db.func.count(PositionInterest.id).desc())
        ).first()
        assert counts is not None and counts[1] >= 3
        return counts[0]

    position_id = demo.run(position_with_applicants)
    page = no_js
    log_in(page, "host@sprint.demo")
    page.goto(f"/company/positions/{position_id}/ranks")
    rows = rank_rows(page)
    for row in rows:
        page.locator(f"input[name='{row}']").fill("")
    wanted = {rows[0]: "1", rows[1]: "1", rows[2]: "2"}  # a tie at the top, then one more; the rest unranked
    for row, rank in wanted.items():
        page.locator(f"input[name='{row}']").fill(rank)
    page.get_by_role("button", name="Certify this list").click()
    expect(page.get_by_text("The list is certified")).to_be_visible()
    saved = {row: page.locator(f"input[name='{row}']").input_value() for row in rows}
    assert {row: rank for row, rank in saved.items() if rank} == wanted


def test_withdrawing_an_application_is_confirmed_on_its_own_page_without_javascript(no_js: Page, demo) -> None:
    page = no_js
    log_in(page, "student@sprint.demo")
    page.goto("/student/ranks")
    before = rank_rows(page)
    last = page.locator("ol.ranklist li").last
    title = last.get_attribute("data-title")

    last.get_by_role("link", name="Withdraw").click()
    expect(page.get_by_role("heading", name=f"Withdraw your application to {title}")).to_be_visible()
    expect(page.get_by_text("The position leaves your rank list")).to_be_visible()
    page.get_by_label("Reason (optional)").fill("The commute is too long for me.")
    page.get_by_role("button", name="Withdraw my application").click()

    expect(page.get_by_text(f"You withdrew your application to {title}")).to_be_visible()
    assert rank_rows(page) == before[:-1]
    page.get_by_role("button", name="Log out").click()
    log_in(page, "coordinator@sprint.demo")
    page.goto("/coordinator/runs/audit")
    expect(page.get_by_text("The commute is too long for me.")).to_be_visible()


def test_a_phase_move_is_cancelled_or_confirmed_without_javascript(no_js: Page, demo) -> None:
    from sprint.models import Phase, Season

    season_id = demo.run(lambda: db.session.scalar(db.select(Season.id).where(Season.phase == Phase.APPLICATIONS)))
    page = no_js
    log_in(page, "coordinator@sprint.demo")
    page.goto(f"/coordinator/seasons/{season_id}")
    page.get_by_role("link", name="Move to “Ranking”").click()
    expect(page.get_by_text("Students can no longer apply.")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    assert demo.run(lambda: db.session.get(Season, season_id).phase) == Phase.APPLICATIONS

    page.get_by_role("link", name="Move to “Ranking”").click()
    page.get_by_label("Reason (optional)").fill("Applications closed as announced")
    page.get_by_role("button", name="Move to “Ranking”").click()
    expect(page.get_by_text("is now in")).to_be_visible()
    assert demo.run(lambda: db.session.get(Season, season_id).phase) == Phase.RANKING
    page.get_by_text("Phase changes").click()
    expect(page.get_by_text("Applications closed as announced")).to_be_visible()
    demo.run(lambda: (setattr(db.session.get(Season, season_id), "phase", Phase.APPLICATIONS), db.session.commit()))
