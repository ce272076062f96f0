"""A coordinator's page per student: its sections, who may open it, the links to it from the lists that
name students, two students of the same name told apart, and a query count that does not grow."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    AuditEvent,
    DeadlineExtension,
    MatchRun,
    OutboxEmail,
    Phase,
    Placement,
    PlacementStatus,
    Role,
    RunStatus,
)

DEADLINE = datetime(2099, 7, 10, 16, 0)  # 12:00 PM EDT


@pytest.fixture
def world(app, make):
    """Two students both called Sam Lee: one applied, certified, declined an offer with an extension and
    got an email; the other was not matched. Plus a host, another program's coordinator and a student."""
    program, other_program = make.program(), make.program(name="Other")
    season = make.season(program, phase=Phase.PUBLISHED)
    host = make.host(program, name="Elm Bio")
    position = make.position(host, season, title="Lab intern")
    sam = make.user(Role.STUDENT, program, email="sam.lee@example.org", name="Sam Lee")
    twin = make.user(Role.STUDENT, program, email="sam.lee2@example.org", name="Sam Lee")
    make.application(season, sam, position)
    make.application(season, twin, position)
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.student_id == sam.id))
        application.ranks_certified_at = datetime(2099, 3, 1, 17, 0)
        placement = Placement(
            season_id=season.id,
            student_id=sam.id,
            position_id=position.id,
            status=PlacementStatus.DECLINED,
            response_deadline=DEADLINE,
            responded_at=datetime(2099, 7, 1, 16, 0),
            note="Declined by the student: Moving to Boston",
        )
        run = MatchRun(
            season_id=season.id,
            status=RunStatus.DONE,
            result={
                "assignments": [
                    {"student": f"s{sam.id}", "position": f"p{position.id}", "student_rank": 1, "position_rank": 1}
                ],
                "unmatched_students": [f"s{twin.id}"],
                "stats": {},
            },
        )
        second = MatchRun(
            season_id=season.id,
            status=RunStatus.DONE,
            result={
                "assignments": [
                    {"student": f"s{twin.id}", "position": f"p{position.id}", "student_rank": 1, "position_rank": 1}
                ],
                "unmatched_students": [f"s{sam.id}"],
                "stats": {},
            },
        )
        db.session.add_all([placement, run, second])
        db.session.add(
            DeadlineExtension(season_id=season.id, user_id=sam.id, kind="offer", until=DEADLINE, reason="Family matter")
        )
        db.session.add(
            OutboxEmail(
                program_id=program.id, recipient=sam.email, subject="Your offer", template="t", body="SECRET BODY"
            )
        )
        db.session.flush()
        db.session.add(
            AuditEvent(
                program_id=program.id,
                actor_id=sam.id,
                action="offer.declined",
                object_type="Placement",
                object_id=placement.id,
                details={"reason": "Moving to Boston"},
            )
        )
        db.session.add(
            AuditEvent(
                program_id=program.id,
                actor_id=sam.id,
                action="ranks.certified",
                object_type="Application",
                object_id=application.id,
                details={"length": 1, "positions": [position.id]},  # as rankings.save_student_ranks writes it
            )
        )
        db.session.commit()
        run_id, second_id = run.id, second.id
    return type(
        "World",
        (),
        dict(
            program=program,
            season=season,
            position=position,
            sam=sam,
            twin=twin,
            run_id=run_id,
            second_id=second_id,
            coordinator=make.user(Role.COORDINATOR, program),
            other_coordinator=make.user(Role.COORDINATOR, other_program),
            host=make.member(host),
        ),
    )


def _page(client, student_id) -> tuple[int, str]:
    response = client.get(f"/coordinator/students/{student_id}")
    return response.status_code, response.get_data(as_text=True)


