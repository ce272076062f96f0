"""Which host may see one student's records (profile, résumé, notes): one rule, one place.

A host sees a student through a submitted, not withdrawn application to one of its positions in a
live season, or an application to one of its positions in an open vacancy round, and afterwards only
its own interns (a live placement at one of its positions).
Applications of past seasons, and applications a student started but never submitted, show the
host nothing.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    Placement,
    Position,
    PositionInterest,
    Season,
    VacancyApplication,
    VacancyRound,
    VacancyStatus,
)
from ...models.enums import LIVE_PLACEMENTS
from ..season.queries import LIVE_PHASES


def live_season() -> ColumnElement[bool]:
    """SQL: the Season row is a live season, by the portals' one definition (`seasons.LIVE_PHASES`)."""
    return Season.phase.in_(LIVE_PHASES)


def live_applications_to_host(host_id: int):
    """SQL: the student's submitted, not withdrawn applications to the host's positions in live seasons
    (PositionInterest rows, joined to their application, position and season)."""
    return (
        db.select(PositionInterest)
        .join(Application, Application.id == PositionInterest.application_id)
        .join(Position, Position.id == PositionInterest.position_id)
        .join(Season, Season.id == Position.season_id)
        .where(
            Position.host_id == host_id,
            PositionInterest.withdrawn_at.is_(None),
            Application.status == ApplicationStatus.SUBMITTED,
            live_season(),
        )
    )


def host_may_see_student(host_id: int, student_id: int) -> bool:
    applied = live_applications_to_host(host_id).where(Application.student_id == student_id)
    intern = (
        db.select(Placement.id)
        .join(Position, Position.id == Placement.position_id)
        .where(Placement.student_id == student_id, Position.host_id == host_id, Placement.status.in_(LIVE_PLACEMENTS))
    )
    vacancy = (
        db.select(VacancyApplication.id)
        .join(VacancyRound, VacancyRound.id == VacancyApplication.round_id)
        .join(Position, Position.id == VacancyApplication.position_id)
        .where(
            VacancyApplication.student_id == student_id,
            Position.host_id == host_id,
            VacancyRound.status == VacancyStatus.OPEN,
        )
    )
    return bool(
        db.session.scalar(
            db.select(or_(exists(applied.with_only_columns(PositionInterest.id)), exists(intern), exists(vacancy)))
        )
    )
