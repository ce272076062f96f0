"""A coordinator moves one deadline later for one person (a student or a host member)."""

from __future__ import annotations

from datetime import UTC, datetime

from ...extensions import db
from ...models import DeadlineExtension, ExtensionKind, Role, Season, User, utcnow
from ..accounts.users import normalise_email
from ..errors import NotAllowed, ServiceError
from ..support import audit
from ..support.concurrency import insert_missing
from ..support.local_time import format_when, zone_of
from .deadlines import SEASON_DATE


def _person_in_program(actor: User, email: str) -> User:
    """A student or host member of the actor's program, found by email."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None or user.program_id != actor.program_id or user.role not in (Role.STUDENT, Role.HOST):
        raise ServiceError("No student or host member of your program has that email.", "email")
    return user


def grant_extension(
    actor: User, season: Season, email: str, kind: ExtensionKind, until: datetime, reason: str
) -> DeadlineExtension:
    """Give the person with this email until `until`; granting the same kind again replaces the date and reason."""
    kind = ExtensionKind(kind)
    if season.program_id != actor.program_id:
        raise NotAllowed("That season is not part of your program.")
    person = _person_in_program(actor, email)
    if kind == ExtensionKind.APPLICATIONS and person.role != Role.STUDENT:
        raise ServiceError("Only students have an application deadline.", "kind")
    if kind == ExtensionKind.OFFER and person.role != Role.STUDENT:
        raise ServiceError("Only students answer offers.", "kind")
    if not reason.strip():
        raise ServiceError("Say why the deadline is extended; the reason is kept on record.", "reason")
    season_date = getattr(season, SEASON_DATE[kind])
    if season_date is not None and until <= season_date:
        raise ServiceError(
            f"Choose a date after the season's deadline ({format_when(season_date, zone_of(season.program), True)}).",
            "until",
        )
    insert_missing(
        DeadlineExtension,
        [
            {
                "season_id": season.id,
                "user_id": person.id,
                "kind": kind,
                "until": until,
                "reason": "",
                "created_at": utcnow(),
            }
        ],
        ["season_id", "user_id", "kind"],
    )
    extension = db.session.scalar(
        db.select(DeadlineExtension)
        .where(  # granted twice at once: one row
            DeadlineExtension.season_id == season.id,
            DeadlineExtension.user_id == person.id,
            DeadlineExtension.kind == kind,
        )
        .with_for_update()
    )
    extension.until, extension.reason, extension.granted_by_id = until, reason.strip(), actor.id
    db.session.flush()
    audit.record(
        actor,
        "deadline.extended",
        extension,
        program_id=season.program_id,
        user=person.email,
        kind=str(kind),
        until=until.replace(tzinfo=UTC).isoformat(timespec="minutes"),
        reason=reason.strip(),
    )
    db.session.commit()
    return extension


def extensions_of(season: Season) -> list[DeadlineExtension]:
    return list(
        db.session.scalars(
            db.select(DeadlineExtension)
            .join(DeadlineExtension.user)
            .where(DeadlineExtension.season_id == season.id)
            .order_by(User.name, DeadlineExtension.kind)
        )
    )
