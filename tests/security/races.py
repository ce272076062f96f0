"""Firing requests at the same moment, and the PostgreSQL-only mark for real concurrent transactions."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest

ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="PostgreSQL-only check: real concurrent transactions need a database server (TEST_DATABASE_URL); "
    "CI runs the suite on PostgreSQL too",
)


def at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run every call in its own thread, released together by a barrier; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
