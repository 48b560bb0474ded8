"""Makes the helpers shared by several test folders (tests/imagefiles.py) importable; makes a
parallel run (pytest-xdist, as scripts/test.sh starts it) safe: each worker tests on a PostgreSQL
database of its own (testworkers.py); and checks each flow text once per process (flowmemo.py)."""
from __future__ import annotations

import pytest

import testworkers

# Before any other conftest or test module reads SHENBAO_TEST_PG_URL (they read it on import).
testworkers.use_worker_database()

import flowmemo  # noqa: E402

flowmemo.memoize()   # each flow text checked once per process (tests/flowmemo.py)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist registers it; a run without the plugin (-p no:xdist) must not warn about it.
    config.addinivalue_line("markers", "xdist_group(name): tests that share an expensive module fixture "
                                       "run on one worker under --dist loadgroup")


@pytest.hookimpl(optionalhook=True)   # a hook of pytest-xdist's: none without the plugin
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """`--dist loadgroup` that sees the modules' xdist_group marks (testworkers.py says why)."""
    if config.getvalue("dist") == "loadgroup":
        return testworkers.group_scheduling(config, log)
    return None
