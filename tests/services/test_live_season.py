"""Which season a page shows: `seasons.pick_season`, over every pair of phases two seasons can be in."""

from __future__ import annotations

import itertools

import pytest

from sprint.models import Phase, Season
from sprint.services.season.queries import pick_season

LIVE = {Phase.APPLICATIONS, Phase.RANKING, Phase.MATCHING, Phase.PUBLISHED}
PAIRS = list(itertools.product(Phase, Phase))
WHO = {"newcomer": set(), "took part in 2027": {1}, "in 2028": {2}, "in both": {1, 2}}


def _seasons(old: Phase, new: Phase) -> tuple[Season, Season]:
    return (
        Season(id=1, program_id=1, year=2027, name="Summer 2027", phase=old),
        Season(id=2, program_id=1, year=2028, name="Summer 2028", phase=new),
    )


def _expected_for_people(old: Phase, new: Phase, taking_part: set[int]) -> int | None:
    """The rule in words: a live season you take part in (the newest), else the newest live one,
    else the last closed season you took part in; drafts and others' closed seasons never."""
    phases = {1: old, 2: new}
    live = [cid for cid in (2, 1) if phases[cid] in LIVE]
    mine = [cid for cid in live if cid in taking_part]
    closed_mine = [cid for cid in (2, 1) if phases[cid] == Phase.CLOSED and cid in taking_part]
    return (mine or live or closed_mine or [None])[0]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"2027-{a}+2028-{b}" for a, b in PAIRS])
def test_students_and_hosts_see_the_live_season_they_take_part_in_and_never_a_draft(old, new, who):
    seasons = _seasons(old, new)

    view = pick_season(seasons, WHO[who])

    shown = view.shown.id if view.shown else None
    assert shown == _expected_for_people(old, new, WHO[who])
    assert all(season.phase != Phase.DRAFT for season in view.choices)
    assert view.shown is None or view.shown in view.choices
    assert [season.year for season in view.choices] == sorted((c.year for c in view.choices), reverse=True)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("old", list(Phase))
def test_a_new_draft_season_changes_nothing_a_student_or_host_sees(old, who):
    running, draft = _seasons(old, Phase.DRAFT)

    before, after = pick_season([running], WHO[who]), pick_season([running, draft], WHO[who])

    assert after == before


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"2027-{a}+2028-{b}" for a, b in PAIRS])
def test_a_persons_pick_is_kept_only_when_it_is_one_of_their_seasons(old, new):
    seasons = _seasons(old, new)

    for wanted in (1, 2, 99):
        view = pick_season(seasons, {1}, wanted)

        if any(season.id == wanted for season in view.choices):
            assert view.shown.id == wanted
        else:
            assert view.shown is None or view.shown.id == _expected_for_people(old, new, {1})


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"2027-{a}+2028-{b}" for a, b in PAIRS])
def test_staff_open_on_the_newest_live_season_else_the_newest_closed_else_the_draft(old, new):
    seasons = _seasons(old, new)
    phases = {1: old, 2: new}

    view = pick_season(seasons, staff=True)

    live = [cid for cid in (2, 1) if phases[cid] in LIVE]
    closed = [cid for cid in (2, 1) if phases[cid] == Phase.CLOSED]
    assert view.shown.id == (live or closed or [2])[0]
    assert [season.id for season in view.choices] == [2, 1]


def test_the_overlap_of_two_live_seasons_offers_the_other_one():
    last_year, next_year = _seasons(Phase.PUBLISHED, Phase.APPLICATIONS)

    holder = pick_season([last_year, next_year], {1})
    newcomer = pick_season([last_year, next_year], set())

    assert holder.shown is last_year and holder.others == (next_year,)
    assert newcomer.shown is next_year and newcomer.others == (last_year,)


def test_the_dashboards_one_season_sections_ignore_a_new_draft(appctx, dash_world, make):
    from sprint.extensions import db
    from sprint.models import Program
    from sprint.services.dashboards import common

    make.season(dash_world.program, 2026, Phase.DRAFT)
    program = db.session.get(Program, dash_world.program.id)

    assert common.current_year(program, common.DashboardFilters()) == 2025
    assert common.current_year(program, common.DashboardFilters(years=(2024,))) == 2024
