"""Per-person deadlines: the cycle's date unless a coordinator extended it for that person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprint.services.errors import ServiceError
from sprint.extensions import db
from sprint.models import Cycle, DeadlineExtension, ExtensionKind, Phase, Role, User
from sprint.services.season import deadlines


@pytest.fixture
def season(make):
    program = make.program()
    cycle = make.cycle(program, phase=Phase.RANKING)
    return cycle, make.user(Role.STUDENT, program), make.user(Role.STUDENT, program)


def _extend(cycle_id, user_id, kind, until):
    db.session.add(DeadlineExtension(cycle_id=cycle_id, user_id=user_id, kind=kind, until=until, reason="ill"))
    db.session.commit()


def test_deadline_is_the_cycle_date_without_an_extension(appctx, season):
    cycle, student, _ = season
    cycle = db.session.get(Cycle, cycle.id)

    assert deadlines.deadline_for(student, cycle, ExtensionKind.RANKING) == cycle.ranking_close_at
    assert deadlines.deadline_for(student, cycle, ExtensionKind.OFFER) == cycle.offer_deadline_at


def test_an_extension_opens_the_deadline_for_that_person_only(appctx, season):
    cycle, student, other = season
    cycle = db.session.get(Cycle, cycle.id)
    later = cycle.applications_close_at + timedelta(days=3)
    _extend(cycle.id, student.id, ExtensionKind.APPLICATIONS, later)
    after_close = cycle.applications_close_at + timedelta(days=1)

    deadlines.check_open(db.session.get(User, student.id), cycle, ExtensionKind.APPLICATIONS, now=after_close)
    with pytest.raises(ServiceError, match="application deadline passed on .*ask your coordinator"):
        deadlines.check_open(db.session.get(User, other.id), cycle, ExtensionKind.APPLICATIONS, now=after_close)
    assert deadlines.deadline_for(student, cycle, ExtensionKind.APPLICATIONS) == later
    assert deadlines.deadline_for(student, cycle, ExtensionKind.RANKING) == cycle.ranking_close_at


def test_an_extension_earlier_than_the_cycle_date_does_not_shorten_it(appctx, season):
    cycle, student, _ = season
    cycle = db.session.get(Cycle, cycle.id)
    _extend(cycle.id, student.id, ExtensionKind.RANKING, cycle.ranking_close_at - timedelta(days=5))

    assert deadlines.deadline_for(student, cycle, ExtensionKind.RANKING) == cycle.ranking_close_at
    deadlines.check_open(student, cycle, ExtensionKind.RANKING, now=cycle.ranking_close_at - timedelta(days=1))


def test_check_open_refuses_after_the_deadline_and_allows_before(appctx, season):
    cycle, student, _ = season
    cycle = db.session.get(Cycle, cycle.id)

    deadlines.check_open(student, cycle, ExtensionKind.OFFER, now=cycle.offer_deadline_at)
    with pytest.raises(ServiceError, match="offer response deadline passed"):
        deadlines.check_open(student, cycle, ExtensionKind.OFFER, now=cycle.offer_deadline_at + timedelta(seconds=1))


@pytest.mark.parametrize(("phase", "kind", "allowed"), [
    (Phase.DRAFT, ExtensionKind.APPLICATIONS, False),
    (Phase.APPLICATIONS, ExtensionKind.APPLICATIONS, True),
    (Phase.RANKING, ExtensionKind.APPLICATIONS, False),
    (Phase.APPLICATIONS, ExtensionKind.RANKING, True),
    (Phase.RANKING, ExtensionKind.RANKING, True),
    (Phase.MATCHING, ExtensionKind.RANKING, False),
    (Phase.MATCHING, ExtensionKind.OFFER, False),
    (Phase.PUBLISHED, ExtensionKind.OFFER, True),
    (Phase.CLOSED, ExtensionKind.OFFER, False),
])
def test_phase_allows_each_kind_only_in_its_phases(phase, kind, allowed):
    assert deadlines.phase_allows(Cycle(phase=phase), kind) is allowed


def test_all_of_a_persons_deadlines_at_once_take_the_later_of_extension_and_cycle(appctx, season):
    cycle, student, other = season
    cycle = db.session.get(Cycle, cycle.id)
    earlier = cycle.ranking_close_at - timedelta(days=2)
    later = cycle.offer_deadline_at + timedelta(days=3)
    db.session.add_all([DeadlineExtension(cycle_id=cycle.id, user_id=student.id, kind=ExtensionKind.RANKING,
                                          until=earlier, reason="Asked early"),
                        DeadlineExtension(cycle_id=cycle.id, user_id=student.id, kind=ExtensionKind.OFFER,
                                          until=later, reason="Travelling")])
    db.session.commit()

    assert deadlines.deadlines_for(student, cycle) == {
        ExtensionKind.APPLICATIONS: cycle.applications_close_at,
        ExtensionKind.RANKING: cycle.ranking_close_at,  # an extension earlier than the cycle's date changes nothing
        ExtensionKind.OFFER: later}
    assert deadlines.deadlines_for(other, cycle)[ExtensionKind.OFFER] == cycle.offer_deadline_at
