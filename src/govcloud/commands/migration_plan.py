"""What the `migrate` commands share: the ``--migrations`` option, and an environment's plan once it
validates (its folders, waves and progress), with ``--wave`` looked up in it.

`migrate plan|validate|runbook|seal|mark` (:mod:`.migrate`), `migrate run|status|rollback`
(:mod:`.migrate_exec`) and `kpi` import it; it imports neither, so the two command modules of the
`migrate` group do not import each other in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from ..errors import UsageError
from ..migration import seal as seals
from ..migration.findings import PlanErrors
from ..migration.locations import MigrationFolders, migration_folders
from ..migration.wavestatus import WaveProgress, read_progress, statuses
from ..migration.store import LoadedWave, read_plan
from ..migration.validation import validate_plan
from ..model import Environment
from .common import load_env, project_root

MIGRATIONS_OPTION = typer.Option(None, "--migrations", help="Folder of the wave files; default migrations/<env> "
                                 "of the project, or <env>/migrations for an environment given by path.")


@dataclass(frozen=True)
class ValidatedPlan:
    """An environment's plan that validates against its model and its seals, with its progress."""

    environment: Environment
    folders: MigrationFolders
    waves: list[LoadedWave]
    progress: dict[int, WaveProgress]


def validated_plan(env: str, migrations: Path | None = None) -> ValidatedPlan:
    """The environment, its folders, waves and progress, once the plan validates (PlanErrors if not)."""
    environment = load_env(env)
    folders = migration_folders(environment, project_root(), migrations)
    waves = read_plan(folders.plans)
    progress = read_progress(folders.state, environment.name, [lw.wave for lw in waves])
    findings = validate_plan(environment.province, waves, folders.plans, statuses(progress),
                             lambda lw: seals.sealed_version(folders.state, lw))
    if findings:
        raise PlanErrors(findings)
    return ValidatedPlan(environment, folders, waves, progress)


def wave_by_number(waves: list[LoadedWave], number: int) -> LoadedWave:
    """The wave ``--wave`` names; a wrong number is bad input naming the known ones."""
    for loaded in waves:
        if loaded.wave.wave == number:
            return loaded
    known = ", ".join(str(lw.wave.wave) for lw in waves) or "none: run govcloud migrate plan"
    raise UsageError(f"--wave {number}: no such wave", fix=f"use one of: {known}")
