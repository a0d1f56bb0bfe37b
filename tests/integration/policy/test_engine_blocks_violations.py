"""Issue 5: a deliberately violating stack, previewed against the lab with the CrossGuard pack,
is blocked by the engine; `govcloud policy check`'s runner reports the same violations, one for
one, over the same specs offline.

The stack is environment lab's city-b stack (no unified exit there) in a throw-away project whose
program creates exactly the specs below through the components' spec factory.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from govcloud.engine.credentials import find_clouds_yaml, load_credentials
from govcloud.engine.discovery import engine_env
from govcloud.lab.openstack import ADMIN_CLOUD
from govcloud.policy import check_graphs, load_context
from govcloud.policy.registry import rule_ids
from govcloud.policy.view import split_urn
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.spec import Lookup, Ref, ResourceSpec, StackGraph

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
PACK = ROOT / "policies" / "govcloud-baseline"
PROJECT = "govcloud-policy-check"
STACK = "lab-city-b"  # node city-b: no unified exit in the lab model
COMPONENT = "govcloud:test:Violations"

PROGRAM = textwrap.dedent('''
    """Creates the specs of specs.json, all children of one component (nothing else)."""
    import json
    from pathlib import Path

    import pulumi

    from govcloud.components.factory import SpecContext
    from govcloud.stackgraph.spec import Lookup, Ref, ResourceSpec

    def decode(value):
        if isinstance(value, dict) and set(value) == {"$ref"}:
            return Ref(value["$ref"])
        if isinstance(value, dict) and set(value) == {"$lookup"}:
            token, args = value["$lookup"]
            return Lookup(token, tuple((k, v) for k, v in args))
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [decode(v) for v in value]
        return value

    data = json.loads((Path(__file__).parent / "specs.json").read_text())
    parent = pulumi.ComponentResource(data["component"]["type"], data["component"]["name"])
    context = SpecContext()
    for item in data["resources"]:
        context.create(ResourceSpec(item["type"], item["name"], decode(item["inputs"]), parent=item["parent"]),
                       parent)
''')


def violating_graph(plan) -> StackGraph:
    civil = ["dept:city-b-civil", "mlps:2", "govcloud:managed", "purpose:business"]
    component = ResourceSpec(COMPONENT, "violations")
    children = (
        # GOV-TEN-001: a project for a department of another node (a private cloud in disguise).
        ResourceSpec(t.PROJECT, "rogue-project", {"name": "policy-check-rogue", "tags": [
            "dept:prov-health", "mlps:3", "govcloud:managed"]}),
        # GOV-NET-007: shared with every tenant; GOV-NET-001: IPv4 only.
        ResourceSpec(t.NETWORK, "civil-net", {"name": "policy-check-civil", "shared": True, "tags": civil}),
        ResourceSpec(t.SUBNET, "civil-v4", {"name": "policy-check-civil-v4", "networkId": Ref("civil-net"),
                                            "ipVersion": 4, "cidr": str(plan["v4:subnet:city-b-civil/business"]),
                                            "tags": civil}),
        # GOV-EXIT-001: an external gateway on a node without a unified exit.
        ResourceSpec(t.ROUTER, "civil-router", {
            "name": "policy-check-civil-router", "tags": civil,
            "externalNetworkId": Lookup(t.GET_NETWORK, (("name", "public"), ("external", True)))}),
        # GOV-SG-001: SSH from anywhere; GOV-SG-004: the department admits no ICMPv6.
        ResourceSpec(t.SEC_GROUP, "civil-sg", {"name": "policy-check-civil-sg", "tags": civil}),
        ResourceSpec(t.SEC_GROUP_RULE, "civil-ssh-world", {
            "securityGroupId": Ref("civil-sg"), "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
            "portRangeMin": 22, "portRangeMax": 22, "remoteIpPrefix": "0.0.0.0/0"}),
    )
    return StackGraph(PROJECT, STACK, (component, *(ResourceSpec(c.type, c.name, c.inputs, parent=component.name)
                                                   for c in children)))


def encode(value):
    if isinstance(value, Ref):
        return {"$ref": value.name}
    if isinstance(value, Lookup):
        return {"$lookup": [value.token, [list(pair) for pair in value.args]]}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def write_project(folder: Path, graph: StackGraph) -> None:
    (folder / "Pulumi.yaml").write_text(
        f"name: {PROJECT}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: {sys.prefix}\n",
        encoding="utf-8")
    (folder / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    component, *children = graph.resources
    (folder / "specs.json").write_text(json.dumps({
        "component": {"type": component.type, "name": component.name},
        "resources": [{"type": c.type, "name": c.name, "inputs": encode(dict(c.inputs)), "parent": c.parent}
                      for c in children]}), encoding="utf-8")


def preview_with_pack(folder: Path, engine, clouds_yaml: Path) -> tuple[list, str]:
    """Preview STACK with the pack; the policy events, and the engine's error text ('' if none)."""
    from pulumi import automation as auto

    state = folder / "state"
    state.mkdir()
    credentials = load_credentials(ADMIN_CLOUD, find_clouds_yaml(clouds_yaml))
    env = engine_env(engine, state)
    env.update(credentials.engine_env())  # the cloud's own region: the preview only looks up `public`
    env.update({"PULUMI_BACKEND_URL": f"file://{state}", "PULUMI_CONFIG_PASSPHRASE": "policy-check",
                "GOVCLOUD_ENV": "lab"})
    env.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
    workspace = auto.LocalWorkspace(work_dir=str(folder), pulumi_home=str(engine.pulumi_home), env_vars=env,
                                    secrets_provider="passphrase",
                                    pulumi_command=auto.PulumiCommand(root=str(engine.cli.parent.parent)))
    stack = auto.Stack.create(STACK, workspace)
    stack.set_config("govcloud:env", auto.ConfigValue("lab"))
    events = []

    def on_event(event) -> None:
        if event.policy_event is not None:
            events.append(event.policy_event)

    try:
        stack.preview(policy_packs=[str(PACK)], on_event=on_event, color="never")
    except auto.errors.CommandError as exc:
        return events, str(exc)
    return events, ""


def test_a_violating_stack_is_blocked_and_the_offline_check_agrees(tmp_path, engine, clouds_yaml) -> None:
    context = load_context("lab", ROOT, rule_ids())
    graph = violating_graph(context.plan)
    write_project(tmp_path, graph)

    events, error = preview_with_pack(tmp_path, engine, clouds_yaml)

    assert error, "the engine let a stack with mandatory violations through"
    engine_findings = Counter((e.policy_name, split_urn(e.resource_urn)[3] if e.resource_urn else STACK,
                               e.enforcement_level) for e in events if e.policy_pack_name == "govcloud-baseline")
    assert any(level == "mandatory" for _, _, level in engine_findings), error

    offline = check_graphs([graph], context)
    offline_findings = Counter((f.rule_id, f.resource_name if f.urn != offline_root(graph) else STACK,
                                f.level.value) for f in offline.findings)
    assert {"GOV-TEN-001", "GOV-NET-007", "GOV-NET-001", "GOV-EXIT-001", "GOV-SG-001", "GOV-SG-004"} <= \
        {rule for rule, _, _ in offline_findings}
    assert engine_findings == offline_findings, (
        f"engine only: {engine_findings - offline_findings}; offline only: {offline_findings - engine_findings}")


def offline_root(graph: StackGraph) -> str:
    return f"urn:pulumi:{graph.stack}::{graph.project}::pulumi:pulumi:Stack::{graph.project}-{graph.stack}"
