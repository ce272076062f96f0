"""Read queries for the match-run pages: the figures of one run, two runs compared, a person's explanation.

Ids in stored snapshots and results are the solver's ("s12", "p7"); `matching.labels` turns
them into names. Counts per college and per self-identified group are aggregates only, and
cells under five (zero included) are shown as "<5" by `support.privacy`, so that no one can be picked out.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from dataclasses import dataclass, field

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    HostCompany,
    MatchRun,
    Placement,
    Position,
    PositionStatus,
    RunStatus,
    Season,
    User,
)
from ..errors import NotFound, ServiceError
from ..support.figures import show
from ..support.privacy import suppress
from . import adapter, run_queue
from .adapter import explanation_texts, labels, reasons_of, student_key
from .match_quality import SHARE_OF, choice_shares

PER_PAGE = 50
LISTED_AT_MOST = 500  # unmatched students and unfilled positions the run page lists (50,000 students: thousands)
GROUP_LABELS = {
    "first_generation": "First-generation students",
    "pell_eligible": "Pell-eligible students",
    "cc_transfer": "Community-college transfers",
    "community_college": "Community-college students",
}
_KEY = re.compile(r"\b[sp]\d+\b")


def run_for(actor: User, run_id: int) -> MatchRun:
    """The run if its season belongs to the actor's program, else NotFound (as `season.seasons.season_for`)."""
    run = db.session.get(MatchRun, run_id) if run_id else None
    if run is None or run.season.program_id != actor.program_id:
        raise NotFound("There is no such match run in your program.")
    run_queue.check_lease(run)  # a running run whose worker stopped shows as failed at once
    return run


def runs_of(season: Season) -> list[MatchRun]:
    """The season's runs, newest first; runs whose worker stopped are marked failed first."""
    run_queue.check_runs()
    return list(
        db.session.scalars(db.select(MatchRun).where(MatchRun.season_id == season.id).order_by(MatchRun.id.desc()))
    )


PICK_LIMIT = 20  # suggestions a picker shows at most


def _prefix(text: str) -> str:
    """What was typed as a LIKE prefix, its wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def pick(season: Season, kind: str, typed: str) -> list[tuple[str, str]]:
    """Up to PICK_LIMIT (value, label) suggestions for a picker: students in the season's match (a
    certified list; "applicant": any submitted application, for placing by hand) whose name or email
    starts with `typed`, the value their email; open positions whose title or host starts with it
    (or whose number it is), or hosts with an open position, the value "#id"."""
    typed = " ".join(typed.split())[:120].lower()
    if len(typed) < 2 and not typed.lstrip("#").isdigit():
        return []
    number = int(typed.lstrip("#")) if typed.lstrip("#").isdigit() else None
    if kind in ("student", "applicant"):
        match = [
            db.func.lower(User.name).like(_prefix(typed), escape="\\"),
            User.email.like(_prefix(typed), escape="\\"),
        ]
        if number is not None:
            match.append(User.id == number)
        rows = db.session.execute(
            db.select(User.id, User.name, User.email)
            .join(Application, Application.student_id == User.id)
            .where(
                Application.season_id == season.id,
                Application.status == ApplicationStatus.SUBMITTED,
                Application.ranks_certified_at.is_not(None) if kind == "student" else db.true(),
                db.or_(*match),
            )
            .order_by(User.name, User.id)
            .limit(PICK_LIMIT)
        )
        return [(email, f"{name} <{email}> (#{user_id})") for user_id, name, email in rows]
    typed = typed.lower()
    if kind == "host":
        match = [db.func.lower(HostCompany.name).like(_prefix(typed), escape="\\")]
        if number is not None:
            match.append(HostCompany.id == number)
        rows = db.session.execute(
            db.select(HostCompany.id, HostCompany.name)
            .join(Position, Position.host_id == HostCompany.id)
            .where(
                Position.season_id == season.id,
                Position.status == PositionStatus.OPEN,
                HostCompany.approved.is_(True),
                db.or_(*match),
            )
            .group_by(HostCompany.id, HostCompany.name)
            .order_by(HostCompany.name, HostCompany.id)
            .limit(PICK_LIMIT)
        )
        return [(f"#{host_id}", f"{name} (#{host_id})") for host_id, name in rows]
    match = [  # 12,000 positions at most in a season: its index, then the prefix on each
        db.func.lower(Position.title).like(_prefix(typed), escape="\\"),
        db.func.lower(HostCompany.name).like(_prefix(typed), escape="\\"),
    ]
    if number is not None:
        match.append(Position.id == number)
    rows = db.session.execute(
        db.select(Position.id, Position.title, HostCompany.name)
        .join(HostCompany, HostCompany.id == Position.host_id)
        .where(
            Position.season_id == season.id,
            Position.status == PositionStatus.OPEN,
            HostCompany.approved.is_(True),
            db.or_(*match),
        )
        .order_by(HostCompany.name, Position.title, Position.id)
        .limit(PICK_LIMIT)
    )
    return [(f"#{position_id}", f"{host}: {title} (#{position_id})") for position_id, title, host in rows]


def placement_for(actor: User, placement_id: int) -> Placement:
    """The placement if its season belongs to the actor's program, else NotFound (as `run_for`)."""
    placement = db.session.get(Placement, placement_id)
    if placement is None or placement.season.program_id != actor.program_id:
        raise NotFound("There is no such placement in your program.")
    return placement


