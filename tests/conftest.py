"""Shared fixtures: the repository root and copies of the committed environments; and no skips.

Tests work on copies of the project, each keeping its state in its own copy: a state folder the
calling shell names (``GOVCLOUD_STATE_DIR``, e.g. the demo's, kept with the lab) is the user's and
is never seen, let alone written, by a test or the commands it runs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.pop("GOVCLOUD_STATE_DIR", None)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture
def lab_copy(tmp_path: Path) -> Path:
    """A private copy of inventories/lab that a test may edit."""
    target = tmp_path / "lab"
    shutil.copytree(ROOT / "inventories" / "lab", target, ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
    return target


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A skipped test is a failure here: a skip passes `make test` while the thing it guards goes
    untested (a missing tool, a lab that did not start). Make the test runnable, or let it fail with
    the fix. Expected failures (xfail) are left alone."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} was skipped ({reason}): skips are failures in this suite"
