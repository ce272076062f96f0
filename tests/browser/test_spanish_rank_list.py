"""A Spanish-speaking student switches to Español and completes the rank list in Spanish: applies to one
more position, orders the list, saves a draft and certifies it; at desktop and at phone width, with
screenshots (test-output/screenshots/es-*.png) and no part of the page wider than the screen."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from browser_support import rank_rows, screenshot
from playwright.sync_api import Page, expect

from sprint.extensions import db
from sprint.models import (
    Application,
    College,
    HostCompany,
    Phase,
    Position,
    PositionInterest,
    Program,
    Role,
    Season,
    Skill,
    StudentProfile,
    StudentRank,
    User,
    utcnow,
)
from sprint.services.market import profiles

PASSWORD = "contraseña-segura-2027"
TITLES = ("Asistente de laboratorio clínico", "Técnica de campo ambiental", "Analista de datos de salud pública")


def _student(email: str) -> dict:
    """A program taking applications, three positions, and a student with a full profile who applied to two."""
    now = utcnow()
    program = Program(name=f"Nutmeg {email}", slug=email.split("@")[0].replace(".", "-"), region="Hartford")
    db.session.add(program)
    db.session.flush()
    season = Season(
        program_id=program.id,
        year=2027,
        name="Verano 2027",
        phase=Phase.APPLICATIONS,
        applications_open_at=now - timedelta(days=5),
        applications_close_at=now + timedelta(days=10),
        ranking_close_at=now + timedelta(days=20),
        match_published_at=now + timedelta(days=25),
        offer_deadline_at=now + timedelta(days=32),
    )
    host = HostCompany(program_id=program.id, name="Laboratorios Charter Oak", sector="Salud", site_town="Hartford")
    host.approved = True
    college = College(
        name=f"Capital Community College ({email.split('@')[0]})", kind="community", state="CT", confirmed=True
    )
    skill = db.session.scalar(db.select(Skill).where(Skill.name == "excel")) or Skill(name="excel")
    db.session.add_all([season, host, college, skill])
    db.session.flush()
    positions = [
        Position(
            host_id=host.id,
            season_id=season.id,
            title=title,
            slots=1,
            description="Un verano de trabajo real.",
            hourly_pay=Decimal("24.00"),
            hours_per_week=35,
            start_date=date(2027, 6, 7),
            end_date=date(2027, 8, 13),
            site_town="Hartford",
        )
        for title in TITLES
    ]
    db.session.add_all(positions)
    student = User(email=email, name="Lucía Pérez Hernández", role=Role.STUDENT, program_id=program.id)
    student.set_password(PASSWORD)
    profile = StudentProfile(
        user=student,
        college_id=college.id,
        major="Biotecnología",
        class_year=2028,
        work_authorized=True,
        age_confirmed=True,
    )
    profile.skills = [skill]
    db.session.add_all([student, profile])
    db.session.flush()
    application = Application(season_id=season.id, student_id=student.id, status="submitted", submitted_at=now)
    application.interests = [
        PositionInterest(position_id=p.id, statement="Me interesa mucho este trabajo.") for p in positions[:2]
    ]
    application.ranks = [StudentRank(position_id=p.id, rank=n) for n, p in enumerate(positions[:2], 1)]
    db.session.add(application)
    db.session.commit()
    profiles.save_resume(student, b"%PDF-1.4\n%%EOF\n", "cv.pdf")
    return {"positions": [p.id for p in positions], "student": student.id}


def _fits(page: Page) -> None:
    """Nothing sticks out sideways: the page is no wider than the window (longer Spanish strings wrap)."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *, nav *, footer *')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null
                           && !e.closest('.visually-hidden, .collapse:not(.show)'))
              .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40))"""
    )
    assert wide == [], wide


@pytest.mark.parametrize("width,height,name", [(1280, 800, "desktop"), (390, 844, "phone")])
def test_a_student_completes_the_rank_list_in_spanish(live_server, context_for, width, height, name) -> None:
    email = f"lucia.{name}@example.org"
    ids = live_server.run(lambda: _student(email))
    page = context_for(viewport={"width": width, "height": height}).new_page()

    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Español").click()  # the footer's switch, before logging in
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_text("Te damos la bienvenida, Lucía Pérez Hernández.")).to_be_visible()
    expect(page.locator("footer").get_by_role("button", name="Español")).to_have_attribute("aria-current", "true")
    assert live_server.run(lambda: db.session.get(User, ids["student"]).locale) == "es"  # saved on her account

    page.goto(f"/student/positions/{ids['positions'][2]}")  # adds the third position
    expect(page.get_by_role("heading", name="Qué harás")).to_be_visible()
    expect(page.get_by_text("24,00 US$/hora").first).to_be_visible()
    page.get_by_label("¿Por qué este puesto? (unas pocas oraciones)").fill(
        "Quiero aprender análisis de datos en salud."
    )
    page.get_by_role("button", name="Postularme").click()
    expect(page.get_by_text("Ahora está al final de tu lista de preferencias.")).to_be_visible()

    page.goto("/student/ranks")
    expect(page.get_by_role("heading", name="Mi lista de preferencias para Verano 2027")).to_be_visible()
    rows = rank_rows(page)
    assert len(rows) == 3
    first, second, third = rows
    page.locator(f"input[name='{first}']").fill("3")
    page.locator(f"input[name='{second}']").fill("2")
    page.locator(f"input[name='{third}']").fill("1")
    page.get_by_role("button", name="Guardar borrador").click()
    expect(page.get_by_text("Tu borrador se guardó. Certifícalo antes de la fecha límite.")).to_be_visible()
    assert rank_rows(page) == [third, second, first]

    # the Up and Down buttons (the script shows them): Subir moves the second row to the top
    page.locator(f"li:has(input[name='{second}'])").get_by_role("button", name="Subir").click()
    expect(page.locator("[data-ranklist-status]")).to_contain_text("pasó al lugar 1 de 3")
    assert rank_rows(page) == [second, third, first]
    _fits(page)
    page.locator("ol.ranklist").scroll_into_view_if_needed()  # the rows and their buttons in the picture
    screenshot(page, f"es-rank-list-{name}")

    page.get_by_role("button", name="Certificar mi lista").click()
    expect(page.get_by_text("Tu lista de preferencias está certificada: se usará en la asignación.")).to_be_visible()
    expect(page.get_by_text("Certificada el")).to_be_visible()
    certified = live_server.run(
        lambda: db.session.scalar(
            db.select(Application.ranks_certified_at).where(Application.student_id == ids["student"])
        )
    )
    assert certified is not None
    _fits(page)
    screenshot(page, f"es-rank-list-certified-{name}")

    page.goto("/student/")
    expect(page.get_by_role("heading", name="Tus fechas límite")).to_be_visible()
    _fits(page)
    screenshot(page, f"es-dashboard-{name}")
