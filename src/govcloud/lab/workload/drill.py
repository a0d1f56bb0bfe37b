"""The drill's instruments: a continuous writer through the front end, a node killer, and the
figures (cutover downtime, failover RTO, acknowledged writes checked)."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from ...errors import LabError
from . import backup
from .driver import PYTHON
from .layout import APP_PORT, Layout, Place
from .namespaces import kill_namespace, record_pid, running, spawn

CLIENT = Path(__file__).with_name("client.py")


@dataclass(frozen=True)
class Ack:
    id: str
    at: float
    node: str


class Client:
    """``client.py`` in the client namespace, writing through the service address."""

    def __init__(self, layout: Layout, prefix: str) -> None:
        self.layout = layout
        self.prefix = prefix
        place = layout.place("client")
        self.acks_file = place.root / f"{prefix}.acks"
        self.reads_file = place.root / f"{prefix}.reads"
        self.key = f"client/{prefix}"

    def start(self) -> Client:
        place = self.layout.place("client")
        place.root.mkdir(parents=True, exist_ok=True)
        spawn(self.layout, place, self.prefix, [PYTHON, str(CLIENT), "--host", str(self.layout.service.address),
                                                "--port", str(APP_PORT), "--prefix", self.prefix,
                                                "--acks", str(self.acks_file), "--reads", str(self.reads_file)])
        return self

    def stop(self, timeout_s: float = 10) -> None:
        pid = running(self.layout, self.key)
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout_s
            while running(self.layout, self.key) is not None and time.monotonic() < deadline:
                time.sleep(0.05)
            if running(self.layout, self.key) is not None:
                os.kill(pid, signal.SIGKILL)
        record_pid(self.layout, self.key, None)

    def acks(self) -> list[Ack]:
        if not self.acks_file.is_file():
            return []
        out = []
        for line in self.acks_file.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3:
                out.append(Ack(parts[0], float(parts[1]), parts[2]))
        return out

    def reads(self) -> list[tuple[float, int]]:
        if not self.reads_file.is_file():
            return []
        return [(float(t), int(s)) for t, s in (line.split() for line in self.reads_file.read_text().splitlines()
                                                if len(line.split()) == 2)]

    def wait_acks(self, count: int, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.acks()) < count:
            if time.monotonic() > deadline:
                raise LabError(f"the client got {len(self.acks())} of {count} acknowledgements in {timeout_s:.0f} s",
                               fix=f"look at {self.layout.place('client').log} and the front end's log")
            time.sleep(0.05)


def longest_gap(times: list[float], start: float, end: float) -> float:
    """Longest stretch in [start, end] without an event (the downtime seen by a steady client)."""
    inside = sorted(t for t in times if start <= t <= end)
    points = [start, *inside, end]
    return max(b - a for a, b in zip(points, points[1:]))


def recovery_time(acks: list[Ack], since: float) -> float:
    """Seconds from ``since`` (a node killed) until writes were acknowledged again for good: the end
    of the longest gap between acknowledgements after ``since``. (A reply already in flight when
    the node died may arrive just after the kill; it does not count as recovery.)"""
    after = sorted(a.at for a in acks if a.at > since)
    if not after:
        raise LabError("no write was acknowledged after the node was killed", fix="look at the watchdog logs")
    points = [since, *after]
    ends = max(zip(points, points[1:]), key=lambda pair: pair[1] - pair[0])[1]
    return ends - since


def kill_node(layout: Layout, node: str) -> tuple[float, int]:
    """Every process of the node's namespace killed at once; the time it happened and how many."""
    at = time.time()
    pids = kill_namespace(layout.place(node).namespace)
    return at, len(pids)


def missing(place: Place, acks: list[Ack]) -> list[str]:
    """Acknowledged ids the database of ``place`` does not hold."""
    present = {line.split("\t", 1)[0] for line in backup.rows(place)}
    return [a.id for a in acks if a.id not in present]
