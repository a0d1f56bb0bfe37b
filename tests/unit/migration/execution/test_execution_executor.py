"""The executor with a journalling driver: order, persistence after every step, resumption after a
SIGKILL without repeating a recorded step, failures, rollback, and progress recorded in the run
state only (the KPIs read it; the reviewed wave file never changes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from execution_fakes import JournalDriver, NoteProvisioner, journal_lines

from govcloud.errors import UsageError
from govcloud.migration.execution.executor import Executor, wave_status
from govcloud.migration.execution.lifecycle import STEP_NAMES, Phase
from govcloud.migration.execution.run_state import load_run_state
from govcloud.errors import PlanError
from govcloud.migration.kpi import MigrationState
from govcloud.migration.wavestatus import read_progress, statuses
from govcloud.migration.schema import WaveStatus
from govcloud.migration.store import read_plan

ROOT = Path(__file__).resolve().parents[4]
WAVE_FILE = ROOT / "migrations" / "lab" / "0001-province.yaml"
CODE = "unified-identity"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    plans = tmp_path / "migrations" / "lab"
    plans.mkdir(parents=True)
    text = WAVE_FILE.read_text(encoding="utf-8").replace("status: in-progress", "status: planned")
    (plans / WAVE_FILE.name).write_text(text.replace("status: done", "status: planned"), encoding="utf-8")
    return plans, tmp_path / ".state" / "lab"


def executor(folders, journal: Path, **kwargs) -> Executor:
    plans, state_dir = folders
    return Executor("lab", read_plan(plans)[0], state_dir, NoteProvisioner(), JournalDriver(journal, **kwargs))


def test_a_run_takes_each_system_through_every_step_and_marks_the_wave_done(folders, tmp_path):
    journal = tmp_path / "journal"
    report = executor(folders, journal).run()
    assert [o.step for o in report.ran] == list(STEP_NAMES)
    assert journal_lines(journal) == [f"{CODE} {s}" for s in STEP_NAMES]
    state = load_run_state(folders[1], "lab")
    assert wave_status(state, 1)[CODE]["phase"] == "finalized"
    wave = read_plan(folders[0])[0].wave
    progress = statuses(read_progress(folders[1], "lab", [wave]))
    assert progress == {1: WaveStatus.DONE} and not wave.is_tampered()
    assert CODE in MigrationState.from_waves([wave], progress).on_cloud, "the KPIs count the system as on the cloud"


def test_a_second_run_has_nothing_to_do(folders, tmp_path):
    journal = tmp_path / "journal"
    executor(folders, journal).run()
    again = executor(folders, journal).run()
    assert again.ran == [] and len(journal_lines(journal)) == len(STEP_NAMES)


def test_the_state_is_saved_after_every_step(folders, tmp_path):
    plans, state_dir = folders
    seen = []

    def after(system, step):
        seen.append((step, load_run_state(state_dir, "lab").system(1, system).phase))

    Executor("lab", read_plan(plans)[0], state_dir, NoteProvisioner(), JournalDriver(tmp_path / "j"),
             after_step=after).run()
    assert seen == [("provision", Phase.PROVISIONED), ("replicate", Phase.REPLICATING), ("test", Phase.TESTED),
                    ("cutover", Phase.CUTOVER), ("finalize", Phase.FINALIZED)]


def test_a_failed_step_is_not_recorded_and_runs_again_next_time(folders, tmp_path):
    journal = tmp_path / "journal"
    with pytest.raises(RuntimeError, match="test failed on purpose"):
        executor(folders, journal, fail_at="test").run()
    state = load_run_state(folders[1], "lab")
    assert state.system(1, CODE).phase is Phase.REPLICATING
    assert state.wave(1).status is WaveStatus.IN_PROGRESS
    report = executor(folders, journal).run()
    assert [o.step for o in report.ran] == ["test", "cutover", "finalize"]


KILLED_RUN = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from execution_fakes import JournalDriver, NoteProvisioner
from govcloud.migration.execution.executor import Executor
from govcloud.migration.store import read_plan

plans, state_dir, journal, kill_after = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]
index = int(sys.argv[6]) if len(sys.argv) > 6 else 0

def after(system, step):
    if kill_after in (step, f"{system}:{step}"):
        os.kill(os.getpid(), signal.SIGKILL)

Executor("lab", read_plan(plans)[index], state_dir, NoteProvisioner(), JournalDriver(journal), after_step=after).run()
"""