def position_in(season: Season, position_id: int) -> Position | None:
    position = db.session.get(Position, position_id)
    return position if position is not None and position.season_id == season.id else None


def student_in(season: Season, student_id: int) -> User | None:
    """The student if they applied in this season, else None."""
    return db.session.scalar(
        db.select(User)
        .join(Application, Application.student_id == User.id)
        .where(User.id == student_id, Application.season_id == season.id)
    )


def _typed_number(typed: str) -> int | None:
    text = (typed or "").strip().lstrip("#")
    return int(text) if text.isdigit() and len(text) <= 9 else None


def student_named(season: Season, typed: str) -> User:
    """A placement form's student as the picker sends it or a person types it: their email, "#12" or
    "12", among those who applied this season; ServiceError (on the student field) otherwise."""
    text = " ".join((typed or "").split())
    number = _typed_number(text)
    if number is not None:
        found = student_in(season, number)
    elif "@" in text:
        found = db.session.scalar(
            db.select(User)
            .join(Application, Application.student_id == User.id)
            .where(Application.season_id == season.id, User.email == text.lower())
        )
    else:
        raise ServiceError(
            f"Name the student by email or number (#12), or choose one from the suggestions: “{text[:80]}”.", "student"
        )
    if found is None:
        raise ServiceError(f"Nobody applied to {season.name} as “{text[:80]}”.", "student")
    return found


def position_named(season: Season, typed: str) -> Position:
    """A placement form's position as "#12" or "12", one of this season's; ServiceError (on the
    position field) otherwise."""
    number = _typed_number(typed)
    if number is None:
        raise ServiceError(
            f"Name the position by its number (#12), or choose one from the suggestions: “{(typed or '')[:80]}”.",
            "position",
        )
    found = position_in(season, number)
    if found is None:
        raise ServiceError(f"{season.name} has no position #{number}.", "position")
    return found


def student_emails(season_id: int) -> dict[str, str]:
    """Each applicant's email by their run key ("s12"): lists show it beside the name, so two students
    of the same name are told apart. One query on the season, as `labels`."""
    rows = db.session.execute(
        db.select(User.id, User.email)
        .join(Application, Application.student_id == User.id)
        .where(Application.season_id == season_id)
    )
    return {student_key(student_id): email for student_id, email in rows}


@dataclass
class RunFigures:
    run: MatchRun
    names: dict[str, str]
    emails: dict[str, str] = field(default_factory=dict)  # student key -> email
    students: int = 0
    matched: int = 0
    slots: int = 0
    unfilled_slots: int = 0
    first_choice: str = "–"
    top_three: str = "–"
    share_of: str = SHARE_OF
    student_histogram: list[tuple[str, int]] = field(default_factory=list)
    position_histogram: list[tuple[str, int]] = field(default_factory=list)
    per_college: list[tuple[str, str]] = field(default_factory=list)
    per_group: list[tuple[str, str]] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (key, name), the first LISTED_AT_MOST
    unmatched_total: int = 0
    unfilled_total: int = 0
    unfilled: list[tuple[str, str, int]] = field(default_factory=list)  # (key, name, open seats)
    blocking: list[tuple[str, str]] = field(default_factory=list)
    placements: list[dict] = field(default_factory=list)  # one page
    pages: int = 1


