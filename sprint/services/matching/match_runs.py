"""Match runs: create one from a snapshot of the season, queue it (run_queue solves it), re-run, verify, publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import DateTime, delete, func, insert, literal, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import (
    MatchAssignment,
    MatchMode,
    MatchRun,
    Outcome,
    Phase,
    Placement,
    PlacementStatus,
    PublicationStatus,
    RunExplanation,
    RunStatus,
    ScheduledPublication,
    Season,
    User,
    VacancyRound,
    VacancyStatus,
    utcnow,
)
from ...models.enums import GROUPS, MAX_TIME_LIMIT_S
from ...plurals import counted
from ..errors import ServiceError
from ..support import audit
from ..support.concurrency import lock_row
from . import adapter, publication_emails, run_queue
from .adapter import build_instance, host_key, instance_hash, position_key, student_key
from .seats import check_market_unchanged

REPEAT_WINDOW_S = 10  # the same run asked for again within this many seconds is the one already queued


@dataclass
class RunSettings:
    """What a coordinator asks for: ids are database ids; pairs carry the reason they were set."""

    mode: str = MatchMode.STABLE
    seed: int = 0
    time_limit_s: float = 10.0
    label: str = ""
    cap_per: str = ""  # "", "host" or "position"
    cap_max: int | None = None
    floors: dict[str, int] = field(default_factory=dict)  # group -> minimum placed
    host_capacity: list[tuple[int | str, int]] = field(default_factory=list)  # (host id or "#id", total)
    locks: list[tuple[int | str, int | str, str]] = field(default_factory=list)  # (student, position, reason)
    forbids: list[tuple[int | str, int | str, str]] = field(default_factory=list)


def create_run(
    actor: User | None,
    season,
    mode: MatchMode = MatchMode.STABLE,
    seed: int = 0,
    time_limit_s: float = 10.0,
    constraints: dict | None = None,
    label: str = "",
    round_: int = 1,
    instance: dict | None = None,
    reasons: dict | None = None,
    rerun_of: int | None = None,
    vacancy_round_id: int | None = None,
    deferred: bool = False,
) -> MatchRun:
    """Freeze the season's market into a queued run; the snapshot never changes afterwards.

    `deferred`: the run's job builds the snapshot (`adapter.build_snapshot`) when it starts, so
    the request that asked for a run of a large season answers at once; the run keeps its
    `constraints` in its parameters until then, and its input hash stays empty."""
    if seed < 0:
        raise ServiceError("The seed must be zero or a positive whole number.", "seed")
    if not deferred:
        instance = instance if instance is not None else build_instance(season, constraints)
    parameters = {
        "time_limit_s": time_limit_s,
        "constraints": (constraints or {}) if deferred else (instance.get("constraints") or {}),
        "reasons": reasons or {"lock": [], "forbid": []},
    }
    if deferred:
        parameters["snapshot"] = "built by the job" if rerun_of is None else f"copied from run #{rerun_of} by the job"
    if rerun_of is not None:
        parameters["rerun_of"] = rerun_of
    input_hash = "" if deferred else instance_hash(instance)
    lock_row(Season, season.id)  # the same run started from two tabs: the second waits here, then finds it
    earlier = _just_started(actor, season, round_, mode, seed, input_hash, parameters)
    if earlier is not None:
        db.session.commit()
        return earlier
    run = MatchRun(
        season=season,
        round=round_,
        vacancy_round_id=vacancy_round_id,
        mode=mode,
        seed=seed,
        label=label.strip()[:120],
        parameters=parameters,
        solver_version=adapter.SOLVER_VERSION,
        input_snapshot=None if deferred else instance,
        input_hash=input_hash,
        created_by=actor,
        status=RunStatus.QUEUED,
    )
    db.session.add(run)
    db.session.flush()
    overrides = [
        f"{kind} {e['student']} at {e['position']}: {e['reason']}"
        for kind in ("lock", "forbid")
        for e in parameters["reasons"].get(kind, [])
    ]
    audit.record(
        actor,
        "run.created",
        run,
        program_id=season.program_id,
        mode=str(mode),
        seed=seed,
        round=round_,
        vacancy_round=vacancy_round_id,
        input_hash=run.input_hash,
        rerun_of=rerun_of,
        overrides=overrides or None,
    )
    db.session.commit()
    return run


def _just_started(
    actor: User | None, season: Season, round_: int, mode: str, seed: int, input_hash: str, parameters: dict
) -> MatchRun | None:
    """The run this person queued moments ago with exactly these settings and this market: a double
    click or a second tab gives that run back instead of solving the same match twice. A run whose
    job builds its snapshot (no hash yet) is the same when its settings are, within the same
    seconds."""
    if actor is None:
        return None
    same_market = (
        MatchRun.parameters.is_not(None)  # settings compared below; the market a few seconds later is the same
        if not input_hash
        else MatchRun.input_hash == input_hash
    )
    recent = db.session.scalars(
        db.select(MatchRun)
        .where(
            MatchRun.season_id == season.id,
            MatchRun.round == round_,
            MatchRun.mode == mode,
            MatchRun.seed == seed,
            same_market,
            MatchRun.created_by_id == actor.id,
            MatchRun.created_at >= utcnow() - timedelta(seconds=REPEAT_WINDOW_S),
        )
        .order_by(MatchRun.id)
    )
    return next((run for run in recent if run.parameters == parameters), None)


def start_run(
    actor: User,
    season: Season,
    settings: RunSettings,
    round_: int = 1,
    exclude_students: set[int] = frozenset(),
    inline: bool = False,
    instance: dict | None = None,
    vacancy_round_id: int | None = None,
) -> MatchRun:
    """Check the settings against the season's market, snapshot it and queue the run in the background
    (or, `inline`, solve it before returning). A vacancy round passes its own `instance`
    (`adapter.build_vacancy_instance`).

    A run of the whole season (the first round, or a second round on round-1 lists, which leaves out
    `exclude_students`) is checked against the database (the ids it names, that there is somebody
    to match) and its job builds the snapshot: the request answers at once whatever the season's
    size. Only a vacancy round's own `instance` is built by the caller."""
    if round_ == 1 and season.phase in (Phase.PUBLISHED, Phase.CLOSED):
        raise ServiceError(f"{season.name} is already published; use a second round for the seats left.")
    if season.phase == Phase.DRAFT:
        raise ServiceError(f"{season.name} is still being set up; open applications first.")
    if instance is None:
        if not adapter.has_market(season, exclude_students):
            raise ServiceError("There is nobody to match yet: no certified student lists or no open positions.")
        constraints, reasons = _constraints(settings, adapter.SeasonMarket(season, exclude_students))
        run = create_run(
            actor,
            season,
            MatchMode(settings.mode),
            settings.seed,
            settings.time_limit_s,
            constraints=constraints,
            label=settings.label,
            round_=round_,
            reasons=reasons,
            deferred=True,
        )
        run_queue.enqueue(run, inline)
        return run
    if not instance["students"] or not instance["positions"]:
        raise ServiceError("There is nobody to match yet: no certified student lists or no open positions.")
    constraints, reasons = _constraints(settings, adapter.InstanceMarket(instance, season))
    instance["constraints"] = constraints
    try:
        adapter.check_instance(instance)
    except adapter.SolverRefused as error:
        raise ServiceError(f"The solver cannot take these settings: {error}") from error
    run = create_run(
        actor,
        season,
        MatchMode(settings.mode),
        settings.seed,
        settings.time_limit_s,
        label=settings.label,
        round_=round_,
        instance=instance,
        reasons=reasons,
        vacancy_round_id=vacancy_round_id,
    )
    run_queue.enqueue(run, inline)
    return run


