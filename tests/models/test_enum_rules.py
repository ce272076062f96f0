"""Rules that live on the enumerations: match-mode labels and properties, work-mode labels."""

from __future__ import annotations

import pytest

from sprint.forms.company import WORK_MODES as HOST_WORK_MODES
from sprint.forms.runs import MODES
from sprint.forms.student import WORK_MODES as STUDENT_WORK_MODES
from sprint.models import MatchMode, WorkMode
from sprint.models.enums import ACCEPTED_PLACEMENTS, LIVE_PLACEMENTS, PlacementStatus


@pytest.mark.parametrize(
    ("mode", "label", "stable", "side_constraints"),
    [
        (MatchMode.STABLE, "Stable, students propose", True, False),
        (MatchMode.STABLE_HOSTS, "Stable, hosts propose", True, False),
        (MatchMode.MAX_STABLE, "Max-stable (allows side constraints)", True, True),
        (MatchMode.WELFARE, "Welfare: most placements, best ranks (allows side constraints)", False, True),
    ],
)
def test_each_match_mode_knows_its_label_stability_and_side_constraints(mode, label, stable, side_constraints):
    assert (mode.label, mode.is_stable, mode.allows_side_constraints) == (label, stable, side_constraints)


def test_the_run_form_offers_every_mode_with_its_enum_label():
    assert [(c.value, c.label) for c in MODES] == [(m, m.label) for m in MatchMode]


def test_work_mode_labels_and_both_forms_take_them_from_the_enum():
    assert [m.label for m in WorkMode] == ["On site", "Hybrid", "Remote"]
    assert [(c.value, c.label) for c in HOST_WORK_MODES] == [(m.value, m.label) for m in WorkMode]
    assert [(c.value, c.label) for c in STUDENT_WORK_MODES] == [("", "Any")] + [(m.value, m.label) for m in WorkMode]


def test_live_and_accepted_placements():
    assert set(LIVE_PLACEMENTS) == {
        PlacementStatus.OFFERED,
        PlacementStatus.ACCEPTED,
        PlacementStatus.STARTED,
        PlacementStatus.COMPLETED,
    }  # a placement that ended early no longer holds its seat
    assert set(ACCEPTED_PLACEMENTS) == {
        PlacementStatus.ACCEPTED,
        PlacementStatus.STARTED,
        PlacementStatus.COMPLETED,
        PlacementStatus.ENDED_EARLY,
    }


def test_the_position_facts_macro_reads_the_work_mode_label_from_the_enum(app):
    from types import SimpleNamespace

    from flask import render_template_string

    position = SimpleNamespace(
        hourly_pay=20,
        hours_per_week=30,
        start_date=None,
        end_date=None,
        site_town="Erie",
        work_mode="onsite",
        slots=1,
        housing_help=False,
    )
    with app.test_request_context():
        html = render_template_string(
            '{% from "_macros.html" import position_facts %}{{ position_facts(p) }}', p=position
        )
    assert "Erie · on site" in html
