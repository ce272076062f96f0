"""Coordinators' changes to the directories: host approval, new hosts, deactivation (colleges are
shared by every program: sprint/services/colleges.py)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import HostCompany, HostMemberRole, HostSize, Role, User
from ..accounts import users
from ..errors import NotAllowed, ServiceError
from ..support import audit


def _of_program(actor: User, model: type, record_id: int, what: str):
    """The record if it belongs to the actor's program; NotAllowed otherwise (also when missing)."""
    record = db.session.get(model, record_id)
    if record is None or record.program_id != actor.program_id:
        raise NotAllowed(f"That {what} is not part of your program.")
    return record


def host_for(actor: User, host_id: int) -> HostCompany:
    return _of_program(actor, HostCompany, host_id, "host company")


def set_host_approval(actor: User, host: HostCompany, approved: bool, reason: str = "") -> HostCompany:
    """Approved hosts' open positions are visible to students; unapproving hides them again."""
    if host.program_id != actor.program_id:
        raise NotAllowed("That host company is not part of your program.")
    if host.approved != approved:
        host.approved = approved
        audit.record(actor, "host.approved" if approved else "host.unapproved", host, **audit.said(reason))
        db.session.commit()
    return host


def create_host_with_owner(
    actor: User, name: str, sector: str, site_town: str, size: HostSize, owner_email: str
) -> HostCompany:
    """A new (approved) host company and an invitation to its first owner, in one transaction."""
    name = name.strip()
    if db.session.scalar(
        db.select(HostCompany.id).where(
            HostCompany.program_id == actor.program_id, db.func.lower(HostCompany.name) == name.lower()
        )
    ):
        raise ServiceError(f"{name} is already a host in your program.", "name")
    host = HostCompany(
        program_id=actor.program_id,
        name=name,
        sector=sector.strip(),
        site_town=site_town.strip(),
        size=HostSize(size),
        approved=True,
    )
    db.session.add(host)
    try:
        db.session.flush()
        audit.record(actor, "host.created", host, name=name)
        users.invite(actor, owner_email, Role.HOST, host, HostMemberRole.OWNER)  # commits
    except IntegrityError as error:
        db.session.rollback()
        raise ServiceError(f"{name} is already a host in your program.", "name") from error
    except ServiceError as error:
        db.session.rollback()
        if error.field == "email":
            raise ServiceError(str(error), "owner_email") from error
        raise
    return host


def staff_member_for(actor: User, user_id: int) -> User:
    return _of_program(actor, User, user_id, "account")


def set_account_active(actor: User, user: User, active: bool, reason: str = "") -> User:
    """Deactivated accounts can no longer log in; nothing they did is deleted."""
    if user.program_id != actor.program_id or user.role == Role.ADMIN:
        raise NotAllowed("That account is not part of your program.")
    if user.id == actor.id and not active:
        raise ServiceError("You cannot deactivate your own account; ask another coordinator.")
    if user.active != active:
        user.active = active
        if not active:
            users.end_sessions(user)  # logged in right now: out at the next request
        audit.record(
            actor,
            "account.reactivated" if active else "account.deactivated",
            user,
            email=user.email,
            **audit.said(reason),
        )
        db.session.commit()
    return user
