"""Match runs as services: the adapter's instance, runs in every mode, re-runs, publication, second round."""

from __future__ import annotations

import os
import re
import time
from datetime import datetime, timedelta

import pytest

import solver
from sprint import create_app
from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    HostRank,
    MatchAssignment,
    MatchRun,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    RunExplanation,
    RunStatus,
    Season,
    StudentRank,
    User,
    utcnow,
)
from sprint.models.enums import LIVE_PLACEMENTS
from sprint.services.errors import ServiceError
from sprint.services.matching import adapter, match_runs, placement_changes, run_queue, run_reports, second_round
from sprint.services.matching.match_runs import RunSettings
from sprint.services.support import jobs

MODES = ["stable", "stable-hosts", "max-stable", "welfare"]
# CPU priorities per thread exist only where os.setpriority does (POSIX; Linux on this machine and CI)
NEEDS_SETPRIORITY = pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no os.setpriority here")


def _get(model, obj):
    return db.session.get(model, obj.id)


def _start(world, **settings) -> MatchRun:
    return match_runs.start_run(_get(User, world.coordinator), _get(Season, world.season), RunSettings(**settings))


def _matching(run: MatchRun) -> dict[str, str]:
    return {a["student"]: a["position"] for a in run.result["assignments"]}


def test_instance_mirrors_the_rows_of_the_season(appctx, small_season):
    season = _get(Season, small_season.season)

    instance = adapter.build_instance(season)

    students = {entry["id"]: entry for entry in instance["students"]}
    assert set(students) == {f"s{u.id}" for u in small_season.students.values()}
    for user in small_season.students.values():
        ranked = db.session.scalars(
            db.select(StudentRank.position_id)
            .join(StudentRank.application)
            .where(StudentRank.application.has(student_id=user.id))
            .order_by(StudentRank.rank)
        )
        assert students[f"s{user.id}"]["prefs"] == [f"p{pid}" for pid in ranked]
    position_a = small_season.positions["A"]
    entry = next(p for p in instance["positions"] if p["id"] == f"p{position_a.id}")
    s = small_season.students
    assert entry["capacity"] == 2
    assert entry["prefs"] == [f"s{s[1].id}", [f"s{s[2].id}", f"s{s[5].id}"], f"s{s[3].id}", f"s{s[7].id}"]
    assert "first_generation" in students[f"s{s[1].id}"]["groups"]
    assert "community_college" in students[f"s{s[2].id}"]["groups"]


def test_instance_of_the_demo_season_mirrors_its_rows(appctx):
    from sprint.demo import loader

    loader.load_demo(2027)
    season = db.session.scalar(db.select(Season).where(Season.year == 2027, Season.phase == Phase.APPLICATIONS))

    instance = adapter.build_instance(season)

    assert len(instance["students"]) > 200
    sample = instance["students"][:20]
    for entry in sample:
        ranked = db.session.scalars(
            db.select(StudentRank.position_id)
            .join(StudentRank.application)
            .where(StudentRank.application.has(student_id=adapter.key_id(entry["id"]), season_id=season.id))
            .order_by(StudentRank.rank)
        ).all()
        assert [adapter.key_id(p) for p in entry["prefs"]] == [
            pid for pid in ranked if f"p{pid}" in {q["id"] for q in instance["positions"]}
        ]
    for entry in instance["positions"][:10]:
        position = db.session.get(Position, adapter.key_id(entry["id"]))
        assert entry["capacity"] == position.slots and position.season_id == season.id
        listed = [s for tier in entry["prefs"] for s in (tier if isinstance(tier, list) else [tier])]
        ranks = dict(
            db.session.execute(
                db.select(HostRank.student_id, HostRank.rank).where(HostRank.position_id == position.id)
            ).all()
        )
        tiers_in_order = [ranks[adapter.key_id(s)] for s in listed]
        assert tiers_in_order == sorted(tiers_in_order)


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_runs_and_its_snapshot_gives_the_same_matching_again(appctx, small_season, mode):
    run = _start(small_season, mode=mode, seed=3, time_limit_s=10)

    again = match_runs.rerun(_get(User, small_season.coordinator), run)

    assert run.status == RunStatus.DONE and again.status == RunStatus.DONE
    assert again.input_hash == run.input_hash == adapter.instance_hash(run.input_snapshot)
    assert _matching(again) == _matching(run) and len(run.assignments) == len(run.result["assignments"]) > 0
    assert again.parameters["rerun_of"] == run.id
    report = match_runs.verify(run)
    assert report.feasible and (mode == "welfare" or report.blocking_pairs == [])


