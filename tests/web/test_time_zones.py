"""Local time across the daylight-saving change: America/New_York moves from EST to EDT on
Mar 14, 2027 at 2:00 AM. Coordinators type local times; storage is UTC; everyone reads local, labelled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sprint.extensions import db
from sprint.models import ExtensionKind, Phase, Program, Role, Season, User
from sprint.services.errors import ServiceError
from sprint.services.season import deadlines, reminders
from sprint.services.support.local_time import format_when, to_utc, zone

NY = zone("America/New_York")
BEFORE_CHANGE = ("2027-03-14T01:59", datetime(2027, 3, 14, 6, 59), "Mar 14, 2027, 1:59\u202fAM EST")
AFTER_CHANGE = ("2027-03-15T23:59", datetime(2027, 3, 16, 3, 59), "Mar 15, 2027, 11:59\u202fPM EDT")


@pytest.fixture
def typed(app, make, login, client):
    """A coordinator creates Summer 2027 typing both deadlines in Connecticut time."""
    program = make.program("SPRINT", slug="sprint")
    coordinator = make.user(Role.COORDINATOR, program)
    login(coordinator)
    response = client.post(
        "/coordinator/seasons/new",
        data={
            "year": "2027",
            "name": "Summer 2027",
            "applications_open_at": "2026-11-01T09:00",
            "applications_close_at": BEFORE_CHANGE[0],
            "ranking_close_at": AFTER_CHANGE[0],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        season = db.session.scalar(db.select(Season))
        season.phase = Phase.APPLICATIONS
        db.session.commit()
        return program, season.id


def test_typed_local_deadlines_are_stored_as_the_right_utc_instants(app, typed):
    with app.app_context():
        season = db.session.get(Season, typed[1])

        assert season.applications_close_at == BEFORE_CHANGE[1]
        assert season.ranking_close_at == AFTER_CHANGE[1]
        assert season.applications_open_at == datetime(2026, 11, 1, 14, 0)  # EST, five hours behind


def test_they_are_shown_back_in_local_time_with_est_and_edt(client, typed):
    season_id = typed[1]

    progress = client.get(f"/coordinator/seasons/{season_id}").get_data(as_text=True)
    form = client.get(f"/coordinator/seasons/{season_id}/dates").get_data(as_text=True)

    assert BEFORE_CHANGE[2] in progress and AFTER_CHANGE[2] in progress
    assert f'value="{BEFORE_CHANGE[0]}"' in form and f'value="{AFTER_CHANGE[0]}"' in form
    assert "Eastern Time (America/New_York)" in form
    assert "UTC" not in progress and "UTC" not in form


def test_a_student_reads_them_local_and_labelled(app, client, make, login, typed):
    program, _season_id = typed
    client.post("/logout")
    login(make.user(Role.STUDENT, program))

    page = client.get("/student/").get_data(as_text=True)

    assert BEFORE_CHANGE[2] in page and AFTER_CHANGE[2] in page and "UTC" not in page


@pytest.mark.parametrize(
    ("kind", "deadline"), [(ExtensionKind.APPLICATIONS, BEFORE_CHANGE), (ExtensionKind.RANKING, AFTER_CHANGE)]
)
def test_a_students_action_is_allowed_up_to_the_instant_shown_and_refused_after(app, make, typed, kind, deadline):
    program, season_id = typed
    student = make.user(Role.STUDENT, Program(id=program.id))
    with app.app_context():
        season, person = db.session.get(Season, season_id), db.session.get(User, student.id)
        instant = deadline[1]

        deadlines.check_open(person, season, kind, now=instant - timedelta(seconds=1))
        deadlines.check_open(person, season, kind, now=instant)
        with pytest.raises(ServiceError, match=f"deadline passed on {deadline[2]};"):
            deadlines.check_open(person, season, kind, now=instant + timedelta(seconds=1))


def test_a_time_the_clocks_skip_is_refused_with_a_clear_message(app, client, typed):
    response = client.post(
        f"/coordinator/seasons/{typed[1]}/dates",
        data={
            "applications_open_at": "2026-11-01T09:00",
            "applications_close_at": "2027-03-14T02:30",
            "ranking_close_at": AFTER_CHANGE[0],
        },
    )

    assert response.status_code == 400
    assert "Mar 14, 2027 has no 2:30 AM in America/New_York" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Season, typed[1]).applications_close_at == BEFORE_CHANGE[1]


def test_the_reminder_email_uses_the_same_rendering(app, make, typed, outbox):
    program, season_id = typed
    student = make.user(Role.STUDENT, Program(id=program.id))
    with app.app_context():
        from sprint.models import Application

        db.session.add(Application(season_id=season_id, student_id=student.id, status="submitted"))
        db.session.commit()

        reminders.send_deadline_reminders(now=AFTER_CHANGE[1] - timedelta(days=1))

    assert outbox[0].subject == "[SPRINT] Certify your rank list by Mar 15, 2027"
    assert AFTER_CHANGE[2] in outbox[0].body and "UTC" not in outbox[0].body


def test_another_zone_and_the_fall_change_render_and_convert_with_the_standard_library():
    tokyo, fall = zone("Asia/Tokyo"), datetime(2027, 11, 7, 1, 30)  # 1:30 AM happens twice in New York

    assert to_utc(fall, NY) == datetime(2027, 11, 7, 5, 30)  # the first one, daylight time
    assert format_when(datetime(2027, 11, 7, 5, 30), NY, True) == "Nov 7, 2027, 1:30\u202fAM EDT"
    assert format_when(datetime(2027, 11, 7, 6, 30), NY, True) == "Nov 7, 2027, 1:30\u202fAM EST"
    assert format_when(datetime(2027, 3, 16, 3, 59), tokyo, True).startswith("Mar 16, 2027, 12:59\u202fPM")


def test_a_coordinator_sets_the_programs_zone_and_pages_follow_it(app, client, typed):
    program, season_id = typed

    bad = client.post("/coordinator/time-zone", data={"time_zone": "Mars/Olympus_Mons"}, follow_redirects=True)
    good = client.post("/coordinator/time-zone", data={"time_zone": "America/Los_Angeles"})
    progress = client.get(f"/coordinator/seasons/{season_id}").get_data(as_text=True)

    assert "Choose a time zone from the list." in bad.get_data(as_text=True)
    assert good.status_code == 302
    assert "Mar 15, 2027, 8:59\u202fPM PDT" in progress  # the same instant, read on the west coast
    with app.app_context():
        assert db.session.get(Program, program.id).time_zone == "America/Los_Angeles"
        assert db.session.get(Season, season_id).ranking_close_at == AFTER_CHANGE[1]  # storage unchanged


def test_only_an_admin_or_the_programs_coordinator_changes_its_zone(app, make):
    from sprint.services.errors import NotAllowed
    from sprint.services.season import programs

    mine, theirs = make.program("Mine", slug="mine"), make.program("Theirs", slug="theirs")
    outsider = make.user(Role.COORDINATOR, theirs)
    with app.app_context():
        with pytest.raises(NotAllowed):
            programs.set_time_zone(db.session.get(User, outsider.id), db.session.get(Program, mine.id), "Asia/Tokyo")
        with pytest.raises(ServiceError, match="not a time zone we know"):
            programs.set_time_zone(
                db.session.get(User, make.user(Role.ADMIN).id), db.session.get(Program, mine.id), "UTC+5"
            )


def test_the_audit_log_shows_a_date_change_in_local_time(client, typed):
    season_id = typed[1]
    client.post(
        f"/coordinator/seasons/{season_id}/dates",
        data={
            "applications_open_at": "2026-11-01T09:00",
            "applications_close_at": BEFORE_CHANGE[0],
            "ranking_close_at": "2027-03-16T23:59",
        },
    )

    log = client.get("/coordinator/runs/audit").get_data(as_text=True)

    assert "season.dates_changed" in log
    assert AFTER_CHANGE[2] in log and "Mar 16, 2027, 11:59\u202fPM EDT" in log
    assert "+00:00" not in log and "T03:59" not in log
