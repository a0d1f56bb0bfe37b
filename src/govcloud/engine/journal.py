"""A record that a run without per-step checkpoints has not finished, and what the next run owes it.

Without checkpoints (:mod:`.checkpoints`) the engine saves the state once, at the end: a run
killed before then (SIGKILL, a crash, a lost machine) leaves the state as it was before it
started, while the objects it created exist in the cloud. So before the engine starts, such a run
writes a journal entry (stack, operation, when, which process) under the state root
(:func:`govcloud.paths.engine_journal_dir`), durably (flushed to disk, then renamed into place),
and removes it only once the engine has returned with the final state saved (an engine that failed
by itself saved it too: its entry goes once the state shows a save after the entry, see
:func:`saved_after`). An entry found by the
next run of the stack means its run died; :func:`recovery_for` decides what that run owes:

* a killed ``up``: the next ``up`` takes over what it created (:func:`.adoption.plan_takeover`:
  only the plan's resources the state lacks, found by name, tags and the IDs of what they join,
  imported, never created again). A ``destroy`` is refused until then (it would leave those
  objects behind); a ``refresh`` runs and leaves the entry to the next ``up``.
* a killed ``destroy``: the state may still list objects it deleted; the next run refreshes the
  stack first (gone objects leave the state).
* a killed ``refresh``: it changed nothing in the cloud; the state as before is right.

A recovering run keeps the entry (rewritten as its own) until it finishes too, with or without
checkpoints: what it takes over is in the state only once it has run. The entry is kept per
backend, project and stack (another backend is another state). A run journals while it holds the
stack's lease (:mod:`.lease`), so an entry found by the lease's holder is never a live run's.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..errors import EngineError
from ..jsonstate import read_json_state

Action = Literal["none", "take-over", "refresh", "leave", "forget"]


class JournalEntry(BaseModel):
    """One run of an operation that changes the state, from before its engine starts until its
    final state is saved."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stack: str
    project: str
    backend: str
    operation: Literal["up", "destroy", "refresh"]
    started: datetime
    pid: int
    host: str
    checkpoints: bool  # whether the run kept its per-step checkpoints (a recovering run may)

    @classmethod
    def now(cls, stack: str, project: str, backend: str, operation: str, checkpoints: bool) -> JournalEntry:
        return cls(stack=stack, project=project, backend=backend, operation=operation,
                   started=datetime.now(timezone.utc).replace(microsecond=0), pid=os.getpid(),
                   host=socket.gethostname(), checkpoints=checkpoints)

    def describe(self) -> str:
        how = "with" if self.checkpoints else "without"
        return (f"the `{self.operation}` of {self.stack} {how} checkpoints (started {self.started.isoformat()}, "
                f"pid {self.pid} on {self.host})")


def journal_path(journal_dir: Path, backend: str, project: str, stack: str) -> Path:
    """The entry of ``stack`` of ``project`` in ``backend`` (``EngineSettings.journal_dir``)."""
    key = hashlib.sha256(backend.encode()).hexdigest()[:12]
    return journal_dir / key / project / f"{stack}.json"


def read_journal(path: Path) -> JournalEntry | None:
    """The unfinished run recorded at ``path`` (None: none); ModelError (exit 2) for a broken entry."""
    return read_json_state(path, JournalEntry, fix=f"a journal is written whole or not at all: if {path} was "
                                                  f"edited, restore it, or delete it once every object the "
                                                  f"run it names created is in the state")


def write_journal(path: Path, entry: JournalEntry) -> None:
    """Write ``entry`` so that it is on disk, whole, before this returns (a crash right after
    leaves it; a crash during leaves the previous entry or none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(entry.model_dump_json(indent=1) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    _sync_folder(path.parent)


def clear_journal(path: Path) -> None:
    """Remove the entry (the run it names has finished and its final state is saved)."""
    if path.exists():
        path.unlink()
        _sync_folder(path.parent)


def saved_after(deployment: dict, moment: datetime | None) -> bool:
    """Whether the state ``deployment`` was written after ``moment`` (its manifest's time, which the
    engine sets at every save). A state without one, or a time without a zone, proves nothing."""
    written = (deployment.get("manifest") or {}).get("time")
    if moment is None or not isinstance(written, str):
        return False
    try:
        when = datetime.fromisoformat(written)
    except ValueError:
        return False
    return when.tzinfo is not None and when > moment


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@dataclass(frozen=True)
class Recovery:
    """What a run does about the unfinished run it found (``action`` ``none``: it found none)."""

    action: Action
    entry: JournalEntry | None = None

    @property
    def keeps_entry(self) -> bool:
        """Whether this run journals whatever it skips: a recovery is finished only with the run."""
        return self.action in ("take-over", "refresh")

    def describe(self) -> str:
        if self.entry is None:
            return ""
        dead = f"{self.entry.describe()} did not finish"
        return {"take-over": f"{dead}: taking over the objects it created (found by name and tags, imported)",
                "refresh": f"{dead}: refreshing the stack first (objects it deleted leave the state)",
                "leave": f"{dead}: the objects it created are taken over by the next `up`",
                "forget": f"{dead}: a refresh changes nothing in the cloud; nothing to recover"}.get(self.action, "")


def recovery_for(entry: JournalEntry | None, operation: str) -> Recovery:
    """What a run of ``operation`` owes the unfinished run ``entry``; EngineError for a destroy that
    would leave a killed ``up``'s objects behind."""
    if entry is None:
        return Recovery("none")
    if entry.operation == "up":
        if operation == "up":
            return Recovery("take-over", entry)
        if operation == "destroy":
            raise EngineError(f"{entry.describe()} did not finish: the objects it created are not in the "
                              f"state, and a destroy would leave them behind",
                              fix=f"run `govcloud up --stack {entry.stack}` first (it takes them over), then "
                                  f"destroy")
        return Recovery("leave", entry)
    if entry.operation == "destroy":
        return Recovery("refresh", entry)
    return Recovery("forget", entry)
