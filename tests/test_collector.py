"""The cycle collector's pause around exports and imports: off inside, back on after the last of several
overlapping pauses (threads of one server), and left off when it was off before."""
from __future__ import annotations

import gc
import threading

from webapp.services.collector import collector_paused


def test_the_collector_is_off_inside_and_on_after_the_last_overlapping_pause():
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other_request():
        with collector_paused():
            inside.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=other_request)
    with collector_paused():
        assert not gc.isenabled()
        thread.start()
        assert inside.wait(timeout=10)
    assert not gc.isenabled()  # the other build still runs
    release.set()
    thread.join(timeout=10)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_inside_still_turns_it_back_on():
    try:
        with collector_paused():
            raise ValueError("a bad file")
    except ValueError:
        pass
    assert gc.isenabled()