def test_the_page_shows_every_section_in_et_and_never_an_emails_body(client, login, world):
    login(world.coordinator)

    status, page = _page(client, world.sam.id)

    assert status == 200
    assert '<h1 class="h3 mb-1">Sam Lee</h1>' in page and "sam.lee@example.org" in page
    for heading in (
        "Profile",
        "Summer 2027",
        "Application",
        "Rank list",
        "Placements, offers and answers",
        "Deadline extensions",
        "Outcomes",
        "Emails sent to sam.lee@example.org",
    ):
        assert heading in page
    assert "Lab intern" in page and "declined" in page and "Moving to Boston" in page
    assert "offer.declined" in page and "Rank list history (1)" in page
    history = page[page.index("Rank list history") :]
    assert re.search(r"certified, 1 lines.*?<ol[^>]*>\s*<li>Lab intern \(", history, re.S)  # the version's order
    assert "Family matter" in page and "Your offer" in page
    assert re.search(r"Jul 10, 2099, 12:00\s?PM EDT", page)
    assert "SECRET BODY" not in page
    assert 'class="table-responsive"' in page


@pytest.mark.parametrize(("who", "expected"), [("other_coordinator", 404), ("host", 403), ("twin", 403)])
def test_only_the_programs_coordinators_open_the_page(client, login, world, who, expected):
    login(getattr(world, who))

    assert _page(client, world.sam.id)[0] == expected


def test_a_missing_or_non_numeric_student_id_is_not_found(client, login, world):
    login(world.coordinator)

    assert _page(client, 999_999)[0] == 404
    assert _page(client, world.coordinator.id)[0] == 404  # a coordinator is not a student
    assert _page(client, "sam")[0] == 404


def _link(student) -> str:
    return f'href="/coordinator/students/{student.id}"'


def test_two_students_of_the_same_name_show_their_own_email_and_link(client, login, world):
    login(world.coordinator)

    _, sam_page = _page(client, world.sam.id)
    _, twin_page = _page(client, world.twin.id)
    directory = client.get("/coordinator/directory/students").get_data(as_text=True)

    assert "sam.lee@example.org" in sam_page and "sam.lee2@example.org" not in sam_page
    assert "sam.lee2@example.org" in twin_page and "sam.lee@example.org" not in twin_page
    assert _link(world.sam) in directory and _link(world.twin) in directory
    assert "sam.lee@example.org" in directory and "sam.lee2@example.org" in directory


def test_the_offers_board_the_run_page_and_the_placement_page_link_to_the_student(client, login, world):
    login(world.coordinator)
    with client.application.app_context():
        placement_id = db.session.scalar(db.select(Placement.id).where(Placement.student_id == world.sam.id))

    board = client.get(f"/coordinator/runs/seasons/{world.season.id}/placements").get_data(as_text=True)
    run = client.get(f"/coordinator/runs/{world.run_id}").get_data(as_text=True)
    placement = client.get(f"/coordinator/runs/placements/{placement_id}").get_data(as_text=True)

    assert _link(world.sam) in board
    assert _link(world.sam) in run and _link(world.twin) in run  # placed, and unmatched
    assert f"/coordinator/runs/{world.run_id}/explain/s{world.sam.id}" in run  # the explanation link stays
    assert "sam.lee@example.org" in run and "sam.lee2@example.org" in run
    assert _link(world.sam) in placement


def test_the_compare_and_extensions_pages_link_to_each_student(client, login, world):
    login(world.coordinator)

    compare = client.get(f"/coordinator/runs/compare?a={world.run_id}&b={world.second_id}").get_data(as_text=True)
    extensions = client.get(f"/coordinator/seasons/{world.season.id}/extensions").get_data(as_text=True)

    assert _link(world.sam) in compare and _link(world.twin) in compare
    assert "sam.lee@example.org" in compare and "sam.lee2@example.org" in compare
    assert _link(world.sam) in extensions


def test_the_query_count_does_not_grow_with_emails_applications_or_extensions(
    app, client, login, world, make, count_queries
):
    login(world.coordinator)
    _page(client, world.sam.id)  # warm: the session's user, the program
    with count_queries() as few:
        _page(client, world.sam.id)
    program = type("P", (), {"id": world.program.id})
    for year in (2028, 2029, 2030):
        season = make.season(program, year=year)
        host = make.host(program)
        make.application(season, world.sam, make.position(host, season))
    with app.app_context():
        db.session.add_all(
            OutboxEmail(
                program_id=world.program.id, recipient=world.sam.email, subject=f"Note {n}", template="t", body="B"
            )
            for n in range(30)
        )
        db.session.commit()

    with count_queries() as many:
        status, page = _page(client, world.sam.id)

    assert status == 200 and "Note 29" in page and "Summer 2030" in page
    assert len(many) == len(few), (len(few), len(many))