def test_side_constraints_and_reasoned_locks_reach_the_snapshot(appctx, small_season):
    s, p = small_season.students, small_season.positions

    run = _start(
        small_season,
        mode="max-stable",
        cap_per="host",
        cap_max=3,
        floors={"first_generation": 2},
        host_capacity=[(small_season.hosts[0].id, 2)],
        locks=[(s[6].id, p["A"].id, "Agreed with host")],
        forbids=[(s[1].id, p["B"].id, "Conflict of interest")],
    )

    constraints = run.input_snapshot["constraints"]
    assert constraints["lock"] == [[f"s{s[6].id}", f"p{p['A'].id}"]]
    assert constraints["forbid"] == [[f"s{s[1].id}", f"p{p['B'].id}"]]
    assert constraints["college_cap"] == {"per": "host", "max": 3}
    assert run.parameters["reasons"]["lock"][0]["reason"] == "Agreed with host"
    assert _matching(run)[f"s{s[6].id}"] == f"p{p['A'].id}"


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"mode": "stable", "cap_per": "host", "cap_max": 1}, "max-stable or welfare"),
        ({"mode": "welfare", "cap_per": "host"}, "college cap needs"),
        ({"mode": "stable", "locks": [(999999, 1, "why")]}, "not in this match"),
        ({"mode": "stable", "seed": -1}, "seed"),
        ({"mode": "welfare", "host_capacity": [(424242, 1)]}, "no open position"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_stored(appctx, small_season, settings, message):
    with pytest.raises(ServiceError, match=message):
        _start(small_season, **settings)

    assert db.session.scalar(db.select(db.func.count(MatchRun.id))) == 0


def test_a_lock_needs_a_reason_and_a_known_position(appctx, small_season):
    s, p = small_season.students, small_season.positions

    with pytest.raises(ServiceError, match="reason"):
        _start(small_season, locks=[(s[1].id, p["A"].id, "  ")])
    with pytest.raises(ServiceError, match="not open"):
        _start(small_season, forbids=[(s[1].id, 987654, "x")])


def test_publish_creates_offers_notifies_locks_and_refuses_a_second_time(appctx, small_season, outbox):
    first = _start(small_season, mode="stable", seed=1)
    other = _start(small_season, mode="welfare", seed=1)
    actor = _get(User, small_season.coordinator)

    match_runs.publish(actor, first)
    placements = match_runs.offers_of(first)

    season = _get(Season, small_season.season)
    assert season.phase == Phase.PUBLISHED
    assert len(placements) == 5 and all(p.status == PlacementStatus.OFFERED for p in placements)
    assert all(p.response_deadline == season.offer_deadline_at for p in placements)
    assert len([m for m in outbox if "match result" in m.subject]) == 7  # every student, placed or not
    for run in (first, other):
        with pytest.raises(ServiceError, match="already published"):
            match_runs.publish(actor, run)
    assert db.session.scalar(db.select(db.func.count(Placement.id))) == 5
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "run.published")) == 1


