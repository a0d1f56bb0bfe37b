"""Benchmark: what a drift run adds to the engine's read, for one stack of the example province.

A drift run is the engine's refresh preview per stack (cloud-bound: see the lab figure the drift
integration test prints) followed by govcloud's judgement of what was read: every managed
resource compared with its deployed state, and the policy rules run on the deployed and on the
live side (:func:`govcloud.drift.run.judge_cloud`). This measures the judgement for one example
stack, from a deployed state and refresh reads made from the stack's own graph (every spec a
deployed resource, references resolved to IDs):

* converged: the live cloud reads back what was deployed (must report nothing);
* drifted: the issue's kinds made by hand: a resource deleted, an encrypted volume retyped, a
  gateway added to a department router, a rule opened to the world beside the managed ones.

Baseline, measured in the same run: the offline policy check of the same stack's plan (what
`govcloud policy check --stack S` does once the graph is built). Prints best-of-``--repeat``
times, the ratios to the baseline, and the machine's load.

    .venv/bin/python bench/drift_compare.py [--env example] [--stack example-province] [--repeat 5]
"""

from __future__ import annotations

import argparse
import copy
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from govcloud.drift.differences import DriftReport
from govcloud.drift.run import judge_cloud
from govcloud.engine.live import LiveRead, RefreshStep
from govcloud.policy.checker import check_stack
from govcloud.policy.context import load_context
from govcloud.policy.registry import all_rules, rule_ids
from govcloud.policy.view import ROUTER, SEC_GROUP, SEC_GROUP_RULE, VOLUME, root_urn, stack_view_from_graph
from govcloud.stackgraph import plan_stack, stack_names
from govcloud.stackgraph.options import read_stack_options
from govcloud.stackgraph.spec import ROOT_STACK_TYPE, Lookup, Ref, StackGraph, StackOutputRef

ROOT = Path(__file__).resolve().parents[1]


def _resolved(value: Any, ids: Mapping[str, str]) -> Any:
    """A spec input as a deployed state holds it: references to the IDs they resolved to."""
    if isinstance(value, Ref):
        return ids.get(value.name, f"{value.name}-{value.attr}")
    if isinstance(value, StackOutputRef):
        return f"{value.stack}-{value.output}"
    if isinstance(value, Lookup):
        return f"looked-up-{value.attr}"
    if isinstance(value, Mapping):
        return {k: _resolved(v, ids) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_resolved(v, ids) for v in value]
    return value


def deployed_state(graph: StackGraph) -> list[dict[str, Any]]:
    """The resources a converged ``up`` of ``graph`` would record."""
    ids = {spec.name: f"id-{n:05d}" for n, spec in enumerate(graph.resources)}
    urns = {spec.name: graph.urn(spec) for spec in graph.resources}
    resources: list[dict[str, Any]] = [{"urn": root_urn(graph.project, graph.stack), "type": ROOT_STACK_TYPE,
                                        "custom": False}]
    for spec in graph.resources:
        inputs = _resolved(dict(spec.inputs), ids)
        resources.append({
            "urn": urns[spec.name], "type": spec.type, "custom": not spec.is_component, "id": ids[spec.name],
            "parent": urns.get(spec.parent) if spec.parent else None, "inputs": inputs,
            "outputs": dict(inputs, id=ids[spec.name]),
            "propertyDependencies": {k: [urns[r.name] for r in _refs(v) if r.name in urns]
                                     for k, v in spec.inputs.items() if _refs(v)}})
    return resources


def _refs(value: Any) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, Mapping):
        return [r for v in value.values() for r in _refs(v)]
    if isinstance(value, (list, tuple)):
        return [r for v in value for r in _refs(v)]
    return []


def converged_steps(resources: list[dict[str, Any]]) -> list[RefreshStep]:
    return [RefreshStep(r["urn"], r["type"], "same", copy.deepcopy(r["outputs"]))
            for r in resources if r.get("custom")]


