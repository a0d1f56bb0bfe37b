"""A throw-away project (Pulumi.yaml, the lab inventory, a planned lab migration) and a way to run
the real `govcloud` entry point in it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.cli import Run, cli_runner  # noqa: F401 - Run: the runner's result, for type hints

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: govcloud\nruntime: python\n", encoding="utf-8")
    shutil.copytree(ROOT / "inventories" / "lab", tmp_path / "inventories" / "lab",
                    ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


@pytest.fixture
def govcloud(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """``govcloud("migrate", "plan", ...)`` -> exit code, stdout, stderr."""
    return cli_runner(monkeypatch, capsys)


@pytest.fixture
def planned(project: Path, govcloud) -> Path:
    """The lab project with its three waves planned from 2027-01-09; returns migrations/lab."""
    result = govcloud("migrate", "plan", "--env", "lab", "--start", "2027-01-09")
    assert result.code == 0, result.err
    return project / "migrations" / "lab"
