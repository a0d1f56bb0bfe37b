"""Held-out cases of each lease class the issue and the design name, through the real staleness
rules (no injected predicate) and the real commands: an expired lease is taken over, a lease of a
process gone from this host is taken over (also when its pid was reused), another host's current
lease never is, `up` is refused at once naming the holder (exit 1), and `state unlock` breaks a
lease by hand naming whose it was."""

from __future__ import annotations

import multiprocessing
import os
import socket
from datetime import datetime, timedelta, timezone

import psutil
import pytest
import yaml

from govcloud import cli
from govcloud.engine.lease import FileLeaseStore, Holder, StackLeased, acquire, lease_key

STACK = "lab-city-b"
KEY = lease_key("govcloud", STACK)


def lease(user: str, host: str, pid: int, since: datetime, hours: float = 4) -> Holder:
    return Holder(user, host, pid, "govcloud up", f"/srv/{user}/govcloud", since.isoformat(timespec="seconds"),
                  (since + timedelta(hours=hours)).isoformat(timespec="seconds"))


def gone_pid() -> int:
    child = multiprocessing.Process(target=int)
    child.start()
    child.join()
    return child.pid


def me() -> Holder:
    return Holder.me("govcloud up", os.getcwd())


def holder_now(store) -> str:
    return Holder.from_bytes(store.read(KEY)[0]).user


def test_an_expired_lease_of_another_host_is_taken_over(tmp_path):
    store = FileLeaseStore(tmp_path)
    acquire(store, KEY, STACK, lease("carol", "ops-9", 31337, datetime.now(timezone.utc) - timedelta(hours=5)))
    acquire(store, KEY, STACK, me())
    assert holder_now(store) == me().user and Holder.from_bytes(store.read(KEY)[0]).pid == os.getpid()


def test_a_current_lease_of_another_host_is_never_taken_even_if_its_pid_means_nothing_here(tmp_path):
    store = FileLeaseStore(tmp_path)
    acquire(store, KEY, STACK, lease("carol", "ops-9", gone_pid(), datetime.now(timezone.utc)))
    with pytest.raises(StackLeased, match=r"locked by carol@ops-9 \(pid \d+, govcloud up, working copy /srv/carol"):
        acquire(store, KEY, STACK, me())
    assert holder_now(store) == "carol"


def test_a_lease_of_a_process_gone_from_this_host_is_taken_over(tmp_path):
    store = FileLeaseStore(tmp_path)
    since = datetime.fromtimestamp(psutil.Process().create_time(), timezone.utc)
    acquire(store, KEY, STACK, lease("dave", socket.gethostname(), gone_pid(), since))
    acquire(store, KEY, STACK, me())
    assert Holder.from_bytes(store.read(KEY)[0]).pid == os.getpid()


def test_a_lease_whose_pid_now_belongs_to_a_younger_process_is_taken_over(tmp_path):
    """The pid was reused: the process running under it started after the lease was taken."""
    store = FileLeaseStore(tmp_path)
    before_me = datetime.fromtimestamp(psutil.Process().create_time() - 3600, timezone.utc)
    acquire(store, KEY, STACK, lease("erin", socket.gethostname(), os.getpid(), before_me))
    acquire(store, KEY, STACK, me())
    assert holder_now(store) == me().user and Holder.from_bytes(store.read(KEY)[0]).since != before_me.isoformat()


def test_a_live_lease_of_this_host_is_never_taken(tmp_path):
    store = FileLeaseStore(tmp_path)
    since = datetime.fromtimestamp(psutil.Process().create_time() + 1, timezone.utc)
    acquire(store, KEY, STACK, lease("frank", socket.gethostname(), os.getpid(), since))
    with pytest.raises(StackLeased, match="locked by frank@"):
        acquire(store, KEY, STACK, lease("grace", socket.gethostname(), os.getpid(), since))


@pytest.fixture
def backend(tmp_path):
    state = tmp_path / "state"
    return state, FileLeaseStore(state / ".govcloud" / "leases")


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    out = capsys.readouterr()
    return info.value.code, out.out + out.err


def test_up_is_refused_at_once_naming_the_holder_and_unlock_breaks_the_lease(backend, tmp_path, capsys,
                                                                              monkeypatch):
    state, store = backend
    monkeypatch.setenv("PATH", str(tmp_path))  # no engine: a refused run must not need one
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(yaml.safe_dump({"clouds": {"govcloud-lab-admin": {"auth": {
        "auth_url": "http://192.0.2.1:5000/v3", "username": "a", "password": "b", "project_name": "admin"}}}}))
    acquire(store, KEY, STACK, lease("carol", "ops-9", 4242, datetime.now(timezone.utc)))
    code, text = run(["up", "--env", "lab", "--stack", STACK, "--backend", state.as_uri(),
                      "--cloud", "govcloud-lab-admin", "--clouds-yaml", str(clouds)], capsys)
    assert code == 1 and "stack lab-city-b is locked by carol@ops-9 (pid 4242" in text.replace("\n", " ")
    assert "Traceback" not in text

    code, text = run(["state", "unlock", "--env", "lab", "--stack", STACK, "--backend", state.as_uri()], capsys)
    assert code == 0 and "broke the lease of lab-city-b held by carol@ops-9" in text.replace("\n", " ")
    assert store.read(KEY) is None
    code, text = run(["state", "unlock", "--env", "lab", "--stack", STACK, "--backend", state.as_uri()], capsys)
    assert code == 0 and "lab-city-b has no lease" in text


def test_unlock_of_a_stack_the_environment_does_not_have_exits_2_naming_the_stacks(backend, capsys):
    state, _ = backend
    code, text = run(["state", "unlock", "--env", "lab", "--stack", "lab-city-z", "--backend", state.as_uri()],
                     capsys)
    assert code == 2 and "lab-city-z" in text and "lab-province" in text and "Traceback" not in text
