"""Finding 7 (and issue 11's campus address): login limits count failures, per account and per address."""

from __future__ import annotations

import pytest
from races import at_once

from sprint import create_app
from sprint.config import ConfigError
from sprint.extensions import db, limiter
from sprint.models import Role

RIGHT, WRONG = "correct horse battery", "wrong guess!"


@pytest.fixture
def limited(app):
    """A second app with rate limiting on (the suite's app has it off): 3 failures per account, 5 per address."""

    def make(**settings):
        limited_app = create_app(
            {
                **{
                    key: app.config[key]
                    for key in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MAIL_BACKEND", "UPLOAD_FOLDER", "SERVER_NAME")
                },
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
                "QUEUE_URL": "immediate",  # no job consumer of its own against the test database
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "memory://",
                "LOGIN_FAILURES_PER_ACCOUNT": "3 per minute",
                "LOGIN_FAILURES_PER_ADDRESS": "5 per minute",
                **settings,
            }
        )
        made.append(limited_app)
        return limited_app

    made = []
    yield make
    for limited_app in made:
        with limited_app.app_context():
            limiter.reset()
            db.engine.dispose()
    limiter.enabled = False  # one limiter object serves every app in this process


def _login(client, email, password, address="10.0.0.1", **extra):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}, **extra
    ).status_code


def test_successful_logins_never_use_up_a_campus_address(limited, make):
    app = limited()
    students = [make.user(Role.STUDENT, make.program()) for _ in range(12)]  # more than the old 10 per minute

    statuses = [_login(app.test_client(), student.email, RIGHT, "192.0.2.7") for student in students]

    assert statuses == [302] * 12


def test_failures_per_account_lock_new_browsers_but_not_the_owners_own(limited, make):
    app = limited()
    student = make.user(Role.STUDENT, make.program())
    owner = app.test_client()
    assert _login(owner, student.email, RIGHT, "198.51.100.1") == 302
    owner.post("/logout")
    attacker = [_login(app.test_client(), student.email, WRONG, f"203.0.113.{i}") for i in range(5)]

    new_browser = _login(app.test_client(), student.email, RIGHT, "198.51.100.2")
    owners_browser = _login(owner, student.email, RIGHT, "198.51.100.1")

    assert attacker == [400, 400, 400, 429, 429]
    assert new_browser == 429  # an unknown browser waits, right password or not: no guessing oracle
    assert owners_browser == 302


def test_failures_per_address_count_across_accounts(limited, make):
    app = limited()
    program = make.program()
    students = [make.user(Role.STUDENT, program) for _ in range(7)]
    client = app.test_client()

    statuses = [_login(client, student.email, WRONG, "203.0.113.9") for student in students]
    right_password = _login(app.test_client(), students[0].email, RIGHT, "203.0.113.9")
    elsewhere = _login(app.test_client(), students[0].email, RIGHT, "198.51.100.3")

    assert statuses == [400] * 5 + [429, 429]
    assert right_password == 429 and elsewhere == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(limited, make):
    app = limited(TRUSTED_PROXIES=1)
    program = make.program()
    students = [make.user(Role.STUDENT, program) for _ in range(6)]
    client = app.test_client()

    from_one = [
        _login(client, s.email, WRONG, "10.0.0.1", headers={"X-Forwarded-For": "203.0.113.5"}) for s in students
    ]
    from_another = _login(client, students[0].email, RIGHT, "10.0.0.1", headers={"X-Forwarded-For": "198.51.100.8"})

    assert from_one[-1] == 429 and from_another == 302


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(limited, make):
    app = limited()
    program = make.program()
    students = [make.user(Role.STUDENT, program) for _ in range(6)]
    client = app.test_client()

    statuses = [
        _login(client, s.email, WRONG, "10.0.0.1", headers={"X-Forwarded-For": f"198.51.100.{i}"})
        for i, s in enumerate(students)
    ]

    assert statuses[-1] == 429  # the attacker cannot pick a new address per guess


def test_concurrent_wrong_guesses_get_exactly_the_allowance(limited, make):
    app = limited()
    student = make.user(Role.STUDENT, make.program())
    clients = [app.test_client() for _ in range(12)]

    statuses = at_once(
        [lambda c=c, i=i: _login(c, student.email, WRONG, f"203.0.113.{i}") for i, c in enumerate(clients)]
    )

    assert sorted(statuses) == [400] * 3 + [429] * 9


def test_the_answer_to_too_many_attempts_says_when_to_come_back(limited, make):
    app = limited()
    student = make.user(Role.STUDENT, make.program())
    client = app.test_client()
    for _ in range(3):
        _login(client, student.email, WRONG)

    response = client.post(
        "/login", data={"email": student.email, "password": WRONG}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )

    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 60
    assert "Too many failed logins" in response.get_data(as_text=True)


def test_production_refuses_memory_storage_unless_allowed(tmp_path, monkeypatch):
    monkeypatch.setenv("SPRINT_ENV", "production")
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("BASE_URL", "https://placement.example.org")

    with pytest.raises(ConfigError, match="memory://"):
        create_app()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_with_the_shared_store_down_logins_work_and_failures_are_still_limited(limited, make, monkeypatch):
    app = limited()
    student = make.user(Role.STUDENT, make.program())
    client = app.test_client()
    client.get("/login")  # the limiter binds its strategy to the app on the first request

    class Unreachable:  # Redis restarting: every call of the store's client fails
        def __getattr__(self, name):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(limiter.limiter, "storage", Unreachable())
    guesses = [_login(app.test_client(), student.email, WRONG, f"203.0.113.{i}") for i in range(5)]
    owner = _login(app.test_client(), student.email, RIGHT, "203.0.113.200")

    assert guesses == [400, 400, 400, 429, 429]  # counted in memory: no error page, no unlimited guessing
    assert owner == 429  # a new browser waits, as it would with the store up