def figures(
    run: MatchRun, page: int = 1, names: dict[str, str] | None = None, emails: dict[str, str] | None = None
) -> RunFigures:
    """Everything the run page shows; `page` picks the slice of the placement list."""
    names = names if names is not None else labels(run.season_id)
    out = RunFigures(run=run, names=names)
    result = run.result
    if not result:
        return out
    out.emails = emails if emails is not None else student_emails(run.season_id)
    stats = result.get("stats", {})
    assignments = result["assignments"]
    out.students, out.matched = stats.get("students", 0), len(assignments)
    out.slots, out.unfilled_slots = stats.get("slots", 0), stats.get("unfilled_slots", 0)
    ranks = [a["student_rank"] for a in assignments if a.get("student_rank")]
    first, top_three = choice_shares(sum(1 for r in ranks if r == 1), sum(1 for r in ranks if r <= 3), len(assignments))
    out.first_choice, out.top_three = show(first), show(top_three)
    out.student_histogram = list(stats.get("student_rank_histogram", {}).items())
    out.position_histogram = list(stats.get("position_rank_histogram", {}).items())
    colleges = stats.get("placements_per_college", {})
    out.per_college = sorted(((names.get(key, key), suppress(n)) for key, n in colleges.items()))
    out.per_group = [(GROUP_LABELS.get(g, g), suppress(n)) for g, n in stats.get("placements_per_group", {}).items()]
    unmatched, unfilled = result.get("unmatched_students", []), result.get("unfilled", {})
    out.unmatched_total, out.unfilled_total = len(unmatched), len(unfilled)
    out.unmatched = heapq.nsmallest(
        LISTED_AT_MOST, ((key, names.get(key, key)) for key in unmatched), key=lambda item: item[1]
    )
    out.unfilled = heapq.nsmallest(
        LISTED_AT_MOST, ((key, names.get(key, key), n) for key, n in unfilled.items()), key=lambda item: item[1]
    )
    out.blocking = [(names.get(s, s), names.get(p, p)) for s, p in result.get("blocking_pairs", [])]
    rows = sorted(
        (
            {
                **a,
                "student_name": names.get(a["student"], a["student"]),
                "position_name": names.get(a["position"], a["position"]),
            }
            for a in assignments
        ),
        key=lambda row: row["student_name"],
    )
    out.pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(max(page, 1), out.pages)
    out.placements = rows[(page - 1) * PER_PAGE : page * PER_PAGE]
    return out


def explanation(run: MatchRun, key: str) -> tuple[str, str, list[str]] | None:
    """(name, where they were placed, reasons) for "s<id>" or "p<id>" in this run, or None if not in it.

    Reads one person's rows (their reasons, their assignments) and the names those mention, never
    the run's whole result, snapshot or the season's names: the same cost at 150 or 50,000 students."""
    side = "students" if key.startswith("s") else "positions"
    if run.status != RunStatus.DONE or not _KEY.fullmatch(key):
        return None
    if not adapter.has_reasons(run, key) and key not in {  # a run stored without reasons: its snapshot says
        entry["id"] for entry in (run.input_snapshot or {}).get(side, [])
    }:
        return None
    entries = reasons_of(key, [run])
    placed = adapter.placed_of(run, key)
    raw = explanation_texts(entries, "coordinator", run.mode)
    wanted = {key, *(p for _, p, _ in placed), *(s for s, _, _ in placed)}
    wanted |= {found for text in raw for found in _KEY.findall(text)}
    wanted |= {entry.get("student") for entry in entries if entry.get("student")}
    names = adapter.labels_for(wanted)
    if key not in names:
        return None
    if side == "students":
        where = f"Placed at {names.get(placed[0][1])} (their choice #{placed[0][2]})" if placed else "Not matched"
    else:
        held = [names.get(student) for student, _, _ in placed]
        where = f"Took {len(held)}: {', '.join(sorted(held))}" if held else "Took nobody"
    texts = [_KEY.sub(lambda m: names.get(m.group(0), m.group(0)), text) for text in raw]
    if side == "positions":
        texts = [f"{names.get(entry.get('student'), '?')}: {text}" for entry, text in zip(entries, texts)]
    return names[key], where, texts


@dataclass
class Move:
    name: str
    key: str  # the student's run key ("s12")
    email: str
    before: str
    after: str
    rank_before: int | None
    rank_after: int | None
    kind: str  # moved, newly matched, newly unmatched

    @property
    def rank_change(self) -> int | None:
        if self.rank_before is None or self.rank_after is None:
            return None
        return self.rank_after - self.rank_before  # positive: a worse choice in the second run


def compare(first: MatchRun, second: MatchRun) -> tuple[RunFigures, RunFigures, list[Move], Counter]:
    """Both runs' figures and who is placed differently, biggest rank changes first."""
    names = labels(first.season_id) | (labels(second.season_id) if second.season_id != first.season_id else {})
    emails = student_emails(first.season_id)
    a, b = figures(first, names=names, emails=emails), figures(second, names=names, emails=emails)
    placed_a = {x["student"]: x for x in (first.result or {}).get("assignments", [])}
    placed_b = {x["student"]: x for x in (second.result or {}).get("assignments", [])}
    moves = []
    for key in placed_a.keys() | placed_b.keys():
        x, y = placed_a.get(key), placed_b.get(key)
        if x and y and x["position"] == y["position"]:
            continue
        kind = "moved" if x and y else "newly matched" if y else "newly unmatched"
        moves.append(
            Move(
                names.get(key, key),
                key,
                emails.get(key, ""),
                names.get(x["position"]) if x else "unmatched",
                names.get(y["position"]) if y else "unmatched",
                x["student_rank"] if x else None,
                y["student_rank"] if y else None,
                kind,
            )
        )
    moves.sort(key=lambda m: (-(abs(m.rank_change) if m.rank_change is not None else 99), m.name))
    return a, b, moves, Counter(move.kind for move in moves)
