"""What each CSV import accepts: columns, how a row is checked, matched and written."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import ARRAY, any_, bindparam, insert

from ...extensions import db
from ...links import absolute_url
from ...models import (
    College,
    CollegeKind,
    HostCompany,
    HostSize,
    OutcomeKind,
    OutcomeSource,
    Placement,
    Position,
    PositionSkill,
    PositionStatus,
    Role,
    Season,
    Skill,
    StudentOutcome,
    StudentProfile,
    User,
    WorkMode,
    utcnow,
)
from ...models.enums import ACCEPTED_PLACEMENTS
from ..accounts.tokens import fingerprint, make_token, token_maker
from ..accounts.users import normalise_email
from ..errors import ServiceError
from ..market import outcome_rules, skills
from ..market.positions import date_problem, pay_problem
from ..support.notify import send_email, send_emails_merged
from .csv_cells import RowProblem, choice_cell, day_cell, flag_cell, number_cell, skills_cell, text_cell

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Context:
    actor: User
    program_id: int
    season: Season | None
    lookups: dict = field(default_factory=dict)
    before_commit: list[Callable[[], None]] = field(default_factory=list)  # after a flush: the emails


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str
    multiline: bool = False  # may hold line breaks (a description); every other cell is one line


@dataclass(frozen=True)
class Kind:
    name: str
    noun: str
    needs_season: bool
    columns: tuple[Column, ...]
    parse: Callable[[dict, Context], dict]
    key: Callable[[dict], object]
    existing: Callable[[Context, list], dict]
    check: Callable[[Context, object, dict], None]
    differs: Callable[[object, dict], bool]
    write: Callable[[Context, object, dict], None]
    # Writes a batch of new rows at once (Core executemany, no ORM object per row); None: `write` each.
    write_new: Callable[[Context, list[dict]], None] | None = None


LOOKUP_CHUNK = 1000  # keys per IN (...) when a file's rows are matched with the records they name


def chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def among(column, values: list):
    """`column IN (values)`; on PostgreSQL `column = ANY(:array)`, one parameter, which its driver
    does not have to parse 1,000 placeholders of (the preview of 50,000 rows spends a second on it)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def _skill(context: Context, name: str) -> Skill:
    cache = context.lookups.setdefault("skills", {})
    if name not in cache:
        cache[name] = skills.get_or_create([name])[0]
    return cache[name]


def _nothing(context: Context, current, values: dict) -> None:
    return None


# --- colleges ---------------------------------------------------------------------------------


def _college_parse(cells: dict, context: Context) -> dict:
    state = text_cell(cells, "state", 200, required=True).upper()
    if not re.fullmatch(r"[A-Z]{2}", state):
        raise RowProblem(f'state "{cells["state"]}" should be a two-letter code such as CT.')
    return {
        "name": text_cell(cells, "name", 200, required=True),
        "state": state,
        "town": text_cell(cells, "town", 120),
        "kind": choice_cell(cells, "kind", CollegeKind, CollegeKind.OTHER),
    }


def _college_existing(context: Context, keys: list) -> dict:
    names = sorted({name for name, _ in keys})
    found = {}
    for names_chunk in chunks(names):
        for college in db.session.scalars(db.select(College).where(among(College.name, names_chunk))):
            found[(college.name, college.state)] = college
    return found


def _college_differs(college: College, values: dict) -> bool:
    return (college.town, college.kind, college.confirmed) != (values["town"], values["kind"], True)


def _college_check(context: Context, college: College | None, values: dict) -> None:
    """A coordinator's file adds colleges; one already in the shared directory is not changed by it."""
    if college is not None and _college_differs(college, values):
        raise RowProblem(
            f"{college.name} ({college.state}) is already in the directory shared by every program, "
            f"as {college.kind_label.lower()}{' in ' + college.town if college.town else ''}"
            f"{'' if college.confirmed else ', not confirmed yet'}: only an administrator changes it. "
            "Give the same details, or leave the row out."
        )