def test_a_decline_then_a_second_round_leaves_accepted_placements_untouched(appctx, small_season, outbox):
    actor = _get(User, small_season.coordinator)
    run = _start(small_season, mode="stable", seed=1)
    match_runs.publish(actor, run)
    placements = match_runs.offers_of(run)
    declined, kept = placements[0], placements[1:]
    for placement in kept:
        placement.status = PlacementStatus.ACCEPTED
    db.session.commit()
    placement_changes.end_placement(actor, declined, "declined", "Took another offer")
    before = {(p.id, p.student_id, p.position_id, p.status) for p in kept}

    season = _get(Season, small_season.season)
    second = second_round.start_second_round(actor, season, RunSettings(mode="stable", seed=2))

    assert second.round == 2 and second.status == RunStatus.DONE
    assert [p["capacity"] for p in second.input_snapshot["positions"] if p["id"] == f"p{declined.position_id}"] == [1]
    assert {adapter.key_id(e["id"]) for e in second.input_snapshot["students"]} == {
        u.id for u in small_season.students.values()
    } - {p.student_id for p in placements}
    match_runs.publish(actor, second)
    new = match_runs.offers_of(second)
    assert {(p.id, p.student_id, p.position_id, p.status) for p in kept} == before
    assert len(new) >= 1 and all(p.round == 2 for p in new)
    assert declined.student_id not in {p.student_id for p in new}  # they said no; no second offer
    live = db.session.scalars(db.select(Placement).where(Placement.status.in_(LIVE_PLACEMENTS))).all()
    per_position = {}
    for p in live:
        per_position[p.position_id] = per_position.get(p.position_id, 0) + 1
    assert all(n <= db.session.get(Position, pid).slots for pid, n in per_position.items())


def test_second_round_needs_a_published_first_round(appctx, small_season):
    with pytest.raises(ServiceError, match="after the first round"):
        second_round.start_second_round(
            _get(User, small_season.coordinator), _get(Season, small_season.season), RunSettings()
        )


def test_manual_changes_respect_seats_need_reasons_and_are_audited(appctx, small_season):
    actor = _get(User, small_season.coordinator)
    run = _start(small_season, seed=1)
    match_runs.publish(actor, run)
    placements = match_runs.offers_of(run)
    season = _get(Season, small_season.season)
    full = _get(Position, small_season.positions["D"])
    mover = next(p for p in placements if p.position_id != full.id)

    with pytest.raises(ServiceError, match="reason"):
        placement_changes.move_placement(actor, mover, full, " ")
    with pytest.raises(ServiceError, match="no free seat"):
        placement_changes.move_placement(actor, mover, full, "Host asked")
    placed = {p.student_id for p in placements}
    unplaced = next(u for u in small_season.students.values() if u.id not in placed)
    with pytest.raises(ServiceError, match="no free seat"):
        placement_changes.add_placement(actor, season, _get(User, unplaced), full, "Walk-in")

    holder = next(p for p in placements if p.position_id == full.id)
    placement_changes.end_placement(actor, holder, "cancelled", "Host withdrew the offer")
    added = placement_changes.add_placement(actor, season, _get(User, unplaced), full, "Host asked for them")

    assert added.round == 0 and added.status == PlacementStatus.OFFERED
    assert holder.status == PlacementStatus.WITHDRAWN and "Host withdrew" in holder.note
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"placement.cancelled", "placement.added", "run.published", "run.created"} <= actions


def _running(run: MatchRun, heartbeat_at) -> MatchRun:
    """The run as a worker solving it would leave it, its last heartbeat at `heartbeat_at`."""
    run.status, run.started_at, run.heartbeat_at = RunStatus.RUNNING, heartbeat_at, heartbeat_at
    db.session.commit()
    return run


def test_a_run_whose_heartbeat_stopped_is_swept_to_failed_and_can_start_again(appctx, small_season):
    beat = datetime(2027, 3, 20, 14, 0, 5)  # 10:00 AM in New Haven (daylight time)
    run = _running(_start(small_season, seed=1), beat)

    assert run_queue.sweep_stale(now=beat + timedelta(seconds=61)) == 1

    db.session.refresh(run)
    assert run.status == RunStatus.FAILED
    assert run.error == (
        "The worker solving this run stopped at Mar 20, 2027, 10:00\u202fAM EDT before it finished; start it again."
    )
    match_runs.restart(_get(User, small_season.coordinator), run)
    assert run.status == RunStatus.DONE and run.error == "" and len(run.assignments) == 5


