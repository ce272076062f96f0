"""Lock order between a person's request and a background job that locks a parent row and then writes
rows of the people it concerns: the two must wait for each other, never deadlock (PostgreSQL)."""

from __future__ import annotations

import threading
import time

from races import postgresql_only
from sqlalchemy import text
from vacancy_world import open_vacancy_round

from sprint.extensions import db
from sprint.models import Position, User, VacancyApplication, VacancyRound
from sprint.services.matching import vacancy_students


@postgresql_only
def test_a_student_applying_while_the_round_email_job_holds_the_round_waits_instead_of_deadlocking(app, small_season):
    with app.app_context():
        world = open_vacancy_round(small_season)
        student_id, position_id = world.unmatched[0], world.freed
        engine = db.engine
    outcome: dict[str, object] = {}

    def student_applies() -> None:
        with app.app_context():
            try:
                vacancy_students.apply(
                    db.session.get(User, student_id),
                    db.session.get(VacancyRound, world.round),
                    db.session.get(Position, position_id),
                )
                outcome["student"] = "applied"
            except Exception as error:  # noqa: BLE001 - the test reports it
                outcome["student"] = error

    with engine.connect() as job:  # what the round's email job does: the round for update, then its people
        job.execute(text("SELECT id FROM vacancy_round WHERE id = :id FOR UPDATE"), {"id": world.round})
        request = threading.Thread(target=student_applies)
        request.start()
        time.sleep(1.5)  # the request runs up to the lock it waits for
        try:
            job.execute(text('SELECT id FROM "user" WHERE id = :id FOR KEY SHARE'), {"id": student_id})
            job.commit()
            outcome["job"] = "done"
        except Exception as error:  # noqa: BLE001 - a deadlock detected on this side
            outcome["job"] = error
        request.join(timeout=30)

    assert outcome == {"job": "done", "student": "applied"}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(VacancyApplication.id))) == 1