def hand_made_drift(resources: list[dict[str, Any]], steps: list[RefreshStep]) -> tuple[list, list, list[str]]:
    """The issue's kinds of out-of-band change, on the first resource of each type that has one."""
    by_type: dict[str, dict[str, Any]] = {}
    for r in resources:
        by_type.setdefault(r["type"], r)
    changes: dict[str, dict | None] = {}
    made = []
    if VOLUME in by_type:
        changes[by_type[VOLUME]["urn"]] = {"volumeType": "standard"}
        made.append("volume retyped to an unencrypted type")
    routers = [r for r in resources if r["type"] == ROUTER]
    department = next((r for r in routers if any(str(t).startswith("dept:") for t in r["inputs"].get("tags") or [])),
                      None)
    public = next((r["outputs"].get("externalNetworkId") for r in routers
                   if any(str(t).startswith("exit:") for t in r["inputs"].get("tags") or [])), "public-net")
    if department is not None:
        changes[department["urn"]] = {"externalNetworkId": public}
        made.append("a department router's gateway moved to the internet-facing network")
    deletable = next((r for r in resources if r.get("custom") and r["urn"] not in changes
                      and r["type"] not in (VOLUME, ROUTER, SEC_GROUP)), None)
    if deletable is not None:
        changes[deletable["urn"]] = None
        made.append(f"{deletable['type'].rsplit(':', 1)[-1]} deleted")
    drifted = [RefreshStep(s.urn, s.type, "update", dict(s.live, **changes[s.urn])) if changes.get(s.urn)
               else RefreshStep(s.urn, s.type, "delete", None) if s.urn in changes else s for s in steps]
    extras = []
    if SEC_GROUP in by_type:
        group = by_type[SEC_GROUP]
        outputs = {"direction": "ingress", "ethertype": "IPv6", "protocol": "tcp", "portRangeMin": 22,
                   "portRangeMax": 22, "remoteIpPrefix": "::/0", "securityGroupId": group["id"]}
        extras.append({"urn": group["urn"].rsplit("::", 2)[0] + f"::{SEC_GROUP_RULE}::by-hand", "type": SEC_GROUP_RULE,
                       "id": "by-hand", "custom": True, "outputs": outputs, "parent": group.get("parent")})
        made.append("SSH opened to ::/0 beside the managed rules")
    return drifted, extras, made


def best(repeat: int, work: Callable[[], Any]) -> tuple[float, float, Any]:
    """Best wall time and its CPU time over ``repeat`` runs, and the last result."""
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, result))
    return min(runs, key=lambda run: run[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="example")
    parser.add_argument("--stack", default=None, help="default: the environment's first (province) stack")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    context = load_context(args.env, ROOT, rule_ids())
    stack = args.stack or stack_names(context.province, context.env)[0]
    graph = plan_stack(context.province, context.plan, context.env, stack, read_stack_options(ROOT, stack))
    resources = deployed_state(graph)
    steps = converged_steps(resources)
    drifted_steps, extras, made = hand_made_drift(resources, steps)
    rules = tuple(all_rules())

    def judge(read_steps, read_extras) -> DriftReport:
        report = DriftReport(context.env)
        judge_cloud(report, [LiveRead(stack, read_steps, resources, extras=list(read_extras))], context, rules)
        return report

    base_wall, base_cpu, findings = best(args.repeat, lambda: check_stack(stack_view_from_graph(graph, context),
                                                                           rules))
    clean_wall, clean_cpu, clean = best(args.repeat, lambda: judge(steps, ()))
    drift_wall, drift_cpu, drifted = best(args.repeat, lambda: judge(drifted_steps, extras))

    print(f"stack                {stack} of {context.env}: {len(steps)} managed resources, {len(rules)} rules")
    print(f"made by hand         {'; '.join(made)}")
    print("stage                      wall      CPU   ratio to baseline (CPU, wall)")
    print(f"baseline: policy check {base_wall:7.3f} s {base_cpu:7.3f} s   1.00 1.00  "
          f"({len(findings)} findings on the plan)")
    print(f"drift, converged       {clean_wall:7.3f} s {clean_cpu:7.3f} s   {clean_cpu / base_cpu:4.2f} "
          f"{clean_wall / base_wall:4.2f}  ({len(clean.differences)} differences, {len(clean.findings)} rules broken: "
          f"{'no false positive' if not clean.drifted else 'FALSE POSITIVES'})")
    print(f"drift, drifted         {drift_wall:7.3f} s {drift_cpu:7.3f} s   {drift_cpu / base_cpu:4.2f} "
          f"{drift_wall / base_wall:4.2f}  ({len(drifted.differences)} differences, rules broken: "
          f"{', '.join(sorted({f.rule_id for f in drifted.findings})) or 'none'})")
    print(f"per resource           {1e6 * clean_cpu / max(len(steps), 1):7.0f} µs CPU (converged)")
    print(f"best of {args.repeat}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs (the engine's refresh read is not included: see the lab figure)")


if __name__ == "__main__":
    main()
