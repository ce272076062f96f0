"""Build the load-test data: the demo program with its current season scaled to 5,000 students and 300 hosts.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/sprint_load \
    SPRINT_INSTANCE_PATH=/tmp/sprint-load-inst .venv/bin/python benchmarks/load/build_data.py

The database must already be migrated (`sprint setup-db`). The script loads the ordinary demo
(`sprint.services.demo.load_demo`: three closed summers, Summer 2027 with ~320 applicants and 30
hosts), then adds hosts, their owners, positions, students, profiles, applications, interests and
both sides' rank lists to Summer 2027 with SQLAlchemy Core `insert()` executemany, reusing the
models' tables. Ids are assigned here (PostgreSQL sequences are moved past them at the end), so no
row needs a round trip. Every account shares the demo password.

Accounts the locust file logs in as (the numbers start at 1):
    load.student.<n>@students.sprint.demo     n <= the "students" figure printed at the end
    hiring@load-host-<n>.demo                 owner of "Load host <n> ..." (n <= "hosts")
    load.coordinator.<n>@sprint.demo          coordinators of the demo program (n <= 10)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from sprint import create_app
from sprint.demo import facts, loader
from sprint.extensions import db
from sprint.models import (
    Application,
    College,
    HostCompany,
    HostMember,
    HostRank,
    Position,
    PositionInterest,
    PositionSkill,
    Program,
    Season,
    Skill,
    StudentProfile,
    StudentRank,
    User,
)
from sprint.models.people import student_skill

TARGET_STUDENTS = 5000
TARGET_HOSTS = 300
LOAD_COORDINATORS = 10
STUDENT_EMAIL = "load.student.{n}@students.sprint.demo"
HOST_EMAIL = "hiring@load-host-{n}.demo"
COORDINATOR_EMAIL = "load.coordinator.{n}@sprint.demo"
CERTIFIED_SHARE = 0.85
BATCH = 5000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=TARGET_STUDENTS, help="applicants in Summer 2027")
    parser.add_argument("--hosts", type=int, default=TARGET_HOSTS, help="host companies in the program")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--summary", help="write the figures as JSON to this file")
    parser.add_argument("--ranks", type=int, help="every new student lists exactly this many positions (else 4-9)")
    parser.add_argument("--certified", type=float, default=CERTIFIED_SHARE, help="share of certified lists")
    parser.add_argument("--positions-per-host", type=int, help="exactly this many positions a new host (else 1-3)")
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        summary = loader.load_demo()
        if (
            not summary.created
            and db.session.scalar(select(User.id).where(User.email == COORDINATOR_EMAIL.format(n=1))) is not None
        ):
            print("This database is already scaled; build_data needs a fresh one.", file=sys.stderr)
            return 2
        demo_seconds = time.perf_counter() - started
        scaler = _Scaler(random.Random(args.seed))
        scaler.ranks, scaler.certified, scaler.per_host = args.ranks, args.certified, args.positions_per_host
        figures = scaler.scale(args.students, args.hosts)
        figures["demo_seconds"] = round(demo_seconds, 1)
        figures["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, indent=2))
    if args.summary:
        with open(args.summary, "w") as out:
            json.dump(figures, out, indent=2)
    return 0


class _Scaler:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next_id: dict[str, int] = {}
        self.ranks: int | None = None  # exact list length (scale_bench: 10), else 4-9
        self.certified = CERTIFIED_SHARE
        self.per_host: int | None = None

    def _ids(self, model, count: int) -> range:
        """`count` fresh primary keys for `model`'s table (sequences are fixed up at the end)."""
        table = model.__table__
        start = self.next_id.get(table.name) or (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        self.next_id[table.name] = start + count
        return range(start, start + count)

    def scale(self, n_students: int, n_hosts: int) -> dict:
        session = db.session
        self.program = session.scalar(select(Program).where(Program.slug == loader.DEMO_SLUG))
        self.season = session.scalar(
            select(Season).where(Season.program_id == self.program.id, Season.year == loader.CURRENT_YEAR)
        )
        self.password_hash = session.scalar(select(User.password_hash).where(User.email == "student@sprint.demo"))
        self.colleges = list(session.execute(select(College.id, College.town, College.kind).order_by(College.id)))
        self.skills = {name: skill_id for name, skill_id in session.execute(select(Skill.name, Skill.id))}
        have_hosts = session.scalar(
            select(func.count()).select_from(HostCompany).where(HostCompany.program_id == self.program.id)
        )
        have_students = session.scalar(
            select(func.count()).select_from(Application).where(Application.season_id == self.season.id)
        )
        timings = {}
        step = time.perf_counter()
        self._coordinators()
        self._hosts(max(0, n_hosts - have_hosts))
        timings["hosts_seconds"] = round(time.perf_counter() - step, 1)
        step = time.perf_counter()
        students = self._students(max(0, n_students - have_students))
        timings["students_seconds"] = round(time.perf_counter() - step, 1)
        step = time.perf_counter()
        self._market(students)
        timings["market_seconds"] = round(time.perf_counter() - step, 1)
        self._fix_sequences()
        session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
        return {**self._counts(), **timings}

    def _insert(self, model_or_table, rows: list[dict]) -> None:
        table = getattr(model_or_table, "__table__", model_or_table)
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(table), rows[start : start + BATCH])

    # accounts and organisations -------------------------------------------------------------

    def _users(self, rows: list[tuple[str, str, str]]) -> list[int]:
        """Insert (email, name, role) users of the demo program; returns their ids."""
        ids = self._ids(User, len(rows))
        self._insert(
            User,
            [
                {
                    "id": uid,
                    "email": email,
                    "name": name,
                    "role": role,
                    "program_id": self.program.id,
                    "password_hash": self.password_hash,
                    "active": True,
                }
                for uid, (email, name, role) in zip(ids, rows)
            ],
        )
        return list(ids)

    def _name(self) -> str:
        return f"{self.rng.choice(facts.FIRST_NAMES)} {self.rng.choice(facts.LAST_NAMES)}"

    def _coordinators(self) -> None:
        self._users(
            [
                (COORDINATOR_EMAIL.format(n=n), f"Load Coordinator {n}", "coordinator")
                for n in range(1, LOAD_COORDINATORS + 1)
            ]
        )

    def _hosts(self, count: int) -> None:
        rng = self.rng
        host_ids = list(self._ids(HostCompany, count))
        hosts = []
        for n, host_id in enumerate(host_ids, 1):
            _, sector, town, size = rng.choice(facts.HOSTS)
            name = f"Load host {n} {sector}"
            hosts.append(
                {
                    "id": host_id,
                    "program_id": self.program.id,
                    "name": name,
                    "sector": sector,
                    "site_town": town,
                    "size": size,
                    "website": "",
                    "approved": True,
                    "description": f"{name} is a {sector.lower()} company in {town}, Connecticut.",
                }
            )
        self._insert(HostCompany, hosts)
        owners = self._users([(HOST_EMAIL.format(n=n), self._name(), "host") for n in range(1, count + 1)])
        self._insert(
            HostMember,
            [
                {"id": mid, "host_id": host["id"], "user_id": uid, "role": "owner"}
                for mid, host, uid in zip(self._ids(HostMember, count), hosts, owners)
            ],
        )
        positions, links = [], []
        for host in hosts:
            for title, team, required, preferred in rng.sample(facts.POSITIONS, self.per_host or rng.randint(1, 3)):
                start = date(self.season.year, 6, 1) + timedelta(days=rng.choice([0, 7, 14]))
                positions.append(
                    {
                        "host_id": host["id"],
                        "season_id": self.season.id,
                        "title": title,
                        "team": team,
                        "description": f"Join the {team.lower()} team at {host['name']} for a paid summer. {title} "
                        "interns work on a real project with a mentor and present it in August.",
                        "slots": rng.choice([1, 2, 2, 3, 3, 4]),
                        "hourly_pay": Decimal(rng.randrange(1800, 3001, 25)) / 100 + (self.season.year - 2024),
                        "hours_per_week": rng.choice([32, 35, 40, 40]),
                        "start_date": start,
                        "end_date": start + timedelta(weeks=rng.choice([10, 10, 12])),
                        "site_town": host["site_town"],
                        "work_mode": rng.choice(["onsite", "onsite", "onsite", "hybrid", "remote"]),
                        "housing_help": rng.random() < 0.25,
                        "status": "open",
                        "ranks_version": 0,
                    }
                )
                links.append([(self.skills[s], True) for s in required] + [(self.skills[s], False) for s in preferred])
        for pid, position in zip(self._ids(Position, len(positions)), positions):
            position["id"] = pid
        self._insert(Position, positions)
        self._insert(
            PositionSkill,
            [
                {"position_id": p["id"], "skill_id": sid, "required": req}
                for p, pairs in zip(positions, links)
                for sid, req in pairs
            ],
        )

    def _students(self, count: int) -> list[int]:
        rng = self.rng
        ids = self._users([(STUDENT_EMAIL.format(n=n), self._name(), "student") for n in range(1, count + 1)])
        profiles, skills = [], []
        skill_ids = list(self.skills.values())
        for pid, uid in zip(self._ids(StudentProfile, count), ids):
            college_id, town, kind = self.colleges[min(int(rng.expovariate(1 / 18)), len(self.colleges) - 1)]
            community = kind == "community"
            profiles.append(
                {
                    "id": pid,
                    "user_id": uid,
                    "college_id": college_id,
                    "major": rng.choice(facts.MAJORS),
                    "class_year": self.season.year + rng.choice([0, 1, 1, 2, 2, 3]),
                    "phone": f"203-555-{rng.randrange(10000):04d}",
                    "home_town": town,
                    "work_authorized": True,
                    "age_confirmed": True,
                    "first_generation": rng.random() < (0.5 if community else 0.3) if rng.random() < 0.85 else None,
                    "pell_eligible": rng.random() < (0.55 if community else 0.35) if rng.random() < 0.8 else None,
                    "cc_transfer": (not community and rng.random() < 0.12) if rng.random() < 0.8 else None,
                    "gender": rng.choice(facts.GENDERS) if rng.random() < 0.9 else None,
                    "race_ethnicity": [rng.choice(facts.RACE_ETHNICITY)] if rng.random() < 0.85 else None,
                }
            )
            skills.extend({"profile_id": pid, "skill_id": sid} for sid in rng.sample(skill_ids, rng.randint(3, 7)))
        self._insert(StudentProfile, profiles)
        self._insert(student_skill, skills)
        return ids

    # the market -------------------------------------------------------------------------------

    def _market(self, students: list[int]) -> None:
        """Applications, interests and student ranks for the new students; host ranks for their interests."""
        rng, season = self.rng, self.season
        open_positions = list(
            db.session.execute(
                select(Position.id, Position.title, Position.team, HostCompany.name)
                .join(HostCompany)
                .where(Position.season_id == season.id, Position.status == "open")
            )
        )
        popularity = {name: rng.paretovariate(1.6) for _, _, _, name in open_positions}
        weights = [popularity[name] for _, _, _, name in open_positions]
        applications, interests, ranks = [], [], []
        applicants: dict[int, list[int]] = {row[0]: [] for row in open_positions}
        most = max(self.ranks or 9, 9)
        interest_ids = iter(self._ids(PositionInterest, len(students) * most))
        rank_ids = iter(self._ids(StudentRank, len(students) * most))
        for app_id, student_id in zip(self._ids(Application, len(students)), students):
            chosen = list(dict.fromkeys(rng.choices(open_positions, weights, k=self.ranks or rng.randint(4, 9))))
            while self.ranks and len(chosen) < min(self.ranks, len(open_positions)):
                chosen = list(dict.fromkeys([*chosen, *rng.choices(open_positions, weights, k=self.ranks)]))[
                    : self.ranks
                ]
            certified = rng.random() < self.certified
            submitted = certified or rng.random() < 0.5
            submitted_at = season.applications_open_at + timedelta(days=rng.randint(5, 100)) if submitted else None
            applications.append(
                {
                    "id": app_id,
                    "season_id": season.id,
                    "student_id": student_id,
                    "status": "submitted" if submitted else "started",
                    "submitted_at": submitted_at,
                    "ranks_certified_at": submitted_at if certified else None,
                    "ranks_version": 0,
                }
            )
            for rank, (position_id, _, team, host_name) in enumerate(chosen, 1):
                interests.append(
                    {
                        "id": next(interest_ids),
                        "application_id": app_id,
                        "position_id": position_id,
                        "statement": f"I would like to build my skills in {team.lower()} at {host_name}.",
                    }
                )
                ranks.append({"id": next(rank_ids), "application_id": app_id, "position_id": position_id, "rank": rank})
                applicants[position_id].append(student_id)
        self._insert(Application, applications)
        self._insert(PositionInterest, interests)
        self._insert(StudentRank, ranks)
        existing = set(
            db.session.execute(
                select(HostRank.position_id, HostRank.student_id).join(Position).where(Position.season_id == season.id)
            )
        )
        host_ranks, certified_positions = [], []
        for position_id, pool in applicants.items():
            ranked = rng.sample(pool, int(len(pool) * rng.uniform(0.7, 1.0)))
            tier = max(1, len(ranked) // rng.choice([3, 4, 8, 50]))
            base = (
                1
                + db.session.scalar(
                    select(func.coalesce(func.max(HostRank.rank), 0)).where(HostRank.position_id == position_id)
                )
                if ranked
                else 1
            )
            host_ranks.extend(
                {"position_id": position_id, "student_id": sid, "rank": base + i // tier}
                for i, sid in enumerate(ranked)
                if (position_id, sid) not in existing
            )
            if rng.random() < self.certified:
                certified_positions.append(position_id)
        for rid, row in zip(self._ids(HostRank, len(host_ranks)), host_ranks):
            row["id"] = rid
        self._insert(HostRank, host_ranks)
        db.session.execute(
            Position.__table__.update()
            .where(Position.id.in_(certified_positions))
            .values(ranks_certified_at=season.ranking_close_at - timedelta(days=3))
        )

    def _fix_sequences(self) -> None:
        if db.engine.dialect.name != "postgresql":
            return
        for name in self.next_id:
            db.session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), (SELECT max(id) FROM \"{name}\"))")
            )

    def _counts(self) -> dict:
        def count(statement) -> int:
            return db.session.scalar(select(func.count()).select_from(statement.subquery()))

        season_id, program_id = self.season.id, self.program.id
        return {
            "database": db.engine.dialect.name,
            "season_id": season_id,
            "applicants": count(select(Application.id).where(Application.season_id == season_id)),
            "certified_applicants": count(
                select(Application.id).where(
                    Application.season_id == season_id, Application.ranks_certified_at.is_not(None)
                )
            ),
            "hosts": count(select(HostCompany.id).where(HostCompany.program_id == program_id)),
            "positions": count(select(Position.id).where(Position.season_id == season_id)),
            "interests": count(select(PositionInterest.id).join(Application).where(Application.season_id == season_id)),
            "host_ranks": count(select(HostRank.id).join(Position).where(Position.season_id == season_id)),
            "students": count(select(User.id).where(User.email.like("load.student.%"))),
            "load_hosts": count(select(User.id).where(User.email.like("hiring@load-host-%"))),
            "load_coordinators": LOAD_COORDINATORS,
        }


if __name__ == "__main__":
    raise SystemExit(main())
