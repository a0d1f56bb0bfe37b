"""The stack lease: create-if-absent decides every race, holders are named, only stale leases break."""

from __future__ import annotations

import multiprocessing
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psutil
import pytest

from govcloud.engine.lease import (
    LEASE_FOLDER,
    FileLeaseStore,
    Holder,
    StackLeased,
    acquire,
    held,
    lease_key,
    lease_store,
    release,
    unlock,
)
from govcloud.errors import EngineError, UsageError

STACK = "lab-province"
KEY = lease_key("govcloud", STACK)


def holder(user: str = "alice", *, host: str = "ops-3", pid: int = 4242, since: datetime | None = None,
           lease: timedelta = timedelta(hours=1)) -> Holder:
    since = since or datetime(2026, 12, 6, 10, 2, 11, tzinfo=timezone.utc)
    return Holder(user, host, pid, "govcloud up", "/srv/alice/govcloud", since.isoformat(timespec="seconds"),
                  (since + lease).isoformat(timespec="seconds"))


def never_stale(_: Holder) -> bool:
    return False


def test_the_first_run_takes_the_lease_and_the_second_is_told_who_holds_it_and_since_when(tmp_path):
    store = FileLeaseStore(tmp_path)
    acquire(store, KEY, STACK, holder("alice"), never_stale)
    with pytest.raises(StackLeased) as refused:
        acquire(store, KEY, STACK, holder("bob", host="ops-7"), never_stale)
    message = str(refused.value)
    assert "stack lab-province is locked by alice@ops-3 (pid 4242, govcloud up" in message
    assert "since 2026-12-06T10:02:11+00:00, lease until 2026-12-06T11:02:11+00:00" in message
    assert "govcloud state unlock --stack lab-province" in message
    assert isinstance(refused.value, EngineError)  # a failed operation: exit 1


def test_release_frees_the_lease_for_the_next_run(tmp_path):
    store = FileLeaseStore(tmp_path)
    token = acquire(store, KEY, STACK, holder("alice"), never_stale)
    release(store, KEY, token)
    acquire(store, KEY, STACK, holder("bob"), never_stale)
    assert Holder.from_bytes(store.read(KEY)[0]).user == "bob"


def test_a_stale_lease_is_broken_and_a_live_one_never(tmp_path):
    store = FileLeaseStore(tmp_path)
    acquire(store, KEY, STACK, holder("alice"), never_stale)
    acquire(store, KEY, STACK, holder("bob"), lambda h: h.user == "alice")
    assert Holder.from_bytes(store.read(KEY)[0]).user == "bob"


def test_an_expired_lease_is_stale_and_a_current_one_is_not():
    now = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
    assert holder(since=now - timedelta(hours=2)).expired(now)
    assert not holder(since=now - timedelta(minutes=10)).expired(now)


def test_a_lease_of_a_process_gone_from_this_host_is_stale_and_one_of_a_live_process_is_not():
    import socket

    # Taken once this process ran, as a live holder's lease is (a young test process must not look like a reused pid).
    since = datetime.fromtimestamp(psutil.Process().create_time(), timezone.utc)
    gone = multiprocessing.Process(target=int)
    gone.start()
    gone.join()
    assert holder(host=socket.gethostname(), pid=gone.pid, since=since).process_gone()
    assert not holder(host=socket.gethostname(), pid=os.getpid(), since=since).process_gone()
    assert not holder(host="another-host", pid=gone.pid, since=since).process_gone()


def test_removing_with_an_old_token_puts_a_newer_lease_back(tmp_path):
    store = FileLeaseStore(tmp_path)
    old = acquire(store, KEY, STACK, holder("alice"), never_stale)
    release(store, KEY, old)
    acquire(store, KEY, STACK, holder("bob"), never_stale)
    assert store.remove(KEY, old) is False
    assert Holder.from_bytes(store.read(KEY)[0]).user == "bob"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{KEY}.json"]  # nothing left aside


def test_held_releases_the_lease_when_the_block_fails(tmp_path):
    store = FileLeaseStore(tmp_path)
    with pytest.raises(RuntimeError), held(store, "govcloud", STACK, holder("alice")):
        raise RuntimeError("the engine failed")
    assert store.read(KEY) is None


def test_unlock_breaks_a_lease_by_hand_and_names_its_holder(tmp_path):
    store = FileLeaseStore(tmp_path)
    acquire(store, KEY, STACK, holder("alice"), never_stale)
    assert unlock(store, "govcloud", STACK).user == "alice"
    assert store.read(KEY) is None and unlock(store, "govcloud", STACK) is None


def test_a_lease_file_govcloud_did_not_write_names_no_holder_and_is_never_stale(tmp_path):
    (tmp_path / f"{KEY}.json").write_text("{not json")
    stranger = Holder.from_bytes((tmp_path / f"{KEY}.json").read_bytes())
    assert stranger.user == "?" and not stranger.expired() and not stranger.process_gone()


def test_the_leases_of_a_file_backend_live_inside_it_and_a_lock_url_wins(tmp_path):
    assert lease_store((tmp_path / "state").as_uri()).folder == tmp_path / "state" / LEASE_FOLDER
    assert lease_store("s3://bucket", (tmp_path / "leases").as_uri()).folder == tmp_path / "leases"


@pytest.mark.parametrize("backend, lock_url, named", [
    ("s3://govcloud-state?endpoint=192.0.2.10:8080", None, "has no lease govcloud can trust"),
    ("file:///srv/state", "s3://leases", "is not a folder URL"),
])
def test_a_store_without_create_if_absent_is_refused_as_bad_settings(backend, lock_url, named):
    with pytest.raises(UsageError, match=named) as refused:
        lease_store(backend, lock_url)
    assert "--lock-url file:///" in refused.value.fix


def _contend(folder: str, name: str, barrier, results) -> None:
    store = FileLeaseStore(Path(folder))
    barrier.wait()
    try:
        token = acquire(store, KEY, STACK, holder(name), never_stale)
    except StackLeased as refused:
        results.put((name, "refused", refused.holder.user))
        return
    results.put((name, "took", token))


def test_of_runs_started_at_the_same_moment_exactly_one_takes_the_lease_every_round(tmp_path):
    contenders, rounds = 4, 15
    context = multiprocessing.get_context("fork")
    for round_ in range(rounds):
        folder = tmp_path / str(round_)
        barrier, results = context.Barrier(contenders), context.Queue()
        processes = [context.Process(target=_contend, args=(str(folder), f"op{i}", barrier, results))
                     for i in range(contenders)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(30)
        outcomes = [results.get(timeout=5) for _ in processes]
        winners = [name for name, outcome, _ in outcomes if outcome == "took"]
        assert len(winners) == 1, outcomes
        # every loser names the winner
        assert {who for _, outcome, who in outcomes if outcome == "refused"} == set(winners), outcomes
