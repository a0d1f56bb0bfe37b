"""The live cloud against the deployed state, from fake refresh reads: what differs, what is gone,
what was added by hand, and which rules the live state breaks that the deployed state did not."""

from __future__ import annotations

import copy

import pytest

from govcloud.drift.cloud import broken_rules, cloud_differences, deployed_view, live_view, property_diffs
from govcloud.drift.extras import unmanaged_rules
from govcloud.drift.differences import Change, DriftReport, EXIT_DRIFT, EXIT_NO_DRIFT
from govcloud.drift.run import judge_cloud
from govcloud.engine.live import LiveRead, RefreshStep
from govcloud.policy.context import load_context
from govcloud.policy.registry import rule_ids
from govcloud.policy.view import ROUTER, SEC_GROUP, SEC_GROUP_RULE

STACK = "lab-province"
PREFIX = f"urn:pulumi:{STACK}::govcloud::govcloud:tenant:Department$"


def urn(type_: str, name: str) -> str:
    return f"{PREFIX}{type_}::{name}"


RESOURCES = [
    {"urn": f"urn:pulumi:{STACK}::govcloud::pulumi:pulumi:Stack::govcloud-{STACK}", "type": "pulumi:pulumi:Stack",
     "custom": False},
    {"urn": f"urn:pulumi:{STACK}::govcloud::pulumi:providers:openstack::default", "type": "pulumi:providers:openstack",
     "custom": True, "id": "p1", "outputs": {}},
    {"urn": urn(SEC_GROUP, "health-web"), "type": SEC_GROUP, "custom": True, "id": "sg-1",
     "inputs": {"name": "health-web", "description": "web tier", "tags": ["dept:health"]},
     "outputs": {"name": "health-web", "description": "web tier", "tags": ["dept:health"], "allTags": []}},
    {"urn": urn(SEC_GROUP_RULE, "health-web-https"), "type": SEC_GROUP_RULE, "custom": True, "id": "rule-1",
     "outputs": {"direction": "ingress", "ethertype": "IPv6", "protocol": "tcp", "portRangeMin": 443,
                 "portRangeMax": 443, "remoteIpPrefix": "2001:db8:10::/48", "remoteGroupId": "",
                 "securityGroupId": "sg-1"},
     "inputs": {"direction": "ingress", "ethertype": "IPv6", "protocol": "tcp", "portRangeMin": 443,
                "portRangeMax": 443, "remoteIpPrefix": "2001:db8:10::/48", "securityGroupId": "sg-1"},
     "propertyDependencies": {"securityGroupId": [urn(SEC_GROUP, "health-web")]}},
    {"urn": urn(ROUTER, "health-router"), "type": ROUTER, "custom": True, "id": "router-1",
     "inputs": {"name": "health-router", "tags": ["dept:health"]},
     "outputs": {"name": "health-router", "externalNetworkId": "", "tags": ["dept:health"],
                 "adminPassword": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                                   "ciphertext": "v1:abc"}}},
]


def converged_steps() -> list[RefreshStep]:
    """What a refresh of a cloud nobody touched reads back: the same outputs (secrets hidden,
    unset optionals read back empty)."""
    steps = []
    for r in RESOURCES:
        if r.get("custom") and not r["type"].startswith("pulumi:providers"):
            live = copy.deepcopy(r["outputs"])
            live.update({k: "[secret]" for k, v in live.items() if isinstance(v, dict)})
            live["__meta"] = '{"schema_version":"0"}'
            steps.append(RefreshStep(r["urn"], r["type"], "same", live))
    return steps


def replace_step(steps, name: str, live) -> list[RefreshStep]:
    return [RefreshStep(s.urn, s.type, "update" if live is not None else "delete", live)
            if s.urn.endswith(f"::{name}") else s for s in steps]


@pytest.fixture(scope="module")
def context(project_root):
    return load_context("lab", project_root, rule_ids())


def test_a_converged_cloud_has_no_difference_and_breaks_no_rule(context):
    steps = converged_steps()
    assert cloud_differences(STACK, RESOURCES, steps) == []
    assert broken_rules(deployed_view(STACK, RESOURCES, context), live_view(STACK, RESOURCES, steps, [], context)) == []


def test_empty_and_unset_are_equal_at_any_depth_and_secrets_are_never_compared():
    assert property_diffs({"a": "", "b": None, "s": {"4dabf18193072939515e22adb298388d": "x"},
                           "hints": [{"group": "g1", "extra": None}]},
                          {"a": None, "b": [], "s": "[secret]", "hints": [{"group": "g1", "extra": {}}]}) == []
    assert [d.key for d in property_diffs({"a": "x"}, {"a": "y"})] == ["a"]


