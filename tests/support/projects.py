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


def copy_lab_project(project: Path, *, speakers: bool = False) -> Path:
    """Copy the Pulumi project, the policy packs `up` runs by default and inventories/lab into
    ``project``; returns ``project``. Its .venv is a link to the running one: Pulumi.yaml and the
    packs name the virtualenv relative to themselves.

    The copy's stacks make no BGP speakers unless ``speakers``: a speaker needs a BGP agent of the
    lab's data plane, which only the tests that join the labs turn on (marked ``data_plane``)."""
    project.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    settings = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
    (project / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    shutil.copytree(ROOT / "stacks", project / settings["stackConfigDir"],
                    ignore=shutil.ignore_patterns("__pycache__", "Pulumi.example-*.yaml"))
    shutil.copytree(ROOT / "policies", project / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "inventories" / "lab", project / "inventories" / "lab",
                    ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
    _set_speakers(project / settings["stackConfigDir"], speakers)
    return project


def _set_speakers(stacks: Path, speakers: bool) -> None:
    for path in stacks.glob("Pulumi.lab-*.yaml"):
        text = path.read_text(encoding="utf-8")
        flag = f"govcloud:bgpSpeakers: {'true' if speakers else 'false'}"
        written = text.replace("govcloud:bgpSpeakers: true", flag).replace("govcloud:bgpSpeakers: false", flag)
        assert flag in written, f"{path.name} sets no govcloud:bgpSpeakers: update tests/support/projects.py"
        path.write_text(written, encoding="utf-8")
