"""What the report reads from disk, gathered into one :class:`ReportInputs` value.

Everything with a side effect (reading files, running the offline policy check) is here, so that
:mod:`.collect` stays a pure function of these inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..migration.execution.lifecycle import Phase
from ..migration.execution.state import load_run_state
from ..migration.kpi import MigrationState
from ..migration.schema import Wave
from ..migration.state import read_exits_state, read_rollout_state, state_folder
from ..migration.store import plan_folder, read_plan
from ..model import Environment, ExitStatus, Ipv6Status
from ..policy.runner import CheckResult
from .measurements import CloudUsage, Ipv6Quality, read_cloud_usage, read_ipv6_quality
from .trend import Snapshot, read_snapshots


@dataclass(frozen=True)
class WaveProgress:
    """One wave as the report shows it: its window and where it stands."""

    wave: Wave
    status: str
    """planned, in-progress, done or rolled-back."""


@dataclass(frozen=True)
class ReportInputs:
    environment: Environment
    as_of: dt.date
    waves: tuple[WaveProgress, ...]
    ipv6: dict[str, Ipv6Status]
    exits: dict[str, ExitStatus]
    policy: CheckResult | None
    ipv6_quality: Ipv6Quality | None
    cloud_usage: CloudUsage | None
    history: tuple[Snapshot, ...]

    @property
    def migration(self) -> MigrationState:
        return MigrationState.from_waves([w.wave for w in self.waves])


def wave_progress(project_root: Path, environment: Environment) -> tuple[WaveProgress, ...]:
    """Every wave and its status, from the same sources `migrate status` and `kpi` read: the wave
    files' status, and the run state for waves whose systems were rolled back.

    The one place the report learns wave progress: when progress moves to a single record, only
    this function changes.
    """
    waves = [lw.wave for lw in read_plan(plan_folder(project_root, environment.name))]
    runs = load_run_state(state_folder(project_root, environment.name), environment.name).waves
    progress = []
    for wave in waves:
        run = runs.get(wave.wave)
        rolled_back = run is not None and any(s.phase is Phase.ROLLED_BACK for s in run.systems.values())
        progress.append(WaveProgress(wave, "rolled-back" if rolled_back else wave.status.value))
    return tuple(progress)


def gather_inputs(environment: Environment, project_root: Path, as_of: dt.date,
                  policy: CheckResult | None) -> ReportInputs:
    """Read every input of the report; ``policy`` is the offline check's result (the caller runs it)."""
    state = state_folder(project_root, environment.name)
    return ReportInputs(environment=environment, as_of=as_of, waves=wave_progress(project_root, environment),
                        ipv6=read_rollout_state(state), exits=read_exits_state(state), policy=policy,
                        ipv6_quality=read_ipv6_quality(state), cloud_usage=read_cloud_usage(state),
                        history=read_snapshots(state))