def _college_write(context: Context, college: College | None, values: dict) -> None:
    db.session.add(
        College(name=values["name"], state=values["state"], town=values["town"], kind=values["kind"], confirmed=True)
    )


# --- hosts ------------------------------------------------------------------------------------


def _host_parse(cells: dict, context: Context) -> dict:
    return {
        "name": text_cell(cells, "name", 200, required=True),
        "sector": text_cell(cells, "sector", 120),
        "site_town": text_cell(cells, "site_town", 120),
        "size": choice_cell(cells, "size", HostSize, HostSize.SMALL),
        "website": text_cell(cells, "website", 300),
        "approved": flag_cell(cells, "approved", True),
    }


def _host_existing(context: Context, keys: list) -> dict:
    hosts = db.session.scalars(db.select(HostCompany).where(HostCompany.program_id == context.program_id))
    return {host.name.lower(): host for host in hosts}


HOST_FIELDS = ("sector", "site_town", "size", "website", "approved")


def _host_differs(host: HostCompany, values: dict) -> bool:
    return any(getattr(host, name) != values[name] for name in HOST_FIELDS)


def _host_write(context: Context, host: HostCompany | None, values: dict) -> None:
    if host is None:
        host = HostCompany(program_id=context.program_id, name=values["name"])
        db.session.add(host)
    for name in HOST_FIELDS:
        setattr(host, name, values[name])


# --- positions --------------------------------------------------------------------------------


def _hosts_by_name(context: Context) -> dict[str, HostCompany]:
    if "hosts" not in context.lookups:
        context.lookups["hosts"] = _host_existing(context, [])
    return context.lookups["hosts"]


