"""Every route of the app, for every kind of visitor, against an expected-outcome table.

A route added without a row here fails `test_every_route_has_a_row`. For each route the table
names who may use it with GET and with POST; everyone else must be sent to log in (anonymous)
or refused with 403/404, and nobody ever gets a 500. Ids in the URLs point at one student's
records, so the "other" student, host and coordinator also prove the object-level checks.
"""

from __future__ import annotations

import re

from werkzeug.routing import Rule

ACTORS = (
    "anonymous",
    "student",
    "other_student",
    "host",
    "other_host",
    "liaison",
    "other_coordinator",
    "coordinator",
    "admin",
)
NOBODY: frozenset[str] = frozenset()
EVERYONE = frozenset(ACTORS)
USERS = EVERYONE - {"anonymous"}
STUDENT = frozenset({"student"})
STUDENTS = frozenset({"student", "other_student"})
HOST = frozenset({"host"})
HOSTS = frozenset({"host", "other_host"})
COORDINATOR = frozenset({"coordinator"})
COORDINATORS = frozenset({"coordinator", "other_coordinator"})
DASHBOARD_READERS = frozenset({"coordinator", "other_coordinator", "admin"})
LIAISON = frozenset({"liaison"})
ADMIN = frozenset({"admin"})

# endpoint: (who may GET, who may POST); GET rows of POST-only routes are NOBODY (405 expected).
TABLE: dict[str, tuple[frozenset, frozenset]] = {
    "main.index": (EVERYONE, NOBODY),
    "main.health": (EVERYONE, NOBODY),
    "main.resume": (frozenset({"student", "host", "coordinator"}), NOBODY),
    "main.old_season_link": (EVERYONE, EVERYONE),  # a redirect; the page it names checks access
    "main.old_run_season_link": (EVERYONE, EVERYONE),
    "auth.login": (EVERYONE, EVERYONE),
    "auth.logout": (NOBODY, USERS),
    "auth.language": (NOBODY, EVERYONE),  # the language switch: a cookie for anyone, saved on a user
    "auth.account": (USERS, USERS),
    "auth.logout_everywhere": (NOBODY, USERS),
    "auth.register": (EVERYONE, EVERYONE),
    "auth.forgot_password": (EVERYONE, EVERYONE),
    "auth.reset_password": (EVERYONE, EVERYONE),
    "auth.accept_invitation": (EVERYONE, EVERYONE),
    "auth.confirm_sign_up": (EVERYONE, NOBODY),
    "student.dashboard": (STUDENTS, NOBODY),
    "student.profile": (STUDENTS, STUDENTS),
    "student.upload_resume": (NOBODY, STUDENTS),
    "student.browse": (STUDENTS, NOBODY),
    "student.position": (STUDENTS, STUDENTS),
    "student.ranks": (STUDENTS, STUDENTS),
    "student.withdraw": (STUDENT, STUDENT),
    "student.accept_offer": (STUDENT, STUDENT),
    "student.decline_offer": (STUDENT, STUDENT),
    "student.undo_decline": (NOBODY, STUDENT),
    "student.internship": (STUDENT, NOBODY),  # the other student gets a 404
    "student.check_in": (NOBODY, STUDENT),
    "student.survey": (NOBODY, STUDENT),
    "company.dashboard": (HOSTS, NOBODY),
    "company.profile": (HOSTS, HOSTS),
    "company.team": (HOSTS, HOSTS),
    "company.remove_member": (HOST, HOST),
    "company.new_position": (HOSTS, HOSTS),
    "company.edit_position": (HOST, HOST),
    "company.withdraw_position": (HOST, HOST),
    "company.applicants": (HOSTS, NOBODY),
    "company.applicant": (HOST, HOST),
    "company.ranks": (HOST, HOST),
    "company.results": (HOSTS, NOBODY),
    "company.record_outcome": (NOBODY, frozenset({"host"})),  # the other host's member: not its intern, 404
    "company.intern": (HOST, NOBODY),  # the summer: the other host's member gets a 404
    "company.confirm_start": (NOBODY, HOST),
    "company.confirm_end": (NOBODY, HOST),
    "company.check_in": (NOBODY, HOST),
    "company.evaluate": (NOBODY, HOST),
    "company.position_interviews": (HOST, NOBODY),  # interviews: the other host's member gets 404s
    "company.add_interview_slot": (NOBODY, HOST),
    "company.add_interview_series": (NOBODY, HOST),
    "company.interview_cutoff": (NOBODY, HOST),
    "company.invite_interviews": (NOBODY, HOSTS),  # nothing ticked: each host's own (empty) request
    "company.remove_interview_slot": (NOBODY, HOST),
    "company.mark_interview": (NOBODY, HOST),
    "student.interviews_page": (STUDENTS, NOBODY),  # each sees only their own invitations
    "student.book_interview": (NOBODY, STUDENT),  # the other student: not their invitation, 404
    "student.decline_interview": (NOBODY, STUDENT),
    "main.calendar_feed": (EVERYONE, NOBODY),  # the signed link is the key (a reset or forged one: 404)
    "auth.reset_calendar": (NOBODY, USERS),
    "coordinator.dashboard": (COORDINATORS, NOBODY),
    "coordinator.invite": (COORDINATORS, COORDINATORS),
    "coordinator.time_zone": (NOBODY, COORDINATORS),  # each sets their own program's
    "coordinator.season_list": (COORDINATORS, NOBODY),
    "coordinator.new_season": (COORDINATORS, COORDINATORS),
    "coordinator.season": (COORDINATOR, NOBODY),
    "coordinator.season_dates": (COORDINATOR, COORDINATOR),
    "coordinator.confirm_phase": (COORDINATOR, NOBODY),
    "coordinator.move_phase": (NOBODY, COORDINATOR),
    "coordinator.extensions": (COORDINATOR, COORDINATOR),
    "coordinator.directory_home": (COORDINATORS, NOBODY),
    "coordinator.directory": (COORDINATORS, NOBODY),
    "coordinator.directory_csv": (COORDINATORS, NOBODY),
    "coordinator.new_host": (COORDINATORS, COORDINATORS),
    "coordinator.approve_host": (NOBODY, COORDINATOR),
    "coordinator.unapprove_host": (COORDINATOR, COORDINATOR),
    "coordinator.staff_active": (COORDINATOR, COORDINATOR),
    "coordinator.import_csv": (COORDINATORS, COORDINATORS),
    "coordinator.import_confirm": (NOBODY, COORDINATORS),
    "coordinator.import_template": (COORDINATORS, NOBODY),
    "coordinator.import_progress": (COORDINATOR, NOBODY),  # only the coordinator who imported sees it
    "coordinator.import_status": (COORDINATOR, NOBODY),
    "coordinator.email": (COORDINATORS, NOBODY),
    "coordinator.resend_email": (NOBODY, COORDINATOR),
    "coordinator.student": (COORDINATOR, NOBODY),
    "runs.index": (COORDINATORS, NOBODY),
    "runs.new": (COORDINATOR, COORDINATOR),
    "runs.second_round": (COORDINATOR, COORDINATOR),
    "vacancy.new": (COORDINATOR, COORDINATOR),  # the other program's coordinator: not their season, 404
    "vacancy.show": (COORDINATOR, NOBODY),
    "vacancy.run": (COORDINATOR, COORDINATOR),
    "vacancy.cancel": (COORDINATOR, COORDINATOR),
    "vacancy_student.round_page": (STUDENTS, NOBODY),
    "vacancy_student.apply": (NOBODY, STUDENTS),  # both of the program; the other student is refused with a 400
    "vacancy_student.withdraw": (NOBODY, STUDENT),  # the student's own application only
    "vacancy_student.move": (NOBODY, STUDENT),
    "vacancy_host.overview": (HOSTS, NOBODY),
    "vacancy_host.ranks": (HOST, HOST),  # the other host: not its position, 404
    "vacancy_host.invite": (NOBODY, HOST),
    "runs.show": (COORDINATOR, NOBODY),
    "runs.status": (COORDINATOR, NOBODY),
    "runs.pick": (COORDINATOR, NOBODY),
    "runs.verify": (COORDINATOR, NOBODY),
    "runs.explain": (COORDINATOR, NOBODY),
    "runs.compare": (COORDINATOR, NOBODY),
    "runs.confirm_publish": (COORDINATOR, COORDINATOR),
    "runs.schedule_publication": (NOBODY, COORDINATOR),
    "runs.cancel_publication": (NOBODY, COORDINATOR),
    "runs.act": (NOBODY, COORDINATOR),
    "runs.placements": (COORDINATOR, NOBODY),
    "runs.offers_csv": (COORDINATOR, NOBODY),
    "runs.remind_offers": (NOBODY, COORDINATOR),
    "runs.placement": (COORDINATOR, COORDINATOR),
    "runs.record_outcome": (NOBODY, COORDINATOR),
    "runs.remove_outcome": (NOBODY, COORDINATOR),
    "runs.derive_returned": (NOBODY, COORDINATOR),
    "runs.add_placement": (COORDINATOR, COORDINATOR),
    "runs.confirm_start": (NOBODY, COORDINATOR),
    "runs.confirm_end": (NOBODY, COORDINATOR),
    "runs.correct_summer": (NOBODY, COORDINATOR),
    "runs.summer": (COORDINATOR, NOBODY),
    "runs.audit": (COORDINATORS, NOBODY),
    "dashboards.overview": (DASHBOARD_READERS, NOBODY),
    "dashboards.page": (DASHBOARD_READERS, NOBODY),
    "dashboards.college": (DASHBOARD_READERS, NOBODY),
    "dashboards.host": (frozenset({"coordinator", "admin"}), NOBODY),
    "dashboards.export": (DASHBOARD_READERS, NOBODY),
    "dashboards.chart": (DASHBOARD_READERS, NOBODY),
    "dashboards.report_csv": (DASHBOARD_READERS, NOBODY),
    "dashboards.invite_liaison": (DASHBOARD_READERS, DASHBOARD_READERS),
    "liaison.dashboard": (LIAISON, NOBODY),
    "liaison.export": (LIAISON, NOBODY),
    "liaison.chart": (LIAISON, NOBODY),
    "admin.dashboard": (ADMIN, ADMIN),
    "admin.program": (ADMIN, ADMIN),
    "admin.colleges": (ADMIN, NOBODY),
    "admin.college": (ADMIN, ADMIN),  # the college directory is shared: only admins change it
    "admin.time_zone": (NOBODY, ADMIN),
    "admin.move_student": (NOBODY, ADMIN),
    "admin.email": (ADMIN, NOBODY),
    "admin.resend_email": (NOBODY, ADMIN),
    "student_messages.inbox": (STUDENTS, NOBODY),
    "student_messages.thread": (STUDENT, STUDENT),  # the other student: not their application, 404
    "host_messages.inbox": (HOSTS, NOBODY),
    "host_messages.thread": (HOST, HOST),  # the other host's member: not its applicant, 404
    "coordinator_messages.threads": (COORDINATORS, NOBODY),
    "coordinator_messages.thread": (COORDINATOR, NOBODY),  # the other program's coordinator: 404
    "coordinator_messages.close": (NOBODY, COORDINATOR),
    "notifications.index": (USERS, NOBODY),  # each person's own list
    "notifications.read": (NOBODY, STUDENT),  # the student's notification: anyone else gets a 404
    "notifications.read_all": (NOBODY, USERS),
    "auth.notification_choices": (NOBODY, USERS),
    "coordinator.messages": (COORDINATOR, COORDINATOR),  # the other program's coordinator: not their season, 404
    "coordinator.send_message": (NOBODY, COORDINATOR),
}
SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}  # files, not records


