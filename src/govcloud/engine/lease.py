"""A stack lease in front of the engine: exactly one run changes a stack, the others are told who.

The engine's own lock on a self-managed backend is a file written and then a folder *listed*
(:mod:`.locks`): two runs that write at the same moment both see two files and both give up, and
on an object store the listing may not show the other's file at all. govcloud therefore takes a
lease first, with the one primitive that decides a race by itself: *create if absent*, answered
by the store, not by a read followed by a write.

* The file store (a folder, local or on a filesystem the operators share) creates a lease by
  writing a private file and hard-linking it to the lease's name: ``link(2)`` fails with EEXIST
  for every writer but one, and the lease is whole the moment it is visible (never half-written).
* Swift (2.30, Debian 12) offers no such primitive: its S3 API refuses conditional PUTs
  ("Conditional object PUTs are not supported") and its native ``If-None-Match: *`` is checked by
  the object server before the upload and not again when the file is committed, so two concurrent
  writers can both succeed. A lease on Swift would be unsafe; :func:`lease_store` says so.

A lease names its holder (user, host, pid, command, working copy) and since when. It is broken
only when it is provably stale: its expiry has passed, or it was taken on this host by a process
that no longer runs. Breaking renames the lease aside and checks that what was moved is the stale
lease that was judged; anything else is put back.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..errors import EngineError, UsageError
from .locks import StackLock, holder_is_dead

LEASE_FOLDER = Path(".govcloud") / "leases"  # inside a file backend, beside the engine's own .pulumi
DEFAULT_LEASE = timedelta(hours=4)  # longer than any up of a node's stack; a crashed run's lease on
# this host is freed at once by the dead-pid rule, another host's only at expiry or by `state unlock`

# The leases this run holds, by (folder, key): a run that holds a stack across several engine
# operations (`drift --fix`: adopt, refresh, up) is not refused by its own lease inside them.
_HELD: ContextVar[frozenset[tuple[str, str]]] = ContextVar("govcloud_leases_held", default=frozenset())


@dataclass(frozen=True)
class Holder:
    """Who holds a lease, since when and until when."""

    user: str
    host: str
    pid: int
    command: str
    working_copy: str
    since: str  # ISO 8601, UTC
    expires: str

    @classmethod
    def me(cls, command: str, working_copy: Path, lease: timedelta = DEFAULT_LEASE,
           now: datetime | None = None) -> Holder:
        now = now or datetime.now(timezone.utc)
        return cls(getpass.getuser(), socket.gethostname(), os.getpid(), command, str(working_copy),
                   now.isoformat(timespec="seconds"), (now + lease).isoformat(timespec="seconds"))

    def describe(self) -> str:
        return (f"{self.user}@{self.host} (pid {self.pid}, {self.command}, working copy {self.working_copy}) "
                f"since {self.since}, lease until {self.expires}")

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self), sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Holder:
        try:
            fields = json.loads(data.decode())
            return cls(str(fields["user"]), str(fields["host"]), int(fields["pid"]), str(fields["command"]),
                       str(fields["working_copy"]), str(fields["since"]), str(fields["expires"]))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            # Not a lease govcloud wrote: nobody can be named, and nothing proves it stale.
            return cls("?", "?", 0, "?", "?", "an unknown time", "an unknown time")

    def expired(self, now: datetime | None = None) -> bool:
        try:
            return (now or datetime.now(timezone.utc)) > datetime.fromisoformat(self.expires)
        except ValueError:
            return False

    def process_gone(self) -> bool:
        """Taken on this host by a process that no longer runs (the rule of :mod:`.locks`)."""
        try:
            taken = datetime.fromisoformat(self.since)
        except ValueError:
            return False
        return holder_is_dead(StackLock(Path(), self.pid, self.user, self.host, taken))


class StackLeased(EngineError):
    """Another run holds the stack's lease."""

    def __init__(self, stack: str, holder: Holder) -> None:
        super().__init__(f"stack {stack} is locked by {holder.describe()}",
                         fix="wait for that run to finish; if that run is gone for good, `govcloud state unlock "
                             f"--stack {stack}` breaks the lease")
        self.holder = holder


