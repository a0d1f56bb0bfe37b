"""TCP ports the lab listens on, and who holds a port when it is already taken.

Every service binds 127.0.0.1 only. MariaDB listens on a Unix socket inside the state dir,
so it needs no TCP port at all.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

HOST = "127.0.0.1"

KEYSTONE = 5000
GLANCE = 9292
NEUTRON = 9696
NOVA = 8774
PLACEMENT = 8778
CINDER = 8776
RABBIT = 5672
EPMD = 4369
# Erlang distribution gets a fixed port so it cannot land on a random one another lab needs.
RABBIT_DIST = 25672

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


def is_listening(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


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
