"""The independent check of a run's result: made by the run's job when it finishes and kept on the run,
so the verify page reads it instead of parsing the whole snapshot again in its request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprint.extensions import db
from sprint.models import MatchRun, RunStatus, Season, User, utcnow
from sprint.services.errors import ServiceError
from sprint.services.matching import adapter, match_runs
from sprint.services.matching.match_runs import RunSettings


def _start(world, **settings) -> MatchRun:
    return match_runs.start_run(
        db.session.get(User, world.coordinator.id), db.session.get(Season, world.season.id), RunSettings(**settings)
    )


def _checker_must_not_run(*args, **kwargs):
    raise AssertionError("the snapshot was parsed and checked again")


def test_the_job_keeps_the_check_and_the_page_reads_it_without_parsing_again(appctx, small_season, monkeypatch):
    run = _start(small_season, mode="stable", seed=2)
    kept = dict(run.verification)
    fresh = adapter.verify(run.input_snapshot, run.result)

    monkeypatch.setattr(adapter, "verify", _checker_must_not_run)
    report = match_runs.verify(db.session.get(MatchRun, run.id))

    assert run.status == RunStatus.DONE
    assert report == fresh and report.feasible and report.blocking_pairs == []
    assert abs(match_runs.verified_at(run) - utcnow()) < timedelta(minutes=1)
    assert set(kept) == {"feasible", "violations", "blocking_pairs", "checked_at"}


def test_a_run_finished_before_the_job_kept_checks_is_checked_once_and_kept(appctx, small_season, monkeypatch):
    run = _start(small_season, mode="welfare", seed=1)
    expected = adapter.verify(run.input_snapshot, run.result)
    run.verification = None
    db.session.commit()

    first = match_runs.verify(run)
    monkeypatch.setattr(adapter, "verify", _checker_must_not_run)
    second = match_runs.verify(db.session.get(MatchRun, run.id))

    assert first == second == expected
    assert db.session.get(MatchRun, run.id).verification["blocking_pairs"] == [list(p) for p in expected.blocking_pairs]


def test_a_check_that_breaks_leaves_the_result_standing_and_the_page_checks_it(appctx, small_season, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("checker crashed")

    real = adapter.verify
    monkeypatch.setattr(adapter, "verify", broken)
    run = _start(small_season, mode="stable", seed=2)
    assert run.status == RunStatus.DONE and run.verification is None and run.assignments

    monkeypatch.setattr(adapter, "verify", real)
    assert match_runs.verify(run).feasible
    assert db.session.get(MatchRun, run.id).verification is not None


def test_a_failed_run_started_again_is_checked_again_and_an_unfinished_one_cannot_be(appctx, small_season):
    run = _start(small_season, mode="stable", seed=2)
    before = match_runs.verified_at(run)
    run.status, run.verification = RunStatus.FAILED, dict(run.verification, checked_at="2026-01-01T00:00:00")
    db.session.commit()

    match_runs.restart(db.session.get(User, small_season.coordinator.id), run)  # solved again, inline in tests
    again = db.session.get(MatchRun, run.id)

    assert again.status == RunStatus.DONE and match_runs.verified_at(again) >= before
    again.status = RunStatus.RUNNING
    with pytest.raises(ServiceError, match="Only a finished run"):
        match_runs.verify(again)