class FileLeaseStore:
    """Leases as files in one folder; create-if-absent by ``link(2)``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def create(self, key: str, body: bytes) -> str | None:
        """Create the lease; its token, or None when one exists already."""
        self.folder.mkdir(parents=True, exist_ok=True)
        private = self.folder / f".{key}.{uuid.uuid4().hex}.new"
        private.write_bytes(body)
        try:
            os.link(private, self._path(key))
        except FileExistsError:
            return None
        finally:
            private.unlink(missing_ok=True)
        return _token(self._path(key).stat())

    def read(self, key: str) -> tuple[bytes, str] | None:
        try:
            with self._path(key).open("rb") as handle:
                return handle.read(), _token(os.fstat(handle.fileno()))
        except FileNotFoundError:
            return None

    def remove(self, key: str, token: str) -> bool:
        """Remove the lease only if it is still the one ``token`` names."""
        aside = self.folder / f".{key}.{uuid.uuid4().hex}.removed"
        try:
            os.rename(self._path(key), aside)
        except FileNotFoundError:
            return False
        try:
            if _token(aside.stat()) == token:
                return True
            try:  # a newer lease was moved: put it back
                os.link(aside, self._path(key))
            except OSError as exc:
                if exc.errno != errno.EEXIST:
                    raise
            return False
        finally:
            aside.unlink(missing_ok=True)


def _token(stat: os.stat_result) -> str:
    return f"{stat.st_ino}:{stat.st_mtime_ns}"


def lease_store(backend_url: str, lock_url: str | None = None) -> FileLeaseStore:
    """Where a backend's leases live: ``lock_url`` when given, else inside a ``file://`` backend."""
    url = lock_url or backend_url
    parsed = urlparse(url)
    if parsed.scheme == "file":
        folder = Path(unquote(parsed.path))
        return FileLeaseStore(folder if lock_url else folder / LEASE_FOLDER)
    if lock_url:
        raise UsageError(f"--lock-url {lock_url!r} is not a folder URL",
                         fix="give --lock-url file:///a/folder/all/operators/share (an object store cannot create "
                             "a lease only if absent)")
    raise UsageError(f"the state backend {backend_url} has no lease govcloud can trust: the engine's own "
                     "lock lists objects, and Swift's S3 API refuses conditional writes",
                     fix="give --lock-url file:///a/folder/all/operators/share for the leases")


def stale(holder: Holder) -> bool:
    return holder.expired() or holder.process_gone()


def acquire(store: FileLeaseStore, key: str, stack: str, holder: Holder,
            is_stale: Callable[[Holder], bool] = stale) -> str:
    """Take the lease or raise :class:`StackLeased` at once; returns the token to release it with."""
    for _ in range(3):  # the lease may vanish between our create and our read, or be stale
        token = store.create(key, holder.to_bytes())
        if token is not None:
            return token
        found = store.read(key)
        if found is None:
            continue
        current = Holder.from_bytes(found[0])
        if not is_stale(current):
            raise StackLeased(stack, current)
        store.remove(key, found[1])
    found = store.read(key)
    raise StackLeased(stack, Holder.from_bytes(found[0]) if found else holder)


def release(store: FileLeaseStore, key: str, token: str) -> None:
    store.remove(key, token)


def lease_key(project: str, stack: str) -> str:
    return f"{project}.{stack}"


@contextmanager
def held(store: FileLeaseStore, project: str, stack: str, holder: Holder) -> Iterator[float]:
    """Hold ``stack``'s lease for the block; yields how long taking it took (seconds). Inside a
    block that already holds it (same run, same thread), it is not taken again."""
    started = time.monotonic()
    key = lease_key(project, stack)
    mine = (str(store.folder), key)
    if mine in _HELD.get():  # taken by this run further out; released there
        yield 0.0
        return
    token = acquire(store, key, stack, holder)
    outer = _HELD.set(_HELD.get() | {mine})
    try:
        yield time.monotonic() - started
    finally:
        _HELD.reset(outer)
        release(store, key, token)


@contextmanager
def all_held(store: FileLeaseStore, project: str, stacks: list[str], holder: Holder) -> Iterator[float]:
    """Hold every stack's lease for the block (all or none: a refusal releases those taken);
    yields how long taking them took (seconds)."""
    started = time.monotonic()
    with ExitStack() as taken:
        for stack in stacks:
            taken.enter_context(held(store, project, stack, holder))
        yield time.monotonic() - started


def unlock(store: FileLeaseStore, project: str, stack: str) -> Holder | None:
    """Break ``stack``'s lease by hand (``govcloud state unlock``); the holder it had, or None."""
    key = lease_key(project, stack)
    found = store.read(key)
    if found is None:
        return None
    store.remove(key, found[1])
    return Holder.from_bytes(found[0])
