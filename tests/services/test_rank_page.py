"""The host's rank page, read from the service: fit, the team's own notes, interview mark, statement,
tiers, sorting and filtering; and saving from a filtered page keeps the hidden candidates' ranks."""

from __future__ import annotations

import pytest

from sprint.extensions import db
from sprint.models import AuditEvent, CandidateReview, HostRank, PositionSkill, Skill
from sprint.services.errors import ServiceError
from sprint.services.market import applications, host_portal, rankings


@pytest.fixture
def desk(market):
    """Position A needs pipetting: Ana and Carl have it, Ben only welds. Ranks: Ana 1, Ben 2, Carl none.
    Elm Bio noted Ana (interviewed); the other host wrote its own note on Ben."""
    a = market.positions["A"]
    a.skill_links.append(PositionSkill(skill=market.skill, required=True))
    market.ben.profile.skills = [Skill(name="welding")]
    db.session.commit()
    applications.apply(market.ana, a, "I ran gels all spring.")
    applications.apply(market.ben, a, "")
    carl = market.new_student("Carl Student")
    applications.apply(carl, a, "")
    rankings.save_host_ranks(
        market.member, a, {market.ana.id: "1", market.ben.id: "2", carl.id: ""}, str(a.ranks_version)
    )
    host_portal.save_review(market.member, market.ana, "Strong at the bench.", True)
    db.session.add(
        CandidateReview(
            host_id=market.stranger.membership.host_id, student_id=market.ben.id, note="Other host's secret"
        )
    )
    db.session.commit()
    return a, carl


def _names(candidates) -> list[str]:
    return [c.student.name for c in candidates]


def test_the_rank_page_shows_fit_notes_interview_mark_and_statement(market, desk):
    a, carl = desk
    page = rankings.rank_page(a)
    by_name = {c.student.name: c for c in page.shown}
    assert _names(page.shown) == ["Ana Student", "Ben Student", "Carl Student"]
    assert [c.score for c in page.shown] == [100, 0, 100]
    assert by_name["Ana Student"].statement == "I ran gels all spring."
    assert by_name["Ana Student"].review.note == "Strong at the bench." and by_name["Ana Student"].interviewed
    assert by_name["Ben Student"].review is None and not by_name["Ben Student"].interviewed  # never the other host's
    assert [(rank, _names(members)) for rank, members in page.tiers] == [
        (1, ["Ana Student"]),
        (2, ["Ben Student"]),
        (None, ["Carl Student"]),
    ]
    assert page.total == 3 and page.ranked == 2 and page.reorderable and page.hidden == []


def test_equal_ranks_are_one_tier(market, desk):
    a, carl = desk
    rankings.save_host_ranks(
        market.member, a, {market.ana.id: "2", market.ben.id: "2", carl.id: "5"}, str(a.ranks_version)
    )
    tiers = rankings.rank_page(a).tiers
    assert [(rank, _names(members)) for rank, members in tiers] == [
        (2, ["Ana Student", "Ben Student"]),
        (5, ["Carl Student"]),
    ]


def test_sorting_by_fit_or_name_keeps_the_ranks_and_stops_reordering(market, desk):
    a, _ = desk
    by_fit = rankings.rank_page(a, sort="fit")
    assert _names(by_fit.shown) == ["Ana Student", "Carl Student", "Ben Student"]  # equal fit: rank order
    assert by_fit.tiers == [] and not by_fit.reorderable
    assert _names(rankings.rank_page(a, sort="name").shown) == ["Ana Student", "Ben Student", "Carl Student"]


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        ({"fit": 67}, ["Ana Student", "Carl Student"]),
        ({"interview": "interviewed"}, ["Ana Student"]),
        ({"interview": "not_interviewed"}, ["Ben Student", "Carl Student"]),
        ({"ranked": "ranked"}, ["Ana Student", "Ben Student"]),
        ({"ranked": "unranked"}, ["Carl Student"]),
        ({"fit": 67, "ranked": "unranked"}, ["Carl Student"]),
    ],
)
def test_filters_show_some_and_hand_back_the_rest(market, desk, filters, shown):
    a, _ = desk
    page = rankings.rank_page(a, **filters)
    assert _names(page.shown) == shown
    assert sorted(_names(page.hidden)) == sorted({"Ana Student", "Ben Student", "Carl Student"} - set(shown))
    assert not page.reorderable


def test_an_unknown_sort_or_filter_is_refused(market, desk):
    a, _ = desk
    with pytest.raises(ServiceError):
        rankings.rank_page(a, sort="secret")
    with pytest.raises(ServiceError):
        rankings.rank_page(a, ranked="maybe")


def test_moving_one_candidate_into_another_tier_leaves_every_other_rank_alone(market, desk):
    """What the page's Up sends for the tier-3 row of 1, 2, 3: that row becomes 2; nobody becomes 3 or 4."""
    a, carl = desk
    rankings.save_host_ranks(
        market.member, a, {market.ana.id: "1", market.ben.id: "2", carl.id: "3"}, str(a.ranks_version)
    )
    rankings.save_host_ranks(
        market.member, a, {market.ana.id: "1", market.ben.id: "2", carl.id: "2"}, str(a.ranks_version)
    )
    ranks = dict(
        db.session.execute(db.select(HostRank.student_id, HostRank.rank).where(HostRank.position_id == a.id)).all()
    )
    assert ranks == {market.ana.id: 1, market.ben.id: 2, carl.id: 2}


def test_saving_a_note_is_audited_without_its_text(market, desk):
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "review.saved").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.actor_id == market.member.id
    assert "Strong at the bench" not in str(event.details)
