"""The pages of notifications: a coordinator previews and sends a bulk message (once, however often the
form is posted), the student sees the unread count in the menu and the message in their list, marks it
read, and chooses their emails on the account page."""

from __future__ import annotations

import re

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    BulkMessage,
    MatchRun,
    Notification,
    NotificationPreference,
    OutboxEmail,
    Phase,
    Role,
    User,
    utcnow,
)
from sprint.services.matching import publication_emails


@pytest.fixture
def season_people(app, make):
    program = make.program()
    season = make.season(program, phase=Phase.RANKING)
    students = [make.user(Role.STUDENT, program, name=name) for name in ("Ana Uncertified", "Ben Certified")]
    coordinator = make.user(Role.COORDINATOR, program)
    with app.app_context():
        for student, certified in zip(students, (None, utcnow()), strict=True):
            db.session.add(
                Application(
                    season_id=season.id,
                    student_id=student.id,
                    status=ApplicationStatus.SUBMITTED,
                    submitted_at=utcnow(),
                    ranks_certified_at=certified,
                )
            )
        db.session.commit()
    return season, students, coordinator


MESSAGE = {"segment": "uncertified", "college_id": "0", "subject": "Certify your list today", "body": "Line one.\nTwo."}


def test_a_coordinator_previews_then_sends_once_and_the_student_sees_it(app, client, login, season_people):
    season, (ana, ben), coordinator = season_people
    login(coordinator)

    page = client.post(f"/coordinator/seasons/{season.id}/messages", data=MESSAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 recipient" in html and "Ana Uncertified" in html
    assert "Ben Certified" not in html
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    sent = [
        client.post(f"/coordinator/seasons/{season.id}/messages/send", data={**MESSAGE, "token": token}) for _ in "12"
    ]

    assert [response.status_code for response in sent] == [302, 302]
    assert "not sent twice" in client.get(sent[1].location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(BulkMessage.id))) == 1
        assert db.session.scalars(db.select(Notification.user_id)).all() == [ana.id]
        assert (
            db.session.scalar(db.select(db.func.count(OutboxEmail.id)).where(OutboxEmail.recipient == ana.email)) == 1
        )
        assert db.session.scalar(db.select(AuditEvent.id).where(AuditEvent.action == "bulk_message.sent"))
    record = client.get(f"/coordinator/students/{ana.id}").get_data(as_text=True)
    assert "Coordinator messages (1)" in record and "Certify your list today" in record

    client.post("/logout")
    login(ana)
    home = client.get("/student/").get_data(as_text=True)
    assert 'data-unread-notifications="1"' in home
    listing = client.get("/notifications/").get_data(as_text=True)
    assert "Certify your list today" in listing and "Line one." in listing
    notification_id = int(re.search(r"/notifications/(\d+)/read", listing).group(1))
    client.post(f"/notifications/{notification_id}/read")
    assert 'data-unread-notifications="0"' in client.get("/notifications/").get_data(as_text=True)


@pytest.mark.parametrize(
    "bad",
    [{"subject": "Two\nlines"}, {"subject": "NUL\x00"}, {"subject": "x" * 151}, {"body": ""}, {"segment": "everyone"}],
)
def test_bad_messages_get_a_400_with_a_message(client, login, season_people, bad):
    season, _, coordinator = season_people
    login(coordinator)

    response = client.post(f"/coordinator/seasons/{season.id}/messages", data={**MESSAGE, **bad})

    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True) or "alert" in response.get_data(as_text=True)


def test_the_college_segment_needs_a_college(client, login, season_people):
    season, _, coordinator = season_people
    login(coordinator)

    response = client.post(f"/coordinator/seasons/{season.id}/messages", data={**MESSAGE, "segment": "college"})

    assert response.status_code == 400 and "Choose the college" in response.get_data(as_text=True)


def test_the_account_page_saves_email_choices_and_shows_the_fixed_ones(app, client, login, season_people):
    _, (ana, _), _ = season_people
    login(ana)

    page = client.get("/account").get_data(as_text=True)
    saved = client.post(
        "/account/notifications",
        data={
            "interview": "now",
            "message": "digest",
            "deadline": "off",
            "not_certified": "now",
            "vacancy_round": "now",
            "bulk": "digest",
        },
    )
    refused = client.post("/account/notifications", data={"message": "sometimes"})

    assert "Always emailed" in page and "An offer to answer" in page
    assert saved.status_code == 302 and refused.status_code == 400
    with app.app_context():
        choices = dict(
            db.session.execute(
                db.select(NotificationPreference.kind, NotificationPreference.choice).where(
                    NotificationPreference.user_id == ana.id
                )
            ).all()
        )
    assert choices["message"] == "digest" and choices["deadline"] == "off"


def test_the_list_pages_newest_first(app, client, login, season_people):
    _, (ana, _), _ = season_people
    with app.app_context():
        for n in range(30):
            db.session.add(Notification(user_id=ana.id, kind="deadline", subject=f"Notice {n:02}", link="/student/"))
        db.session.commit()
    login(ana)

    first = client.get("/notifications/").get_data(as_text=True)
    second = client.get("/notifications/?page=2").get_data(as_text=True)

    assert first.index("Notice 29") < first.index("Notice 05") and "Notice 04" not in first
    assert "Notice 04" in second and "Page 2 of 2" in second


def test_a_published_offer_is_a_notification_emailed_once_whatever_the_choice(app, world):
    _, values = world
    with app.app_context():
        db.session.get(MatchRun, values["run_id"]).emails_due_at = utcnow()  # the world published quietly
        db.session.commit()
        publication_emails.write(values["run_id"])
        student = db.session.get(User, values["student_id"])
        offer = db.session.scalars(db.select(Notification).where(Notification.user_id == student.id)).all()
        results = [
            email
            for email in db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.recipient == student.email))
            if email.template.startswith("results_published")
        ]

        assert [(row.kind, row.link) for row in offer] == [("offer", "/student/")]
        assert offer[0].emailed_at is not None and len(results) == 1
        assert "Lab intern" in offer[0].subject


def test_a_send_with_a_broken_subject_is_refused_with_a_400_and_sends_nothing(app, client, login, season_people):
    season, _, coordinator = season_people
    login(coordinator)

    response = client.post(
        f"/coordinator/seasons/{season.id}/messages/send",
        data={**MESSAGE, "subject": "A\r\nBcc: x@example.org", "token": "t1"},
    )

    assert response.status_code == 400 and "single line" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(BulkMessage.id))) == 0
