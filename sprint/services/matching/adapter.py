"""The one adapter between the database and the solver: the only module of the app that imports `solver`.

`build_instance` turns a season's certified rank lists into the solver's instance (plain
data, ids like "s12" for user 12 and "p7" for position 7); `solve_run` solves a run's stored
snapshot and `store_result` writes the result back onto the MatchRun as assignments; `verify`
re-checks a stored result. Solver errors become `SolverRefused`, its reports `Verification`:
the rest of the app speaks its own types.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple, Protocol

import orjson
from sqlalchemy import and_, update
from sqlalchemy.orm import aliased

import solver

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    College,
    CollegeKind,
    HostCompany,
    HostRank,
    MatchAssignment,
    MatchRun,
    Position,
    PositionInterest,
    PositionStatus,
    RunExplanation,
    Season,
    StudentProfile,
    StudentRank,
    User,
    VacancyApplication,
    VacancyHostRank,
    VacancyRound,
    utcnow,
)
from ...models.enums import GROUPS
from ..errors import ServiceError
from ..support.bulk import insert_rows
from ..support.gc_pause import cycle_collector_paused
from .seats import second_round_market

SOLVER_VERSION = solver.SOLVER_VERSION


class SolverRefused(ValueError):
    """The solver cannot take this input: a malformed instance, or a mode that cannot honour its constraints."""


class Verification(NamedTuple):
    """An independent re-check of a stored result against its stored snapshot (ids as in the snapshot)."""

    feasible: bool
    violations: list[str]
    blocking_pairs: list[tuple[str, str]]


def student_key(user_id: int) -> str:
    return f"s{user_id}"


def position_key(position_id: int) -> str:
    return f"p{position_id}"


def host_key(host_id: int) -> str:
    return f"h{host_id}"


def key_id(key: str) -> int:
    """The database id inside a solver id: "s12" -> 12."""
    return int(key[1:])


_id = key_id


def build_instance(
    season: Season,
    constraints: dict | None = None,
    exclude_students: set[int] = frozenset(),
    seats_taken: dict[int, int] | None = None,
) -> dict:
    """The solver instance for a season: certified students, open positions, both sides' lists.

    `exclude_students` and `seats_taken` describe a second round: students already placed
    are left out and positions offer only the seats that remain.
    """
    seats_taken = seats_taken or {}
    db.session.flush()  # the Core reads below do not flush by themselves
    connection = db.session.connection()  # Core rows, not ORM rows: ~1.4 million of them at national size
    positions = connection.execute(
        db.select(Position.id, Position.slots, Position.host_id, Position.ranks_certified_at)
        .join(HostCompany, HostCompany.id == Position.host_id)
        .where(Position.season_id == season.id, Position.status == PositionStatus.OPEN, HostCompany.approved.is_(True))
        .order_by(Position.id)
    ).all()
    keys = {position_id: position_key(position_id) for position_id, *_ in positions}
    interested = _interests(season)
    students = _student_lists(season, keys, interested, exclude_students)
    host_lists = _host_lists(
        season,
        {position_id for position_id, _, _, certified in positions if certified},
        interested,
        {key_id(entry["id"]): entry["id"] for entry in students},  # host lists name only students in the match
    )
    return {
        "students": students,
        "positions": [
            {
                "id": keys[position_id],
                "host": f"h{host_id}",
                "capacity": max(slots - seats_taken.get(position_id, 0), 0),
                "prefs": host_lists.get(position_id, []),
            }
            for position_id, slots, host_id, _ in positions
        ],
        "constraints": constraints or {},
    }


def build_vacancy_instance(
    round_: VacancyRound,
    exclude_students: set[int],
    seats_taken: dict[int, int],
    never: set[tuple[int, int]] = frozenset(),
) -> dict:
    """The solver instance for a vacancy round: its applications (each student's order is their list)
    and its host ranks, on the open positions with the seats left. Students in `exclude_students` (a live
    placement) are left out; `never` holds (student, position) pairs that may not be offered again."""
    season = round_.season
    positions = list(
        db.session.execute(
            db.select(Position.id, Position.slots, Position.host_id)
            .join(HostCompany, HostCompany.id == Position.host_id)
            .where(
                Position.season_id == season.id, Position.status == PositionStatus.OPEN, HostCompany.approved.is_(True)
            )
            .order_by(Position.id)
        )
    )
    seats = {row.id: max(row.slots - seats_taken.get(row.id, 0), 0) for row in positions}
    rows = db.session.execute(
        db.select(VacancyApplication.student_id, VacancyApplication.position_id, StudentProfile, College.kind)
        .join(StudentProfile, StudentProfile.user_id == VacancyApplication.student_id)
        .outerjoin(College, College.id == StudentProfile.college_id)
        .where(VacancyApplication.round_id == round_.id)
        .order_by(VacancyApplication.student_id, VacancyApplication.rank, VacancyApplication.id)
    )
    students, applied = [], set()
    for student_id, lines in groupby(rows, key=lambda row: row.student_id):
        if student_id in exclude_students:
            continue
        lines = list(lines)
        chosen = [
            line.position_id
            for line in lines
            if seats.get(line.position_id) and (student_id, line.position_id) not in never
        ]
        if not chosen:
            continue
        applied.update((student_id, position_id) for position_id in chosen)
        profile, kind = lines[0][2], lines[0][3]
        entry = {"id": student_key(student_id), "prefs": [position_key(pid) for pid in chosen]}
        entry["groups"] = _groups(profile, kind)
        if profile.college_id is not None:
            entry["college"] = f"c{profile.college_id}"
        students.append(entry)
    host_lists: dict[int, list] = defaultdict(list)
    ranks = db.session.execute(
        db.select(VacancyHostRank.position_id, VacancyHostRank.student_id, VacancyHostRank.rank)
        .where(VacancyHostRank.round_id == round_.id)
        .order_by(VacancyHostRank.position_id, VacancyHostRank.rank, VacancyHostRank.student_id)
    )
    for (position_id, _rank), tier in groupby(ranks, key=lambda row: (row.position_id, row.rank)):
        members = [student_key(row.student_id) for row in tier if (row.student_id, position_id) in applied]
        if members:
            host_lists[position_id].append(members[0] if len(members) == 1 else members)
    return {
        "students": students,
        "positions": [
            {
                "id": position_key(row.id),
                "host": f"h{row.host_id}",
                "capacity": seats[row.id],
                "prefs": host_lists.get(row.id, []),
            }
            for row in positions
            if seats[row.id]
        ],
        "constraints": {},
    }


class Market(Protocol):
    """Which of some ids a run's settings name are in its match (as solver ids), and whom a typed
    reference to a student means; the run checks its locks, forbids and host totals against it."""

    def student_ref(self, ref: int | str) -> int: ...
    def students(self, ids: set[int]) -> set[str]: ...
    def positions(self, ids: set[int]) -> set[str]: ...
    def hosts(self, ids: set[int]) -> set[str]: ...


class InstanceMarket:
    """A market already built (a vacancy round's, a second round's)."""

    def __init__(self, instance: dict, season: Season | None = None) -> None:
        self.instance, self.season = instance, season

    def student_ref(self, ref: int | str) -> int:
        return ref if isinstance(ref, int) else _student_ref(ref, self.season)

    def students(self, ids: set[int]) -> set[str]:
        return {entry["id"] for entry in self.instance["students"]}

    def positions(self, ids: set[int]) -> set[str]:
        return {entry["id"] for entry in self.instance["positions"]}

    def hosts(self, ids: set[int]) -> set[str]:
        return {entry.get("host") for entry in self.instance["positions"]}


class SeasonMarket:
    """The season's market as `build_instance` will build it, asked about only the ids named (a few
    indexed lookups, however large the season); a second round leaves out `exclude` (student ids)."""

    def __init__(self, season: Season, exclude: set[int] = frozenset()) -> None:
        self.season, self.exclude = season, exclude

    def student_ref(self, ref: int | str) -> int:
        return ref if isinstance(ref, int) else _student_ref(ref, self.season)

    def students(self, ids: set[int]) -> set[str]:
        if not ids:
            return set()
        rows = db.session.scalars(
            db.select(Application.student_id).where(
                Application.season_id == self.season.id,
                Application.student_id.in_(ids),
                Application.status == ApplicationStatus.SUBMITTED,
                Application.ranks_certified_at.is_not(None),
            )
        )
        return {student_key(student_id) for student_id in rows if student_id not in self.exclude}

    def _open(self):
        return (
            db.select(Position.id, Position.host_id)
            .join(HostCompany, HostCompany.id == Position.host_id)
            .where(
                Position.season_id == self.season.id,
                Position.status == PositionStatus.OPEN,
                HostCompany.approved.is_(True),
            )
        )

    def positions(self, ids: set[int]) -> set[str]:
        if not ids:
            return set()
        return {position_key(row.id) for row in db.session.execute(self._open().where(Position.id.in_(ids)))}

    def hosts(self, ids: set[int]) -> set[str]:
        if not ids:
            return set()
        return {host_key(row.host_id) for row in db.session.execute(self._open().where(Position.host_id.in_(ids)))}


def _student_ref(ref: str, season: Season | None) -> int:
    """A student as typed: "12", "#12" or an email address (looked up among the season's applicants)."""
    text = (ref or "").strip()
    if text.lstrip("#").isdigit():
        return int(text.lstrip("#"))
    if "@" in text and season is not None:
        found = db.session.scalar(
            db.select(User.id)
            .join(Application, Application.student_id == User.id)
            .where(Application.season_id == season.id, User.email == text.lower())
        )
        if found is not None:
            return found
        raise ServiceError(f"Nobody applied to {season.name} with the email {text}.")
    raise ServiceError(f"Name the student by email or number (#12), or choose one from the suggestions: “{text}”.")


def has_market(season: Season, exclude: set[int] = frozenset()) -> bool:
    """Whether a run of the season has somebody to match: a certified student list (of a student not in
    `exclude`) and an open position."""
    certified = db.select(Application.student_id).where(
        Application.season_id == season.id,
        Application.status == ApplicationStatus.SUBMITTED,
        Application.ranks_certified_at.is_not(None),
    )
    if exclude:  # one column of the season's ids, not an IN list of 40,000 left out
        student = any(student_id not in exclude for student_id in db.session.scalars(certified))
    else:
        student = db.session.scalar(certified.limit(1)) is not None
    position = db.session.scalar(SeasonMarket(season)._open().with_only_columns(Position.id).limit(1))
    return student and position is not None


def build_snapshot(run: MatchRun) -> solver.Problem | None:
    """The job's first step for a run queued without a snapshot: build the season's instance with the
    run's constraints, check it, and store it and its hash on the run (the caller commits). Raises
    SolverRefused with a readable reason when there is nothing to match or the solver cannot take it.

    A second round (round 2, on round-1 lists) leaves out the students `seats.second_round_market`
    names as the job starts, and offers only the seats left. A re-run (`rerun_of` in its
    parameters) copies its source's snapshot and hash inside the database: the same input, already
    checked, never read into this process.

    Returns the checked problem for `solve_run` (None for a copy), so the job does not read back
    and parse the 20 MB it has just written."""
    source = run.parameters.get("rerun_of")
    if source is not None:
        _copy_snapshot(run, source)
        return None
    exclude, taken = second_round_market(run.season) if run.round > 1 else (frozenset(), None)
    with cycle_collector_paused():  # ~1.4 million rows into lists and dicts, none of them in a cycle
        instance = build_instance(run.season, dict(run.parameters.get("constraints") or {}), exclude, taken)
    if not instance["students"] or not instance["positions"]:
        raise SolverRefused(
            "Building the input: there is nobody to match any more (no certified student lists or no open positions)."
        )
    try:
        problem = solver.Problem.from_dict(instance)
    except solver.InstanceError as error:
        raise SolverRefused(f"Building the input: the solver cannot take these settings: {error}") from error
    run.input_snapshot, run.input_hash = instance, instance_hash(instance)
    return problem


def _copy_snapshot(run: MatchRun, source_id: int) -> None:
    source = aliased(MatchRun)
    copied = db.session.execute(
        update(MatchRun)
        .where(MatchRun.id == run.id)
        .values(
            input_snapshot=db.select(source.input_snapshot).where(source.id == source_id).scalar_subquery(),
            input_hash=db.select(source.input_hash).where(source.id == source_id).scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(run, ["input_snapshot", "input_hash"])
    if copied.rowcount != 1 or not run.input_hash:
        raise SolverRefused(f"Building the input: run #{source_id} has no stored snapshot to copy.")


def _rows(statement):
    """A select's rows as plain Core rows (no ORM row processing: ~1.4 million rows at national size)."""
    return db.session.connection().execute(statement)


def _interests(season: Season) -> set[tuple[int, int]]:
    """(student, position) pairs where the student applied and did not withdraw."""
    rows = _rows(
        db.select(Application.student_id, PositionInterest.position_id)
        .join(PositionInterest, PositionInterest.application_id == Application.id)
        .where(Application.season_id == season.id, PositionInterest.withdrawn_at.is_(None))
    )
    return {(student_id, position_id) for student_id, position_id in rows}


def _student_lists(
    season: Season, positions: dict[int, str], interested: set[tuple[int, int]], exclude: set[int]
) -> list[dict]:
    """Each certified student's list (`positions`: the open ones' solver ids), read in one query as
    plain Core tuples and grouped here (no ORM row or profile a student: 50,000 of them)."""
    rows = _rows(
        db.select(
            Application.student_id,
            StudentRank.position_id,
            StudentProfile.college_id,
            StudentProfile.first_generation,
            StudentProfile.pell_eligible,
            StudentProfile.cc_transfer,
            College.kind,
        )
        .join(StudentRank, StudentRank.application_id == Application.id)
        .join(StudentProfile, StudentProfile.user_id == Application.student_id)
        .outerjoin(College, College.id == StudentProfile.college_id)
        .where(
            Application.season_id == season.id,
            Application.status == ApplicationStatus.SUBMITTED,
            Application.ranks_certified_at.is_not(None),
        )
        .order_by(Application.student_id, StudentRank.rank)
    )
    students = []
    for student_id, lines in groupby(rows, key=itemgetter(0)):
        if student_id in exclude:
            continue
        lines = list(lines)
        _, _, college_id, first_generation, pell_eligible, cc_transfer, kind = lines[0]
        prefs = [
            positions[position_id]
            for _, position_id, *_ in lines
            if position_id in positions and (student_id, position_id) in interested
        ]
        flags = {
            "first_generation": first_generation,
            "pell_eligible": pell_eligible,
            "cc_transfer": cc_transfer,
            "community_college": kind == CollegeKind.COMMUNITY,
        }
        entry = {"id": student_key(student_id), "prefs": prefs, "groups": [g for g in GROUPS if flags[g]]}
        if college_id is not None:
            entry["college"] = f"c{college_id}"
        students.append(entry)
    return students


def _groups(profile, college_kind: str | None) -> list[str]:  # a StudentProfile
    flags = {
        "first_generation": profile.first_generation,
        "pell_eligible": profile.pell_eligible,
        "cc_transfer": profile.cc_transfer,
        "community_college": college_kind == CollegeKind.COMMUNITY,
    }
    return [group for group in GROUPS if flags[group]]


def _host_lists(
    season: Season, certified: set[int], interested: set[tuple[int, int]], listed: dict[int, str]
) -> dict[int, list]:
    """Each certified position's list as tie groups: equal rank numbers become one group. Only students
    in the match (`listed`: their solver ids) who applied there and did not withdraw are named."""
    rows = _rows(
        db.select(HostRank.position_id, HostRank.rank, HostRank.student_id)
        .join(Position, and_(Position.id == HostRank.position_id, Position.season_id == season.id))
        .where(Position.ranks_certified_at.is_not(None))
        .order_by(HostRank.position_id, HostRank.rank, HostRank.student_id)
    )
    lists: dict[int, list] = defaultdict(list)
    for (position_id, _rank), tier in groupby(rows, key=itemgetter(0, 1)):
        if position_id not in certified:
            continue
        members = [
            listed[student_id]
            for _, _, student_id in tier
            if student_id in listed and (student_id, position_id) in interested
        ]
        if members:
            lists[position_id].append(members[0] if len(members) == 1 else members)
    return lists


def check_instance(instance: dict) -> None:
    """Raise SolverRefused when the solver could not take this instance (ids, lists, side constraints)."""
    try:
        solver.Problem.from_dict(instance)
    except solver.InstanceError as error:
        raise SolverRefused(str(error)) from error


def solve_run(run: MatchRun, problem: solver.Problem | None = None) -> None:
    """Solve the run's stored snapshot (or `problem`, what `build_snapshot` just built from it) in its
    mode, seed and time limit, and store the result on it (the caller commits); raises SolverRefused,
    storing nothing, when the solver cannot take it."""
    try:
        if problem is None:
            with cycle_collector_paused():  # reading 20 MB of JSON into lists (a CP-SAT search is not paused)
                problem = solver.Problem.from_dict(run.input_snapshot)
        solution = solver.solve(
            problem, mode=run.mode, seed=run.seed, time_limit_s=float(run.parameters.get("time_limit_s", 10.0))
        )
    except (solver.InstanceError, solver.ModeError) as error:
        raise SolverRefused(str(error)) from error
    with cycle_collector_paused():
        store_result(run, solution.to_dict())


def verify(snapshot: dict, result: dict) -> Verification:
    """Feasibility and blocking pairs of a stored result, by the solver's independent checker."""
    report = solver.check(solver.Problem.from_dict(snapshot), result)
    return Verification(report.feasible, list(report.violations), [tuple(pair) for pair in report.blocking_pairs])


def keep_verification(run: MatchRun) -> None:
    """Check the run's stored result against its stored snapshot and keep the report on the run (JSON)."""
    with cycle_collector_paused():
        report = verify(run.input_snapshot, run.result)
    run.verification = {
        "feasible": report.feasible,
        "violations": list(report.violations),
        "blocking_pairs": [list(pair) for pair in report.blocking_pairs],
        "checked_at": utcnow().isoformat(),
    }


def verification_from(kept: dict) -> Verification:
    return Verification(
        bool(kept.get("feasible")),
        list(kept.get("violations", [])),
        [tuple(pair) for pair in kept.get("blocking_pairs", [])],
    )


def instance_hash(instance: dict) -> str:
    """A content hash of the instance, stable across key order."""
    return hashlib.sha256(orjson.dumps(instance, option=orjson.OPT_SORT_KEYS)).hexdigest()


def store_result(run: MatchRun, result: dict) -> None:
    """Write the solver's result onto the run: assignments, and each person's reasons as a row of
    their own (the caller commits)."""
    explanations = result.get("explanations") or {}
    run.result = {key: value for key, value in result.items() if key != "explanations"}
    run.stats = result.get("stats", {})
    reasons = [
        {"run_id": run.id, "person": person, "entries": entries}
        for side in ("students", "positions")
        for person, entries in (explanations.get(side) or {}).items()
    ]
    insert_rows(RunExplanation.__table__, reasons)
    assignments = [  # one COPY (an executemany off PostgreSQL), no ORM object a row (50,000 at national size)
        {
            "run_id": run.id,
            "student_id": _id(a["student"]),
            "position_id": _id(a["position"]),
            "student_rank": a.get("student_rank"),
            "position_rank": a.get("position_rank"),
        }
        for a in result["assignments"]
    ]
    insert_rows(MatchAssignment.__table__, assignments)
    db.session.expire(run, ["assignments"])


def labels(season_id: int) -> dict[str, str]:
    """Display names for every id a run of this season can hold: its students (everyone who applied),
    positions (with their host), hosts and the students' colleges.

    Joins on the season rather than IN lists of the snapshot's ids (an IN list of 5,000 parameters
    cost ~140 ms on PostgreSQL), read through Core: plain tuples, no ORM rows for 5,000 names.
    """
    connection = db.session.connection()
    students = connection.execute(
        db.select(User.id, User.name)
        .join(Application, Application.student_id == User.id)
        .where(Application.season_id == season_id)
    )
    names = {student_key(student_id): name for student_id, name in students}
    for position_id, title, host_id, host in connection.execute(
        db.select(Position.id, Position.title, HostCompany.id, HostCompany.name)
        .join(HostCompany, HostCompany.id == Position.host_id)
        .where(Position.season_id == season_id)
    ):
        names[position_key(position_id)] = f"{title} ({host})"
        names[host_key(host_id)] = host
    colleges = (
        db.select(StudentProfile.college_id)
        .join(Application, Application.student_id == StudentProfile.user_id)
        .where(Application.season_id == season_id)
    )
    for college_id, name in connection.execute(db.select(College.id, College.name).where(College.id.in_(colleges))):
        names[f"c{college_id}"] = name
    return names


def labels_for(keys: set[str]) -> dict[str, str]:
    """The display names of just these ids ("s12", "p7", "h3"), as `labels` gives them: a few primary-key
    lookups, for a page about one person (the whole season's names are 60,000 at national size)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for key in keys:
        if len(key) > 1 and key[0] in "sph" and key[1:].isdigit():
            ids[key[0]].add(int(key[1:]))
    names: dict[str, str] = {}
    if ids["s"]:
        rows = db.session.execute(db.select(User.id, User.name).where(User.id.in_(ids["s"])))
        names.update((student_key(user_id), name) for user_id, name in rows)
    if ids["p"]:
        rows = db.session.execute(
            db.select(Position.id, Position.title, HostCompany.name)
            .join(HostCompany, HostCompany.id == Position.host_id)
            .where(Position.id.in_(ids["p"]))
        )
        names.update((position_key(position_id), f"{title} ({host})") for position_id, title, host in rows)
    if ids["h"]:
        rows = db.session.execute(db.select(HostCompany.id, HostCompany.name).where(HostCompany.id.in_(ids["h"])))
        names.update((host_key(host_id), name) for host_id, name in rows)
    return names


def placed_of(run: MatchRun, key: str) -> list[tuple[str, str, int | None]]:
    """(student, position, student's rank) of the run's assignments that involve this student or position,
    read from the indexed assignment rows rather than the run's whole result."""
    column = MatchAssignment.student_id if key.startswith("s") else MatchAssignment.position_id
    rows = db.session.execute(
        db.select(MatchAssignment.student_id, MatchAssignment.position_id, MatchAssignment.student_rank)
        .where(MatchAssignment.run_id == run.id, column == key_id(key))
        .order_by(MatchAssignment.id)
    )
    return [(student_key(student), position_key(position), rank) for student, position, rank in rows]


def has_reasons(run: MatchRun, person: str) -> bool:
    """Whether the run stored reasons for this person (one primary-key lookup)."""
    return db.session.get(RunExplanation, (run.id, person)) is not None


def reasons_of(person: str, runs: list[MatchRun]) -> list[dict]:
    """One person's stored reasons ("s12", "p7") in these runs, in the runs' order, one dict an entry
    (a row holds the solver's block of columns; older rows hold the list of entries itself)."""
    if not runs:
        return []
    found = dict(
        db.session.execute(
            db.select(RunExplanation.run_id, RunExplanation.entries).where(
                RunExplanation.run_id.in_([run.id for run in runs]), RunExplanation.person == person
            )
        ).all()
    )
    return [entry for run in runs for entry in solver.explanation_rows(found.get(run.id))]


def explanation_texts(entries: list[dict] | dict, audience: str, mode: str = "stable") -> list[str]:
    """The sentences `audience` ("student", "host" or "coordinator") reads for one person's stored
    entries (or stored block), rendered from their structured fields (never from a stored text, so
    no run stored before the confidentiality rule shows a student a host's ranks)."""
    return [solver.render_explanation(entry, audience, mode) for entry in solver.explanation_rows(entries)]


def readable_explanations(entries: list[dict]) -> list[str]:
    """A student's sentences, with position ids replaced by "title at host"."""
    ids = {key_id(entry["position"]) for entry in entries if str(entry.get("position", "")).startswith("p")}
    names = (
        {
            position_key(row.id): f"\u201c{row.title}\u201d at {row.name}"
            for row in db.session.execute(
                db.select(Position.id, Position.title, HostCompany.name)
                .join(HostCompany, HostCompany.id == Position.host_id)
                .where(Position.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    pattern = re.compile(r"\bp\d+\b")
    return [
        pattern.sub(lambda found: names.get(found.group(0), "a position"), text)
        for text in explanation_texts(entries, "student")
    ]
