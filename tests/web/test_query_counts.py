"""The number of SQL queries per page is pinned and does not grow with the data (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from sprint.extensions import db
from sprint.models import (
    Application,
    HostRank,
    PositionInterest,
    Role,
    StudentRank,
    utcnow,
)

# Pinned query counts; a change that adds queries to a page must update this table on purpose.
PINNED = {
    "/student/": 10,
    "/student/positions": 7,
    "/student/ranks": 7,
    "/company/": 8,
    "/company/applicants": 12,
    "/company/ranks": 8,
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


def _season(app, make, applicants: int, positions: int):
    program = make.program()
    cycle = make.cycle(program)
    host = make.host(program, name="Elm Bio")
    member = make.member(host)
    items = [make.position(host, cycle, slots=2, title=f"Position {i}") for i in range(positions)]
    students = [make.user(Role.STUDENT, program) for _ in range(applicants)]
    with app.app_context():
        for student in students:
            application = Application(cycle_id=cycle.id, student_id=student.id, status="submitted",
                                      submitted_at=utcnow())
            application.interests = [PositionInterest(position_id=p.id, statement="Keen") for p in items]
            application.ranks = [StudentRank(position_id=p.id, rank=i) for i, p in enumerate(items, 1)]
            db.session.add(application)
            db.session.add_all(HostRank(position_id=p.id, student_id=student.id, rank=1) for p in items)
        db.session.commit()
    return students[0], member, items[0]


def _counts(app, client, login, student, member, position) -> dict[str, int]:
    result = {}
    login(student)
    for url in ("/student/", "/student/positions", "/student/ranks"):
        with counting(app) as statements:
            assert client.get(url).status_code == 200
        result[url] = len(statements)
    client.post("/logout")
    login(member)
    for url, real in (("/company/", "/company/"), ("/company/applicants", "/company/applicants"),
                      ("/company/ranks", f"/company/positions/{position.id}/ranks")):
        with counting(app) as statements:
            assert client.get(real).status_code == 200
        result[url] = len(statements)
    client.post("/logout")
    return result


@pytest.mark.parametrize("applicants, positions", [(3, 2), (30, 8)])
def test_main_pages_use_a_fixed_number_of_queries(app, client, make, login, applicants, positions):
    student, member, position = _season(app, make, applicants, positions)

    counts = _counts(app, client, login, student, member, position)

    assert counts == PINNED