@pytest.mark.parametrize("kill_after", STEP_NAMES[:-1])
def test_a_run_killed_mid_wave_resumes_without_repeating_a_completed_step(folders, tmp_path, kill_after):
    plans, state_dir = folders
    journal = tmp_path / "journal"
    killed = subprocess.run([sys.executable, "-c", KILLED_RUN, str(Path(__file__).parent), str(plans),
                             str(state_dir), str(journal), kill_after], capture_output=True, text=True, timeout=60)
    assert killed.returncode == -9, killed.stderr
    done = STEP_NAMES[:STEP_NAMES.index(kill_after) + 1]
    assert journal_lines(journal) == [f"{CODE} {s}" for s in done]
    report = executor(folders, journal).run()
    assert [o.step for o in report.ran] == list(STEP_NAMES[len(done):])
    assert journal_lines(journal) == [f"{CODE} {s}" for s in STEP_NAMES], "every step ran exactly once"
    record = load_run_state(state_dir, "lab").system(1, CODE)
    assert [r.step for r in record.steps] == list(STEP_NAMES)


def test_rollback_marks_the_wave_rolled_back_and_a_later_run_starts_again(folders, tmp_path):
    journal = tmp_path / "journal"
    executor(folders, journal).run()
    report = executor(folders, journal).rollback()
    assert [(o.step, o.phase) for o in report.ran] == [("rollback", Phase.ROLLED_BACK)]
    wave = read_plan(folders[0])[0].wave
    progress = statuses(read_progress(folders[1], "lab", [wave]))
    assert progress == {1: WaveStatus.ROLLED_BACK}
    assert CODE not in MigrationState.from_waves([wave], progress).on_cloud
    details = load_run_state(folders[1], "lab").system(1, CODE).steps[-1].details
    assert details["from"] == "finalized"
    again = executor(folders, journal).run()
    assert [o.step for o in again.ran] == list(STEP_NAMES)


def test_rollback_of_a_wave_that_never_started_is_refused(folders, tmp_path):
    with pytest.raises(UsageError, match="no system to roll back"):
        executor(folders, tmp_path / "journal").rollback()


def test_the_state_file_is_json_a_human_can_read(folders, tmp_path):
    executor(folders, tmp_path / "journal").run()
    data = json.loads((folders[1] / "migration-run.json").read_text())
    steps = data["waves"]["1"]["systems"][CODE]["steps"]
    assert [s["step"] for s in steps] == list(STEP_NAMES)
    assert all(s["seconds"] >= 0 and s["started"] <= s["finished"] for s in steps)


def test_running_and_rolling_back_never_write_the_wave_file(folders, tmp_path):
    path = folders[0] / WAVE_FILE.name
    before = path.read_bytes()
    executor(folders, tmp_path / "journal").run()
    assert path.read_bytes() == before, "the reviewed, committed wave file must not change because the wave ran"
    executor(folders, tmp_path / "journal").rollback()
    assert path.read_bytes() == before
    assert os.listdir(folders[0]) == [WAVE_FILE.name]
    shutil.rmtree(folders[1])


def test_the_executor_refuses_a_wave_changed_after_it_was_sealed_and_never_reseals_it(folders, tmp_path):
    path = folders[0] / WAVE_FILE.name
    path.write_text(path.read_text(encoding="utf-8").replace("downtime_budget_s: 60", "downtime_budget_s: 59"),
                    encoding="utf-8")
    before = path.read_bytes()
    journal = tmp_path / "journal"
    with pytest.raises(PlanError, match="not as it was sealed"):
        executor(folders, journal).run()
    assert journal_lines(journal) == [], "no step may run"
    assert path.read_bytes() == before and read_plan(folders[0])[0].wave.is_tampered()


def test_a_multi_system_wave_killed_between_any_two_steps_resumes_each_step_exactly_once(tmp_path):
    """Wave 2 of the lab (an off-site backup system and two rehosts): killed after every step in turn,
    each time resumed by a new run, until nothing is left; every step of every system ran once."""
    plans = tmp_path / "migrations" / "lab"
    plans.mkdir(parents=True)
    wave_file = ROOT / "migrations" / "lab" / "0002-city-a.yaml"
    shutil.copy(wave_file, plans / wave_file.name)
    state_dir, journal = tmp_path / ".state" / "lab", tmp_path / "journal"
    codes = [e.code for e in read_plan(plans)[0].wave.systems]
    order = [f"{code}:{step}" for code in codes for step in STEP_NAMES]
    for point in order[:-1]:
        killed = subprocess.run([sys.executable, "-c", KILLED_RUN, str(Path(__file__).parent), str(plans),
                                 str(state_dir), str(journal), point], capture_output=True, text=True, timeout=60)
        assert killed.returncode == -9, killed.stderr
        assert journal_lines(journal) == [line.replace(":", " ") for line in order[:order.index(point) + 1]]
    report = Executor("lab", read_plan(plans)[0], state_dir, NoteProvisioner(), JournalDriver(journal)).run()
    assert [f"{o.system}:{o.step}" for o in report.ran] == order[-1:]
    assert journal_lines(journal) == [line.replace(":", " ") for line in order], "each step exactly once"
    state = load_run_state(state_dir, "lab")
    assert state.wave(2).status is WaveStatus.DONE
    assert all(state.system(2, code).done(step) == 1 for code in codes for step in STEP_NAMES)
