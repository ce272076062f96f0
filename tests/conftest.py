"""Fixtures shared by the app's tests.

The database is SQLite in a temporary file unless TEST_DATABASE_URL names another one
(CI sets it to a fresh PostgreSQL database). Tables are created once per run and emptied
after every test. No app context is held open around test-client requests: Flask-Login
keeps the user in `g`, which would leak between requests (research note P1).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal

import ortools.sat.python.cp_model  # noqa: F401 - load numpy before pygal's import hook, which warns
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from sprint import create_app
from sprint.extensions import db as _db
from sprint.extensions import limiter
from sprint.models import (
    Application,
    ApplicationStatus,
    HostCompany,
    HostMember,
    HostMemberRole,
    Phase,
    Position,
    PositionInterest,
    Program,
    Role,
    Season,
    StudentProfile,
    StudentRank,
    User,
    utcnow,
)

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def no_scheduler_left_running() -> Iterator[None]:
    """A test that starts a job consumer stops it: one left running would queue the periodic jobs
    (round emails, reminders, sweeps) against the test database while later tests run, and their
    locks and rows would collide with those tests at random."""
    before = {thread.ident for thread in threading.enumerate() if thread.name == "Scheduler"}
    yield
    left = [t for t in threading.enumerate() if t.name == "Scheduler" and t.ident not in before and t.is_alive()]
    assert not left, "this test left a job consumer's scheduler running: stop it (Jobs.stop_in_web_worker)"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def base_app(database_url, tmp_path_factory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "locmem",
            "RATELIMIT_ENABLED": False,
            "QUEUE_URL": "immediate",  # background jobs run when they are queued
            "RUNS_INLINE": True,  # match runs execute before the request returns
            "SERVER_NAME": "sprint.test",
            "UPLOAD_FOLDER": str(instance / "uploads"),
            "MAIL_FILE_PATH": str(instance / "outbox"),
        }
    )
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def app(base_app: Flask) -> Iterator[Flask]:
    """The app with an empty database and an empty outbox; every table is emptied afterwards."""
    yield base_app
    with base_app.app_context():
        _db.session.remove()
        with _db.engine.begin() as connection:
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())
    if getattr(base_app.extensions["mailman"], "outbox", None):
        base_app.extensions["mailman"].outbox.clear()
    if base_app.config.get("RATELIMIT_ENABLED", True):
        with base_app.app_context():
            limiter.reset()


@pytest.fixture
def appctx(app: Flask) -> Iterator[Flask]:
    """An app context for service tests that call no test client."""
    with app.app_context():
        yield app


@pytest.fixture
def db(app: Flask):
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app: Flask) -> list:
    mailman = app.extensions["mailman"]
    if getattr(mailman, "outbox", None) is None:
        mailman.outbox = []  # the locmem backend appends here
    return mailman.outbox


@pytest.fixture
def count_queries(app: Flask):
    """`with count_queries() as statements:` collects the SQL statements sent inside the block, for tests
    that compare the count at two sizes of data (no N+1) rather than pin a number."""
    with app.app_context():
        engine = _db.engine

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


class Factory:
    """Builds rows for tests; every method commits and returns ids-stable objects."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def program(self, name: str = "SPRINT", slug: str | None = None) -> Program:
        with self.app.app_context():
            program = Program(name=name, slug=slug or f"p{self._next()}", region="New Haven")
            _db.session.add(program)
            _db.session.commit()
            _db.session.refresh(program)
            _db.session.expunge(program)
            return program

    def season(self, program: Program, year: int = 2027, phase: Phase = Phase.APPLICATIONS) -> Season:
        now = utcnow()
        with self.app.app_context():
            season = Season(
                program_id=program.id,
                year=year,
                name=f"Summer {year}",
                phase=phase,
                applications_open_at=now - timedelta(days=10),
                applications_close_at=now + timedelta(days=10),
                ranking_close_at=now + timedelta(days=20),
                match_published_at=now + timedelta(days=25),
                offer_deadline_at=now + timedelta(days=32),
            )
            _db.session.add(season)
            _db.session.commit()
            _db.session.refresh(season)
            _db.session.expunge(season)
            return season

    def user(
        self,
        role: Role,
        program: Program | None = None,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
    ) -> User:
        n = self._next()
        with self.app.app_context():
            user = User(
                email=email or f"{role}{n}@example.org",
                name=name or f"{role.title()} {n}",
                role=role,
                program_id=program.id if program else None,
            )
            user.set_password(password)
            _db.session.add(user)
            if role == Role.STUDENT:
                _db.session.add(StudentProfile(user=user))
            _db.session.commit()
            _db.session.refresh(user)
            _db.session.expunge(user)
            return user

    def host(self, program: Program, name: str | None = None, approved: bool = True) -> HostCompany:
        with self.app.app_context():
            host = HostCompany(
                program_id=program.id,
                name=name or f"Host {self._next()}",
                sector="Biotech",
                site_town="New Haven",
                approved=approved,
            )
            _db.session.add(host)
            _db.session.commit()
            _db.session.refresh(host)
            _db.session.expunge(host)
            return host

    def member(self, host: HostCompany, role: HostMemberRole = HostMemberRole.OWNER, **kwargs) -> User:
        program = Program(id=host.program_id)
        user = self.user(Role.HOST, program, **kwargs)
        with self.app.app_context():
            _db.session.add(HostMember(host_id=host.id, user_id=user.id, role=role))
            _db.session.commit()
        return user

    def position(
        self, host: HostCompany, season: Season, slots: int = 1, title: str | None = None, **fields
    ) -> Position:
        with self.app.app_context():
            position = Position(
                host_id=host.id,
                season_id=season.id,
                title=title or f"Position {self._next()}",
                slots=slots,
                hourly_pay=Decimal("20.00"),
                hours_per_week=40,
                start_date=date(season.year, 6, 1),
                end_date=date(season.year, 8, 14),
                site_town="New Haven",
                **fields,
            )
            _db.session.add(position)
            _db.session.commit()
            _db.session.refresh(position)
            _db.session.expunge(position)
            return position

    def application(self, season: Season, student: User, position: Position) -> None:
        """`student` applied to `position` (statement "Keen") and ranked it first."""
        with self.app.app_context():
            application = Application(
                season_id=season.id, student_id=student.id, status=ApplicationStatus.SUBMITTED, submitted_at=utcnow()
            )
            application.interests = [PositionInterest(position_id=position.id, statement="Keen")]
            application.ranks = [StudentRank(position_id=position.id, rank=1)]
            _db.session.add(application)
            _db.session.commit()


