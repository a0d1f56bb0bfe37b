"""A run without checkpoints journals itself; the next run recovers what a killed one left."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from govcloud.engine.automation import Operation
from govcloud.engine.checkpoints import SKIP_CHECKPOINTS, skips_checkpoints
from govcloud.engine.failures import killed_by_signal
from govcloud.engine.journal import (JournalEntry, Recovery, clear_journal, journal_path, read_journal,
                                     recovery_for, saved_after, write_journal)
from govcloud.engine.settings import EngineSettings
from govcloud.engine.stackrun import StackRun
from govcloud.errors import EngineError, ModelError
from pulumi import automation as auto
from pulumi.automation._cmd import CommandResult

BACKEND = "file:///srv/state"


def _entry(operation: str = "up", checkpoints: bool = False) -> JournalEntry:
    return JournalEntry.now("lab-province", "govcloud", BACKEND, operation, checkpoints)


def test_an_entry_is_written_whole_read_back_and_cleared(tmp_path):
    path = journal_path(tmp_path, BACKEND, "govcloud", "lab-province")
    entry = _entry()
    write_journal(path, entry)
    assert read_journal(path) == entry
    assert [p.name for p in path.parent.iterdir()] == ["lab-province.json"]  # no temporary left beside it
    assert json.loads(path.read_text())["pid"] == entry.pid
    clear_journal(path)
    assert read_journal(path) is None
    clear_journal(path)  # clearing what is not there is no error


def test_each_backend_and_stack_has_its_own_entry(tmp_path):
    paths = {journal_path(tmp_path, BACKEND, "govcloud", "lab-province"),
             journal_path(tmp_path, "file:///tmp/typo", "govcloud", "lab-province"),
             journal_path(tmp_path, BACKEND, "govcloud", "lab-city-a")}
    assert len(paths) == 3 and all(p.is_relative_to(tmp_path) for p in paths)


def test_a_broken_entry_is_bad_input_naming_the_file(tmp_path):
    path = journal_path(tmp_path, BACKEND, "govcloud", "lab-province")
    path.parent.mkdir(parents=True)
    path.write_text('{"stack": "lab-province", "operation": "up"}')
    with pytest.raises(ModelError) as caught:
        read_journal(path)
    assert str(path) in str(caught.value.location) and "delete it" in caught.value.fix


def test_nothing_found_nothing_owed():
    assert recovery_for(None, "up") == Recovery("none")
    assert not Recovery("none").keeps_entry and Recovery("none").describe() == ""


def test_a_killed_up_is_taken_over_by_the_next_up_which_keeps_the_entry_until_it_finishes():
    recovery = recovery_for(_entry("up"), "up")
    assert recovery.action == "take-over" and recovery.keeps_entry
    assert "did not finish" in recovery.describe() and "taking over" in recovery.describe()


def test_a_destroy_after_a_killed_up_is_refused_it_would_leave_the_objects_behind():
    with pytest.raises(EngineError) as caught:
        recovery_for(_entry("up"), "destroy")
    assert "not in the state" in caught.value.message and "govcloud up --stack lab-province" in caught.value.fix


def test_a_refresh_after_a_killed_up_leaves_the_entry_to_the_next_up():
    recovery = recovery_for(_entry("up"), "refresh")
    assert recovery.action == "leave" and not recovery.keeps_entry


def test_after_a_killed_destroy_every_run_refreshes_first():
    for operation in ("up", "destroy", "refresh"):
        recovery = recovery_for(_entry("destroy"), operation)
        assert recovery.action == "refresh" and recovery.keeps_entry


def test_a_killed_refresh_owes_nothing():
    assert recovery_for(_entry("refresh"), "up").action == "forget"


def test_only_a_first_up_skips_checkpoints_unless_asked():
    assert skips_checkpoints(Operation.PREVIEW, False, state_empty=False)
    assert skips_checkpoints(Operation.UP, None, state_empty=True)
    assert not skips_checkpoints(Operation.UP, None, state_empty=False)
    assert not skips_checkpoints(Operation.DESTROY, None, state_empty=True)
    assert not skips_checkpoints(Operation.UP, False, state_empty=True)  # --keep-checkpoints
    assert skips_checkpoints(Operation.REFRESH, True, state_empty=False)  # --skip-checkpoints


@pytest.fixture(autouse=True)
def _state_in_the_project(monkeypatch):
    monkeypatch.delenv("GOVCLOUD_STATE_DIR", raising=False)


def _run(tmp_path: Path, skip: bool, recovery: Recovery) -> StackRun:
    settings = EngineSettings(tmp_path / "project")
    run = StackRun(Operation.UP, "lab-province", None, settings, {"PULUMI_BACKEND_URL": BACKEND}, None,
                   tmp_path / "log", SimpleNamespace(project_root=tmp_path / "project"), None, None)
    run.skip_checkpoints, run.recovery = skip, recovery
    return run


def test_a_run_without_checkpoints_is_journaled_before_its_engine_starts_and_cleared_after(tmp_path):
    run = _run(tmp_path, skip=True, recovery=Recovery("none"))
    stack = SimpleNamespace(workspace=SimpleNamespace(env_vars={}))
    run._start_journal(stack)
    assert stack.workspace.env_vars[SKIP_CHECKPOINTS] == "true"
    entry = read_journal(run._journal)
    assert (entry.stack, entry.operation, entry.backend, entry.checkpoints) == ("lab-province", "up", BACKEND, False)
    assert run._journal.is_relative_to(tmp_path / "project" / ".state" / "journal")
    run._finish_journal()
    assert read_journal(run._journal) is None


def test_a_run_with_checkpoints_journals_only_to_finish_a_recovery(tmp_path):
    plain = _run(tmp_path, skip=False, recovery=Recovery("none"))
    stack = SimpleNamespace(workspace=SimpleNamespace(env_vars={SKIP_CHECKPOINTS: "true"}))
    plain._start_journal(stack)
    assert SKIP_CHECKPOINTS not in stack.workspace.env_vars and read_journal(plain._journal) is None
    killed = _entry("up")
    write_journal(plain._journal, killed)
    recovering = _run(tmp_path, skip=False, recovery=Recovery("take-over", killed))
    recovering._start_journal(SimpleNamespace(workspace=SimpleNamespace(env_vars={})))
    assert read_journal(recovering._journal).checkpoints  # now this run's, until it finishes
    recovering._finish_journal()
    assert read_journal(recovering._journal) is None


def test_a_refresh_leaves_a_killed_ups_entry_in_place(tmp_path):
    killed = _entry("up")
    run = _run(tmp_path, skip=False, recovery=Recovery("leave", killed))
    write_journal(run._journal, killed)
    run._start_journal(SimpleNamespace(workspace=SimpleNamespace(env_vars={})))
    run._finish_journal()
    assert read_journal(run._journal) == killed


def test_a_state_proves_a_save_only_with_a_zoned_time_after_the_moment():
    moment = datetime(2026, 12, 7, 14, 0, 0, 500000, tzinfo=timezone.utc)
    # The engine writes RFC 3339 with nanoseconds and the local zone.
    assert saved_after({"manifest": {"time": "2026-12-07T22:00:00.600000001+08:00"}}, moment)
    assert not saved_after({"manifest": {"time": "2026-12-07T14:00:00.4Z"}}, moment)
    assert not saved_after({"manifest": {"time": "2026-12-07T14:00:00.500000Z"}}, moment)  # not after
    assert not saved_after({"manifest": {"time": "2026-12-07T15:00:00"}}, moment)  # no zone: proves nothing
    assert not saved_after({"manifest": {"time": "yesterday"}}, moment)
    assert not saved_after({}, moment) and not saved_after({"manifest": {"time": "2026-12-08T00:00:00Z"}}, None)


def test_an_engine_ended_by_a_signal_is_told_from_one_that_exited_with_its_error():
    assert killed_by_signal(auto.errors.CommandError(CommandResult("", "", -9)))
    assert not killed_by_signal(auto.errors.CommandError(CommandResult("", "error: update failed", 255)))
    assert not killed_by_signal(auto.errors.CommandError(CommandResult("", "panic: x", 2)))
    assert killed_by_signal(subprocess.CalledProcessError(-15, ["pulumi"]))
    assert not killed_by_signal(subprocess.CalledProcessError(1, ["pulumi"]))


class _Scratch:
    """The scratch workspace as _settle_journal asks it: the state's export (or a failing one)."""

    def __init__(self, deployment: dict | None) -> None:
        self.deployment = deployment

    def export_stack(self, stack_name):
        if self.deployment is None:
            raise auto.errors.CommandError(CommandResult("", "error: backend unreachable", 255))
        return SimpleNamespace(deployment=self.deployment)


