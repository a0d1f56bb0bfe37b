"""What the report reads from disk, gathered into one :class:`ReportInputs` value.

Everything with a side effect (reading files, running the offline policy check) is here, so that
:mod:`.collect` stays a pure function of these inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..migration.kpi import MigrationState
from ..migration.locations import migration_folders
from ..migration.wavestatus import read_progress
from ..migration.schema import MigrationWave, WaveStatus
from ..migration.network_outcomes import read_exits_state, read_rollout_state, state_folder
from ..migration.store import read_plan
from ..model import Environment, ExitStatus, Ipv6Status
from ..policy.checker import CheckResult
from .measurements import CloudUsage, Ipv6Quality, read_cloud_usage, read_ipv6_quality
from .trend import Snapshot, read_snapshots


@dataclass(frozen=True)
class TimelineWave:
    """One wave as the report shows it: its window and where it stands."""

    wave: MigrationWave
    status: str
    """planned, in-progress, done or rolled-back."""


@dataclass(frozen=True)
class ReportInputs:
    environment: Environment
    as_of: dt.date
    waves: tuple[TimelineWave, ...]
    ipv6: dict[str, Ipv6Status]
    exits: dict[str, ExitStatus]
    policy: CheckResult | None
    ipv6_quality: Ipv6Quality | None
    cloud_usage: CloudUsage | None
    history: tuple[Snapshot, ...]

    @property
    def migration(self) -> MigrationState:
        return MigrationState.from_waves([w.wave for w in self.waves],
                                         {w.wave.wave: WaveStatus(w.status) for w in self.waves})


def wave_progress(project_root: Path, environment: Environment) -> tuple[TimelineWave, ...]:
    """Every wave and its status, from the one source `migrate status` and `kpi` read: the run state
    (:func:`govcloud.migration.wavestatus.read_progress`)."""
    folders = migration_folders(environment, project_root)
    waves = [lw.wave for lw in read_plan(folders.plans)]
    progress = read_progress(folders.state, environment.name, waves)
    return tuple(TimelineWave(wave, progress[wave.wave].status.value) for wave in waves)


def gather_inputs(environment: Environment, project_root: Path, as_of: dt.date,
                  policy: CheckResult | None) -> ReportInputs:
    """Read every input of the report; ``policy`` is the offline check's result (the caller runs it)."""
    state = state_folder(project_root, environment.path)
    return ReportInputs(environment=environment, as_of=as_of, waves=wave_progress(project_root, environment),
                        ipv6=read_rollout_state(state), exits=read_exits_state(state), policy=policy,
                        ipv6_quality=read_ipv6_quality(state), cloud_usage=read_cloud_usage(state),
                        history=read_snapshots(state))
