"""What a person may do now: each action is open, or closed with the reason and since when.

Pages ask here before they offer an action, so that a closed one is hidden or shown disabled with its
reason and date instead of failing after the click. The rules are the services' own (phases,
deadlines, extensions, published rounds), read from the same constants; the services still refuse a
closed action on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from ...extensions import db
from ...models import (
    ExtensionKind,
    HostMember,
    HostMemberRole,
    MatchRun,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    PositionStatus,
    RunStatus,
    Season,
    User,
    VacancyRound,
    utcnow,
)
from ...models.enums import LIVE_PLACEMENTS
from ..errors import ServiceError
from ..season.deadlines import PHASES_FOR, deadlines_for, extension_for, phase_allows, response_deadline
from .host_portal import LAST_OWNER, is_last_owner
from .positions import CHANGEABLE, OPEN_FOR_EDITS

PHASES = list(Phase)
# Each closed window in words, in the reader's language (one sentence per kind, so it translates whole).
NOT_OPEN_YET = {
    ExtensionKind.APPLICATIONS: _l("Applications for %(season)s have not opened yet."),
    ExtensionKind.RANKING: _l("Rank lists for %(season)s have not opened yet."),
    ExtensionKind.OFFER: _l("Answers to offers for %(season)s have not opened yet."),
}
CLOSED_AT_STAGE = {
    ExtensionKind.APPLICATIONS: _l("Applications for %(season)s are closed: the season is at %(stage)s."),
    ExtensionKind.RANKING: _l("Rank lists for %(season)s are closed: the season is at %(stage)s."),
    ExtensionKind.OFFER: _l("Answers to offers for %(season)s are closed: the season is at %(stage)s."),
}
DEADLINE_PASSED = {
    ExtensionKind.APPLICATIONS: _l("Applications for %(season)s are closed: the deadline has passed."),
    ExtensionKind.RANKING: _l("Rank lists for %(season)s are closed: the deadline has passed."),
    ExtensionKind.OFFER: _l("Answers to offers for %(season)s are closed: the deadline has passed."),
}


@dataclass(frozen=True)
class Action:
    """Whether an action is open; a closed one says why (in words) and since when (pages show the date)."""

    allowed: bool
    reason: str = ""
    closed_at: datetime | None = None
    until: datetime | None = None  # when an open action closes, if it has a deadline

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        """Refuse a closed action with its reason."""
        if not self.allowed:
            raise ServiceError(self.reason)


OPEN = Action(True)


def closed(reason: str, since: datetime | None = None) -> Action:
    return Action(False, reason, since)


def _stage(season: Season) -> str:
    return f"\u201c{gettext(Phase(season.phase).label)}\u201d"  # the phase names are in the catalog (templating)


def window(
    user: User,
    season: Season,
    kind: ExtensionKind,
    now: datetime | None = None,
    deadlines: dict[ExtensionKind, datetime | None] | None = None,
) -> Action:
    """An action bound to one of the person's deadlines, by the rule of `deadlines.ensure_open`: open while
    the phase allows it (or the person holds an extension) and their deadline is ahead."""
    kind, now = ExtensionKind(kind), now or utcnow()
    deadline = (deadlines or deadlines_for(user, season))[kind]
    if not phase_allows(season, kind) and extension_for(user, season, kind) is None:
        first = min(PHASES.index(phase) for phase in PHASES_FOR[kind])
        if PHASES.index(Phase(season.phase)) < first:
            return closed(str(NOT_OPEN_YET[kind]) % {"season": season.name})
        passed = deadline if deadline is not None and deadline <= now else None
        since = min((moment for moment in (passed, season.phase_changed_at) if moment), default=None)
        return closed(str(CLOSED_AT_STAGE[kind]) % {"season": season.name, "stage": _stage(season)}, since)
    if deadline is not None and now > deadline:
        return closed(str(DEADLINE_PASSED[kind]) % {"season": season.name}, deadline)
    return Action(True, until=deadline)


def _published(season: Season) -> dict[int, MatchRun]:
    """The season's published runs by round."""
    return {
        run.round: run
        for run in db.session.scalars(
            db.select(MatchRun).where(MatchRun.season_id == season.id, MatchRun.published_at.is_not(None))
        )
    }


