"""Where rollout and exit outcomes are recorded, and the one schema of each record.

``.state/<env>/rollout.json`` and ``.state/<env>/exits.json`` at the project root; both are JSON
written atomically (a reader never sees half a file). The network commands write them through
:class:`RolloutRecord` and :class:`ExitsRecord`; the KPIs, the report and drift read them through
the same models, so a field renamed on one side cannot go unnoticed on the other.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..jsonstate import read_json_state
from ..model import ExitStatus, Ipv6Status
from ..paths import EXITS_RECORD, ROLLOUT_RECORD, env_state_dir


class _Record(BaseModel):
    # Unknown keys are kept (not dropped) so that a newer writer's fields survive an older one's rewrite.
    model_config = ConfigDict(extra="allow", validate_assignment=True)


class HostOutcomeRecord(_Record):
    outcome: str
    """The host's last outcome: ok, changed, failed, unreachable, skipped, preflight-failed, not-run."""
    wave: int
    at: str


class RolloutRecord(_Record):
    """``rollout.json``: per host its last outcome, per extranet site its IPv6 status, the last runs."""

    env: str = ""
    hosts: dict[str, HostOutcomeRecord] = {}
    sites: dict[str, Ipv6Status] = {}
    runs: list[dict[str, Any]] = []
    updated: str | None = None


class ExitRecord(_Record):
    """One internet exit's consolidation: its status, and what the switch measured."""

    status: ExitStatus
    at: str | None = None
    loss: list[dict[str, Any]] | None = None
    sources: dict[str, dict[str, Any]] | None = None
    last_error: str | None = None


class ExitsRecord(_Record):
    """``exits.json``: per exit its record, and the share of legacy exits decommissioned."""

    env: str = ""
    exits: dict[str, ExitRecord] = {}
    consolidated_ratio: float | None = None
    updated: str | None = None


ROLLOUT_FILE = ROLLOUT_RECORD
EXITS_FILE = EXITS_RECORD
ROLLOUT_EXAMPLE = '{"env": "<env>", "sites": {"<site-code>": "dual-stack"}, "hosts": {}}'
EXITS_EXAMPLE = '{"env": "<env>", "exits": {"<exit-code>": {"status": "decommissioned"}}}'


def rollout_state_path(project_root: Path, env_dir: Path) -> Path:
    """The IPv6 rollout's record: per host its last outcome, per site its IPv6 status."""
    return env_state_dir(project_root, env_dir) / ROLLOUT_FILE


def exits_state_path(project_root: Path, env_dir: Path) -> Path:
    """The exit consolidation's record: per exit its status and the loss measured at its switch."""
    return env_state_dir(project_root, env_dir) / EXITS_FILE


def read_rollout_record(path: Path) -> RolloutRecord | None:
    """The rollout record at ``path``; None when there is none yet; ModelError (exit 2) when broken."""
    return read_json_state(path, RolloutRecord, f"correct the JSON; expected shape: {ROLLOUT_EXAMPLE}")


def read_exits_record(path: Path) -> ExitsRecord | None:
    """The exits record at ``path``; None when there is none yet; ModelError (exit 2) when broken."""
    return read_json_state(path, ExitsRecord, f"correct the JSON; expected shape: {EXITS_EXAMPLE}")


def write_record(path: Path, record: BaseModel) -> None:
    write_state(path, record.model_dump(mode="json", exclude_none=True))


def read_state(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def write_state(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)
