"""Directory lists for coordinators: colleges, hosts, positions, students and staff.

Every list is one SELECT scoped to the actor's program (colleges are a shared directory),
searchable and filterable, paged with LIMIT/OFFSET; the CSV export runs the same query unpaged.
Students' self-identification fields are never listed here: they are for aggregates only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from sqlalchemy import Select, and_, case, func, literal, or_

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    College,
    HostCompany,
    HostMember,
    Position,
    PositionStatus,
    Role,
    Season,
    StudentProfile,
    StudentRank,
    User,
)
from ..support.paging import Page, paginate_rows
from .audit_log import latest_reasons

SHORT_LIST = 3  # a student rank list with fewer lines than this is "short"


@dataclass(frozen=True)
class Listing:
    kind: str
    title: str
    columns: tuple[tuple[str, str], ...]  # (key, header)
    filters: tuple[tuple[str, str], ...]  # (key, label)
    needs_season: bool
    build: Callable[[int, Season | None, str], Select]  # program_id, season, filter -> select
    search: Callable[[], tuple]  # columns the search box looks in
    reasons: tuple[str, tuple[str, ...]] = ("", ())  # audit object type and actions whose reasons rows show


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").lower() + "%"


def _colleges(program_id: int, season: Season | None, filter_: str) -> Select:
    students = (
        db.select(func.count(StudentProfile.id))
        .join(User, User.id == StudentProfile.user_id)
        .where(StudentProfile.college_id == College.id, User.program_id == program_id)
        .correlate(College)
        .scalar_subquery()
    )
    query = db.select(
        College.id,
        College.name,
        College.town,
        College.state,
        College.kind,
        College.confirmed,
        students.label("students"),
    ).order_by(College.name, College.state)
    if filter_ == "unconfirmed":
        query = query.where(College.confirmed.is_(False))
    return query


def _position_counts(season: Season | None):
    """Per host: live positions, slots and certified positions in the season (a grouped subquery)."""
    live = Position.status != PositionStatus.WITHDRAWN
    return (
        db.select(
            Position.host_id,
            func.count(Position.id).label("positions"),
            func.coalesce(func.sum(Position.slots), 0).label("slots"),
            func.count(Position.id).filter(Position.status == PositionStatus.OPEN).label("open"),
            func.count(Position.ranks_certified_at).filter(Position.status == PositionStatus.OPEN).label("certified"),
        )
        .where(Position.season_id == (season.id if season else -1), live)
        .group_by(Position.host_id)
        .subquery()
    )


def hosts_query(program_id: int, season: Season | None, filter_: str) -> Select:
    counts = _position_counts(season)
    query = (
        db.select(
            HostCompany.id,
            HostCompany.name,
            HostCompany.sector,
            HostCompany.site_town,
            HostCompany.size,
            HostCompany.approved,
            func.coalesce(counts.c.positions, 0).label("positions"),
            func.coalesce(counts.c.slots, 0).label("slots"),
            func.coalesce(counts.c.certified, 0).label("certified"),
        )
        .outerjoin(counts, counts.c.host_id == HostCompany.id)
        .where(HostCompany.program_id == program_id)
        .order_by(HostCompany.name)
    )
    if filter_ == "unapproved":
        query = query.where(HostCompany.approved.is_(False))
    elif filter_ == "not_ranked":
        query = query.where(counts.c.open > counts.c.certified)
    elif filter_ == "with_positions":
        query = query.where(counts.c.positions > 0)
    return query


def _positions(program_id: int, season: Season | None, filter_: str) -> Select:
    query = (
        db.select(
            Position.id,
            Position.title,
            HostCompany.name.label("host"),
            Position.status,
            Position.slots,
            Position.hourly_pay,
            Position.site_town,
            case((Position.ranks_certified_at.is_(None), "no"), else_="yes").label("certified"),
            HostCompany.approved.label("host_approved"),
        )
        .join(HostCompany, HostCompany.id == Position.host_id)
        .where(HostCompany.program_id == program_id, Position.season_id == (season.id if season else -1))
        .order_by(HostCompany.name, Position.title)
    )
    if filter_ == "not_certified":
        query = query.where(Position.status == PositionStatus.OPEN, Position.ranks_certified_at.is_(None))
    elif filter_ == "certified":
        query = query.where(Position.status == PositionStatus.OPEN, Position.ranks_certified_at.is_not(None))
    elif filter_ in {status.value for status in PositionStatus}:
        query = query.where(Position.status == filter_)
    return query


def ranked_counts():
    return (
        db.select(StudentRank.application_id, func.count(StudentRank.id).label("ranked"))
        .group_by(StudentRank.application_id)
        .subquery()
    )


def _students(program_id: int, season: Season | None, filter_: str) -> Select:
    ranked = ranked_counts()
    ranked_count = func.coalesce(ranked.c.ranked, 0)
    query = (
        db.select(
            User.id,
            User.name,
            User.email,
            College.name.label("college"),
            StudentProfile.major,
            StudentProfile.class_year,
            func.coalesce(Application.status, "not started").label("application"),
            ranked_count.label("ranked"),
            case((Application.ranks_certified_at.is_(None), "no"), else_="yes").label("certified"),
        )
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .outerjoin(College, College.id == StudentProfile.college_id)
        .outerjoin(
            Application, and_(Application.student_id == User.id, Application.season_id == (season.id if season else -1))
        )
        .outerjoin(ranked, ranked.c.application_id == Application.id)
        .where(User.program_id == program_id, User.role == Role.STUDENT)
        .order_by(User.name, User.id)
    )
    live = Application.status != ApplicationStatus.WITHDRAWN
    if filter_ == "applied":
        query = query.where(Application.id.is_not(None), live)
    elif filter_ in ("started", "submitted", "withdrawn"):
        query = query.where(Application.status == filter_)
    elif filter_ == "certified":
        query = query.where(live, Application.ranks_certified_at.is_not(None))
    elif filter_ == "short":
        query = query.where(live, ranked_count < SHORT_LIST)
    return query


def _staff(program_id: int, season: Season | None, filter_: str) -> Select:
    query = (
        db.select(
            User.id, User.name, User.email, User.role, HostCompany.name.label("host"), User.active, User.last_login_at
        )
        .outerjoin(HostMember, HostMember.user_id == User.id)
        .outerjoin(HostCompany, HostCompany.id == HostMember.host_id)
        .where(User.program_id == program_id, User.role.in_((Role.COORDINATOR, Role.HOST, Role.LIAISON)))
        .order_by(User.name, User.id)
    )
    if filter_ in (Role.COORDINATOR, Role.HOST, Role.LIAISON):
        query = query.where(User.role == filter_)
    elif filter_ == "inactive":
        query = query.where(User.active.is_(False))
    return query


LISTINGS = {
    listing.kind: listing
    for listing in (
        Listing(
            "colleges",
            "Colleges",
            (
                ("name", "College"),
                ("town", "Town"),
                ("state", "State"),
                ("kind", "Kind"),
                ("confirmed", "Confirmed"),
                ("students", "Our students"),
            ),
            (("unconfirmed", "To confirm"),),
            False,
            _colleges,
            lambda: (College.name, College.town),
        ),
        Listing(
            "hosts",
            "Host companies",
            (
                ("name", "Host"),
                ("sector", "Sector"),
                ("site_town", "Town"),
                ("size", "Size"),
                ("approved", "Approved"),
                ("positions", "Positions"),
                ("slots", "Slots"),
                ("certified", "Lists certified"),
            ),
            (
                ("unapproved", "Awaiting approval"),
                ("not_ranked", "Have not ranked"),
                ("with_positions", "With positions this season"),
            ),
            True,
            hosts_query,
            lambda: (HostCompany.name, HostCompany.sector, HostCompany.site_town),
            ("HostCompany", ("host.approved", "host.unapproved")),
        ),
        Listing(
            "positions",
            "Positions",
            (
                ("title", "Position"),
                ("host", "Host"),
                ("status", "Status"),
                ("slots", "Slots"),
                ("hourly_pay", "Pay / hour"),
                ("site_town", "Town"),
                ("certified", "List certified"),
                ("host_approved", "Host approved"),
            ),
            (
                ("open", "Open"),
                ("draft", "Draft"),
                ("withdrawn", "Withdrawn"),
                ("certified", "List certified"),
                ("not_certified", "List not certified"),
            ),
            True,
            _positions,
            lambda: (Position.title, HostCompany.name),
            ("Position", ("position.withdrawn",)),
        ),
        Listing(
            "students",
            "Students",
            (
                ("name", "Name"),
                ("email", "Email"),
                ("college", "College"),
                ("major", "Major"),
                ("class_year", "Class of"),
                ("application", "Application"),
                ("ranked", "Ranked"),
                ("certified", "List certified"),
            ),
            (
                ("applied", "Applied"),
                ("started", "Started, not submitted"),
                ("submitted", "Submitted"),
                ("withdrawn", "Withdrawn"),
                ("certified", "List certified"),
                ("short", f"Fewer than {SHORT_LIST} ranked"),
            ),
            True,
            _students,
            lambda: (User.name, User.email, College.name, StudentProfile.major),
        ),
        Listing(
            "staff",
            "Staff accounts",
            (
                ("name", "Name"),
                ("email", "Email"),
                ("role", "Role"),
                ("host", "Host"),
                ("active", "Active"),
                ("last_login_at", "Last login"),
            ),
            (
                ("coordinator", "Coordinators"),
                ("host", "Host members"),
                ("liaison", "College liaisons"),
                ("inactive", "Deactivated"),
            ),
            False,
            _staff,
            lambda: (User.name, User.email, HostCompany.name),
            ("User", ("account.deactivated", "account.reactivated", "host.member_removed")),
        ),
    )
}


def _query(program_id: int, kind: str, season: Season | None, search: str, filter_: str) -> Select:
    listing = LISTINGS[kind]
    query = listing.build(program_id, season, filter_ or "")
    words = search.strip().split()
    for word in words[:5]:
        pattern = _like(word)
        query = query.where(
            or_(
                *(
                    func.lower(func.coalesce(column, literal(""))).like(pattern, escape="\\")
                    for column in listing.search()
                )
            )
        )
    return query


def page_of(
    program_id: int,
    kind: str,
    season: Season | None,
    search: str = "",
    filter_: str = "",
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """One page of a directory list, with the total count, in two queries."""
    query = _query(program_id, kind, season, search, filter_)
    found = paginate_rows(query, page, per_page)
    rows = [dict(row._mapping) for row in found.items]
    object_type, actions = LISTINGS[kind].reasons
    if object_type:
        said = latest_reasons(object_type, [row["id"] for row in rows], actions)
        for row in rows:
            row["said"] = said.get(row["id"])
    return replace(found, items=rows)


def all_rows(program_id: int, kind: str, season: Season | None, search: str = "", filter_: str = "") -> Iterator[list]:
    """Every row of a list in column order, for the CSV export (streamed from the database)."""
    columns = [key for key, _ in LISTINGS[kind].columns]
    for row in db.session.execute(_query(program_id, kind, season, search, filter_)).mappings():
        yield [row[key] for key in columns]
