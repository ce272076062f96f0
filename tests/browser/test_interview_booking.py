"""Interview scheduling in a real browser: a host publishes a weekly series and invites an applicant;
the student books a time, then moves it. Screenshots at desktop and phone width."""

from __future__ import annotations

from datetime import timedelta

from browser_support import demo_busiest_position, log_in, screenshot
from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}


def _scene():
    """The busiest position and its title, an applicant of it not invited yet (their email), and a Tuesday
    far enough ahead that a booking on it can still be moved (the cut-off is 24 hours before)."""
    from sprint.extensions import db
    from sprint.models import Interview, Position, User, utcnow
    from sprint.services.market import rankings
    from sprint.services.support.local_time import to_local, zone

    position_id = demo_busiest_position()
    invited = set(db.session.scalars(db.select(Interview.student_id).where(Interview.position_id == position_id)))
    candidates = rankings.candidates(db.session.get(Position, position_id))
    student = next(user for user, _ in candidates if user.id not in invited)
    today = to_local(utcnow(), zone("America/New_York")).date()
    days_ahead = (1 - today.weekday()) % 7
    tuesday = today + timedelta(days=days_ahead if days_ahead >= 2 else days_ahead + 7)
    title = db.session.get(Position, position_id).title
    return position_id, title, student.id, db.session.get(User, student.id).email, tuesday


def test_a_host_publishes_a_series_and_invites_and_the_student_books_then_moves(page: Page, demo, context_for) -> None:
    position_id, title, student_id, email, tuesday = demo.run(_scene)
    log_in(page, "host@sprint.demo")
    page.goto(f"/company/positions/{position_id}/interviews")
    page.locator("#series-first_day").fill(tuesday.isoformat())
    page.locator("#series-last_day").fill((tuesday + timedelta(days=7)).isoformat())
    page.locator("#series-weekdays-1").check()  # Tuesday
    page.locator("#series-window_start").fill("13:00")
    page.locator("#series-window_end").fill("16:00")
    page.locator("#series-minutes").fill("30")
    page.locator("#series-format").select_option("onsite")
    page.locator("#series-address").fill("25 Science Park, New Haven")
    page.locator("#series-interviewer").fill("Harper Host")
    page.get_by_role("button", name="Publish series").click()
    expect(page.get_by_text("Published 12 slots.")).to_be_visible()  # 2 Tuesdays x 6 half-hours
    page.locator(f"#pick-{student_id}").check()
    page.get_by_role("button", name="Invite the ticked applicants").click()
    expect(page.get_by_text("Invited 1 applicant")).to_be_visible()
    expect(page.locator(f"tr[data-applicant='{student_id}'] [data-status]")).to_contain_text("Invited")
    screenshot(page, "interviews-host-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "interviews-host-phone")

    student = context_for().new_page()
    log_in(student, email)
    student.goto("/student/interviews")
    card = student.locator("[data-interview]", has_text=f"{title} · ").filter(has_text="invited to interview")
    mine = student.locator(f"[data-interview='{card.get_attribute('data-interview')}']")
    options = card.locator("select option")
    first_time, second_time = options.nth(0).inner_text(), options.nth(1).inner_text()
    card.locator("select").select_option(index=0)
    card.get_by_role("button", name="Book").click()
    expect(student.get_by_text("Your interview is booked.")).to_be_visible()
    booked = mine.filter(has_text="Booked:")
    expect(booked).to_contain_text(first_time.split(",")[0])
    booked.locator("select").select_option(label=second_time)
    booked.get_by_role("button", name="Move my interview").click()
    expect(student.get_by_text("Your interview is moved.")).to_be_visible()
    expect(mine.filter(has_text="Booked:")).to_contain_text(second_time)
    screenshot(student, "interviews-student-desktop")
    student.set_viewport_size(PHONE)
    screenshot(student, "interviews-student-phone")
    assert student.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    expect(page.locator(f"tr[data-applicant='{student_id}'] [data-status]")).to_contain_text("Booked")
