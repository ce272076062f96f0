"""The demo command: loads a realistic program once, and every demo login lands on a real page."""

from __future__ import annotations

from pathlib import Path

from sprint.demo import facts, loader
from sprint.extensions import db
from sprint.models import Application, College, HostCompany, MatchRun, Placement, Position, Program, Season, User

MODELS = (Program, Season, College, HostCompany, User, Position, Application, MatchRun, Placement)


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model)) for model in MODELS}


def test_demo_loads_once_and_every_demo_login_reaches_its_page(app, runner, client):
    first = runner.invoke(args=["seed-demo"])

    assert first.exit_code == 0, first.output
    assert "Demo loaded" in first.output and loader.DEMO_PASSWORD in first.output
    printed = first.output.split(" s: ", 1)[1].splitlines()[0]  # "87 colleges, 31 host companies, ..."
    assert f"`{printed}`" in (Path(__file__).parents[2] / "README.md").read_text()
    counts = _counts(app)
    assert counts["Program"] == 2 and counts["Season"] == 5
    assert 80 <= counts["College"] <= 90 and counts["HostCompany"] == 31
    assert counts["Placement"] >= 400 and counts["MatchRun"] == 3
    with app.app_context():
        summers = db.session.scalars(
            db.select(Season.name).join(Program).where(Program.slug == "sprint").order_by(Season.year)
        ).all()
        assert summers == ["Summer 2024", "Summer 2025", "Summer 2026", "Summer 2027"]

    second = runner.invoke(args=["seed-demo"])

    assert second.exit_code == 0 and "already loaded" in second.output
    assert _counts(app) == counts

    expected = {
        "admin@sprint.demo": "SPRINT Internships",
        "coordinator@sprint.demo": "Summer 2026",
        "host@sprint.demo": "Elm City Biologics",
        "member@sprint.demo": "Elm City Biologics",
        "student@sprint.demo": "Summer 2027",
        "newstudent@sprint.demo": "Your profile still needs",
        "liaison@sprint.demo": facts.COLLEGES[0][0],
    }
    for email, text in expected.items():
        response = client.post("/login", data={"email": email, "password": loader.DEMO_PASSWORD}, follow_redirects=True)
        assert response.status_code == 200, email
        assert text in response.get_data(as_text=True), email
        client.post("/logout")


def test_the_new_demo_student_is_a_genuine_first_visit(app, runner, client):
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        newcomer = db.session.scalar(db.select(User).where(User.email == "newstudent@sprint.demo"))
        profile = newcomer.profile
        assert (profile.college_id, profile.major, profile.class_year, profile.skills, profile.resume_file) == (
            None,
            "",
            None,
            [],
            None,
        )
        assert (
            db.session.scalar(db.select(db.func.count(Application.id)).where(Application.student_id == newcomer.id))
            == 0
        )
        assert newcomer.last_login_at is None

    client.post("/login", data={"email": "newstudent@sprint.demo", "password": loader.DEMO_PASSWORD})
    home = client.get("/student/").get_data(as_text=True)

    assert "Applied to 0 positions" in home and "Your profile still needs" in home


def test_demo_is_the_same_for_the_same_seed(app):
    with app.app_context():
        loader.load_demo(seed=7)
        placed = db.session.execute(
            db.select(Placement.student_rank, Placement.position_rank).order_by(Placement.id)
        ).all()
        emails = db.session.scalars(db.select(User.email).order_by(User.id)).all()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()

        loader.load_demo(seed=7)

        assert (
            db.session.execute(db.select(Placement.student_rank, Placement.position_rank).order_by(Placement.id)).all()
            == placed
        )
        assert db.session.scalars(db.select(User.email).order_by(User.id)).all() == emails


def test_the_demo_host_has_interview_slots_invitations_and_calendar_emails(app):
    from icalendar import Calendar

    from sprint.models import HostCompany, Interview, InterviewSlot, OutboxEmail, Position

    with app.app_context():
        loader.load_demo()
        host_slots = db.select(db.func.count(InterviewSlot.id)).join(Position).join(HostCompany)
        # Tue, Thu 1-4 pm in January (36), and the first round held in November (6, three used)
        assert db.session.scalar(host_slots.where(HostCompany.name == "Elm City Biologics")) == 36 + 6
        statuses = sorted(db.session.scalars(db.select(Interview.status)))
        # the demo student is invited too, by another host: 8 times
        assert statuses == ["booked"] * 3 + ["done"] * 2 + ["invited"] * 4 + ["no_show"]
        held = db.session.scalars(db.select(Interview).where(Interview.status.in_(["done", "no_show"]))).all()
        assert all(interview.slot.starts_at < loader.DEMO_NOW for interview in held)
        student = db.session.scalar(db.select(User).where(User.email == "student@sprint.demo"))
        (own,) = db.session.scalars(db.select(Interview).where(Interview.student_id == student.id))
        assert own.status == "invited" and own.position.host.name != "Elm City Biologics"
        assert (
            db.session.scalar(
                db.select(db.func.count(InterviewSlot.id)).where(InterviewSlot.position_id == own.position_id)
            )
            == 8
        )
        invitation = db.session.scalars(
            db.select(OutboxEmail).where(OutboxEmail.attachment_name == "invite.ics")
        ).first()
        assert Calendar.from_ical(invitation.attachment)["METHOD"] == "REQUEST"


def test_nothing_in_the_demos_current_season_happened_after_its_now(app):
    """A list "certified on Feb 27" while applications are open read as nonsense on the demo."""
    from sprint.models import Application, Position, Season

    with app.app_context():
        loader.load_demo()
        current = db.select(Season.id).where(Season.year == loader.CURRENT_YEAR)
        times = [
            *db.session.scalars(db.select(Application.submitted_at).where(Application.season_id.in_(current))),
            *db.session.scalars(db.select(Application.ranks_certified_at).where(Application.season_id.in_(current))),
            *db.session.scalars(db.select(Position.ranks_certified_at).where(Position.season_id.in_(current))),
        ]
        known = [t for t in times if t is not None]
        assert len(known) > 100 and max(known) <= loader.DEMO_NOW
