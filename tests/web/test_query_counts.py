"""The number of SQL queries per page does not grow with the data (no N+1): each main page of each role
needs as many queries for a season ten times larger (ten times the applicants and the positions) as for a
small one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    HostRank,
    MatchRun,
    Position,
    PositionInterest,
    Role,
    Season,
    StudentRank,
    User,
    utcnow,
)
from sprint.services.matching import match_runs

SMALL = (3, 2)  # applicants, positions
LARGE = (30, 20)  # ten times as many of each


@dataclass
class SeasonBundle:
    student: User
    member: User
    coordinator: User
    position: Position
    season: Season
    run: MatchRun


def _build_season(app, make, applicants: int, positions: int) -> SeasonBundle:
    """A season with every list certified and one match run, so the pages show full data."""
    program = make.program()
    season = make.season(program)
    host = make.host(program, name="Elm Bio")
    member = make.member(host)
    coordinator = make.user(Role.COORDINATOR, program)
    items = [make.position(host, season, slots=2, title=f"Position {i}") for i in range(positions)]
    students = [make.user(Role.STUDENT, program) for _ in range(applicants)]
    with app.app_context():
        for student in students:
            application = Application(
                season_id=season.id,
                student_id=student.id,
                status="submitted",
                submitted_at=utcnow(),
                ranks_certified_at=utcnow(),
            )
            application.interests = [PositionInterest(position_id=p.id, statement="Keen") for p in items]
            application.ranks = [StudentRank(position_id=p.id, rank=i) for i, p in enumerate(items, 1)]
            db.session.add(application)
            db.session.add_all(HostRank(position_id=p.id, student_id=student.id, rank=1) for p in items)
        for item in items:
            db.session.get(Position, item.id).ranks_certified_at = utcnow()
        db.session.commit()
        run = match_runs.start_run(
            db.session.get(User, coordinator.id), db.session.get(Season, season.id), match_runs.RunSettings(seed=1)
        )
        assert run.status == "done" and run.assignments
    return SeasonBundle(students[0], member, coordinator, items[0], season, run)


def _pages(season: SeasonBundle) -> dict[str, list[tuple[str, str]]]:
    """(page name, real address) of the main pages of each role."""
    return {
        "student": [
            ("/student/", "/student/"),
            ("/student/positions", "/student/positions"),
            ("/student/positions/<id>", f"/student/positions/{season.position.id}"),
            ("/student/ranks", "/student/ranks"),
        ],
        "member": [
            ("/company/", "/company/"),
            ("/company/applicants", "/company/applicants"),
            ("/company/applicants/<id>", f"/company/applicants/{season.student.id}"),
            ("/company/ranks", f"/company/positions/{season.position.id}/ranks"),
        ],
        "coordinator": [
            ("/coordinator/", "/coordinator/"),
            ("/coordinator/seasons", "/coordinator/seasons"),
            ("/coordinator/seasons/<id>", f"/coordinator/seasons/{season.season.id}"),
            ("/coordinator/directory/students", "/coordinator/directory/students"),
            ("/coordinator/directory/hosts", "/coordinator/directory/hosts"),
            ("/coordinator/runs/", f"/coordinator/runs/?season={season.season.id}"),
            ("/coordinator/runs/<id>", f"/coordinator/runs/{season.run.id}"),
            ("/dashboards/", "/dashboards/"),
            ("/dashboards/colleges", "/dashboards/colleges"),
        ],
    }


def _counts(client, login, count_queries, season: SeasonBundle, who: str) -> dict[str, int]:
    """The number of queries of each page of one role, as (page name, count)."""
    result = {}
    login(getattr(season, who))
    for name, url in _pages(season)[who]:
        with count_queries() as statements:
            assert client.get(url).status_code == 200, url
        result[name] = len(statements)
    client.post("/logout")
    return result


@pytest.mark.parametrize("who", ["student", "member", "coordinator"])
def test_main_pages_need_the_same_number_of_queries_for_a_season_ten_times_larger(
    app, client, make, login, count_queries, who
):
    small, large = _build_season(app, make, *SMALL), _build_season(app, make, *LARGE)

    counts = {
        size: _counts(client, login, count_queries, season, who)
        for size, season in (("small", small), ("large", large))
    }

    assert counts["large"] == counts["small"]
