"""`govcloud migrate plan|validate|runbook|mark`: migration waves as reviewed data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from ..errors import UsageError
from ..migration.findings import PlanErrors
from ..migration.planner import PlanSettings, plan_waves
from ..migration.runbook import render_runbook
from ..migration.schema import Wave, WaveStatus
from ..migration.store import LoadedWave, plan_folder, read_plan, write_plan
from ..migration.validation import validate_plan
from .common import ENV_OPTION, OutputFormat, console, err_console, load_env, print_json, project_root

app = typer.Typer(no_args_is_help=True, help="Migration waves: plan, validate, render runbooks, mark progress.")


def register(root: typer.Typer) -> None:
    # `migrate run|status|rollback` (execution) live in their own module, in the same group.
    from . import migrate_exec

    migrate_exec.register_into(app)
    root.add_typer(app, name="migrate")


@app.command("plan")
def plan(env: str = ENV_OPTION,
         start: str = typer.Option(None, help="Date of the first new wave (YYYY-MM-DD); default: keep the "
                                               "current plan's, else the Saturday after the last kept wave or today."),
         max_per_wave: int = typer.Option(40, min=1, help="Most systems one wave cuts over."),
         cadence_days: int = typer.Option(7, min=1, help="Days between two waves."),
         dry_run: bool = typer.Option(False, "--dry-run", help="Plan and validate, write nothing."),
         format: OutputFormat = OutputFormat.TABLE) -> None:
    """Write the wave files from the model; waves in progress or done are kept untouched."""
    environment = load_env(env)
    folder = plan_folder(project_root(), environment.name)
    existing = read_plan(folder)
    first_day = _parse_date(start) if start else _default_start(existing, cadence_days, dt.date.today())
    settings = PlanSettings(start=first_day, cadence_days=cadence_days, max_systems_per_wave=max_per_wave)
    try:
        result = plan_waves(environment.province, existing, settings)
    except PlanErrors as exc:
        raise exc.in_model(environment.section_files) from None
    loaded = result.kept + [LoadedWave(w, folder / w.file_name) for w in result.planned]
    findings = validate_plan(environment.province, loaded, folder)
    if findings:
        raise PlanErrors(findings)
    changed = _changed_waves(result.planned, existing)
    stale = [p for p in result.remove if p.name not in {w.file_name for w in result.planned}]
    written = [] if dry_run or not (changed or stale) else write_plan(folder, changed, environment.name, stale)
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
def validate(env: str = ENV_OPTION, format: OutputFormat = OutputFormat.TABLE) -> None:
    """Check every wave file against the model: dependencies, capacity, DR placement and objectives."""
    environment, folder, waves = _validated_plan(env)
    counts = {s.value: sum(lw.wave.status is s for lw in waves) for s in WaveStatus}
    systems = sum(len(lw.wave.systems) for lw in waves)
    if format is OutputFormat.JSON:
        print_json({"env": environment.name, "valid": True, "waves": len(waves), "systems": systems, **counts})
        return
    console.print(f"[green]valid[/green] {environment.name}: {len(waves)} waves ({counts}), {systems} systems")


@app.command("runbook")
def runbook(env: str = ENV_OPTION, wave: int = typer.Option(..., "--wave", "-w", help="Wave number."),
            out: Path = typer.Option(None, help="Folder for the .md and .html files; default build/runbooks/<env>.")
            ) -> None:
    """Render a wave's runbook as Markdown and HTML (the plan must validate first)."""
    environment, folder, waves = _validated_plan(env)
    chosen = wave_by_number(waves, wave)
    paths = render_runbook(chosen.wave, environment.name).write(
        out or project_root() / "build" / "runbooks" / environment.name)
    console.print("written " + ", ".join(str(p) for p in paths))


@app.command("mark")
def mark(env: str = ENV_OPTION, wave: int = typer.Option(..., "--wave", "-w", help="Wave number."),
         status: WaveStatus = typer.Option(..., help="in-progress when the window opens, done after validation.")
         ) -> None:
    """Move a wave on (planned -> in-progress -> done) and seal its content with its hash."""
    environment, folder, waves = _validated_plan(env)
    chosen = wave_by_number(waves, wave)
    allowed = {WaveStatus.PLANNED: {WaveStatus.IN_PROGRESS}, WaveStatus.IN_PROGRESS: {WaveStatus.DONE,
                                                                                       WaveStatus.PLANNED}}
    current = chosen.wave.status
    if status is current:
        console.print(f"wave {wave} is already {status.value}; nothing to do")
        return
    if status not in allowed.get(current, set()):
        raise UsageError(f"wave {wave} is {current.value}; it cannot become {status.value}",
                         fix="planned -> in-progress -> done (or in-progress -> planned to call it off)")
    write_plan(folder, [chosen.wave.sealed_copy(status)], environment.name)
    console.print(f"wave {wave} ({chosen.path.name}) is now {status.value}")


def wave_by_number(waves: list[LoadedWave], number: int) -> LoadedWave:
    """The wave ``--wave`` names; a wrong number is bad input naming the known ones."""
    for loaded in waves:
        if loaded.wave.wave == number:
            return loaded
    known = ", ".join(str(lw.wave.wave) for lw in waves) or "none: run govcloud migrate plan"
    raise UsageError(f"--wave {number}: no such wave", fix=f"use one of: {known}")


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--start {text!r} is not a date", fix="write it as YYYY-MM-DD, e.g. 2027-01-09") from None


def _default_start(existing: list[LoadedWave], cadence_days: int, today: dt.date) -> dt.date:
    """Keep the current plan's first date, so that re-planning an unchanged model changes nothing."""
    planned = [lw.wave for lw in existing if not lw.wave.status.sealed]
    kept = [lw.wave for lw in existing if lw.wave.status.sealed]
    if planned:
        return min(w.window.start.date() for w in planned)
    if kept:
        return max(w.window.start.date() for w in kept) + dt.timedelta(days=cadence_days)
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)  # the next Saturday


def _changed_waves(planned: list[Wave], existing: list[LoadedWave]) -> list[Wave]:
    """The new planned waves whose file is missing or holds other content (reviewers' edits included)."""
    current = {lw.path.name: lw.wave for lw in existing if not lw.wave.status.sealed}
    # Comparing content hashes (of the parsed files) spares rendering unchanged waves to YAML.
    return [w for w in planned if w.file_name not in current
            or current[w.file_name].computed_hash() != w.content_hash
            or current[w.file_name].content_hash != w.content_hash]


def _validated_plan(env: str) -> tuple:
    """The environment, its plan folder and its waves, once the plan validates against the model."""
    environment = load_env(env)
    folder = plan_folder(project_root(), environment.name)
    waves = read_plan(folder)
    findings = validate_plan(environment.province, waves, folder)
    if findings:
        raise PlanErrors(findings)
    return environment, folder, waves
