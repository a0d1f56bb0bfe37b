"""Benchmark: `govcloud policy check --all` over the example province (1+16 nodes, 17 stacks),
offline plan included: load and validate the model, plan addresses, build every stack graph,
run the whole baseline, and name each finding's model (and settings) line. Goal: under 5 s.
The cost of locating findings is measured in the same run: the check stage without locations,
best of ``--repeat``, against the check stage with them.

Prints, best of ``--repeat`` runs, each stage's time, the size of the run, findings by level, and
the machine's load average (figures taken on a busy machine run slow; compare like with like).

    .venv/bin/python bench/policy_check.py [--env example] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

from govcloud.policy import check_environment

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="example")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    runs = []
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        context, result, timings = check_environment(args.env, ROOT)
        runs.append((time.perf_counter() - start, time.process_time() - cpu, timings, result))
    wall, cpu, timings, result = min(runs, key=lambda run: run[0])
    unlocated = min((check_environment(args.env, ROOT, locate=False)[2] for _ in range(args.repeat)),
                    key=lambda t: t.check_s)
    located = sum(1 for f in result.findings if f.locations)

    print(f"environment       {context.env}: {len(result.stacks)} stacks, {result.resources} resources, "
          f"{len(context.province.departments)} departments, {len(context.province.systems)} systems")
    print(f"rules             {len(result.rules)}")
    print("stage                 wall      CPU")
    print(f"load + plan       {timings.load_s:6.2f} s {timings.load_cpu_s:6.2f} s   (model, validation, address plan)")
    print(f"stack graphs      {timings.graphs_s:6.2f} s {timings.graphs_cpu_s:6.2f} s")
    print(f"policy check      {timings.check_s:6.2f} s {timings.check_cpu_s:6.2f} s   "
          f"({1e6 * timings.check_cpu_s / max(result.resources, 1):.0f} µs CPU per resource)")
    print(f"  of which locating {timings.check_s - unlocated.check_s:6.2f} s "
          f"{timings.check_cpu_s - unlocated.check_cpu_s:6.2f} s   ({located} of {len(result.findings)} findings "
          f"located; check without locations {unlocated.check_s:.2f} s)")
    print(f"total             {wall:6.2f} s   best of {args.repeat}; goal {GOAL_S:.0f} s: "
          f"{'met' if wall < GOAL_S else 'NOT met'} ({wall / GOAL_S:.0%} of it)")
    print(f"CPU time          {cpu:6.2f} s   goal {'met' if cpu < GOAL_S else 'NOT met'} in CPU time "
          f"(wall time includes waiting for a CPU on a busy machine)")
    print(f"findings          {len(result.mandatory)} mandatory, {len(result.advisory)} advisory")
    for (rule, level), count in sorted(Counter((f.rule_id, f.level.value) for f in result.findings).items()):
        print(f"  {rule:<13} {level:<9} {count}")
    print(f"load average      {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
