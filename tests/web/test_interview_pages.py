"""Interview pages through the real forms: a host publishes a series and invites, the student books
and moves, nobody sees another student's booking, the feed link works until it is reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from sprint.extensions import db
from sprint.models import Interview, InterviewSlot, OutboxEmail, Phase, Role, utcnow
from sprint.services.support.local_time import to_local, zone


@pytest.fixture
def scene(app, make):
    program = make.program()
    season = make.season(program, phase=Phase.APPLICATIONS)
    host, other_host = make.host(program, name="Elm Bio"), make.host(program, name="Harbor Labs")
    member, other_member = make.member(host), make.member(other_host)
    position = make.position(host, season, title="Lab intern")
    ana = make.user(Role.STUDENT, program, name="Ana Student")
    ben = make.user(Role.STUDENT, program, name="Ben Student")
    make.application(season, ana, position)
    make.application(season, ben, position)
    return member, other_member, position, ana, ben


def _series_form(**change):
    first = to_local(utcnow() + timedelta(days=2), zone("America/New_York")).date()
    form = {
        "series-first_day": first.isoformat(),
        "series-last_day": (first + timedelta(days=13)).isoformat(),
        "series-weekdays": [str(first.weekday())],
        "series-window_start": "13:00",
        "series-window_end": "14:00",
        "series-minutes": "30",
        "series-format": "onsite",
        "series-address": "1 Elm St, New Haven",
        "series-interviewer": "Dana",
    }
    form.update(change)
    return form


def test_host_publishes_invites_and_the_student_books_and_moves(app, client, login, scene):
    member, other_member, position, ana, ben = scene
    login(member)
    url = f"/company/positions/{position.id}/interviews"
    response = client.post(f"{url}/series", data=_series_form())
    assert response.status_code == 302
    with app.app_context():
        slots = db.session.scalars(db.select(InterviewSlot).order_by(InterviewSlot.starts_at)).all()
        assert len(slots) == 4  # two days, two 30-minute slots each
        slot_ids = [s.id for s in slots]
    response = client.post(
        "/company/interviews/invite", data={"pick": [f"{position.id}:{ana.id}", f"{position.id}:{ben.id}"]}
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert page.count(">Invited<") >= 2 or page.count("Invited") >= 2
    client.post("/logout")

    login(ana)
    page = client.get("/student/interviews").get_data(as_text=True)
    assert "You are invited to interview" in page and "Lab intern" in page
    interview_id = int(re.search(r"/student/interviews/(\d+)/book", page).group(1))
    assert client.post(f"/student/interviews/{interview_id}/book", data={"slot": slot_ids[0]}).status_code == 302
    assert client.post(f"/student/interviews/{interview_id}/book", data={"slot": slot_ids[2]}).status_code == 302
    dashboard = client.get("/student/").get_data(as_text=True)
    assert "Booked:" in dashboard
    client.post("/logout")

    login(ben)
    page = client.get("/student/interviews").get_data(as_text=True)
    assert "Ana" not in page
    assert f'value="{slot_ids[2]}"' not in page and f'value="{slot_ids[0]}"' in page  # Ana's time is not offered
    ben_interview = int(re.search(r"/student/interviews/(\d+)/book", page).group(1))
    assert client.post(f"/student/interviews/{interview_id}/decline").status_code == 404  # Ana's, not his
    taken = client.post(f"/student/interviews/{ben_interview}/book", data={"slot": slot_ids[2]})
    assert taken.status_code == 409  # the page again, with the reason and the times still free
    assert "That time was just booked by someone else. Nothing changed" in taken.get_data(as_text=True)
    assert f'value="{slot_ids[0]}"' in taken.get_data(as_text=True)
    nothing = client.post(f"/student/interviews/{ben_interview}/book", data={"slot": "1\x00"})
    assert nothing.status_code == 400 and "Choose a time." in nothing.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Interview, ben_interview).slot_id is None
        assert db.session.get(Interview, interview_id).slot_id == slot_ids[2]
        assert (
            db.session.scalar(
                db.select(db.func.count(OutboxEmail.id)).where(OutboxEmail.attachment_name == "invite.ics")
            )
            >= 2
        )
    client.post("/logout")

    login(member)
    ranks = client.get(f"/company/positions/{position.id}/ranks?interview=booked").get_data(as_text=True)
    assert "Ana Student" in ranks and "Ben Student" not in ranks and "Interview: booked" in ranks
    applicants = client.get("/company/applicants").get_data(as_text=True)
    assert "Booked" in applicants and "Invited" in applicants


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"series-address": "1 Elm St\x00"}, ""),
        ({"series-address": "1 Elm St\nBcc: x"}, "single line"),
        ({"series-address": ""}, "address"),
        ({"series-minutes": "5"}, ""),
        ({"series-window_end": "12:00"}, "after its start"),
        ({"series-format": "video", "series-link": "ftp://x"}, "https://"),
    ],
)
def test_bad_series_input_is_a_400_with_a_message_and_writes_nothing(app, client, login, scene, change, message):
    member, other_member, position, ana, ben = scene
    login(member)
    response = client.post(f"/company/positions/{position.id}/interviews/series", data=_series_form(**change))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(InterviewSlot.id))) == 0


def test_another_host_gets_404s_and_cannot_invite_to_a_position_not_its_own(app, client, login, scene):
    member, other_member, position, ana, ben = scene
    login(other_member)
    assert client.get(f"/company/positions/{position.id}/interviews").status_code == 404
    assert client.post("/company/interviews/invite", data={"pick": f"{position.id}:{ana.id}"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Interview.id))) == 0


def test_the_feed_link_works_until_reset_then_404(app, client, login, scene):
    member, other_member, position, ana, ben = scene
    login(ana)
    account = client.get("/account").get_data(as_text=True)
    url = re.search(
        r'data-calendar-url[^>]*value="[^"]*?(/calendar/[^"]+\.ics)"|value="[^"]*?(/calendar/[^"]+\.ics)"', account
    )
    path = url.group(1) or url.group(2)
    client.post("/logout")
    feed = client.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "BEGIN:VCALENDAR" in feed.get_data(as_text=True)
    login(ana)
    assert client.post("/account/calendar/reset").status_code == 302
    assert client.get(path).status_code == 404
    assert client.get("/calendar/forged.ics").status_code == 404


def test_a_refused_mark_or_booking_shows_the_page_again_with_the_reason_and_a_4xx(app, client, login, scene):
    member, other_member, position, ana, ben = scene
    login(member)
    client.post(f"/company/positions/{position.id}/interviews/series", data=_series_form())
    client.post("/company/interviews/invite", data={"pick": f"{position.id}:{ana.id}"})
    with app.app_context():
        interview = db.session.scalar(db.select(Interview))
        slot_id = db.session.scalars(db.select(InterviewSlot.id).order_by(InterviewSlot.starts_at)).first()
    forged = client.post("/company/interviews/invite", data={"pick": f"{position.id}:{ana.id}\x00"})
    assert forged.status_code == 400 and "reload the page and tick again" in forged.get_data(as_text=True)
    client.post("/logout")

    login(ana)
    assert client.post(f"/student/interviews/{interview.id}/book", data={"slot": slot_id}).status_code == 302
    client.post("/logout")

    login(member)
    early = client.post(f"/company/interviews/{interview.id}/mark", data={"outcome": "done"})  # two days ahead
    assert early.status_code == 400 and "Mark the interview once its time has come." in early.get_data(as_text=True)
    bad = client.post(f"/company/interviews/{interview.id}/mark", data={"outcome": "hired"})
    assert bad.status_code == 400 and "Mark the interview done or no-show, or cancel it." in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Interview, interview.id).status == "booked"
    client.post("/logout")

    login(ana)
    with app.app_context():  # the host set a cut-off longer than the two days left
        db.session.get(Interview, interview.id).position.interview_cutoff_hours = 72
        db.session.commit()
    late = client.post(f"/student/interviews/{interview.id}/decline")
    assert late.status_code == 400
    with app.app_context():
        assert db.session.get(Interview, interview.id).status == "booked"


def test_a_series_with_several_mistakes_names_them_all_at_once(app, client, login, scene):
    member, other_member, position, ana, ben = scene
    login(member)
    form = _series_form(**{"series-window_end": "12:00", "series-format": "video", "series-link": ""})
    form["series-last_day"] = "2020-01-01"
    del form["series-weekdays"]
    page = client.post(f"/company/positions/{position.id}/interviews/series", data=form)
    text = page.get_data(as_text=True).replace("&#39;", "'")
    assert page.status_code == 400
    for message in (
        "The series' last day comes before its first.",
        "Choose at least one weekday.",
        "The window's end must come after its start.",
        "Give the video call's link",
    ):
        assert message in text, message
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(InterviewSlot.id))) == 0