def _constraints(settings: RunSettings, market: adapter.Market) -> tuple[dict, dict]:
    """The instance's side constraints from the settings, after checking every rule and id."""
    if settings.mode not in set(MatchMode):
        raise ServiceError("Choose one of the listed modes.", "mode")
    if settings.seed < 0 or not 0 < settings.time_limit_s <= MAX_TIME_LIMIT_S:
        raise ServiceError(f"The seed must be 0 or more and the time limit between 1 and {MAX_TIME_LIMIT_S} s.")
    constraints: dict = {}
    if settings.cap_per or settings.cap_max is not None:
        if settings.cap_per not in ("host", "position") or not settings.cap_max or settings.cap_max < 1:
            raise ServiceError(
                "A college cap needs both a scope (host or position) and a maximum of 1 or more.", "cap_max"
            )
        constraints["college_cap"] = {"per": settings.cap_per, "max": settings.cap_max}
    floors = []
    for group, minimum in settings.floors.items():
        if group not in GROUPS or minimum is None or minimum < 0:
            raise ServiceError(f"A group floor must be 0 or more for a known group ({group}).")
        if minimum:
            floors.append({"group": group, "min": minimum})
    if floors:
        constraints["group_floor"] = floors
    totals = [(_number(host, "host"), total) for host, total in settings.host_capacity]
    hosts = market.hosts({host_id for host_id, _ in totals})
    capacity: dict[str, int] = {}
    for host_id, total in totals:
        key = host_key(host_id)
        if key not in hosts:
            raise ServiceError(f"Host #{host_id} has no open position in this match.")
        if total is None or total < 0 or key in capacity:
            raise ServiceError("Give each host's total capacity once, as 0 or more.")
        capacity[key] = total
    if capacity:
        constraints["host_capacity"] = capacity
    if constraints and not MatchMode(settings.mode).allows_side_constraints:
        raise ServiceError(
            "College caps, group floors and host capacities need the max-stable or welfare "
            "mode; pick one of those, or remove the side constraints.",
            "mode",
        )
    reasons = {"lock": _pairs(settings.locks, market, "lock"), "forbid": _pairs(settings.forbids, market, "forbid")}
    locked_students = [entry["student"] for entry in reasons["lock"]]
    if len(set(locked_students)) != len(locked_students):
        raise ServiceError("A student can be locked to one position only.")
    both = {(e["student"], e["position"]) for e in reasons["lock"]} & {
        (e["student"], e["position"]) for e in reasons["forbid"]
    }
    if both:
        raise ServiceError("The same pair cannot be both locked and forbidden.")
    for kind in ("lock", "forbid"):
        if reasons[kind]:
            constraints[kind] = [[entry["student"], entry["position"]] for entry in reasons[kind]]
    return constraints, reasons