def test_a_fresh_heartbeat_is_left_alone(appctx, small_season):
    beat = utcnow()
    run = _running(_start(small_season, seed=1), beat)

    assert run_queue.sweep_stale(now=beat + timedelta(seconds=59)) == 0
    runs = run_reports.runs_of(_get(Season, small_season.season))  # the page sweeps with the real clock

    assert runs[0].status == RunStatus.RUNNING and runs[0].id == run.id


def test_the_runs_pages_show_a_run_whose_worker_stopped_as_failed(appctx, small_season):
    run = _running(_start(small_season, seed=1), utcnow() - timedelta(minutes=2))
    run_id = run.id
    other = _running(_start(small_season, mode="welfare", seed=1), utcnow() - timedelta(minutes=2))

    assert run_reports.run_for(_get(User, small_season.coordinator), run_id).status == RunStatus.FAILED
    assert run_reports.runs_of(_get(Season, small_season.season))[0].id == other.id
    assert _get(MatchRun, other).status == RunStatus.FAILED and "stopped at" in _get(MatchRun, other).error


def test_compare_lists_who_moves_and_by_how_many_ranks(appctx, small_season):
    s, p = small_season.students, small_season.positions
    plain = _start(small_season, mode="stable", seed=1)
    locked = _start(small_season, mode="stable", seed=1, locks=[(s[1].id, p["C"].id, "Test a move")])

    a, _b, moves, counts = run_reports.compare(plain, locked)

    move = next(m for m in moves if m.name == "Student 1")
    assert move.before == "Position A (Host 1)" and move.after == "Position C (Host 2)"
    assert move.rank_before == 1 and move.rank_after == 3 and move.rank_change == 2
    assert counts["moved"] >= 1 and a.matched == len(plain.assignments)


def test_run_figures_suppress_small_group_cells_and_name_people(appctx, small_season):
    run = _start(small_season, mode="stable", seed=1)

    figures = run_reports.figures(run)
    name, where, reasons = run_reports.explanation(run, f"s{small_season.students[7].id}")

    assert dict(figures.per_group)["First-generation students"] == "<5"  # three at most: suppressed
    assert all(value == "<5" or int(value) >= 5 for _, value in figures.per_college)
    assert figures.matched == 5 and len(figures.unmatched) == 2
    assert name == "Student 7" and (where.startswith("Placed") or where == "Not matched")
    assert reasons and all("Position" in reason for reason in reasons)
    assert not any(re.search(r"\b[sp]\d+\b", reason) for reason in reasons)  # ids became names
    assert run_reports.explanation(run, "s999999") is None


def test_suggestions_rank_open_positions_by_skills(appctx, small_season):
    actor = _get(User, small_season.coordinator)
    run = _start(small_season, seed=1)
    match_runs.publish(actor, run)
    placements = match_runs.offers_of(run)
    placement_changes.end_placement(actor, placements[0], "withdrawn", "Moved away")

    per_student, per_position = second_round.suggestions(_get(Season, small_season.season))

    assert placements[0].position_id in per_position
    assert len(per_student) == 3  # two never matched, one withdrew
    for _name, items in per_student.values():
        assert [i.score for i in items] == sorted((i.score for i in items), reverse=True)
    assert second_round.open_seats(_get(Season, small_season.season)) == 1


def test_two_publications_racing_yield_one(appctx, small_season, monkeypatch):
    actor = _get(User, small_season.coordinator)
    first, second = _start(small_season, seed=1), _start(small_season, mode="welfare", seed=1)
    match_runs.publish_run(actor, first)
    monkeypatch.setattr(match_runs, "round_published", lambda season_id, round_: False)  # both passed the check

    with pytest.raises(ServiceError, match="already published"):
        match_runs.publish_run(actor, second, unstable_ok=True)  # the welfare run has blocking pairs

    assert db.session.scalars(db.select(MatchRun.id).where(MatchRun.published_at.is_not(None))).all() == [first.id]
    assert db.session.scalar(db.select(db.func.count(Placement.id))) == len(first.assignments)


