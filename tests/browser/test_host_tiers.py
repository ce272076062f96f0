"""The host's rank page with JavaScript: Up and Down move one candidate between tiers and never
renumber anyone else (the bug: Up on a tier-3 row pushed a tier-2 candidate to tier 4)."""

from __future__ import annotations

from browser_support import demo_busiest_position, log_in, rank_rows
from playwright.sync_api import Page, expect


def _values(page: Page, rows: list[str]) -> dict[str, str]:
    return {row: page.locator(f"input[name='{row}']").input_value() for row in rows}


def _move(page: Page, row: str, direction: str) -> None:
    page.locator(f"li:has(input[name='{row}']) [data-move='{direction.lower()}']").click()


def test_up_and_down_move_one_candidate_between_tiers_and_nobody_else(page: Page, demo) -> None:
    position_id = demo.run(demo_busiest_position)
    log_in(page, "host@sprint.demo")
    page.goto(f"/company/positions/{position_id}/ranks")
    rows = rank_rows(page)
    a, b, c, *rest = rows
    for row in rows:
        page.locator(f"input[name='{row}']").fill("")
    for row, rank in {a: "1", b: "2", c: "3"}.items():
        page.locator(f"input[name='{row}']").fill(rank)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    assert rank_rows(page)[:3] == [a, b, c]

    _move(page, c, "Up")  # the tier-3 candidate joins tier 2; the tier-2 candidate stays in tier 2
    assert _values(page, [a, b, c]) == {a: "1", b: "2", c: "2"}
    assert all(value == "" for value in _values(page, rest).values())
    expect(page.locator("[data-ranklist-status]")).to_contain_text("rank 2")
    tier_two = page.locator("[data-tier='2'] .rank-input").evaluate_all("xs => xs.map(x => x.name)")
    assert sorted(tier_two) == sorted([b, c])

    _move(page, c, "Down")  # tied in the last tier: it gets a tier of its own below; nobody else moves
    assert _values(page, [a, b, c]) == {a: "1", b: "2", c: "3"}

    _move(page, a, "Up")  # already alone at the top: nothing changes, and the page says so
    assert _values(page, [a, b, c]) == {a: "1", b: "2", c: "3"}
    expect(page.locator("[data-ranklist-status]")).to_contain_text("already")

    if rest:  # an unranked candidate joins the last ranked tier
        _move(page, rest[0], "Up")
        assert _values(page, [a, b, c, rest[0]]) == {a: "1", b: "2", c: "3", rest[0]: "3"}

    _move(page, b, "Up")  # alone in tier 2: joins tier 1; tier 3 keeps its number (ranks are an order)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    saved = _values(page, rows)
    assert saved[a] == "1" and saved[b] == "1" and saved[c] == "3"


def test_dragging_a_row_onto_another_gives_it_that_rank_and_changes_nobody_else(page: Page, demo) -> None:
    position_id = demo.run(demo_busiest_position)
    log_in(page, "host@sprint.demo")
    page.goto(f"/company/positions/{position_id}/ranks")
    rows = rank_rows(page)
    a, b, c, *rest = rows
    for row in rows:
        page.locator(f"input[name='{row}']").fill("")
    for row, rank in {a: "1", b: "2", c: "3"}.items():
        page.locator(f"input[name='{row}']").fill(rank)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()

    page.locator(f"li:has(input[name='{c}'])").drag_to(page.locator(f"li:has(input[name='{a}'])"))
    assert _values(page, [a, b, c]) == {a: "1", b: "2", c: "1"}
    expect(page.locator("[data-ranklist-status]")).to_contain_text("rank 1, tied with 1 other")
    assert sorted(page.locator("[data-tier='1'] .rank-input").evaluate_all("xs => xs.map(x => x.name)")) == sorted(
        [a, c]
    )
