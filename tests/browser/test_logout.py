"""Issue 12, finding 2 in Chromium: "Log out" also ends "Keep me logged in" on a shared computer."""

from __future__ import annotations

from browser_support import DEMO_PASSWORD
from playwright.sync_api import expect


def test_logging_out_ends_keep_me_logged_in(context_for, demo) -> None:
    context = context_for()
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill("student@sprint.demo")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_label("Keep me logged in on this device").check()
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert "remember_token" in {cookie["name"] for cookie in context.cookies()}

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    context.clear_cookies(name="session")  # the browser closed: the session cookie is gone, as on a shared PC

    assert "remember_token" not in {cookie["name"] for cookie in context.cookies()}
    page.goto("/student/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()  # the next person sees the login page