def _failed_first_up(tmp_path: Path) -> StackRun:
    run = _run(tmp_path, skip=True, recovery=Recovery("none"))
    run.printer = SimpleNamespace(note=lambda line: None)
    run._start_journal(SimpleNamespace(workspace=SimpleNamespace(env_vars={})))
    return run


def _saved(run: StackRun, seconds: float) -> dict:
    return {"manifest": {"time": (run.journaled_at + timedelta(seconds=seconds)).isoformat()}}


def test_an_engine_that_failed_by_itself_and_saved_its_state_leaves_no_entry(tmp_path):
    run = _failed_first_up(tmp_path)
    run._settle_journal(auto.errors.CommandError(CommandResult("", "error: update failed", 255)),
                        _Scratch(_saved(run, 3)))
    assert read_journal(run._journal) is None
    recovery_for(read_journal(run._journal), "destroy")  # the next destroy is not refused


def test_an_entry_stays_when_the_engine_was_killed_or_its_save_is_not_proven(tmp_path):
    failed = auto.errors.CommandError(CommandResult("", "error: update failed", 255))
    for exc, scratch in ((auto.errors.CommandError(CommandResult("", "", -9)), "saved"),
                         (failed, "before"),  # the state is the one from before the run
                         (failed, None)):  # the state cannot be read
        run = _failed_first_up(tmp_path)
        deployment = {"saved": _saved(run, 3), "before": _saved(run, -3), None: None}[scratch]
        run._settle_journal(exc, _Scratch(deployment))
        assert read_journal(run._journal) is not None, (exc, scratch)
        clear_journal(run._journal)


def test_a_run_that_journaled_nothing_has_nothing_to_settle(tmp_path):
    run = _run(tmp_path, skip=False, recovery=Recovery("none"))
    killed = _entry("up")
    write_journal(run._journal, killed)  # another (killed) run's entry: not this run's to clear
    run._settle_journal(auto.errors.CommandError(CommandResult("", "error", 255)), _Scratch({}))
    assert read_journal(run._journal) == killed
