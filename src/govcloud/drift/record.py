"""Since when each part was in step: ``.state/<env>/drift.json`` beside the rollout's record.

Per stack and per router, the last drift run that found it in step; per difference, the first
run that saw it. A difference's "in step until" is its part's last clean run (None: never seen
in step since drift runs began). Written atomically, like every state file of the environment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from ..network.outcomes import read_state, write_state
from ..paths import DRIFT_RECORD, env_state_dir
from .differences import DriftReport


def drift_state_path(project_root: Path, env_dir: Path) -> Path:
    return env_state_dir(project_root, env_dir) / DRIFT_RECORD


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_run(path: Path, report: DriftReport, parts: Iterable[str], now: str | None = None) -> None:
    """Update the record with this run over ``parts`` (stacks and hosts checked), and fill
    ``report.since`` with each difference's last in-step time."""
    now = now or _now()
    data = read_state(path) or {"env": report.env, "in_step": {}, "first_seen": {}}
    drifted = {d.where for d in report.differences} | {f.stack for f in report.findings}
    for part in parts:
        if part not in drifted:
            data["in_step"][part] = now
    current = {d.key for d in report.differences}
    data["first_seen"] = {k: v for k, v in data["first_seen"].items() if k in current}
    for difference in report.differences:
        data["first_seen"].setdefault(difference.key, now)
        report.since[difference.key] = data["in_step"].get(difference.where)
    data["last_run"] = now
    write_state(path, data)
