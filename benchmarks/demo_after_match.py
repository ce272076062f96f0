"""The demo season after its match: round 1 published, some declines, then the two ways to fill the
seats left (the re-run on round-1 lists, and a vacancy round on new applications), then the summer
(hosts confirm starts and ends) and the outcomes, and the funder report's figures from all of it.

    .venv/bin/python benchmarks/demo_after_match.py [--declines 0.15] [--seed 7]

It runs on a throwaway SQLite file with the ordinary demo (`sprint seed-demo`'s data) and the app's
own services, as the pages call them; what people do is simulated and stated here:
- round 1 uses the demo's rank lists as they are (some students and hosts never certified theirs);
- each offer is declined with probability --declines, else accepted;
- in the vacancy round every eligible student applies to the three open positions whose skills fit
  them best (a random order among equals), and each host ranks the best-fitting 80% of its
  applicants, two to a tier (ties);
- in the summer, 8% of internships end early, the rest complete; 20% of completers are hired
  by their host at $2 an hour over their intern pay.
It prints seats open before and after each way, and the funder report's headline figures.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sprint import create_app
from sprint.demo.loader import DEMO_SLUG, load_demo
from sprint.extensions import db
from sprint.models import (
    Application,
    EndReason,
    HostMember,
    MatchAssignment,
    OutcomeKind,
    Phase,
    Placement,
    PlacementStatus,
    Program,
    Role,
    Season,
    StudentOutcome,
    User,
    utcnow,
)
from sprint.services.dashboards import funder
from sprint.services.dashboards.common import DashboardFilters
from sprint.services.market import offers, skills
from sprint.services.matching import (
    match_runs,
    second_round,
    vacancy_hosts,
    vacancy_rounds,
    vacancy_students,
)
from sprint.services.summer import lifecycle


def _app(folder: Path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "demo-after-match-" + "x" * 32,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite'}",
            "QUEUE_URL": "immediate",
            "RUNS_INLINE": True,
            "RUN_IN_WEB": False,
            "MAIL_BACKEND": "locmem",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "SERVER_NAME": "sprint.test",
            "RATELIMIT_ENABLED": False,
        }
    )


def main(argv: list[str] | None = None) -> int:
    logging.getLogger("huey").setLevel(logging.WARNING)  # the immediate queue logs every email it sends
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declines", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder, _app(Path(folder)).app_context():
        db.create_all()
        load_demo()
        program = db.session.scalar(db.select(Program).where(Program.slug == DEMO_SLUG))
        season = db.session.scalar(
            db.select(Season).where(Season.program_id == program.id).order_by(Season.year.desc())
        )
        coordinator = db.session.scalar(
            db.select(User).where(User.program_id == program.id, User.role == Role.COORDINATOR).order_by(User.id)
        )
        season.phase = Phase.MATCHING
        db.session.commit()
        run = match_runs.start_run(coordinator, season, match_runs.RunSettings(seed=1), inline=True)
        match_runs.publish_run(coordinator, run)
        round_one = match_runs.offers_of(run)
        for placement in round_one:
            accept = rng.random() >= args.declines
            offers.respond(placement.student, placement, accept=accept, reason="" if accept else "Took another offer")
        print(f"Round 1: {len(round_one)} offers, {sum(p.status == 'declined' for p in round_one)} declined")
        open_before = second_round.open_seats(season)
        print(f"Seats open after round 1 and its declines: {open_before}")

        rerun = second_round.start_second_round(coordinator, season, match_runs.RunSettings(seed=2))
        rerun_filled = db.session.scalar(db.select(db.func.count()).where(MatchAssignment.run_id == rerun.id))
        print(f"The re-run on round-1 lists (not published) would fill {rerun_filled} of {open_before}")

        now = utcnow()
        vacancy = vacancy_rounds.open_round(
            coordinator,
            season,
            vacancy_rounds.RoundSettings(now - timedelta(minutes=5), now + timedelta(days=2), 3, True, 48),
        )
        eligible = vacancy_rounds.eligible_students(vacancy)
        positions = vacancy_rounds.open_positions(season)
        applied = 0
        for student in eligible:
            mine = set(student.profile.skill_names) if student.profile else set()

            def fit(entry, mine=mine):
                position = entry.position
                return skills.match_score(mine, position.required_skills, position.preferred_skills) or 0

            for entry in sorted(positions, key=lambda e: (-fit(e), rng.random()))[:3]:
                vacancy_students.apply(student, vacancy, entry.position, "")
                applied += 1
        for entry in positions:
            people = sorted(vacancy_hosts.applicants(vacancy, entry.position), key=lambda a: -(a.score or 0))
            member = db.session.scalar(
                db.select(User)
                .join(HostMember, HostMember.user_id == User.id)
                .where(HostMember.host_id == entry.position.host_id)
            )
            if people and member is not None:
                chosen = people[: int(len(people) * 0.8) + 1]
                ranks = {a.student.id: str(1 + i // 2) for i, a in enumerate(chosen)}
                vacancy_hosts.save_ranks(member, vacancy, entry.position, ranks)
        vacancy.opens_at, vacancy.closes_at = now - timedelta(days=3), now - timedelta(minutes=1)
        db.session.commit()
        started = time.perf_counter()
        vacancy_run = vacancy_rounds.start_round_run(coordinator, vacancy, match_runs.RunSettings(seed=3))
        offered = match_runs.publish_run(coordinator, db.session.get(type(vacancy_run), vacancy_run.id))
        print(
            f"Vacancy round: {len(eligible)} eligible students, {applied} applications to {len(positions)} positions;"
            f" {offered} offers ({time.perf_counter() - started:.1f} s to run and publish)"
        )
        for placement in db.session.scalars(
            db.select(Placement).where(Placement.run_id == vacancy_run.id).order_by(Placement.id)
        ):
            offers.respond(placement.student, placement, accept=True)
        print(f"Seats open after the vacancy round (all its offers accepted): {second_round.open_seats(season)}")

        _summer(season, coordinator, rng)
        report = funder.season_report(program, DashboardFilters(years=(season.year,)))
        print("Funder report:", "; ".join(f"{label} {value}" for label, value, _ in report.figures))
    return 0


def _summer(season: Season, coordinator: User, rng: random.Random) -> None:
    """Hosts confirm each accepted internship's start, then its end; some are hired after it."""
    accepted = db.session.scalars(
        db.select(Placement)
        .where(Placement.season_id == season.id, Placement.status == PlacementStatus.ACCEPTED)
        .order_by(Placement.id)
    ).all()
    today = utcnow().date()
    ended_early = hired = 0
    for placement in accepted:
        # the offers were published today, so the summer happens today in this simulation
        lifecycle.confirm_start(coordinator, placement, today)
        if rng.random() < 0.08:
            lifecycle.confirm_end(
                coordinator, placement, PlacementStatus.ENDED_EARLY, today, 120, EndReason.HEALTH_OR_FAMILY
            )
            ended_early += 1
            continue
        lifecycle.confirm_end(coordinator, placement, PlacementStatus.COMPLETED, today, 400)
        if rng.random() < 0.2:
            hired += 1
            db.session.add(
                StudentOutcome(
                    program_id=season.program_id,
                    student_id=placement.student_id,
                    season_id=season.id,
                    placement_id=placement.id,
                    kind=OutcomeKind.HIRED_BY_HOST,
                    occurred_on=today,
                    hourly_wage=placement.position.hourly_pay + Decimal(2),
                    recorded_by_id=coordinator.id,
                )
            )
    db.session.commit()
    enrolled = db.session.scalar(db.select(db.func.count()).where(Application.season_id == season.id))
    print(
        f"Summer: {len(accepted)} internships started, {ended_early} ended early,"
        f" {len(accepted) - ended_early} completed, {hired} hired by their host ({enrolled} applications)"
    )


if __name__ == "__main__":
    sys.exit(main())
