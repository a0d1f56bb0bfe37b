"""``migrate plan``: the model (and the waves already under way or done) in, wave files out.

A pure function: :func:`plan_waves` returns the waves to write and the files to remove; the command
validates them and writes them. Waves that started (their progress is in the run state) are kept as
they are, and the systems they
hold are treated as moved: their dependants may follow and their claims count against capacity.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Footprint, Province
from ..model.recovery import dr_level
from ..problems import Problem
from .capacity import CapacityUsage, claims, system_claims
from .findings import PlanErrors
from .scheduler import Placement, schedule
from .schema import DrDesign, Owners, MigrationWave, WaveEntry, Window
from .entry_defaults import choose_strategy, downtime_budget, go_no_go, rollback_steps, validation_steps
from .store import LoadedWave

PROVINCE_TZ = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class PlanSettings:
    """How waves are cut: their size, their rhythm and their windows (Saturday nights by default)."""

    start: dt.date
    cadence_days: int = 7
    window_start: dt.time = dt.time(22, 0)
    window_hours: int = 8
    max_systems_per_wave: int = 40


@dataclass
class PlanResult:
    kept: list[LoadedWave]
    planned: list[MigrationWave]
    remove: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def waves(self) -> list[MigrationWave]:
        return sorted([lw.wave for lw in self.kept] + self.planned, key=lambda w: w.wave)


def kept_ledger(province: Province, kept: list[LoadedWave]) -> tuple[CapacityUsage, set[str]]:
    """Capacity already taken (systems on the cloud, systems in kept waves) and the codes settled."""
    ledger = CapacityUsage.for_province(province)
    in_kept = {entry.code for loaded in kept for entry in loaded.wave.systems}
    settled: set[str] = set()
    for system in province.systems:
        # A system both on the cloud and in a kept wave is counted once, as its wave placed it.
        if system.on_cloud and system.code not in in_kept:
            ledger.add(system_claims(system, system.target_node or _home_node(province, system.owner)))
            settled.add(system.code)
    for loaded in kept:
        for entry in loaded.wave.systems:
            settled.add(entry.code)
            if entry.strategy.lands_on_cloud:
                ledger.add(claims(_footprint(province, entry.code), entry.target_node, entry.dr.mode, entry.dr.node))
    return ledger, settled


def plan_waves(province: Province, existing: list[LoadedWave], settings: PlanSettings,
               started: Collection[int] = ()) -> PlanResult:
    """Waves for every system still to move, after the waves that started (``started``: their numbers,
    from :func:`.progress.started`); those are kept as they are."""
    kept = [lw for lw in existing if lw.wave.wave in started]
    ledger, settled = kept_ledger(province, kept)
    result = schedule(province, ledger, settled, settings.max_systems_per_wave)
    if result.unplaced:
        index = {s.code: i for i, s in enumerate(province.systems)}
        # The file is the model's systems file, which only the caller knows (see PlanErrors.in_model).
        raise PlanErrors([Problem(("systems", index[code], "target_node"), f"does not fit: {overrun.describe()}",
                                  "raise the node's capacity, or set another target_node/dr_node in the model",
                                  system=code) for code, overrun in result.unplaced])
    first = max((lw.wave.wave for lw in kept), default=0) + 1
    moved = settled.copy()
    planned = []
    for index, placements in enumerate(result.waves):
        window = _window(settings, index)
        entries = [_entry(province, p, window, moved) for p in placements]
        moved.update(p.code for p in placements)
        wave = MigrationWave(wave=first + index, slug=_slug(placements), window=window, systems=tuple(entries))
        planned.append(wave.sealed_copy())
    remove = [lw.path for lw in existing if lw.wave.wave not in started]
    return PlanResult(kept, planned, remove)


def _entry(province: Province, placement: Placement, window: Window, moved: set[str]) -> WaveEntry:
    system = province.system_by_code[placement.code]
    dr_node = placement.dr_node  # the model names one exactly when dr is not none
    return WaveEntry(
        code=system.code, name=system.name, group=placement.group, strategy=choose_strategy(system),
        target_node=placement.target_node,
        dr=DrDesign(mode=system.dr, node=dr_node, level=dr_level(system.dr, system.rpo_s, system.rto_s),
                    rpo_s=system.rpo_s, rto_s=system.rto_s),
        downtime_budget_s=downtime_budget(system, window.seconds),
        depends_on=system.depends_on,
        owners=Owners(business=system.owner, cloud=placement.target_node, dr=dr_node),
        go_no_go=tuple(go_no_go(system, placement.target_node, dr_node,
                                [d for d in system.depends_on if d in moved])),
        validation=tuple(validation_steps(system, placement.target_node, dr_node)),
        rollback=tuple(rollback_steps(system)),
    )


def _window(settings: PlanSettings, index: int) -> Window:
    day = settings.start + dt.timedelta(days=settings.cadence_days * index)
    start = dt.datetime.combine(day, settings.window_start, tzinfo=PROVINCE_TZ)
    return Window(start=start, end=start + dt.timedelta(hours=settings.window_hours))


def _slug(placements: list[Placement]) -> str:
    """Named after the node most of the wave lands on (stable codes, so stable file names)."""
    counts = Counter(p.target_node for p in placements)
    return min(counts, key=lambda n: (-counts[n], n))


def _home_node(province: Province, owner: str) -> str:
    return province.department_by_code[owner].node  # the loader checks that every owner is a department


def _footprint(province: Province, code: str) -> Footprint:
    system = province.system_by_code.get(code)
    return system.footprint if system else Footprint(vcpu=0, ram_gb=0, storage_gb=0)
