"""A whole season in real Chromium, through the pages people use.

The picture (one program, "Shoreline"):
- the coordinator creates Summer 2027 and opens applications;
- Harbor Labs already offers "Bench Assistant" and "Field Technician" (background data, 1 seat each);
- a member of Elm City Robotics posts "Robotics Intern" (1 seat) through the form;
- Uma registers, fills her profile, uploads a résumé, applies to all three, ranks by dragging and by keyboard:
  Bench Assistant > Robotics Intern > Field Technician, and certifies;
- Dev (wants Bench Assistant most, then Robotics Intern) and Wren (same order) are background students;
- Harbor Labs ranks Bench Assistant: Dev 1, Wren 2, Uma 3; Field Technician: Uma 1;
- the Elm City member ranks Robotics Intern with a tie, Uma 1 and Dev 1, then Wren 2, and certifies;
- round 1 (stable; compared with a max-stable run): Uma -> Robotics Intern (her second choice: Bench Assistant
  preferred Dev), Dev -> Bench Assistant, Wren unmatched;
- Uma reads why she did not get her first choice and accepts; Dev declines; the second round gives Dev's seat to Wren.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from browser_support import SCREENSHOTS, log_in, screenshot
from playwright.sync_api import Page, expect

from sprint.demo.loader import one_page_pdf
from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    College,
    HostCompany,
    HostMember,
    HostMemberRole,
    HostRank,
    MatchRun,
    Placement,
    Position,
    PositionInterest,
    Program,
    Role,
    RunStatus,
    Season,
    StudentProfile,
    StudentRank,
    User,
    utcnow,
)

PASSWORD = "shoreline season 2027"
COORDINATOR, MEMBER = "coordinator@shoreline.example.org", "member@elmcity.example.org"
UMA, DEV, WREN = "uma@students.example.org", "dev@students.example.org", "wren@students.example.org"
DOCS = SCREENSHOTS.parents[1] / "docs" / "screenshots"


def _user(role: Role, name: str, email: str, program: Program) -> User:
    user = User(email=email, name=name, role=role, program_id=program.id)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


@pytest.fixture(scope="module")
def shoreline(live_server):
    """Staff, hosts and a college; the season itself is created in the browser."""

    def build():
        program = Program(name="Shoreline Internships", slug="shoreline", region="Shoreline")
        db.session.add(program)
        db.session.flush()
        _user(Role.COORDINATOR, "Cleo Coordinator", COORDINATOR, program)
        harbor = HostCompany(
            program_id=program.id, name="Harbor Labs", sector="Biotech", site_town="Guilford", approved=True
        )
        elm = HostCompany(
            program_id=program.id, name="Elm City Robotics", sector="Robotics", site_town="New Haven", approved=True
        )
        db.session.add_all(
            [harbor, elm, College(name="Shoreline Community College", kind="community", state="CT", confirmed=True)]
        )
        member = _user(Role.HOST, "Mika Member", MEMBER, program)
        db.session.flush()
        db.session.add(HostMember(host_id=elm.id, user_id=member.id, role=HostMemberRole.MEMBER))
        db.session.commit()
        return program.id, harbor.id

    program_id, harbor_id = live_server.run(build)
    return {"program": program_id, "harbor": harbor_id}


def _harbor_positions(shoreline) -> None:
    """Harbor Labs' two positions in the new season (posted earlier, in the story)."""
    season = _season(shoreline)
    for title in ("Bench Assistant", "Field Technician"):
        db.session.add(
            Position(
                host_id=shoreline["harbor"],
                season_id=season.id,
                title=title,
                slots=1,
                description=f"{title} for the summer.",
                hourly_pay=Decimal("21.00"),
                hours_per_week=35,
                start_date=date(2027, 6, 7),
                end_date=date(2027, 8, 13),
                site_town="Guilford",
            )
        )
    db.session.commit()


def _season(shoreline) -> Season:
    return db.session.scalar(db.select(Season).where(Season.program_id == shoreline["program"]))


def _ids(shoreline) -> dict[str, int]:
    season = _season(shoreline)
    ids = {p.title: p.id for p in db.session.scalars(db.select(Position).where(Position.season_id == season.id))}
    ids.update(
        {u.email: u.id for u in db.session.scalars(db.select(User).where(User.program_id == shoreline["program"]))}
    )
    return ids