def _pairs(pairs: list[tuple[int | str, int | str, str]], market: adapter.Market, kind: str) -> list[dict]:
    """The locks or forbids as the solver's pairs; a student is named by id, "#id" or email, a position
    by id or "#id" (what the pickers send, and what a coordinator without JavaScript types)."""
    resolved = [
        (market.student_ref(student), _number(position, "position"), (reason or "").strip())
        for student, position, reason in pairs
    ]
    students = market.students({student for student, _, _ in resolved})
    positions = market.positions({position for _, position, _ in resolved})
    out, seen = [], set()
    for student_id, position_id, reason in resolved:
        student, position = student_key(student_id), position_key(position_id)
        if student not in students:
            raise ServiceError(f"Student #{student_id} is not in this match (no certified rank list).")
        if position not in positions:
            raise ServiceError(f"Position #{position_id} is not open in this match.")
        if not reason:
            raise ServiceError(f"Every {kind} needs a reason.")
        if (student, position) in seen:
            raise ServiceError(f"The same {kind} is listed twice.")
        seen.add((student, position))
        out.append({"student": student, "position": position, "reason": reason[:300]})
    return out


def _number(ref: int | str, what: str) -> int:
    """A record's id as typed: 12 or "#12"."""
    if isinstance(ref, int):
        return ref
    text = (ref or "").strip().lstrip("#")
    if not text.isdigit():
        raise ServiceError(f"Name the {what} by its number (#12), or choose one from the suggestions: “{ref}”.")
    return int(text)


def rerun(actor: User, run: MatchRun) -> MatchRun:
    """A new run of the same stored snapshot, mode, seed and time limit: it gives the same matching.

    The request only queues it (its hash says it has a snapshot, without reading it): the job copies
    the snapshot in the database (`adapter.build_snapshot`), 20 MB at national size."""
    if not run.input_hash:
        raise ServiceError("This run has no stored snapshot to re-run.")
    copy = create_run(
        actor,
        run.season,
        MatchMode(run.mode),
        run.seed,
        float(run.parameters.get("time_limit_s", 10.0)),
        constraints=run.parameters.get("constraints") or {},
        label=f"Re-run of #{run.id}",
        round_=run.round,
        reasons=run.parameters.get("reasons"),
        rerun_of=run.id,
        vacancy_round_id=run.vacancy_round_id,
        deferred=True,
    )
    run_queue.enqueue(copy)
    return copy


