"""CSV import of colleges, hosts, positions, students and outcomes: read, validate every row, then import.

`preview` validates without writing; a valid preview is kept on the server (`stage`, an ImportJob
row holding the file), so the confirmation posts a small signed id, and `confirm_import` queues it
for a background job (import_jobs.py) that validates the same bytes again and writes everything in
one transaction, or nothing when any row is bad. Rows are matched on natural keys (college name +
state; host name in the program; position host + season + title; student email), so importing the
same file twice changes nothing the second time. New rows of a kind with `write_new` (students) are
written in batches by executemany, with no ORM object per row.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import ImportJob, ImportStatus, Season, User, utcnow
from ..accounts.tokens import make_token, read_token
from ..errors import NotAllowed, ServiceError
from ..support import audit
from ..support.gc_pause import cycle_collector_paused
from ..support.plain_text import text_problem
from .csv_import_kinds import KINDS, Context, RowProblem, chunks

MAX_ROWS = 50_000
MAX_BYTES = 8 * 1024 * 1024  # 50,000 students take about 5 MB; MAX_CONTENT_LENGTH lets the form through
WRITE_CHUNK = 1000  # rows per executemany, and how often the job reports its progress


@dataclass
class Preview:
    kind: str
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    new: list[tuple[int, dict]] = field(default_factory=list)
    changed: list[tuple[int, dict]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors

    @property
    def total(self) -> int:
        return len(self.new) + len(self.changed) + self.unchanged


def _header_name(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def _read(kind: str, content: bytes, result: Preview) -> list[tuple[int, dict[str, str]]]:
    """Rows as {column: text} with the file line each starts on; problems go into `result`."""
    spec = KINDS[kind]
    if len(content) > MAX_BYTES:
        result.file_errors.append(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into smaller files."
        )
        return []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.file_errors.append(
            'The file is not UTF-8 text. In Excel choose "Save as" and '
            '"CSV UTF-8 (Comma delimited)", then upload it again.'
        )
        return []
    if not text.strip():
        result.file_errors.append("The file is empty.")
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_header_name(cell) for cell in next(reader)]
        known = [column.name for column in spec.columns]
        missing = [column.name for column in spec.columns if column.required and column.name not in header]
        unknown = [name for name in header if name and name not in known]
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        if missing:
            result.file_errors.append("Missing columns: " + ", ".join(missing) + ".")
        if unknown:
            result.file_errors.append(
                "Unknown columns: " + ", ".join(unknown) + ". The columns are: " + ", ".join(known) + "."
            )
        if repeated:
            result.file_errors.append("Columns named twice: " + ", ".join(repeated) + ".")
        if result.file_errors:
            return []
        rows = []
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                result.file_errors.append(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")
                return []
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
                result.row_errors.append((start, f"has {len(cells)} cells but the header has {len(header)} columns."))
                continue
            row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name}
            problem = _text_problem(spec, row)
            if problem:
                result.row_errors.append((start, problem))
                continue
            rows.append((start, row))
    except csv.Error as error:
        result.file_errors.append(f"The file is not valid CSV near line {reader.line_num}: {error}.")
        return []
    if not rows and not result.row_errors:
        result.file_errors.append("The file has a header row but no data rows.")
    return rows


def _text_problem(spec, row: dict[str, str]) -> str | None:
    """The plain-text rule of every form, for each cell: "title: This field takes a single line..." """
    multiline = {column.name for column in spec.columns if column.multiline}
    for name, value in row.items():
        problem = text_problem(value, name in multiline)
        if problem:
            return f"{name}: {problem[0].lower()}{problem[1:]}"
    return None


def _validate(actor: User, kind: str, content: bytes, season: Season | None) -> tuple[Preview, list, Context]:
    with cycle_collector_paused():  # 50,000 rows: a third less time without the collector's rescans
        return _validate_rows(actor, kind, content, season)


def _validate_rows(actor: User, kind: str, content: bytes, season: Season | None) -> tuple[Preview, list, Context]:
    spec = KINDS[kind]
    if spec.needs_season and (season is None or season.program_id != actor.program_id):
        raise NotAllowed("Choose a season of your program to import positions into.")
    result = Preview(kind)
    context = Context(actor=actor, program_id=actor.program_id, season=season)
    parsed: list[tuple[int, dict]] = []
    seen: dict[object, int] = {}
    for line, cells in _read(kind, content, result):
        try:
            values = spec.parse(cells, context)
        except RowProblem as problem:
            result.row_errors.append((line, str(problem)))
            continue
        key = spec.key(values)
        if key in seen:
            result.row_errors.append((line, f"repeats the {spec.noun} on line {seen[key]}."))
            continue
        seen[key] = line
        parsed.append((line, values))
    existing = spec.existing(context, [spec.key(values) for _, values in parsed]) if parsed else {}
    plan = []
    for line, values in parsed:
        current = existing.get(spec.key(values))
        try:
            spec.check(context, current, values)
        except RowProblem as problem:
            result.row_errors.append((line, str(problem)))
            continue
        if current is None:
            result.new.append((line, values))
        elif spec.differs(current, values):
            result.changed.append((line, values))
        else:
            result.unchanged += 1
            continue
        plan.append((current, values))
    result.row_errors.sort()
    return result, plan, context


def preview(actor: User, kind: str, content: bytes, season: Season | None = None) -> Preview:
    """Validate every row and say what importing would do; writes nothing."""
    return _validate(actor, kind, content, season)[0]


Progress = Callable[[int], None]  # told how many of the file's rows are written so far


def _write(actor: User, kind: str, result: Preview, plan: list, context: Context, progress: Progress | None) -> None:
    """Write the validated plan into the session (the caller commits): changed rows one by one, new
    rows in batches where the kind can (`write_new`), then the audit event and the emails."""
    spec = KINDS[kind]
    done = result.unchanged
    report = progress or (lambda done: None)
    report(done)
    batched = spec.write_new is not None
    for current, values in plan:
        if current is not None or not batched:
            spec.write(context, current, values)
            done += 1
            if done % WRITE_CHUNK == 0:
                report(done)
    if batched:
        for rows in chunks([values for current, values in plan if current is None], WRITE_CHUNK):
            spec.write_new(context, rows)
            done += len(rows)
            report(done)
    if plan:  # a file that changes nothing (a second submit of the same file) leaves no trace
        audit.record(
            actor,
            f"import.{kind}",
            context.season if spec.needs_season else None,
            program_id=actor.program_id,
            new=len(result.new),
            changed=len(result.changed),
            unchanged=result.unchanged,
        )
    if context.before_commit:
        db.session.flush()  # the new accounts' ids go into their emailed links
        for queue_emails in context.before_commit:  # outbox rows of this transaction
            queue_emails()
    report(done)


def import_in_session(
    actor: User, kind: str, content: bytes, season: Season | None, progress: Progress | None = None
) -> Preview:
    """Validate the file again and write it into the current transaction, not committed: any bad row
    raises ServiceError before anything is written."""
    result, plan, context = _validate(actor, kind, content, season)
    if not result.ok:
        first = result.file_errors[:1] or [f"line {line}: {reason}" for line, reason in result.row_errors[:1]]
        raise ServiceError(
            "Nothing was imported: the file has errors "
            f"({first[0] if first else 'see the preview'}). Fix them and upload it again."
        )
    _write(actor, kind, result, plan, context, progress)
    return result


RACED = (
    "Nothing was imported: some rows were added by someone else meanwhile. Upload the file again to see what is left."
)


def run_import(actor: User, kind: str, content: bytes, season: Season | None = None) -> Preview:
    """Import the file here and now in one transaction (the CLI, tests); any bad row refuses the whole
    file. The pages confirm a staged preview instead, imported by a job: see `confirm_import`."""
    try:
        result = import_in_session(actor, kind, content, season)
        db.session.commit()
    except IntegrityError as error:  # the same rows written by someone else at the same moment
        db.session.rollback()
        raise ServiceError(RACED) from error
    return result


PAYLOAD_MAX_AGE = 3600  # a preview can be confirmed for an hour


def stage(actor: User, kind: str, season: Season | None, content: bytes, result: Preview) -> ImportJob:
    """Keep a valid preview's file on the server until it is confirmed (previews older than an hour
    that nobody confirmed are removed here too). Commits."""
    db.session.execute(
        db.delete(ImportJob).where(
            ImportJob.status == ImportStatus.PREVIEWED,
            ImportJob.created_at < utcnow() - timedelta(seconds=PAYLOAD_MAX_AGE),
        )
    )
    now = utcnow()
    digest = hashlib.sha256(
        f"{actor.id}:{kind}:{season.id if season else ''}:{now.isoformat()}:".encode() + content
    ).hexdigest()
    job = ImportJob(
        program_id=actor.program_id,
        actor_id=actor.id,
        kind=kind,
        season_id=season.id if season else None,
        content=content,
        digest=digest,
        status=ImportStatus.PREVIEWED,
        rows_total=result.total,
        created_at=now,
    )
    db.session.add(job)
    db.session.commit()
    return job


def sign_upload(actor: User, job: ImportJob) -> str:
    """The staged preview's id, signed, to post back with the confirmation."""
    return make_token("csv-import", {"actor": actor.id, "job": job.id})


