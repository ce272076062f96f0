"""The audit trail: who did what to which record. Helpers add; the caller commits."""

from __future__ import annotations

from datetime import datetime

from ...extensions import db
from ...models import AuditEvent, User


def said(reason: str | None) -> dict[str, str]:
    """The optional reason someone gave, as audit details: {"reason": ...}, or nothing when they gave none."""
    reason = (reason or "").strip()
    return {"reason": reason} if reason else {}


def record(
    actor: User | None, action: str, obj=None, program_id: int | None = None, at: datetime | None = None, **details
) -> None:
    """Add an audit event for `obj` (any model with an id) to the current transaction (`at`: when, UTC,
    if not now: the clock a scheduled job reasons with)."""
    if program_id is None:
        program_id = getattr(obj, "program_id", None) or (actor.program_id if actor else None)
    db.session.add(
        AuditEvent(
            program_id=program_id,
            actor_id=actor.id if actor else None,
            action=action,
            object_type=type(obj).__name__ if obj is not None else "",
            object_id=getattr(obj, "id", None),
            details=details,
            **({"created_at": at} if at is not None else {}),
        )
    )
