"""Per-person deadlines: the season's date unless a coordinator extended it for that person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprint.extensions import db
from sprint.models import DeadlineExtension, ExtensionKind, Phase, Role, Season, User
from sprint.services.errors import ServiceError
from sprint.services.season import deadlines


@pytest.fixture
def world(make):
    program = make.program()
    season = make.season(program, phase=Phase.RANKING)
    return season, make.user(Role.STUDENT, program), make.user(Role.STUDENT, program)


def _extend(season_id, user_id, kind, until):
    db.session.add(DeadlineExtension(season_id=season_id, user_id=user_id, kind=kind, until=until, reason="ill"))
    db.session.commit()


def test_deadline_is_the_season_date_without_an_extension(appctx, world):
    season, student, _ = world
    season = db.session.get(Season, season.id)

    assert deadlines.deadline_for(student, season, ExtensionKind.RANKING) == season.ranking_close_at
    assert deadlines.deadline_for(student, season, ExtensionKind.OFFER) == season.offer_deadline_at


def test_an_extension_opens_the_deadline_for_that_person_only(appctx, world):
    season, student, other = world
    season = db.session.get(Season, season.id)
    later = season.applications_close_at + timedelta(days=3)
    _extend(season.id, student.id, ExtensionKind.APPLICATIONS, later)
    after_close = season.applications_close_at + timedelta(days=1)

    deadlines.check_open(db.session.get(User, student.id), season, ExtensionKind.APPLICATIONS, now=after_close)
    with pytest.raises(ServiceError, match="application deadline passed on .*ask your coordinator"):
        deadlines.check_open(db.session.get(User, other.id), season, ExtensionKind.APPLICATIONS, now=after_close)
    assert deadlines.deadline_for(student, season, ExtensionKind.APPLICATIONS) == later
    assert deadlines.deadline_for(student, season, ExtensionKind.RANKING) == season.ranking_close_at


def test_an_extension_earlier_than_the_season_date_does_not_shorten_it(appctx, world):
    season, student, _ = world
    season = db.session.get(Season, season.id)
    _extend(season.id, student.id, ExtensionKind.RANKING, season.ranking_close_at - timedelta(days=5))

    assert deadlines.deadline_for(student, season, ExtensionKind.RANKING) == season.ranking_close_at
    deadlines.check_open(student, season, ExtensionKind.RANKING, now=season.ranking_close_at - timedelta(days=1))


def test_check_open_refuses_after_the_deadline_and_allows_before(appctx, world):
    season, student, _ = world
    season = db.session.get(Season, season.id)

    deadlines.check_open(student, season, ExtensionKind.OFFER, now=season.offer_deadline_at)
    with pytest.raises(ServiceError, match="offer response deadline passed"):
        deadlines.check_open(student, season, ExtensionKind.OFFER, now=season.offer_deadline_at + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("phase", "kind", "allowed"),
    [
        (Phase.DRAFT, ExtensionKind.APPLICATIONS, False),
        (Phase.APPLICATIONS, ExtensionKind.APPLICATIONS, True),
        (Phase.RANKING, ExtensionKind.APPLICATIONS, False),
        (Phase.APPLICATIONS, ExtensionKind.RANKING, True),
        (Phase.RANKING, ExtensionKind.RANKING, True),
        (Phase.MATCHING, ExtensionKind.RANKING, False),
        (Phase.MATCHING, ExtensionKind.OFFER, False),
        (Phase.PUBLISHED, ExtensionKind.OFFER, True),
        (Phase.CLOSED, ExtensionKind.OFFER, False),
    ],
)
def test_phase_allows_each_kind_only_in_its_phases(phase, kind, allowed):
    assert deadlines.phase_allows(Season(phase=phase), kind) is allowed


def test_all_of_a_persons_deadlines_at_once_take_the_later_of_extension_and_season(appctx, world):
    season, student, other = world
    season = db.session.get(Season, season.id)
    earlier = season.ranking_close_at - timedelta(days=2)
    later = season.offer_deadline_at + timedelta(days=3)
    db.session.add_all(
        [
            DeadlineExtension(
                season_id=season.id, user_id=student.id, kind=ExtensionKind.RANKING, until=earlier, reason="Asked early"
            ),
            DeadlineExtension(
                season_id=season.id, user_id=student.id, kind=ExtensionKind.OFFER, until=later, reason="Travelling"
            ),
        ]
    )
    db.session.commit()

    assert deadlines.deadlines_for(student, season) == {
        ExtensionKind.APPLICATIONS: season.applications_close_at,
        ExtensionKind.RANKING: season.ranking_close_at,  # an extension earlier than the season's date changes nothing
        ExtensionKind.OFFER: later,
    }
    assert deadlines.deadlines_for(other, season)[ExtensionKind.OFFER] == season.offer_deadline_at
