"""Throw-away copies of the project for integration tests that change the model or keep state:
the Pulumi project, its program and the lab's stack settings, and the lab environment. The
program reads the model next to itself, so a copy runs on the copied model; state goes to the
copy's own .state, which starts empty."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def copy_lab_project(project: Path) -> Path:
    """Copy the Pulumi project and inventories/lab into ``project``; returns ``project``."""
    settings = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
    settings["runtime"]["options"]["virtualenv"] = sys.prefix  # the copy has no .venv of its own
    project.mkdir(parents=True, exist_ok=True)
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    shutil.copytree(ROOT / "stacks", project / settings["stackConfigDir"],
                    ignore=shutil.ignore_patterns("__pycache__", "Pulumi.example-*.yaml"))
    shutil.copytree(ROOT / "inventories" / "lab", project / "inventories" / "lab",
                    ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
    return project
