"""The fixture province the policy tests judge against, and helpers to build stacks from YAML."""
# Imported by name (pytest puts this folder on sys.path): test modules here have no package.

from __future__ import annotations

from pathlib import Path
from typing import Any

from govcloud.ipam import plan_environment
from govcloud.model import load_folder
from govcloud.policy import PolicyContext, load_settings
from govcloud.policy.registry import rule_ids
from govcloud.policy import view as v
from pulumi_policy import ResourceValidationArgs, StackValidationArgs
from pulumi_policy.policy import PolicyResource, PolicyResourceOptions
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from govcloud.policy.pack import PackState, to_policy
from govcloud.policy.rule import Scope
from govcloud.policy.view import split_urn
from govcloud.stackgraph.spec import Lookup, Ref, ResourceSpec, StackGraph, StackOutputRef

DATA = Path(__file__).resolve().parents[2] / "data" / "policy"
FIXTURE_ENV = DATA / "fx"

TYPE_ALIASES = {
    "project": v.PROJECT, "network": v.NETWORK, "subnet": v.SUBNET, "pool": v.SUBNET_POOL, "router": v.ROUTER,
    "router-if": v.ROUTER_INTERFACE, "port": v.PORT, "fip": v.FLOATING_IP, "fip-assoc": v.FLOATING_IP_ASSOCIATE,
    "secgroup": v.SEC_GROUP, "sgrule": v.SEC_GROUP_RULE, "rbac": v.RBAC_POLICY, "instance": v.INSTANCE,
    "server-group": v.SERVER_GROUP, "volume": v.VOLUME, "compute-quota": v.COMPUTE_QUOTA,
    "network-quota": v.NETWORK_QUOTA, "scope": v.ADDRESS_SCOPE, "volume-quota": v.VOLUME_QUOTA, "component": "govcloud:test:Component",
}


def fixture_context() -> PolicyContext:
    environment = load_folder(FIXTURE_ENV, name="fx")
    settings = load_settings(FIXTURE_ENV / "policy-settings.yaml", rule_ids())
    return PolicyContext("fx", environment.province, plan_environment(environment), settings)


def with_exit_kinds(context: PolicyContext, kinds: dict[str, str] | None) -> PolicyContext:
    """``context`` with some exits built another way (``{code: kind}``, e.g. the fixture province's
    unified exit as a cloud router instead of an appliance); the same context when ``kinds`` is empty."""
    if not kinds:
        return context
    import dataclasses

    from govcloud.model import ExitKind

    exits = tuple(ex.model_copy(update={"kind": ExitKind(kinds[ex.code])}) if ex.code in kinds else ex
                  for ex in context.province.exits)
    assert {ex.code for ex in exits} >= set(kinds), f"no such exits: {set(kinds)}"
    return dataclasses.replace(context, province=context.province.model_copy(update={"exits": exits}))


def _value(value: Any) -> Any:
    """``{$ref: name}`` in a fixture is a reference to another resource of the stack;
    ``{$lookup: token, args: {...}}`` a data-source read; ``{$output: name, stack: stack}`` another
    stack's output, read through a StackReference."""
    if isinstance(value, dict):
        if set(value) == {"$ref"}:
            return Ref(value["$ref"])
        if set(value) == {"$lookup", "args"}:
            return Lookup(value["$lookup"], tuple(value["args"].items()))
        if set(value) == {"$output", "stack"}:
            return StackOutputRef(value["stack"], value["$output"])
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def graph_from_fixture(stack: str, resources: list[dict]) -> StackGraph:
    specs = tuple(ResourceSpec(TYPE_ALIASES.get(r["type"], r["type"]), r["name"], _value(r.get("inputs") or {}),
                               parent=r.get("parent")) for r in resources)
    return StackGraph("govcloud", stack, specs)


def violating_graph(stack: str = "fx-city-a") -> StackGraph:
    """A small stack that breaks mandatory and advisory rules (for report and CLI tests)."""
    return graph_from_fixture(stack, [
        {"type": "component", "name": "edu"},
        {"type": "network", "name": "edu-net", "parent": "edu",
         "inputs": {"tags": ["dept:city-a-edu", "mlps:2", "govcloud:managed"]}},
        {"type": "subnet", "name": "edu-v4", "parent": "edu",
         "inputs": {"networkId": {"$ref": "edu-net"}, "ipVersion": 4, "cidr": "198.19.64.0/24",
                    "tags": ["dept:city-a-edu", "mlps:2", "govcloud:managed"]}},
        {"type": "router", "name": "edu-router", "parent": "edu",
         "inputs": {"externalNetworkId": "9d8e7f00-0000-4000-8000-000000000003",
                    "tags": ["dept:city-a-edu", "mlps:2"]}},
        {"type": "sgrule", "name": "ssh-world", "parent": "edu",
         "inputs": {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "portRangeMin": 22,
                    "portRangeMax": 22, "remoteIpPrefix": "0.0.0.0/0"}},
    ])


# --- what the engine would send: the pack's validators over a graph ----------------------------

def _engine_value(value):
    if isinstance(value, (Ref, StackOutputRef)):
        return UNKNOWN_STRING_VALUE
    if isinstance(value, Lookup):  # invokes run during preview: the engine sends the id found
        return "5a1f0c00-0000-4000-8000-00000000000f"
    if isinstance(value, dict):
        return {k: _engine_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_engine_value(v) for v in value]
    return value


def _options(parent_urn: str | None) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], None, [], parent_urn)


def engine_names(rule, graph: StackGraph, context, computed: dict[str, dict] | None = None) -> list[str]:
    """The names the pack's validator reports, given what the engine sends during a preview.

    ``computed`` adds, per resource name, outputs the provider computes: a stack check sees a
    created resource's outputs, and in a preview those are unknown (e.g. a router's unset gateway)."""
    state = PackState(DATA, env=context.env)
    state._contexts[context.env] = context
    policy = to_policy(rule, state)
    urns = {spec.name: graph.urn(spec) for spec in graph.resources}
    reported: list[str] = []

    def report_violation(message: str, urn: str | None = None) -> None:
        assert message
        reported.append(split_urn(urn)[3] if urn else graph.stack)

    if rule.scope is Scope.RESOURCE:
        for spec in graph.resources:
            props = unknown_checking_proxy(_engine_value(dict(spec.inputs)))
            parent = urns.get(spec.parent) if spec.parent else None
            args = ResourceValidationArgs(spec.type, props, urns[spec.name], spec.name, _options(parent), None)
            policy.validate(args, report_violation)
    else:
        resources = {}
        for spec in graph.resources:
            outputs = {**{k: UNKNOWN_STRING_VALUE for k in (computed or {}).get(spec.name, ())}, **dict(spec.inputs)}
            props = unknown_checking_proxy(_engine_value(outputs))
            resources[spec.name] = PolicyResource(spec.type, props, urns[spec.name], spec.name,
                                                  _options(urns.get(spec.parent)), None, None, [], {})
        for spec in graph.resources:
            resource = resources[spec.name]
            resource.parent = resources.get(spec.parent) if spec.parent else None
            for key, value in spec.inputs.items():
                deps = [resources[r.name] for r in _refs(value) if r.name in resources]
                if deps:
                    resource.property_dependencies[key] = deps
        policy.validate(StackValidationArgs(list(resources.values())), report_violation)
    return reported


def _refs(value):
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _refs(item)
