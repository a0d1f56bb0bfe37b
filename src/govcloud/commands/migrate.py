"""`govcloud migrate plan|validate|runbook|seal|mark`: migration waves as reviewed data.

Wave files are written only by `plan` and `seal`; progress is recorded only in the environment's
run state (`mark`, and `run`/`rollback` in :mod:`.migrate_exec`), read through
:mod:`govcloud.migration.wavestatus`. Where both live: :mod:`govcloud.migration.locations`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from ..errors import UsageError
from ..migration import seal as seals
from ..migration.execution.run_state import exclusive, load_run_state, save_run_state
from ..migration.findings import PlanErrors
from ..migration.locations import migration_folders
from ..migration.planner import PlanSettings, plan_waves
from ..migration.wavestatus import read_progress, started, statuses
from ..migration.runbook import render_runbook
from ..migration.schema import MigrationWave, WaveStatus
from ..migration.store import LoadedWave, read_plan, write_plan
from ..migration.validation import validate_plan
from ..paths import runbooks_dir
from .common import ENV_OPTION, OutputFormat, console, err_console, load_env, print_json, project_root
from .migrate_exec import register_into as add_execution_commands
from .migration_plan import MIGRATIONS_OPTION, validated_plan, wave_by_number

app = typer.Typer(no_args_is_help=True, help="Migration waves: plan, validate, render runbooks, mark progress.")


def register(root: typer.Typer) -> None:
    """The `migrate` group, once: these commands and `run|status|rollback` from :mod:`.migrate_exec`."""
    add_execution_commands(app)
    root.add_typer(app, name="migrate")


@app.command("plan")
def plan(env: str = ENV_OPTION,
         start: str = typer.Option(None, help="Date of the first new wave (YYYY-MM-DD); default: keep the "
                                               "current plan's, else the Saturday after the last kept wave or today."),
         max_per_wave: int = typer.Option(40, min=1, help="Most systems one wave cuts over."),
         cadence_days: int = typer.Option(7, min=1, help="Days between two waves."),
         dry_run: bool = typer.Option(False, "--dry-run", help="Plan and validate, write nothing."),
         migrations: Path = MIGRATIONS_OPTION, format: OutputFormat = OutputFormat.TABLE) -> None:
    """Write the wave files from the model; waves that started are kept untouched."""
    environment = load_env(env)
    folders = migration_folders(environment, project_root(), migrations)
    folder = folders.plans
    existing = read_plan(folder)
    progress = read_progress(folders.state, environment.name, [lw.wave for lw in existing])
    kept_numbers = started(progress)
    first_day = _parse_date(start) if start else _default_start(existing, kept_numbers, cadence_days,
                                                                 dt.date.today())
    settings = PlanSettings(start=first_day, cadence_days=cadence_days, max_systems_per_wave=max_per_wave)
    try:
        result = plan_waves(environment.province, existing, settings, kept_numbers)
    except PlanErrors as exc:
        raise exc.in_model(environment.section_files) from None
    loaded = result.kept + [LoadedWave(w, folder / w.file_name) for w in result.planned]
    findings = validate_plan(environment.province, loaded, folder, statuses(progress),
                             lambda lw: seals.sealed_version(folders.state, lw))
    if findings:
        raise PlanErrors(findings)
    changed = _changed_waves(result.planned, existing, kept_numbers)
    stale = [p for p in result.remove if p.name not in {w.file_name for w in result.planned}]
    written = [] if dry_run or not (changed or stale) else write_plan(folder, changed, environment.name, stale)
    if written:
        for wave in changed:  # the sealed content, so that a later edit can be named field by field
            seals.remember(folders.state, wave)
    summary = {"env": environment.name, "folder": str(folder), "kept": [lw.path.name for lw in result.kept],
               "planned": [w.file_name for w in result.planned],
               "systems": sum(len(w.systems) for w in result.planned), "changed": bool(changed or stale),
               "written": len(written), "notices": result.notices}
    if format is OutputFormat.JSON:
        print_json(summary)
        return
    for notice in result.notices:
        err_console.print(f"notice: {notice}")
    verb = "dry run, nothing written" if dry_run else (f"{len(written)} files written, {len(stale)} removed"
                                                       if changed or stale else "plan unchanged, nothing written")
    console.print(f"{environment.name}: {len(result.kept)} waves kept, {len(result.planned)} planned waves with "
                  f"{summary['systems']} systems from {first_day}; {verb} ({folder})")


@app.command("validate")
def validate(env: str = ENV_OPTION, migrations: Path = MIGRATIONS_OPTION,
             format: OutputFormat = OutputFormat.TABLE) -> None:
    """Check every wave file against the model and its seal: dependencies, capacity, DR placement and
    objectives, and that no sealed wave was changed after review."""
    plan = validated_plan(env, migrations)
    environment, waves = plan.environment, plan.waves
    counts = {s.value: sum(p.status is s for p in plan.progress.values()) for s in WaveStatus}
    systems = sum(len(lw.wave.systems) for lw in waves)
    if format is OutputFormat.JSON:
        print_json({"env": environment.name, "valid": True, "waves": len(waves), "systems": systems, **counts})
        return
    console.print(f"[green]valid[/green] {environment.name}: {len(waves)} waves ({counts}), {systems} systems")


@app.command("runbook")
def runbook(env: str = ENV_OPTION, wave: int = typer.Option(..., "--wave", "-w", help="Wave number."),
            out: Path = typer.Option(None, help="Folder for the .md and .html files; default build/runbooks/<env>."),
            migrations: Path = MIGRATIONS_OPTION) -> None:
    """Render a wave's runbook as Markdown and HTML (the plan must validate first)."""
    plan = validated_plan(env, migrations)
    environment = plan.environment
    chosen = wave_by_number(plan.waves, wave)
    paths = render_runbook(chosen.wave, environment.name).write(
        out or runbooks_dir(project_root(), environment.name))
    console.print("written " + ", ".join(str(p) for p in paths))


