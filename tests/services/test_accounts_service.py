"""Account rules at the service layer."""

from __future__ import annotations

import pytest

from sprint.extensions import db
from sprint.models import HostCompany, HostMemberRole, Invitation, Role, User
from sprint.services.accounts import users
from sprint.services.errors import NotAllowed, ServiceError


def test_coordinator_cannot_invite_into_another_programs_host(appctx, make):
    other_host = make.host(make.program(name="Other"))
    coordinator = db.session.get(User, make.user(Role.COORDINATOR, make.program()).id)

    with pytest.raises(NotAllowed):
        users.invite(coordinator, "x@example.org", Role.HOST, db.session.get(HostCompany, other_host.id))

    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 0


def test_host_owner_invites_colleagues_but_a_member_cannot(appctx, make):
    host = make.host(make.program())
    owner = db.session.get(User, make.member(host, HostMemberRole.OWNER).id)
    member = db.session.get(User, make.member(host, HostMemberRole.MEMBER).id)
    host_row = db.session.get(HostCompany, host.id)

    invitation = users.invite(owner, "colleague@example.org", Role.HOST, host_row)

    assert invitation.host_id == host.id
    with pytest.raises(NotAllowed):
        users.invite(member, "other@example.org", Role.HOST, host_row)


def test_a_host_member_cannot_invite_a_coordinator(appctx, make):
    host = make.host(make.program())
    owner = db.session.get(User, make.member(host).id)

    with pytest.raises(NotAllowed):
        users.invite(owner, "boss@example.org", Role.COORDINATOR)


def test_students_are_not_invited(appctx, make):
    coordinator = db.session.get(User, make.user(Role.COORDINATOR, make.program()).id)

    with pytest.raises(ServiceError, match="join by invitation"):
        users.invite(coordinator, "s@example.org", Role.STUDENT)


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "at least 10"),
        ("aaaaaaaaaaaa", "too easy"),
        ("password123", "too easy"),
        ("my-jordan.lee-password", "email address"),
    ],
)
def test_password_policy(password, message):
    with pytest.raises(ServiceError, match=message):
        users.check_password_policy(password, "jordan.lee@example.org")


def test_admin_is_created_once_per_email(appctx):
    users.create_admin("Root@Example.org", "Root", "a long admin passphrase")

    with pytest.raises(ServiceError, match="already exists"):
        users.create_admin("root@example.org", "Root", "a long admin passphrase")
    assert db.session.scalar(db.select(User.role).where(User.email == "root@example.org")) == Role.ADMIN
