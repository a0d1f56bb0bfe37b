"""What the real Neutron data plane costs the OpenStack lab: start-up times and memory, with and
without it, the lab without it being the baseline measured in the same run.

For each of the two labs (the lab model's spec, first without the data plane, then with it: the
Linux bridge, L3 and DHCP agents and one BGP agent per speaker): cold start (after
``lab_down(purge=True)``: fresh databases, schemas, bootstrap, seed), stop, warm start (state
kept), then the proportional memory (PSS) of every process the lab started. Prints each figure and
the data plane's ratios against the baseline. Leaves the lab up with its data plane.

    GOVCLOUD_LAB_INSTANCE=<yours> PYTHONPATH=src .venv/bin/python bench/lab_data_plane.py   # root; minutes
    ... bench/lab_data_plane.py --warm-only   # no cold starts: keeps the lab's state (a lab must exist)

The time from ``govcloud up`` to the first ping through the data plane is printed by the
one-network integration test (tests/integration/onenetwork), which builds everything it needs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from govcloud.lab.openstack import lab_down, lab_up
from govcloud.lab.openstack.from_model import lab_spec
from govcloud.lab.openstack.statedir import lab_paths_from_env
from govcloud.model import load_environment
from lab_start import memory_by_service  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, action: Callable[[], object]) -> float:
    started = time.monotonic()
    status = action()
    elapsed = time.monotonic() - started
    if status is not None and not getattr(status, "up", True):
        sys.exit(f"{label}: the lab is not up ({status.not_answering}); no figure")
    print(f"  {label:<28} {elapsed:8.1f} s", flush=True)
    return elapsed


def measure(label: str, spec, cold: bool) -> dict[str, float]:
    print(f"\n{label}", flush=True)
    figures = {}
    if cold:
        timed("stop and purge", lambda: lab_down(purge=True))
        figures["cold start"] = timed("cold start", lambda: lab_up(spec))
    else:
        timed("start (state kept)", lambda: lab_up(spec))
    timed("stop", lab_down)
    figures["warm start"] = timed("warm start", lambda: lab_up(spec))
    memory = memory_by_service()
    figures["memory (PSS, MiB)"] = sum(memory.values())
    for name, mib in sorted(memory.items(), key=lambda item: -item[1])[:8]:
        print(f"  {name:<28} {mib:8.0f} MiB")
    print(f"  {'total':<28} {figures['memory (PSS, MiB)']:8.0f} MiB")
    return figures


def main() -> None:
    cold = "--warm-only" not in sys.argv[1:]
    base = lab_spec(load_environment("lab", ROOT).province)
    print(f"OpenStack lab with and without its data plane, state dir {lab_paths_from_env().root}; "
          f"{base.bgp_agents} BGP agents with it")
    without = measure("baseline: without the data plane", replace(base, data_plane=False), cold)
    with_dp = measure("with the data plane", replace(base, data_plane=True), cold)
    print("\nsummary (with / without, same run)")
    for key in without:
        print(f"  {key:<28} {without[key]:8.1f} {with_dp[key]:8.1f}   ratio {with_dp[key] / without[key]:5.2f}")


if __name__ == "__main__":
    main()
