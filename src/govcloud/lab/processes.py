"""Processes of the labs' network namespaces: which run there, whether one still lives, and how
to stop a set of them. Shared by the network lab and the workload lab."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from ..errors import LabError


# The shell starts the daemon in the background and prints its PID: the daemon is nobody's Popen,
# so no Python object waits for it (or warns when collected while it still runs).
_LAUNCHER = 'log=$1; shift; "$@" </dev/null >>"$log" 2>&1 & echo $!'


def launch_detached(argv: list[str] | tuple[str, ...], log: Path, env: dict[str, str], cwd: Path) -> int:
    """Start a daemon in a session of its own, output appended to ``log``; its PID."""
    launched = subprocess.run(["/bin/sh", "-c", _LAUNCHER, "sh", str(log), *argv], env=env, cwd=cwd,
                              capture_output=True, text=True, check=True, start_new_session=True)
    return int(launched.stdout.strip())


def run_command(argv: list[str], fix: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a lab command (``ip``, ``nft`` …); with ``check``, a failure is a LabError with ``fix``."""
    result = subprocess.run(argv, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed: {result.stderr.strip()}", fix=fix)
    return result


def namespace_pids(ns: str) -> list[int]:
    """PIDs of the processes in network namespace ``ns`` (none when it does not exist)."""
    done = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
    return [int(p) for p in done.stdout.split()]


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a zombie is dead; only its parent has not looked)."""
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (FileNotFoundError, ProcessLookupError, IndexError):  # gone before or while /proc was read
        return False


def wait_gone(pids: list[int], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.02)
    return not any(alive(p) for p in pids)


def signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def terminate(pids: list[int], timeout_s: float) -> None:
    """SIGTERM, and SIGKILL what is still alive after ``timeout_s``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        signal_all(pids, sig)
        if wait_gone(pids, timeout_s):
            return
