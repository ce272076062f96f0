"""After the match, in real Chromium: a vacancy round, the summer, and an outcome.

The picture (one program, "Riverside"; round 1 is already published when the test starts):
- Quarry Bio offers "Assay Intern" (2 seats); round 1 placed Ava there (accepted) and Bo (declined), so
  one seat is open. Mill Labs offers "Data Intern" (1 seat), filled by Cy (accepted).
- Di applied in round 1 and was not matched.
- The coordinator opens a vacancy round (students who declined may not take part); Di applies to Assay
  Intern with a note; Quinn of Quarry Bio ranks Di; the window closes; the coordinator runs the round's
  match and publishes it; Di accepts the offer; Quinn confirms Di's start and end, and records that
  Quarry Bio hired Di; the coordinator sees it on Di's record. Ava's round-1 placement never moves.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from browser_support import log_in, screenshot
from playwright.sync_api import Page, expect

from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    HostCompany,
    HostMember,
    HostMemberRole,
    MatchRun,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    PositionInterest,
    Program,
    Role,
    RunStatus,
    Season,
    StudentOutcome,
    StudentProfile,
    StudentRank,
    User,
    VacancyRound,
    utcnow,
)

PASSWORD = "riverside after the match"
COORDINATOR, QUINN = "coordinator@riverside.example.org", "quinn@quarrybio.example.org"
AVA, BO, CY, DI = (f"{name}@students.example.org" for name in ("ava", "bo", "cy", "di"))
HERE = ZoneInfo("America/New_York")


def _user(role: Role, name: str, email: str, program: Program) -> User:
    user = User(email=email, name=name, role=role, program_id=program.id)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def _position(host: HostCompany, season: Season, title: str, slots: int) -> Position:
    today = utcnow().date()
    position = Position(
        host=host,
        season_id=season.id,
        title=title,
        slots=slots,
        description=f"{title} for the summer.",
        hourly_pay=Decimal("22.00"),
        hours_per_week=35,
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=60),
        site_town="Middletown",
    )
    db.session.add(position)
    return position


@pytest.fixture(scope="module")
def riverside(live_server):
    def build():
        program = Program(name="Riverside Internships", slug="riverside", region="Middletown")
        db.session.add(program)
        db.session.flush()
        now = utcnow()
        season = Season(
            program_id=program.id,
            year=now.year + 1,
            name="Riverside summer",
            phase=Phase.PUBLISHED,
            applications_open_at=now - timedelta(days=60),
            applications_close_at=now - timedelta(days=40),
            ranking_close_at=now - timedelta(days=30),
            match_published_at=now - timedelta(days=20),
            offer_deadline_at=now - timedelta(days=10),
        )
        db.session.add(season)
        coordinator = _user(Role.COORDINATOR, "Rita Coordinator", COORDINATOR, program)
        quarry = HostCompany(program_id=program.id, name="Quarry Bio", sector="Biotech", approved=True)
        mill = HostCompany(program_id=program.id, name="Mill Labs", sector="Biotech", approved=True)
        db.session.add_all([quarry, mill])
        quinn = _user(Role.HOST, "Quinn Quarry", QUINN, program)
        db.session.flush()
        db.session.add(HostMember(host_id=quarry.id, user_id=quinn.id, role=HostMemberRole.OWNER))
        assay, data = _position(quarry, season, "Assay Intern", 2), _position(mill, season, "Data Intern", 1)
        students = {
            email: _user(Role.STUDENT, name, email, program)
            for email, name in ((AVA, "Ava Accepted"), (BO, "Bo Declined"), (CY, "Cy Data"), (DI, "Di Unmatched"))
        }
        db.session.add_all(StudentProfile(user=student, major="Biology") for student in students.values())
        db.session.flush()
        for email, position in ((AVA, assay), (BO, assay), (CY, data), (DI, data)):
            application = Application(
                season_id=season.id,
                student_id=students[email].id,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now - timedelta(days=45),
                ranks_certified_at=now - timedelta(days=31),
            )
            application.interests = [PositionInterest(position_id=position.id, statement="Keen")]
            application.ranks = [StudentRank(position_id=position.id, rank=1)]
            db.session.add(application)
        run = MatchRun(
            season_id=season.id,
            round=1,
            status=RunStatus.DONE,
            created_by_id=coordinator.id,
            published_at=now - timedelta(days=20),
            published_by_id=coordinator.id,
        )
        db.session.add(run)
        db.session.flush()
        for email, position, status in (
            (AVA, assay, PlacementStatus.ACCEPTED),
            (BO, assay, PlacementStatus.DECLINED),
            (CY, data, PlacementStatus.ACCEPTED),
        ):
            db.session.add(
                Placement(
                    season_id=season.id,
                    run_id=run.id,
                    student_id=students[email].id,
                    position_id=position.id,
                    round=1,
                    status=status,
                    offered_at=now - timedelta(days=20),
                    responded_at=now - timedelta(days=15),
                )
            )
        db.session.commit()
        return {"season": season.id, "di": students[DI].id, "ava": students[AVA].id, "bo": students[BO].id}

    return live_server.run(build)


def _local(moment: datetime) -> str:
    """A datetime-local input's value in the program's zone."""
    return moment.astimezone(HERE).strftime("%Y-%m-%dT%H:%M")


def _placements(season_id: int) -> list[tuple[str, str, int, str]]:
    rows = db.session.execute(
        db.select(User.email, Position.title, Placement.round, Placement.status)
        .join(User, User.id == Placement.student_id)
        .join(Position, Position.id == Placement.position_id)
        .where(Placement.season_id == season_id)
    ).all()
    return sorted((email, title, rnd, str(status)) for email, title, rnd, status in rows)


def _close_window(season_id: int) -> None:
    """The window's end has come (the test cannot wait two days)."""
    round_ = db.session.scalar(db.select(VacancyRound).where(VacancyRound.season_id == season_id))
    round_.opens_at, round_.closes_at = utcnow() - timedelta(days=2), utcnow() - timedelta(minutes=1)
    db.session.commit()