@app.command("seal")
def seal(env: str = ENV_OPTION,
         wave: list[int] = typer.Option(..., "--wave", "-w", help="Wave number (repeat for several)."),
         migrations: Path = MIGRATIONS_OPTION) -> None:
    """Sign off reviewed changes of waves that have not started: record their content's hash. The plan
    must validate with the new seals (every other wave still as sealed)."""
    environment = load_env(env)
    folders = migration_folders(environment, project_root(), migrations)
    waves = read_plan(folders.plans)
    chosen = [wave_by_number(waves, number) for number in dict.fromkeys(wave)]
    progress = read_progress(folders.state, environment.name, [lw.wave for lw in waves])
    for loaded in chosen:
        status = progress[loaded.wave.wave].status
        if status.started:
            raise UsageError(f"wave {loaded.wave.wave} is {status.value}: what started is history and keeps its "
                             "seal", fix="restore the reviewed content from version control; put changes in a new wave")
    sealed = {lw.wave.wave: LoadedWave(lw.wave.sealed_copy(), lw.path) for lw in chosen}
    findings = validate_plan(environment.province, [sealed.get(lw.wave.wave, lw) for lw in waves], folders.plans,
                             statuses(progress), lambda lw: seals.sealed_version(folders.state, lw))
    if findings:
        raise PlanErrors(findings)  # nothing is sealed that does not validate
    changed = [lw.wave for lw in sealed.values() if lw.wave.content_hash != _recorded_hash(waves, lw.wave.wave)]
    if changed:
        write_plan(folders.plans, changed, environment.name)
    for loaded in sealed.values():
        seals.remember(folders.state, loaded.wave)
        verb = "sealed" if loaded.wave in changed else "already sealed as it is"
        console.print(f"wave {loaded.wave.wave} ({loaded.path.name}) {verb}: {loaded.wave.content_hash}")


def _recorded_hash(waves: list[LoadedWave], number: int) -> str | None:
    """The content hash the file of wave ``number`` records now."""
    return next(lw.wave.content_hash for lw in waves if lw.wave.wave == number)


@app.command("mark")
def mark(env: str = ENV_OPTION, wave: int = typer.Option(..., "--wave", "-w", help="Wave number."),
         status: WaveStatus = typer.Option(..., help="in-progress when the window opens, done after validation."),
         migrations: Path = MIGRATIONS_OPTION) -> None:
    """Record a wave run by hand moving on (planned -> in-progress -> done) in the run state; the wave
    file does not change."""
    plan = validated_plan(env, migrations)
    chosen = wave_by_number(plan.waves, wave)
    allowed = {WaveStatus.PLANNED: {WaveStatus.IN_PROGRESS},
               WaveStatus.IN_PROGRESS: {WaveStatus.DONE, WaveStatus.PLANNED},
               WaveStatus.ROLLED_BACK: {WaveStatus.IN_PROGRESS}}
    current = plan.progress[wave].status
    if status is current:
        console.print(f"wave {wave} is already {status.value}; nothing to do")
        return
    if status not in allowed.get(current, set()):
        raise UsageError(f"wave {wave} is {current.value}; it cannot become {status.value}",
                         fix="planned -> in-progress -> done (or in-progress -> planned to call it off)")
    if not chosen.wave.sealed:
        raise UsageError(f"wave {wave} ({chosen.path.name}) was never sealed: what runs must be what was reviewed",
                         fix=f"review it, then: govcloud migrate seal --wave {wave}")
    with exclusive(plan.folders.state):
        state = load_run_state(plan.folders.state, plan.environment.name)
        state.wave(wave).status = status
        save_run_state(plan.folders.state, state)
    console.print(f"wave {wave} ({chosen.path.name}) is now {status.value}")


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--start {text!r} is not a date", fix="write it as YYYY-MM-DD, e.g. 2027-01-09") from None


def _default_start(existing: list[LoadedWave], kept_numbers: set[int], cadence_days: int,
                   today: dt.date) -> dt.date:
    """Keep the current plan's first date, so that re-planning an unchanged model changes nothing."""
    planned = [lw.wave for lw in existing if lw.wave.wave not in kept_numbers]
    kept = [lw.wave for lw in existing if lw.wave.wave in kept_numbers]
    if planned:
        return min(w.window.start.date() for w in planned)
    if kept:
        return max(w.window.start.date() for w in kept) + dt.timedelta(days=cadence_days)
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)  # the next Saturday


def _changed_waves(planned: list[MigrationWave], existing: list[LoadedWave], kept_numbers: set[int]) -> list[MigrationWave]:
    """The new planned waves whose file is missing or holds other content (reviewers' edits included)."""
    current = {lw.path.name: lw.wave for lw in existing if lw.wave.wave not in kept_numbers}
    # Comparing content hashes (of the parsed files) spares rendering unchanged waves to YAML.
    return [w for w in planned if w.file_name not in current
            or current[w.file_name].computed_hash() != w.content_hash
            or current[w.file_name].content_hash != w.content_hash]
