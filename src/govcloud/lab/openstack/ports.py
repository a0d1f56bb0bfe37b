"""TCP ports the lab listens on, and who holds a port when it is already taken.

Every service binds 127.0.0.1 only. MariaDB listens on a Unix socket inside the state dir,
so it needs no TCP port at all. A lab instance (:mod:`govcloud.paths`) shifts every port by its
offset, so instances run side by side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


@dataclass(frozen=True)
class LabPorts:
    """The ports of one lab instance: the default lab's, shifted by ``offset``."""

    offset: int = 0

    @property
    def KEYSTONE(self) -> int:  # noqa: N802 - upper case: the names templates use
        return 5000 + self.offset

    @property
    def GLANCE(self) -> int:  # noqa: N802
        return 9292 + self.offset

    @property
    def NEUTRON(self) -> int:  # noqa: N802
        return 9696 + self.offset

    @property
    def NOVA(self) -> int:  # noqa: N802
        return 8774 + self.offset

    @property
    def PLACEMENT(self) -> int:  # noqa: N802
        return 8778 + self.offset

    @property
    def CINDER(self) -> int:  # noqa: N802
        return 8776 + self.offset

    @property
    def RABBIT(self) -> int:  # noqa: N802
        return 5672 + self.offset

    @property
    def EPMD(self) -> int:  # noqa: N802
        return 4369 + self.offset

    @property
    def RABBIT_DIST(self) -> int:  # noqa: N802
        # Erlang distribution gets a fixed port so it cannot land on a random one another lab needs.
        return 25672 + self.offset

    def as_dict(self) -> dict[str, int]:
        names = ("KEYSTONE", "GLANCE", "NEUTRON", "NOVA", "PLACEMENT", "CINDER", "RABBIT", "EPMD", "RABBIT_DIST")
        return {name: getattr(self, name) for name in names}

    @property
    def keystone_url(self) -> str:
        return f"http://{HOST}:{self.KEYSTONE}/v3"


_LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


def port_owner(port: int) -> str | None:
    """Describe the process listening on TCP ``port`` (any address), or None when it is free."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for pid in _pids():
        for fd in _fds(pid):
            if fd in inodes:
                return f"{_comm(pid)} (pid {pid})"
    return "another process (owner not visible)"


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == _LISTEN:
                inodes.add(f"socket:[{fields[9]}]")
    return inodes


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _fds(pid: int) -> set[str]:
    fd_dir = f"/proc/{pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return set()
    targets = set()
    for name in names:
        try:
            targets.add(os.readlink(f"{fd_dir}/{name}"))
        except OSError:
            continue
    return targets


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"
