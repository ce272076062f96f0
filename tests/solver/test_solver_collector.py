"""The engine pauses Python's cycle collector only while it parses and assembles, and always
leaves it as it found it: a web or queue process that calls it keeps collecting afterwards."""

from __future__ import annotations

import gc
import threading

import pytest

from solver import InstanceError, Problem
from solver.collector import collector_paused
from solver.generate import generate


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_bad_input_raises_and_the_collector_is_back_on() -> None:
    with pytest.raises(InstanceError):
        Problem.from_dict({"students": [{"id": "s1", "prefs": ["nowhere"]}], "positions": []})
    assert gc.isenabled()


def test_a_process_that_turned_the_collector_off_keeps_it_off() -> None:
    gc.disable()
    Problem.from_dict(generate(students=20, seed=1))
    assert not gc.isenabled()


def test_overlapping_pauses_in_two_threads_restart_the_collector_once_both_end() -> None:
    inside, release = threading.Event(), threading.Event()
    states = []

    @collector_paused
    def slow() -> None:
        inside.set()
        release.wait(5)

    @collector_paused
    def quick() -> None:
        states.append(gc.isenabled())

    worker = threading.Thread(target=slow)
    worker.start()
    inside.wait(5)
    quick()
    states.append(gc.isenabled())  # the other thread's pause is still on
    release.set()
    worker.join()
    assert states == [False, False]
    assert gc.isenabled()
