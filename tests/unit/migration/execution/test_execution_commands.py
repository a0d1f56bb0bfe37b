"""`govcloud migrate status|rollback|run` wiring, offline (no lab is touched, no engine runs)."""

from __future__ import annotations

import json

import pytest
import typer

from govcloud.commands import migrate, migrate_exec
from govcloud.commands.migrate_exec import register_into
from govcloud.migration.execution.executor import WaveRunReport
from govcloud.migration.execution.lifecycle import Phase
from govcloud.migration.execution.providers import EngineProvisioner, PlannedSpecProvisioner
from govcloud.migration.execution.run_state import RunState, save_run_state


@pytest.fixture(autouse=True)
def wired():
    register_into(migrate.app)


def test_register_into_adds_three_commands_once():
    group = typer.Typer()
    register_into(group)
    register_into(group)
    assert sorted(c.name for c in group.registered_commands) == ["rollback", "run", "status"]


def test_status_before_any_run(govcloud, planned):
    result = govcloud("migrate", "status", "--env", "lab")
    assert result.code == 0, result.err
    assert "no migration has run yet" in result.out


def test_status_shows_the_recorded_phase(govcloud, planned, project):
    state = RunState(env="lab")
    state.system(1, "unified-identity").phase = Phase.TESTED
    save_run_state(project / ".state" / "lab", state)
    result = govcloud("migrate", "status", "--env", "lab", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["waves"]["1"]["unified-identity"]["phase"] == "tested"
    table = govcloud("migrate", "status", "--env", "lab")
    assert "unified-identity" in table.out and "tested" in table.out


def test_rolling_back_a_wave_that_never_ran_is_bad_input(govcloud, planned):
    result = govcloud("migrate", "rollback", "--env", "lab", "--wave", "1", "--workload-root", "/nonexistent")
    assert result.code == 2
    assert "no system to roll back" in result.err


def test_an_unknown_wave_names_the_known_ones(govcloud, planned):
    result = govcloud("migrate", "rollback", "--env", "lab", "--wave", "9")
    assert result.code == 2 and "use one of: 1, 2, 3" in result.err


@pytest.mark.parametrize(("options", "expected"), [((), EngineProvisioner),
                                                   (("--provisioner", "planned"), PlannedSpecProvisioner)])
def test_run_provisions_through_the_engine_unless_told_otherwise(govcloud, planned, project, monkeypatch,
                                                                  options, expected):
    chosen = []

    class RecordingExecutor:  # stands in at the point of use: nothing runs, the choice is kept
        def __init__(self, env_name, loaded, state_dir, provisioner, driver, after_step=None):
            chosen.append(provisioner)

        def run(self):
            return WaveRunReport(1)

    monkeypatch.setattr(migrate_exec, "Executor", RecordingExecutor)
    result = govcloud("migrate", "run", "--env", "lab", "--wave", "1", *options)
    assert result.code == 0, result.err
    [provisioner] = chosen
    assert type(provisioner) is expected
    if expected is EngineProvisioner:  # the engine works on this project's stacks and state
        assert provisioner.settings.project_root.resolve() == project.resolve()