def coordinator_opens_the_round(page: Page, season_id: int) -> None:
    log_in(page, COORDINATOR, PASSWORD)
    page.goto(f"/coordinator/runs/?season={season_id}")
    page.get_by_role("link", name=re.compile(r"^Open a vacancy round \(1 open seat\)")).click()
    expect(page.locator("h1")).to_contain_text("Open a vacancy round")
    now = datetime.now(HERE)
    page.get_by_label(re.compile("^Applications open")).fill(_local(now - timedelta(minutes=5)))
    page.get_by_label(re.compile("^Applications and host rankings close")).fill(_local(now + timedelta(days=2)))
    page.get_by_label("Applications per student").fill("2")
    page.get_by_label("Hours to answer an offer").fill("36")
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_text("Vacancy round 2 is open.")).to_be_visible()


def student_applies(page: Page) -> None:
    log_in(page, DI, PASSWORD)
    page.goto("/student/")
    expect(page.get_by_text("You can take part in vacancy round 2.")).to_be_visible()
    page.goto("/student/vacancy/")
    expect(page.get_by_text("Assay Intern")).to_be_visible()
    expect(page.get_by_text("Data Intern")).to_have_count(0)  # full: Cy holds its one seat
    page.get_by_label(re.compile("note", re.I)).fill("I ran assays in my biology lab course.")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("ol.list-group")).to_contain_text("Assay Intern")
    screenshot(page, "vacancy-student-applied")


def host_ranks(page: Page) -> None:
    log_in(page, QUINN, PASSWORD)
    page.goto("/company/vacancy/")
    page.get_by_role("link", name=re.compile(r"^Rank and invite\s*: Assay Intern")).click()
    expect(page.get_by_text("Note: I ran assays in my biology lab course.")).to_be_visible()
    page.get_by_label(re.compile("^Rank of Di Unmatched")).fill("1")
    page.get_by_role("button", name="Save the list").click()
    expect(page.get_by_label(re.compile("^Rank of Di Unmatched"))).to_have_value("1")


def coordinator_runs_and_publishes(page: Page) -> None:
    page.goto("/coordinator/runs/")
    page.get_by_role("link", name=re.compile("^Round 2")).first.click()
    page.get_by_role("link", name="Run the round's match").click()
    page.get_by_role("button", name="Start the run").click()
    expect(page.get_by_text(re.compile("done", re.I)).first).to_be_visible(timeout=30_000)
    page.reload()
    page.get_by_role("link", name=re.compile("^Publish round 2")).click()
    page.get_by_role("button", name=re.compile("^Publish and send 1 student email")).click()
    expect(page.get_by_text("published").first).to_be_visible()


