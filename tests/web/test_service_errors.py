"""The one error handler and the form helpers: a service error's type gives the status, its message is
what the user reads, and nothing the failed call wrote is kept, even when something commits afterwards.

The routes are a test app's own (the shared app has served requests, so it takes no new routes); each
writes a row, then raises, and an after-request hook commits, as a later write in the request would."""

from __future__ import annotations

import io
import re

import pytest
from flask import Blueprint, redirect, render_template_string, url_for
from flask_wtf import FlaskForm
from wtforms import StringField

from sprint import create_app
from sprint.errors import status_of
from sprint.extensions import db
from sprint.models import College, Role
from sprint.services.errors import NotAllowed, NotFound, ServiceError, StaleEdit
from sprint.views.forms_support import errors_flashed, errors_shown_on, status_for

ERRORS = {"rule": ServiceError, "refused": NotAllowed, "missing": NotFound, "stale": StaleEdit}
STATUS = {"rule": 400, "refused": 403, "missing": 404, "stale": 409}
PAGE = "{{ form.name.errors|join }}|{{ get_flashed_messages()|join }}"


class NameForm(FlaskForm):
    name = StringField()


def _half_write_then_raise(kind: str, field: str | None = None):
    db.session.add(College(name="Half-written College", state="CT"))
    db.session.flush()
    raise ERRORS[kind](f"The {kind} message.", field)


def _routes() -> Blueprint:
    bp = Blueprint("raising", __name__)

    @bp.post("/raise/<kind>")
    def bare(kind: str):
        _half_write_then_raise(kind)

    @bp.post("/form/<kind>")
    def form_page(kind: str):
        form = NameForm()
        if form.validate_on_submit():
            with errors_shown_on(form):
                _half_write_then_raise(kind, form.name.data or None)
                return redirect(url_for("main.index"))
        return render_template_string(PAGE, form=form), status_for(form)

    @bp.post("/flash/<kind>")
    def flashed(kind: str):
        with errors_flashed():
            _half_write_then_raise(kind)
        return redirect(url_for("main.index"))

    @bp.after_app_request
    def commit_afterwards(response):
        db.session.commit()  # whatever is still in the session now would be saved
        return response

    return bp


@pytest.fixture
def raising(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'errors.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "sprint.test",
            "QUEUE_URL": "immediate",  # no job consumer of its own left running after the test
        }
    )
    app.register_blueprint(_routes())
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _colleges(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(College.id)))


@pytest.mark.parametrize("kind", ERRORS)
def test_the_handler_answers_each_error_type_with_its_status_and_message(raising, kind):
    response = raising.test_client().post(f"/raise/{kind}")

    assert response.status_code == STATUS[kind]
    assert f"The {kind} message." in response.get_data(as_text=True)
    assert _colleges(raising) == 0


@pytest.mark.parametrize("kind", ERRORS)
def test_the_status_comes_from_the_type_whatever_the_message_says(kind):
    assert status_of(ERRORS[kind]("Someone changed this meanwhile.")) == STATUS[kind]


@pytest.mark.parametrize("kind", ["rule", "stale"])
def test_a_form_page_shows_the_message_with_the_errors_status_and_keeps_nothing(raising, kind):
    client = raising.test_client()

    flashed = client.post(f"/form/{kind}")
    on_field = client.post(f"/form/{kind}", data={"name": "name"})

    assert flashed.status_code == on_field.status_code == STATUS[kind]
    assert flashed.get_data(as_text=True) == f"|The {kind} message."
    assert on_field.get_data(as_text=True) == f"The {kind} message.|"
    assert _colleges(raising) == 0


@pytest.mark.parametrize("kind", ["refused", "missing"])
def test_a_refusal_on_a_form_page_is_the_error_page_not_a_form_message(raising, kind):
    response = raising.test_client().post(f"/form/{kind}")

    assert response.status_code == STATUS[kind]
    assert "<html" in response.get_data(as_text=True) and f"The {kind} message." in response.get_data(as_text=True)
    assert _colleges(raising) == 0


def test_a_flashed_error_goes_on_to_the_redirect_and_keeps_nothing(raising):
    client = raising.test_client()

    response = client.post("/flash/rule")

    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session["_flashes"] == [("danger", "The rule message.")]
    assert _colleges(raising) == 0
    assert client.post("/flash/refused").status_code == 403


# --- "not yours" is a 403, through the app's own pages ------------------------------------------


def test_confirming_another_coordinators_import_preview_is_refused_with_403(app, client, login, make):
    program = make.program()
    first, second = make.user(Role.COORDINATOR, program), make.user(Role.COORDINATOR, program)
    login(first)
    preview = client.post(
        "/coordinator/import",
        data={"kind": "colleges", "file": (io.BytesIO(b"name,state,kind\nGood College,CT,community\n"), "c.csv")},
    )
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    client.post("/logout")
    login(second)

    response = client.post("/coordinator/import/confirm", data={"payload": payload})

    assert response.status_code == 403 and "This preview is not yours" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(College.id))) == 0
