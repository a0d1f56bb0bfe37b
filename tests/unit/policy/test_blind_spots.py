"""The blind spots closed, end to end over the offline plan of a real model: what passed before
(a department declaring its own exit unified; a level-4 resource a component adds) is refused,
and the lab and example environments still pass every mandatory rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govcloud.policy import check_environment, check_graphs
from govcloud.policy.registry import rule_by_id
from policy_fixtures import graph_from_fixture

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("env", ["lab", "example"])
def test_the_shipped_environments_pass_every_mandatory_rule(env) -> None:
    _, result, _ = check_environment(env, ROOT)
    assert len(result.stacks) >= 3 and result.resources > 100
    assert result.mandatory == [], [f"{f.rule_id} {f.urn}: {f.message}" for f in result.mandatory]


def test_a_department_that_declares_its_own_exit_unified_gets_no_gateway(project) -> None:
    exits = project / "inventories" / "fx" / "exits.yaml"
    text = exits.read_text(encoding="utf-8")
    # prov-health turns its legacy exit into a "unified" one, by itself, built as the router of
    # city-a's cloud (the provincial node has its appliance: a second unified exit there is refused
    # by validate, two devices at the transit's exit address).
    exits.write_text(text.replace("    status: legacy\n    uplink: {isp: lab-isp, bandwidth_mbps: 200",
                                  "    status: unified\n    node: city-a\n    kind: cloud-router\n"
                                  "    uplink: {isp: lab-isp, bandwidth_mbps: 200", 1), encoding="utf-8")
    _, result, _ = check_environment("fx", project, ["fx-city-a"])
    found = [f for f in result.findings if f.rule_id == "GOV-EXIT-005"]
    assert [f.resource_name for f in found] == ["legacy-prov-health-router"]
    assert not [f for f in result.findings if f.rule_id == "GOV-EXIT-001"], "status unified passes the old rule"
    location = found[0].locations[0]
    line = next(i for i, t in enumerate(exits.read_text(encoding="utf-8").splitlines(), 1)
                if "code: legacy-prov-health" in t)
    assert location.file == "inventories/fx/exits.yaml" and line < location.line < line + 8


def test_a_level_4_resource_from_a_future_component_is_refused(context) -> None:
    graph = graph_from_fixture("fx-province", [
        {"type": "component", "name": "analytics"},
        {"type": "openstack:loadbalancer/loadBalancer:LoadBalancer", "name": "l4-lb", "parent": "analytics",
         "inputs": {"tags": ["dept:prov-health", "mlps:4", "govcloud:managed"]}},
    ])
    result = check_graphs([graph], context, [rule_by_id("GOV-TEN-004"), rule_by_id("GOV-TAG-005")])
    assert [(f.rule_id, f.resource_name) for f in result.findings] == [("GOV-TEN-004", "l4-lb")]


def test_a_city_that_declares_its_own_exit_unified_gets_no_floating_ip_either(project) -> None:
    from govcloud.policy import load_context
    from govcloud.policy.registry import rule_ids

    exits = project / "inventories" / "fx" / "exits.yaml"
    text = exits.read_text(encoding="utf-8")
    exits.write_text(text.replace("    status: legacy\n    uplink: {isp: lab-isp, bandwidth_mbps: 1000",
                                  "    status: unified\n    node: city-a\n"
                                  "    uplink: {isp: lab-isp, bandwidth_mbps: 1000", 1), encoding="utf-8")
    context = load_context("fx", project, rule_ids())
    assert context.unified_exits_by_node.get("city-a") == ["legacy-city-a"]
    graph = graph_from_fixture("fx-city-a", [{"type": "fip", "name": "city-fip", "inputs": {"pool": "public"}}])
    result = check_graphs([graph], context, [rule_by_id("GOV-EXIT-002")])
    assert [f.resource_name for f in result.findings] == ["city-fip"]
