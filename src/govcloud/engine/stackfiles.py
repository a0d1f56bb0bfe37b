"""Per-run files of an engine run, so that no run writes a committed file.

The engine writes into a stack's settings file (``stacks/Pulumi.<stack>.yaml``, committed) in two
cases: ``stack init`` records the passphrase provider's ``encryptionsalt`` there, and every later
command writes it back when it finds it missing. A run killed half-way, or two runs racing, left
that line in the committed file (the old move-in/move-out around each run could not survive a
kill). The salt does not need that file: a new stack's first checkpoint already holds its secrets
provider, and with ``PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true`` the engine takes it from the
state when the settings file has none. So each run gets a directory of its own under the state
directory (``<state>/../runs/<run id>/``) holding:

* ``project/``: a copy of ``Pulumi.yaml`` for the commands that do not run the program (stack
  init, select, output, export, import): whatever they write lands in the copy;
* ``Pulumi.<stack>.yaml``: the committed settings without any salt line, handed to the commands
  that run the program with ``--config-file``, where the engine's write-back lands.

The plain ``pulumi`` CLI agrees: with the same backend, passphrase and the fallback variable it
reads the salt from the state too (`PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true pulumi up --config-file
<a copy of the settings>`; without --config-file it writes the salt back into the committed file).
The directory is removed when the run ends; a killed run's is removed by the next (:func:`sweep`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import yaml

from ..paths import PROJECT_FILE, STACKS, stack_settings_file

SALT_LINE = re.compile(r"^encryptionsalt:.*\n?", re.MULTILINE)
FALLBACK_VARIABLE = "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER"


def new_run_id() -> str:
    """Unique per run (two runs started in the same second differ): time, pid and a random tag."""
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class RunFiles:
    """The private files of one run over one project."""

    project_root: Path
    run_dir: Path

    @classmethod
    def create(cls, project_root: Path, runs_dir: Path, run_id: str) -> RunFiles:
        sweep(runs_dir)
        run_dir = runs_dir / run_id
        (run_dir / "project").mkdir(parents=True)
        shutil.copyfile(project_root / PROJECT_FILE, run_dir / "project" / PROJECT_FILE)
        return cls(project_root, run_dir)

    @property
    def scratch_project(self) -> Path:
        """Work dir for commands that do not run the program."""
        return self.run_dir / "project"

    def config_file(self, stack: str, stack_config_dir: str = STACKS) -> Path:
        """The stack's committed settings minus any salt, as a file private to this run."""
        committed = stack_settings_file(self.project_root, stack, stack_config_dir)
        private = self.run_dir / committed.name
        text = committed.read_text(encoding="utf-8") if committed.is_file() else "config: {}\n"
        private.write_text(SALT_LINE.sub("", text), encoding="utf-8")
        return private

    @staticmethod
    def add_config(config_file: Path, key: str, value: str) -> None:
        """Add one plain setting to a run's private settings file (never a committed one)."""
        data = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        data.setdefault("config", {})[key] = value
        config_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def remove(self) -> None:
        shutil.rmtree(self.run_dir, ignore_errors=True)


def sweep(runs_dir: Path) -> list[Path]:
    """Remove run directories whose process is gone (a killed run cannot clean up after itself)."""
    removed = []
    if not runs_dir.is_dir():
        return removed
    for run_dir in runs_dir.iterdir():
        pid = _pid_of(run_dir.name)
        if pid is not None and not psutil.pid_exists(pid):
            shutil.rmtree(run_dir, ignore_errors=True)
            removed.append(run_dir)
    return removed


def _pid_of(run_id: str) -> int | None:
    parts = run_id.split("-")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