def test_the_web_processs_solving_thread_solves_a_queued_run_in_its_own_context(app, small_season):
    with app.app_context():
        season = _get(Season, small_season.season)
        run_id = match_runs.create_run(_get(User, small_season.coordinator), season, seed=1).id

    run_queue._in_context(app, run_id)  # what the embedded solving thread runs

    with app.app_context():
        run = db.session.get(MatchRun, run_id)
        assert run.status == RunStatus.DONE and run.started_at and run.finished_at and run.solve_seconds is not None
        assert run.heartbeat_at is not None and len(run.assignments) == 5


def test_starting_a_run_queues_a_job_that_solves_it(appctx, small_season, monkeypatch):
    monkeypatch.setitem(appctx.config, "RUNS_INLINE", False)  # through the queue ("immediate" in tests)
    queued: list = []
    real = jobs.enqueue
    monkeypatch.setattr(jobs, "enqueue", lambda name, *args, **kw: queued.append((name, args)) or real(name, *args))

    run = _start(small_season, seed=1)

    assert queued == [("matching.execute_run", (run.id,))]
    assert run.status == RunStatus.DONE and len(run.assignments) == 5  # the job ran in its own session


def test_a_second_execution_of_a_run_does_nothing(appctx, small_season, monkeypatch):
    solved: list[int] = []
    real = run_queue.solve_run
    monkeypatch.setattr(run_queue, "solve_run", lambda run: solved.append(run.id) or real(run))
    run = match_runs.create_run(_get(User, small_season.coordinator), _get(Season, small_season.season), seed=1)

    claimed_at = run_queue.claim(run.id)
    assert claimed_at is not None and run_queue.claim(run.id) is None  # a second claim is refused
    assert run_queue.execute_queued(run.id) is None  # so is a second execution while it runs
    assert _get(MatchRun, run).status == RunStatus.RUNNING and solved == []

    done = match_runs.create_run(_get(User, small_season.coordinator), _get(Season, small_season.season), seed=2)
    jobs.enqueue("matching.execute_run", done.id)
    jobs.enqueue("matching.execute_run", done.id)  # the same run queued twice: solved once
    db.session.expire_all()  # the jobs wrote in sessions of their own
    assert solved == [done.id] and _get(MatchRun, done).status == RunStatus.DONE


def test_a_worker_whose_run_was_swept_meanwhile_stores_nothing(appctx, small_season):
    run = match_runs.create_run(_get(User, small_season.coordinator), _get(Season, small_season.season), seed=1)
    claimed_at = run_queue.claim(run.id)
    assert run_queue.sweep_stale(now=utcnow() + timedelta(minutes=2)) == 1  # its heartbeat "stopped"

    run_queue._solve(db.session.get(MatchRun, run.id), claimed_at)  # ...but the worker was only slow

    run = _get(MatchRun, run)
    assert run.status == RunStatus.FAILED and "stopped at" in run.error
    assert run.assignments == [] and run.result is None


def test_the_heartbeat_beats_until_it_stops_or_the_run_is_not_its_own(appctx, small_season):
    run = match_runs.create_run(_get(User, small_season.coordinator), _get(Season, small_season.season), seed=1)
    claimed_at = run_queue.claim(run.id)
    first = _get(MatchRun, run).heartbeat_at

    with run_queue.Heartbeat(db.engine, run.id, claimed_at, interval=0.05) as heartbeat:
        deadline = time.monotonic() + 10
        while db.session.scalar(db.select(MatchRun.heartbeat_at).where(MatchRun.id == run.id)) == first:
            assert time.monotonic() < deadline, "no heartbeat written"
            db.session.commit()
            time.sleep(0.05)
    assert not heartbeat.thread.is_alive()

    db.session.execute(db.update(MatchRun).where(MatchRun.id == run.id).values(status=RunStatus.FAILED))
    db.session.commit()
    assert run_queue.Heartbeat(db.engine, run.id, claimed_at, interval=1).beat() is False