def test_a_vacancy_round_fills_the_declined_seat_and_the_summer_ends_in_a_hire(live_server, riverside, context_for):
    season_id = riverside["season"]
    coordinator, di, quinn = (context_for().new_page() for _ in range(3))

    coordinator_opens_the_round(coordinator, season_id)
    student_applies(di)
    host_ranks(quinn)
    live_server.run(lambda: _close_window(season_id))
    coordinator_runs_and_publishes(coordinator)

    assert live_server.run(lambda: _placements(season_id)) == [
        (AVA, "Assay Intern", 1, "accepted"),  # round 1's accepted placements never move
        (BO, "Assay Intern", 1, "declined"),
        (CY, "Data Intern", 1, "accepted"),
        (DI, "Assay Intern", 2, "offered"),
    ]
    deadline = live_server.run(
        lambda: db.session.scalar(db.select(Placement.response_deadline).where(Placement.student_id == riverside["di"]))
    )
    assert timedelta(hours=35) < deadline - utcnow() <= timedelta(hours=36)  # the round's own offer hours

    di.goto("/student/")
    expect(di.get_by_text("You matched with")).to_contain_text("Assay Intern")
    di.get_by_role("link", name="Accept the offer…").click()
    di.get_by_role("button", name="Accept the offer").click()
    expect(di.get_by_text("Congratulations! You accepted the offer.")).to_be_visible()

    # The summer: Quinn confirms the start and the end, then records the hire.
    quinn.goto("/company/results")
    quinn.get_by_role("link", name="Di Unmatched").click()
    today = datetime.now(HERE).date().isoformat()  # the program's date: after 7 pm in winter UTC is a day ahead
    quinn.get_by_label("Start date").fill(today)
    quinn.get_by_role("button", name="Confirm the start").click()
    expect(quinn.get_by_text(re.compile("started", re.I)).first).to_be_visible()
    quinn.get_by_label("How it ended").select_option("completed")
    quinn.get_by_label("Last day").fill(today)
    quinn.get_by_label("Hours worked in all (optional)").fill("280")
    quinn.get_by_role("button", name="Confirm the end").click()
    expect(quinn.get_by_text(re.compile("completed", re.I)).first).to_be_visible()
    screenshot(quinn, "summer-host-intern")
    quinn.goto("/company/results")
    row = quinn.locator("tr", has_text="Di Unmatched")
    row.locator("summary", has_text="Record a hire or a return offer").click()
    row.get_by_label("Outcome").select_option("hired_by_host")
    row.get_by_label("Hourly wage ($)").fill("25.50")
    row.get_by_role("button", name="Record").click()

    outcome = live_server.run(
        lambda: db.session.execute(
            db.select(StudentOutcome.kind, StudentOutcome.hourly_wage).where(
                StudentOutcome.student_id == riverside["di"]
            )
        ).all()
    )
    assert [(kind, wage) for kind, wage in outcome] == [("hired_by_host", Decimal("25.50"))]
    coordinator.goto(f"/coordinator/students/{riverside['di']}")
    expect(coordinator.get_by_text("Hired by the host", exact=False).first).to_be_visible()
    expect(coordinator.get_by_text("280 hours worked")).to_be_visible()
    screenshot(coordinator, "student-record-after-summer")


def test_the_pages_after_the_match_pass_axe_and_fit_a_phone(live_server, riverside, context_for) -> None:
    """Every page of the walk above, for each role, as it stands after it: no serious or critical axe
    finding, and nothing scrolls sideways at 390 px."""
    from test_accessibility import audit
    from test_phone_width import PHONE, overflow

    def found():
        round_ = db.session.scalar(db.select(VacancyRound).where(VacancyRound.season_id == riverside["season"]))
        placement = db.session.scalar(db.select(Placement.id).where(Placement.student_id == riverside["di"]))
        return (round_.id if round_ else None), placement

    round_id, placement_id = live_server.run(found)
    assert round_id is not None, "run the walk first (it builds the round these pages show)"
    pages = {
        DI: ["/student/", "/student/vacancy/", f"/student/internships/{placement_id}"],
        QUINN: ["/company/vacancy/", "/company/results", f"/company/interns/{placement_id}"],
        COORDINATOR: [
            f"/coordinator/vacancy-rounds/{round_id}",
            f"/coordinator/vacancy-rounds/seasons/{riverside['season']}/new",
            f"/coordinator/runs/seasons/{riverside['season']}/summer",
            f"/coordinator/students/{riverside['di']}",
            f"/dashboards/report?seasons={live_server.run(lambda: db.session.get(Season, riverside['season']).year)}",
        ],
    }
    problems = []
    for email, paths in pages.items():
        page = context_for().new_page()
        log_in(page, email, PASSWORD)
        page.set_viewport_size(PHONE)  # after logging in: at phone width the menu folds away
        for path in paths:
            problems += audit(page, path)
            wide = overflow(page, path)
            if wide:
                problems.append(wide)
    assert problems == [], "\n".join(problems)