def read_upload(actor: User, payload: str) -> ImportJob:
    """The staged preview a signed payload names, made by this actor, or ServiceError."""
    data = read_token("csv-import", payload, PAYLOAD_MAX_AGE)
    if data.get("actor") != actor.id:
        raise NotAllowed("This preview is not yours: upload the file again yourself.")
    job = db.session.get(ImportJob, data.get("job")) if isinstance(data.get("job"), int) else None
    if job is None or job.actor_id != actor.id or job.program_id != actor.program_id:
        raise ServiceError("This preview is no longer kept; upload the file again.")
    return job


def job_of(actor: User, job_id: int) -> ImportJob | None:
    """The coordinator's own import (None for another coordinator's or program's: the page says 404)."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.actor_id != actor.id or job.program_id != actor.program_id:
        return None
    return job


def progress_of(job: ImportJob) -> dict:
    """What the progress page and its JSON show of an import."""
    total = job.rows_total or 0
    done = total if job.status == ImportStatus.DONE else min(job.rows_done or 0, total)
    return {
        "id": job.id,
        "kind": job.kind,
        "status": str(job.status),
        "rows_total": total,
        "rows_done": done,
        "percent": 100 if job.status == ImportStatus.DONE else (round(100 * done / total) if total else 0),
        "new": job.new,
        "changed": job.changed,
        "unchanged": job.unchanged,
        "error": job.error or "",
        "finished": job.status in (ImportStatus.DONE, ImportStatus.FAILED),
    }
