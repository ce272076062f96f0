"""The small-cell rule exists once and every aggregate page uses it."""

from sprint.services.dashboards import common
from sprint.services.matching import run_reports
from sprint.services.support.privacy import HIDDEN, suppress, too_small


def test_counts_under_five_zero_included_are_hidden_and_five_is_shown():
    assert [suppress(n) for n in (0, 1, 4, 5, 6)] == [HIDDEN, HIDDEN, HIDDEN, 5, 6]
    assert HIDDEN == "<5"
    assert suppress(None) is None


def test_a_rate_is_hidden_when_either_of_its_counts_is_small():
    assert too_small(5, 4) and too_small(0, 100) and not too_small(5, 5)
    assert common.rate(5, 5, protect=True) == 1.0
    assert common.rate(0, 100, protect=True) == HIDDEN


def test_dashboards_and_run_reports_share_the_same_rule():
    assert common.suppress is suppress
    assert run_reports.suppress is suppress


def test_figures_read_the_same_on_dashboards_and_run_pages():
    from sprint.services.matching import match_quality
    from sprint.services.support import figures

    assert run_reports.show is figures.show is common.show
    assert match_quality.rate is figures.rate is common.rate
    assert str(figures.Percent(0.125)) == "12.5%"
    assert figures.rate(3, 4, protect=True) == HIDDEN