def test_every_route_has_a_row(base_app):
    endpoints = {rule.endpoint for rule in base_app.url_map.iter_rules()} - SKIPPED_ENDPOINTS

    assert endpoints - set(TABLE) == set(), "add these routes to the access table"
    assert set(TABLE) - endpoints == set(), "these rows name routes that no longer exist"


def _url(rule: Rule, values: dict, app) -> str:
    """Fill a rule's parameters from the world's ids; per-endpoint choices where names are ambiguous."""
    args = {}
    for name in rule.arguments:
        if name == "subject":
            args[name] = values["host_id"] if rule.endpoint == "dashboards.host" else values["college_id"]
        elif name in values:
            args[name] = values[name]
        elif name in (rule.defaults or {}):
            continue
        else:
            converter = rule._converters[name]
            args[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "x"
    if rule.endpoint == "company.withdraw_position":
        args["position_id"] = values["spare_position_id"]
    if rule.endpoint == "coordinator.directory" or rule.endpoint == "coordinator.directory_csv":
        args["kind"] = "students"
    if rule.endpoint == "coordinator.import_template":
        args["kind"] = "students"
    if rule.endpoint == "coordinator.confirm_phase":
        args["target"] = "closed"  # the world's season is published
    if rule.endpoint in ("coordinator.approve_host", "coordinator.unapprove_host"):
        args["host_id"] = values["other_host_id"]  # keep the student's host visible for the checks after
    if rule.endpoint == "runs.act":
        args["action"] = "rerun"
    if rule.endpoint == "main.calendar_feed":
        args["token"] = values["feed_token"]
    with app.test_request_context():
        from flask import url_for

        url = url_for(rule.endpoint, **args)
    if rule.endpoint == "runs.compare":
        url += values["compare"]
    return url


def _export_and_chart_urls(clients, values) -> dict[str, str]:
    """Dashboard table keys come from the pages themselves."""
    page = clients["coordinator"].get("/dashboards/").get_data(as_text=True)
    liaison_page = clients["liaison"].get("/liaison/").get_data(as_text=True)
    return {
        "dashboards.export": re.search(r'href="(/dashboards/export/[^"?]+\.csv)', page).group(1),
        "dashboards.chart": re.search(r'src="(/dashboards/chart/[^"?]+\.svg)', page).group(1),
        "liaison.export": re.search(r'href="(/liaison/export/[^"?]+\.csv)', liaison_page).group(1),
        "liaison.chart": re.search(r'src="(/liaison/chart/[^"?]+\.svg)', liaison_page).group(1),
    }


def _outcome(response) -> str:
    if response.status_code >= 500:
        return "error"
    if response.status_code in (401, 403, 404):
        return "denied"
    if response.status_code == 405:
        return "method"
    if response.status_code in (301, 302, 303) and "/login" in response.location:
        return "login"
    return "allowed"


def _failed_email(app, program_id: int) -> int:
    """A failed email of the world's program, for the Resend route."""
    from sprint.extensions import db
    from sprint.models import EmailStatus, OutboxEmail

    with app.app_context():
        email = OutboxEmail(
            program_id=program_id,
            recipient="x@example.org",
            subject="S",
            template="t",
            body="B",
            status=EmailStatus.FAILED,
        )
        db.session.add(email)
        db.session.commit()
        return email.id


def _scheduled_publication(app, season_id: int, run_id: int) -> int:
    """A publication of the world's second run waiting for its time, for the Cancel route."""
    from datetime import timedelta

    from sprint.extensions import db
    from sprint.models import ScheduledPublication, utcnow

    with app.app_context():
        scheduled = ScheduledPublication(
            season_id=season_id, run_id=run_id, round=2, publish_at=utcnow() + timedelta(days=1)
        )
        db.session.add(scheduled)
        db.session.commit()
        return scheduled.id


def _student_outcome(app, values: dict) -> int:
    """A recorded outcome of the world's student, for the Remove route."""
    from sprint.extensions import db
    from sprint.models import StudentOutcome

    with app.app_context():
        outcome = StudentOutcome(
            program_id=values["program_id"],
            student_id=values["student_id"],
            season_id=values["season_id"],
            placement_id=values["placement_id"],
            kind="hired_in_sector",
        )
        db.session.add(outcome)
        db.session.commit()
        return outcome.id


def _vacancy_round(app, values: dict) -> dict:
    """An open vacancy round of the world's season with the student's application to the host's position."""
    from datetime import timedelta

    from sprint.extensions import db
    from sprint.models import VacancyApplication, VacancyRound, utcnow

    with app.app_context():
        round_ = VacancyRound(
            season_id=values["season_id"],
            number=2,
            opens_at=utcnow() - timedelta(hours=1),
            closes_at=utcnow() + timedelta(days=1),
        )
        db.session.add(round_)
        db.session.flush()
        application = VacancyApplication(
            round_id=round_.id, student_id=values["student_id"], position_id=values["position_id"], rank=1
        )
        db.session.add(application)
        db.session.commit()
        return {"round_id": round_.id, "application_id": application.id}


def _import_job(app, program_id: int, email: str) -> int:
    """A finished CSV import of the world's coordinator, for its progress page and status."""
    from sprint.extensions import db
    from sprint.models import ImportJob, User

    with app.app_context():
        actor = db.session.scalar(db.select(User).where(User.email == email))
        job = ImportJob(
            program_id=program_id, actor_id=actor.id, kind="hosts", content=b"", digest="0" * 64, status="done"
        )
        db.session.add(job)
        db.session.commit()
        return job.id


def _interview(app, values: dict) -> dict:
    """A slot of the world's position booked by the world's student, and the student's feed link."""
    from datetime import timedelta

    from sprint.extensions import db
    from sprint.models import Interview, InterviewSlot, User, utcnow
    from sprint.services.market import interview_calendar

    with app.test_request_context():
        slot = InterviewSlot(
            position_id=values["position_id"], starts_at=utcnow() + timedelta(days=3), minutes=30, format="phone"
        )
        db.session.add(slot)
        db.session.flush()
        interview = Interview(
            position_id=values["position_id"],
            student_id=values["student_id"],
            slot_id=slot.id,
            status="booked",
            starts_at=slot.starts_at,
        )
        db.session.add(interview)
        db.session.commit()
        token = interview_calendar.feed_token(db.session.get(User, values["student_id"]))
        return {"slot_id": slot.id, "interview_id": interview.id, "feed_token": token}


def _message_thread(app, values: dict) -> int:
    """A thread about the world's application, with one message from the student."""
    from sprint.extensions import db
    from sprint.models import Message, MessageThread

    with app.app_context():
        thread = MessageThread(interest_id=values["interest_id"], program_id=values["program_id"])
        thread.messages = [Message(author_id=values["student_id"], from_host=False, body="Hello")]
        db.session.add(thread)
        db.session.commit()
        return thread.id


def _notification(app, student_id: int) -> int:
    """A notification of the world's student, for the Mark read route."""
    from sprint.extensions import db
    from sprint.models import Notification

    with app.app_context():
        notification = Notification(
            user_id=student_id, kind="deadline", subject="Ranking closes soon", link="/student/"
        )
        db.session.add(notification)
        db.session.commit()
        return notification.id


def test_access_matrix(app, world):
    people, values = world
    values = {
        **values,
        **_vacancy_round(app, values),
        "email_id": _failed_email(app, values["program_id"]),
        "scheduled_id": _scheduled_publication(app, values["season_id"], values["run_id"]),
        "outcome_id": _student_outcome(app, values),
        "import_id": _import_job(app, values["program_id"], people["coordinator"]),
        **_interview(app, values),
        "thread_id": _message_thread(app, values),
        "notification_id": _notification(app, values["student_id"]),
    }
    clients = {actor: app.test_client() for actor in ACTORS}
    for actor, email in people.items():
        response = clients[actor].post("/login", data={"email": email, "password": "correct horse battery"})
        assert response.status_code == 302, actor
    special = _export_and_chart_urls(clients, values)
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED_ENDPOINTS]
    # Refusals first (they must change nothing), then the allowed requests, the most destructive last.
    wrong, checks = [], []
    for rule in sorted(rules, key=lambda r: r.rule):
        url = special.get(rule.endpoint) or _url(rule, values, app)
        get_ok, post_ok = TABLE[rule.endpoint]
        for method, allowed in (("GET", get_ok), ("POST", post_ok)):
            if method not in rule.methods:
                continue
            for actor in ACTORS:
                checks.append((actor in allowed, method, actor, rule.endpoint, url))
    last = ("auth.logout_everywhere", "auth.logout", "runs.act")
    order = sorted(checks, key=lambda c: (c[0], c[0] and c[1] == "POST", c[3] in last))
    for expected_allowed, method, actor, endpoint, url in order:
        client = clients[actor]
        response = client.get(url) if method == "GET" else client.post(url, data={})
        outcome = _outcome(response)
        if expected_allowed:
            good = outcome == "allowed"
        else:
            good = outcome == ("login" if actor == "anonymous" else "denied")
        if not good:
            wrong.append(
                f"{method} {url} as {actor}: {response.status_code} ({outcome}), "
                f"expected {'allowed' if expected_allowed else 'refused'}"
            )
        response.close()
        if endpoint == "auth.logout_everywhere" and expected_allowed:  # it ended the session: back in
            client.post("/login", data={"email": people[actor], "password": "correct horse battery"})
    assert wrong == [], "\n".join(wrong)
