"""CSV import: a preview that reports every bad row, all-or-nothing writes, idempotent re-imports."""

from __future__ import annotations

import pytest

from sprint.extensions import db
from sprint.models import AuditEvent, College, HostCompany, Phase, Position, Role, Season, User
from sprint.services.directory import csv_import
from sprint.services.errors import NotAllowed, ServiceError

COLLEGES = (
    "name,state,town,kind\r\n"
    "Gateway Community College,CT,New Haven,community\r\n"
    '"Albertus Magnus College, Inc.",ct,New Haven,private\r\n'
)


@pytest.fixture
def actor(make):
    program = make.program()
    return make.user(Role.COORDINATOR, program), program


def _me(actor):
    return db.session.get(User, actor[0].id)


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_valid_colleges_preview_then_import_and_the_same_file_twice_changes_nothing(appctx, actor):
    preview = csv_import.preview(_me(actor), "colleges", COLLEGES.encode())
    assert preview.ok and len(preview.new) == 2 and _count(College) == 0

    first = csv_import.run_import(_me(actor), "colleges", COLLEGES.encode())
    second = csv_import.run_import(_me(actor), "colleges", COLLEGES.encode())

    assert (len(first.new), first.unchanged) == (2, 0)
    assert (len(second.new), len(second.changed), second.unchanged) == (0, 0, 2)
    names = set(db.session.scalars(db.select(College.name)))
    assert names == {"Gateway Community College", "Albertus Magnus College, Inc."}
    assert _count(College) == 2


def test_a_bad_row_imports_nothing_and_every_problem_is_reported_with_its_line(appctx, actor):
    content = (
        COLLEGES + "Somewhere College,Connecticut,Hartford,private\r\n"
        ",CT,Hartford,community\r\nYale,CT,New Haven,ivy\r\n"
    ).encode()

    preview = csv_import.preview(_me(actor), "colleges", content)
    with pytest.raises(ServiceError, match="Nothing was imported"):
        csv_import.run_import(_me(actor), "colleges", content)

    assert preview.row_errors == [
        (4, 'state "Connecticut" should be a two-letter code such as CT.'),
        (5, "name is empty."),
        (6, 'kind "ivy" is not one of: community, public_four_year, private, minority_serving, other.'),
    ]
    assert _count(College) == 0


def test_line_numbers_count_quoted_cells_that_span_lines_and_repeated_keys(appctx, actor, make):
    make.host(actor[1], name="Harbor Robotics")
    make.season(actor[1], 2028)
    season = db.session.scalar(db.select(Season))
    content = (
        b"host,title,slots,hourly_pay,hours_per_week,start_date,end_date,description\n"
        b'Harbor Robotics,Controls,2,21.50,40,2028-06-01,2028-08-01,"Line one\nline two, with ""quotes"""\n'
        b"Harbor Robotics,Controls,1,21.50,40,2028-06-01,2028-08-01,again\n"
        b"Nobody Inc,Welder,1,0,40,2028-06-01,2028-08-01,\n"
    )

    preview = csv_import.preview(_me(actor), "positions", content, season)

    assert preview.row_errors == [
        (4, "repeats the position on line 2."),
        (5, 'host "Nobody Inc" is not a host of your program; import or add it first.'),
    ]
    assert [(line, values["description"]) for line, values in preview.new] == [(2, 'Line one\nline two, with "quotes"')]


def test_positions_import_into_the_season_and_skills_come_along(appctx, actor, make):
    make.host(actor[1], name="Harbor Robotics")
    season = db.session.get(Season, make.season(actor[1], 2028, Phase.DRAFT).id)
    content = (
        b"host,title,slots,hourly_pay,hours_per_week,start_date,end_date,required_skills,preferred_skills\n"
        b"harbor robotics,Controls intern,2,$21.50,40,2028-06-01,2028-08-01,Python; soldering,CAD\n"
    )

    csv_import.run_import(_me(actor), "positions", content, season)
    again = csv_import.run_import(_me(actor), "positions", content, season)

    position = db.session.scalar(db.select(Position))
    assert (position.title, position.slots, str(position.hourly_pay)) == ("Controls intern", 2, "21.50")
    assert position.required_skills == ["python", "soldering"] and position.preferred_skills == ["cad"]
    assert again.unchanged == 1 and _count(Position) == 1