def _background_students(shoreline) -> None:
    """Dev and Wren applied to Bench Assistant then Robotics Intern, certified; Harbor Labs ranked and certified."""
    ids, season, now = _ids(shoreline), _season(shoreline), utcnow()
    program = db.session.get(Program, shoreline["program"])
    college = db.session.scalar(db.select(College).where(College.name == "Shoreline Community College"))
    order = [ids["Bench Assistant"], ids["Robotics Intern"]]
    people = {}
    for name, email in (("Dev Decliner", DEV), ("Wren Waiting", WREN)):
        user = _user(Role.STUDENT, name, email, program)
        db.session.add(
            StudentProfile(
                user=user,
                college_id=college.id,
                major="Biology",
                class_year=2028,
                work_authorized=True,
                age_confirmed=True,
            )
        )
        application = Application(
            season_id=season.id,
            student=user,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=now,
            ranks_certified_at=now,
        )
        application.interests = [
            PositionInterest(position_id=pid, statement="I would love to learn here.") for pid in order
        ]
        application.ranks = [StudentRank(position_id=pid, rank=n) for n, pid in enumerate(order, 1)]
        db.session.add(application)
        people[email] = user
    db.session.flush()
    harbor_lists = {"Bench Assistant": [(DEV, 1), (WREN, 2), (UMA, 3)], "Field Technician": [(UMA, 1)]}
    for title, ranks in harbor_lists.items():
        for email, rank in ranks:
            student_id = people[email].id if email in people else ids[email]
            db.session.add(HostRank(position_id=ids[title], student_id=student_id, rank=rank))
        db.session.get(Position, ids[title]).ranks_certified_at = now
    db.session.commit()


def _shot(page: Page, name: str, docs: bool = False) -> None:
    path = screenshot(page, name)
    if docs:
        DOCS.mkdir(parents=True, exist_ok=True)
        (DOCS / path.name).write_bytes(path.read_bytes())


def _when(days: int) -> str:
    return (utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _wait_run_done(page: Page) -> None:
    """The run page polls the background worker and reloads itself when the run is finished."""
    expect(page.locator("h1")).to_contain_text("done", timeout=40_000)


def coordinator_opens_season(page: Page) -> None:
    log_in(page, COORDINATOR, PASSWORD)
    page.goto("/coordinator/seasons/new")
    page.get_by_label("Year", exact=True).fill("2027")
    page.get_by_label("Name", exact=True).fill("Summer 2027")
    for label, days in (
        ("Applications open", -1),
        ("Applications close", 20),
        ("Ranking closes", 30),
        ("Match publication", 35),
        ("Offer deadline", 45),
    ):
        page.get_by_label(label).fill(_when(days))
    page.get_by_role("button", name="Create season").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto("/coordinator/seasons")
    page.get_by_role("link", name="Summer 2027").first.click()
    page.get_by_role("link", name=re.compile("^Move to")).first.click()
    expect(page.locator("h1")).to_contain_text("Move Summer 2027")
    page.get_by_role("button", name=re.compile("^Move to")).click()
    expect(page.locator("h1 .badge")).to_have_text("Applications open")


def member_posts_position(page: Page) -> None:
    log_in(page, MEMBER, PASSWORD)
    page.get_by_role("link", name="Post a position").click()
    page.get_by_label("Title").fill("Robotics Intern")
    page.get_by_label("What the intern will do").fill("Build and test a small warehouse robot with our team.")
    page.get_by_label("Required skills").fill("Python")
    page.get_by_label("Intern slots").fill("1")
    page.get_by_label("Hourly pay ($)").fill("23.50")
    page.get_by_label("Hours per week").fill("40")
    page.get_by_label("Start date").fill("2027-06-01")
    page.get_by_label("End date").fill("2027-08-13")
    page.get_by_label("Site town").fill("New Haven")
    page.get_by_role("button", name="Post position").click()
    expect(page.get_by_role("cell", name=re.compile("Robotics Intern"))).to_be_visible()


def student_registers_and_applies(page: Page, shoreline, live_server) -> None:
    page.goto("/register")
    page.get_by_label("Full name").fill("Uma Student")
    page.get_by_label("Email").fill(UMA)
    page.get_by_label("Program").select_option(label="Shoreline Internships")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Check your email: we sent a link to {UMA}")).to_be_visible()
    sent = [message for message in live_server.outbox() if message.to == [UMA]]
    page.goto(re.search(r"https?://\S+", sent[-1].body).group(0))
    expect(page.get_by_role("heading", name="Hello, Uma Student")).to_be_visible()

    page.goto("/student/profile")
    page.get_by_label("College", exact=True).select_option(label="Shoreline Community College (CT)")
    page.get_by_label("Major or program of study").fill("Mechanical engineering")
    page.get_by_label("Expected graduation year").fill("2028")
    page.get_by_label("Skills").fill("Python, soldering, CAD")
    page.get_by_label("I am authorized to work").check()
    page.get_by_label("I will be 18 or older").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    page.get_by_label("Résumé (PDF, at most 5 MB)").set_input_files(
        files=[
            {
                "name": "uma-resume.pdf",
                "mimeType": "application/pdf",
                "buffer": one_page_pdf(["Uma Student", "Python, soldering, CAD"]),
            }
        ]
    )
    page.get_by_role("button", name="Upload résumé").click()
    expect(page.get_by_text("Your résumé is uploaded.")).to_be_visible()
    _shot(page, "student-profile")

    for title in ("Robotics Intern", "Bench Assistant", "Field Technician"):
        page.goto("/student/positions")
        page.get_by_role("link", name=title).first.click()
        page.get_by_label("Why this position?").fill(f"I want to spend the summer as a {title.lower()}.")
        page.get_by_role("button", name="Apply").click()
        expect(page.get_by_text(f"You applied to {title}.")).to_be_visible()


def _order(page: Page) -> list[str]:
    return page.locator("ol.ranklist > li").evaluate_all("rows => rows.map(r => r.dataset.title)")


def student_ranks_by_drag_and_keyboard(page: Page) -> None:
    assert _order(page) == ["Robotics Intern", "Bench Assistant", "Field Technician"]
    rows = page.locator("ol.ranklist > li")
    # Drag "Field Technician" onto the top half of the first row: it becomes first.
    rows.filter(has_text="Field Technician").drag_to(rows.first, target_position={"x": 40, "y": 4})
    assert _order(page) == ["Field Technician", "Robotics Intern", "Bench Assistant"]
    assert page.locator(".rank-input").evaluate_all("xs => xs.map(x => x.value)") == ["1", "2", "3"]
    # Then with the keyboard only: Field Technician down twice (Enter, then Space), Bench Assistant up once.
    down = rows.filter(has_text="Field Technician").get_by_role("button", name=re.compile("^Down"))
    down.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-ranklist-status]")).to_have_text("Field Technician moved to place 2 of 3.")
    page.keyboard.press("Space")
    expect(page.locator("[data-ranklist-status]")).to_have_text("Field Technician moved to place 3 of 3.")
    rows.filter(has_text="Bench Assistant").get_by_role("button", name=re.compile("^Up")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-ranklist-status]")).to_have_text("Bench Assistant moved to place 1 of 3.")
    assert _order(page) == ["Bench Assistant", "Robotics Intern", "Field Technician"]
    _shot(page, "student-rank-list", docs=True)
    page.get_by_role("button", name="Certify my list").click()
    expect(page.get_by_text("Your rank list is certified")).to_be_visible()
    assert [
        page.get_by_label(re.compile(f"^Rank of {t}")).input_value()
        for t in ("Bench Assistant", "Robotics Intern", "Field Technician")
    ] == ["1", "2", "3"]


