"""Pausing Python's cyclic garbage collector around bulk work that builds many small objects.

Reading 50,000 CSV rows builds some 200,000 dicts and tuples, none of them in a reference cycle;
while they pile up the collector keeps rescanning them (a third of the preview's time). The
collector is process-wide, so a pause covers the web process's other threads too: it is meant
for a second or two of parsing, counts overlapping pauses, and restarts the collector only when
the last one ends (and only if it was running before the first began).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
_was_enabled = False


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
