"""The persisted run state: atomic writes, round trip, clear errors for a damaged file, the lock."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from govcloud.errors import ModelError, OperationError
from govcloud.migration.execution.lifecycle import Phase
from govcloud.migration.execution.run_state import (RUN_FILE, RunState, StepRecord, exclusive, load_run_state,
                                                save_run_state)

T0 = dt.datetime(2027, 1, 9, 14, 0, tzinfo=dt.timezone.utc)


def test_nothing_recorded_yet_is_an_empty_state(tmp_path):
    state = load_run_state(tmp_path, "lab")
    assert state.env == "lab" and state.waves == {}
    assert state.system(1, "unified-identity").phase is Phase.READY


def test_a_saved_state_reads_back_the_same(tmp_path):
    state = RunState(env="lab")
    record = state.system(1, "unified-identity")
    record.phase = Phase.REPLICATING
    record.steps.append(StepRecord(step="provision", started=T0, finished=T0, seconds=1.5, details={"a": [1]}))
    save_run_state(tmp_path, state)
    again = load_run_state(tmp_path, "lab")
    assert again == state
    assert again.system(1, "unified-identity").done("provision") == 1
    assert not list(tmp_path.glob(".*tmp*")), "the temporary file is renamed into place"


def test_a_save_replaces_the_file_in_one_rename(tmp_path, monkeypatch):
    save_run_state(tmp_path, RunState(env="lab"))
    renames = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renames.append((a, b)), real(a, b)))
    save_run_state(tmp_path, RunState(env="lab"))
    assert [str(b) for _, b in renames] == [str(tmp_path / RUN_FILE)]


def test_a_damaged_file_names_itself_and_the_fix(tmp_path):
    (tmp_path / RUN_FILE).write_text('{"env": "lab", "waves": {')
    with pytest.raises(ModelError, match=RUN_FILE) as info:
        load_run_state(tmp_path, "lab")
    assert "restore" in info.value.fix


def test_an_unknown_phase_is_a_model_error(tmp_path):
    (tmp_path / RUN_FILE).write_text(json.dumps({"env": "lab", "waves": {"1": {"systems": {
        "unified-identity": {"phase": "teleported"}}}}}))
    with pytest.raises(ModelError, match="waves.1.systems.unified-identity.phase"):
        load_run_state(tmp_path, "lab")


def test_the_state_of_another_environment_is_refused(tmp_path):
    save_run_state(tmp_path, RunState(env="example"))
    with pytest.raises(ModelError, match="belongs to env 'example'"):
        load_run_state(tmp_path, "lab")


def test_a_second_run_of_the_same_environment_is_refused_at_once(tmp_path):
    with exclusive(tmp_path):
        with pytest.raises(OperationError, match="another migration run"):
            with exclusive(tmp_path):
                pass
    with exclusive(tmp_path):  # released again
        pass
