"""The network's recorded outcomes as the KPIs read them: progress recorded outside the model by other commands.

Two optional files under ``.state/<env>/``, written by the network rollout and the exit
consolidation in the one schema of :mod:`govcloud.network.outcomes` (``RolloutRecord``,
``ExitsRecord``); when a file is absent, the model's own statuses stand. A file that does not
match the schema is bad input (exit 2), naming the file, the field and the expected shape.
"""

from __future__ import annotations

from pathlib import Path

from ..model import ExitStatus, Ipv6Status
from ..network.outcomes import EXITS_FILE, ROLLOUT_FILE, read_exits_record, read_rollout_record
from ..paths import env_state_dir


def state_folder(project_root: Path, env_dir: Path) -> Path:
    return env_state_dir(project_root, env_dir)


def read_rollout_state(folder: Path) -> dict[str, Ipv6Status]:
    """IPv6 status per site code from ``rollout.json``; empty when the file does not exist."""
    record = read_rollout_record(folder / ROLLOUT_FILE)
    return dict(record.sites) if record is not None else {}


def read_exits_state(folder: Path) -> dict[str, ExitStatus]:
    """Status per exit code from ``exits.json``; empty when the file does not exist."""
    record = read_exits_record(folder / EXITS_FILE)
    return {code: entry.status for code, entry in record.exits.items()} if record is not None else {}
