"""The demo program: three past summers and the current season, deterministic from a seed."""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as datetime_time
from decimal import Decimal
from pathlib import Path

from flask import current_app
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import (
    Application,
    ApplicationStatus,
    College,
    HostCompany,
    HostMember,
    HostRank,
    Interview,
    MatchMode,
    Message,
    MessageThread,
    Outcome,
    OutcomeKind,
    OutcomeSource,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    PositionInterest,
    PositionSkill,
    Program,
    Role,
    Season,
    Skill,
    StudentOutcome,
    StudentProfile,
    StudentRank,
    ThreadRead,
    User,
    WorkMode,
    utcnow,
)
from ..services.market import interviews, rankings
from ..services.matching import match_runs, run_queue, student_outcomes
from ..services.support.local_time import DEFAULT_ZONE, to_utc, zone
from . import facts

DEMO_SLUG = "sprint"
DEMO_PASSWORD = "sprint-demo-2027"
DEMO_LOGINS = [
    ("admin", "admin@sprint.demo"),
    ("coordinator", "coordinator@sprint.demo"),
    ("host owner", "host@sprint.demo"),
    ("host member", "member@sprint.demo"),
    ("student", "student@sprint.demo"),
    ("new student", "newstudent@sprint.demo"),
    ("college liaison", "liaison@sprint.demo"),
]
PAST_YEARS = {2024: 230, 2025: 260, 2026: 290}  # applicants per past summer
CURRENT_YEAR, CURRENT_APPLICANTS = 2027, 320
# the demo's "now": its current season is taking applications, so nothing in it happened after this
# (no list certified in February); its interview slots stay bookable whenever it loads
DEMO_NOW = datetime(CURRENT_YEAR - 1, 12, 1, 17)


@dataclass
class DemoSummary:
    created: bool
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        return ", ".join(f"{n} {what}" for what, n in self.counts.items())