def host_ranks_with_tie(page: Page) -> None:
    page.goto("/company/")
    page.get_by_role("row", name=re.compile("Robotics Intern")).get_by_role("link", name="Rank").click()
    expect(page.locator("h1")).to_have_text("Rank candidates for Robotics Intern")
    for name, rank in (("Uma Student", "1"), ("Dev Decliner", "1"), ("Wren Waiting", "2")):
        page.get_by_label(f"Rank of {name}").fill(rank)
    _shot(page, "host-rank-candidates", docs=True)
    page.get_by_role("button", name="Certify this list").click()
    expect(page.get_by_text("The list is certified")).to_be_visible()
    assert page.get_by_label("Rank of Dev Decliner").input_value() == "1"
    assert page.get_by_label("Rank of Uma Student").input_value() == "1"


def coordinator_runs_compares_publishes(page: Page, season_id: int) -> int:
    run_pages = []
    for mode, seed, label in (("stable", "1", "students propose"), ("max-stable", "7", "max-stable check")):
        page.goto(f"/coordinator/runs/seasons/{season_id}/new")
        page.get_by_label("Mode").select_option(mode)
        page.get_by_label("Seed").fill(seed)
        page.get_by_label("Label").fill(label)
        page.get_by_role("button", name="Start the run").click()
        _wait_run_done(page)
        expect(page.get_by_text("2 / 3", exact=True)).to_be_visible()  # matched / students
        run_pages.append(page.url)
    _shot(page, "coordinator-run", docs=True)
    page.goto(f"/coordinator/runs/?season={season_id}")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("h1")).to_contain_text("compared with")
    expect(page.get_by_text("Both runs place every student at the same position.")).to_be_visible()
    _shot(page, "coordinator-compare", docs=True)
    page.goto(run_pages[0])
    page.get_by_role("link", name=re.compile("^Publish round 1")).click()
    page.get_by_role("button", name=re.compile("^Publish and send 3 student emails")).click()
    expect(page.get_by_text("published").first).to_be_visible()
    return int(run_pages[0].rstrip("/").rsplit("/", 1)[1])


