"""The shared helper of the concurrent tests fails the test when a thread fails or hangs."""
from __future__ import annotations

import threading

import pytest

from together import run_together


def test_run_together__all_at_once__every_call_runs_concurrently() -> None:
    met = threading.Barrier(3, timeout=5)
    run_together(met.wait, met.wait, met.wait)          # would break the barrier if run one by one


def test_run_together__one_thread_fails__its_error_is_raised() -> None:
    def fails() -> None:
        assert 1 == 2, "in a thread"

    with pytest.raises(AssertionError, match="in a thread"):
        run_together(lambda: None, fails)


def test_run_together__several_fail__all_are_raised() -> None:
    def boom() -> None:
        raise ValueError("boom")

    with pytest.raises(BaseExceptionGroup) as caught:
        run_together(boom, boom, lambda: None)
    assert len(caught.value.exceptions) == 2


def test_run_together__a_thread_still_running__fails() -> None:
    release = threading.Event()
    try:
        with pytest.raises(AssertionError, match="1 of 2 threads still running"):
            run_together(lambda: None, release.wait, timeout=0.2)
    finally:
        release.set()
