"""Writes that hold when the same form is posted twice at once (ten tabs, a double click, two colleagues).

Four tools, used by the services instead of "read, check, then write":
- `lock_row`: take the row lock of the record a use case changes (PostgreSQL `SELECT ... FOR
  UPDATE`; SQLite lets one writer in at a time anyway), then read the state again under it;
  `share_row` takes the weaker key-share lock on a parent row first, to keep lock order;
- `claim_version`: a version check and its bump in one conditional UPDATE; the loser gets StaleEdit
  (409) and writes nothing.
- `insert_missing`: get-or-create of rows with a unique key (skills, colleges, reviews) with
  `INSERT ... ON CONFLICT DO NOTHING`, so two inserts of the same key never fail.
A use case that claims a version before its checks runs them in `undone_on_error`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...extensions import db
from ..errors import StaleEdit

VERSION = re.compile(r"[0-9]{1,9}")


def lock_row(model: type, row_id: int, *refresh) -> None:
    """Hold the row's lock until the transaction ends; then re-read `refresh` objects, which may
    have been loaded before another request changed them."""
    db.session.execute(db.select(model.id).where(model.id == row_id).with_for_update())
    for obj in refresh:
        if obj is not None:
            db.session.refresh(obj)


def share_row(model: type, row_id: int) -> None:
    """Hold a key-share lock on the row until the transaction ends (PostgreSQL `SELECT ... FOR KEY
    SHARE`, which the foreign key checks of inserts referencing it take anyway): taken first, it puts
    this use case's locks in the same order as a job that locks the row for update and then writes
    rows of the people it concerns, so the two wait for each other instead of deadlocking."""
    db.session.execute(db.select(model.id).where(model.id == row_id).with_for_update(read=True, key_share=True))


def claim_version(model: type, obj, submitted: str | None, message: str, column: str = "ranks_version") -> None:
    """Bump obj's version column if it still has the value the form was built from, else StaleEdit.

    One UPDATE ... WHERE version = :submitted: of two requests built from the same page, exactly
    one passes; the other waits for the first to commit, finds the new version and changes nothing.
    """
    text = (submitted or "").strip()
    version = getattr(model, column)
    claimed = (
        VERSION.fullmatch(text) is not None
        and db.session.execute(
            db.update(model)
            .where(model.id == obj.id, version == int(text))
            .values({column: version + 1})
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    if not claimed:
        raise StaleEdit(message)
    db.session.refresh(obj)


@contextmanager
def undone_on_error() -> Iterator[None]:
    """Around checks that must come after a use case's first write (a claimed version, which also
    takes the row lock): when one fails, that write and any after it are rolled back before the error
    goes on, so no later commit saves half of the use case."""
    try:
        yield
    except Exception:
        db.session.rollback()
        raise


def insert_missing(model: type, rows: list[dict], unique: list[str]) -> None:
    """Insert the rows whose unique key is not taken yet; a row another request inserts at the same
    moment is skipped instead of failing."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(model).values(rows).on_conflict_do_nothing(index_elements=unique))
