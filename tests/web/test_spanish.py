"""Spanish for students: the language a page is shown in, the switch that saves it, and the student
pages, form errors, dates, money and emails in Spanish (English stays the default)."""

from __future__ import annotations

import re

import pytest
from babel.dates import format_date
from flask import url_for

from sprint.extensions import db
from sprint.models import OutboxEmail, Phase, Role, User
from sprint.services.accounts import users
from sprint.services.support import local_time
from sprint.services.support.notify import send_email


def _set_locale(app, user: User, locale: str | None) -> None:
    with app.app_context():
        db.session.get(User, user.id).locale = locale
        db.session.commit()


def _locale_of(app, user: User) -> str | None:
    with app.app_context():
        return db.session.get(User, user.id).locale


def _url(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


@pytest.fixture
def market(app, make):
    """A season taking applications: a student (complete profile, résumé) who applied to two of three positions."""
    program = make.program()
    season = make.season(program, phase=Phase.APPLICATIONS)
    host = make.host(program, name="Elm Bio")
    first = make.position(host, season, title="Lab intern")
    second = make.position(host, season, title="Data intern")
    make.position(host, season, title="Field intern")
    student = make.user(Role.STUDENT, program, name="Lucía Pérez")
    make.application(season, student, first)
    with app.app_context():
        from sprint.models import Application, PositionInterest, StudentRank

        application = db.session.scalar(db.select(Application).where(Application.student_id == student.id))
        application.interests.append(PositionInterest(position_id=second.id, statement="Keen too"))
        application.ranks.append(StudentRank(position_id=second.id, rank=2))
        db.session.commit()
    return program, season, student, first, second


def test_english_is_the_default_and_accept_language_picks_spanish(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page and "Forgot your password?" in page
    spanish = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="es">' in spanish
    assert "Iniciar sesión" in spanish and "¿Olvidaste tu contraseña?" in spanish and "Correo electrónico" in spanish
    other = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in other  # neither English nor Spanish asked for: English


def test_an_anonymous_visitor_switches_and_the_choice_outlives_the_session(client):
    response = client.post("/language", data={"locale": "es", "next": "/register"})
    assert response.status_code == 302 and response.location.endswith("/register")
    page = client.get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page and "Crea tu cuenta de estudiante" in page  # the choice beats the browser
    assert 'aria-current="true">Español</button>' in page
    client.post("/language", data={"locale": "en", "next": "/register"})
    assert "Create your student account" in client.get("/register").get_data(as_text=True)


def test_switching_saves_on_the_user_and_survives_logout_and_login(app, make, login, client, password):
    program = make.program()
    make.season(program)
    student = make.user(Role.STUDENT, program)
    login(student)
    response = client.post("/language", data={"locale": "es", "next": "/student/profile?x=1"})
    assert response.status_code == 302 and response.location.endswith("/student/profile?x=1")
    assert _locale_of(app, student) == "es"
    with app.app_context():
        events = db.session.scalars(db.text("SELECT action FROM audit_event WHERE action = 'account.locale_changed'"))
        assert list(events) == ["account.locale_changed"]
    client.post("/logout")
    fresh = app.test_client()  # another device: no cookie, an English browser
    fresh.post("/login", data={"email": student.email, "password": password}, headers={"Accept-Language": "en"})
    page = fresh.get("/student/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page and "Mi temporada" in page and "Tus fechas límite" in page
    fresh.post("/language", data={"locale": "en", "next": "/student/"})
    assert _locale_of(app, student) == "en"
    assert "Your deadlines" in fresh.get("/student/").get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example/phish", "javascript:alert(1)", ""],
)
def test_the_switch_goes_back_only_to_a_local_path(client, target):
    response = client.post("/language", data={"locale": "es", "next": target})
    assert response.status_code == 302
    assert response.location in ("/", "http://sprint.test/")  # the home page, never the other site


def test_a_choice_made_before_logging_in_is_saved_on_the_account(app, make, client, password):
    program = make.program()
    student, chosen_before = make.user(Role.STUDENT, program), make.user(Role.STUDENT, program)
    _set_locale(app, chosen_before, "en")
    client.post("/language", data={"locale": "es", "next": "/login"})
    client.post("/login", data={"email": student.email, "password": password})
    assert _locale_of(app, student) == "es"
    client.post("/logout")
    client.post("/login", data={"email": chosen_before.email, "password": password})
    assert _locale_of(app, chosen_before) == "en"  # a saved choice is not overwritten by the cookie
    assert '<html lang="en">' in client.get("/student/").get_data(as_text=True)


def test_the_switch_refuses_another_language_and_a_get(client):
    response = client.post("/language", data={"locale": "fr", "next": "/"})
    assert response.status_code == 400
    assert "sprint_locale" not in response.headers.get("Set-Cookie", "")
    assert client.get("/language").status_code == 405
    nul = client.post("/language", data={"locale": "es", "next": "/\x00"})
    assert nul.status_code == 400


def test_the_student_pages_in_spanish(app, market, login, client):
    program, season, student, first, second = market
    _set_locale(app, student, "es")
    login(student)
    pages = {
        "student.dashboard": ({}, ["Hola, Lucía Pérez", "Tus fechas límite", "Certifica tu lista antes del"]),
        "student.browse": ({}, ["Puestos en Summer 2027", "3 puestos", "Todos los puestos son pagados"]),
        "student.position": ({"position_id": first.id}, ["Qué harás", "Habilidades requeridas", "Te postulaste"]),
        "student.ranks": ({}, ["Mi lista de preferencias para Summer 2027", "Certificar mi lista", "Guardar borrador"]),
        "student.profile": ({}, ["Mi perfil", "Estudios y habilidades", "Guardar perfil", "Prefiero no decirlo"]),
    }
    for endpoint, (values, expected) in pages.items():
        response = client.get(_url(app, endpoint, **values))
        page = response.get_data(as_text=True)
        assert response.status_code == 200, endpoint
        assert '<html lang="es">' in page, endpoint
        for text in expected:
            assert text in page, (endpoint, text)
        assert "Mi temporada" in page and "Lista de preferencias" in page  # the menu
        assert "Cerrar sesión" in page and "Log out" not in page
    position = client.get(_url(app, "student.position", position_id=first.id)).get_data(as_text=True)
    assert "20,00\xa0US$/hora" in position  # money by CLDR's Spanish pattern
    assert "1 jun 2027" in position and "14 ago 2027" in position  # dates in Spanish
    dashboard = client.get("/student/").get_data(as_text=True)
    with app.app_context():
        deadline = local_time.to_local(season.ranking_close_at, local_time.zone_of(program))
    assert format_date(deadline, "medium", locale="es") in dashboard  # "15 mar 2027" style
    spanish_time = (
        r"\d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept|oct|nov|dic) \d{4}, \d{1,2}:\d\d\s?[ap]\.\s?m\. E[SD]T"
    )
    assert re.search(spanish_time, dashboard)  # "15 mar 2027, 11:59 p.m. EDT": US Spanish names the zone


def test_an_invitation_noticed_in_english_is_listed_in_spanish_after_the_switch(app, market, make, login, client):
    program, season, student, first, _second = market
    member = make.member(first.host)
    with app.app_context():  # the host invites while the student reads English
        from sprint.models import Position
        from sprint.services.market import interviews

        interviews.invite(db.session.get(User, member.id), db.session.get(Position, first.id), {student.id})
    _set_locale(app, student, "es")
    login(student)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Elm Bio te invita a una entrevista para Lab intern" in page
    assert "invites you to interview" not in page


def test_a_form_error_in_spanish(app, market, login, client):
    *_, student, _first, _second = market
    _set_locale(app, student, "es")
    login(student)
    response = client.post("/student/profile", data={"major": "", "class_year": "not a year", "phone": "abc"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Corrige los campos marcados abajo." in page
    assert "Este campo es obligatorio." in page  # WTForms' own message, translated (WTF_I18N_ENABLED)
    assert "Usa solo dígitos, espacios y + ( ) -." in page  # our own message


def test_the_offer_pages_and_flash_in_spanish(app, world, client):
    people, values = world
    with app.app_context():
        student = db.session.scalar(db.select(User).where(User.email == people["student"]))
        student.locale = "es"
        db.session.commit()
    client.post("/login", data={"email": people["student"], "password": "correct horse battery"})
    dashboard = client.get("/student/").get_data(as_text=True)
    assert "Se te asignó <strong>Lab intern</strong> en <strong>Elm Bio</strong>." in dashboard
    assert "Aceptar la oferta…" in dashboard
    accept = client.get(_url(app, "student.accept_offer", placement_id=values["placement_id"])).get_data(as_text=True)
    assert "¿Aceptas tu oferta para Lab intern en Elm Bio?" in accept and "Qué pasa" in accept
    assert "Cancelar" in accept and "Aceptar la oferta" in accept
    decline = client.get(_url(app, "student.decline_offer", placement_id=values["placement_id"]))
    assert "Rechazar la oferta" in decline.get_data(as_text=True)
    response = client.post(
        _url(app, "student.accept_offer", placement_id=values["placement_id"]), data={"confirm": "y"}
    )
    assert response.status_code == 302
    assert "¡Felicitaciones! Aceptaste la oferta." in client.get("/student/").get_data(as_text=True)
    again = client.post(
        _url(app, "student.accept_offer", placement_id=values["placement_id"]),
        data={"confirm": "y"},
        follow_redirects=True,
    )
    assert "Ya aceptaste esta oferta." in again.get_data(as_text=True)  # a service's refusal, translated


def test_a_refused_resume_is_explained_in_spanish(app, market, login, client):
    import io

    *_, student, _first, _second = market
    _set_locale(app, student, "es")
    login(student)
    response = client.post(
        "/student/resume",
        data={"resume": (io.BytesIO(b"just text, not a PDF"), "cv.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Ese archivo no es un PDF (diga lo que diga su nombre)." in response.get_data(as_text=True)


def test_error_pages_in_spanish(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "No encontramos esa página" in page and "Ir a tu página de inicio" in page
    login = client.get("/student/", headers={"Accept-Language": "es"}, follow_redirects=True).get_data(as_text=True)
    assert "Inicia sesión para ver esa página." in login  # Flask-Login's message, in the visitor's language


def test_an_email_to_a_spanish_speaking_student_is_in_spanish(app, make):
    program = make.program()
    student = make.user(Role.STUDENT, program, name="Lucía Pérez")
    english = make.user(Role.STUDENT, program, name="Ann Lee")
    _set_locale(app, student, "es")
    with app.app_context():  # no request, as in a background job
        users.request_password_reset(student.email)
        users.request_password_reset(english.email)
        db.session.commit()
        bodies = {e.recipient: (e.subject, e.body) for e in db.session.scalars(db.select(OutboxEmail))}
    subject, body = bodies[student.email]
    assert subject == "[SPRINT] Restablece tu contraseña"
    assert body.startswith("Hola, Lucía Pérez:") and "Si no lo pediste, ignora este correo" in body
    subject, body = bodies[english.email]
    assert subject == "[SPRINT] Reset your password" and body.startswith("Hello Ann Lee,")


def test_a_job_email_renders_dates_in_the_recipients_language(app, make):
    program = make.program()
    season = make.season(program)
    student = make.user(Role.STUDENT, program, name="Lucía Pérez")
    with app.app_context():  # the reminder job's call, outside any request
        from sprint.models import Season

        season = db.session.get(Season, season.id)
        for locale in ("es", None):
            send_email(
                f"{locale}@example.org",
                "x",
                "reminder_student",
                program=season.program,
                locale=locale,
                student=student,
                season=season,
            )
        db.session.commit()
        bodies = {e.recipient: e.body for e in db.session.scalars(db.select(OutboxEmail))}
        zone = local_time.zone_of(season.program)
        day = local_time.to_local(season.ranking_close_at, zone)
    spanish, english = bodies["es@example.org"], bodies["None@example.org"]
    assert "Tu lista de preferencias de Summer 2027 todavía no está certificada." in spanish
    assert format_date(day, "medium", locale="es") in spanish and "Please check the order" not in spanish
    assert english.startswith("Hello Lucía Pérez,") and format_date(day, "medium", locale="en_US") in english
