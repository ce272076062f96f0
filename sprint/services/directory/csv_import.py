"""CSV import of colleges, hosts, positions and students: read, validate every row, then import.

`preview` validates without writing; `run_import` validates the same bytes again and writes
everything in one transaction, or nothing when any row is bad. Rows are matched on natural keys
(college name + state; host name in the program; position host + season + title; student email),
so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import ImportReceipt, Season, User
from ..accounts.tokens import make_token, read_token
from ..errors import NotAllowed, ServiceError, StaleEdit
from ..season.manage import season_for
from ..support import audit
from ..support.plain_text import text_problem
from .csv_import_kinds import KINDS, Context, RowProblem

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024


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


def run_import(
    actor: User, kind: str, content: bytes, season: Season | None = None, receipt: str | None = None
) -> Preview:
    """Import the file in one transaction; any bad row refuses the whole file. With a `receipt`
    (the digest of a signed preview) the import happens once: see `confirm_import`."""
    result, plan, context = _validate(actor, kind, content, season)
    if not result.ok:
        raise ServiceError("Nothing was imported: the file has errors. Fix them and upload it again.")
    spec = KINDS[kind]
    if receipt is not None:
        _take_receipt(actor, kind, receipt)
    try:
        for current, values in plan:
            spec.write(context, current, values)
        if plan:  # a file that changes nothing (a second submit of the same file) leaves no trace
            audit.record(
                actor,
                f"import.{kind}",
                season if spec.needs_season else None,
                program_id=actor.program_id,
                new=len(result.new),
                changed=len(result.changed),
                unchanged=result.unchanged,
            )
        if context.before_commit:
            db.session.flush()  # the new accounts' ids go into their emailed links
            for queue_emails in context.before_commit:  # outbox rows of this transaction
                queue_emails()
        db.session.commit()
    except IntegrityError as error:  # the same file confirmed twice at the same moment
        db.session.rollback()
        raise ServiceError(
            "Nothing was imported: some rows were added by someone else meanwhile. "
            "Upload the file again to see what is left."
        ) from error
    return result


PAYLOAD_MAX_AGE = 3600  # a preview can be confirmed for an hour


def sign_upload(actor: User, kind: str, season: Season | None, content: bytes) -> str:
    """The validated file, signed, to post back with the confirmation (nothing kept on the server)."""
    return make_token(
        "csv-import",
        {
            "actor": actor.id,
            "kind": kind,
            "season": season.id if season else None,
            "content": base64.b64encode(content).decode("ascii"),
        },
    )


def confirm_import(actor: User, payload: str) -> tuple[str, Preview]:
    """Import a signed preview once: the same preview confirmed again, even at the same moment from
    another tab, imports nothing and says so (StaleEdit)."""
    kind, season_id, content = read_upload(actor, payload)
    season = season_for(actor, season_id) if season_id else None
    digest = hashlib.sha256(payload.encode()).hexdigest()
    return kind, run_import(actor, kind, content, season, receipt=digest)


def _take_receipt(actor: User, kind: str, digest: str) -> None:
    """The preview's receipt, first thing in the transaction: a concurrent confirmation of the same
    preview waits on its unique digest and then fails, before writing any row."""
    db.session.add(ImportReceipt(digest=digest, program_id=actor.program_id, actor_id=actor.id, kind=kind))
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        earlier = db.session.scalar(db.select(ImportReceipt).where(ImportReceipt.digest == digest))
        who = f" by {earlier.actor.name}" if earlier is not None and earlier.actor is not None else ""
        raise StaleEdit(f"This preview was already imported{who}: nothing was imported again.") from error


def read_upload(actor: User, payload: str) -> tuple[str, int | None, bytes]:
    """(kind, season id, content) from a signed upload made by this actor, or ServiceError."""
    data = read_token("csv-import", payload, PAYLOAD_MAX_AGE)
    if data.get("actor") != actor.id:
        raise NotAllowed("This preview is not yours: upload the file again yourself.")
    if data.get("kind") not in KINDS:
        raise ServiceError("This preview is not valid; upload the file again.")
    return data["kind"], data.get("season", data.get("cycle")), base64.b64decode(data["content"])
