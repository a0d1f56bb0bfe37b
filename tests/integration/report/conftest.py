"""A throw-away copy of the lab project for the report's live measurements, and `govcloud` run in
it as a real process (so its state, measurements and pages stay in the copy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.projects import ROOT, copy_lab_project


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_lab_project(tmp_path_factory.mktemp("report") / "project")
    shutil.copytree(ROOT / "migrations" / "lab", root / "migrations" / "lab")
    return root


def run_govcloud(project: Path, *args: str, timeout_s: float = 600) -> subprocess.CompletedProcess:
    """``govcloud ARGS`` in ``project``, with this session's source and lab instance."""
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", "from govcloud.cli import main; main()", *args], cwd=project,
                          env=environ, capture_output=True, text=True, timeout=timeout_s, check=False)


@pytest.fixture(scope="module")
def govcloud(project: Path) -> Callable[..., subprocess.CompletedProcess]:
    return lambda *args, **options: run_govcloud(project, *args, **options)