def _position_parse(cells: dict, context: Context) -> dict:
    host = _hosts_by_name(context).get(text_cell(cells, "host", 200, required=True).lower())
    if host is None:
        raise RowProblem(f'host "{cells["host"]}" is not a host of your program; import or add it first.')
    try:
        pay = Decimal(cells.get("hourly_pay", "").lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise RowProblem(f'hourly_pay "{cells.get("hourly_pay", "")}" is not an amount like 21.50.') from None
    problem = pay_problem(pay)
    if problem:
        raise RowProblem(f'hourly_pay "{cells.get("hourly_pay", "")}": {problem}')
    start, end = day_cell(cells, "start_date"), day_cell(cells, "end_date")
    if end < start:
        raise RowProblem("end_date is before start_date.")
    for name, day in (("start_date", start), ("end_date", end)):
        problem = date_problem(context.season.year, day)
        if problem:
            raise RowProblem(f"{name} {day.isoformat()}: {problem}")
    status = choice_cell(cells, "status", PositionStatus, PositionStatus.OPEN)
    return {
        "host_id": host.id,
        "host": host.name,
        "title": text_cell(cells, "title", 160, required=True),
        "team": text_cell(cells, "team", 120),
        "description": text_cell(cells, "description", 5000),
        "slots": number_cell(cells, "slots", 0, 100),
        "hourly_pay": pay,
        "hours_per_week": number_cell(cells, "hours_per_week", 1, 60),
        "start_date": start,
        "end_date": end,
        "site_town": text_cell(cells, "site_town", 120) or host.site_town,
        "work_mode": choice_cell(cells, "work_mode", WorkMode, WorkMode.ONSITE),
        "housing_help": flag_cell(cells, "housing_help", False),
        "status": status,
        "skills": {
            **{name: False for name in skills_cell(cells, "preferred_skills")},
            **{name: True for name in skills_cell(cells, "required_skills")},
        },
    }


def _position_existing(context: Context, keys: list) -> dict:
    positions = db.session.scalars(db.select(Position).where(Position.season_id == context.season.id))
    return {(position.host_id, position.title.lower()): position for position in positions}


POSITION_FIELDS = (
    "team",
    "description",
    "slots",
    "hourly_pay",
    "hours_per_week",
    "start_date",
    "end_date",
    "site_town",
    "work_mode",
    "housing_help",
    "status",
)


def _position_differs(position: Position, values: dict) -> bool:
    skills = {link.skill.name: link.required for link in position.skill_links}
    return skills != values["skills"] or any(getattr(position, name) != values[name] for name in POSITION_FIELDS)


def _position_write(context: Context, position: Position | None, values: dict) -> None:
    if position is None:
        position = Position(host_id=values["host_id"], season_id=context.season.id, title=values["title"])
        db.session.add(position)
    for name in POSITION_FIELDS:
        setattr(position, name, values[name])
    links = {link.skill.name: link for link in position.skill_links}
    position.skill_links = [
        links[name] if name in links else PositionSkill(skill=_skill(context, name)) for name in values["skills"]
    ]
    for link in position.skill_links:
        link.required = values["skills"][link.skill.name]


# --- students ---------------------------------------------------------------------------------


def _college_by_key(context: Context, name: str, state: str) -> College | None:
    cache = context.lookups.setdefault("colleges", {})
    if (name, state) not in cache:
        cache[(name, state)] = db.session.scalar(
            db.select(College).where(db.func.lower(College.name) == name.lower(), College.state == state)
        )
    return cache[(name, state)]


def _student_parse(cells: dict, context: Context) -> dict:
    email = normalise_email(text_cell(cells, "email", 254, required=True))
    if not EMAIL.match(email):
        raise RowProblem(f'email "{cells["email"]}" is not an email address.')
    college_name, state = text_cell(cells, "college", 200), text_cell(cells, "college_state", 2).upper()
    college = None
    if college_name:
        college = _college_by_key(context, college_name, state)
        if college is None:
            raise RowProblem(
                f'college "{college_name}" ({state or "no state"}) is not in the directory; '
                "import colleges first or check college_state."
            )
    return {
        "email": email,
        "name": text_cell(cells, "name", 120, required=True),
        "college_id": college.id if college else None,
        "college": f"{college.name} ({college.state})" if college else "",  # shown in the preview
        "major": text_cell(cells, "major", 120),
        "class_year": number_cell(cells, "class_year", 2000, 2100, required=False),
    }


def _student_existing(context: Context, keys: list) -> dict:
    found = {}
    for emails in chunks(sorted(set(keys))):
        for user in db.session.scalars(db.select(User).where(among(User.email, emails))):
            found[user.email] = user
    return found


def _student_check(context: Context, user: User | None, values: dict) -> None:
    if user is not None and (user.role != Role.STUDENT or user.program_id != context.program_id):
        raise RowProblem(f"{values['email']} belongs to an account that is not a student of your program.")


PROFILE_FIELDS = ("college_id", "major", "class_year")


def _student_differs(user: User, values: dict) -> bool:
    profile = user.profile
    return (
        user.name != values["name"]
        or profile is None
        or any(getattr(profile, name) != values[name] for name in PROFILE_FIELDS)
    )


def _student_write(context: Context, user: User | None, values: dict) -> None:
    if user is None:
        user = User(email=values["email"], role=Role.STUDENT, program_id=context.program_id, name=values["name"])
        user.password_hash = User.unusable_password_hash()  # the student chooses one from the email
        db.session.add(user)
        context.before_commit.append(lambda user=user: _welcome(user.id, user.email, user.name, user.password_hash))
    if user.profile is None:
        user.profile = StudentProfile()
    user.name = values["name"]
    for name in PROFILE_FIELDS:
        setattr(user.profile, name, values[name])


def _students_write_new(context: Context, rows: list[dict]) -> None:
    """New students in bulk: one executemany for the accounts (then one query for their ids), one for
    the profiles, and each welcome email added to this transaction's outbox rows (inserted together
    when it commits)."""
    accounts = [
        dict(
            email=values["email"],
            name=values["name"],
            password_hash=User.unusable_password_hash(),
            role=Role.STUDENT,
            program_id=context.program_id,
        )
        for values in rows
    ]
    # A plain executemany, then the ids by email: INSERT ... RETURNING of 1,000 rows is one statement
    # of 9,000 parameters that the PostgreSQL driver parses anew for every batch (twice as slow).
    db.session.execute(insert(User.__table__), accounts)
    emails = [account["email"] for account in accounts]
    found = dict(db.session.execute(db.select(User.email, User.id).where(among(User.email, emails))).all())
    ids = [found[email] for email in emails]
    db.session.execute(
        insert(StudentProfile.__table__),
        [
            dict(
                user_id=user_id, college_id=values["college_id"], major=values["major"], class_year=values["class_year"]
            )
            for user_id, values in zip(ids, rows, strict=True)
        ],
    )
    sign = context.lookups.get("sign") or context.lookups.setdefault("sign", token_maker("reset"))
    marker = "TOKEN-MARK"  # URL-safe, so the link is built once and each student's token put in its place
    link = absolute_url("auth.reset_password", token=marker)
    messages = [
        (
            account["email"],
            {
                "name": account["name"],
                "link": link.replace(marker, sign({"user": user_id, "fp": fingerprint(account["password_hash"])})),
            },
        )
        for user_id, account in zip(ids, accounts, strict=True)
    ]
    send_emails_merged(
        messages,
        WELCOME_SUBJECT,
        "student_imported",
        program=context.actor.program,
        context=lambda values: dict(
            user=_Addressee(values["name"]),
            link=values["link"],
            hours=current_app.config["PASSWORD_RESET_MAX_AGE_HOURS"],
        ),
    )


WELCOME_SUBJECT = "Your SPRINT Placement account is ready"


@dataclass(frozen=True)
class _Addressee:  # what the welcome email says of the student (its name): no ORM object per new row
    name: str


def _welcome(user_id: int, email: str, name: str, password_hash: str, program=None) -> None:
    """Email an imported student a link to choose their password (a password-reset link, which
    fingerprints the unusable value stored until then)."""
    token = make_token("reset", {"user": user_id, "fp": fingerprint(password_hash)})
    program = program if program is not None else db.session.get(User, user_id).program
    send_email(
        email,
        WELCOME_SUBJECT,
        "student_imported",
        user=_Addressee(name),
        program=program,
        link=absolute_url("auth.reset_password", token=token),
        hours=current_app.config["PASSWORD_RESET_MAX_AGE_HOURS"],
    )


# --- outcomes ---------------------------------------------------------------------------------


def _program_student(context: Context, email: str) -> User | None:
    cache = context.lookups.setdefault("students", {})
    if email not in cache:
        cache[email] = db.session.scalar(
            db.select(User).where(User.email == email, User.role == Role.STUDENT, User.program_id == context.program_id)
        )
    return cache[email]


def _program_season(context: Context, year: int) -> Season | None:
    cache = context.lookups.setdefault("seasons", {})
    if year not in cache:
        cache[year] = db.session.scalar(
            db.select(Season).where(Season.program_id == context.program_id, Season.year == year)
        )
    return cache[year]


def _outcome_parse(cells: dict, context: Context) -> dict:
    email = normalise_email(text_cell(cells, "student_email", 254, required=True))
    student = _program_student(context, email)
    if student is None:
        raise RowProblem(f'student_email "{cells["student_email"]}" is not a student of your program.')
    year = number_cell(cells, "season_year", 2000, 2100)
    season = _program_season(context, year)
    if season is None:
        raise RowProblem(f"season_year {year}: your program has no season of that year.")
    placement = db.session.scalar(
        db.select(Placement).where(
            Placement.season_id == season.id,
            Placement.student_id == student.id,
            Placement.status.in_(ACCEPTED_PLACEMENTS),
        )
    )
    if placement is None:
        raise RowProblem(f"{email} has no accepted placement in {season.name}: outcomes follow an internship.")
    kind = choice_cell(cells, "kind", OutcomeKind, "")
    if not kind:
        raise RowProblem("kind is empty.")
    day = day_cell(cells, "date") if cells.get("date") else None
    try:
        kind, wage, employer, note = outcome_rules.check(
            placement, kind, day, cells.get("hourly_wage", ""), cells.get("employer", ""), cells.get("note", "")
        )
    except ServiceError as error:
        raise RowProblem(str(error)) from None
    return {
        "student_id": student.id,
        "student_email": f"{email} ({student.name})",  # shown in the preview: the student it matched
        "season_year": year,
        "season_id": season.id,
        "placement_id": placement.id,
        "kind": str(kind),
        "occurred_on": day,
        "date": day.isoformat() if day else "",
        "hourly_wage": wage,
        "employer": employer,
        "note": note,
    }


def _outcome_existing(context: Context, keys: list) -> dict:
    found = {}
    for students in chunks(sorted({student_id for student_id, _, _ in keys})):
        outcomes = db.session.scalars(
            db.select(StudentOutcome).where(
                StudentOutcome.program_id == context.program_id, among(StudentOutcome.student_id, students)
            )
        )
        for outcome in outcomes:
            found[(outcome.student_id, outcome.season_id, outcome.kind)] = outcome
    return found


OUTCOME_FIELDS = ("placement_id", "occurred_on", "hourly_wage", "employer", "note")


def _outcome_differs(outcome: StudentOutcome, values: dict) -> bool:
    return any(getattr(outcome, name) != values[name] for name in OUTCOME_FIELDS)


def _outcome_write(context: Context, outcome: StudentOutcome | None, values: dict) -> None:
    if outcome is None:
        outcome = StudentOutcome(
            program_id=context.program_id,
            student_id=values["student_id"],
            season_id=values["season_id"],
            kind=values["kind"],
        )
        db.session.add(outcome)
    for name in OUTCOME_FIELDS:
        setattr(outcome, name, values[name])
    outcome.source, outcome.recorded_by_id = OutcomeSource.CSV, context.actor.id


def _col(name: str, required: bool, help_: str, example: str, multiline: bool = False) -> Column:
    return Column(name, required, help_, example, multiline)


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "colleges",
            "college",
            False,
            (
                _col("name", True, "The college's full name.", "Gateway Community College"),
                _col("state", True, "Two-letter state code; name + state identify the college.", "CT"),
                _col("town", False, "Town or city.", "New Haven"),
                _col("kind", False, "community, public_four_year, private, minority_serving or other.", "community"),
            ),
            _college_parse,
            lambda values: (values["name"], values["state"]),
            _college_existing,
            _college_check,
            _college_differs,
            _college_write,
        ),
        Kind(
            "hosts",
            "host",
            False,
            (
                _col("name", True, "The company's name; it identifies the host in your program.", "Harbor Robotics"),
                _col("sector", False, "Industry, e.g. Biotech.", "Robotics"),
                _col("site_town", False, "Where interns work.", "New Haven"),
                _col("size", False, "small (under 50 staff), medium (50 to 499) or large (500+).", "small"),
                _col("website", False, "Web address.", "https://harbor.example"),
                _col("approved", False, "yes (default) shows its positions to students; no waits for approval.", "yes"),
            ),
            _host_parse,
            lambda values: values["name"].lower(),
            _host_existing,
            _nothing,
            _host_differs,
            _host_write,
        ),
        Kind(
            "positions",
            "position",
            True,
            (
                _col("host", True, "Name of a host already in your program.", "Harbor Robotics"),
                _col("title", True, "Position title; host + title identify it within the season.", "Controls intern"),
                _col("slots", True, "Number of interns, 0 to 100.", "2"),
                _col("hourly_pay", True, "Dollars per hour, at least the minimum wage.", "21.50"),
                _col("hours_per_week", True, "1 to 60.", "40"),
                _col("start_date", True, "YYYY-MM-DD.", "2027-06-07"),
                _col("end_date", True, "YYYY-MM-DD, on or after the start.", "2027-08-13"),
                _col("site_town", False, "Defaults to the host's town.", "New Haven"),
                _col("work_mode", False, "onsite (default), hybrid or remote.", "onsite"),
                _col("team", False, "Team or department.", "Engineering"),
                _col("description", False, "What the intern will do.", "Help test our robot arms.", multiline=True),
                _col("required_skills", False, "Skills separated by semicolons.", "python; soldering"),
                _col("preferred_skills", False, "Skills separated by semicolons.", "cad"),
                _col("housing_help", False, "yes or no (default).", "no"),
                _col("status", False, "open (default), draft or withdrawn.", "open"),
            ),
            _position_parse,
            lambda values: (values["host_id"], values["title"].lower()),
            _position_existing,
            _nothing,
            _position_differs,
            _position_write,
        ),
        Kind(
            "students",
            "student",
            False,
            (
                _col("email", True, "The student's email; it identifies the account.", "ana@example.edu"),
                _col("name", True, "Full name.", "Ana Rivera"),
                _col("college", False, "A college already in the directory.", "Gateway Community College"),
                _col("college_state", False, "The college's two-letter state (needed with college).", "CT"),
                _col("major", False, "Major or program of study.", "Biology"),
                _col("class_year", False, "Graduation year, e.g. 2028.", "2028"),
            ),
            _student_parse,
            lambda values: values["email"],
            _student_existing,
            _student_check,
            _student_differs,
            _student_write,
            write_new=_students_write_new,
        ),
        Kind(
            "outcomes",
            "outcome",
            False,
            (
                _col("student_email", True, "The email of a student of your program.", "ana@example.edu"),
                _col("season_year", True, "The year of the season of the internship.", "2026"),
                _col(
                    "kind",
                    True,
                    "hired_by_host, return_offer, returned_next_summer, hired_in_sector or continuing_education; "
                    "student + season + kind identify the outcome.",
                    "hired_by_host",
                ),
                _col("date", False, "YYYY-MM-DD, not in the future nor before the season's year.", "2026-09-01"),
                _col("hourly_wage", False, "Dollars per hour, 0 to 500.", "24.00"),
                _col("employer", False, "Who hired the student.", "Harbor Robotics"),
                _col("note", False, "Anything the funder should know.", "Full-time technician"),
            ),
            _outcome_parse,
            lambda values: (values["student_id"], values["season_id"], values["kind"]),
            _outcome_existing,
            _nothing,
            _outcome_differs,
            _outcome_write,
        ),
    )
}


