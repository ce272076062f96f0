"""Finding 5: colleges are shared facts: only administrators change them, and every program using
one sees its history."""

from __future__ import annotations

import io

import pytest

from sprint.extensions import db
from sprint.models import AuditEvent, College, Role, StudentProfile, User
from sprint.services.directory import audit_log, colleges
from sprint.services.errors import NotAllowed


@pytest.fixture
def shared(app, make):
    """One college used by students of program 1 and program 2; program 3 does not use it."""
    programs = [make.program(name=f"Program {n}") for n in (1, 2, 3)]
    students = [make.user(Role.STUDENT, program) for program in programs[:2]]
    people = {
        "coordinator1": make.user(Role.COORDINATOR, programs[0]),
        "coordinator2": make.user(Role.COORDINATOR, programs[1]),
        "coordinator3": make.user(Role.COORDINATOR, programs[2]),
        "admin": make.user(Role.ADMIN),
    }
    with app.app_context():
        college = College(name="Gateway Community College", state="CT", kind="community")
        db.session.add(college)
        db.session.flush()
        for student in students:
            db.session.scalar(
                db.select(StudentProfile).where(StudentProfile.user_id == student.id)
            ).college_id = college.id
        db.session.commit()
        college_id = college.id
    return programs, people, college_id


def test_a_coordinator_cannot_edit_a_shared_college(app, client, login, shared):
    programs, people, college_id = shared
    login(people["coordinator2"])

    page = client.get(f"/coordinator/colleges/{college_id}")
    post = client.post(f"/coordinator/colleges/{college_id}", data={"name": "Renamed", "kind": "other"})
    admin_page = client.post(f"/admin/colleges/{college_id}", data={"name": "Renamed", "kind": "other"})

    assert (page.status_code, post.status_code, admin_page.status_code) == (404, 404, 403)
    with app.app_context():
        assert db.session.get(College, college_id).name == "Gateway Community College"
        with pytest.raises(NotAllowed):
            colleges.update_college(
                db.session.get(User, people["coordinator2"].id),
                db.session.get(College, college_id),
                "Renamed",
                "other",
                False,
            )


def test_a_coordinators_college_import_cannot_change_a_shared_college(app, client, login, shared):
    programs, people, college_id = shared
    login(people["coordinator2"])
    csv = b"name,state,town,kind\nGateway Community College,CT,Elsewhere,private\nNew College,CT,Hamden,private\n"

    preview = client.post("/coordinator/import", data={"kind": "colleges", "file": (io.BytesIO(csv), "c.csv")})

    assert preview.status_code == 422
    assert "only an administrator changes it" in preview.get_data(as_text=True)
    with app.app_context():
        college = db.session.get(College, college_id)
        assert (college.kind, college.town, college.confirmed) == ("community", "", True)


def test_an_admins_change_shows_in_the_audit_log_of_every_program_that_uses_the_college(app, client, login, shared):
    programs, people, college_id = shared
    login(people["admin"])

    response = client.post(
        f"/admin/colleges/{college_id}", data={"name": "Gateway CC (New Haven)", "kind": "community", "confirmed": "y"}
    )

    assert response.status_code == 302
    with app.app_context():
        seen = {n: [event.action for event in audit_log.events(programs[n].id)[0]] for n in range(3)}
    assert seen[0] == seen[1] == ["college.updated"]
    assert seen[2] == []
    client.post("/logout")
    login(people["coordinator1"])
    log = client.get("/coordinator/runs/audit").get_data(as_text=True)
    assert "college.updated" in log and "Gateway CC (New Haven)" in log


def test_the_admin_list_shows_colleges_to_confirm(app, client, login, shared):
    programs, people, college_id = shared
    with app.app_context():
        db.session.add(College(name="Typed In College", state="CT", confirmed=False))
        db.session.commit()
    login(people["admin"])

    page = client.get("/admin/colleges?unconfirmed=1").get_data(as_text=True)

    assert "Typed In College" in page and "Gateway Community College" not in page


def test_program_audit_events_stay_in_their_program(app, shared):
    programs, people, college_id = shared
    with app.app_context():
        db.session.add(
            AuditEvent(program_id=programs[0].id, action="host.approved", object_type="HostCompany", object_id=1)
        )
        db.session.commit()
        assert audit_log.events(programs[1].id)[0] == []
