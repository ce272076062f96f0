"""The cycle collector's pause around bulk parsing: overlapping pauses, and a collector that was off."""

from __future__ import annotations

import gc
import threading

from sprint.services.support.gc_pause import cycle_collector_paused


def test_the_collector_restarts_only_when_the_last_overlapping_pause_ends():
    assert gc.isenabled()
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other_request() -> None:
        with cycle_collector_paused():
            first_in.set()
            second_done.wait(10)
            seen.append(gc.isenabled())  # the main thread's pause has ended meanwhile

    thread = threading.Thread(target=other_request)
    thread.start()
    first_in.wait(10)
    with cycle_collector_paused():
        seen.append(gc.isenabled())
    second_done.set()
    thread.join(10)

    assert seen == [False, False]
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_inside_the_pause_restarts_the_collector():
    try:
        with cycle_collector_paused():
            raise ValueError("a bad file")
    except ValueError:
        pass
    assert gc.isenabled()
