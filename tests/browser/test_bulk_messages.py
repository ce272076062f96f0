"""A coordinator previews and sends a message to the students whose rank list is not certified; one of
them sees the unread count in the menu and the message in their notifications. Screenshots at desktop
and phone width (test-output/screenshots/bulk-*.png)."""

from __future__ import annotations

from browser_support import log_in, screenshot
from playwright.sync_api import expect

from sprint.extensions import db
from sprint.models import Application, ApplicationStatus, Role, StudentProfile, User, utcnow
from sprint.services.season import queries

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"


def _uncertified_student() -> dict:
    coordinator = db.session.scalar(db.select(User).where(User.email == "coordinator@sprint.demo"))
    season = queries.staff_season(coordinator.program_id)
    student = User(
        email="nia.notified@example.org", name="Nia Notified", role=Role.STUDENT, program_id=season.program_id
    )
    student.set_password(PASSWORD)
    db.session.add_all([student, StudentProfile(user=student)])
    db.session.flush()
    db.session.add(
        Application(
            season_id=season.id, student_id=student.id, status=ApplicationStatus.SUBMITTED, submitted_at=utcnow()
        )
    )
    db.session.commit()
    return {"season": season.id, "email": student.email}


def test_a_coordinator_sends_a_bulk_message_and_the_student_sees_it(context_for, demo) -> None:
    found = demo.run(_uncertified_student)
    coordinator = context_for().new_page()
    log_in(coordinator, "coordinator@sprint.demo")

    coordinator.goto(f"/coordinator/seasons/{found['season']}/messages")
    coordinator.get_by_label("Send to").select_option("uncertified")
    coordinator.get_by_label("Subject").fill("Certify your rank list this week")
    coordinator.get_by_label("Message", exact=True).fill(
        "Your list only counts once it is certified.\nAsk us if anything is unclear."
    )
    coordinator.get_by_role("button", name="Preview").click()
    preview = coordinator.locator("#preview")
    expect(preview).to_contain_text("recipient")
    count = int(preview.locator("[data-count]").get_attribute("data-count"))
    assert count >= 1
    screenshot(coordinator, "bulk-preview-desktop")
    coordinator.set_viewport_size(PHONE)
    screenshot(coordinator, "bulk-preview-phone")
    coordinator.get_by_role("button", name=f"Send to {count}").click()
    expect(coordinator.locator(".alert")).to_contain_text("is being sent")
    expect(coordinator.get_by_text(f"{count} recipients")).to_be_visible()

    student = context_for().new_page()
    log_in(student, found["email"], PASSWORD)
    badge = student.get_by_role("link", name="Notifications")
    expect(badge).to_have_attribute("data-unread-notifications", "1")
    screenshot(student, "bulk-student-menu-desktop")
    badge.click()
    expect(student.get_by_text("Certify your rank list this week")).to_be_visible()
    expect(student.get_by_text("Ask us if anything is unclear.")).to_be_visible()
    screenshot(student, "bulk-student-notifications-desktop")
    student.set_viewport_size(PHONE)
    screenshot(student, "bulk-student-notifications-phone")
    student.get_by_role("button", name="Mark read").click()
    expect(student.locator("a[data-unread-notifications]")).to_have_attribute(
        "data-unread-notifications", "0"
    )  # in the folded menu
    expect(student.get_by_text("New", exact=True)).to_have_count(0)
