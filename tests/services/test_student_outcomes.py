"""Outcomes of internships: validation and who may record them, one row per kind, the derived
"returned next summer", the CSV import, and the dashboards reading them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    OutcomeKind,
    Placement,
    StudentOutcome,
    User,
)
from sprint.services.dashboards import program
from sprint.services.dashboards.common import DashboardFilters
from sprint.services.directory import csv_import
from sprint.services.errors import NotAllowed, ServiceError
from sprint.services.matching import student_outcomes


def _get(model, id_):
    return db.session.get(model, id_)


def _outcomes() -> list[StudentOutcome]:
    return list(db.session.scalars(db.select(StudentOutcome).order_by(StudentOutcome.id)))


def test_a_coordinator_records_an_outcome_and_recording_it_again_updates_the_one_row(appctx, outcome_world):
    coordinator = _get(User, outcome_world.coordinator.id)
    placement = _get(Placement, outcome_world.placements["ana25"])

    student_outcomes.record(
        coordinator, placement, "hired_by_host", date(2025, 9, 2), "24.50", "Harbor Labs", "Technician"
    )
    again = student_outcomes.record(coordinator, placement, "hired_by_host", date(2025, 9, 15), "$26", "Harbor Labs")

    rows = _outcomes()
    assert [(row.kind, row.occurred_on, row.hourly_wage, row.note) for row in rows] == [
        ("hired_by_host", date(2025, 9, 15), Decimal("26.00"), "")
    ]
    assert again.id == rows[0].id and rows[0].season_id == outcome_world.s25.id and rows[0].source == "form"
    actions = list(
        db.session.scalars(
            db.select(AuditEvent.action).where(AuditEvent.action.like("outcome.%")).order_by(AuditEvent.id)
        )
    )
    assert actions == ["outcome.recorded", "outcome.updated"]


@pytest.mark.parametrize(
    ("kind", "day", "wage", "message"),
    [
        ("promoted", None, "", "not an outcome this program records"),
        ("hired_in_sector", date.today() + timedelta(days=3), "", "cannot be in the future"),
        ("hired_in_sector", date(2024, 12, 31), "", "before the internship's season"),
        ("hired_in_sector", None, "500.01", r"between \$0 and \$500"),
        ("hired_in_sector", None, "-1", r"between \$0 and \$500"),
        ("hired_in_sector", None, "lots", "not a number"),
    ],
)
def test_bad_outcomes_are_refused_with_a_message_and_nothing_written(appctx, outcome_world, kind, day, wage, message):
    coordinator = _get(User, outcome_world.coordinator.id)
    with pytest.raises(ServiceError, match=message):
        student_outcomes.record(coordinator, _get(Placement, outcome_world.placements["ana25"]), kind, day, wage)
    assert _outcomes() == []


def test_an_outcome_follows_only_an_accepted_or_completed_placement(appctx, outcome_world):
    with pytest.raises(ServiceError, match="declined"):
        student_outcomes.record(
            _get(User, outcome_world.coordinator.id),
            _get(Placement, outcome_world.placements["cy25"]),
            "hired_in_sector",
        )
    assert _outcomes() == []


def test_the_host_records_only_a_hire_or_return_offer_for_its_own_intern(appctx, outcome_world):
    placement = _get(Placement, outcome_world.placements["ben25"])
    member, stranger = _get(User, outcome_world.member.id), _get(User, outcome_world.stranger.id)

    student_outcomes.record(member, placement, "return_offer", None, "", "", "Come back next June")
    with pytest.raises(NotAllowed):
        student_outcomes.record(member, placement, "continuing_education")
    with pytest.raises(NotAllowed):
        student_outcomes.record(stranger, placement, "hired_by_host")
    with pytest.raises(NotAllowed):
        student_outcomes.record(_get(User, outcome_world.other_coordinator.id), placement, "hired_by_host")

    assert [row.kind for row in _outcomes()] == ["return_offer"]


def test_remove_deletes_the_outcome_and_audits_it(appctx, outcome_world):
    coordinator = _get(User, outcome_world.coordinator.id)
    outcome = student_outcomes.record(
        coordinator, _get(Placement, outcome_world.placements["ben25"]), "hired_in_sector"
    )
    with pytest.raises(NotAllowed):
        student_outcomes.remove(_get(User, outcome_world.other_coordinator.id), outcome)

    student_outcomes.remove(coordinator, outcome)

    assert _outcomes() == []
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "outcome.removed")) is not None


def test_derive_returned_marks_the_earlier_season_once_however_often_it_runs(appctx, outcome_world):
    s26 = _get(type(outcome_world.s26), outcome_world.s26.id)

    first = student_outcomes.derive_returned(s26)
    second = student_outcomes.derive_returned(s26)

    rows = _outcomes()
    assert (first, second) == (1, 0)
    assert [(row.student_id, row.season_id, row.kind, row.source) for row in rows] == [
        (outcome_world.ana.id, outcome_world.s25.id, "returned_next_summer", "derived")
    ]
    assert student_outcomes.outcomes_of(_get(User, outcome_world.ana.id))[0].kind == OutcomeKind.RETURNED_NEXT_SUMMER
    assert student_outcomes.derive_all_returned() == 0


def test_the_daily_job_derives_who_returned(app, outcome_world):
    from datetime import datetime

    from sprint.services.support import jobs

    task = jobs.jobs_of(app).tasks["matching.derive_returned"].task_class()
    assert task.validate_datetime(datetime(2027, 4, 5, 6, 17)) and not task.validate_datetime(
        datetime(2027, 4, 5, 7, 17)
    )
    with app.app_context():
        assert jobs.jobs_of(app).functions["matching.derive_returned"]() == 1
        assert jobs.jobs_of(app).functions["matching.derive_returned"]() == 0


OUTCOMES_CSV = (
    "student_email,season_year,kind,date,hourly_wage,employer,note\r\n"
    "ana@example.edu,2025,hired_by_host,2025-09-01,24.00,Harbor Labs,Technician\r\n"
    "BEN@example.edu,2025,continuing_education,,,,\r\n"
)


def test_outcomes_csv_imports_and_the_same_file_again_changes_nothing(appctx, outcome_world):
    me = _get(User, outcome_world.coordinator.id)

    first = csv_import.run_import(me, "outcomes", OUTCOMES_CSV.encode())
    second = csv_import.run_import(me, "outcomes", OUTCOMES_CSV.encode())

    assert (len(first.new), len(second.new), len(second.changed), second.unchanged) == (2, 0, 0, 2)
    rows = _outcomes()
    assert [(row.student_id, row.kind, row.hourly_wage, row.source) for row in rows] == [
        (outcome_world.ana.id, "hired_by_host", Decimal("24.00"), "csv"),
        (outcome_world.ben.id, "continuing_education", None, "csv"),
    ]
    changed = OUTCOMES_CSV.replace("24.00", "25.00")
    third = csv_import.run_import(me, "outcomes", changed.encode())
    assert (len(third.changed), third.unchanged) == (1, 1)
    assert len(_outcomes()) == 2


def test_an_outcomes_file_with_a_bad_row_imports_nothing_and_names_each_problem(appctx, outcome_world):
    me = _get(User, outcome_world.coordinator.id)
    content = (
        OUTCOMES_CSV
        + "nobody@example.edu,2025,hired_by_host,,,,\r\n"
        + "cy@example.edu,2025,hired_by_host,,,,\r\n"
        + "ana@example.edu,2019,hired_by_host,,,,\r\n"
        + "ana@example.edu,2026,promoted,,,,\r\n"
        + "ana@example.edu,2026,hired_in_sector,,900,,\r\n"
    ).encode()

    preview = csv_import.preview(me, "outcomes", content)
    with pytest.raises(ServiceError, match="Nothing was imported"):
        csv_import.run_import(me, "outcomes", content)

    lines = [line for line, _ in preview.row_errors]
    assert lines == [4, 5, 6, 7, 8]
    reasons = " | ".join(reason for _, reason in preview.row_errors)
    for fragment in (
        "not a student of your program",
        "no accepted placement",
        "no season of that year",
        'kind "promoted"',
        "between $0 and $500",
    ):
        assert fragment in reasons
    assert _outcomes() == []
    other = _get(User, outcome_world.other_coordinator.id)
    foreign = csv_import.preview(other, "outcomes", OUTCOMES_CSV.encode())
    assert len(foreign.row_errors) == 2 and not foreign.new  # another program's students are not found


def test_outcomes_template_names_a_real_placement_and_imports_as_it_is(appctx, outcome_world):
    from sprint.services.directory.csv_import_kinds import template_rows

    header, example = template_rows("outcomes", outcome_world.program.id)
    row = dict(zip(header, example, strict=True))
    assert header[:3] == ["student_email", "season_year", "kind"]
    content = (",".join(header) + "\r\n" + ",".join(example) + "\r\n").encode()
    assert csv_import.preview(_get(User, outcome_world.coordinator.id), "outcomes", content).ok, row


def test_the_dashboards_count_hires_and_returns_from_the_recorded_outcomes(appctx, outcome_world):
    coordinator = _get(User, outcome_world.coordinator.id)
    placement = db.session.get(Placement, outcome_world.placements["ana25"])
    placement.outcome = "hired"  # the old column is no longer read
    db.session.commit()

    def later_2025() -> int:
        return program._funnel_by_year(outcome_world.program.id, DashboardFilters())[2025].later

    before = later_2025()
    student_outcomes.record(coordinator, _get(Placement, outcome_world.placements["ben25"]), "hired_in_sector")
    student_outcomes.record(coordinator, _get(Placement, outcome_world.placements["ben25"]), "continuing_education")
    student_outcomes.derive_returned(_get(type(outcome_world.s26), outcome_world.s26.id))

    assert (before, later_2025()) == (0, 2)  # Ben hired elsewhere in the sector, Ana back in 2026
