"""Processes of the labs' namespaces: which live, and stopping a set of them."""

from __future__ import annotations

import os
import subprocess
import sys

from govcloud.lab import processes


def _sleepers(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) for _ in range(count)]


def test_this_process_lives_and_a_reaped_one_does_not():
    assert processes.alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not processes.alive(child.pid)


def test_a_zombie_is_not_alive():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        assert not processes.alive(child.pid)
    finally:
        child.wait()


def test_terminate_stops_every_process_of_the_set():
    children = _sleepers(2)
    try:
        assert all(processes.alive(c.pid) for c in children)
        processes.terminate([c.pid for c in children], timeout_s=5)
        assert all(c.wait(timeout=5) == -15 for c in children)  # SIGTERM was enough
    finally:
        for child in children:
            child.kill()
            child.wait()


def test_wait_gone_reports_a_process_that_does_not_go():
    [child] = _sleepers(1)
    try:
        assert processes.wait_gone([child.pid], timeout_s=0.05) is False
    finally:
        child.kill()
        child.wait()
    assert processes.wait_gone([child.pid], timeout_s=0.05) is True
