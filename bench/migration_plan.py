"""Benchmark: planning the example province's migration (about 3,000 systems, 1+16 nodes).

Prints, best of ``--repeat`` runs, the time of each stage of ``govcloud migrate plan`` (schedule,
wave entries, validation, YAML rendering) and, as a baseline measured in the same run, a naive
scheduler: repeated passes over the remaining systems picking those whose dependencies are placed,
re-summing node usage from the placed list for every wave (what one writes without a graph
library or a running ledger). Goal: planning (plan + validate) in under 3 s; rendering the YAML files is
printed on its own.

    .venv/bin/python bench/migration_plan.py [--env example] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable
from pathlib import Path

from govcloud.migration.capacity import CapacityUsage, system_claims
from govcloud.migration.planner import PlanSettings, kept_ledger, plan_waves
from govcloud.migration.scheduler import migration_candidates, schedule
from govcloud.migration.store import LoadedWave, dump_wave
from govcloud.migration.validation import validate_plan
from govcloud.model import Province, load_environment

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = PlanSettings(start=dt.date(2027, 1, 9))


CPU = {}  # stage -> best CPU seconds (the machine is shared: wall time includes waiting for a CPU)


def best(repeat: int, run: Callable[[], object], stage: str = "") -> tuple[float, object]:
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[stage] = min(cpu)
    return min(times), result


def naive_schedule(province: Province, per_wave: int) -> list[list[str]]:
    """The baseline: no condensation, no topological generations, usage re-summed for every wave."""
    remaining = migration_candidates(province, set())
    moving = {s.code for s in remaining}
    placed: list[str] = []
    waves: list[list[str]] = []
    on_cloud = [s for s in province.systems if s.on_cloud]
    while remaining:
        done = set(placed)
        ready = [s for s in remaining if all(d in done or d not in moving for d in s.depends_on)]
        if not ready:
            raise SystemExit("naive baseline: dependency cycle")
        ledger = CapacityUsage.for_province(province)  # re-summed from scratch for every wave
        for other in on_cloud + [province.system_by_code[c] for c in placed]:
            ledger.add(system_claims(other, other.target_node or province.province_node.code))
        wave: list[str] = []
        for system in ready[:per_wave]:
            new = system_claims(system, system.target_node or province.province_node.code)
            if ledger.fits(new):  # one that does not fit is dropped (the real planner relocates its DR copy)
                ledger.add(new)
                wave.append(system.code)
            placed.append(system.code)
        waves.append(wave)
        taken = set(ready[:per_wave] and [s.code for s in ready[:per_wave]])
        remaining = [s for s in remaining if s.code not in taken]
    return waves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="example")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    load_s, environment = best(1, lambda: load_environment(args.env, ROOT))
    province = environment.province
    systems = len(migration_candidates(province, set()))
    schedule_s, _ = best(args.repeat, lambda: schedule(province, kept_ledger(province, [])[0], set(),
                                                       SETTINGS.max_systems_per_wave), "schedule")
    plan_s, result = best(args.repeat, lambda: plan_waves(province, [], SETTINGS), "plan")
    loaded = [LoadedWave(w, ROOT / "migrations" / args.env / w.file_name) for w in result.planned]
    validate_s, findings = best(args.repeat, lambda: validate_plan(province, loaded), "validate")
    render_s, _ = best(args.repeat, lambda: [dump_wave(w, args.env) for w in result.planned], "render")
    naive_s, _ = best(1, lambda: naive_schedule(province, SETTINGS.max_systems_per_wave), "naive")
    total = plan_s + validate_s
    total_cpu = CPU["plan"] + CPU["validate"]

    def line(label: str, wall: float, stage: str, note: str = "") -> None:
        print(f"  {label:<40}{wall:7.3f} s wall {CPU.get(stage, 0):7.3f} s CPU  {note}".rstrip())

    print(f"env {args.env}: {len(province.systems)} systems, {systems} to move, {len(province.nodes)} nodes, "
          f"{sum(len(s.depends_on) for s in province.systems)} dependencies; model load {load_s:.2f} s (not counted); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    line("schedule (groups, waves, capacity, DR)", schedule_s, "schedule")
    line("plan (schedule + wave entries)", plan_s, "plan", f"-> {len(result.planned)} waves")
    line("validate", validate_s, "validate", f"-> {len(findings)} findings")
    print(f"  {'planning (plan + validate)':<40}{total:7.3f} s wall {total_cpu:7.3f} s CPU  goal < 3 s: "
          f"{'met' if total < 3 else 'NOT met'} (wall), {'met' if total_cpu < 3 else 'NOT met'} (CPU)")
    print(f"  {'per system':<40}{total / systems * 1e3:7.3f} ms wall {total_cpu / systems * 1e3:6.3f} ms CPU")
    line("rendering every wave file as YAML", render_s, "render", "(only changed waves are written)")
    line("baseline: naive scheduler", naive_s, "naive",
         f"-> scheduler {naive_s / schedule_s:.1f}x faster (CPU {CPU['naive'] / CPU['schedule']:.1f}x)")


if __name__ == "__main__":
    main()
