"""Run a wave: every system through its remaining lifecycle steps, the state saved after each one.

The executor is the only place that decides *which* step runs next; the side effects are the
provisioner's and the workload driver's. After every step it records the step and the new phase in
``.state/<env>/migration-run.json`` before starting the next one, so a run killed at any point
resumes at the step it was in, and a step recorded as done is never run again.

The wave's status is recorded in the same state (the one source of truth of progress, read through
:mod:`..progress`): ``in-progress`` when the first step of the wave starts, ``done`` when every system
is finalized, ``rolled-back`` after a rollback. The executor never writes a wave file: what was
reviewed and sealed stays as it was (the command validates the seal before a run starts).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import PlanError, UsageError
from ..schema import WaveEntry, WaveStatus
from ..store import LoadedWave
from .lifecycle import ROLLBACK, Phase, advance, can_roll_back, remaining_steps
from .providers import Details, Provisioner, WorkloadDriver
from .run_state import RunState, StepRecord, exclusive, load_run_state, save_run_state

#: Called after a step is recorded, with the system code and the step name (tests use it to kill
#: the process at a chosen point; the CLI wires it from an environment variable).
StepHook = Callable[[str, str], None]


@dataclass
class StepOutcome:
    system: str
    step: str
    phase: Phase
    seconds: float
    skipped: bool = False


@dataclass
class WaveRunReport:
    wave: int
    outcomes: list[StepOutcome] = field(default_factory=list)

    @property
    def ran(self) -> list[StepOutcome]:
        return [o for o in self.outcomes if not o.skipped]


class Executor:
    """Drives the systems of one loaded wave; ``state_dir`` is ``.state/<env>``."""

    def __init__(self, env_name: str, wave: LoadedWave, state_dir: Path, provisioner: Provisioner,
                 driver: WorkloadDriver, after_step: StepHook | None = None,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> None:
        self.env_name = env_name
        self.loaded = wave
        self.state_dir = state_dir
        self.provisioner = provisioner
        self.driver = driver
        self.after_step = after_step or (lambda system, step: None)
        self.clock = clock

    @property
    def number(self) -> int:
        return self.loaded.wave.wave

    def entries(self) -> list[WaveEntry]:
        """Systems that land on the cloud, in the wave's cutover order (retire/retain have no steps)."""
        return [e for e in self.loaded.wave.systems if e.strategy.lands_on_cloud]

    def run(self) -> WaveRunReport:
        """Every remaining step of every system; a finished wave reports nothing to do."""
        wave = self.loaded.wave
        if not wave.sealed or wave.is_tampered():
            # The command names the changed field (validation); this guards every other caller.
            raise PlanError(f"{self.loaded.path}: wave {self.number} is not as it was sealed (reviewed)",
                            fix="run govcloud migrate validate; sign a reviewed change off with govcloud migrate seal")
        report = WaveRunReport(self.number)
        with exclusive(self.state_dir):
            state = load_run_state(self.state_dir, self.env_name)
            for entry in self.entries():
                record = state.system(self.number, entry.code)
                if record.phase is Phase.ROLLED_BACK:
                    # A rolled-back system starts again from ready in a later window.
                    record.phase = Phase.READY
                steps = remaining_steps(record.phase)
                if not steps:
                    report.outcomes.append(StepOutcome(entry.code, "-", record.phase, 0.0, skipped=True))
                    continue
                self._mark_wave(state, WaveStatus.IN_PROGRESS)
                for step in steps:
                    report.outcomes.append(self._step(state, entry, step.name))
            if all(state.system(self.number, e.code).phase is Phase.FINALIZED for e in self.entries()):
                self._mark_wave(state, WaveStatus.DONE)
        return report

    def rollback(self) -> WaveRunReport:
        """Return every started system of the wave to its legacy home, last system first (no seal
        check: a rollback undoes what ran, as recorded in the state, whatever the file says now)."""
        report = WaveRunReport(self.number)
        with exclusive(self.state_dir):
            state = load_run_state(self.state_dir, self.env_name)
            started = [e for e in self.entries() if can_roll_back(state.system(self.number, e.code).phase)]
            if not started:
                raise UsageError(f"wave {self.number} has no system to roll back",
                                 fix="`govcloud migrate status` shows each system's phase")
            for entry in reversed(started):
                report.outcomes.append(self._step(state, entry, ROLLBACK))
            self._mark_wave(state, WaveStatus.ROLLED_BACK)
        return report

    def _step(self, state: RunState, entry: WaveEntry, step: str) -> StepOutcome:
        record = state.system(self.number, entry.code)
        source = record.phase
        target = advance(source, step)  # refuses an out-of-order step before any side effect
        started, clock = self.clock(), time.monotonic()
        details = self._call(entry, step, source)
        seconds = round(time.monotonic() - clock, 3)
        record.steps.append(StepRecord(step=step, started=started, finished=self.clock(), seconds=seconds,
                                       details=details))
        record.phase = target
        save_run_state(self.state_dir, state)
        self.after_step(entry.code, step)
        return StepOutcome(entry.code, step, target, seconds)

    def _call(self, entry: WaveEntry, step: str, source: Phase) -> Details:
        if step == "provision":
            return {"resources": self.provisioner.provision(entry), "workload": self.driver.provision(entry)}
        if step == ROLLBACK:
            return self.driver.rollback(entry, source.value)
        return getattr(self.driver, step)(entry)

    def _mark_wave(self, state: RunState, status: WaveStatus) -> None:
        """Record the wave's status in the run state at once (a run killed in its first step has started)."""
        record = state.wave(self.number)
        if record.status is status:
            return
        record.status = status
        save_run_state(self.state_dir, state)


def wave_status(state: RunState, wave: int) -> dict[str, dict]:
    """Phase and completed steps of each system of ``wave`` as recorded (for `migrate status`)."""
    run = state.waves.get(wave)
    if run is None:
        return {}
    return {code: {"phase": s.phase.value, "steps": [r.step for r in s.steps],
                   "seconds": round(sum(r.seconds for r in s.steps), 3)} for code, s in run.systems.items()}
