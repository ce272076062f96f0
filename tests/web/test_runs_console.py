"""The match console in the browser's place: forms, pages, publication and who may reach them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import undefer

from sprint.extensions import db
from sprint.models import AuditEvent, MatchRun, Phase, Placement, PlacementStatus, Role, RunStatus
from sprint.services.matching import adapter
from sprint.services.support import jobs

MODES = ["stable", "stable-hosts", "max-stable", "welfare"]
CONFIRM = {"confirm": "y"}  # the confirmation page's button


def _form(**extra) -> dict:
    data = {"mode": "stable", "seed": "1", "time_limit": "10", "label": "", "cap_per": ""}
    data.update(extra)
    return data


def _post_run(client, season, **extra):
    return client.post(f"/coordinator/runs/seasons/{season.season.id}/new", data=_form(**extra))


def _runs(app) -> list[MatchRun]:
    with app.app_context():
        runs = db.session.scalars(
            db.select(MatchRun)
            .order_by(MatchRun.id)
            .options(undefer(MatchRun.input_snapshot), undefer(MatchRun.result))
        ).all()
        for run in runs:
            db.session.expunge(run)
        return runs


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_runs_from_the_console_and_its_snapshot_reproduces_it(app, client, login, small_season, mode):
    login(small_season.coordinator)

    response = _post_run(client, small_season, mode=mode, label=f"try {mode}")

    assert response.status_code == 302
    (run,) = _runs(app)
    assert run.status == RunStatus.DONE and run.mode == mode and run.label == f"try {mode}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "at first choice" in page and "Student 1" in page and "Blocking pairs" in page
    rerun = client.post(f"/coordinator/runs/{run.id}/rerun")
    assert rerun.status_code == 302
    first, again = _runs(app)
    assert again.input_hash == first.input_hash and again.input_snapshot == first.input_snapshot
    assert {a["student"]: a["position"] for a in again.result["assignments"]} == {
        a["student"]: a["position"] for a in first.result["assignments"]
    }
    verify = client.get(f"/coordinator/runs/{run.id}/verify").get_data(as_text=True)
    assert "Feasible" in verify
    checked = re.search(r"independent checker, (\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M E[SD]T)\.", verify)
    assert checked is not None, "the page says when the kept check was made, in the program's time"


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"mode": "stable", "cap_per": "host", "cap_max": "2"}, "pick one of those"),
        ({"mode": "welfare", "cap_max": "-1"}, "Use 0 or more"),
        ({"seed": "-5"}, "Use 0 or more"),
        ({"time_limit": "0"}, "between 1 and 600"),
        ({"locks-0-student": "999999", "locks-0-position": "1", "locks-0-reason": "x"}, "not in this match"),
        ({"forbids-0-student": "0", "forbids-0-position": "0", "forbids-0-reason": "because"}, "Choose both"),
        ({"mode": "sideways"}, "Not a valid choice"),
    ],
)
def test_bad_run_forms_are_refused_with_a_message_and_store_nothing(app, client, login, small_season, extra, message):
    login(small_season.coordinator)

    response = _post_run(client, small_season, **extra)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _runs(app) == []


def test_a_lock_without_a_reason_is_refused(app, client, login, small_season):
    login(small_season.coordinator)
    s, p = small_season.students, small_season.positions

    response = _post_run(
        client,
        small_season,
        **{"locks-0-student": str(s[1].id), "locks-0-position": str(p["A"].id), "locks-0-reason": ""},
    )

    assert response.status_code == 400 and "Give a reason" in response.get_data(as_text=True)
    assert _runs(app) == []


def test_locks_and_caps_with_reasons_are_kept_with_the_run(app, client, login, small_season):
    login(small_season.coordinator)
    s, p = small_season.students, small_season.positions

    response = _post_run(
        client,
        small_season,
        mode="max-stable",
        cap_per="position",
        cap_max="2",
        floor_first_generation="1",
        **{
            "locks-0-student": str(s[7].id),
            "locks-0-position": str(p["D"].id),
            "locks-0-reason": "Lives next door",
            "host_capacity-0-host": str(small_season.hosts[0].id),
            "host_capacity-0-total": "2",
        },
    )

    assert response.status_code == 302
    (run,) = _runs(app)
    assert run.parameters["reasons"]["lock"] == [
        {"student": f"s{s[7].id}", "position": f"p{p['D'].id}", "reason": "Lives next door"}
    ]
    assert {a["student"]: a["position"] for a in run.result["assignments"]}[f"s{s[7].id}"] == f"p{p['D'].id}"
    page = client.get(f"/coordinator/runs/{run.id}").get_data(as_text=True)
    assert "Lives next door" in page and "College cap: at most 2 per position" in page


def test_compare_shows_the_cost_of_a_lock_per_person(app, client, login, small_season):
    login(small_season.coordinator)
    s, p = small_season.students, small_season.positions
    _post_run(client, small_season)
    _post_run(
        client,
        small_season,
        **{"locks-0-student": str(s[1].id), "locks-0-position": str(p["C"].id), "locks-0-reason": "Try it"},
    )
    first, second = _runs(app)

    page = client.get(f"/coordinator/runs/compare?a={first.id}&b={second.id}").get_data(as_text=True)

    row = re.search(r">Student 1</a>.*?</tr>", page, re.DOTALL).group(0)  # the name links to the record
    assert "Position A (Host 1)" in row and "Position C (Host 2)" in row and "+2" in row
    same = client.get(f"/coordinator/runs/compare?a={first.id}&b={first.id}")
    assert same.status_code == 302


def test_publish_once_refuse_twice_then_decline_and_fill_in_a_second_round(app, client, login, small_season, outbox):
    login(small_season.coordinator)
    _post_run(client, small_season)
    _post_run(client, small_season, mode="welfare")
    first, other = _runs(app)

    confirm = client.get(f"/coordinator/runs/{first.id}/publish").get_data(as_text=True)
    assert "<strong>5 students</strong> get an offer" in confirm and "<strong>2 students</strong>" in confirm
    published = client.post(f"/coordinator/runs/{first.id}/publish", data=CONFIRM, follow_redirects=True)
    again = client.post(f"/coordinator/runs/{first.id}/publish", data=CONFIRM, follow_redirects=True)
    rival = client.post(
        f"/coordinator/runs/{other.id}/publish", data={**CONFIRM, "unstable_ok": "y"}, follow_redirects=True
    )

    assert "Published: 5 offers made" in published.get_data(as_text=True)
    assert "already published" in again.get_data(as_text=True)
    assert "already published" in rival.get_data(as_text=True)
    with app.app_context():
        placements = db.session.scalars(db.select(Placement).order_by(Placement.id)).all()
        assert (
            len(placements) == 5
            and db.session.get(type(small_season.season), small_season.season.id).phase == Phase.PUBLISHED
        )
        for placement in placements[1:]:
            placement.status = PlacementStatus.ACCEPTED
        db.session.commit()
        accepted = [(p.id, p.student_id, p.position_id) for p in placements[1:]]
        freed_id = placements[0].id
    assert len(outbox) >= 7
    change = client.post(
        f"/coordinator/runs/placements/{freed_id}", data={"end-kind": "withdrawn", "end-reason": "Family move"}
    )
    assert change.status_code == 302

    second = client.post(f"/coordinator/runs/seasons/{small_season.season.id}/second-round", data=_form(seed="4"))
    assert second.status_code == 302
    round_two = _runs(app)[-1]
    assert round_two.round == 2 and round_two.status == RunStatus.DONE
    published_two = client.post(
        f"/coordinator/runs/{round_two.id}/publish", data={**CONFIRM, "unstable_ok": "y"}, follow_redirects=True
    )
    assert "Published" in published_two.get_data(as_text=True)
    with app.app_context():
        still = db.session.scalars(db.select(Placement).where(Placement.id.in_([a[0] for a in accepted]))).all()
        assert sorted((p.id, p.student_id, p.position_id) for p in still) == sorted(accepted)
        assert all(p.status == PlacementStatus.ACCEPTED for p in still)
        rounds = db.session.scalars(db.select(Placement.round)).all()
        assert 2 in rounds
        assert db.session.get(Placement, freed_id).status == PlacementStatus.WITHDRAWN
    audit = client.get("/coordinator/runs/audit?record=Placement").get_data(as_text=True)
    assert "placement.withdrawn" in audit and "Family move" in audit and "run.published" not in audit


def test_second_round_page_suggests_positions_by_skills(app, client, login, small_season):
    login(small_season.coordinator)
    _post_run(client, small_season)
    (run,) = _runs(app)
    client.post(f"/coordinator/runs/{run.id}/publish", data=CONFIRM)

    page = client.get(f"/coordinator/runs/seasons/{small_season.season.id}/second-round").get_data(as_text=True)

    assert "Unmatched students (2)" in page and "skills" in page


def test_manual_placement_needs_a_reason_and_a_free_seat(app, client, login, small_season):
    login(small_season.coordinator)
    _post_run(client, small_season)
    (run,) = _runs(app)
    client.post(f"/coordinator/runs/{run.id}/publish", data=CONFIRM)
    with app.app_context():
        placed = set(db.session.scalars(db.select(Placement.student_id)))
    unplaced = next(u for u in small_season.students.values() if u.id not in placed)
    url = f"/coordinator/runs/seasons/{small_season.season.id}/placements/add"

    no_reason = client.post(
        url, data={"student": unplaced.id, "position": small_season.positions["D"].id, "reason": ""}
    )
    full = client.post(
        url, data={"student": unplaced.id, "position": small_season.positions["D"].id, "reason": "Host asked"}
    )

    assert no_reason.status_code == 400 and "Give a reason" in no_reason.get_data(as_text=True)
    assert full.status_code == 400 and "no free seat" in full.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Placement.id))) == 5


def test_run_status_and_explanations_use_names(app, client, login, small_season):
    login(small_season.coordinator)
    _post_run(client, small_season)
    (run,) = _runs(app)
    student = small_season.students[7]

    status = client.get(f"/coordinator/runs/{run.id}/status.json").get_json()
    explain = client.get(f"/coordinator/runs/{run.id}/explain/s{student.id}")
    position = client.get(f"/coordinator/runs/{run.id}/explain/p{small_season.positions['A'].id}")

    assert status["status"] == "done"
    assert explain.status_code == 200 and "Student 7" in explain.get_data(as_text=True)
    assert not re.search(r"\bp\d+\b", explain.get_data(as_text=True).split("<main")[1])
    assert position.status_code == 200 and "Position A (Host 1)" in position.get_data(as_text=True)
    assert client.get(f"/coordinator/runs/{run.id}/explain/s999999").status_code == 404


def test_audit_log_filters_by_person_type_and_date(app, client, login, small_season):
    login(small_season.coordinator)
    _post_run(client, small_season)

    everything = client.get("/coordinator/runs/audit").get_data(as_text=True)
    by_person = client.get(f"/coordinator/runs/audit?person={small_season.coordinator.id}")
    future = client.get("/coordinator/runs/audit?since=2999-01-01").get_data(as_text=True)
    backwards = client.get("/coordinator/runs/audit?since=2030-01-02&until=2030-01-01")

    assert "run.created" in everything and "Cora Coordinator" in everything
    assert by_person.status_code == 200 and "run.created" in by_person.get_data(as_text=True)
    assert "No events match" in future
    assert backwards.status_code == 400 and "comes before" in backwards.get_data(as_text=True)


def test_only_coordinators_of_the_program_reach_the_console(app, client, login, make, small_season):
    _post_run_as = small_season.coordinator
    login(_post_run_as)
    _post_run(client, small_season)
    (run,) = _runs(app)
    client.post("/logout")
    pages = [
        f"/coordinator/runs/{run.id}",
        f"/coordinator/runs/{run.id}/verify",
        f"/coordinator/runs/{run.id}/status.json",
        f"/coordinator/runs/seasons/{small_season.season.id}/new",
        f"/coordinator/runs/seasons/{small_season.season.id}/placements",
    ]

    assert client.get("/coordinator/runs/").status_code == 302  # anonymous: to the login page
    student = make.user(Role.STUDENT, small_season.program)
    host = make.member(small_season.hosts[0])
    for user in (student, host):
        login(user)
        assert client.get("/coordinator/runs/").status_code == 403
        assert all(client.get(url).status_code == 403 for url in pages)
        assert client.post(f"/coordinator/runs/{run.id}/publish").status_code == 403
        client.post("/logout")
    stranger = make.user(Role.COORDINATOR, make.program(name="Elsewhere"))
    login(stranger)
    assert all(client.get(url).status_code == 404 for url in pages)
    assert client.post(f"/coordinator/runs/{run.id}/publish").status_code == 404
    assert client.get(f"/coordinator/runs/compare?a={run.id}&b={run.id}").status_code == 404
    assert "run.created" not in client.get("/coordinator/runs/audit").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(MatchRun.published_at)) is None


def test_a_post_without_a_csrf_token_is_refused(app, small_season, password):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"email": small_season.coordinator.email, "password": password, "csrf_token": token})

        response = client.post(f"/coordinator/runs/seasons/{small_season.season.id}/new", data=_form())

        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _runs(app) == []


def test_cli_runs_a_match_and_prints_a_summary(app, runner, small_season):
    result = runner.invoke(
        args=["run-match", "--season-id", str(small_season.season.id), "--mode", "stable", "--seed", "1"]
    )
    missing = runner.invoke(args=["run-match", "--season-id", "999999"])

    assert result.exit_code == 0, result.output
    assert "matched 5 of 7 students" in result.output and "blocking pairs 0" in result.output
    assert missing.exit_code != 0 and "no season" in missing.output
    with app.app_context():
        run = db.session.scalar(db.select(MatchRun))
        assert run.input_hash == adapter.instance_hash(run.input_snapshot)
        assert db.session.scalar(db.select(AuditEvent.action)) == "run.created"


def test_cli_solves_inline_without_changing_the_apps_config(app, runner, small_season, monkeypatch):
    monkeypatch.setitem(app.config, "RUNS_INLINE", False)  # the web would queue a job
    monkeypatch.setattr(jobs, "enqueue", lambda *args, **kwargs: pytest.fail("the CLI queues no job"))

    result = runner.invoke(args=["run-match", "--season-id", str(small_season.season.id), "--seed", "1"])

    assert result.exit_code == 0, result.output
    assert app.config["RUNS_INLINE"] is False
    with app.app_context():
        assert db.session.scalar(db.select(MatchRun.status)) == RunStatus.DONE


def test_a_run_still_in_progress_shows_its_state_and_a_refresh_link(app, client, login, small_season):
    login(small_season.coordinator)
    _post_run(client, small_season)
    (run,) = _runs(app)
    with app.app_context():
        db.session.get(MatchRun, run.id).status = RunStatus.RUNNING
        db.session.commit()

    page = client.get(f"/coordinator/runs/{run.id}").get_data(as_text=True)

    assert "is <strong>running</strong> in the background" in page and ">Refresh</a>" in page
    assert f'data-status-url="/coordinator/runs/{run.id}/status.json"' in page
    assert "Publish round" not in page and "<script>" not in page


def test_the_new_run_page_names_the_modes_that_take_side_constraints_from_the_enum(client, login, small_season):
    login(small_season.coordinator)

    page = client.get(f"/coordinator/runs/seasons/{small_season.season.id}/new").get_data(as_text=True)

    assert "(max-stable or welfare mode only)" in page
    assert "Welfare: most placements, best ranks (allows side constraints)" in page