def test_a_run_the_queue_cannot_take_fails_with_a_clear_message(appctx, small_season, monkeypatch):
    monkeypatch.setitem(appctx.config, "RUNS_INLINE", False)

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(jobs, "enqueue", unreachable)

    run = _start(small_season, seed=1)

    assert run.status == RunStatus.FAILED and "could not be reached" in run.error


def test_only_the_sqlite_queue_with_run_in_web_solves_in_the_web_process(tmp_path):
    def app_with(queue_url: str, in_web: bool):
        return create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "QUEUE_URL": queue_url, "RUN_IN_WEB": in_web}
        )

    assert run_queue.solves_in_web(app_with(f"sqlite:///{tmp_path / 'queue.sqlite'}", True))
    assert not run_queue.solves_in_web(app_with(f"sqlite:///{tmp_path / 'queue.sqlite'}", False))
    assert not run_queue.solves_in_web(app_with("redis://127.0.0.1:6379/15", True))  # production: workers only
    assert not run_queue.solves_in_web(app_with("immediate", True))


def test_in_the_embedded_mode_the_web_thread_solves_and_takes_on_a_stopped_processs_queued_runs(
    appctx, small_season, monkeypatch
):
    monkeypatch.setitem(appctx.config, "RUNS_INLINE", False)
    monkeypatch.setitem(appctx.config, "RUN_NICE", 0)  # the thread is the test process's: keep its priority
    monkeypatch.setattr(run_queue, "solves_in_web", lambda app=None: True)
    monkeypatch.setattr(jobs, "enqueue", lambda *args, **kwargs: pytest.fail("the embedded mode queues no job"))
    queue = run_queue.queue_of()
    orphan = match_runs.create_run(_get(User, small_season.coordinator), _get(Season, small_season.season), seed=2)
    orphan.created_at = queue.started_at - timedelta(minutes=1)  # queued by a web process that restarted
    db.session.commit()

    run = _start(small_season, seed=1)
    run_reports.runs_of(_get(Season, small_season.season))  # finds the orphan and solves it here
    queue.executor.submit(lambda: None).result(timeout=60)  # one thread: both runs are done by now
    db.session.expire_all()

    assert [_get(MatchRun, r).status for r in (run, orphan)] == [RunStatus.DONE, RunStatus.DONE]


def test_queued_runs_waiting_for_a_worker_are_not_taken_for_orphans(appctx, small_season, monkeypatch):
    waiting = match_runs.create_run(_get(User, small_season.coordinator), _get(Season, small_season.season), seed=1)
    waiting.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()

    run_reports.runs_of(_get(Season, small_season.season))

    assert _get(MatchRun, waiting).status == RunStatus.QUEUED  # its job waits in the queue


def test_a_run_in_the_web_process_keeps_the_collector_on_through_cp_sat_and_after(appctx, small_season, monkeypatch):
    """gc.disable() is process-wide: in the web process it stops the collector for every request thread.
    The engine pauses it only for its short Python steps (parsing, a stable solve, the result), never
    for a CP-SAT search (up to 600 s), and the collector runs again when the run is done."""
    import gc

    import solver.cpsat
    import solver.deferred_acceptance

    seen: list[tuple[str, bool]] = []

    def watch(module, name: str) -> None:
        real = getattr(module, name)

        def watched(*args, **kwargs):
            seen.append((name, gc.isenabled()))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, watched)

    watch(solver.cpsat, "solve_cpsat")
    watch(solver.deferred_acceptance, "_propose")

    runs = [_start(small_season, seed=1), _start(small_season, mode="max-stable", seed=1, time_limit_s=5)]

    assert [run.status for run in runs] == [RunStatus.DONE, RunStatus.DONE]
    # the stable run's proposals paused; the max-stable run's hint and its search with the collector on
    assert seen == [("_propose", False), ("_propose", True), ("solve_cpsat", True)]
    assert gc.isenabled()