def test_outputs_that_follow_from_other_resources_are_not_drift(context):
    """A server group's members and a volume's attachments change after every up."""
    steps = replace_step(converged_steps(), "health-web", dict(converged_steps()[0].live, allTags=["x:y"]))
    assert cloud_differences(STACK, RESOURCES, steps) == []
    steps = replace_step(converged_steps(), "health-web", dict(converged_steps()[0].live, description="opened"))
    (difference,) = cloud_differences(STACK, RESOURCES, steps)
    assert [p.key for p in difference.properties] == ["description"]


def test_a_gateway_added_to_a_department_router_is_drift_and_breaks_the_exit_rule(context):
    live = dict(converged_steps()[2].live, externalNetworkId="ext-net-1")
    steps = replace_step(converged_steps(), "health-router", live)
    findings = broken_rules(deployed_view(STACK, RESOURCES, context), live_view(STACK, RESOURCES, steps, [], context))
    # An internet gateway on a department router breaks the exit rules and the one-network rule alike.
    assert sorted(f.rule_id for f in findings) == ["GOV-EXIT-001", "GOV-EXIT-005", "GOV-XNET-001"]
    assert "PLAN-EXIT-UNIFIED" in findings[0].clauses and findings[0].resource_name == "health-router"
    # The program never set the gateway (not an input): the broken rule is what makes it shown.
    assert cloud_differences(STACK, RESOURCES, steps) == []
    (difference,) = cloud_differences(STACK, RESOURCES, steps, flagged={findings[0].urn})
    assert difference.change is Change.CHANGED and difference.what.endswith("::health-router")
    assert [(p.key, p.deployed, p.live) for p in difference.properties] == [("externalNetworkId", "", "ext-net-1")]
    report = DriftReport("lab")
    judge_cloud(report, [LiveRead(STACK, steps, RESOURCES)], context)
    assert [d.what for d in report.differences] == [findings[0].urn] and report.exit_code == EXIT_DRIFT


def test_a_rule_replaced_by_hand_with_one_open_to_the_world_is_gone_plus_unmanaged_and_breaks_sg_rules(context):
    steps = replace_step(converged_steps(), "health-web-https", None)
    live_rules = {"sg-1": [
        {"id": "default-egress-4", "direction": "egress", "ethertype": "IPv4", "security_group_id": "sg-1"},
        {"id": "by-hand", "direction": "ingress", "ethertype": "IPv6", "protocol": "tcp", "port_range_min": 22,
         "port_range_max": 22, "remote_ip_prefix": "::/0", "security_group_id": "sg-1"}]}
    extras = unmanaged_rules(STACK, RESOURCES, lambda group: live_rules.get(group, []))
    assert [e["id"] for e in extras] == ["by-hand"]  # Neutron's own default egress rule is not drift
    differences = cloud_differences(STACK, RESOURCES, steps, extras)
    assert [(d.change, d.what.rsplit("::", 1)[1]) for d in differences] == [
        (Change.GONE, "health-web-https"), (Change.UNMANAGED, "health-web-unmanaged-by-hand")]
    assert "::/0" in differences[1].summary
    findings = broken_rules(deployed_view(STACK, RESOURCES, context),
                            live_view(STACK, RESOURCES, steps, extras, context))
    assert "GOV-SG-001" in {f.rule_id for f in findings}  # SSH (a management port) open to any source
    assert all(f.urn == extras[0]["urn"] or f.stack == STACK for f in findings)
    assert all(f.clauses for f in findings)


def test_a_managed_rule_still_in_place_is_not_unmanaged():
    listed = [{"id": "rule-1", "direction": "ingress", "ethertype": "IPv6", "protocol": "tcp",
               "port_range_min": 443, "port_range_max": 443, "remote_ip_prefix": "2001:db8:10::/48"}]
    assert unmanaged_rules(STACK, RESOURCES, lambda group: listed) == []


def test_report_exit_codes_and_skipped_stacks(context):
    report = DriftReport("lab")
    judge_cloud(report, [LiveRead(STACK, converged_steps(), RESOURCES, seconds=1.5),
                         LiveRead("lab-city-a", [], [], skipped="never deployed")], context)
    assert report.exit_code == EXIT_NO_DRIFT and report.skipped == {"lab-city-a": "never deployed"}
    assert report.checked == {STACK: 1.5}
    drifted = DriftReport("lab")
    judge_cloud(drifted, [LiveRead(STACK, replace_step(converged_steps(), "health-web", None), RESOURCES)], context)
    assert drifted.exit_code == EXIT_DRIFT == 3
    assert drifted.to_dict()["differences"][0]["change"] == "gone"