def second_round(season: Season, published: dict[int, MatchRun] | None = None) -> Action:
    """Whether a second round can still place students: from the first publication until the second."""
    published = _published(season) if published is None else published
    if 2 in published:
        return closed(f"The second round of {season.name} has run.", published[2].published_at)
    if Phase(season.phase) == Phase.CLOSED:
        return closed(f"{season.name} is closed.", season.phase_changed_at)
    if 1 not in published:
        return closed("A second round comes after the first round is published.")
    if db.session.scalar(db.select(VacancyRound.id).where(VacancyRound.season_id == season.id).limit(1)):
        return closed(f"The rounds after the first of {season.name} are vacancy rounds.")
    return OPEN


# Students ---------------------------------------------------------------------------------------------


class _Person:
    """One person's actions in one season, each worked out the first time a page asks for it."""

    def __init__(self, user: User, season: Season, now: datetime | None = None) -> None:
        self.user, self.season, self.now = user, season, now or utcnow()

    @cached_property
    def deadlines(self) -> dict[ExtensionKind, datetime | None]:
        """The person's deadlines (their extensions applied), for pages that list them."""
        return deadlines_for(self.user, self.season)

    def _window(self, kind: ExtensionKind) -> Action:
        return window(self.user, self.season, kind, self.now, self.deadlines)

    @cached_property
    def rank(self) -> Action:
        """Save, reorder and certify a rank list."""
        return self._window(ExtensionKind.RANKING)


class StudentActions(_Person):
    @cached_property
    def apply(self) -> Action:
        return self._window(ExtensionKind.APPLICATIONS)

    @property
    def withdraw(self) -> Action:
        """Take back an application: it leaves the rank list, so it follows the ranking window."""
        return self.rank

    @cached_property
    def second_round(self) -> Action:
        """Whether a second round may still place the student."""
        return second_round(self.season)


def for_student(student: User, season: Season) -> StudentActions:
    return StudentActions(student, season)


@dataclass(frozen=True)
class OfferActions:
    answer: Action  # accept or decline
    undo_decline: Action


def for_offer(student: User, placement: Placement, now: datetime | None = None) -> OfferActions:
    """What the student may do with one of their placements."""
    now = now or utcnow()
    deadline = response_deadline(student, placement)
    return OfferActions(answer=_answer(placement, deadline, now), undo_decline=_undo(placement, deadline, now))


def _answer(placement: Placement, deadline: datetime | None, now: datetime) -> Action:
    if placement.status != PlacementStatus.OFFERED:
        answered = {
            PlacementStatus.ACCEPTED: _l("You already accepted this offer."),
            PlacementStatus.DECLINED: _l("You already declined this offer."),
        }.get(placement.status)
        text = str(answered) if answered else f"You already {placement.status} this offer."
        return closed(text, placement.responded_at)
    if Phase(placement.season.phase) == Phase.CLOSED:
        return closed(gettext("%(season)s is closed.", season=placement.season.name), placement.season.phase_changed_at)
    if deadline is not None and now > deadline:
        return closed(
            gettext("The time to answer this offer is over; ask your coordinator for an extension."), deadline
        )
    return Action(True, until=deadline)


def _undo(placement: Placement, deadline: datetime | None, now: datetime) -> Action:
    """A decline can be taken back until the offer's deadline while the seat is still free.

    The seat counts as offered to someone else once the position's live placements (offered, accepted
    or completed: from a second round, or placed by hand) fill all its slots again; a seat re-offered
    to someone who declined it in turn is free again.
    """
    if placement.status != PlacementStatus.DECLINED:
        return closed(gettext("Only a declined offer can be taken back."))
    if Phase(placement.season.phase) != Phase.PUBLISHED:
        return closed(gettext("%(season)s is closed.", season=placement.season.name), placement.season.phase_changed_at)
    if deadline is not None and now > deadline:
        return closed(gettext("The deadline of this offer has passed, so the decline stands."), deadline)
    position = placement.position
    if position.status != PositionStatus.OPEN:
        return closed(gettext("%(title)s is no longer open.", title=position.title))
    holds_another = db.session.scalar(
        db.select(Placement.id).where(
            Placement.season_id == placement.season_id,
            Placement.student_id == placement.student_id,
            Placement.status.in_(LIVE_PLACEMENTS),
        )
    )
    if holds_another is not None:
        return closed("You hold another placement this season.")
    taken = db.session.scalar(
        db.select(func.count(Placement.id)).where(
            Placement.position_id == position.id, Placement.status.in_(LIVE_PLACEMENTS)
        )
    )
    if taken >= position.slots:
        since = db.session.scalar(
            db.select(func.max(Placement.offered_at)).where(
                Placement.position_id == position.id, Placement.status.in_(LIVE_PLACEMENTS)
            )
        )
        return closed("The seat has been offered to another student.", since)
    return Action(True, until=deadline)