def test_each_app_has_its_own_run_queue(app):
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    mine, theirs = run_queue.queue_of(app), run_queue.queue_of(other)

    assert mine is not theirs and mine.executor is not theirs.executor and mine.mine is not theirs.mine
    assert jobs.jobs_of(app).tasks["matching.execute_run"] is not jobs.jobs_of(other).tasks["matching.execute_run"]


@NEEDS_SETPRIORITY
def test_the_solving_thread_runs_at_a_lower_priority_than_the_pages():
    import threading

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list = []
    thread = threading.Thread(target=lambda: seen.append(run_queue.lower_priority(10)))
    thread.start()
    thread.join()

    assert seen == [min(19, before + 10)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # the calling thread keeps its own


@NEEDS_SETPRIORITY
def test_the_background_thread_is_lowered_once_however_many_runs_it_solves(app, monkeypatch):
    import threading

    queue = run_queue.RunQueue(app)
    monkeypatch.setitem(app.config, "RUN_NICE", 3)  # read when the thread starts, with the first run
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())  # the worker thread starts from this

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen = [queue.executor.submit(priority).result() for _ in range(2)]
    queue.executor.shutdown()

    assert seen == [min(19, before + 3)] * 2


@NEEDS_SETPRIORITY
def test_a_worker_lowers_its_whole_scheduling_group(tmp_path, monkeypatch):
    import threading

    group = tmp_path / "autogroup"
    monkeypatch.setattr(run_queue, "AUTOGROUP", str(group))
    seen: list = []
    thread = threading.Thread(target=lambda: seen.append(run_queue.lower_priority(5, whole_process=True)))
    thread.start()
    thread.join()

    assert group.read_text() == str(seen[0]) and seen[0] >= 5


def test_bulk_rows_read_back_exactly_whatever_their_characters(appctx, small_season):
    """store_result writes with COPY on PostgreSQL: its text escaping must not change a value."""
    from sprint.services.support.bulk import insert_rows

    run = match_runs.create_run(None, _get(Season, small_season.season), deferred=True)  # queued: no rows yet
    odd = {
        "reason": ["tab\there", "line\nbreak", 'quote " and \\ backslash', "accents: é ñ 🌱", "\\N"],
        "ranks": [None, 0],
    }
    student, position = small_season.students[1], small_season.positions["A"]
    insert_rows(RunExplanation.__table__, [{"run_id": run.id, "person": "s-odd", "entries": odd}])
    insert_rows(
        MatchAssignment.__table__,
        [
            {
                "run_id": run.id,
                "student_id": student.id,
                "position_id": position.id,
                "student_rank": None,
                "position_rank": 2,
            }
        ],
    )
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(RunExplanation, (run.id, "s-odd")).entries == odd
    extra = db.session.scalars(
        db.select(MatchAssignment).where(MatchAssignment.run_id == run.id, MatchAssignment.student_rank.is_(None))
    ).one()
    assert (extra.student_id, extra.position_id, extra.position_rank) == (student.id, position.id, 2)


def test_each_persons_reasons_are_a_row_of_their_own_and_a_restart_clears_them(appctx, small_season):
    run = _start(small_season, seed=1)
    people = {entry["id"] for side in ("students", "positions") for entry in run.input_snapshot[side]}

    stored = dict(
        db.session.execute(
            db.select(RunExplanation.person, RunExplanation.entries).where(RunExplanation.run_id == run.id)
        ).all()
    )

    again = solver.solve(solver.Problem.from_dict(run.input_snapshot), mode=run.mode, seed=run.seed).to_dict()[
        "explanations"
    ]
    assert "explanations" not in run.result
    assert stored == {**again["students"], **again["positions"]} and stored and set(stored) <= people
    run.status = RunStatus.FAILED
    db.session.commit()
    match_runs.restart(_get(User, small_season.coordinator), run)  # solves again (inline in tests)
    assert db.session.scalar(
        db.select(db.func.count()).select_from(RunExplanation).where(RunExplanation.run_id == run.id)
    ) == len(stored)
