"""Fixtures shared by the app's tests.

The database is SQLite in a temporary file unless TEST_DATABASE_URL names another one
(CI sets it to a fresh PostgreSQL database). Tables are created once per run and emptied
after every test. No app context is held open around test-client requests: Flask-Login
keeps the user in `g`, which would leak between requests (research note P1).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sprint import create_app
from sprint.extensions import db as _db
from sprint.extensions import limiter
from sprint.models import (Cycle, HostCompany, HostMember, HostMemberRole, Phase, Position, Program,
                           Role, StudentProfile, User, utcnow)

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def base_app(database_url, tmp_path_factory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "MAIL_BACKEND": "locmem",
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "sprint.test",
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "MAIL_FILE_PATH": str(instance / "outbox"),
    })
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

    def cycle(self, program: Program, year: int = 2027, phase: Phase = Phase.APPLICATIONS) -> Cycle:
        now = utcnow()
        with self.app.app_context():
            cycle = Cycle(program_id=program.id, year=year, name=f"Summer {year}", phase=phase,
                          applications_open_at=now - timedelta(days=10),
                          applications_close_at=now + timedelta(days=10),
                          ranking_close_at=now + timedelta(days=20),
                          match_published_at=now + timedelta(days=25),
                          offer_deadline_at=now + timedelta(days=32))
            _db.session.add(cycle)
            _db.session.commit()
            _db.session.refresh(cycle)
            _db.session.expunge(cycle)
            return cycle

    def user(self, role: Role, program: Program | None = None, email: str | None = None,
             name: str | None = None, password: str = PASSWORD) -> User:
        n = self._next()
        with self.app.app_context():
            user = User(email=email or f"{role}{n}@example.org", name=name or f"{role.title()} {n}",
                        role=role, program_id=program.id if program else None)
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
            host = HostCompany(program_id=program.id, name=name or f"Host {self._next()}",
                               sector="Biotech", site_town="New Haven", approved=approved)
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

    def position(self, host: HostCompany, cycle: Cycle, slots: int = 1, title: str | None = None,
                 **fields) -> Position:
        with self.app.app_context():
            position = Position(host_id=host.id, cycle_id=cycle.id, title=title or f"Position {self._next()}",
                                slots=slots, hourly_pay=Decimal("20.00"), hours_per_week=40,
                                start_date=date(cycle.year, 6, 1), end_date=date(cycle.year, 8, 14),
                                site_town="New Haven", **fields)
            _db.session.add(position)
            _db.session.commit()
            _db.session.refresh(position)
            _db.session.expunge(position)
            return position


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
