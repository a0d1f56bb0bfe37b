"""`govcloud migrate run|status|rollback`: execute a wave for real, show where each system stands,
return a wave to its legacy home. Added to the `migrate` group by :func:`register_into`."""

from __future__ import annotations

import os
import signal
from enum import Enum
from pathlib import Path

import typer

from ..errors import UsageError
from ..migration.execution.executor import Executor, WaveRunReport, wave_status
from ..migration.execution.providers import EngineProvisioner, PlannedSpecProvisioner
from ..migration import seal as seals
from ..migration.execution.run_state import load_run_state
from ..migration.locations import migration_folders
from ..migration.wavestatus import wave_progress
from ..migration.store import LoadedWave, read_plan
from ..model import Environment
from ..paths import DEFAULT_INSTANCE, WORKLOAD
from .common import ENV_OPTION, OutputFormat, console, load_env, print_json, print_table, project_root
from .migration_plan import MIGRATIONS_OPTION, validated_plan, wave_by_number

#: `<system>:<step>`: the run SIGKILLs itself right after recording that step (resumption drills).
KILL_AFTER_VARIABLE = "GOVCLOUD_MIGRATE_KILL_AFTER"


class ProvisionerChoice(str, Enum):
    ENGINE = "engine"
    PLANNED = "planned"


WAVE_OPTION = typer.Option(..., "--wave", "-w", help="Wave number.")
PROVISIONER_OPTION = typer.Option(ProvisionerChoice.ENGINE, "--provisioner",
                                  help="engine: `up` of the target node's stack through the Pulumi engine; "
                                       "planned: record the planned resources only (no cloud).")
WORKLOAD_ROOT_OPTION = typer.Option(None, "--workload-root", help="Folder of the lab workload's data "
                                    f"(default: the lab instance's, {DEFAULT_INSTANCE.state_dir(WORKLOAD)} for the "
                                    "default lab).")


def register_into(migrate_app: typer.Typer) -> None:
    """Add `run`, `status` and `rollback` to the `migrate` group (a second call changes nothing)."""
    names = {c.name for c in migrate_app.registered_commands}
    if "run" in names:
        return
    migrate_app.command("run")(run)
    migrate_app.command("status")(status)
    migrate_app.command("rollback")(rollback)


def run(env: str = ENV_OPTION, wave: int = WAVE_OPTION, provisioner: ProvisionerChoice = PROVISIONER_OPTION,
        workload_root: Path = WORKLOAD_ROOT_OPTION, migrations: Path = MIGRATIONS_OPTION,
        format: OutputFormat = OutputFormat.TABLE) -> None:
    """Drive every system of a wave through its remaining lifecycle steps; resumes an interrupted run.

    The plan is validated first (model, dependencies, seals): a wave changed after it was sealed is
    refused, naming the field, before any step runs."""
    plan = validated_plan(env, migrations)  # PlanErrors (exit 2) before anything else happens
    loaded = wave_by_number(plan.waves, wave)
    if not loaded.wave.sealed:
        raise UsageError(f"wave {wave} ({loaded.path.name}) was never sealed: what runs must be what was reviewed",
                         fix=f"review it, then: govcloud migrate seal --wave {wave}")
    # What runs is kept as sealed: a later edit of the file is then named field by field.
    seals.remember(plan.folders.state, loaded.wave)
    report = _executor(plan.environment, loaded, plan.folders.state, provisioner, workload_root).run()
    _print_report(report, "run", format)


def rollback(env: str = ENV_OPTION, wave: int = WAVE_OPTION, workload_root: Path = WORKLOAD_ROOT_OPTION,
             migrations: Path = MIGRATIONS_OPTION, format: OutputFormat = OutputFormat.TABLE) -> None:
    """Return every started system of a wave to its legacy site, with the data written on the cloud."""
    environment = load_env(env)
    folders = migration_folders(environment, project_root(), migrations)
    loaded = wave_by_number(read_plan(folders.plans), wave)
    # No seal check: a rollback undoes what ran (recorded in the state), whatever the file says now.
    report = _executor(environment, loaded, folders.state, ProvisionerChoice.PLANNED, workload_root).rollback()
    _print_report(report, "rollback", format)


def status(env: str = ENV_OPTION, migrations: Path = MIGRATIONS_OPTION,
           format: OutputFormat = OutputFormat.TABLE) -> None:
    """Each wave's status and each system's phase and completed steps, from the run state."""
    environment = load_env(env)
    folders = migration_folders(environment, project_root(), migrations)
    plan = [lw.wave for lw in read_plan(folders.plans)]
    state = load_run_state(folders.state, environment.name)
    progress = wave_progress(plan, state)
    waves = {number: wave_status(state, number) for number in sorted(state.waves)}
    if format is OutputFormat.JSON:
        print_json({"env": environment.name, "status": {n: p.status.value for n, p in progress.items()},
                    "waves": waves})
        return
    rows = [[number, code, entry["phase"], ", ".join(entry["steps"]) or "-", entry["seconds"]]
            for number, systems in waves.items() for code, entry in systems.items()]
    print_table(f"waves of {environment.name}", ["wave", "status"],
                [[n, p.status.value] for n, p in sorted(progress.items())])
    if not rows:
        console.print(f"{environment.name}: no migration has run yet")
        return
    print_table(f"migration of {environment.name}", ["wave", "system", "phase", "steps done", "seconds"], rows)


def _executor(environment: Environment, loaded: LoadedWave, state_dir: Path, choice: ProvisionerChoice,
              workload_root: Path | None) -> Executor:
    from ..lab.workload.driver import LabWorkloadDriver

    if environment.name != "lab":
        raise UsageError(f"env {environment.name!r} has no workload driver: only the lab's workload can be "
                         "executed from here", fix="use --env lab")
    if choice is ProvisionerChoice.ENGINE:
        from ..engine.settings import EngineSettings

        provisioner = EngineProvisioner(environment, EngineSettings(project_root()))
    else:
        provisioner = PlannedSpecProvisioner(environment)
    driver = LabWorkloadDriver(environment.province, workload_root)
    return Executor(environment.name, loaded, state_dir, provisioner, driver,
                    after_step=_kill_hook(os.environ.get(KILL_AFTER_VARIABLE, "")))


def _kill_hook(target: str):
    def after_step(system: str, step: str) -> None:
        if target and target == f"{system}:{step}":
            os.kill(os.getpid(), signal.SIGKILL)
    return after_step


def _print_report(report: WaveRunReport, verb: str, format: OutputFormat) -> None:
    rows = [{"system": o.system, "step": o.step, "phase": o.phase.value, "seconds": o.seconds, "skipped": o.skipped}
            for o in report.outcomes]
    if format is OutputFormat.JSON:
        print_json({"wave": report.wave, "operation": verb, "steps": rows, "ran": len(report.ran)})
        return
    if not report.ran:
        console.print(f"wave {report.wave}: nothing to do")
        return
    print_table(f"wave {report.wave}: {verb}", ["system", "step", "phase", "seconds"],
                [[r["system"], r["step"], r["phase"], r["seconds"]] for r in rows if not r["skipped"]])
