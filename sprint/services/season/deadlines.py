"""Deadlines per person: the season's dates, moved later by a coordinator's extension.

Other services call `check_open` before a student applies or ranks, a host ranks, or a student
answers an offer; `phase_allows` says whether the season's phase permits that kind of action.
"""

from __future__ import annotations

from datetime import datetime

from ...extensions import db
from ...models import DeadlineExtension, ExtensionKind, Phase, Placement, Season, User, utcnow
from ..errors import ServiceError
from ..support.local_time import format_when, zone_of

SEASON_DATE = {
    ExtensionKind.APPLICATIONS: "applications_close_at",
    ExtensionKind.RANKING: "ranking_close_at",
    ExtensionKind.OFFER: "offer_deadline_at",
}

DEADLINE_NAME = {
    ExtensionKind.APPLICATIONS: "application",
    ExtensionKind.RANKING: "ranking",
    ExtensionKind.OFFER: "offer response",
}

PHASES_FOR = {
    ExtensionKind.APPLICATIONS: frozenset({Phase.APPLICATIONS}),
    ExtensionKind.RANKING: frozenset({Phase.APPLICATIONS, Phase.RANKING}),
    ExtensionKind.OFFER: frozenset({Phase.PUBLISHED}),
}


def extension_for(user: User, season: Season, kind: ExtensionKind) -> DeadlineExtension | None:
    return db.session.scalar(
        db.select(DeadlineExtension).where(
            DeadlineExtension.season_id == season.id,
            DeadlineExtension.user_id == user.id,
            DeadlineExtension.kind == ExtensionKind(kind),
        )
    )


def deadline_for(user: User, season: Season, kind: ExtensionKind) -> datetime | None:
    """This person's deadline: their extension when it is later than the season's date, else the season's."""
    return deadlines_for(user, season)[ExtensionKind(kind)]


def deadlines_for(user: User, season: Season) -> dict[ExtensionKind, datetime | None]:
    """Every kind of this person's deadline at once (one query): for each, their extension when it is
    later than the season's date, else the season's."""
    extensions = {
        ExtensionKind(kind): until
        for kind, until in db.session.execute(
            db.select(DeadlineExtension.kind, DeadlineExtension.until).where(
                DeadlineExtension.season_id == season.id, DeadlineExtension.user_id == user.id
            )
        )
    }
    deadlines = {}
    for kind in ExtensionKind:
        season_date, until = getattr(season, SEASON_DATE[kind]), extensions.get(kind)
        deadlines[kind] = until if until is not None and (season_date is None or until > season_date) else season_date
    return deadlines


def phase_allows(season: Season, kind: ExtensionKind) -> bool:
    """Applications need the applications phase; ranking needs applications or ranking; offers need published."""
    return Phase(season.phase) in PHASES_FOR[ExtensionKind(kind)]


def check_open(user: User, season: Season, kind: ExtensionKind, now: datetime | None = None) -> None:
    """Raise ServiceError when this person's deadline of this kind has passed (no date set: open)."""
    kind = ExtensionKind(kind)
    deadline = deadline_for(user, season, kind)
    if deadline is not None and (now or utcnow()) > deadline:
        raise ServiceError(
            f"The {DEADLINE_NAME[kind]} deadline passed on {format_when(deadline, zone_of(season.program), True)}; "
            "ask your coordinator for an extension."
        )


def ensure_open(user: User, season: Season, kind: ExtensionKind, action: str) -> None:
    """Refuse `action` unless the phase allows it (or the person holds an extension) and their deadline is ahead."""
    kind = ExtensionKind(kind)
    if not phase_allows(season, kind) and extension_for(user, season, kind) is None:
        raise ServiceError(
            f"{action} is not open now: {season.name} is at the stage \u201c{Phase(season.phase).label}\u201d."
        )
    check_open(user, season, kind)


def response_deadline(student: User, placement: Placement) -> datetime | None:
    """The offer's own deadline, or the student's extension when that is later."""
    extension = extension_for(student, placement.season, ExtensionKind.OFFER)
    extended = extension.until if extension is not None else None
    own = placement.response_deadline
    if own is None:
        return deadline_for(student, placement.season, ExtensionKind.OFFER)
    return extended if extended is not None and extended > own else own
