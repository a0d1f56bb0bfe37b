"""Benchmark: the example province through the engine, against the offline plan, in one run.

    PYTHONPATH=src .venv/bin/python bench/engine_scale.py [--jobs N] [--cloud govcloud-lab-admin]
                                                          [--region RegionOne] [--no-policy]
                                                          [--parts stack,whole,changed]

Figures (each with its ratio to the offline plan and to the full pass):

1. offline plan: load, address plan, all 17 stack graphs and their JSON (what `govcloud plan` does);
2. stack preview: `preview` of example-province on an empty backend (every resource a create);
3. whole example preview: the province stack first, then the 16 city stacks ``--jobs`` at a time
   (a city reads the province's outputs through its StackReference, so the province stack is
   first given the outputs its plan exports, with placeholder IDs);
4. full pass: `preview` of example-province over a state that holds every resource of its plan
   but one department (what every small change pays without targeting);
5. one-department change: the same preview with ``--changed`` (the department's resources and
   their dependents targeted, and only what those read registered by the program).

States 4 and 5 are imported: the plan's resources recorded with placeholder IDs (objects of other
regions through their region's own provider, as the program makes them). Such a state lacks what
the provider records beyond the inputs (defaults, computed attributes), so in the full pass the
provider plans updates and replacements a real state would not have (measured: 225 updates and
1,565 replacements of 1,888 resources; 343 and 739 with the inputs its Check returned), and the targeted run cannot report the
same changes: the line saying whether it does reads NO here. That it does on a real state is
proven by tests/integration/engine/test_changed_lab.py (a full preview after `up --changed` finds
nothing to do). The provider functions of the program (the external network, roles) need a
reachable Keystone: run it with the lab up (it does not change the lab: previews only). The engine
runs on a copy of the project whose stack settings say the lab's region (``lab_project.py``).
Every figure is printed with the load average, and with its CPU seconds (this process and the
engine processes it waited for), which depend much less than the wall time on what else runs.

The last lines are machine-readable, one figure each.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lab_project import lab_project

from govcloud.engine.parallel import default_jobs
from govcloud.engine.automation import Operation, run
from govcloud.engine.settings import EngineSettings
from govcloud.errors import GovcloudError
from govcloud.ipam import plan_environment
from govcloud.model import load_folder
from govcloud.stackgraph import Lookup, Ref, StackGraph, StackOutputRef, plan_stack, stack_names
from govcloud.stackgraph.options import read_stack_options
from govcloud.stackgraph.listing import graph_to_json
from govcloud.stackgraph.regions import PROVIDER_TYPE, SDK_SECRET_OUTPUTS, own_region, provider_name
from govcloud.stackgraph.spec import ROOT_STACK_TYPE

ROOT = Path(__file__).resolve().parents[1]
ENV = "example"
PROVINCE = f"{ENV}-province"
PROVIDER_VERSION = "5.5.3"


def offline_plan() -> tuple[float, Any, Any, list[StackGraph]]:
    start = time.perf_counter()
    environment = load_folder(ROOT / "inventories" / ENV, name=ENV)
    plan = plan_environment(environment)
    graphs = [plan_stack(environment.province, plan, ENV, s, read_stack_options(ROOT, s))
              for s in stack_names(environment.province, ENV)]
    for graph in graphs:
        graph_to_json(graph)
    return time.perf_counter() - start, environment, plan, graphs


def _recorded(value: Any, stack_outputs: dict | None = None) -> Any:
    """A spec input as the state records it after an up (placeholder IDs for references; another
    stack's output as ``stack_outputs`` holds it)."""
    if isinstance(value, Ref):
        return f"{value.name}-{value.attr}"
    if isinstance(value, Lookup):
        return f"looked-up-{value.attr}"
    if isinstance(value, StackOutputRef):
        found: Any = (stack_outputs or {}).get(value.stack)
        for key in value.output.split("."):
            found = found.get(key) if isinstance(found, dict) else None
        return found if found is not None else f"{value.stack}-{value.output}"
    if isinstance(value, dict):
        return {k: _recorded(v, stack_outputs) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_recorded(v, stack_outputs) for v in value]
    return value


def applied_deployment(graph: StackGraph, region: str, leave_out: set[str] = frozenset(),
                       outputs: dict | None = None, stack_outputs: dict | None = None) -> dict:
    """The deployment an `up` of ``graph`` would leave, without the specs named in ``leave_out``;
    ``outputs`` are the stack's own, ``stack_outputs`` those of the stacks it reads."""
    stack_urn = f"urn:pulumi:{graph.stack}::{graph.project}::{ROOT_STACK_TYPE}::{graph.project}-{graph.stack}"
    provider_urn = f"urn:pulumi:{graph.stack}::{graph.project}::pulumi:providers:openstack::default_5_5_3"
    provider = f"{provider_urn}::00000000-0000-4000-8000-000000000001"
    resources = [{"urn": stack_urn, "type": ROOT_STACK_TYPE, "custom": False, "outputs": outputs or {}},
                 {"urn": provider_urn, "type": "pulumi:providers:openstack", "custom": True,
                  "id": provider.rsplit("::", 1)[1], "inputs": {"region": region, "version": PROVIDER_VERSION},
                  "outputs": {"region": region, "version": PROVIDER_VERSION}}]
    # The program gives objects of another region than the stack's an explicit provider of that
    # region (stackgraph.regions); a state without them would have every such object move provider.
    region_providers: dict[str, str] = {}
    for number, spec in enumerate(s for s in graph.resources if own_region(s, region)):
        other = own_region(spec, region)
        if other not in region_providers:
            urn = f"urn:pulumi:{graph.stack}::{graph.project}::{PROVIDER_TYPE}::{provider_name(other)}"
            region_providers[other] = f"{urn}::00000000-0000-4000-8000-{number + 2:012d}"
            resources.append({"urn": urn, "type": PROVIDER_TYPE, "custom": True, "parent": stack_urn,
                              "id": region_providers[other].rsplit("::", 1)[1],
                              "inputs": {"region": other, "version": PROVIDER_VERSION},
                              "outputs": {"region": other, "version": PROVIDER_VERSION}})
    urn_of: dict[str, str] = {}
    for spec in graph.resources:
        urn_of[spec.name] = urn = graph.urn(spec)
        if spec.name in leave_out:
            continue
        inputs = _recorded(dict(spec.inputs), stack_outputs)
        # The SDK class adds its own secret outputs (an instance's adminPass), as in a real state.
        secrets = [*spec.additional_secret_outputs, *SDK_SECRET_OUTPUTS.get(spec.type, ())]
        entry = {"urn": urn, "type": spec.type, "custom": not spec.is_component,
                 **({"additionalSecretOutputs": secrets} if secrets else {}),
                 "parent": urn_of[spec.parent] if spec.parent else stack_urn, "inputs": inputs, "outputs": inputs,
                 "dependencies": list(dict.fromkeys(urn_of[r.name] for r in spec.refs())) +
                 [urn_of[d] for d in spec.depends_on]}
        if not spec.is_component:
            entry.update(id=f"{spec.name}-id", provider=region_providers.get(own_region(spec, region), provider))
        resources.append(entry)
    # The engine checks the manifest's magic: the SHA-256 of its version string (deploy/manifest.go).
    manifest = {"time": "2026-01-01T00:00:00Z", "version": "v3.274.1"}
    manifest["magic"] = hashlib.sha256(manifest["version"].encode()).hexdigest()
    return {"version": 3, "deployment": {"manifest": manifest, "resources": resources}}


def import_state(settings: EngineSettings, stack: str, deployment: dict) -> None:
    """Create ``stack`` in the bench's backend with ``deployment`` as its state."""
    from pulumi import automation as auto

    from govcloud.engine.discovery import find_engine
    from govcloud.engine.automation import engine_environment, project_workspace
    from govcloud.engine.salt import salt_file, salt_outside_config
    from govcloud.engine.settings import default_passphrase_file, ensure_passphrase_file

    install = find_engine()
    env = engine_environment(install, settings, ensure_passphrase_file(default_passphrase_file()), {})
    config = settings.project_root / "stacks" / f"Pulumi.{stack}.yaml"
    with salt_outside_config(config, salt_file(settings.state_dir, settings.backend(), stack)):
        target = auto.Stack.create_or_select(stack, project_workspace(settings.project_root, install, env))
        target.import_stack(auto.Deployment(version=deployment["version"], deployment=deployment["deployment"]))


def _placeholder_outputs(graph: StackGraph) -> dict:
    return json.loads(json.dumps(_recorded(dict(graph.exports)), default=str))


CPU: dict[str, float] = {}  # CPU seconds of each figure: this process and every engine process it waited for


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_run(operation: Operation, environment, stacks: list[str], settings: EngineSettings,
              figure: str = "") -> tuple[float, list]:
    """Wall seconds and results of one run; its CPU seconds go to CPU[figure] (the wall time
    depends on what else the machine runs, the CPU time much less)."""
    start, cpu = time.perf_counter(), _cpu()
    results = run(operation, environment, stacks, settings, quiet=True)
    CPU[figure] = _cpu() - cpu
    return time.perf_counter() - start, results


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def one_department(args, figures: dict[str, float], environment, province_graph: StackGraph, settings_for) -> None:
    """The full pass and the one-department change over the same imported state."""
    department = args.department or next(s.name for s in reversed(province_graph.resources)
                                         if s.type == "govcloud:cloud:DepartmentTenant")
    leave_out = {s.name for s in province_graph.resources if s.name == department or s.parent == department}
    state = applied_deployment(province_graph, args.region, leave_out)
    full = settings_for("full")
    import_state(full, PROVINCE, state)
    figures["full-pass-s"], results = timed_run(Operation.PREVIEW, environment, [PROVINCE], full, figure="full-pass-s")
    full_changes = results[0].changes
    print(f"full pass             {figures['full-pass-s']:8.2f} s   changes {full_changes} ({load()})")
    changed = settings_for("changed", changed_only=True)
    import_state(changed, PROVINCE, state)
    figures["one-department-change-s"], results = timed_run(Operation.PREVIEW, environment, [PROVINCE], changed,
                                                            figure="one-department-change-s")
    print(f"one-department change {figures['one-department-change-s']:8.2f} s   {department} "
          f"({len(leave_out)} resources), {results[0].targeted} targeted, changes {results[0].changes} ({load()})")
    # The check the targeted run must pass: it reports every change the full pass reports.
    changed_only = {k: n for k, n in results[0].changes.items() if k != "same" and n}
    print("targeted run reports the full pass's changes: "
          + ("yes" if changed_only == {k: n for k, n in full_changes.items() if k != "same" and n} else "NO"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--cloud", default="govcloud-lab-admin")
    parser.add_argument("--region", default="RegionOne")
    parser.add_argument("--no-policy", action="store_true", help="Leave the baseline policy pack out.")
    parser.add_argument("--department", default=None, help="The department left out of the state (default: "
                                                            "the province stack's last one).")
    parser.add_argument("--parts", default="stack,whole,changed",
                        help="Engine figures to measure, comma-separated: stack (the stack preview), whole (the "
                             "whole example), changed (the full pass and the one-department change).")
    args = parser.parse_args()
    args.parts = set(args.parts.split(","))

    offline_s, environment, plan, graphs = offline_plan()
    province_graph = graphs[0]
    total = sum(len(g.resources) for g in graphs)
    print(f"offline plan          {offline_s:8.2f} s   {len(graphs)} stacks, {total} resources ({load()})")
    figures: dict[str, float] = {"offline-plan-s": offline_s}
    with tempfile.TemporaryDirectory(prefix="govcloud-scale-") as tmp:
        base = Path(tmp)
        project = lab_project(base / "project", ENV, args.region)
        packs = () if args.no_policy else (project / "policies" / "govcloud-baseline",)

        def settings_for(name: str, **extra) -> EngineSettings:
            backend = base / f"backend-{name}"
            backend.mkdir(exist_ok=True)
            return EngineSettings(project, backend_url=backend.as_uri(), cloud=args.cloud, region=args.region,
                                  log_dir=base / "logs" / name, policy_packs=packs, jobs=args.jobs, **extra)

        try:
            if "stack" in args.parts:
                figures["stack-preview-s"], _ = timed_run(Operation.PREVIEW, environment, [PROVINCE],
                                                          settings_for("one"), figure="stack-preview-s")
                print(f"stack preview         {figures['stack-preview-s']:8.2f} s   {PROVINCE}, "
                      f"{len(province_graph.resources)} resources, empty backend ({load()})")
            if "whole" in args.parts:
                whole = settings_for("whole")
                import_state(whole, PROVINCE, applied_deployment(province_graph, args.region, set(
                    s.name for s in province_graph.resources), _placeholder_outputs(province_graph)))
                figures["whole-example-preview-s"], results = timed_run(
                    Operation.PREVIEW, environment, stack_names(environment.province, ENV), whole,
                    figure="whole-example-preview-s")
                creates = sum(r.changes.get("create", 0) for r in results)
                print(f"whole example preview {figures['whole-example-preview-s']:8.2f} s   {len(results)} stacks, "
                      f"{creates} creates, --jobs {args.jobs} ({load()})")
            if "changed" in args.parts:
                one_department(args, figures, environment, province_graph, settings_for)
        except GovcloudError as exc:
            print(f"engine half not measured: {exc}", file=sys.stderr)
    full_pass = figures.get("full-pass-s")
    print(f"load average at the end: {load()}")
    for key, value in figures.items():
        ratios = [f"{value / offline_s:8.1f}x the offline plan"]
        if full_pass:
            ratios.append(f"{value / full_pass:6.2f}x the full pass")
        cpu = f"cpu {CPU[key]:7.1f} s" if key in CPU else " " * 13
        print(f"{key:<26} {value:8.2f} s   {cpu}   {'   '.join(ratios)}")
    for key in ("offline-plan-s", "stack-preview-s", "whole-example-preview-s", "one-department-change-s",
                "full-pass-s"):
        print(f"{key}: {figures[key]:.2f}" if key in figures else f"{key}: nan")
    return 0 if len(figures) == 1 + len(args.parts) + ("changed" in args.parts) else 1


if __name__ == "__main__":
    sys.exit(main())