def restart(actor: User, run: MatchRun) -> MatchRun:
    """Queue a failed run again (its snapshot is unchanged; it simply never finished)."""
    if run.status != RunStatus.FAILED:
        raise ServiceError("Only a failed run can be started again.")
    run.status, run.error, run.started_at, run.finished_at = RunStatus.QUEUED, "", None, None
    run.result, run.stats, run.verification = None, None, None
    run.assignments.clear()  # whatever a half-finished attempt left behind
    db.session.execute(delete(RunExplanation).where(RunExplanation.run_id == run.id))
    audit.record(actor, "run.restarted", run, program_id=run.season.program_id)
    db.session.commit()
    run_queue.enqueue(run)
    return run


def verify(run: MatchRun) -> adapter.Verification:
    """The independent re-check of the stored result against the stored snapshot (feasibility and
    stability): the one the run's job made when it finished, else made now and kept (runs finished
    before the job made it). Commits when it keeps one."""
    if run.status != RunStatus.DONE or run.result is None:
        raise ServiceError("Only a finished run can be verified.")
    if run.verification is None:
        adapter.keep_verification(run)
        db.session.commit()
    return adapter.verification_from(run.verification)


def verified_at(run: MatchRun) -> datetime | None:
    """When the kept check was made (UTC), for the page to say."""
    text = (run.verification or {}).get("checked_at")
    return datetime.fromisoformat(text) if text else None


def verify_names(report: adapter.Verification) -> dict[str, str]:
    """The display names of the people a verification names (its blocking pairs): a few primary-key
    lookups, never the season's 60,000 names."""
    return adapter.labels_for({key for pair in report.blocking_pairs for key in pair})


