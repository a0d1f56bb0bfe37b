"""Readiness probes: how the lab tells that a service answers, not merely that it runs.

APIs answer an unauthenticated GET of their version document. MariaDB and RabbitMQ answer
their protocol greeting. RPC workers (conductor, scheduler, compute, cinder-scheduler/volume)
have no endpoint: they answer when their heartbeat row is newer than their own start.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from govcloud.errors import LabError

Probe = Callable[[], bool]

# oslo.service's default service_down_time: a heartbeat older than this means "down".
SERVICE_DOWN_TIME = 60.0


# Probes go straight to 127.0.0.1, whatever proxy the caller's environment names.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_probe(url: str, timeout: float = 3.0) -> Probe:
    """Answers when ``url`` returns any HTTP status below 500 (versions pages give 200 or 300)."""

    def probe() -> bool:
        try:
            with _DIRECT.open(url, timeout=timeout) as response:
                return response.status < 500
        except urllib.error.HTTPError as error:
            return error.code < 500
        except (OSError, ValueError):
            return False

    return probe


def tcp_probe(host: str, port: int) -> Probe:
    """Answers when the port accepts a connection (epmd speaks first only when asked)."""

    def probe() -> bool:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return True
        except OSError:
            return False

    return probe


def unix_greeting_probe(path: Path) -> Probe:
    """Answers when a server on a Unix socket sends its greeting (MariaDB's handshake packet)."""

    def probe() -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(2.0)
                sock.connect(str(path))
                return len(sock.recv(64)) > 0
        except OSError:
            return False

    return probe


def amqp_probe(host: str, port: int) -> Probe:
    """Answers when RabbitMQ replies to the AMQP 0-9-1 protocol header with a method frame.

    The TCP listener opens before the broker is ready to serve; the handshake proves it is.
    """

    def probe() -> bool:
        try:
            with socket.create_connection((host, port), timeout=2.0) as sock:
                sock.settimeout(3.0)
                sock.sendall(b"AMQP\x00\x00\x09\x01")
                reply = sock.recv(7)
                return len(reply) == 7 and reply[0] == 1  # frame type 1: connection.start
        except OSError:
            return False

    return probe


class HeartbeatBoard:
    """Heartbeats of all RPC services, read with one query and shared by every probe for a moment."""

    def __init__(self, fetch: Callable[[], dict[tuple[str, str], float]], mapped: Callable[[], set[str]]) -> None:
        self._fetch = fetch
        self._mapped = mapped
        self._lock = threading.Lock()
        self._read_at = 0.0
        self._beats: dict[tuple[str, str], float] = {}
        self._mapped_hosts: set[str] = set()

    def _refresh(self) -> None:
        with self._lock:
            if time.monotonic() - self._read_at < 0.5:
                return
            try:
                self._beats = self._fetch()
                self._mapped_hosts = self._mapped()
            except LabError:
                # MariaDB down or schema missing: every RPC service counts as not answering.
                self._beats, self._mapped_hosts = {}, set()
            self._read_at = time.monotonic()

    def probe(
        self, binary: str, host: str, started_at: Callable[[], float | None], needs_mapping: bool = False
    ) -> Probe:
        """Answers when ``binary`` on ``host`` reported after its process started (and, for compute
        hosts, once the scheduler has mapped the host into the cell)."""

        def probe() -> bool:
            started = started_at()
            if started is None:
                return False
            self._refresh()
            beat = self._beats.get((binary, host))
            # Row timestamps have whole seconds: allow two seconds of rounding.
            fresh = beat is not None and beat >= started - 2 and time.time() - beat < SERVICE_DOWN_TIME
            return fresh and (not needs_mapping or host in self._mapped_hosts)

        return probe
