"""Benchmark: the provincial stack's first `up` against the lab, with and without per-step
checkpoints, in one run (each on an empty backend of its own, destroyed afterwards).

    GOVCLOUD_LAB_INSTANCE=<name> PYTHONPATH=src .venv/bin/python bench/province_up.py [--env lab]
                                                                  [--cloud govcloud-lab-admin] [--region RegionOne]

Two rounds, each an `up` of ``<env>-province`` over an empty backend and then its `destroy`:

1. ``--keep-checkpoints``: the engine saves the whole snapshot after every step (the baseline);
2. govcloud's default for a first `up`: no per-step checkpoints, one save at the end, the run
   journaled until then (``engine/journal.py``: a killed run's objects are taken over by the next).

Figures per `up`: wall seconds, CPU seconds of everything the run started (this process and the
engine processes it waited for), and CPU seconds of the `pulumi` CLI processes alone (sampled every
0.2 s; the snapshot manager, where checkpoints cost, lives there). The checkpoint cost is the CPU
the first round spends beyond the second; its share is that cost over the first round's CPU. The
example's provincial stack is not brought up here: it holds 48 servers, 55 volumes, BGP speakers
(the lab's Neutron has no dynamic routing) and DR sides in regions the lab does not have.

The last lines are machine-readable, one figure each.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from lab_project import lab_project

from govcloud.engine.automation import Operation, run
from govcloud.engine.settings import EngineSettings
from govcloud.errors import GovcloudError
from govcloud.lab.openstack import lab_status
from govcloud.model import load_folder
from govcloud.stackgraph import stack_names


class CliCpu(threading.Thread):
    """CPU seconds of every `pulumi` process below this one, by sampling (the last 0.2 s of each is missed)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen: dict[tuple[int, float], float] = {}
        self._done = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self._done.is_set():
            for child in me.children(recursive=True):
                try:
                    if child.name() == "pulumi":
                        times = child.cpu_times()
                        self.seen[(child.pid, child.create_time())] = times.user + times.system
                except psutil.Error:
                    continue
            time.sleep(0.2)

    def stop(self) -> float:
        self._done.set()
        self.join(timeout=5)
        return sum(self.seen.values())


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def first_up(environment, stack: str, settings: EngineSettings) -> dict[str, float]:
    """Wall, CPU and CLI CPU seconds of one `up` over an empty backend; the stack destroyed after."""
    sampler, cpu, start = CliCpu(), _cpu(), time.perf_counter()
    sampler.start()
    try:
        results = run(Operation.UP, environment, [stack], settings, quiet=True)
    finally:
        cli = sampler.stop()
        figures = {"s": time.perf_counter() - start, "cpu": _cpu() - cpu, "cli": cli}
        destroy_started = time.perf_counter()
        run(Operation.DESTROY, environment, [stack], settings, quiet=True)
        figures["destroy-s"] = time.perf_counter() - destroy_started
    figures["created"] = results[0].changes.get("create", 0)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--env", default="lab")
    parser.add_argument("--cloud", default="govcloud-lab-admin")
    parser.add_argument("--region", default="RegionOne")
    args = parser.parse_args()
    status = lab_status()
    if not status.up:
        sys.exit("the OpenStack lab is not up: run `govcloud lab up --env lab` first")
    rounds = {"keep": False, "default": None}  # --keep-checkpoints, then govcloud's default for a first up
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="govcloud-province-up-") as tmp:
        project = lab_project(Path(tmp) / "project", args.env, args.region)
        environment = load_folder(project / "inventories" / args.env, name=args.env)
        stack = stack_names(environment.province, args.env)[0]
        try:
            for name, skip in rounds.items():
                backend = Path(tmp) / f"backend-{name}"
                backend.mkdir()
                settings = EngineSettings(project, backend_url=backend.as_uri(), cloud=args.cloud, region=args.region,
                                          clouds_yaml=Path(status.clouds_yaml), log_dir=Path(tmp) / "logs" / name,
                                          skip_checkpoints=skip)
                figures[name] = first_up(environment, stack, settings)
                f = figures[name]
                print(f"{stack} first up, {name + ' checkpoints':<20} {f['s']:7.1f} s  cpu {f['cpu']:6.1f} s  "
                      f"cli cpu {f['cli']:6.1f} s  {f['created']:.0f} created  (destroy {f['destroy-s']:.1f} s, "
                      f"{load()})")
        except GovcloudError as exc:
            print(f"not measured: {exc}", file=sys.stderr)
            return 1
    keep, default = figures["keep"], figures["default"]
    cost = keep["cpu"] - default["cpu"]
    share = cost / keep["cpu"]
    print(f"checkpoint cost: {cost:.1f} cpu s ({share:.1%} of the checkpointed up's CPU; cli {keep['cli']:.1f} -> "
          f"{default['cli']:.1f} s); the default first up runs in {default['s'] / keep['s']:.2f}x the wall time "
          f"and {default['cpu'] / keep['cpu']:.2f}x the CPU of the checkpointed one")
    print(f"province-up-s: {default['s']:.2f}")
    print(f"province-up-keep-checkpoints-s: {keep['s']:.2f}")
    print(f"province-up-cpu-s: {default['cpu']:.2f}")
    print(f"province-up-keep-checkpoints-cpu-s: {keep['cpu']:.2f}")
    print(f"province-up-checkpoint-share: {share:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
