"""Stale stack locks of the file backend: dead holders released, live ones named, never broken."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from govcloud.engine.locks import (holder_is_dead, lock_holders_in, read_lock, release_stale_locks,
                                   stack_locks)
from govcloud.errors import EngineError

HOST = socket.gethostname()


def _write_lock(backend: Path, stack: str, pid: int, host: str = HOST, when: datetime | None = None,
                name: str = "abc") -> Path:
    folder = backend / ".pulumi" / "locks" / "organization" / "govcloud" / stack
    folder.mkdir(parents=True, exist_ok=True)
    taken = (when or datetime.now(timezone.utc)).isoformat().replace("+00:00", "Z")
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"pid": pid, "username": "ops", "hostname": host, "timestamp": taken}))
    return path


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_dead_processs_lock_on_this_host_is_released(tmp_path):
    path = _write_lock(tmp_path, "lab-province", _dead_pid())
    released = release_stale_locks(tmp_path.as_uri(), "govcloud", "lab-province")
    assert [lock.path for lock in released] == [path]
    assert not path.exists()


def test_a_live_lock_is_never_released_and_its_holder_is_named(tmp_path):
    path = _write_lock(tmp_path, "lab-province", os.getpid(), when=datetime.now(timezone.utc))
    with pytest.raises(EngineError) as caught:
        release_stale_locks(tmp_path.as_uri(), "govcloud", "lab-province")
    assert path.exists()
    assert f"ops@{HOST} (pid {os.getpid()}) since" in caught.value.message
    assert "pulumi cancel" not in str(caught.value)


def test_another_hosts_lock_is_kept_even_if_the_pid_is_free_here(tmp_path):
    path = _write_lock(tmp_path, "lab-province", _dead_pid(), host="elsewhere.example")
    with pytest.raises(EngineError, match="elsewhere.example"):
        release_stale_locks(tmp_path.as_uri(), "govcloud", "lab-province")
    assert path.exists()


def test_a_reused_pid_does_not_keep_a_dead_runs_lock():
    lock = read_lock(Path("/nonexistent"))
    taken = datetime.now(timezone.utc) - timedelta(hours=1)
    lock = lock.__class__(Path("x.json"), 4242, "ops", HOST, taken)
    assert holder_is_dead(lock, HOST, started=lambda pid: taken.timestamp() + 600)
    assert not holder_is_dead(lock, HOST, started=lambda pid: taken.timestamp() - 600)
    assert holder_is_dead(lock, HOST, started=lambda pid: None)


def test_other_stacks_locks_are_not_touched(tmp_path):
    other = _write_lock(tmp_path, "lab-city-a", _dead_pid())
    assert release_stale_locks(tmp_path.as_uri(), "govcloud", "lab-province") == []
    assert other.exists()
    assert len(stack_locks(tmp_path, "govcloud", "lab-city-a")) == 1


def test_non_file_backends_are_left_to_themselves():
    assert release_stale_locks("s3://bucket/state", "govcloud", "lab-province") == []


def test_go_timestamps_with_nanoseconds_are_read(tmp_path):
    path = tmp_path / "l.json"
    path.write_text(json.dumps({"pid": 1, "username": "u", "hostname": "h",
                                "timestamp": "2026-12-06T15:04:05.123456789+08:00"}))
    assert read_lock(path).taken.replace(microsecond=0) == datetime(2026, 12, 6, 15, 4, 5,
                                                                  tzinfo=timezone(timedelta(hours=8)))


def test_the_engines_own_lock_error_is_read_for_its_holders():
    text = ("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end "
            "or delete the lock file with `pulumi cancel`.\n"
            "  file:///s/.pulumi/locks/organization/govcloud/lab-province/x.json: created by ops@node1 "
            "(pid 4711) at 2026-12-06T15:04:05Z")
    [holder] = lock_holders_in(text)
    assert (holder.username, holder.hostname, holder.pid) == ("ops", "node1", 4711)
    assert holder.taken == datetime(2026, 12, 6, 15, 4, 5, tzinfo=timezone.utc)
