"""The run form at any season size: lock/forbid pickers that search, typed references without
JavaScript, and a run whose job (not the request) builds the snapshot."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import undefer

from sprint.extensions import db
from sprint.models import MatchRun, Placement, PlacementStatus, Position, PositionStatus, RunStatus, Season, User
from sprint.services.matching import adapter, match_runs, run_queue


def _form(**extra) -> dict:
    return {"mode": "stable", "seed": "1", "time_limit": "10", "label": "", "cap_per": "", **extra}


def _new_url(small_season) -> str:
    return f"/coordinator/runs/seasons/{small_season.season.id}/new"


def _pick(client, small_season, kind: str, typed: str) -> list[dict]:
    response = client.get(f"/coordinator/runs/seasons/{small_season.season.id}/pick/{kind}", query_string={"q": typed})
    assert response.status_code == 200 and response.is_json
    return response.get_json()["results"]


def _only_run(app) -> MatchRun:
    with app.app_context():
        (run,) = db.session.scalars(
            db.select(MatchRun).options(undefer(MatchRun.input_snapshot), undefer(MatchRun.result))
        ).all()
        db.session.expunge(run)
        return run


def test_the_run_form_lists_no_student_or_position_and_offers_searching_pickers(client, login, small_season):
    login(small_season.coordinator)

    page = client.get(_new_url(small_season)).get_data(as_text=True)

    assert "Student 1" not in page and "Position A" not in page  # nothing listed, whatever the season's size
    assert 'data-pick="student"' in page and 'data-pick="position"' in page and "js/pickers.js" in page
    assert "Host 1" not in page and 'data-pick="host"' in page  # a national season has thousands of hosts


def test_the_student_picker_finds_the_seasons_students_by_name_or_email_prefix(client, login, small_season):
    login(small_season.coordinator)
    student = small_season.students[3]

    by_name = _pick(client, small_season, "student", "student 3")
    by_email = _pick(client, small_season, "student", student.email[:9].upper())
    everyone = _pick(client, small_season, "student", "Stu")

    assert by_name == [{"value": student.email, "label": f"Student 3 <{student.email}> (#{student.id})"}]
    assert [item["value"] for item in by_email] == [student.email]
    assert [item["label"].split(" <")[0] for item in everyone] == [f"Student {n}" for n in range(1, 8)]
    assert _pick(client, small_season, "student", "s") == []  # one letter: too many to be of use
    assert _pick(client, small_season, "student", "100%") == []  # a wildcard is a character like any other
    assert _pick(client, small_season, "student", "cora") == []  # the coordinator has no rank list


def test_the_position_picker_finds_open_positions_by_title_host_or_number(app, client, login, small_season):
    login(small_season.coordinator)
    a, d = small_season.positions["A"], small_season.positions["D"]

    assert [item["value"] for item in _pick(client, small_season, "position", "position a")] == [f"#{a.id}"]
    assert [item["label"] for item in _pick(client, small_season, "position", "host 3")] == [
        f"Host 3: Position D (#{d.id})"
    ]
    assert [item["value"] for item in _pick(client, small_season, "position", f"#{d.id}")] == [f"#{d.id}"]
    with app.app_context():
        db.session.execute(update(Position).where(Position.id == d.id).values(status=PositionStatus.WITHDRAWN))
        db.session.commit()
    assert _pick(client, small_season, "position", "host 3") == []
    assert _pick(client, small_season, "host", "host 3") == []  # no open position left
    host = small_season.hosts[0]
    assert _pick(client, small_season, "host", "HOST 1") == [{"value": f"#{host.id}", "label": f"Host 1 (#{host.id})"}]


def test_without_javascript_a_lock_names_the_student_by_email_and_the_position_by_number(
    app, client, login, small_season
):
    login(small_season.coordinator)
    student, position = small_season.students[4], small_season.positions["A"]

    response = client.post(
        _new_url(small_season),
        data=_form(**{"locks-0-student": student.email, "locks-0-position": f"#{position.id}", "locks-0-reason": "x"}),
    )

    assert response.status_code == 302
    run = _only_run(app)
    assert run.status == RunStatus.DONE
    assert run.parameters["reasons"]["lock"] == [
        {"student": f"s{student.id}", "position": f"p{position.id}", "reason": "x"}
    ]
    placed = {a["student"]: a["position"] for a in run.result["assignments"]}
    assert placed[f"s{student.id}"] == f"p{position.id}"  # student 4 never listed A: the lock placed them


def test_a_typed_reference_the_server_does_not_know_is_refused_with_a_clear_message(app, client, login, small_season):
    login(small_season.coordinator)
    position = small_season.positions["A"]
    cases = [
        (
            {"locks-0-student": "nobody@example.org", "locks-0-position": f"#{position.id}"},
            "with the email nobody@example.org",
        ),
        (
            {"locks-0-student": "Student 1", "locks-0-position": f"#{position.id}"},
            "Name the student by email or number",
        ),
        (
            {"forbids-0-student": small_season.students[1].email, "forbids-0-position": "Position A"},
            "Name the position by its number",
        ),
        (
            {"forbids-0-student": small_season.students[1].email, "forbids-0-position": "#999999"},
            "is not open in this match",
        ),
    ]

    for fields, message in cases:
        prefix = next(iter(fields)).split("-")[0]
        reason = {} if prefix == "host_capacity" else {f"{prefix}-0-reason": "why"}
        response = client.post(_new_url(small_season), data=_form(**{**fields, **reason}))
        assert response.status_code == 400 and message in response.get_data(as_text=True), message

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(MatchRun.id))) == 0


def test_the_post_queues_the_run_without_its_snapshot_and_the_job_builds_it(
    app, client, login, small_season, monkeypatch
):
    login(small_season.coordinator)
    handed = []
    monkeypatch.setattr(run_queue, "enqueue", lambda run, inline=False: handed.append(run.id))

    response = client.post(_new_url(small_season), data=_form(seed="3"))

    assert response.status_code == 302
    queued = _only_run(app)
    assert handed == [queued.id] and queued.status == RunStatus.QUEUED
    assert queued.input_snapshot is None and queued.input_hash == ""
    assert "queued" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():  # a worker has claimed it and is building the input
        db.session.execute(update(MatchRun).where(MatchRun.id == queued.id).values(status=RunStatus.RUNNING))
        db.session.commit()
    status = client.get(f"/coordinator/runs/{queued.id}/status.json").get_json()
    assert status["status"] == "running" and status["stage"] == "building the input"
    assert "building the input" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(MatchRun).where(MatchRun.id == queued.id).values(status=RunStatus.QUEUED))
        db.session.commit()
        run_queue.execute_queued(queued.id)
        expected = adapter.build_instance(db.session.get(Season, small_season.season.id))

    done = _only_run(app)
    assert done.status == RunStatus.DONE and done.input_snapshot == expected
    assert done.input_hash == adapter.instance_hash(expected) and done.result["assignments"]
    assert client.get(f"/coordinator/runs/{done.id}/status.json").get_json()["stage"] == "done"


def test_a_snapshot_that_cannot_be_built_is_a_failed_run_with_the_reason(app, client, login, small_season, monkeypatch):
    login(small_season.coordinator)
    monkeypatch.setattr(run_queue, "enqueue", lambda run, inline=False: None)
    client.post(_new_url(small_season), data=_form())
    queued = _only_run(app)
    with app.app_context():  # every position withdrawn between the POST and the job
        db.session.execute(update(Position).values(status=PositionStatus.WITHDRAWN))
        db.session.commit()
        run_queue.execute_queued(queued.id)

    failed = _only_run(app)
    assert failed.status == RunStatus.FAILED and failed.input_snapshot is None
    assert failed.error.startswith("Building the input: there is nobody to match")
    page = client.get(f"/coordinator/runs/{failed.id}").get_data(as_text=True)
    assert "Building the input: there is nobody to match" in page and "Start it again" in page


def test_a_failed_build_started_again_builds_the_snapshot_afresh(app, small_season):
    with app.app_context():
        coordinator = db.session.get(User, small_season.coordinator.id)
        season = db.session.get(Season, small_season.season.id)
        run = match_runs.create_run(coordinator, season, seed=1, constraints={}, deferred=True)
        positions = db.session.scalars(db.select(Position.id).order_by(Position.id)).all()
        db.session.execute(update(Position).values(status=PositionStatus.WITHDRAWN))
        db.session.commit()
        run_queue.execute_run(run)
        assert run.status == RunStatus.FAILED
        db.session.execute(update(Position).where(Position.id.in_(positions)).values(status=PositionStatus.OPEN))
        db.session.commit()

        again = match_runs.restart(coordinator, run)

        assert again.status == RunStatus.DONE and again.input_hash and again.assignments


def test_a_rerun_post_only_queues_and_its_job_copies_the_snapshot_whatever_the_market_became(
    app, client, login, small_season, monkeypatch
):
    login(small_season.coordinator)
    client.post(_new_url(small_season), data=_form(seed="4"))
    first = _only_run(app)
    assert first.status == RunStatus.DONE
    handed = []
    monkeypatch.setattr(run_queue, "enqueue", lambda run, inline=False: handed.append(run.id))

    response = client.post(f"/coordinator/runs/{first.id}/rerun")

    assert response.status_code == 302
    with app.app_context():
        queued = db.session.get(MatchRun, handed[0])
        assert queued.status == RunStatus.QUEUED and queued.input_hash == "" and queued.input_snapshot is None
        assert queued.parameters["rerun_of"] == first.id
        db.session.execute(update(Position).values(status=PositionStatus.WITHDRAWN))  # the market moved on
        db.session.commit()
        run_queue.execute_queued(queued.id)
        db.session.expire_all()
        done = db.session.get(MatchRun, queued.id)
        assert done.status == RunStatus.DONE, done.error
        assert done.input_snapshot == first.input_snapshot and done.input_hash == first.input_hash
        assert done.result["assignments"] == first.result["assignments"]


def test_a_run_without_a_snapshot_cannot_be_rerun(app, client, login, small_season, monkeypatch):
    login(small_season.coordinator)
    monkeypatch.setattr(run_queue, "enqueue", lambda run, inline=False: None)
    client.post(_new_url(small_season), data=_form())
    queued = _only_run(app)

    response = client.post(f"/coordinator/runs/{queued.id}/rerun", follow_redirects=True)

    assert "This run has no stored snapshot to re-run." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(MatchRun.id))) == 1


def test_a_second_round_post_only_queues_and_its_job_builds_the_market_left(
    app, client, login, small_season, monkeypatch
):
    login(small_season.coordinator)
    client.post(_new_url(small_season), data=_form(seed="2"))
    first = _only_run(app)
    client.post(f"/coordinator/runs/{first.id}/publish", data={"confirm": "y"})
    with app.app_context():
        placements = db.session.scalars(db.select(Placement).order_by(Placement.id)).all()
        for placement in placements[1:]:
            placement.status = PlacementStatus.ACCEPTED
        placements[0].status = PlacementStatus.DECLINED  # not offered another
        db.session.commit()
        accepted = {p.student_id for p in placements[1:]}
        declined = placements[0].student_id
    handed = []
    monkeypatch.setattr(run_queue, "enqueue", lambda run, inline=False: handed.append(run.id))

    response = client.post(f"/coordinator/runs/seasons/{small_season.season.id}/second-round", data=_form(seed="4"))

    assert response.status_code == 302
    with app.app_context():
        queued = db.session.get(MatchRun, handed[0])
        assert queued.round == 2 and queued.status == RunStatus.QUEUED and queued.input_snapshot is None
        run_queue.execute_queued(queued.id)
        db.session.expire_all()
        done = db.session.get(MatchRun, queued.id)
        season = db.session.get(Season, small_season.season.id)
        taken = {position_id: 0 for position_id in db.session.scalars(db.select(Position.id))}
        for placement in placements[1:]:
            taken[placement.position_id] += 1
        expected = adapter.build_instance(season, {}, accepted | {declined}, taken)
        assert done.status == RunStatus.DONE, done.error
        assert done.input_snapshot == expected and done.input_hash == adapter.instance_hash(expected)
        in_market = {entry["id"] for entry in done.input_snapshot["students"]}
        assert not in_market & {adapter.student_key(s) for s in accepted | {declined}} and in_market


def test_a_second_round_lock_on_a_student_already_placed_is_refused_in_the_request(
    app, client, login, small_season, monkeypatch
):
    login(small_season.coordinator)
    client.post(_new_url(small_season), data=_form(seed="2"))
    first = _only_run(app)
    client.post(f"/coordinator/runs/{first.id}/publish", data={"confirm": "y"})
    with app.app_context():
        placement = db.session.scalars(db.select(Placement).order_by(Placement.id)).first()
        placement.status = PlacementStatus.ACCEPTED
        db.session.commit()
        student, position = placement.student_id, placement.position_id
    monkeypatch.setattr(run_queue, "enqueue", lambda run, inline=False: None)

    response = client.post(
        f"/coordinator/runs/seasons/{small_season.season.id}/second-round",
        data=_form(**{"locks-0-student": f"#{student}", "locks-0-position": f"#{position}", "locks-0-reason": "x"}),
    )

    assert response.status_code == 400
    assert f"Student #{student} is not in this match" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(MatchRun.id)).where(MatchRun.round == 2)) == 0