def test_whole_season(live_server, shoreline, context_for) -> None:
    coordinator, member, uma = (context_for().new_page() for _ in range(3))

    coordinator_opens_season(coordinator)
    live_server.run(lambda: _harbor_positions(shoreline))
    member_posts_position(member)
    student_registers_and_applies(uma, shoreline, live_server)
    uma.goto("/student/ranks")
    student_ranks_by_drag_and_keyboard(uma)

    live_server.run(lambda: _background_students(shoreline))
    host_ranks_with_tie(member)

    season_id = live_server.run(lambda: _season(shoreline).id)
    run_id = coordinator_runs_compares_publishes(coordinator, season_id)

    def placements():
        rows = db.session.execute(
            db.select(User.email, Position.title, Placement.round, Placement.status)
            .join(User, User.id == Placement.student_id)
            .join(Position, Position.id == Placement.position_id)
            .where(Placement.season_id == season_id)
        ).all()
        return sorted((email, title, rnd, str(status)) for email, title, rnd, status in rows)

    assert live_server.run(placements) == [
        (DEV, "Bench Assistant", 1, "offered"),
        (UMA, "Robotics Intern", 1, "offered"),
    ]
    assert {UMA, DEV, WREN} <= {address for message in live_server.outbox() for address in message.to}

    # Uma reads why she got this result and accepts.
    uma.goto("/student/")
    expect(uma.get_by_text("You matched with")).to_contain_text("Robotics Intern")
    expect(uma.get_by_role("heading", name="Why this result")).to_be_visible()
    expect(uma.get_by_text("First round", exact=True)).to_be_visible()  # the reasons are labelled by round
    expect(uma.locator("h3:has-text('Why this result') ~ ul li").first).to_contain_text(
        "had no seat for you under its host's ranking and the match rules (hosts' rankings stay confidential)"
    )
    _shot(uma, "student-result")
    uma.get_by_role("link", name="Accept the offer…").click()  # a page says what accepting means
    uma.get_by_role("button", name="Accept the offer").click()
    expect(uma.get_by_text("Congratulations! You accepted the offer.")).to_be_visible()

    # Dev declines Bench Assistant.
    dev = context_for().new_page()
    log_in(dev, DEV, PASSWORD)
    dev.goto("/student/")
    expect(dev.get_by_text("You matched with")).to_contain_text("Bench Assistant")
    dev.get_by_role("link", name="Decline…").click()  # a page that says what declining means, then the button
    expect(dev.get_by_text("You give up this paid internship.")).to_be_visible()
    dev.get_by_label("Reason (optional)").fill("I took a job closer to home.")
    dev.get_by_role("button", name="Decline the offer").click()
    expect(dev.get_by_text("You declined the offer.")).to_be_visible()
    expect(dev.get_by_role("button", name="Take back my decline")).to_be_visible()

    # The second round gives the seat to Wren.
    coordinator.goto(f"/coordinator/runs/?season={season_id}")
    coordinator.get_by_role("link", name=re.compile(r"^Second round: re-run on round-1 lists \(2 open seats")).click()
    coordinator.get_by_role("button", name="Start the run").click()
    _wait_run_done(coordinator)
    expect(coordinator.get_by_text("1 / 1", exact=True)).to_be_visible()
    coordinator.get_by_role("link", name=re.compile("^Publish round 2")).click()
    coordinator.get_by_role("button", name=re.compile("^Publish and send 1 student email")).click()
    expect(coordinator.get_by_text("published").first).to_be_visible()
    assert live_server.run(placements) == [
        (DEV, "Bench Assistant", 1, "declined"),
        (UMA, "Robotics Intern", 1, "accepted"),
        (WREN, "Bench Assistant", 2, "offered"),
    ]
    dev.goto("/student/")  # the seat went to Wren: the decline can no longer be taken back
    expect(dev.get_by_text("The seat has been offered to another student.")).to_be_visible()
    expect(dev.get_by_role("button", name="Take back my decline")).to_have_count(0)
    wren = context_for().new_page()
    log_in(wren, WREN, PASSWORD)
    wren.goto("/student/")
    expect(wren.get_by_text("You matched with")).to_contain_text("Bench Assistant")

    # The dashboards show the season.
    coordinator.goto("/dashboards/")
    expect(coordinator.locator("main")).to_contain_text("Summer 2027")
    expect(coordinator.locator(".card", has_text="students placed")).to_contain_text("2")  # Uma and Wren
    expect(coordinator.locator(".card", has_text="applied in 2027")).to_contain_text("3")
    _shot(coordinator, "dashboard-overview", docs=True)
    assert run_id > 0
    runs_done = live_server.run(
        lambda: db.session.scalar(
            db.select(db.func.count(MatchRun.id)).where(
                MatchRun.season_id == season_id, MatchRun.status == RunStatus.DONE
            )
        )
    )
    assert runs_done == 3
