"""Running test code in several threads at once (tests of concurrent writers and workers): each
call in a thread of its own, all started before any is waited for; an error in any thread, or
a thread still running after the timeout, fails the test that asked."""
from __future__ import annotations

import threading
from typing import Callable


def run_together(*calls: Callable[[], object], timeout: float = 120.0) -> None:
    """Run every call at the same time and wait for all; re-raise what a thread raised (all of it,
    in a group, when several did)."""
    errors: list[BaseException] = []

    def guarded(call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException as error:  # noqa: BLE001 (raised again in the test's thread)
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    running = sum(thread.is_alive() for thread in threads)
    assert not running, f"{running} of {len(threads)} threads still running after {timeout} s"
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BaseExceptionGroup(f"{len(errors)} of {len(threads)} threads failed", errors)
