"""The execution state of an environment's migration: ``.state/<env>/migration-run.json``.

One file for every wave of the environment, rewritten atomically after every step (a temporary
file, ``fsync``, ``os.replace``, ``fsync`` of the folder), so a process killed at any moment leaves
either the state before the step or the state after it. ``migration.lock`` beside it stops two runs
of one environment from interleaving.

Shape (keys not listed are kept but ignored)::

    {"env": "lab", "waves": {"1": {"status": "in-progress", "systems": {"<code>": {"phase": "cutover",
        "steps": [{"step": "provision", "started": "...", "finished": "...", "seconds": 1.2,
                   "details": {...}}, ...]}}}}}

This file is the one source of truth of migration progress: each wave's ``status`` is set by the
executor (``in-progress`` when its first step starts, ``done`` when every system is finalized,
``rolled-back``) and by ``govcloud migrate mark`` for waves run by hand. Wave files never carry it;
everyone reads it through :mod:`..progress`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...errors import Location, ModelError, OperationError
from ...jsonstate import read_json_state
from ...paths import MIGRATION_RUN
from ..schema import WaveStatus
from .lifecycle import Phase

RUN_FILE = MIGRATION_RUN
LOCK_FILE = "migration.lock"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StepRecord(_Model):
    step: str
    started: dt.datetime
    finished: dt.datetime
    seconds: float
    details: dict[str, Any] = Field(default_factory=dict)


class SystemRun(_Model):
    phase: Phase = Phase.READY
    steps: list[StepRecord] = Field(default_factory=list)

    def done(self, step: str) -> int:
        """How many times ``step`` was recorded (a resumed run must keep this at one)."""
        return sum(r.step == step for r in self.steps)


class WaveRun(_Model):
    status: WaveStatus = WaveStatus.PLANNED
    systems: dict[str, SystemRun] = Field(default_factory=dict)


class RunState(_Model):
    env: str
    waves: dict[int, WaveRun] = Field(default_factory=dict)

    def wave(self, wave: int) -> WaveRun:
        """The record of ``wave``, created (planned) when new."""
        return self.waves.setdefault(wave, WaveRun())

    def system(self, wave: int, code: str) -> SystemRun:
        """The record of ``code`` in ``wave``, created in phase ``ready`` when new."""
        return self.waves.setdefault(wave, WaveRun()).systems.setdefault(code, SystemRun())


def run_file(state_dir: Path) -> Path:
    return state_dir / RUN_FILE


def load_run_state(state_dir: Path, env_name: str) -> RunState:
    """The recorded state, or an empty one when nothing has run in this environment yet."""
    path = run_file(state_dir)
    if not path.is_file():
        return RunState(env=env_name)
    state = read_json_state(path, RunState,
                            "restore the file from a backup; it is only written by `govcloud migrate run`")
    if state.env != env_name:
        raise ModelError(f"the state belongs to env {state.env!r}, not {env_name!r}",
                         location=Location(path, None, "env"), fix="point --env at the right environment")
    return state


def save_run_state(state_dir: Path, state: RunState) -> Path:
    """Write ``state`` atomically: readers see the old file or the new one, never a mix."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = run_file(state_dir)
    temp = state_dir / f".{RUN_FILE}.tmp-{os.getpid()}"
    text = json.dumps(state.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    try:
        with temp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        folder = os.open(state_dir, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OperationError(f"cannot record the migration state in {path}: {exc}",
                             fix="check the folder's permissions and free space, then run again") from exc
    return path


@contextlib.contextmanager
def exclusive(state_dir: Path) -> Iterator[None]:
    """Hold the environment's migration lock; a second run fails at once instead of waiting."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OperationError(f"another migration run holds {state_dir / LOCK_FILE}",
                                 fix="wait for it to finish (or make sure its process is gone) and run again") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
