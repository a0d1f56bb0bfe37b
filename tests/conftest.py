"""Shared fixtures: the repository root and copies of the committed environments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture
def lab_copy(tmp_path: Path) -> Path:
    """A private copy of inventories/lab that a test may edit."""
    target = tmp_path / "lab"
    shutil.copytree(ROOT / "inventories" / "lab", target, ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
    return target