def test_hosts_import_updates_a_changed_row_only(appctx, actor, make):
    make.host(actor[1], name="Harbor Robotics", approved=False)
    content = (
        b"Name,Sector,Site Town,Size\nHarbor Robotics,Robotics,New Haven,medium\nElm Labs,Biotech,Branford,small\n"
    )

    result = csv_import.run_import(_me(actor), "hosts", content)

    assert (len(result.new), len(result.changed)) == (1, 1)
    harbor = db.session.scalar(db.select(HostCompany).where(HostCompany.name == "Harbor Robotics"))
    assert (harbor.sector, harbor.size, harbor.approved) == ("Robotics", "medium", True)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "import.hosts"))
    assert event.details == {"new": 1, "changed": 1, "unchanged": 0}


def test_imported_students_get_an_account_without_a_known_password_and_an_invitation(appctx, actor, outbox):
    db.session.add(College(name="Gateway Community College", state="CT"))
    db.session.commit()
    content = (
        b"email,name,college,college_state,major,class_year\n"
        b"Ana@Example.edu,Ana Rivera,gateway community college,CT,Biology,2028\n"
    )

    csv_import.run_import(_me(actor), "students", content)
    csv_import.run_import(_me(actor), "students", content)

    ana = db.session.scalar(db.select(User).where(User.email == "ana@example.edu"))
    assert ana.role == Role.STUDENT and ana.program_id == actor[1].id
    assert ana.profile.major == "Biology" and ana.profile.college.name == "Gateway Community College"
    assert [message.to for message in outbox] == [["ana@example.edu"]]
    assert "to choose your password" in outbox[0].body and "/reset-password/" in outbox[0].body


def test_a_student_row_for_someone_elses_account_is_refused(appctx, actor, make):
    other_program = make.program()
    make.user(Role.STUDENT, other_program, email="taken@example.edu")
    content = b"email,name\ntaken@example.edu,Someone\nnot-an-email,Bad\n"

    preview = csv_import.preview(_me(actor), "students", content)

    assert preview.row_errors == [
        (2, "taken@example.edu belongs to an account that is not a student of your program."),
        (3, 'email "not-an-email" is not an email address.'),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,state\n", "header row but no data rows"),
        (b"name,town\nX,Y\n", "Missing columns: state."),
        (b"name,state,colour\nX,CT,red\n", "Unknown columns: colour. The columns are: name, state, town, kind."),
        ("name,state\nCaf\u00e9 College,CT\n".encode("cp1252"), "not UTF-8"),
        (("name,state\n" + "C,CT\n" * 50_001).encode(), "more than 50,000 rows"),
    ],
)
def test_file_level_problems_are_explained(appctx, actor, content, message):
    preview = csv_import.preview(_me(actor), "colleges", content)

    assert not preview.ok and message in " ".join(preview.file_errors)


def test_a_byte_order_mark_and_excel_quoting_are_understood(appctx, actor):
    content = '\ufeff"name","state"\r\n"Caf\u00e9 ""Quoted"" College","CT"\r\n'.encode()

    result = csv_import.run_import(_me(actor), "colleges", content)

    assert len(result.new) == 1
    assert db.session.scalar(db.select(College.name)) == 'Caf\u00e9 "Quoted" College'


def test_a_signed_upload_is_only_good_for_the_coordinator_who_made_it(appctx, actor, make):
    other = make.user(Role.COORDINATOR, actor[1])
    preview = csv_import.preview(_me(actor), "colleges", COLLEGES.encode())
    job = csv_import.stage(_me(actor), "colleges", None, COLLEGES.encode(), preview)
    token = csv_import.sign_upload(_me(actor), job)

    staged = csv_import.read_upload(_me(actor), token)
    assert (staged.id, staged.kind, staged.content, staged.rows_total) == (job.id, "colleges", COLLEGES.encode(), 2)
    assert len(token) < 200  # the confirmation posts the id, not the file
    with pytest.raises(NotAllowed, match="not yours"):
        csv_import.read_upload(db.session.get(User, other.id), token)
    with pytest.raises(ServiceError):
        csv_import.read_upload(_me(actor), token[:-3] + "abc")


@pytest.mark.parametrize(
    "pay, message", [("9.00", "minimum wage"), ("NaN", "Pay is required"), ("21.505", "dollars and cents")]
)
def test_imported_positions_follow_the_same_pay_rule_as_the_form(appctx, actor, make, pay, message):
    make.host(actor[1], name="Harbor Robotics")
    make.season(actor[1], 2028)
    season = db.session.scalar(db.select(Season))
    content = (
        "host,title,slots,hourly_pay,hours_per_week,start_date,end_date\n"
        f"Harbor Robotics,Controls,2,{pay},40,2028-06-01,2028-08-01\n"
    ).encode()

    preview = csv_import.preview(_me(actor), "positions", content, season)

    assert len(preview.row_errors) == 1 and preview.row_errors[0][0] == 2
    assert message in preview.row_errors[0][1] and preview.new == []
