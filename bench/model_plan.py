"""Benchmark: load, validate and plan the example province; planner throughput; incremental growth.

    .venv/bin/python bench/model_plan.py [--repeat 3]

Goals (issue: the province model): the whole example province (load + validate + plan) under 2 s;
one more county or department planned incrementally under 50 ms. The baseline in the same run is
a full re-plan against the ledger, so the ratio shows what the incremental path saves.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from govcloud.ipam import load_ledger, plan_additions, plan_addresses
from govcloud.model import Province, load_folder

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inventories" / "example"


CPU_TIMES: dict[str, float] = {}


def timed(fn, repeat, label=""):
    """Median wall time of ``repeat`` runs; the median CPU time goes to CPU_TIMES[label] (on a
    shared machine CPU time is the steadier figure)."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU_TIMES[label] = statistics.median(cpu)
    return statistics.median(times), result


def grown_province(p: Province) -> tuple[Province, str, str]:
    """The example province with one more county (3 townships) under its first city and one more
    department in that city."""
    data = p.model_dump(mode="json")
    city = next(s for s in data["sites"] if s["tier"] == "city")["code"]
    county = f"{city}-xnew"
    data["sites"].append({"code": county, "name": "新县", "tier": "county", "parent": city})
    data["sites"] += [{"code": f"{county}-t{i}", "name": f"新镇{i}", "tier": "township", "parent": county}
                      for i in range(3)]
    data["links"] += [{"a": city, "b": county}] + [{"a": county, "b": f"{county}-t{i}"} for i in range(3)]
    dept = f"{city}-newbureau"
    data["departments"].append({"code": dept, "name": "新局", "tier": "city", "node": city, "site": city})
    return Province.model_validate(data), county, dept


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    load_s, env = timed(lambda: load_folder(EXAMPLE), args.repeat, "load")
    plan_s, plan = timed(lambda: plan_addresses(env.province), args.repeat, "plan")
    ledger = load_ledger(EXAMPLE)
    replan_s, _ = timed(lambda: plan_addresses(env.province, ledger), args.repeat, "replan")
    grown, county, dept = grown_province(env.province)
    full_grow_s, full = timed(lambda: plan_addresses(grown, ledger), args.repeat, "grow-full")
    county_s, inc = timed(lambda: plan_additions(grown, ledger, sites=(county,)), args.repeat, "grow-county")
    dept_s, _ = timed(lambda: plan_additions(grown, ledger, departments=(dept,)), args.repeat, "grow-dept")
    assert set(inc.added) <= set(full.added)

    prefixes = len(plan.allocations)
    print(f"example province: {len(env.province.sites)} sites, {len(env.province.departments)} departments, "
          f"{len(env.province.systems)} systems, {prefixes} prefixes")
    print(f"load + validate            {load_s * 1000:8.1f} ms")
    print(f"plan from scratch          {plan_s * 1000:8.1f} ms   {prefixes / plan_s:10.0f} prefixes/s")
    print(f"total (goal < 2000 ms)     {(load_s + plan_s) * 1000:8.1f} ms")
    print(f"re-plan against ledger     {replan_s * 1000:8.1f} ms")
    print(f"+1 county, full re-plan    {full_grow_s * 1000:8.1f} ms   (baseline)")
    print(f"+1 county, incremental     {county_s * 1000:8.1f} ms   {full_grow_s / county_s:6.0f}x faster "
          f"(goal < 50 ms), {len(inc.added)} prefixes")
    print(f"+1 department, incremental {dept_s * 1000:8.1f} ms   {full_grow_s / dept_s:6.0f}x faster (goal < 50 ms)")
    print("cpu time (ms): " + ", ".join(f"{k} {v * 1000:.1f}" for k, v in CPU_TIMES.items()))


if __name__ == "__main__":
    main()
