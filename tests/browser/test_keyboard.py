"""Keyboard only: the skip link, the navigation, and a student's rank list reordered and certified with no mouse."""

from __future__ import annotations

import re

from browser_support import DEMO_PASSWORD, rank_rows
from playwright.sync_api import Page, expect

STUDENT = "student@sprint.demo"


def focused(page: Page) -> dict:
    """What has the keyboard focus: its tag, text, accessible label and whether it is inside <main>."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim(),
                href: el.getAttribute('href'), inMain: !!el.closest('main'),
                row: el.closest('li') && el.closest('li').querySelector('.rank-input')
                     ? el.closest('li').querySelector('.rank-input').name : null,
                visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)};
    }""")


def tab_until(page: Page, matches, limit: int = 80, key: str = "Tab") -> dict:
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError(f"{limit} presses of {key} never reached the element; last focus: {focused(page)}")


def keyboard_login(page: Page) -> None:
    page.goto("/login")
    # The email field has the focus when the page opens; Chromium applies autofocus at its next
    # frame, after the load event, so wait for it rather than lose the first keys.
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(STUDENT)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_skip_link_and_navigation_by_keyboard(page: Page, demo) -> None:
    keyboard_login(page)
    page.goto("/student/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["text"] == "Skip to main content" and first["visible"], first
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))  # the fragment lands a moment after the key
    page.keyboard.press("Tab")
    assert focused(page)["inMain"], "after the skip link, Tab goes to the page's content"

    page.goto("/student/")
    seen = []
    for _ in range(15):
        page.keyboard.press("Tab")
        now = focused(page)
        seen.append(now["text"])
        if now["text"] == "Log out":
            break
    expected = [
        "Skip to main content",
        "SPRINT Placement",
        "My season",
        "Positions",
        "Rank list",
        "Interviews",
        "Profile",
        "Messages",  # with its unread count, if any
        "Notifications",
        "Account",
        "Log out",
    ]
    named = [next((name for name in expected if text.strip().startswith(name)), text) for text in seen]
    assert named == expected, seen
    # Shift+Tab walks back the same way.
    page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] == "Account"
    page.keyboard.press("Shift+Tab")
    assert focused(page)["text"].strip().startswith("Notifications")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] == "Profile"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()


def test_rank_list_reordered_and_certified_by_keyboard(page: Page, demo) -> None:
    keyboard_login(page)
    page.goto("/student/ranks")
    rows = rank_rows(page)
    titles = page.locator("ol.ranklist > li").evaluate_all("rows => rows.map(r => r.dataset.title)")
    n = len(rows)
    assert n >= 3
    # Tab to the first row's Down button and press Enter: the first position moves to place 2.
    tab_until(page, lambda f: f["text"].startswith("Down") and f["row"] == rows[0])
    page.keyboard.press("Enter")
    expect(page.locator("[data-ranklist-status]")).to_have_text(f"{titles[0]} moved to place 2 of {n}.")
    assert rank_rows(page) == [rows[1], rows[0], *rows[2:]]
    # Shift+Tab back to the Up button of the row now first; Space there changes nothing (it is already first);
    # then Tab to its Down button and Space: the original order is back.
    tab_until(page, lambda f: f["text"].startswith("Up") and f["row"] == rows[1], key="Shift+Tab")
    page.keyboard.press("Space")
    assert rank_rows(page) == [rows[1], rows[0], *rows[2:]]
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("[data-ranklist-status]")).to_have_text(f"{titles[1]} moved to place 2 of {n}.")
    assert rank_rows(page) == rows
    # Then the last position goes to the top with its Up button, pressed once per place.
    tab_until(page, lambda f: f["text"].startswith("Up") and f["row"] == rows[-1])
    for _ in range(n - 1):
        page.keyboard.press("Enter")
    expected = [rows[-1], *rows[:-1]]
    assert rank_rows(page) == expected
    assert page.locator(".rank-input").evaluate_all("xs => xs.map(x => x.value)") == [str(i) for i in range(1, n + 1)]
    tab_until(page, lambda f: f["text"] == "Certify my list")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your rank list is certified")).to_be_visible()
    assert rank_rows(page) == expected  # saved in this order
