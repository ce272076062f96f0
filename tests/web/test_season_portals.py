"""The spring season for students and host companies, through the test client."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    AuditEvent,
    College,
    DeadlineExtension,
    HostMember,
    HostRank,
    Placement,
    Position,
    PositionInterest,
    Role,
    RunExplanation,
    Season,
    StudentRank,
    User,
    utcnow,
)
from sprint.services.matching import match_runs, run_queue
from sprint.services.matching.adapter import explanation_texts

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(app, make):
    """A program in the applications phase: two hosts (one member each), four positions, a college."""
    program = make.program()
    season = make.season(program)
    elm, harbor = make.host(program, name="Elm Bio"), make.host(program, name="Harbor Labs")
    with app.app_context():
        college = College(name="Gateway CC", town="New Haven", state="CT", kind="community")
        db.session.add(college)
        db.session.commit()
        college_id = college.id
    return {
        "program": program,
        "season": season,
        "elm": elm,
        "harbor": harbor,
        "college_id": college_id,
        "elm_member": make.member(elm, email="elm@example.org"),
        "harbor_member": make.member(harbor, email="harbor@example.org"),
        "p1": make.position(elm, season, slots=1, title="Cell culture intern"),
        "p2": make.position(elm, season, slots=1, title="Automation intern"),
        "p3": make.position(harbor, season, slots=1, title="QC intern"),
        "p4": make.position(harbor, season, slots=2, title="Data intern"),
    }


def _complete_profile(client, college_id, **extra):
    data = {
        "college": college_id,
        "major": "Biology",
        "class_year": 2028,
        "skills": "cell culture, Python",
        "phone": "203-555-0100",
        "home_town": "Hamden",
        "work_authorized": "y",
        "age_confirmed": "y",
        "first_generation": "yes",
        "pell_eligible": "",
        "cc_transfer": "no",
        "gender": "Non-binary",
    }
    data.update(extra)
    response = client.post("/student/profile", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post(
        "/student/resume", data={"resume": (io.BytesIO(PDF), "cv.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302


def _student(make, world, login, client, **extra):
    student = make.user(Role.STUDENT, world["program"])
    login(student)
    _complete_profile(client, world["college_id"], **extra)
    return student


def _apply(client, position, statement="I love working with cells and would learn a lot here."):
    return client.post(f"/student/positions/{position.id}", data={"statement": statement})


def _version(client, url) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', client.get(url).get_data(as_text=True)).group(1)


def test_a_whole_season_for_both_sides(app, client, make, login, world, outbox):
    p1, p2, p3 = world["p1"], world["p2"], world["p3"]
    student = _student(make, world, login, client)

    # The student browses, applies to three positions and certifies a list.
    assert "Cell culture intern" in client.get("/student/positions?q=cell").get_data(as_text=True)
    for position in (p1, p2, p3):
        assert _apply(client, position).status_code == 302
    assert len(outbox) == 3 and "Application received" in outbox[0].subject
    response = client.post(
        "/student/ranks",
        data={
            "version": _version(client, "/student/ranks"),
            "action": "certify",
            f"rank_{p3.id}": "1",
            f"rank_{p1.id}": "2",
            f"rank_{p2.id}": "3",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.student_id == student.id))
        assert [(line.position_id, line.rank) for line in application.ranks] == [(p3.id, 1), (p1.id, 2), (p2.id, 3)]
        assert application.ranks_certified_at is not None
    client.post("/logout")

    # A rival applies to QC too; Harbor ranks both students tied, Elm ranks ours.
    rival = _student(make, world, login, client)
    _apply(client, p3)
    client.post(
        "/student/ranks",
        data={"version": _version(client, "/student/ranks"), "action": "certify", f"rank_{p3.id}": "1"},
    )
    client.post("/logout")
    login(world["harbor_member"])
    applicants_page = client.get("/company/applicants").get_data(as_text=True)
    assert student.name in applicants_page and rival.name in applicants_page
    response = client.post(
        f"/company/positions/{p3.id}/ranks",
        data={
            "version": _version(client, f"/company/positions/{p3.id}/ranks"),
            "action": "certify",
            f"rank_{student.id}": "1",
            f"rank_{rival.id}": "1",
        },
    )
    assert response.status_code == 302
    client.post("/logout")
    login(world["elm_member"])
    for position in (p1, p2):
        client.post(
            f"/company/positions/{position.id}/ranks",
            data={
                "version": _version(client, f"/company/positions/{position.id}/ranks"),
                "action": "certify",
                f"rank_{student.id}": "1",
            },
        )
    client.post("/logout")
    with app.app_context():
        ties = db.session.scalars(db.select(HostRank.rank).where(HostRank.position_id == p3.id)).all()
        assert sorted(ties) == [1, 1]

    # The coordinator publishes (through the service layer).
    with app.app_context():
        season = db.session.get(Season, world["season"].id)
        run = run_queue.execute_run(match_runs.create_run(None, season, seed=1))
        match_runs.publish_run(None, run)
        placement = db.session.scalar(db.select(Placement).where(Placement.student_id == student.id))
        placed_at = placement.position_id
        placement_id = placement.id

    # The student sees the match and its explanation, and accepts.
    login(student)
    page = client.get("/student/").get_data(as_text=True)
    assert "You matched with" in page and "Accept the offer" in page
    if placed_at != p3.id:  # lost the tie-break for their first choice: the explanation says why
        assert "Why this result" in page
    outbox.clear()
    assert client.post(f"/student/offers/{placement_id}/accept", data={"confirm": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(Placement, placement_id).status == "accepted"
    assert {message.subject.split(" ", 2)[1] for message in outbox} >= {"You"}
    assert any("accepted your offer" in message.subject for message in outbox)
    client.post("/logout")

    # The host sees its intern and the acceptance.
    host_member = world["harbor_member"] if placed_at == p3.id else world["elm_member"]
    login(host_member)
    results = client.get("/company/results").get_data(as_text=True)
    assert student.name in results and "accepted" in results


def test_students_cannot_read_each_others_profiles_or_resumes(client, make, login, world):
    owner = _student(make, world, login, client)
    client.post("/logout")
    _student(make, world, login, client)

    assert client.get(f"/resumes/{owner.id}").status_code == 404
    assert client.get(f"/company/applicants/{owner.id}").status_code == 403
    assert client.get("/resumes/999999").status_code == 404


def test_a_student_reads_their_own_resume_and_a_host_only_after_they_applied(client, make, login, world):
    student = _student(make, world, login, client)
    own = client.get(f"/resumes/{student.id}")
    assert own.status_code == 200 and own.data.startswith(b"%PDF") and own.mimetype == "application/pdf"
    own.close()
    client.post("/logout")

    login(world["harbor_member"])
    assert client.get(f"/resumes/{student.id}").status_code == 404
    client.post("/logout")
    login(student)
    _apply(client, world["p3"])
    client.post("/logout")
    login(world["harbor_member"])
    shared = client.get(f"/resumes/{student.id}")
    assert shared.status_code == 200
    shared.close()


def test_hosts_see_only_their_own_applicants_and_never_self_identification(client, make, login, world):
    student = _student(make, world, login, client, gender="Non-binary", first_generation="yes")
    _apply(client, world["p1"])  # Elm only
    client.post("/logout")

    login(world["harbor_member"])
    assert student.name not in client.get("/company/applicants").get_data(as_text=True)
    assert client.get(f"/company/applicants/{student.id}").status_code == 404
    assert client.get(f"/company/positions/{world['p1'].id}/ranks").status_code == 404
    client.post("/logout")

    login(world["elm_member"])
    page = client.get(f"/company/applicants/{student.id}").get_data(as_text=True)
    assert student.name in page and "Biology" in page
    for private in ("Non-binary", "First in my family", "first_generation", "Pell"):
        assert private not in page
    listing = client.get("/company/applicants").get_data(as_text=True)
    assert "Non-binary" not in listing


def test_a_host_cannot_rank_a_student_who_did_not_apply(app, client, make, login, world):
    outsider = make.user(Role.STUDENT, world["program"])
    login(world["elm_member"])

    response = client.post(
        f"/company/positions/{world['p1'].id}/ranks",
        data={"version": "0", "action": "draft", f"rank_{outsider.id}": "1"},
    )

    assert response.status_code == 400 and "only rank students who applied" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(HostRank.id))) == 0


def test_applying_after_the_deadline_is_refused_and_stores_nothing(app, client, make, login, world):
    student = _student(make, world, login, client)
    with app.app_context():
        season = db.session.get(Season, world["season"].id)
        season.applications_close_at = utcnow() - timedelta(hours=1)
        db.session.commit()

    response = _apply(client, world["p1"])

    assert response.status_code == 400 and "deadline passed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PositionInterest.id))) == 0

    with app.app_context():  # a coordinator's extension for this student reopens it for them alone
        db.session.add(
            DeadlineExtension(
                season_id=world["season"].id,
                user_id=student.id,
                kind="applications",
                until=utcnow() + timedelta(days=2),
                reason="hospital stay",
            )
        )
        db.session.commit()
    assert _apply(client, world["p1"]).status_code == 302


def test_ranking_after_the_deadline_and_in_the_wrong_phase_is_refused(app, client, make, login, world):
    _student(make, world, login, client)
    _apply(client, world["p1"])
    version = _version(client, "/student/ranks")
    with app.app_context():
        db.session.get(Season, world["season"].id).phase = "matching"
        db.session.commit()

    response = client.post(
        "/student/ranks", data={"version": version, "action": "certify", f"rank_{world['p1'].id}": "1"}
    )

    assert response.status_code == 400 and "not open now" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(Application.ranks_certified_at)) is None


def test_a_late_offer_answer_is_refused(app, client, make, login, world):
    student = _student(make, world, login, client)
    with app.app_context():
        placement = Placement(
            season_id=world["season"].id,
            student_id=student.id,
            position_id=world["p1"].id,
            response_deadline=utcnow() - timedelta(minutes=5),
        )
        db.session.add(placement)
        db.session.commit()
        placement_id = placement.id

    response = client.post(f"/student/offers/{placement_id}/accept", data={"confirm": "y"})

    assert response.status_code == 400
    assert "deadline to answer this offer passed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Placement, placement_id).status == "offered"


def test_a_student_cannot_answer_someone_elses_offer(app, client, make, login, world):
    other = make.user(Role.STUDENT, world["program"])
    with app.app_context():
        placement = Placement(season_id=world["season"].id, student_id=other.id, position_id=world["p1"].id)
        db.session.add(placement)
        db.session.commit()
        placement_id = placement.id
    _student(make, world, login, client)

    assert client.post(f"/student/offers/{placement_id}/decline").status_code == 404
    with app.app_context():
        assert db.session.get(Placement, placement_id).status == "offered"


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "cv.pdf", "empty"),
        (b"MZ\x90\x00 this is a program", "cv.pdf", "not a PDF"),
        (b"plain text pretending", "cv.txt", "not a PDF"),
        (b"%PDF-1.4 but cut off without its end", "cv.pdf", "not a PDF"),
        (b"%PDF-1.4\n" + b"0" * 3000 + b"\n%%EOF\n", "big.pdf", "the limit is 2 KB"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(app, client, make, login, world, content, name, message, monkeypatch):
    monkeypatch.setitem(app.config, "RESUME_MAX_BYTES", 2048)  # small, so the test sends no megabytes
    student = make.user(Role.STUDENT, world["program"])
    login(student)

    response = client.post(
        "/student/resume", data={"resume": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )

    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, student.id).profile.resume_file is None


def test_replacing_a_resume_removes_the_old_file(app, client, make, login, world):
    student = _student(make, world, login, client)
    with app.app_context():
        first = db.session.get(User, student.id).profile.resume_file

    client.post("/student/resume", data={"resume": (io.BytesIO(PDF), "new.pdf")}, content_type="multipart/form-data")

    with app.app_context():
        profile = db.session.get(User, student.id).profile
        assert profile.resume_file != first and profile.resume_name == "new.pdf"
    import os

    assert not os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], "resumes", first))


def test_a_student_must_complete_their_profile_before_applying(app, client, make, login, world):
    login(make.user(Role.STUDENT, world["program"]))

    response = _apply(client, world["p1"])

    assert response.status_code == 400 and "Before you apply, add your college" in response.get_data(as_text=True)


def test_an_unlisted_college_is_added_for_a_coordinator_to_confirm(app, client, make, login, world):
    login(make.user(Role.STUDENT, world["program"]))

    response = client.post(
        "/student/profile",
        data={
            "college": 0,
            "other_college": "Paier College",
            "other_college_state": "ct",
            "major": "Design",
            "class_year": 2027,
        },
    )

    assert response.status_code == 302
    with app.app_context():
        college = db.session.scalar(db.select(College).where(College.name == "Paier College"))
        assert college.state == "CT" and college.confirmed is False


def test_rank_list_needs_distinct_numbers(app, client, make, login, world):
    _student(make, world, login, client)
    _apply(client, world["p1"])
    _apply(client, world["p2"])

    response = client.post(
        "/student/ranks",
        data={
            "version": _version(client, "/student/ranks"),
            "action": "draft",
            f"rank_{world['p1'].id}": "1",
            f"rank_{world['p2'].id}": "1",
        },
    )

    assert response.status_code == 400 and "different rank" in response.get_data(as_text=True)
    with app.app_context():
        assert [r.position_id for r in db.session.scalars(db.select(StudentRank).order_by(StudentRank.rank))] == [
            world["p1"].id,
            world["p2"].id,
        ]


def test_two_colleagues_editing_one_rank_list_the_second_is_told(app, client, make, login, world):
    student = _student(make, world, login, client)
    _apply(client, world["p1"])
    client.post("/logout")
    colleague = make.member(world["elm"], email="colleague@example.org")
    url = f"/company/positions/{world['p1'].id}/ranks"
    login(world["elm_member"])
    stale_version = _version(client, url)
    client.post(url, data={"version": stale_version, "action": "draft", f"rank_{student.id}": "2"})
    client.post("/logout")
    login(colleague)

    response = client.post(url, data={"version": stale_version, "action": "draft", f"rank_{student.id}": "1"})

    assert response.status_code == 409 and "changed in another window or by a colleague" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(db.select(HostRank.rank)) == 2


def test_withdrawing_an_application_takes_it_off_the_rank_list(app, client, make, login, world):
    _student(make, world, login, client)
    for position in (world["p1"], world["p2"], world["p3"]):
        _apply(client, position)
    with app.app_context():
        interest = db.session.scalar(db.select(PositionInterest).where(PositionInterest.position_id == world["p2"].id))

    client.post(f"/student/applications/{interest.id}/withdraw", data={"confirm": "y"})

    with app.app_context():
        ranks = db.session.execute(
            db.select(StudentRank.position_id, StudentRank.rank).order_by(StudentRank.rank)
        ).all()
        assert ranks == [(world["p1"].id, 1), (world["p3"].id, 2)]


def test_host_posts_edits_and_withdraws_a_position_with_edits_logged(app, client, login, world):
    login(world["elm_member"])
    form = {
        "title": "Bioinformatics intern",
        "team": "Data",
        "description": "Analyse sequencing runs.",
        "required_skills": "Python, statistics",
        "preferred_skills": "R",
        "slots": 2,
        "hourly_pay": "24.50",
        "hours_per_week": 40,
        "start_date": "2027-06-01",
        "end_date": "2027-08-13",
        "site_town": "New Haven",
        "work_mode": "hybrid",
    }

    assert client.post("/company/positions/new", data=form).status_code == 302
    with app.app_context():
        position = db.session.scalar(db.select(Position).where(Position.title == "Bioinformatics intern"))
        assert position.required_skills == ["python", "statistics"] and position.preferred_skills == ["r"]
        position_id = position.id

    assert (
        client.post(f"/company/positions/{position_id}/edit", data={**form, "hourly_pay": "26.00"}).status_code == 302
    )
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "position.edited"))
        assert event.details["changes"]["hourly_pay"] == ["24.50", "26.00"]

    client.post(f"/company/positions/{position_id}/withdraw", data={"confirm": "y"})
    with app.app_context():
        assert db.session.get(Position, position_id).status == "withdrawn"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"hourly_pay": ""}, "Pay is required"),
        ({"hourly_pay": "9.00"}, "minimum wage"),
        ({"hours_per_week": ""}, "Hours are required"),
        ({"end_date": "2027-05-01"}, "end date must be on or after"),
        ({"slots": "0"}, "Number must be between 1 and 50"),
    ],
)
def test_a_position_must_be_paid_and_sane(app, client, login, world, change, message):
    login(world["elm_member"])
    form = {
        "title": "Intern",
        "description": "Work.",
        "slots": 1,
        "hourly_pay": "20",
        "hours_per_week": 40,
        "start_date": "2027-06-01",
        "end_date": "2027-08-13",
        "site_town": "New Haven",
        "work_mode": "onsite",
    }

    response = client.post("/company/positions/new", data={**form, **change})

    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Position.id)).where(Position.title == "Intern")) == 0


def test_a_host_cannot_edit_another_hosts_position(client, login, world):
    login(world["harbor_member"])

    assert client.get(f"/company/positions/{world['p1'].id}/edit").status_code == 404
    assert client.post(f"/company/positions/{world['p1'].id}/withdraw").status_code == 404


def test_positions_of_an_unapproved_host_are_hidden_from_students(app, client, make, login, world):
    hidden_host = make.host(world["program"], name="Secret Co", approved=False)
    hidden = make.position(hidden_host, world["season"], title="Hidden intern")
    _student(make, world, login, client)

    listing = client.get("/student/positions").get_data(as_text=True)

    assert "Hidden intern" not in listing and "QC intern" in listing
    assert client.get(f"/student/positions/{hidden.id}").status_code == 404


def test_position_search_filters_by_skill_and_pay(app, client, make, login, world):
    with app.app_context():
        from sprint.services.market import skills

        position = db.session.get(Position, world["p4"].id)
        position.hourly_pay = 31
        from sprint.models import PositionSkill

        position.skill_links = [PositionSkill(skill=skills.get_or_create(["sql"])[0], required=True)]
        db.session.commit()
    _student(make, world, login, client)

    by_skill = client.get("/student/positions?skill=SQL").get_data(as_text=True)
    by_pay = client.get("/student/positions?min_pay=30").get_data(as_text=True)
    bad = client.get("/student/positions?min_pay=lots")

    assert "Data intern" in by_skill and "QC intern" not in by_skill
    assert "Data intern" in by_pay and "Cell culture intern" not in by_pay
    assert bad.status_code == 400 and "Not a valid decimal value" in bad.get_data(as_text=True)


def test_team_owner_invites_and_a_member_who_leaves_loses_access(app, client, make, login, world, outbox):
    login(world["elm_member"])
    assert client.post("/company/team", data={"email": "new@elm.example", "host_role": "member"}).status_code == 302
    assert outbox and outbox[0].to == ["new@elm.example"]
    client.post("/logout")

    member = make.member(world["elm"], role="member", email="plain@elm.example")
    login(member)
    response = client.post("/company/team", data={"email": "x@elm.example", "host_role": "member"})
    assert response.status_code == 403
    with app.app_context():
        membership_id = db.session.scalar(db.select(HostMember.id).where(HostMember.user_id == member.id))
    client.post(f"/company/team/{membership_id}/remove", data={"confirm": "y"})
    assert client.get("/company/").status_code == 403


def test_the_last_owner_cannot_leave(app, client, login, world):
    login(world["elm_member"])
    with app.app_context():
        membership_id = db.session.scalar(db.select(HostMember.id).where(HostMember.user_id == world["elm_member"].id))

    response = client.post(f"/company/team/{membership_id}/remove", data={"confirm": "y"})

    assert response.status_code == 400 and "at least one owner" in response.get_data(as_text=True)
    assert client.get("/company/").status_code == 200


def test_host_notes_are_private_to_the_team(app, client, make, login, world):
    student = _student(make, world, login, client)
    _apply(client, world["p1"])
    client.post("/logout")
    login(world["elm_member"])

    client.post(f"/company/applicants/{student.id}", data={"note": "Strong in culture work", "interviewed": "y"})

    assert "Strong in culture work" in client.get(f"/company/applicants/{student.id}").get_data(as_text=True)
    client.post("/logout")
    login(student)
    assert "Strong in culture work" not in client.get("/student/").get_data(as_text=True)


def _certified_market(app, world, choices: dict, host_ranks: list[tuple]) -> None:
    """Certified lists on both sides, written straight to the database, then a published stable run."""
    with app.app_context():
        for student, positions in choices.items():
            application = Application(
                season_id=world["season"].id, student_id=student.id, status="submitted", ranks_certified_at=utcnow()
            )
            application.interests = [PositionInterest(position_id=p.id) for p in positions]
            application.ranks = [StudentRank(position_id=p.id, rank=i) for i, p in enumerate(positions, 1)]
            db.session.add(application)
        db.session.add_all(
            HostRank(position_id=position.id, student_id=student.id, rank=rank)
            for position, student, rank in host_ranks
        )
        for position_id in {position.id for position, _, _ in host_ranks}:
            db.session.get(Position, position_id).ranks_certified_at = utcnow()
        db.session.commit()
        run = run_queue.execute_run(match_runs.create_run(None, db.session.get(Season, world["season"].id)))
        match_runs.publish_run(None, run)


def test_host_results_say_a_candidate_matched_elsewhere_but_never_where(app, client, make, login, world):
    first, second = make.user(Role.STUDENT, world["program"]), make.user(Role.STUDENT, world["program"])
    p1, p3 = world["p1"], world["p3"]
    _certified_market(app, world, {first: [p1], second: [p1, p3]}, [(p1, first, 1), (p1, second, 2), (p3, second, 1)])
    login(world["elm_member"])

    page = client.get("/company/results").get_data(as_text=True)

    assert f"{first.name}</td>" in page
    assert f"{second.name}: matched elsewhere" in page
    assert "Harbor Labs" not in page and "QC intern" not in page


_RANK_WORDS = re.compile(r"\b(rank|ranks|ranked|yours|tie|lottery)\b|did not rank|\d", re.IGNORECASE)


def _section(page: str, heading: str, end: str) -> str:
    """The words (tags dropped, entities read) between a heading and the next `end`."""
    part = page.split(heading, 1)[1].split(end, 1)[0] if heading in page else ""
    return html.unescape(re.sub(r"<[^>]*>", " ", part))


def test_no_student_or_host_ever_reads_a_rank_of_the_other_side(app, client, make, login, world):
    """Every explanation text shown to every student and host of a matched season (ties on both sides,
    full and half-empty positions, unranked and unmatched candidates), against any rank of the other side."""
    students = [
        make.user(Role.STUDENT, world["program"], name=f"Student {name}")
        for name in ("Ada", "Ben", "Cyd", "Dee", "Eli", "Fay")
    ]
    ada, ben, cyd, dee, eli, fay = students
    p1, p2, p3, p4 = (world[k] for k in ("p1", "p2", "p3", "p4"))
    _certified_market(
        app,
        world,
        {ada: [p1, p3], ben: [p1, p2, p4], cyd: [p3, p1, p4], dee: [p1, p3], eli: [p2, p1], fay: [p4, p3]},
        [
            (p1, cyd, 1),
            (p1, ben, 2),
            (p1, ada, 2),
            (p1, dee, 3),
            (p2, eli, 1),
            (p2, ben, 1),
            (p3, dee, 1),
            (p3, ada, 2),
            (p3, cyd, 3),
            (p4, ben, 1),
            (p4, fay, 2),
        ],
    )
    why = []
    for student in students:
        login(student)
        why.append(_section(client.get("/student/").get_data(as_text=True), "Why this result", "</ul>"))
        client.post("/logout")
    host_pages = []
    for member in (world["elm_member"], world["harbor_member"]):
        login(member)
        host_pages.append(
            _section(
                client.get("/company/results").get_data(as_text=True),
                "Candidates you ranked but did not get",
                "</main>",
            )
        )
        client.post("/logout")
    with app.app_context():
        stored = db.session.execute(db.select(RunExplanation.person, RunExplanation.entries)).all()
        host_texts = [
            text for person, entries in stored if person.startswith("p") for text in explanation_texts(entries, "host")
        ]
        coordinator = [text for person, entries in stored for text in explanation_texts(entries, "coordinator")]

    assert sum("had no seat for you" in section for section in why) >= 3  # the market did explain things
    assert "matched elsewhere" in "".join(host_pages) and len(host_texts) >= 5
    for text in why + host_texts:
        assert not _RANK_WORDS.search(text), text
    for text in host_pages:
        for student in students:
            text = text.replace(student.name, "")
        assert not _RANK_WORDS.search(text), text
    assert any(re.search(r"their ranks: \d", text) for text in coordinator)  # the coordinator keeps the detail


@pytest.mark.parametrize("pay", ["NaN", "sNaN", "Infinity", "-inf"])
def test_a_pay_that_is_not_a_number_is_refused(app, client, make, login, world, pay):
    login(world["elm_member"])
    form = {
        "title": "Intern",
        "description": "Work.",
        "slots": 1,
        "hourly_pay": pay,
        "hours_per_week": 40,
        "start_date": "2027-06-01",
        "end_date": "2027-08-13",
        "site_town": "New Haven",
        "work_mode": "onsite",
    }

    response = client.post("/company/positions/new", data=form)

    assert response.status_code == 400 and "Not a valid decimal value" in response.get_data(as_text=True)
    client.post("/logout")
    login(make.user(Role.STUDENT, world["program"]))
    search = client.get(f"/student/positions?min_pay={pay}")
    assert search.status_code == 400 and "Not a valid decimal value" in search.get_data(as_text=True)


def test_the_student_reads_why_in_words_with_position_names_not_ids(app, client, make, login, world):
    ours, rival = make.user(Role.STUDENT, world["program"]), make.user(Role.STUDENT, world["program"])
    p1, p3 = world["p1"], world["p3"]
    _certified_market(app, world, {ours: [p1, p3], rival: [p1]}, [(p1, rival, 1), (p1, ours, 2), (p3, ours, 1)])
    login(ours)

    page = client.get("/student/").get_data(as_text=True)

    assert "You matched with <strong>QC intern</strong>" in page
    assert "\u201cCell culture intern\u201d at Elm Bio had no seat for you under its host" in page
    assert re.search(r"\bp\d+\b", page.split("Why this result")[1].split("</ul>")[0]) is None
    assert rival.name not in page  # never the names of those who got the seat


def test_the_host_rank_page_shows_everything_and_never_another_hosts_notes(app, client, make, login, world):
    ana = _student(make, world, login, client)
    _apply(client, world["p1"], "Ana's statement: I ran gels all spring.")
    _apply(client, world["p3"])
    client.post("/logout")
    ben = _student(make, world, login, client)
    assert _apply(client, world["p1"], "Ben's statement: I like robots.").status_code == 302
    client.post("/logout")
    login(world["harbor_member"])
    assert client.post(f"/company/applicants/{ana.id}", data={"note": "Harbor's secret note"}).status_code == 302
    client.post("/logout")
    login(world["elm_member"])
    assert (
        client.post(f"/company/applicants/{ana.id}", data={"note": "Elm's own note", "interviewed": "y"}).status_code
        == 302
    )
    url = f"/company/positions/{world['p1'].id}/ranks"
    client.post(
        url, data={"version": _version(client, url), "action": "draft", f"rank_{ana.id}": "1", f"rank_{ben.id}": ""}
    )

    page = client.get(url).get_data(as_text=True)
    assert "Elm&#39;s own note" in page
    assert "Harbor&#39;s secret note" not in page and "Harbor's secret note" not in page
    assert "Ana&#39;s statement: I ran gels all spring." in page and "Ben&#39;s statement: I like robots." in page
    assert "skills match" in page or "no skills listed" in page
    assert page.count(">Interviewed</span>") == 1 and page.count(">Not interviewed</span>") == 1
    assert f'>Résumé<span class="visually-hidden"> of {ana.name}</span>' in page
    assert 'data-tier="1"' in page and 'data-tier=""' in page and ">Rank 1</h2>" in page and ">Not ranked</h2>" in page
    assert "Up moves the candidate into the tier above" in page and "ranklist.js" in page


def test_the_host_rank_page_filters_without_javascript_and_a_save_keeps_the_hidden_ranks(
    app, client, make, login, world
):
    ana = _student(make, world, login, client)
    _apply(client, world["p1"])
    client.post("/logout")
    ben = _student(make, world, login, client)
    _apply(client, world["p1"])
    client.post("/logout")
    login(world["elm_member"])
    url = f"/company/positions/{world['p1'].id}/ranks"
    client.post(
        url, data={"version": _version(client, url), "action": "draft", f"rank_{ana.id}": "1", f"rank_{ben.id}": ""}
    )

    page = client.get(url + "?ranked=unranked").get_data(as_text=True)
    assert f'id="rank_{ben.id}"' in page and f'id="rank_{ana.id}"' not in page
    assert f'<input type="hidden" name="rank_{ana.id}" value="1">' in page  # the filtered-out rank goes back as it is
    assert "ranklist.js" not in page and "clear the filters to use them" in page
    response = client.post(
        url + "?ranked=unranked",
        data={"version": _version(client, url), "action": "draft", f"rank_{ana.id}": "1", f"rank_{ben.id}": "2"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("?ranked=unranked")
    with app.app_context():
        ranks = dict(db.session.execute(db.select(HostRank.student_id, HostRank.rank).order_by(HostRank.id)).all())
    assert ranks == {ana.id: 1, ben.id: 2}
    by_name = client.get(url + "?sort=name").get_data(as_text=True)
    assert by_name.index(f'id="rank_{min((ana, ben), key=lambda s: s.name).id}"') < by_name.index(
        f'id="rank_{max((ana, ben), key=lambda s: s.name).id}"'
    )
    for bad in ("?sort=secret", "?fit=lots", "?ranked=maybe", "?interview=x"):
        assert client.get(url + bad).status_code == 400
