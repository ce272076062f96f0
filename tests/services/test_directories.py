"""Directory lists: program scoping, filters, search, privacy, host approval and deactivation."""

from __future__ import annotations

import pytest

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    College,
    HostCompany,
    HostSize,
    Invitation,
    Phase,
    Role,
    Season,
    StudentProfile,
    User,
)
from sprint.services.directory import colleges, directories, edits
from sprint.services.errors import NotAllowed, ServiceError
from sprint.services.season import queries


@pytest.fixture
def program(make):
    return make.program()


def test_students_list_is_scoped_searchable_and_shows_no_self_identification(appctx, make, program):
    season = make.season(program)
    ana = make.user(Role.STUDENT, program, name="Ana Rivera")
    make.user(Role.STUDENT, program, name="Bo Chen")
    make.user(Role.STUDENT, make.program(), name="Ana Elsewhere")
    profile = db.session.scalar(db.select(StudentProfile).where(StudentProfile.user_id == ana.id))
    profile.first_generation, profile.gender, profile.major = True, "woman", "Biology"
    db.session.commit()

    page = directories.page_of(program.id, "students", db.session.get(Season, season.id), search="ana")

    assert page.total == 1 and page.items[0]["name"] == "Ana Rivera" and page.items[0]["major"] == "Biology"
    assert page.items[0]["application"] == "not started"
    assert not {"first_generation", "pell_eligible", "cc_transfer", "gender", "race_ethnicity"} & set(page.items[0])


def test_search_treats_percent_and_underscore_as_plain_text(appctx, make, program):
    make.user(Role.STUDENT, program, name="Plain Name")

    assert directories.page_of(program.id, "students", None, search="%").total == 0
    assert directories.page_of(program.id, "students", None, search="_").total == 0


def test_pages_hold_the_page_size_and_the_last_page_is_clamped(appctx, make, program):
    for n in range(7):
        make.user(Role.COORDINATOR, program, name=f"Staff {n}")

    page = directories.page_of(program.id, "staff", None, page=9, per_page=3)

    assert (page.total, page.pages, page.page, len(page.items)) == (7, 3, 3, 1)


def test_host_approval_shows_and_hides_its_positions(appctx, make, program):
    coordinator = make.user(Role.COORDINATOR, program)
    season = make.season(program, phase=Phase.APPLICATIONS)
    host = make.host(program, approved=False)
    make.position(host, season)
    actor = db.session.get(User, coordinator.id)
    world = db.session.get(Season, season.id)
    assert queries.open_positions_count(world) == 0
    assert [row["name"] for row in directories.page_of(program.id, "hosts", world, filter_="unapproved").items] == [
        host.name
    ]

    edits.set_host_approval(actor, edits.host_for(actor, host.id), True)
    assert queries.open_positions_count(world) == 1

    edits.set_host_approval(actor, db.session.get(HostCompany, host.id), False)
    assert queries.open_positions_count(world) == 0
    actions = list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["host.approved", "host.unapproved"]


def test_another_programs_host_and_staff_are_out_of_reach(appctx, make, program):
    actor = db.session.get(User, make.user(Role.COORDINATOR, program).id)
    other = make.program()
    host = make.host(other)
    member = make.member(host)

    with pytest.raises(NotAllowed):
        edits.host_for(actor, host.id)
    with pytest.raises(NotAllowed):
        edits.staff_member_for(actor, member.id)
    assert directories.page_of(program.id, "hosts", None).total == 0


def test_deactivating_an_account_is_audited_and_not_allowed_on_yourself(appctx, make, program):
    actor = db.session.get(User, make.user(Role.COORDINATOR, program).id)
    member = make.member(make.host(program))

    edits.set_account_active(actor, db.session.get(User, member.id), False)

    assert db.session.get(User, member.id).active is False
    assert directories.page_of(program.id, "staff", None, filter_="inactive").items[0]["email"] == member.email
    with pytest.raises(ServiceError, match="your own account"):
        edits.set_account_active(actor, actor, False)


def test_confirming_a_college_and_renaming_onto_another_is_refused(appctx, make, program):
    actor = db.session.get(User, make.user(Role.ADMIN).id)
    typed = College(name="gateway cc", state="CT", confirmed=False)
    db.session.add_all([typed, College(name="Gateway Community College", state="CT")])
    db.session.commit()

    with pytest.raises(ServiceError, match="already in the directory"):
        colleges.update_college(actor, typed, "Gateway Community College", "community", True)
    colleges.update_college(actor, typed, "Gateway CC (Meriden)", "community", True)

    assert directories.page_of(program.id, "colleges", None, filter_="unconfirmed").total == 0


def test_a_new_host_and_its_owners_invitation_are_made_together(appctx, make, program, outbox):
    actor = db.session.get(User, make.user(Role.COORDINATOR, program).id)
    make.user(Role.STUDENT, program, email="taken@example.org")

    host = edits.create_host_with_owner(
        actor, "Harbor Robotics", "Robotics", "New Haven", HostSize.SMALL, "Owner@Harbor.example"
    )
    with pytest.raises(ServiceError, match="already has an account") as raised:
        edits.create_host_with_owner(actor, "Second Co", "", "", HostSize.SMALL, "taken@example.org")

    assert raised.value.field == "owner_email"
    assert host.approved and [h.name for h in db.session.scalars(db.select(HostCompany))] == ["Harbor Robotics"]
    invitation = db.session.scalar(db.select(Invitation))
    assert (invitation.email, invitation.host_id, invitation.host_role) == ("owner@harbor.example", host.id, "owner")
    assert [message.to for message in outbox] == [["owner@harbor.example"]]


def test_a_directory_page_is_the_one_support_page(appctx, program):
    from sprint.services.support.paging import Page

    assert type(directories.page_of(program.id, "colleges", None)) is Page