def publish_run(
    actor: User | None, run: MatchRun, reason: str = "", unstable_ok: bool = False, notify: bool = False
) -> int:
    """Turn a finished run into offers, in one transaction, and say how many; a season publishes each
    round once (`offers_of` reads the offers back).

    A run with blocking pairs is published only when the coordinator says so (`unstable_ok`)."""
    season = run.season
    if run.status != RunStatus.DONE:
        raise ServiceError("Only a finished run can be published.")
    if run.published_at is not None or round_published(season.id, run.round):
        raise ServiceError(
            f"Round {run.round} of {season.name} is already published; the other runs stay as the record."
        )
    if run.round > 1:
        if not round_published(season.id, 1):
            raise ServiceError("Publish the first round before a second round.")
        check_market_unchanged(run)
    if season.phase == Phase.CLOSED:
        raise ServiceError(f"{season.name} is closed; nothing more can be published.")
    vacancy = _vacancy_round_to_publish(run)
    blocking = check_blocking(run, unstable_ok)
    now = utcnow()
    if vacancy is not None:  # a vacancy round's offers are answered within its own hours
        deadline = now + timedelta(hours=vacancy.offer_hours)
        vacancy.status, vacancy.finished_at = VacancyStatus.PUBLISHED, now
    else:
        deadline = (
            season.offer_deadline_at
            if season.offer_deadline_at and season.offer_deadline_at > now
            else now + timedelta(days=7)
        )
    offered = db.session.scalar(db.select(func.count(MatchAssignment.id)).where(MatchAssignment.run_id == run.id))
    offers = (  # INSERT ... SELECT from the run's assignments: one statement, no row through Python
        insert(Placement).from_select(
            [
                "season_id",
                "run_id",
                "student_id",
                "position_id",
                "round",
                "student_rank",
                "position_rank",
                "offered_at",
                "response_deadline",
                "status",
                "outcome",
                "note",
                "end_reason",
                "end_detail",
            ],
            db.select(
                literal(season.id),
                literal(run.id),
                MatchAssignment.student_id,
                MatchAssignment.position_id,
                literal(run.round),
                MatchAssignment.student_rank,
                MatchAssignment.position_rank,
                literal(now, DateTime()),
                literal(deadline, DateTime()),
                literal(str(PlacementStatus.OFFERED)),
                literal(str(Outcome.NONE)),
                literal(""),
                literal(""),
                literal(""),
            )
            .where(MatchAssignment.run_id == run.id)
            .order_by(MatchAssignment.id),
            include_defaults=False,
        )
    )
    run.published_at, run.published_by_id = now, actor.id if actor else None  # the unique index guards a race
    if notify:  # a job writes the emails once this commits (publication_emails); marked in the same commit
        run.emails_due_at = now
    if season.phase in (Phase.RANKING, Phase.MATCHING, Phase.APPLICATIONS):
        season.phase, season.phase_changed_at = Phase.PUBLISHED, now  # rank lists are locked from here on
    audit.record(
        actor,
        "run.published",
        run,
        program_id=season.program_id,
        round=run.round,
        placements=offered,
        blocking_pairs=blocking or None,
        **audit.said(reason),
    )
    try:
        db.session.flush()  # the run's published_at first: a second publication of the round fails here
        if offered:
            db.session.execute(offers)
        db.session.execute(  # a publication of the round still waiting for its time has nothing left to do
            update(ScheduledPublication)
            .where(
                ScheduledPublication.season_id == season.id,
                ScheduledPublication.round == run.round,
                ScheduledPublication.status == PublicationStatus.SCHEDULED,
            )
            .values(
                status=PublicationStatus.CANCELLED,
                cancelled_by_id=actor.id if actor else None,
                finished_at=now,
                error=f"Round {run.round} was published with run #{run.id} before this time.",
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except IntegrityError as error:  # another coordinator published at the same moment
        db.session.rollback()
        raise ServiceError(f"Round {run.round} of {season.name} is already published.") from error
    if notify:
        publication_emails.queue(run.id)
    return offered


def _vacancy_round_to_publish(run: MatchRun) -> VacancyRound | None:
    """The open vacancy round a run matched (None for round 1 and a re-run of round-1 lists); refuses a
    run of a round that is over, and a re-run of old lists under a number a vacancy round holds."""
    if run.vacancy_round_id is None:
        taken = db.session.scalar(
            db.select(VacancyRound.id).where(VacancyRound.season_id == run.season_id, VacancyRound.number == run.round)
        )
        if taken is not None:
            raise ServiceError(f"Round {run.round} is a vacancy round; publish a run of its own applications.")
        return None
    vacancy = db.session.get(VacancyRound, run.vacancy_round_id)
    if vacancy is not None:
        lock_row(VacancyRound, vacancy.id, vacancy)  # a cancel at the same moment: one of the two wins
    if vacancy is None or vacancy.status != VacancyStatus.OPEN:
        raise ServiceError(f"Vacancy round {run.round} is over; its runs stay as the record.")
    return vacancy


def offers_of(run: MatchRun) -> list[Placement]:
    """The placements a published run made, in the order it made them."""
    return list(db.session.scalars(db.select(Placement).where(Placement.run_id == run.id).order_by(Placement.id)))


def round_published(season_id: int, round_: int) -> bool:
    """Whether a run of this round of the season is published (each round publishes once)."""
    return (
        db.session.scalar(
            db.select(MatchRun.id).where(
                MatchRun.season_id == season_id, MatchRun.round == round_, MatchRun.published_at.is_not(None)
            )
        )
        is not None
    )


def check_blocking(run: MatchRun, unstable_ok: bool, doing: str = "publish") -> int:
    """The run's blocking pairs, refused unless the coordinator ticked "publish anyway"."""
    blocking = blocking_pairs(run)
    if blocking and not unstable_ok:
        raise ServiceError(
            f"This run has {counted(blocking, 'blocking pair')}: a student and a position "
            "who would both rather have each other. Tick \u201cpublish anyway\u201d "
            f"to {doing} it as it is.",
            "unstable_ok",
        )
    return blocking


def blocking_pairs(run: MatchRun) -> int:
    """How many student-position pairs of the run's result would both rather have each other."""
    return len((run.result or {}).get("blocking_pairs") or [])


def publish(actor: User, run: MatchRun, reason: str = "", unstable_ok: bool = False) -> int:
    """Publish a run and tell every student in it and every host member what came of it (by email,
    written and sent in the background once the publication has committed)."""
    return publish_run(actor, run, reason, unstable_ok, notify=True)
