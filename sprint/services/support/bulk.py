"""Writing many rows of one table at once: COPY on PostgreSQL, one executemany elsewhere.

A national run stores some 40,000 assignments and 50,000 explanation rows. Through executemany
psycopg sends each row as a statement of its own (pipelined); COPY streams them as one, several
times faster. The rows join the session's transaction like any other write (the caller commits).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, insert

from ...extensions import db, json_text

__all__ = ["insert_rows"]


def insert_rows(table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, column names) into ``table``."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in names]
    quote = connection.dialect.identifier_preparer
    statement = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)}) FROM STDIN"
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    json_text(row[name]) if wants and row[name] is not None else row[name]
                    for name, wants in zip(names, as_json)
                ]
            )
