"""Benchmark: the offline plan of the example province (all 17 stacks), and the offline plan
against the engine's preview of the same subset of stacks, per resource.

    .venv/bin/python bench/stacks_plan.py [--repeat 3] [--preview-stack example-province]
                                          [--cloud govcloud-lab-admin] [--region RegionOne]

Goals (issue 4): the whole example province planned in under 5 s; the offline plan at least 50x
faster per resource than `pulumi preview` of the same stacks. The preview runs the real engine
(stack program, OpenStack provider) against a throw-away file backend; its provider functions
(the external network lookup) need a reachable cloud, so the lab must be up. Without an engine
or a lab the preview half says so and the offline half still runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from govcloud.errors import GovcloudError
from govcloud.ipam import plan_environment
from govcloud.model import load_folder
from govcloud.stackgraph import plan_stack, stack_names
from govcloud.stackgraph.options import read_stack_options
from govcloud.stackgraph.listing import graph_to_json

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inventories" / "example"


CPU: dict[str, float] = {}


def timed(fn, repeat, label=None):
    """Median wall time of ``repeat`` runs (and, under ``label``, the median CPU time: on a busy
    machine the wall clock says more about the neighbours than about the code)."""
    times, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    if label:
        CPU[label] = statistics.median(cpus)
    return statistics.median(times), result


def offline(environment, plan, stacks):
    """What `govcloud plan --format json` computes: graphs, URNs, encoded inputs."""
    graphs = [plan_stack(environment.province, plan, environment.name, s, read_stack_options(ROOT, s)) for s in stacks]
    return graphs, [graph_to_json(g) for g in graphs]


def mock_runtime(environment, plan, stacks):
    """The same components under Pulumi's Python mock runtime (what the issue measured at about
    365 resources/s): the cost of going through the Pulumi SDK at all, without the engine."""
    import pulumi

    from govcloud.components import run_stack
    from govcloud.stackgraph import stack_components

    class Echo(pulumi.runtime.Mocks):
        def new_resource(self, args):
            if args.typ == "pulumi:pulumi:StackReference":
                return args.name, {"outputs": {"addressScopeV4Id": "s4", "addressScopeV6Id": "s6"}}
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args):
            return {"id": f"{args.token}-id"}

    start = time.perf_counter()
    for stack in stacks:
        pulumi.runtime.set_mocks(Echo(), project="govcloud", stack=stack, preview=True)
        components = stack_components(environment.province, plan, environment.name, stack,
                                      read_stack_options(ROOT, stack))
        pulumi.runtime.test(lambda: run_stack(components))()
    return time.perf_counter() - start


def engine_preview(environment, stacks, cloud, region):
    from govcloud.engine.automation import Operation, run
    from govcloud.engine.settings import EngineSettings
    from lab_project import lab_project

    with tempfile.TemporaryDirectory(prefix="govcloud-bench-") as state:
        # The example's stack settings name regions the lab does not have, and they would win over
        # --region: the preview runs on a copy whose settings say the lab's region.
        project = lab_project(Path(state) / "project", environment.name, region)
        settings = EngineSettings(project, backend_url=(Path(state) / "backend").as_uri(), cloud=cloud,
                                  region=region, log_dir=Path(state) / "logs")
        (Path(state) / "backend").mkdir()
        start = time.perf_counter()
        results = run(Operation.PREVIEW, environment, stacks, settings, quiet=True)
        return time.perf_counter() - start, results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--preview-stack", action="append", default=None,
                        help="Stack(s) the engine previews (default: example-province).")
    parser.add_argument("--cloud", default="govcloud-lab-admin")
    parser.add_argument("--region", default="RegionOne")
    args = parser.parse_args()

    load_s, environment = timed(lambda: load_folder(EXAMPLE, name="example"), args.repeat, "load")
    ipam_s, plan = timed(lambda: plan_environment(environment), args.repeat, "ipam")
    stacks = stack_names(environment.province, environment.name)
    graph_s, (graphs, _) = timed(lambda: offline(environment, plan, stacks), args.repeat, "graphs")
    total = sum(len(g.resources) for g in graphs)
    print(f"example province: {len(stacks)} stacks, {total} resources")
    for graph in graphs:
        print(f"  {graph.stack:<20} {len(graph.resources):6d} resources")
    print(f"load + validate       {load_s * 1000:8.1f} ms   (cpu {CPU['load'] * 1000:8.1f} ms)")
    print(f"address plan          {ipam_s * 1000:8.1f} ms   (cpu {CPU['ipam'] * 1000:8.1f} ms)")
    print(f"stack graphs + JSON   {graph_s * 1000:8.1f} ms   (cpu {CPU['graphs'] * 1000:8.1f} ms)   "
          f"{total / graph_s:10.0f} resources/s")
    whole, whole_cpu = load_s + ipam_s + graph_s, sum(CPU.values())
    print(f"whole plan            {whole * 1000:8.1f} ms   (cpu {whole_cpu * 1000:8.1f} ms)   "
          f"{total / whole:10.0f} resources/s (goal < 5000 ms)")
    print(f"load average          {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    subset = args.preview_stack or ["example-province"]
    sub_s, (sub_graphs, _) = timed(lambda: offline(environment, plan, subset), args.repeat)
    sub_total = sum(len(g.resources) for g in sub_graphs)
    offline_per = sub_s / sub_total
    print(f"subset {', '.join(subset)}: {sub_total} resources; offline {sub_s * 1000:.1f} ms "
          f"({offline_per * 1e6:.1f} us/resource)")
    mock_s = mock_runtime(environment, plan, subset)
    print(f"pulumi mock runtime   {mock_s * 1000:8.1f} ms   {sub_total / mock_s:10.1f} resources/s   "
          f"ratio {mock_s / sub_s:6.0f}x")
    try:
        preview_s, results = engine_preview(environment, subset, args.cloud, args.region)
    except GovcloudError as exc:
        print(f"engine preview: not measured: {exc}")
        return
    creates = sum(r.changes.get("create", 0) for r in results)
    engine_per = preview_s / sub_total
    print(f"engine preview        {preview_s * 1000:8.1f} ms   {sub_total / preview_s:10.1f} resources/s "
          f"({creates} creates reported)")
    print(f"ratio per resource    {engine_per / offline_per:8.0f}x faster offline (goal >= 50x)")


if __name__ == "__main__":
    main()