# Hosts ------------------------------------------------------------------------------------------------


class HostActions(_Person):
    @cached_property
    def post(self) -> Action:
        """Post a new position."""
        if Phase(self.season.phase) in OPEN_FOR_EDITS:
            return OPEN
        return closed(
            f"New positions for {self.season.name} are closed: the season is at {_stage(self.season)}.",
            self.season.phase_changed_at,
        )

    @cached_property
    def change(self) -> Action:
        """Edit or withdraw a position."""
        if Phase(self.season.phase) in CHANGEABLE:
            return OPEN
        return closed(
            f"Positions of {self.season.name} can no longer be changed: the season is at {_stage(self.season)}.",
            self.season.phase_changed_at,
        )


class PositionActions(HostActions):
    """The host's actions on one position: a withdrawn position can no longer be changed or ranked."""

    def __init__(self, member: User, position: Position) -> None:
        super().__init__(member, position.season)
        self.position = position

    def _gone(self, action: Action) -> Action:
        if self.position.status != PositionStatus.WITHDRAWN:
            return action
        return closed(f"{self.position.title} was withdrawn.", self.position.updated_at)

    @cached_property
    def change(self) -> Action:
        return self._gone(super().change)

    @cached_property
    def rank(self) -> Action:
        return self._gone(super().rank)


def for_host(member: User, season: Season) -> HostActions:
    return HostActions(member, season)


def for_position(member: User, position: Position) -> PositionActions:
    return PositionActions(member, position)


def remove_member(actor: User, membership: HostMember) -> Action:
    """Whether the actor may remove this colleague (an owner) or leave (anyone); the last owner stays."""
    own = actor.membership
    if actor.id != membership.user_id and (
        own is None or own.host_id != membership.host_id or own.role != HostMemberRole.OWNER
    ):
        return closed("Only an owner of the company can remove a colleague.")
    if is_last_owner(membership):
        return closed(LAST_OWNER)
    return OPEN


# Coordinators -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeasonActions:
    first_round: Action  # start a new first-round run
    second_round: Action  # start a second-round run


def for_season(season: Season, runs: list[MatchRun] | None = None) -> SeasonActions:
    """The match runs a coordinator may start now, by the rules of `match_runs.start_run` and the second round
    (`runs`: the season's runs, when the page has them already)."""
    phase = Phase(season.phase)
    if phase == Phase.DRAFT:
        first = closed(f"{season.name} is still being set up; open applications first.")
    elif phase in (Phase.PUBLISHED, Phase.CLOSED):
        first = closed(
            f"{season.name} is already published; use a second round for the seats left.", season.phase_changed_at
        )
    else:
        first = OPEN
    published = None if runs is None else {run.round: run for run in runs if run.published_at is not None}
    return SeasonActions(first_round=first, second_round=second_round(season, published))


def publish(run: MatchRun) -> Action:
    """Whether this run can be published, by the rules of `match_runs.publish_run`."""
    season = run.season
    if run.status != RunStatus.DONE:
        return closed("Only a finished run can be published.")
    if run.published_at is not None:
        return closed(f"This run is the published round {run.round} of {season.name}.", run.published_at)
    published = _published(season)
    if run.round in published:
        other = published[run.round]
        return closed(
            f"Round {run.round} of {season.name} was published with run #{other.id}; this run stays as the record.",
            other.published_at,
        )
    if run.round > 1 and 1 not in published:
        return closed("Publish the first round before a second round.")
    if Phase(season.phase) == Phase.CLOSED:
        return closed(f"{season.name} is closed.", season.phase_changed_at)
    return OPEN
