"""Finding 1: emailed links take their host from configuration, and unknown hosts are refused."""

from __future__ import annotations

import io
import re

import pytest

from sprint import create_app
from sprint.config import ConfigError
from sprint.models import Role

LINK = re.compile(r"(https?://[^/\s]+)/\S+")


def _hosts_in(message) -> set[str]:
    return set(LINK.findall(message.body))


def test_a_forged_host_header_is_refused_and_no_reset_email_is_sent(client, make, outbox):
    student = make.user(Role.STUDENT, make.program())

    response = client.post("/forgot-password", data={"email": student.email}, base_url="https://attacker.invalid")

    assert response.status_code == 400
    assert outbox == []


def test_the_reset_link_uses_the_base_url_even_when_the_request_named_another_trusted_host(client, make, outbox):
    student = make.user(Role.STUDENT, make.program())

    client.post("/forgot-password", data={"email": student.email}, base_url="http://localhost:5000")

    assert len(outbox) == 1 and _hosts_in(outbox[0]) == {"http://sprint.test"}


def test_invitation_and_import_welcome_links_use_the_base_url(app, client, make, outbox):
    program = make.program()
    coordinator = make.user(Role.COORDINATOR, program)
    host = make.host(program)
    local = "http://127.0.0.1:5000"  # a trusted host that is not the base URL's
    client.post("/login", data={"email": coordinator.email, "password": "correct horse battery"}, base_url=local)

    client.post(
        "/coordinator/invite",
        data={"email": "new@harbor.example", "role": "host", "host": host.id, "host_role": "member"},
        base_url=local,
    )
    preview = client.post(
        "/coordinator/import",
        base_url=local,
        data={"kind": "students", "file": (io.BytesIO(b"email,name\nana@example.edu,Ana Rivera\n"), "s.csv")},
    )
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    client.post("/coordinator/import/confirm", data={"payload": payload}, base_url=local)

    assert [message.to for message in outbox] == [["new@harbor.example"], ["ana@example.edu"]]
    assert all(_hosts_in(message) == {"http://sprint.test"} for message in outbox)


def test_production_builds_links_from_base_url_and_answers_only_its_host(tmp_path, monkeypatch):
    monkeypatch.setenv("SPRINT_ENV", "production")
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("BASE_URL", "https://placement.example.org/")
    monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", "1")
    app = create_app()

    assert app.config["BASE_URL"] == "https://placement.example.org"
    assert app.config["TRUSTED_HOSTS"] == ["placement.example.org"]
    client = app.test_client()
    assert client.get("/healthz", base_url="https://placement.example.org").status_code == 200
    assert client.get("/healthz", base_url="https://attacker.invalid").status_code == 400
    assert client.get("/healthz", base_url="https://localhost").status_code == 400


@pytest.mark.parametrize("configured, message", [("", "set BASE_URL"), ("http://placement.example.org", "https://")])
def test_production_refuses_to_start_without_an_https_base_url(tmp_path, monkeypatch, configured, message):
    monkeypatch.setenv("SPRINT_ENV", "production")
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", "1")
    monkeypatch.setenv("BASE_URL", configured)

    with pytest.raises(ConfigError, match=message):
        create_app()


def test_the_private_calendar_link_on_the_account_page_uses_the_base_url(client, make, password):
    student = make.user(Role.STUDENT, make.program())
    other_host = "http://localhost:5000"  # a trusted name, but not the configured base URL
    client.post("/login", data={"email": student.email, "password": password}, base_url=other_host)

    page = client.get("/account", base_url=other_host).get_data(as_text=True)

    links = re.findall(r'value="(https?://[^/"]+)/calendar/[^"]+\.ics"', page)
    assert links == ["http://sprint.test"]