@pytest.fixture
def password() -> str:
    """The password every factory-made user has."""
    return PASSWORD


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture
def login(client: FlaskClient):
    """Log a user in through the real form."""

    def do_login(user: User, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login


def a_datetime(days: int = 0) -> datetime:
    return utcnow() + timedelta(days=days)


SMALL_PREFS = {  # student -> positions, best first
    1: "ABC",
    2: "AC",
    3: "BAD",
    4: "CD",
    5: "ADB",
    6: "DC",
    7: "BCA",
}
SMALL_HOST_RANKS = {  # position -> tiers of students (a tuple is a tie)
    "A": [1, (2, 5), 3, 7],
    "B": [3, 7, 5, 1],
    "C": [4, 2, 6, 7, 1],
    "D": [6, 5, 3, 4],
}


@pytest.fixture
def small_season(app: Flask, make: Factory):
    """A certified market of 7 students and 4 positions (5 slots, one tie), with a coordinator.

    Returns a namespace: program, season, coordinator, students (1..7 -> User), positions ("A".."D" -> Position).
    """
    from types import SimpleNamespace

    from sprint.models import (
        Application,
        ApplicationStatus,
        College,
        HostRank,
        PositionInterest,
        PositionSkill,
        Skill,
        StudentRank,
    )

    program = make.program()
    season = make.season(program, phase=Phase.RANKING)
    coordinator = make.user(Role.COORDINATOR, program, name="Cora Coordinator")
    hosts = [make.host(program, name=f"Host {n}") for n in (1, 2, 3)]
    slots = {"A": 2, "B": 1, "C": 1, "D": 1}
    host_of = {"A": hosts[0], "B": hosts[0], "C": hosts[1], "D": hosts[2]}
    positions = {key: make.position(host_of[key], season, slots=slots[key], title=f"Position {key}") for key in slots}
    now = utcnow()
    with app.app_context():
        students = {
            n: User(
                email=f"student{n}.{program.id}@example.org",
                name=f"Student {n}",
                role=Role.STUDENT,
                program_id=program.id,
                password_hash="!",
            )  # no login needed: skip the slow hash
            for n in SMALL_PREFS
        }
        _db.session.add_all([*students.values(), *(StudentProfile(user=u) for u in students.values())])
        _db.session.flush()
        colleges = [College(name="Gateway CC", kind="community"), College(name="Elm University")]
        skills = [Skill(name=f"skill-{n}") for n in range(3)]
        _db.session.add_all(colleges + skills)
        _db.session.flush()
        for n, prefs in SMALL_PREFS.items():
            profile = _db.session.scalar(_db.select(StudentProfile).where(StudentProfile.user_id == students[n].id))
            profile.college_id = colleges[n % 2].id
            profile.first_generation = n <= 3
            profile.skills = [skills[n % 3]]
            application = Application(
                season_id=season.id,
                student_id=students[n].id,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now,
                ranks_certified_at=now,
            )
            application.interests = [PositionInterest(position_id=positions[k].id) for k in prefs]
            application.ranks = [StudentRank(position_id=positions[k].id, rank=i) for i, k in enumerate(prefs, 1)]
            _db.session.add(application)
        for key, tiers in SMALL_HOST_RANKS.items():
            for rank, tier in enumerate(tiers, 1):
                for n in tier if isinstance(tier, tuple) else (tier,):
                    _db.session.add(HostRank(position_id=positions[key].id, student_id=students[n].id, rank=rank))
            position = _db.session.get(Position, positions[key].id)
            position.ranks_certified_at = now
            _db.session.add(PositionSkill(position_id=position.id, skill_id=skills["ABCD".index(key) % 3].id))
        _db.session.commit()
        for user in students.values():
            _db.session.refresh(user)
            _db.session.expunge(user)
    return SimpleNamespace(
        program=program, season=season, coordinator=coordinator, students=students, positions=positions, hosts=hosts
    )


@pytest.fixture
def dash_world(app, make):
    """A hand-built program for the dashboard tests; the expected figures are worked out in
    tests/services/test_dashboards_service.py from this picture:

    2024: H1 offers p24 (2 seats, $20, 40 h). Applicants s1 (A), s2 (A), s3 (B); s4 (B) never submitted.
          Round 1: s1 -> p24 (own rank 1, host rank 2) completed + hired; s3 -> p24 (own rank 2, host rank 1)
          completed. s2 unmatched.
    2025: H1 offers p25a (1 seat, $22, 40 h); H2 offers p25b (2 seats, $25, 30 h). Applicants s5 (A), s6 (B),
          s7 (C), s8 (C), all certified. Round 1: s5 -> p25a (rank 1) accepted; s6 -> p25b (rank 3) declined.
          Round 2: s7 -> p25b (rank 2) offered. s8 unmatched.
    Colleges: A community, B public four-year, C private. Another program has its own host and student.
    """
    from types import SimpleNamespace

    from sprint.models import (
        Application,
        ApplicationStatus,
        College,
        MatchRun,
        Outcome,
        OutcomeKind,
        Placement,
        PlacementStatus,
        RunStatus,
        StudentOutcome,
    )

    program = make.program("Dash", slug="dash")
    other = make.program("Other", slug="other")
    coordinator = make.user(Role.COORDINATOR, program, email="coord@dash.example.org")
    other_coordinator = make.user(Role.COORDINATOR, other, email="coord@other.example.org")
    c24, c25 = make.season(program, 2024, Phase.CLOSED), make.season(program, 2025, Phase.CLOSED)
    other_season = make.season(other, 2025, Phase.CLOSED)
    h1, h2, h_other = (
        make.host(program, "Harbor Labs"),
        make.host(program, "Elm Robotics"),
        make.host(other, "Far Away"),
    )
    p24, p25a, p25b = make.position(h1, c24, slots=2), make.position(h1, c25), make.position(h2, c25, slots=2)
    p_other = make.position(h_other, other_season, slots=1)
    names = {n: f"Student{n} Dash" for n in range(1, 9)}
    s = {n: make.user(Role.STUDENT, program, name=names[n], email=f"s{n}@dash.example.org") for n in names}
    outsider = make.user(Role.STUDENT, other, name="Outsider Other", email="out@other.example.org")
    now = utcnow()
    with make.app.app_context():
        colleges = {
            "A": College(name="Alder Community College", kind="community"),
            "B": College(name="Birch State University", kind="public_four_year"),
            "C": College(name="Cedar College", kind="private"),
        }
        _db.session.add_all(colleges.values())
        _db.session.get(Position, p25a.id).hourly_pay = Decimal("22.00")
        _db.session.get(Position, p25b.id).hourly_pay = Decimal("25.00")
        _db.session.get(Position, p25b.id).hours_per_week = 30
        _db.session.flush()
        college_of = {1: "A", 2: "A", 3: "B", 4: "B", 5: "A", 6: "B", 7: "C", 8: "C"}
        for n, key in college_of.items():
            profile = _db.session.scalar(_db.select(StudentProfile).where(StudentProfile.user_id == s[n].id))
            profile.college_id, profile.major = colleges[key].id, "Biology" if n % 2 else "Chemistry"
        outsider_profile = _db.session.scalar(_db.select(StudentProfile).where(StudentProfile.user_id == outsider.id))
        outsider_profile.college_id = colleges["A"].id
        for n, season in [(1, c24), (2, c24), (3, c24), (5, c25), (6, c25), (7, c25), (8, c25)]:
            _db.session.add(
                Application(
                    season_id=season.id,
                    student_id=s[n].id,
                    status=ApplicationStatus.SUBMITTED,
                    submitted_at=now,
                    ranks_certified_at=now,
                )
            )
        _db.session.add(Application(season_id=c24.id, student_id=s[4].id, status=ApplicationStatus.STARTED))
        _db.session.add(
            Application(
                season_id=other_season.id,
                student_id=outsider.id,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now,
                ranks_certified_at=now,
            )
        )
        runs = {}
        for season, round_ in [(c24, 1), (c25, 1), (c25, 2), (other_season, 1)]:
            run = MatchRun(season_id=season.id, round=round_, status=RunStatus.DONE, published_at=now)
            _db.session.add(run)
            _db.session.flush()
            runs[(season.id, round_)] = run.id
        rows = [  # student, season, position, round, status, own rank, host rank, outcome
            (s[1], c24, p24, 1, PlacementStatus.COMPLETED, 1, 2, Outcome.HIRED),
            (s[3], c24, p24, 1, PlacementStatus.COMPLETED, 2, 1, Outcome.NONE),
            (s[5], c25, p25a, 1, PlacementStatus.ACCEPTED, 1, 1, Outcome.NONE),
            (s[6], c25, p25b, 1, PlacementStatus.DECLINED, 3, 1, Outcome.NONE),
            (s[7], c25, p25b, 2, PlacementStatus.OFFERED, 2, 2, Outcome.NONE),
            (outsider, other_season, p_other, 1, PlacementStatus.COMPLETED, 1, 1, Outcome.HIRED),
        ]
        for student, season, position, round_, status, own, host_rank, outcome in rows:
            _db.session.add(
                Placement(
                    season_id=season.id,
                    run_id=runs[(season.id, round_)],
                    student_id=student.id,
                    position_id=position.id,
                    round=round_,
                    status=status,
                    student_rank=own,
                    position_rank=host_rank,
                )
            )
            if outcome == Outcome.HIRED:  # recorded as the app records it: the dashboards read StudentOutcome
                _db.session.add(
                    StudentOutcome(
                        program_id=season.program_id,
                        student_id=student.id,
                        season_id=season.id,
                        kind=OutcomeKind.HIRED_BY_HOST,
                    )
                )
        _db.session.commit()
        college_ids = {key: college.id for key, college in colleges.items()}
    return SimpleNamespace(
        program=program,
        other=other,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        hosts={"H1": h1, "H2": h2, "other": h_other},
        students=s,
        outsider=outsider,
        colleges=college_ids,
        seasons={2024: c24, 2025: c25},
        positions={"p24": p24, "p25a": p25a, "p25b": p25b},
    )


@pytest.fixture
def outcome_world(app, make):
    """One program with seasons 2025 and 2026; Ana placed (completed) in both, Ben accepted in 2025
    only, Cy's 2025 offer declined. Another program with its own coordinator."""
    prog, other = make.program("Outcomes", slug="out"), make.program("Other", slug="oth")
    coordinator = make.user(Role.COORDINATOR, prog)
    other_coordinator = make.user(Role.COORDINATOR, other)
    s25, s26 = make.season(prog, 2025, Phase.CLOSED), make.season(prog, 2026, Phase.CLOSED)
    host, other_host = make.host(prog, "Harbor Labs"), make.host(prog, "Elm Robotics")
    member, stranger = make.member(host), make.member(other_host)
    p25, p26 = make.position(host, s25, slots=3), make.position(host, s26, slots=2)
    ana = make.user(Role.STUDENT, prog, email="ana@example.edu", name="Ana Rivera")
    ben = make.user(Role.STUDENT, prog, email="ben@example.edu", name="Ben Ode")
    cy = make.user(Role.STUDENT, prog, email="cy@example.edu", name="Cy Park")
    from types import SimpleNamespace

    from sprint.models import Placement, PlacementStatus

    with app.app_context():
        ids = {}
        for key, student, season, position, status in [
            ("ana25", ana, s25, p25, PlacementStatus.COMPLETED),
            ("ana26", ana, s26, p26, PlacementStatus.ACCEPTED),
            ("ben25", ben, s25, p25, PlacementStatus.ACCEPTED),
            ("cy25", cy, s25, p25, PlacementStatus.DECLINED),
        ]:
            placement = Placement(
                season_id=season.id, student_id=student.id, position_id=position.id, round=1, status=status
            )
            _db.session.add(placement)
            _db.session.flush()
            ids[key] = placement.id
        _db.session.commit()
    return SimpleNamespace(
        program=prog,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        member=member,
        stranger=stranger,
        s25=s25,
        s26=s26,
        ana=ana,
        ben=ben,
        placements=ids,
    )
