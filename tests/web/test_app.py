"""The factory, configuration, role guards, CSRF and error pages."""

from __future__ import annotations

import pytest

from sprint import create_app
from sprint.config import ConfigError, normalise_database_url
from sprint.extensions import db
from sprint.models import Role


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))

    app = create_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/sprint.sqlite"


def test_the_embedded_database_checks_foreign_keys_and_lets_pages_read_during_a_write(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))
    app = create_app()

    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        db.engine.dispose()


def test_database_url_from_the_environment_selects_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal:5432/sprint")

    app = create_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal:5432/sprint"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))

    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]

    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SPRINT_ENV", "production")
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_to_start_in_debug_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("SPRINT_ENV", "production")
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))

    with pytest.raises(ConfigError, match="debug"):
        create_app({"DEBUG": True, "SECRET_KEY": "k" * 40})


def test_production_marks_cookies_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("SPRINT_ENV", "production")
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("BASE_URL", "https://placement.example.org")
    monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", "1")

    app = create_app()

    assert app.config["SESSION_COOKIE_SECURE"] and app.config["MAIL_BACKEND"] == "smtp"


def test_pages_load_bootstrap_from_the_app_itself(client):
    body = client.get("/").get_data(as_text=True)

    assert "/bootstrap/static/css/bootstrap.min.css" in body
    assert "cdn" not in body.lower() and "https://" not in body
    css = client.get("/bootstrap/static/css/bootstrap.min.css")
    assert css.status_code == 200 and b"Bootstrap" in css.data
    css.close()


def test_security_headers_and_a_strict_content_security_policy(client):
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy and "nonce-" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


HOMES = {Role.STUDENT: "/student/", Role.HOST: "/company/", Role.COORDINATOR: "/coordinator/", Role.ADMIN: "/admin/"}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_own_home_page_and_is_refused_the_others(client, make, login, role):
    program = make.program()
    if role == Role.HOST:
        user = make.member(make.host(program))
    else:
        user = make.user(role, None if role == Role.ADMIN else program)
    login(user)

    assert client.get("/").location.endswith(HOMES[role])
    assert client.get(HOMES[role]).status_code == 200
    for other, url in HOMES.items():
        if other != role:
            response = client.get(url)
            assert response.status_code == 403, url
            assert "You do not have access" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", list(HOMES.values()))
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302 and "/login?next=" in response.location


def test_a_host_account_without_a_company_is_refused(client, make, login):
    login(make.user(Role.HOST, make.program()))

    assert client.get("/company/").status_code == 403


def test_unknown_page_gets_the_404_page(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404 and "We could not find that page" in response.get_data(as_text=True)


def test_a_post_without_a_csrf_token_is_refused(base_app, make):
    make.program()
    base_app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = base_app.test_client().post("/register", data={"name": "X", "email": "x@example.org"})
    finally:
        base_app.config["WTF_CSRF_ENABLED"] = False

    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_a_post_with_a_csrf_token_is_accepted(base_app, make):
    import re

    program = make.program()
    make.season(program)
    base_app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = base_app.test_client()
        page = client.get("/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post(
            "/register",
            data={
                "csrf_token": token,
                "name": "X Y",
                "email": "xy@example.org",
                "program": program.id,
                "password": "correct horse battery",
                "confirm": "correct horse battery",
            },
        )
    finally:
        base_app.config["WTF_CSRF_ENABLED"] = False

    assert response.status_code == 302


def test_health_check(client):
    body = client.get("/healthz").get_json()

    assert (body["status"], body["database"], body["queue"], body["worker"]) == ("ok", "ok", "ok", "immediate")
