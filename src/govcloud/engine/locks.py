"""The file backend's stack locks: release the ones dead processes left, explain the live ones.

Pulumi's self-managed (``file://``) backend locks a stack by writing
``<backend>/.pulumi/locks/<org>/<project>/<stack>/<lock id>.json`` holding the ``pid``,
``username``, ``hostname`` and ``timestamp`` of the CLI process that took it, and deletes the
file when the update ends. A CLI killed with SIGKILL (or a machine that lost power) leaves the
file behind, and every later run stops on it with the advice to run ``pulumi cancel``, which
removes *any* lock, a live one too.

Here a lock is released only when its holder is provably gone: it was taken on this host and no
process with that pid runs any more, or the pid now belongs to a process started after the lock
was taken (the pid was reused). A lock from another host, or held by a live process, is never
touched; the caller gets who holds it and since when.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import psutil

from ..errors import EngineError

LOCK_DIR = Path(".pulumi") / "locks"


@dataclass(frozen=True)
class StackLock:
    """One lock file and what it says about its holder."""

    path: Path
    pid: int
    username: str
    hostname: str
    taken: datetime | None

    def describe(self) -> str:
        since = self.taken.isoformat(timespec="seconds") if self.taken else "an unknown time"
        return f"{self.username}@{self.hostname} (pid {self.pid}) since {since}"


def backend_dir(backend_url: str) -> Path | None:
    """The folder of a ``file://`` backend; None for any other kind (their locks are theirs)."""
    parsed = urlparse(backend_url)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def stack_locks(backend: Path, project: str, stack: str) -> list[StackLock]:
    """Every lock file of ``project``/``stack`` in a file backend (project-scoped and legacy layouts)."""
    root = backend / LOCK_DIR
    folders = [*root.glob(f"*/{project}/{stack}"), root / stack]
    return [read_lock(path) for folder in folders if folder.is_dir() for path in sorted(folder.glob("*.json"))]


def read_lock(path: Path) -> StackLock:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}  # a half-written lock (its writer died mid-write) says nothing about a holder
    return StackLock(path, int(data.get("pid") or 0), str(data.get("username") or "?"),
                     str(data.get("hostname") or "?"), _parse_time(data.get("timestamp")))


def _parse_time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        # Go writes nanoseconds; Python before 3.11 reads at most microseconds.
        head, _, rest = value.partition(".")
        zone = next((rest[i:] for i, c in enumerate(rest) if c in "+-Z"), "")
        try:
            return datetime.fromisoformat(head + zone.replace("Z", "+00:00"))
        except ValueError:
            return None


def holder_is_dead(lock: StackLock, hostname: str | None = None,
                   started: Callable[[int], float | None] | None = None) -> bool:
    """True only when the lock was taken on this host and its process is provably gone."""
    if lock.hostname != (hostname or socket.gethostname()) or lock.pid <= 0:
        return False  # another machine's process (or a lock without one): we cannot know
    start = (started or _process_start)(lock.pid)
    if start is None:
        return True
    # The pid is in use: by the holder, unless that process started after the lock was taken.
    return lock.taken is not None and start > lock.taken.timestamp() + 1


def _process_start(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:
        return 0.0  # it exists; treat it as the holder


def release_stale_locks(backend_url: str, project: str, stack: str,
                        is_dead: Callable[[StackLock], bool] = holder_is_dead) -> list[StackLock]:
    """Delete the locks of dead holders; return them (for the user to see).

    Raises :class:`EngineError` naming the holder when a live lock remains.
    """
    backend = backend_dir(backend_url)
    if backend is None:
        return []
    released, live = [], []
    for lock in stack_locks(backend, project, stack):
        if is_dead(lock):
            lock.path.unlink(missing_ok=True)
            released.append(lock)
        else:
            live.append(lock)
    if live:
        raise locked_error(stack, live)
    return released


def locked_error(stack: str, holders: list[StackLock]) -> EngineError:
    who = "; ".join(lock.describe() for lock in holders)
    return EngineError(f"stack {stack} is being changed by another run: {who}",
                       fix="wait for that run to finish (or stop it; govcloud releases a dead run's lock "
                           "by itself on the next run)")


def lock_holders_in(text: str) -> list[StackLock]:
    """The holders named in the engine's own 'the stack is currently locked' error (a race lost
    after the check above), so the loser is told who won rather than to run ``pulumi cancel``."""
    holders = []
    for line in text.splitlines():
        line = line.strip()
        if ": created by " not in line:
            continue
        location, _, rest = line.partition(": created by ")
        who, _, rest = rest.partition(" (pid ")
        pid, _, taken = rest.partition(") at ")
        user, _, host = who.partition("@")
        holders.append(StackLock(Path(location), int(pid) if pid.isdigit() else 0, user, host,
                                 _parse_time(taken.strip())))
    return holders

