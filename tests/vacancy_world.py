"""A season after round 1 with a vacancy round open, for the vacancy-round tests (services and web)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sprint.extensions import db
from sprint.models import MatchRun, Placement, PlacementStatus, Season, User, VacancyRound, utcnow
from sprint.services.matching import match_runs, vacancy_rounds


def open_vacancy_round(world, *, include_declined: bool = False, max_applications: int = 2, offer_hours: int = 36):
    """Publish round 1 of `small_season`, decline its first offer, accept the others, and open round 2.

    Call inside an app context. Returns ids: round, run, accepted (placement ids), declined (student),
    freed (the declined seat's position), unmatched (students round 1 did not place)."""
    coordinator = db.session.get(User, world.coordinator.id)
    season = db.session.get(Season, world.season.id)
    run = match_runs.start_run(coordinator, season, match_runs.RunSettings(mode="stable", seed=1))
    match_runs.publish_run(coordinator, run)
    offers = match_runs.offers_of(run)
    declined, accepted = offers[0], offers[1:]
    declined.status = PlacementStatus.DECLINED
    for placement in accepted:
        placement.status = PlacementStatus.ACCEPTED
    db.session.commit()
    now = utcnow()
    round_ = vacancy_rounds.open_round(
        coordinator,
        season,
        vacancy_rounds.RoundSettings(
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=2),
            max_applications=max_applications,
            include_declined=include_declined,
            offer_hours=offer_hours,
        ),
    )
    placed = {p.student_id for p in offers}
    return SimpleNamespace(
        round=round_.id,
        run=run.id,
        accepted=[p.id for p in accepted],
        declined=declined.student_id,
        freed=declined.position_id,
        unmatched=sorted(u.id for u in world.students.values() if u.id not in placed),
    )


def close_window(round_id: int) -> None:
    """As if the round's window closed a minute ago."""
    round_ = db.session.get(VacancyRound, round_id)
    round_.opens_at, round_.closes_at = utcnow() - timedelta(days=3), utcnow() - timedelta(minutes=1)
    db.session.commit()


def snapshot(placement_ids: list[int]) -> set[tuple]:
    return {
        (p.id, p.student_id, p.position_id, p.status, p.round)
        for p in db.session.scalars(db.select(Placement).where(Placement.id.in_(placement_ids)).order_by(Placement.id))
    }


def runs_of_round(round_id: int) -> list[MatchRun]:
    return list(
        db.session.scalars(db.select(MatchRun).where(MatchRun.vacancy_round_id == round_id).order_by(MatchRun.id))
    )