def load_demo(seed: int = 2027) -> DemoSummary:
    """Load the demo once; a second call finds it and changes nothing."""
    if db.session.scalar(db.select(Program.id).where(Program.slug == DEMO_SLUG)) is not None:
        return DemoSummary(created=False)
    started = time.perf_counter()
    builder = _Builder(random.Random(seed))
    builder.build()
    return DemoSummary(created=True, seconds=time.perf_counter() - started, counts=builder.counts())


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once, shared by demo accounts
        self.students: list[User] = []
        self.n_users = 0

    def build(self) -> None:
        self.program = Program(
            slug=DEMO_SLUG,
            name="SPRINT Internships",
            region="Greater New Haven Bioscience Collaborative",
            contact_email="sprint@sprint.demo",
            time_zone=DEFAULT_ZONE,
        )
        db.session.add(self.program)
        self.colleges = self._colleges()
        self.skills = {name: Skill(name=name) for name in facts.SKILLS}
        db.session.add_all(self.skills.values())
        self.hosts = self._hosts()
        self._staff()
        db.session.flush()
        for year, applicants in PAST_YEARS.items():
            self._past_season(year, applicants)
        with db.session.no_autoflush:
            self._current_season()
            self._other_program()
        # the career office of the college most students come from: sees its own students only
        liaison = self._user(Role.LIAISON, "Lee Liaison", "liaison@sprint.demo", self.program)
        liaison.college = self.colleges[0]
        db.session.commit()
        self._interviews()

    def counts(self) -> dict[str, int]:
        def count(model) -> int:
            return db.session.scalar(db.select(db.func.count()).select_from(model))

        students = db.session.scalar(db.select(db.func.count(User.id)).where(User.role == Role.STUDENT))
        return {
            "colleges": count(College),
            "host companies": count(HostCompany),
            "students": students,
            "positions": count(Position),
            "placements": count(Placement),
        }

    # people and organisations -------------------------------------------------------------

    def _user(self, role: Role, name: str, email: str | None = None, program: Program | None = None) -> User:
        self.n_users += 1
        user = User(
            email=email or f"{name.lower().replace(' ', '.')}.{self.n_users}@students.sprint.demo",
            name=name,
            role=role,
            program=program if role != Role.ADMIN else None,
            password_hash=self.password_hash,
        )
        db.session.add(user)
        return user

    def _colleges(self) -> list[College]:
        existing = {(c.name, c.state): c for c in db.session.scalars(db.select(College))}
        colleges = []
        for name, town, state, kind in facts.COLLEGES:
            college = existing.get((name, state)) or College(name=name, town=town, state=state, kind=kind)
            db.session.add(college)
            colleges.append(college)
        return colleges

    def _hosts(self) -> list[HostCompany]:
        hosts = [
            HostCompany(
                program=self.program,
                name=name,
                sector=sector,
                site_town=town,
                size=size,
                approved=name != "Tweed Lab Automation",  # one awaits approval
                description=f"{name} is a {sector.lower()} company in {town}, Connecticut.",
            )
            for name, sector, town, size in facts.HOSTS
        ]
        db.session.add_all(hosts)
        self.popularity = {host.name: self.rng.paretovariate(1.6) for host in hosts}
        return hosts

    def _staff(self) -> None:
        self._user(Role.ADMIN, "Avery Admin", "admin@sprint.demo")
        self.coordinator = self._user(Role.COORDINATOR, "Casey Coordinator", "coordinator@sprint.demo", self.program)
        owner = self._user(Role.HOST, "Harper Host", "host@sprint.demo", self.program)
        member = self._user(Role.HOST, "Morgan Member", "member@sprint.demo", self.program)
        db.session.add_all(
            [
                HostMember(host=self.hosts[0], user=owner, role="owner"),
                HostMember(host=self.hosts[0], user=member, role="member"),
            ]
        )
        for host in self.hosts[1:]:
            contact = self._user(
                Role.HOST,
                f"{self.rng.choice(facts.FIRST_NAMES)} {self.rng.choice(facts.LAST_NAMES)}",
                f"hiring@{host.name.lower().replace(' ', '-')}.demo",
                self.program,
            )
            db.session.add(HostMember(host=host, user=contact, role="owner"))

    def _new_student(self, name: str | None = None, email: str | None = None, year: int = CURRENT_YEAR) -> User:
        rng = self.rng
        name = name or f"{rng.choice(facts.FIRST_NAMES)} {rng.choice(facts.LAST_NAMES)}"
        user = self._user(Role.STUDENT, name, email, self.program)
        college = self.colleges[min(int(rng.expovariate(1 / 18)), len(self.colleges) - 1)]
        community = college.kind == "community"
        profile = StudentProfile(
            user=user,
            college=college,
            major=rng.choice(facts.MAJORS),
            class_year=year + rng.choice([0, 1, 1, 2, 2, 3]),
            phone=f"203-555-{rng.randrange(10000):04d}",
            home_town=college.town,
            work_authorized=True,
            age_confirmed=True,
            skills=[self.skills[s] for s in rng.sample(facts.SKILLS, rng.randint(3, 7))],
            first_generation=rng.random() < (0.5 if community else 0.3) if rng.random() < 0.85 else None,
            pell_eligible=rng.random() < (0.55 if community else 0.35) if rng.random() < 0.8 else None,
            cc_transfer=(not community and rng.random() < 0.12) if rng.random() < 0.8 else None,
            gender=rng.choice(facts.GENDERS) if rng.random() < 0.9 else None,
            race_ethnicity=[rng.choice(facts.RACE_ETHNICITY)] if rng.random() < 0.85 else None,
        )
        db.session.add(profile)
        self.students.append(user)
        return user

    # seasons -----------------------------------------------------------------------------------

    def _season(self, year: int, phase: Phase) -> Season:
        def local(*when: int) -> datetime:  # the program's coordinator types Connecticut time
            return to_utc(datetime(*when), zone(self.program.time_zone))

        season = Season(
            program=self.program,
            year=year,
            name=f"Summer {year}",
            phase=phase,
            applications_open_at=local(year - 1, 11, 1, 9),
            applications_close_at=local(year, 2, 15, 23, 59),
            ranking_close_at=local(year, 3, 15, 23, 59),
            match_published_at=local(year, 3, 22, 12),
            offer_deadline_at=local(year, 4, 5, 23, 59),
        )
        db.session.add(season)
        return season

    def _positions(self, season: Season) -> list[Position]:
        rng, positions = self.rng, []
        for host in self.hosts:
            for template in rng.sample(facts.POSITIONS, rng.randint(1, 3)):
                title, team, required, preferred = template
                start = date(season.year, 6, 1) + timedelta(days=rng.choice([0, 7, 14]))
                position = Position(
                    host=host,
                    season=season,
                    title=title,
                    team=team,
                    slots=rng.choice([1, 2, 2, 3, 3, 4]),
                    hourly_pay=Decimal(rng.randrange(1800, 3001, 25)) / 100 + (season.year - 2024),
                    hours_per_week=rng.choice([32, 35, 40, 40]),
                    start_date=start,
                    end_date=start + timedelta(weeks=rng.choice([10, 10, 12])),
                    site_town=host.site_town,
                    work_mode=rng.choice([WorkMode.ONSITE] * 3 + [WorkMode.HYBRID, WorkMode.REMOTE]),
                    housing_help=rng.random() < 0.25,
                    description=f"Join the {team.lower()} team at {host.name} for a paid summer. {title} "
                    f"interns work on a real project with a mentor and present it in August.",
                    status="open" if host.approved else "draft",
                )
                position.skill_links = [PositionSkill(skill=self.skills[s], required=True) for s in required] + [
                    PositionSkill(skill=self.skills[s], required=False) for s in preferred
                ]
                positions.append(position)
        db.session.add_all(positions)
        return positions

    def _market(self, season: Season, students: list[User], positions: list[Position], certified_share: float) -> None:
        """Applications, both sides' rank lists, certified by most."""
        rng = self.rng
        open_positions = [p for p in positions if p.status == "open"]
        weights = [self.popularity[p.host.name] for p in open_positions]
        applicants: dict[int, list[User]] = {id(p): [] for p in open_positions}
        for student in students:
            chosen = list(dict.fromkeys(rng.choices(open_positions, weights, k=rng.randint(4, 9))))
            certified = rng.random() < certified_share
            application = Application(
                season=season,
                student=student,
                status=ApplicationStatus.SUBMITTED if certified or rng.random() < 0.5 else ApplicationStatus.STARTED,
            )
            days_open = (min(season.ranking_close_at, DEMO_NOW) - season.applications_open_at).days
            application.submitted_at = (
                season.applications_open_at + timedelta(days=rng.randint(5, min(100, days_open)))
                if application.status == ApplicationStatus.SUBMITTED
                else None
            )
            application.ranks_certified_at = application.submitted_at if certified else None
            application.interests = [PositionInterest(position=p, statement=_statement(p)) for p in chosen]
            application.ranks = [StudentRank(position=p, rank=i) for i, p in enumerate(chosen, 1)]
            db.session.add(application)
            for position in chosen:
                applicants[id(position)].append(student)
        for position in open_positions:
            pool = applicants[id(position)]
            ranked = rng.sample(pool, int(len(pool) * rng.uniform(0.7, 1.0)))
            tier_size = max(1, len(ranked) // rng.choice([3, 4, 8, 50]))
            db.session.add_all(
                HostRank(position=position, student=student, rank=1 + i // tier_size)
                for i, student in enumerate(ranked)
            )
            if rng.random() < certified_share:
                certified_by = min(season.ranking_close_at, DEMO_NOW)
                position.ranks_certified_at = certified_by - timedelta(days=rng.randint(1, 20))

    def _past_season(self, year: int, applicants: int) -> None:
        season = self._season(year, Phase.MATCHING)  # closed once its match is published
        positions = self._positions(season)
        returning = [s for s in self.students if self.rng.random() < 0.08]
        with db.session.no_autoflush:
            students = returning + [self._new_student(year=year) for _ in range(applicants - len(returning))]
            self._market(season, students, positions, certified_share=1.0)
        db.session.flush()
        run = match_runs.create_run(self.coordinator, season, MatchMode.STABLE, seed=year, label=f"Main match {year}")
        run_queue.execute_run(run)
        match_runs.publish_run(self.coordinator, run)
        for placement in match_runs.offers_of(run):
            self._outcome(placement, year)
        db.session.flush()
        student_outcomes.add_returned(season)  # the students back from an earlier summer
        season.phase = Phase.CLOSED

    def _outcome(self, placement: Placement, year: int) -> None:
        roll = self.rng.random()
        placement.responded_at = placement.offered_at + timedelta(days=self.rng.randint(1, 10))
        if roll < 0.06:
            placement.status = PlacementStatus.DECLINED
        elif roll < 0.09:
            placement.status = PlacementStatus.WITHDRAWN
        else:
            placement.status = PlacementStatus.COMPLETED
            position = placement.position  # the whole internship, as its host confirmed it
            placement.started_on, placement.ended_on = position.start_date, position.end_date
            placement.hours_worked = position.hours_per_week * ((position.end_date - position.start_date).days // 7)
            placement.outcome = (
                Outcome.HIRED
                if roll > 0.86
                else Outcome.RETURNED
                if roll > 0.78
                else Outcome.CONTINUING_STUDY
                if roll > 0.6
                else Outcome.NONE
            )
            kind = {  # the recorded outcome the dashboards read (placement.outcome is kept as it was)
                Outcome.HIRED: OutcomeKind.HIRED_BY_HOST,
                Outcome.RETURNED: OutcomeKind.HIRED_IN_SECTOR,
                Outcome.CONTINUING_STUDY: OutcomeKind.CONTINUING_EDUCATION,
            }.get(placement.outcome)
            if kind is not None:
                hired = kind in (OutcomeKind.HIRED_BY_HOST, OutcomeKind.HIRED_IN_SECTOR)
                db.session.add(
                    StudentOutcome(
                        program_id=self.program.id,
                        student_id=placement.student_id,
                        season_id=placement.season_id,
                        placement=placement,
                        kind=kind,
                        occurred_on=date(year, 9, 1),
                        hourly_wage=placement.position.hourly_pay + 2 if hired else None,
                        employer=placement.position.host.name if kind == OutcomeKind.HIRED_BY_HOST else "",
                        source=OutcomeSource.FORM,
                        recorded_by=self.coordinator,
                    )
                )

    def _current_season(self) -> None:
        season = self._season(CURRENT_YEAR, Phase.APPLICATIONS)
        positions = self._positions(season)
        demo_student = self._new_student("Reva Student", "student@sprint.demo")
        newcomer = self._user(Role.STUDENT, "Noor Newcomer", "newstudent@sprint.demo", self.program)
        db.session.add(StudentProfile(user=newcomer))  # a first visit: nothing filled in, nothing applied to
        returning = [s for s in self.students[:-1] if self.rng.random() < 0.05]
        students = [demo_student] + returning + [self._new_student() for _ in range(CURRENT_APPLICANTS)]
        for student in students:
            _give_resume(student)
        self._market(season, students, positions, certified_share=0.85)
        self._message_threads(season, demo_student)

    def _message_threads(self, season: Season, demo_student: User) -> None:
        """Two conversations: the demo student's about their first application (the host's answer waits
        unread for them), and another applicant's question to the demo host's team (waiting for them)."""
        db.session.flush()
        in_season = (
            db.select(PositionInterest)
            .join(Position, Position.id == PositionInterest.position_id)
            .join(Application, Application.id == PositionInterest.application_id)
            .where(Position.season_id == season.id)
            .order_by(PositionInterest.id)
        )
        ours = db.session.scalars(in_season.where(Application.student_id == demo_student.id).limit(1)).all()
        theirs = db.session.scalars(
            in_season.where(Position.host_id == self.hosts[0].id, Application.student_id != demo_student.id).limit(1)
        ).all()
        talks = [
            (
                ours,
                [
                    "Hello! Is the lab reachable by bus from downtown New Haven?",
                    "Yes: the 212 stops at our door, and we reimburse the fare.",
                ],
            ),
            (theirs, ["Could I visit the lab before the summer starts?"]),
        ]
        now = utcnow()
        for found, lines in talks:
            for interest in found:
                student = interest.application.student
                member = interest.position.host.members[0].user
                thread = MessageThread(interest=interest, program_id=self.program.id, created_at=now)
                for n, text in enumerate(lines):
                    at = now - timedelta(hours=len(lines) - n)
                    thread.messages.append(
                        Message(
                            author=member if n % 2 else student,
                            from_host=bool(n % 2),
                            body=text,
                            created_at=at,
                            notified_at=at,
                        )
                    )
                thread.last_message_at = thread.messages[-1].created_at
                db.session.add(thread)
                db.session.flush()
                last = thread.messages[-1]
                db.session.add(ThreadRead(thread_id=thread.id, user_id=last.author.id, last_read_id=last.id))

    def _interviews(self) -> None:
        """The demo host's busiest current position: Tuesday and Thursday afternoon slots in January,
        six applicants invited and three booked, so the outbox holds calendar invitations (.ics), and a
        first round already held (done, no-show)."""
        season = db.session.scalar(
            db.select(Season).where(Season.program_id == self.program.id, Season.year == CURRENT_YEAR)
        )
        owner = db.session.scalar(db.select(User).where(User.email == "host@sprint.demo"))
        busiest = db.session.execute(
            db.select(Position.id, db.func.count(PositionInterest.id))
            .join(PositionInterest, PositionInterest.position_id == Position.id)
            .join(Application, Application.id == PositionInterest.application_id)
            .where(
                Position.host_id == owner.membership.host_id,
                Position.season_id == season.id,
                Application.status == ApplicationStatus.SUBMITTED,
            )
            .group_by(Position.id)
            .order_by(db.func.count(PositionInterest.id).desc(), Position.id)
        ).first()
        if busiest is None:
            return
        position = db.session.get(Position, busiest[0])
        before = DEMO_NOW - timedelta(hours=17)
        details = interviews.SlotDetails(
            30, "video", link="https://meet.sprint.demo/interviews", interviewer="Harper Host"
        )
        slots = interviews.add_series(
            owner,
            position,
            date(CURRENT_YEAR, 1, 12),
            date(CURRENT_YEAR, 1, 28),
            [1, 3],
            datetime_time(13),
            datetime_time(16),
            details,
            now=before,
        )
        applicants = sorted(student.id for student, _ in rankings.candidates(position))[:6]
        interviews.invite(owner, position, set(applicants), now=before)
        for n, student_id in enumerate(applicants[:3]):
            _book(position, student_id, slots[n * 7], before)
        self._first_round(owner, position, applicants, before)
        self._demo_student_invited(season, before)

    def _first_round(self, owner: User, position: Position, invited: list[int], before: datetime) -> None:
        """Two weeks before the demo's now, a first round on site: three more applicants interviewed,
        two done and one a no-show, so the rank page shows interview results beside the bookings."""
        booked_on = before - timedelta(days=30)
        address = f"{position.host.name}, {position.site_town or 'New Haven'}, reception"
        details = interviews.SlotDetails(30, "onsite", address=address)
        held = interviews.add_series(
            owner,
            position,
            date(CURRENT_YEAR - 1, 11, 17),
            date(CURRENT_YEAR - 1, 11, 19),
            [1, 3],
            datetime_time(10),
            datetime_time(11, 30),
            details,
            now=booked_on,
        )
        others = [student.id for student, _ in rankings.candidates(position) if student.id not in invited]
        first_round = sorted(others)[:3]
        interviews.invite(owner, position, set(first_round), now=booked_on)
        for n, student_id in enumerate(first_round):
            interview = _book(position, student_id, held[n * 2], booked_on)
            interviews.mark(owner, interview, "no_show" if n == 2 else "done", now=before)

    def _demo_student_invited(self, season: Season, before: datetime) -> None:
        """The demo student is invited, not yet booked, by the host of their first application, so their
        Interviews page (in English or Spanish) has times to choose from."""
        student = db.session.scalar(db.select(User).where(User.email == "student@sprint.demo"))
        position = db.session.scalar(
            db.select(Position)
            .join(PositionInterest, PositionInterest.position_id == Position.id)
            .join(Application, Application.id == PositionInterest.application_id)
            .where(Application.student_id == student.id, Application.season_id == season.id)
            .order_by(PositionInterest.id)
            .limit(1)
        )
        member = position and db.session.scalar(
            db.select(User)
            .join(HostMember, HostMember.user_id == User.id)
            .where(HostMember.host_id == position.host_id)
        )
        if member is None:
            return
        details = interviews.SlotDetails(30, "onsite", address=f"{position.site_town or 'New Haven'}, front desk")
        interviews.add_series(
            member,
            position,
            date(CURRENT_YEAR, 1, 13),
            date(CURRENT_YEAR, 1, 20),
            [2],
            datetime_time(10),
            datetime_time(12),
            details,
            now=before,
        )
        interviews.invite(member, position, {student.id}, now=before)

    def _other_program(self) -> None:
        """A second partnership on the same installation, to show that programs see only their own data."""
        other = Program(
            slug="eastern-mfg",
            name="Eastern CT Manufacturing Internships",
            region="Eastern Connecticut manufacturing partnership",
        )
        db.session.add(other)
        self._user(Role.COORDINATOR, "Emery Eastern", "coordinator@eastern.demo", other)
        db.session.add(Season(program=other, year=CURRENT_YEAR, name=f"Summer {CURRENT_YEAR}", phase=Phase.DRAFT))
        db.session.add(
            HostCompany(
                program=other,
                name="Thames Precision Machining",
                sector="Manufacturing",
                site_town="Norwich",
                size="medium",
                approved=True,
            )
        )


def _give_resume(student: User) -> None:
    """A one-page PDF résumé for a demo applicant, stored like an uploaded one."""
    profile = student.profile
    lines = [
        student.name,
        f"{profile.major}, {profile.college.name}, class of {profile.class_year}",
        "Skills: " + ", ".join(skill.name for skill in profile.skills),
        student.email,
    ]
    stored = f"demo-{secrets.token_hex(12)}.pdf"
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "resumes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored).write_bytes(one_page_pdf(lines))
    profile.resume_file, profile.resume_name = stored, f"{student.name.replace(' ', '_')}_resume.pdf"
    profile.resume_uploaded_at = datetime(CURRENT_YEAR - 1, 12, 1, 12)


def one_page_pdf(lines: list[str]) -> bytes:
    """A minimal valid PDF with the lines in Helvetica (Latin-1 text only)."""

    def escape(text: str) -> str:
        return (
            text.encode("latin-1", "replace")
            .decode("latin-1")
            .replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
        )

    text = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({escape(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _book(position: Position, student_id: int, slot, now: datetime) -> Interview:
    """The invited student books this slot of the position (as of the demo's `now`)."""
    interview = db.session.scalar(
        db.select(Interview).where(Interview.position_id == position.id, Interview.student_id == student_id)
    )
    return interviews.book(db.session.get(User, student_id), interview, slot, now=now)


def _statement(position: Position) -> str:
    return f"I would like to build my skills in {position.team.lower()} at {position.host.name}."
