"""Match runs: create one from a snapshot of the cycle, solve it, publish it."""

from __future__ import annotations

import time
from datetime import timedelta

import solver
from sqlalchemy.exc import IntegrityError

from ..errors import ServiceError
from ..extensions import db
from ..models import MatchMode, MatchRun, Phase, Placement, RunStatus, User, utcnow
from . import audit
from .matching import build_instance, instance_hash, store_result


def create_run(actor: User | None, cycle, mode: MatchMode = MatchMode.STABLE, seed: int = 0,
               time_limit_s: float = 10.0, constraints: dict | None = None, label: str = "",
               round_: int = 1, instance: dict | None = None) -> MatchRun:
    """Freeze the cycle's market into a queued run; the snapshot never changes afterwards."""
    if seed < 0:
        raise ServiceError("The seed must be zero or a positive whole number.", "seed")
    instance = instance if instance is not None else build_instance(cycle, constraints)
    run = MatchRun(cycle=cycle, round=round_, mode=mode, seed=seed, label=label.strip(),
                   parameters={"time_limit_s": time_limit_s, "constraints": constraints or {}},
                   solver_version=solver.SOLVER_VERSION, input_snapshot=instance,
                   input_hash=instance_hash(instance), created_by=actor, status=RunStatus.QUEUED)
    db.session.add(run)
    db.session.flush()
    audit.record(actor, "run.created", run, program_id=cycle.program_id, mode=str(mode), seed=seed,
                 input_hash=run.input_hash)
    db.session.commit()
    return run


def execute_run(run: MatchRun) -> MatchRun:
    """Solve a queued run from its snapshot and store the result; a failure is recorded, not raised."""
    run.status, run.started_at = RunStatus.RUNNING, utcnow()
    db.session.commit()
    started = time.perf_counter()
    try:
        problem = solver.Problem.from_dict(run.input_snapshot)
        solution = solver.solve(problem, mode=run.mode, seed=run.seed,
                                time_limit_s=float(run.parameters.get("time_limit_s", 10.0)))
    except (solver.InstanceError, solver.ModeError) as error:
        run.status, run.error = RunStatus.FAILED, str(error)
    else:
        store_result(run, solution.to_dict())
        run.status = RunStatus.DONE
    run.solve_seconds = round(time.perf_counter() - started, 3)
    run.finished_at = utcnow()
    db.session.commit()
    return run


def publish_run(actor: User | None, run: MatchRun) -> list[Placement]:
    """Turn a finished run into offers, in one transaction; a cycle publishes each round once."""
    cycle = run.cycle
    if run.status != RunStatus.DONE:
        raise ServiceError("Only a finished run can be published.")
    if run.published_at is not None or _published(cycle.id, run.round):
        raise ServiceError(f"Round {run.round} of {cycle.name} is already published.")
    now = utcnow()
    deadline = cycle.offer_deadline_at or now + timedelta(days=7)
    run.published_at, run.published_by_id = now, actor.id if actor else None
    placements = [Placement(cycle_id=cycle.id, run=run, student_id=a.student_id, position_id=a.position_id,
                            round=run.round, student_rank=a.student_rank, position_rank=a.position_rank,
                            offered_at=now, response_deadline=deadline)
                  for a in run.assignments]
    db.session.add_all(placements)
    if cycle.phase in (Phase.RANKING, Phase.MATCHING, Phase.APPLICATIONS):
        cycle.phase = Phase.PUBLISHED  # rank lists are locked from here on
    audit.record(actor, "run.published", run, program_id=cycle.program_id, placements=len(placements))
    try:
        db.session.commit()
    except IntegrityError as error:  # another coordinator published at the same moment
        db.session.rollback()
        raise ServiceError(f"Round {run.round} of {cycle.name} is already published.") from error
    return placements


def _published(cycle_id: int, round_: int) -> bool:
    return db.session.scalar(db.select(MatchRun.id).where(
        MatchRun.cycle_id == cycle_id, MatchRun.round == round_, MatchRun.published_at.is_not(None))) is not None

