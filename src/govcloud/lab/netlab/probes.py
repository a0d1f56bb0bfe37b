"""Measurements taken from inside lab nodes: what source address the fake internet sees, and the
loss of a 50 ms ping stream while an exit is switched."""

from __future__ import annotations

import re
import signal
import subprocess
from dataclasses import dataclass

from ...errors import LabError
from .overlay import INTERNET_SERVER_PORT
from .runtime import namespace

PING_INTERVAL_S = 0.05


def source_seen(node: str, server: str, port: int = INTERNET_SERVER_PORT, timeout_s: float = 3.0) -> str:
    """The source address the fake internet's server sees for a connection from ``node``."""
    script = f"exec 3<>/dev/tcp/{server}/{port} && head -n1 <&3"
    result = subprocess.run(["ip", "netns", "exec", namespace(node), "timeout", str(timeout_s), "bash", "-c", script],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise LabError(f"{node} cannot reach the fake internet at {server}: {result.stderr.strip() or 'timeout'}",
                       fix="check the exits' default routes (govcloud exits audit)")
    return result.stdout.strip()


@dataclass
class PingStream:
    """``ping -i 0.05`` from a node to a target, started and stopped around a switch."""

    node: str
    target: str
    _proc: subprocess.Popen | None = None

    def start(self) -> PingStream:
        self._proc = subprocess.Popen(
            ["ip", "netns", "exec", namespace(self.node), "ping", "-n", "-i", str(PING_INTERVAL_S), "-W", "1",
             self.target], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return self

    def stop(self) -> dict:
        """Stop and return sent, received and lost packets."""
        if self._proc is None:
            raise LabError("ping stream never started", fix="call start() first")
        self._proc.send_signal(signal.SIGINT)
        out, _ = self._proc.communicate(timeout=10)
        match = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        if not match:
            raise LabError(f"ping from {self.node} to {self.target} printed no summary: {out[-200:]}",
                           fix="run scripts/netlab-install.sh (iputils-ping)")
        sent, received = int(match.group(1)), int(match.group(2))
        return {"node": self.node, "target": self.target, "sent": sent, "received": received,
                "lost": sent - received, "interval_ms": int(PING_INTERVAL_S * 1000)}


class LabSwitchProbe:
    """The lab's measurements around an exit switch: a 50 ms ping stream from every department
    host to the fake internet, and the source address the internet sees from each host."""

    def __init__(self, hosts: list[str], server_v4: str, server_v6: str | None) -> None:
        self.hosts = hosts
        self.server_v4 = server_v4
        self.server_v6 = server_v6
        self._streams: list[PingStream] = []

    def start(self) -> None:
        self._streams = [PingStream(h, self.server_v4).start() for h in self.hosts]

    def stop(self) -> list[dict]:
        return [s.stop() for s in self._streams]

    def sources(self) -> dict[str, dict[str, str]]:
        seen: dict[str, dict[str, str]] = {}
        for host in self.hosts:
            seen[host] = {}
            for family, server in (("v4", self.server_v4), ("v6", self.server_v6)):
                if server is None:
                    continue
                try:
                    seen[host][family] = source_seen(host, server)
                except LabError:
                    seen[host][family] = "unreachable"
        return seen
