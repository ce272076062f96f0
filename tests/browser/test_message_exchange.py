"""A student and a host's team write to each other: the student writes first, a member of the host
answers, the student sees the unread count in the menu and reads the answer (desktop and phone)."""

from __future__ import annotations

from browser_support import log_in, screenshot
from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}


def _first_unstarted() -> dict:
    """The demo student's first application with no conversation yet, and a member of its host (app context)."""
    from sprint.extensions import db
    from sprint.models import User
    from sprint.services.messages import threads

    student = db.session.scalar(db.select(User).where(User.email == "student@sprint.demo"))
    interest = threads.unstarted_applications(student)[0]
    return {
        "interest_id": interest.id,
        "host": interest.position.host.name,
        "member": interest.position.host.members[0].user.email,
    }


def _menu_unread(page: Page) -> int:
    badge = page.locator("nav [data-unread]")
    return int(badge.get_attribute("data-unread")) if badge.count() else 0


def test_a_student_and_a_host_member_exchange_messages(page: Page, context_for, demo) -> None:
    found = demo.run(_first_unstarted)
    log_in(page, "student@sprint.demo")
    before = _menu_unread(page)
    page.get_by_role("link", name="Messages").first.click()
    page.locator(f"a[href='/student/messages/{found['interest_id']}']").click()
    expect(page.locator("#rank-rule")).to_contain_text("how they will rank")
    page.get_by_label("Your message").fill("Hello! Which days would I work in the lab?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message is sent.")).to_be_visible()
    expect(page.get_by_text("Which days would I work in the lab?")).to_be_visible()

    host = context_for().new_page()
    log_in(host, found["member"])
    assert _menu_unread(host) >= 1
    host.goto(f"/company/messages/{found['interest_id']}")
    expect(host.get_by_text("Which days would I work in the lab?")).to_be_visible()
    host.get_by_label("Your message").fill("Monday to Thursday, 9 to 5; Fridays are remote.")
    host.get_by_role("button", name="Send").click()
    expect(host.get_by_text("Your message is sent.")).to_be_visible()
    screenshot(host, "messages-host-desktop")

    page.goto("/student/")
    assert _menu_unread(page) == before + 1
    page.get_by_role("link", name="Messages").first.click()
    expect(page.get_by_text("1 unread").first).to_be_visible()
    page.goto(f"/student/messages/{found['interest_id']}")
    expect(page.get_by_text("Monday to Thursday, 9 to 5; Fridays are remote.")).to_be_visible()
    assert _menu_unread(page) == before  # read now: the count went back down
    screenshot(page, "messages-student-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "messages-student-phone")
    host.set_viewport_size(PHONE)
    host.reload()
    screenshot(host, "messages-host-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_coordinator_reads_the_programs_threads_and_closes_one(page: Page, demo) -> None:
    log_in(page, "coordinator@sprint.demo")
    page.goto("/coordinator/")
    page.get_by_role("link", name="Conversations between hosts and applicants").click()
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", name="Messages between hosts and applicants")).to_be_visible()
    screenshot(page, "messages-coordinator-list")
    page.locator("table a[href^='/coordinator/messages/']").first.click()
    expect(page.locator("#latest")).to_be_visible()
    page.get_by_label("Reason for closing").fill("Asked how the host will rank")
    page.get_by_role("button", name="Close the conversation").click()
    expect(page.get_by_text("The conversation is closed")).to_be_visible()
    expect(page.get_by_text("Reason: Asked how the host will rank")).to_be_visible()
    screenshot(page, "messages-coordinator-closed")
