"""What the benchmark scripts share: a fresh database to run against, on SQLite or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def fresh_database(kind: str, folder: Path, name: str) -> str:
    """The URL of an empty database: a SQLite file in `folder`, or PostgreSQL database `name`
    (dropped first if a run before this one left it behind)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite'}"
    _server(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    return f"{PG_SERVER}/{name}"


def drop_database(kind: str, name: str) -> None:
    """Drop the PostgreSQL database `name` (nothing to do on SQLite: the folder goes away)."""
    if kind == "postgresql":
        _server(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _server(*statements: str) -> None:
    engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()
