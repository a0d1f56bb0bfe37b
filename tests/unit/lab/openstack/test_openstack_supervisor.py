"""PID bookkeeping: a PID file names our process only while start time and command line still match."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govcloud.lab.openstack import supervisor
from govcloud.lab.openstack.supervisor import PidRecord, Service
from govcloud.lab.openstack.statedir import OpenStackLabPaths


@pytest.fixture
def paths(tmp_path) -> OpenStackLabPaths:
    paths = OpenStackLabPaths(tmp_path / "lab")
    paths.create()
    return paths


@pytest.fixture
def sleeper(paths):
    """A child process whose command line carries the state dir, as a lab daemon's does."""
    argv = (sys.executable, "-c", "import time; time.sleep(60)", f"--config-file={paths.etc / 'x.conf'}")
    child = subprocess.Popen(argv)
    # Until the child has exec'd, /proc shows the parent's command line (and the record would
    # rightly not match): wait for the exec, as a daemon's start does by probing.
    cmdline = Path(f"/proc/{child.pid}/cmdline")
    for _ in range(1000):
        if argv[-1].encode() in cmdline.read_bytes():
            break
        time.sleep(0.01)
    else:
        pytest.fail(f"the sleeper child {child.pid} did not exec within 10 s")
    yield child, argv
    child.kill()
    child.wait()


def _own_record(paths: OpenStackLabPaths, child: subprocess.Popen, argv: tuple[str, ...]) -> PidRecord:
    record = PidRecord(child.pid, supervisor._start_time(child.pid), supervisor.signature(argv, paths.root))
    supervisor.write_record(paths, "svc", record)
    return record


def test_the_signature_is_the_state_dir_argument_else_the_program(tmp_path):
    argv = ("/usr/bin/uwsgi", "--ini", str(tmp_path / "etc" / "uwsgi" / "keystone.ini"))
    assert supervisor.signature(argv, tmp_path) == str(tmp_path / "etc" / "uwsgi" / "keystone.ini")
    assert supervisor.signature(("/usr/bin/epmd", "-port", "4369"), tmp_path) == "epmd"


def test_a_record_round_trips_through_its_pid_file(paths):
    supervisor.write_record(paths, "keystone", PidRecord(123, 456, "sig"))
    assert paths.pid_file("keystone") == paths.root / "run" / "pids" / "keystone.pid"
    assert supervisor.read_record(paths, "keystone") == PidRecord(123, 456, "sig")


@pytest.mark.parametrize("text", ["", "not json", '{"pid": 1}', '{"pid": "x", "start_time": 1, "signature": ""}'])
def test_a_missing_or_damaged_pid_file_is_no_record(paths, text):
    assert supervisor.read_record(paths, "none") is None
    paths.pid_file("svc").write_text(text)
    assert supervisor.read_record(paths, "svc") is None


def test_our_running_process_is_found(paths, sleeper):
    child, argv = sleeper
    _own_record(paths, child, argv)
    assert supervisor.running_pid(paths, "svc") == child.pid
    assert supervisor.family(paths, "svc") == [child.pid]
    assert supervisor.started_at(paths, "svc") is not None


def test_a_recycled_pid_is_not_ours(paths, sleeper):
    child, argv = sleeper
    record = _own_record(paths, child, argv)
    supervisor.write_record(paths, "svc", PidRecord(child.pid, record.start_time + 1, record.signature))
    assert supervisor.running_pid(paths, "svc") is None
    supervisor.write_record(paths, "svc", PidRecord(child.pid, record.start_time, "some-other-daemon.conf"))
    assert supervisor.running_pid(paths, "svc") is None
    assert supervisor.started_at(paths, "svc") is None


def test_stop_signals_our_process_and_removes_its_pid_file(paths, sleeper):
    child, argv = sleeper
    _own_record(paths, child, argv)
    service = Service("svc", argv, probe=lambda: True, stop_timeout=5)
    assert supervisor.stop(paths, service) is True
    assert child.wait(timeout=5) != 0
    assert not paths.pid_file("svc").exists()
    assert supervisor.stop(paths, service) is False


def test_stop_never_signals_a_process_that_is_not_ours(paths, sleeper):
    child, argv = sleeper
    record = _own_record(paths, child, argv)
    supervisor.write_record(paths, "svc", PidRecord(child.pid, record.start_time + 1, record.signature))
    assert supervisor.stop(paths, Service("svc", argv, probe=lambda: True)) is False
    assert child.poll() is None  # still running


def test_services_get_a_clean_environment_with_their_own_additions():
    env = supervisor.clean_env({"HOME": "/lab/rabbit", "X": "1"})
    assert env == {"PATH": supervisor.CLEAN_PATH, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/lab/rabbit", "X": "1"}


def test_tail_gives_the_last_lines_or_says_there_is_no_log(tmp_path):
    log = tmp_path / "svc.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    assert supervisor.tail(log, 2) == "line 98\nline 99"
    assert supervisor.tail(Path(tmp_path / "none.log")) == "(no log)"


def test_a_zombie_has_no_start_time():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped: a zombie
        assert supervisor._start_time(child.pid) is None
    finally:
        child.wait()
    assert supervisor._start_time(os.getpid()) is not None