def template_rows(kind: str, program_id: int) -> tuple[list[str], list[str]]:
    """The header and one example row of the downloadable template. Where a row must name something that
    exists (a college of the directory, a host and season of the program), the example names a real one,
    so the template imports as it is."""
    columns = KINDS[kind].columns
    example = {column.name: column.example for column in columns} | _existing_examples(kind, program_id)
    return [column.name for column in columns], [example[column.name] for column in columns]


def _existing_examples(kind: str, program_id: int) -> dict[str, str]:
    if kind == "students":
        college = db.session.scalar(
            db.select(College)
            .where(College.confirmed.is_(True))
            .order_by(College.kind != CollegeKind.COMMUNITY, College.name)
            .limit(1)
        )
        return (
            {"college": college.name, "college_state": college.state}
            if college
            else {"college": "", "college_state": ""}
        )
    if kind == "positions":
        examples = {}
        host = db.session.scalar(
            db.select(HostCompany.name).where(HostCompany.program_id == program_id).order_by(HostCompany.name).limit(1)
        )
        year = db.session.scalar(db.select(db.func.max(Season.year)).where(Season.program_id == program_id))
        if host:
            examples["host"] = host
        if year:
            examples |= {"start_date": f"{year}-06-07", "end_date": f"{year}-08-13"}
        return examples
    if kind == "outcomes":  # an accepted placement of the program, so the template imports as it is
        found = db.session.execute(
            db.select(User.email, Season.year, HostCompany.name)
            .join(Placement, Placement.student_id == User.id)
            .join(Season, Season.id == Placement.season_id)
            .join(Position, Position.id == Placement.position_id)
            .join(HostCompany, HostCompany.id == Position.host_id)
            .where(Season.program_id == program_id, Placement.status.in_(ACCEPTED_PLACEMENTS))
            .order_by(Season.year.desc(), User.email)
            .limit(1)
        ).first()
        if found:
            email, year, host = found
            day = min(date(year, 9, 1), utcnow().date())  # never in the future, or the template would not import
            return {"student_email": email, "season_year": str(year), "date": day.isoformat(), "employer": host}
    return {}
