"""Where each wave stands: the one source of truth of migration progress, as a small typed API.

Progress is recorded in one place only, the environment's run state
(``<state>/migration-run.json``, see :mod:`.execution.run_state`): ``govcloud migrate run`` and
``rollback`` record it as systems move, ``govcloud migrate mark`` for waves run by hand. Wave files
are reviewed data and never change because a wave ran. ``migrate status``, ``kpi``, the planner
(which keeps started waves) and the province report all read it through :func:`read_progress`::

    from govcloud.migration.locations import migration_folders
    from govcloud.migration.wavestatus import read_progress

    folders = migration_folders(environment, project_root)
    waves = [lw.wave for lw in read_plan(folders.plans)]
    for number, wave in read_progress(folders.state, environment.name, waves).items():
        print(number, wave.status.value, wave.systems)   # e.g. 1 done {'unified-identity': 'finalized'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .execution.lifecycle import Phase
from .execution.run_state import RunState, load_run_state
from .schema import MigrationWave, WaveStatus


@dataclass(frozen=True)
class WaveProgress:
    """One wave of the plan and where it stands."""

    wave: int
    status: WaveStatus
    systems: Mapping[str, Phase] = field(default_factory=dict)
    """Each system's lifecycle phase as ``migrate run`` recorded it (empty for a wave run by hand)."""


def wave_progress(waves: Iterable[MigrationWave], run: RunState) -> dict[int, WaveProgress]:
    """Progress of every wave in ``waves`` (by number) from the run state; unknown waves are planned."""
    progress = {}
    for wave in waves:
        record = run.waves.get(wave.wave)
        if record is None:
            progress[wave.wave] = WaveProgress(wave.wave, WaveStatus.PLANNED)
            continue
        progress[wave.wave] = WaveProgress(wave.wave, record.status,
                                           {code: s.phase for code, s in record.systems.items()})
    return progress


def read_progress(state_dir: Path, env_name: str, waves: Iterable[MigrationWave]) -> dict[int, WaveProgress]:
    """:func:`wave_progress` of the state recorded in ``state_dir`` (nothing recorded: all planned)."""
    return wave_progress(waves, load_run_state(state_dir, env_name))


def statuses(progress: Mapping[int, WaveProgress]) -> dict[int, WaveStatus]:
    """Just the status of each wave."""
    return {number: p.status for number, p in progress.items()}


def started(progress: Mapping[int, WaveProgress]) -> set[int]:
    """Numbers of the waves that started (in progress, done or rolled back): history, kept as they are."""
    return {number for number, p in progress.items() if p.status.started}
