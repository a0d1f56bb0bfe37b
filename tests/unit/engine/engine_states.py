"""Exported deployments as an `up` of an offline plan records them, for the --changed tests."""

from __future__ import annotations

from typing import Any

from govcloud.stackgraph import Lookup, Ref, StackGraph, StackOutputRef
from govcloud.stackgraph.spec import ROOT_STACK_TYPE

PROVIDER = "urn:pulumi:lab-province::govcloud::pulumi:providers:openstack::default_5_5_3"


def provider_urn(graph: StackGraph) -> str:
    return f"urn:pulumi:{graph.stack}::{graph.project}::pulumi:providers:openstack::default_5_5_3"


def _recorded(value: Any) -> Any:
    """What the state records for a spec input after an up (references resolved)."""
    if isinstance(value, Ref):
        return f"{value.name}-id" if value.attr == "id" else f"{value.name}-{value.attr}"
    if isinstance(value, Lookup):
        return f"looked-up-{value.attr}"
    if isinstance(value, StackOutputRef):
        return f"{value.stack}-{value.output}"
    if isinstance(value, dict):
        return {k: _recorded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_recorded(v) for v in value]
    return value


def applied(graph: StackGraph) -> dict:
    """The exported deployment an `up` of ``graph`` leaves (the shape of `pulumi stack export`)."""
    stack_urn = f"urn:pulumi:{graph.stack}::{graph.project}::{ROOT_STACK_TYPE}::{graph.project}-{graph.stack}"
    resources = [{"urn": stack_urn, "type": ROOT_STACK_TYPE, "custom": False, "outputs": {}},
                 {"urn": provider_urn(graph), "type": "pulumi:providers:openstack", "custom": True, "id": "p-id",
                  "inputs": {"version": "5.5.3"}}]
    urn_of = {}
    for spec in graph.resources:
        urn_of[spec.name] = urn = graph.urn(spec)
        inputs = _recorded(dict(spec.inputs))
        if not spec.is_component and "region" not in inputs:
            inputs["region"] = "RegionOne"  # a default the provider's Check adds
            inputs["__defaults"] = ["region"]
        deps = [urn_of[r.name] for r in spec.refs()] + [urn_of[d] for d in spec.depends_on]
        resources.append({"urn": urn, "type": spec.type, "custom": not spec.is_component,
                          "id": None if spec.is_component else f"{spec.name}-id", "inputs": inputs,
                          "outputs": dict(inputs), "parent": urn_of.get(spec.parent or "", stack_urn),
                          "dependencies": list(dict.fromkeys(deps))})
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources}}
