"""How long the OpenStack lab takes to start and stop, and how much memory it holds.

Measures, in order: cold start (after ``lab_down(purge=True)``: fresh databases, schemas,
bootstrap, seed), already up, stop, warm start (state kept), already up again; then the
proportional memory (PSS) of every process the lab started. Leaves the lab up.

    .venv/bin/python bench/lab_start.py            # as root; takes minutes
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from govcloud.lab.openstack import default_spec, lab_down, lab_status, lab_up
from govcloud.lab.openstack import supervisor
from govcloud.lab.openstack.statedir import lab_paths_from_env


def timed(label: str, action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    elapsed = time.monotonic() - started
    print(f"{label:<24} {elapsed:8.1f} s", flush=True)
    return elapsed


def pss_mib(pid: int) -> float:
    """Proportional set size of one process: shared pages are split among their users."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def memory_by_service() -> dict[str, float]:
    paths = lab_paths_from_env()
    return {s.name: sum(pss_mib(pid) for pid in supervisor.family(paths, s.name)) for s in lab_status().services}


def main() -> None:
    spec = default_spec()
    print(f"OpenStack lab benchmark, state dir {lab_paths_from_env().root}", flush=True)
    figures = {"stop (before cold)": timed("stop (before cold)", lambda: lab_down(purge=True))}
    figures["cold start"] = timed("cold start", lambda: lab_up(spec))
    already = [timed("already up", lambda: lab_up(spec)) for _ in range(3)]
    figures["stop"] = timed("stop", lab_down)
    figures["warm start"] = timed("warm start", lambda: lab_up(spec))
    already += [timed("already up", lambda: lab_up(spec)) for _ in range(3)]
    figures["already up (median)"] = statistics.median(already)

    memory = memory_by_service()
    print("\nmemory (PSS, MiB)")
    for name, mib in sorted(memory.items(), key=lambda item: -item[1]):
        print(f"  {name:<24} {mib:8.0f}")
    print(f"  {'total':<24} {sum(memory.values()):8.0f}")

    print("\nsummary")
    for label, seconds in figures.items():
        print(f"  {label:<24} {seconds:8.1f} s")
    print(f"  cold / warm ratio        {figures['cold start'] / figures['warm start']:8.1f}")
    # Was a test bound ("lab_up on a running lab under 2 s"); a figure against this run's warm start now.
    print(f"  already up / warm ratio  {figures['already up (median)'] / figures['warm start']:8.3f}")
    status = lab_status()
    print(f"\nlab left {'up' if status.up else 'NOT up'}: {status.clouds_yaml}")


if __name__ == "__main__":
    main()
