"""axe-core on every main page of every role, over the demo program: no serious or critical violation.

Minor and moderate findings are printed (run with -s to read them) but do not fail the test.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import demo_host_id, log_in, wait_for
from playwright.sync_api import Page

from sprint.extensions import db
from sprint.models import (
    Application,
    College,
    HostCompany,
    Invitation,
    MatchAssignment,
    MatchRun,
    Phase,
    Position,
    PositionInterest,
    Program,
    Role,
    RunStatus,
    Season,
    User,
)
from sprint.services.accounts.tokens import fingerprint, make_token
from sprint.services.matching import match_runs

BLOCKING = {"serious", "critical"}
AXE = Axe()


@pytest.fixture(scope="module")
def ids(demo) -> dict:
    """Ids of real records in the demo, two finished runs of the current season, and sign-in tokens."""

    def find() -> dict:
        program = db.session.scalar(db.select(Program).where(Program.slug == "sprint"))
        season = db.session.scalar(
            db.select(Season).where(Season.program_id == program.id, Season.phase == Phase.APPLICATIONS)
        )
        host_id = demo_host_id()
        host_position = db.session.scalar(
            db.select(Position.id)
            .where(Position.host_id == host_id, Position.season_id == season.id)
            .order_by(Position.id)
            .limit(1)
        )
        applicant = db.session.scalar(
            db.select(Application.student_id)
            .join(PositionInterest)
            .where(PositionInterest.position_id == host_position)
            .limit(1)
        )
        open_position = db.session.scalar(
            db.select(Position.id)
            .join(HostCompany)
            .where(Position.season_id == season.id, HostCompany.approved)
            .order_by(Position.id)
            .limit(1)
        )
        college = db.session.scalar(db.select(College).order_by(College.id).limit(1))
        coordinator = db.session.scalar(db.select(User).where(User.email == "coordinator@sprint.demo"))
        for mode, seed in (("stable", 1), ("max-stable", 2)):
            match_runs.start_run(coordinator, season, match_runs.RunSettings(mode=mode, seed=seed, label=mode))
        invitation = Invitation(
            program_id=program.id,
            email="new.member@sprint.demo",
            role=Role.HOST,
            host_id=host_id,
            invited_by_id=coordinator.id,
        )
        db.session.add(invitation)
        db.session.commit()
        newcomer = db.session.scalar(db.select(User).where(User.email == "newstudent@sprint.demo"))
        return {
            "season": season.id,
            "host": host_id,
            "host_position": host_position,
            "applicant": applicant,
            "position": open_position,
            "college": college.id,
            "program": program.id,
            "invite": make_token("invite", {"invitation": invitation.id}),
            "reset": make_token("reset", {"user": newcomer.id, "fp": fingerprint(newcomer.password_hash)}),
        }

    found = demo.run(find)

    def runs_done() -> list[int]:
        return list(
            db.session.scalars(
                db.select(MatchRun.id)
                .where(MatchRun.season_id == found["season"], MatchRun.status == RunStatus.DONE)
                .order_by(MatchRun.id)
            )
        )

    wait_for(lambda: len(demo.run(runs_done)) >= 2, 60, "two demo runs to finish")
    found["runs"] = demo.run(runs_done)[-2:]
    found["placed"] = demo.run(
        lambda: db.session.scalar(
            db.select(MatchAssignment.student_id).where(MatchAssignment.run_id == found["runs"][0]).limit(1)
        )
    )
    return found


def pages_for(role: str, ids: dict) -> list[str]:
    a, b = ids["runs"]
    return {
        "anonymous": [
            "/",
            "/login",
            "/register",
            "/forgot-password",
            f"/invitation/{ids['invite']}",
            f"/reset-password/{ids['reset']}",
        ],
        "student": [
            "/student/",
            "/student/positions",
            f"/student/positions/{ids['position']}",
            "/student/ranks",
            "/student/profile",
        ],
        "host": [
            "/company/",
            "/company/applicants",
            f"/company/applicants/{ids['applicant']}",
            f"/company/positions/{ids['host_position']}/ranks",
            "/company/team",
            "/company/positions/new",
            f"/company/positions/{ids['host_position']}/edit",
            "/company/results",
            "/company/profile",
        ],
        "coordinator": [
            "/coordinator/",
            "/coordinator/seasons",
            f"/coordinator/seasons/{ids['season']}",
            "/coordinator/directory/students",
            "/coordinator/directory/hosts",
            "/coordinator/import",
            "/coordinator/runs/",
            f"/coordinator/runs/{a}",
            f"/coordinator/runs/compare?a={a}&b={b}",
            f"/coordinator/runs/{a}/publish",
            f"/coordinator/runs/{a}/verify",
            f"/coordinator/runs/{a}/explain/s{ids['placed']}",
            f"/coordinator/runs/seasons/{ids['season']}/new",
            "/coordinator/runs/audit",
            "/dashboards/",
            "/dashboards/colleges",
            "/dashboards/hosts",
            "/dashboards/quality",
            "/dashboards/equity",
            "/dashboards/report",
            f"/dashboards/colleges/{ids['college']}",
            f"/dashboards/hosts/{ids['host']}",
        ],
        "liaison": ["/liaison/"],
        "admin": ["/admin/", f"/admin/programs/{ids['program']}"],
    }[role]


LOGINS = {
    "student": "student@sprint.demo",
    "host": "host@sprint.demo",
    "coordinator": "coordinator@sprint.demo",
    "liaison": "liaison@sprint.demo",
    "admin": "admin@sprint.demo",
}


def audit(page: Page, path: str) -> list[str]:
    """Open a page, run axe, print the minor findings and return the serious and critical ones."""
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    assert urlsplit(page.url).path == urlsplit(path).path, f"{path} was sent on to {page.url}"
    problems = []
    for violation in AXE.run(page).response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:3]
        line = f"{path}: [{violation['impact']}] {violation['id']}: {violation['help']} at {targets}"
        print(line)
        if violation["impact"] in BLOCKING:
            problems.append(line)
    return problems


@pytest.mark.parametrize("role", ["anonymous", "student", "host", "coordinator", "liaison", "admin"])
def test_no_serious_accessibility_violations(page: Page, ids: dict, role: str) -> None:
    if role in LOGINS:
        log_in(page, LOGINS[role])
    problems = [line for path in pages_for(role, ids) for line in audit(page, path)]
    assert problems == [], "\n".join(problems)


def test_the_import_preview_has_no_serious_accessibility_violations(page: Page, ids: dict) -> None:
    log_in(page, LOGINS["coordinator"])
    page.goto("/coordinator/import")
    page.get_by_label("What the file holds").select_option("colleges")
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "colleges.csv",
                "mimeType": "text/csv",
                "buffer": b"name,state,kind\nHarbor Community College,CT,community\nBad College,Connecticut,public\n",
            }
        ]
    )
    page.get_by_role("button", name="Preview import").click()
    page.wait_for_load_state()

    assert "should be a two-letter code" in page.content()  # the preview with a refused row is the page audited
    problems = []
    for violation in AXE.run(page).response["violations"]:
        print(f"import preview: [{violation['impact']}] {violation['id']}: {violation['help']}")
        if violation["impact"] in BLOCKING:
            problems.append(violation["id"])
    assert problems == []
