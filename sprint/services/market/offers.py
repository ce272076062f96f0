"""Students' answers to their offers: accept, decline, take back a decline."""

from __future__ import annotations

from flask_babel import get_locale, gettext
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Phase, Placement, PlacementStatus, User, utcnow
from ..errors import NotAllowed, ServiceError, StaleEdit
from ..season.deadlines import response_deadline
from ..support import audit
from ..support.local_time import format_when, zone_of
from ..support.notify import send_email
from .open_actions import for_offer


def respond(student: User, placement: Placement, accept: bool, reason: str = "") -> Placement:
    """Accept or decline an offer before the deadline; a decline frees the seat for the second round.

    A decline's optional reason is kept on the placement for the coordinator."""
    if placement.student_id != student.id:
        raise NotAllowed("That offer is not yours.")
    if placement.status != PlacementStatus.OFFERED:
        raise StaleEdit(_already(placement))
    deadline = response_deadline(student, placement)
    if deadline is not None and utcnow() > deadline:
        when = format_when(deadline, zone_of(placement.season.program), True, locale=get_locale())
        raise ServiceError(
            gettext(
                "The deadline to answer this offer passed on %(when)s; ask your coordinator for an extension.",
                when=when,
            )
        )
    if placement.season.phase == Phase.CLOSED:
        raise ServiceError(
            gettext("%(season)s is closed; its offers can no longer be answered.", season=placement.season.name)
        )
    status = PlacementStatus.ACCEPTED if accept else PlacementStatus.DECLINED
    answered = db.session.execute(  # one conditional UPDATE: of two answers at once, one counts
        db.update(Placement)
        .where(Placement.id == placement.id, Placement.status == PlacementStatus.OFFERED)
        .values(status=status, responded_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(placement)
    if answered != 1:
        raise StaleEdit(_already(placement))
    reason = reason.strip()
    if reason and not accept:
        placement.note = f"{placement.note}\nDeclined by the student: {reason}".strip()
    verb = "accepted" if accept else "declined"
    audit.record(
        student,
        f"offer.{verb}",
        placement,
        program_id=placement.season.program_id,
        position=placement.position_id,
        **audit.said(reason),
    )
    _tell_both(placement, verb, f"You {verb} {placement.position.title}", f"{student.name} {verb} your offer")
    db.session.commit()
    return placement


def undo_decline(student: User, placement: Placement) -> Placement:
    """Take back a decline: the offer is open again, while its deadline is ahead and the seat is free."""
    if placement.student_id != student.id:
        raise NotAllowed("That offer is not yours.")
    for_offer(student, placement).undo_decline.require()
    placement.status, placement.responded_at = PlacementStatus.OFFERED, None
    placement.note = f"{placement.note}\nThe student took back their decline.".strip()
    audit.record(
        student,
        "offer.decline_undone",
        placement,
        program_id=placement.season.program_id,
        position=placement.position_id,
    )
    try:
        db.session.flush()
        _tell_both(
            placement,
            "reopened",
            f"You took back your decline of {placement.position.title}",
            f"{student.name} took back their decline of your offer",
        )
        db.session.commit()
    except IntegrityError as error:  # placed elsewhere at the same moment
        db.session.rollback()
        raise ServiceError(gettext("You hold another placement this season.")) from error
    return placement


def _already(placement: Placement) -> str:
    """Why an offer cannot be answered again, in the student's language."""
    if placement.status == PlacementStatus.ACCEPTED:
        return gettext("You already accepted this offer.")
    if placement.status == PlacementStatus.DECLINED:
        return gettext("You already declined this offer.")
    return gettext("This offer can no longer be answered: it is %(status)s.", status=placement.status)


def _tell_both(placement: Placement, verb: str, student_subject: str, host_subject: str) -> None:
    """Email the student and the host's team what the student did with the offer (outbox rows of the
    caller's transaction: an email never goes out for work that did not happen)."""
    send_email(
        placement.student.email,
        student_subject,
        "offer_answered",
        placement=placement,
        verb=verb,
        to_student=True,
        deadline=response_deadline(placement.student, placement),
        program=placement.season.program,
    )
    members = [member.user.email for member in placement.position.host.members]
    if members:
        send_email(
            members,
            host_subject,
            "offer_answered",
            placement=placement,
            verb=verb,
            to_student=False,
            program=placement.season.program,
        )
