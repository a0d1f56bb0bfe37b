"""Where rollout and exit outcomes are recorded, for the KPIs to read.

``.state/<env>/rollout.json`` and ``.state/<env>/exits.json`` at the project root; both are JSON
written atomically (a reader never sees half a file).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..paths import env_state_dir


def state_dir(project_root: Path, env: str) -> Path:
    return env_state_dir(project_root, env)


def rollout_state_path(project_root: Path, env: str) -> Path:
    """The IPv6 rollout's record: per host its last outcome, per site its IPv6 status."""
    return state_dir(project_root, env) / "rollout.json"


def exits_state_path(project_root: Path, env: str) -> Path:
    """The exit consolidation's record: per exit its status and the loss measured at its switch."""
    return state_dir(project_root, env) / "exits.json"


def read_state(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def write_state(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)
