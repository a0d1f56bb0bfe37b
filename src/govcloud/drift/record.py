"""Since when each part was in step: ``.state/<env>/drift.json`` beside the rollout's record.

Per stack and per router, the last drift run that found it in step; per difference, the first
run that saw it. A difference's "in step until" is its part's last clean run (None: never seen
in step since drift runs began). Written atomically, like every state file of the environment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, StrictStr

from ..jsonstate import read_json_state
from ..network.outcomes import write_state
from ..paths import DRIFT_RECORD, env_state_dir
from .differences import DriftReport

RECORD_FIX = ("repair drift.json from a backup, or delete it (the next drift run starts a new record; "
              "since when each part was in step is then unknown)")


class DriftRecord(BaseModel):
    """The record's one schema, for its writer and its readers."""

    model_config = ConfigDict(extra="ignore")

    env: StrictStr
    in_step: dict[str, StrictStr] = {}  # part (stack or host) -> its last clean run
    first_seen: dict[str, StrictStr] = {}  # difference key -> the first run that saw it
    last_run: StrictStr | None = None


def read_record(path: Path) -> DriftRecord | None:
    """The record, None before the first run; ModelError (exit 2) naming the line or field."""
    return read_json_state(path, DriftRecord, RECORD_FIX)


def drift_state_path(project_root: Path, env_dir: Path) -> Path:
    return env_state_dir(project_root, env_dir) / DRIFT_RECORD


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_run(path: Path, report: DriftReport, parts: Iterable[str], now: str | None = None) -> None:
    """Update the record with this run over ``parts`` (stacks and hosts checked), and fill
    ``report.since`` with each difference's last in-step time."""
    now = now or _now()
    record = read_record(path) or DriftRecord(env=report.env)
    drifted = {d.where for d in report.differences} | {f.stack for f in report.findings}
    for part in parts:
        if part not in drifted:
            record.in_step[part] = now
    current = {d.key for d in report.differences}
    record.first_seen = {k: v for k, v in record.first_seen.items() if k in current}
    for difference in report.differences:
        record.first_seen.setdefault(difference.key, now)
        report.since[difference.key] = record.in_step.get(difference.where)
    record.last_run = now
    write_state(path, record.model_dump())
