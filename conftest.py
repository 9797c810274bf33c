"""Run-wide rules of the test suite, shared by the unit and the browser runs.

Tests that need PostgreSQL and Redis carry ``@pytest.mark.services``. The embedded run skips
only those; with ``KLASSENRAUM_REQUIRE_SERVICES=1`` (the PostgreSQL run of ``.ci/run``) a
single skipped test fails the whole run.
"""

import os

import pytest

SERVICES_CONFIGURED = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))
REQUIRE_NO_SKIPS = os.environ.get("KLASSENRAUM_REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    if SERVICES_CONFIGURED:
        return
    skip = pytest.mark.skip(reason="braucht PostgreSQL und Redis (DATABASE_URL, REDIS_URL)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_NO_SKIPS and _skipped:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"FEHLER: {len(_skipped)} Test(s) übersprungen, obwohl PostgreSQL und Redis "
            f"laufen: {', '.join(_skipped)}",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
