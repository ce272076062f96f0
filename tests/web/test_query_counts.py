"""The number of SQL queries per page is pinned and does not grow with the data (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import event

from sprint.extensions import db
from sprint.models import (
    Application, Cycle, HostRank, MatchRun, Position, PositionInterest, Role, StudentRank, User, utcnow
)
from sprint.services.matching import match_runs

# Pinned query counts; a change that adds queries to a page must update this table on purpose.
PINNED = {
    "/student/": 10,
    "/student/positions": 7,
    "/student/positions/<id>": 6,
    "/student/ranks": 7,
    "/company/": 8,
    "/company/applicants": 12,
    "/company/applicants/<id>": 9,
    "/company/ranks": 8,
    "/coordinator/": 6,
    "/coordinator/cycles": 2,
    "/coordinator/cycles/<id>": 9,  # + the season's phase changes, with their reasons
    "/coordinator/directory/students": 5,
    "/coordinator/directory/hosts": 6,  # + the reasons given when hosts were (un)approved
    "/coordinator/runs/": 6,
    "/coordinator/runs/<id>": 8,  # + whether another run of its round is published
    "/dashboards/": 11,
    "/dashboards/colleges": 8,
}


@contextmanager
def counting(app):
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@dataclass
class Season:
    student: User
    member: User
    coordinator: User
    position: Position
    cycle: Cycle
    run: MatchRun


def _season(app, make, applicants: int, positions: int) -> Season:
    """A season with every list certified and one match run, so the pages show full data."""
    program = make.program()
    cycle = make.cycle(program)
    host = make.host(program, name="Elm Bio")
    member = make.member(host)
    coordinator = make.user(Role.COORDINATOR, program)
    items = [make.position(host, cycle, slots=2, title=f"Position {i}") for i in range(positions)]
    students = [make.user(Role.STUDENT, program) for _ in range(applicants)]
    with app.app_context():
        for student in students:
            application = Application(cycle_id=cycle.id, student_id=student.id, status="submitted",
                                      submitted_at=utcnow(), ranks_certified_at=utcnow())
            application.interests = [PositionInterest(position_id=p.id, statement="Keen") for p in items]
            application.ranks = [StudentRank(position_id=p.id, rank=i) for i, p in enumerate(items, 1)]
            db.session.add(application)
            db.session.add_all(HostRank(position_id=p.id, student_id=student.id, rank=1) for p in items)
        for item in items:
            db.session.get(Position, item.id).ranks_certified_at = utcnow()
        db.session.commit()
        run = match_runs.start_run(db.session.get(User, coordinator.id), db.session.get(Cycle, cycle.id),
                                   match_runs.RunSettings(seed=1))
        assert run.status == "done" and run.assignments
    return Season(students[0], member, coordinator, items[0], cycle, run)


def _pages(season: Season) -> dict[str, list[tuple[str, str]]]:
    """(pinned name, real address) of the main pages of each role."""
    return {
        "student": [("/student/", "/student/"), ("/student/positions", "/student/positions"),
                    ("/student/positions/<id>", f"/student/positions/{season.position.id}"),
                    ("/student/ranks", "/student/ranks")],
        "member": [("/company/", "/company/"), ("/company/applicants", "/company/applicants"),
                   ("/company/applicants/<id>", f"/company/applicants/{season.student.id}"),
                   ("/company/ranks", f"/company/positions/{season.position.id}/ranks")],
        "coordinator": [("/coordinator/", "/coordinator/"), ("/coordinator/cycles", "/coordinator/cycles"),
                        ("/coordinator/cycles/<id>", f"/coordinator/cycles/{season.cycle.id}"),
                        ("/coordinator/directory/students", "/coordinator/directory/students"),
                        ("/coordinator/directory/hosts", "/coordinator/directory/hosts"),
                        ("/coordinator/runs/", f"/coordinator/runs/?cycle={season.cycle.id}"),
                        ("/coordinator/runs/<id>", f"/coordinator/runs/{season.run.id}"),
                        ("/dashboards/", "/dashboards/"), ("/dashboards/colleges", "/dashboards/colleges")],
    }


def _counts(app, client, login, season: Season) -> dict[str, int]:
    result = {}
    for who, pages in _pages(season).items():
        login(getattr(season, who))
        for name, url in pages:
            with counting(app) as statements:
                assert client.get(url).status_code == 200, url
            result[name] = len(statements)
        client.post("/logout")
    return result


@pytest.mark.parametrize("applicants, positions", [(3, 2), (30, 8)])
def test_main_pages_use_a_fixed_number_of_queries(app, client, make, login, applicants, positions):
    season = _season(app, make, applicants, positions)

    counts = _counts(app, client, login, season)

    assert counts == PINNED
