"""Exported deployments as an `up` of an offline plan records them, for the --changed tests."""

from __future__ import annotations

from typing import Any

from govcloud.stackgraph import Lookup, Ref, StackGraph, StackOutputRef
from govcloud.stackgraph.regions import SDK_SECRET_OUTPUTS, own_region, provider_name
from govcloud.stackgraph.spec import ROOT_STACK_TYPE

PROVIDER = "urn:pulumi:lab-province::govcloud::pulumi:providers:openstack::default_5_5_3"


def with_cloud_router_exit(province, code: str = "unified-province"):
    """The province with its unified exit built as its cloud's router (``kind: cloud-router``):
    the lab's is an appliance, and that router's external network is the one data-source read a
    stack makes, which the --changed tests need (the state cannot prove a read unchanged)."""
    from govcloud.model import ExitKind

    exits = tuple(ex.model_copy(update={"kind": ExitKind.CLOUD_ROUTER}) if ex.code == code else ex
                  for ex in province.exits)
    return province.model_copy(update={"exits": exits})


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


def applied(graph: StackGraph, own_providers: bool = True) -> dict:
    """The exported deployment an `up` of ``graph`` leaves (the shape of `pulumi stack export`):
    objects of another region than the stack's (RegionOne) through that region's own provider, or
    (``own_providers=False``, a state from before those) through the default one."""
    stack_urn = f"urn:pulumi:{graph.stack}::{graph.project}::{ROOT_STACK_TYPE}::{graph.project}-{graph.stack}"
    default = f"{provider_urn(graph)}::p-id"
    resources = [{"urn": stack_urn, "type": ROOT_STACK_TYPE, "custom": False, "outputs": {}},
                 {"urn": provider_urn(graph), "type": "pulumi:providers:openstack", "custom": True, "id": "p-id",
                  "inputs": {"region": "RegionOne", "version": "5.5.3"}}]
    urn_of: dict[str, str] = {}
    providers: dict[str, str] = {}
    for spec in graph.resources:
        urn_of[spec.name] = urn = graph.urn(spec)
        inputs = _recorded(dict(spec.inputs))
        if not spec.is_component and "region" not in inputs:
            inputs["region"] = "RegionOne"  # a default the provider's Check adds
            inputs["__defaults"] = ["region"]
        provider = None if spec.is_component else default
        region = own_region(spec, "RegionOne") if own_providers else None
        if region and region not in providers:
            providers[region] = f"urn:pulumi:{graph.stack}::{graph.project}::pulumi:providers:openstack::" \
                                f"{provider_name(region)}"
            resources.append({"urn": providers[region], "type": "pulumi:providers:openstack", "custom": True,
                              "id": f"{region}-id", "inputs": {"region": region, "version": "5.5.3"}})
        if region:
            provider = f"{providers[region]}::{region}-id"
        deps = [urn_of[r.name] for r in spec.refs()] + [urn_of[d] for d in spec.depends_on]
        # The SDK class adds its own secret outputs (an instance's adminPass) to the program's.
        secrets = [*spec.additional_secret_outputs, *SDK_SECRET_OUTPUTS.get(spec.type, ())]
        resources.append({"urn": urn, "type": spec.type, "custom": not spec.is_component,
                          **({"additionalSecretOutputs": secrets} if secrets else {}),
                          "id": None if spec.is_component else f"{spec.name}-id", "inputs": inputs,
                          "outputs": dict(inputs), "parent": urn_of.get(spec.parent or "", stack_urn),
                          "dependencies": list(dict.fromkeys(deps)),
                          **({"provider": provider} if provider else {})})
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources}}
