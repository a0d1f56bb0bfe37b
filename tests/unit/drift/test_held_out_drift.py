"""Held-out cases of each drift kind the issue names, beside the ones test_cloud.py was built with:
a volume retyped by hand to an unencrypted type, a rule opened by hand next to the managed ones
(nothing removed), a resource deleted by hand, and a router whose configuration was changed by hand.
Each is drift, and each cloud change that breaks a rule is reported with the rule and its clauses."""

from __future__ import annotations

import copy

import pytest

from govcloud.drift.cloud import broken_rules, cloud_differences, deployed_view, live_view
from govcloud.drift.extras import unmanaged_rules
from govcloud.drift.differences import Change, DriftReport, EXIT_DRIFT, Kind
from govcloud.drift.views import to_drift_sarif
from govcloud.drift.routers import router_differences
from govcloud.drift.run import drifted_hosts, drifted_stacks, judge_cloud
from govcloud.engine.live import LiveRead, RefreshStep
from govcloud.policy.context import load_context
from govcloud.policy.registry import rule_ids
from govcloud.policy.view import ROUTER, SEC_GROUP, SEC_GROUP_RULE, VOLUME

STACK = "lab-city-a"
PREFIX = f"urn:pulumi:{STACK}::govcloud::govcloud:tenant:Department$"


def urn(type_: str, name: str) -> str:
    return f"{PREFIX}{type_}::{name}"


def resource(type_: str, name: str, id_: str, inputs: dict, extra_outputs: dict | None = None) -> dict:
    return {"urn": urn(type_, name), "type": type_, "custom": True, "id": id_, "inputs": dict(inputs),
            "outputs": dict(inputs, **(extra_outputs or {}))}


RESOURCES = [
    {"urn": f"urn:pulumi:{STACK}::govcloud::pulumi:pulumi:Stack::govcloud-{STACK}", "type": "pulumi:pulumi:Stack",
     "custom": False},
    resource(VOLUME, "tax-db-data", "vol-7", {"name": "tax-db-data", "size": 50, "volumeType": "encrypted",
                                              "metadata": {"mlps": "3", "dept": "tax"}},
             {"attachments": [{"instanceId": "srv-1"}]}),
    resource(SEC_GROUP, "tax-db", "sg-7", {"name": "tax-db", "description": "database tier", "tags": ["dept:tax"]}),
    resource(SEC_GROUP_RULE, "tax-db-pg", "rule-7", {
        "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "portRangeMin": 5432,
        "portRangeMax": 5432, "remoteIpPrefix": "198.51.100.0/24", "securityGroupId": "sg-7"}),
    resource(ROUTER, "tax-router", "router-7", {"name": "tax-router", "tags": ["dept:tax"]}, {"externalNetworkId": ""}),
]


def converged() -> list[RefreshStep]:
    return [RefreshStep(r["urn"], r["type"], "same", dict(copy.deepcopy(r["outputs"]), __meta="{}"))
            for r in RESOURCES if r.get("custom")]


def changed(name: str, live: dict | None) -> list[RefreshStep]:
    return [RefreshStep(s.urn, s.type, "update" if live is not None else "delete",
                        None if live is None else dict(s.live, **live)) if s.urn.endswith(f"::{name}") else s
            for s in converged()]


@pytest.fixture(scope="module")
def context(project_root):
    return load_context("lab", project_root, rule_ids())


def judged(context, steps, extras=()) -> DriftReport:
    report = DriftReport("lab")
    judge_cloud(report, [LiveRead(STACK, steps, RESOURCES, extras=list(extras))], context)
    return report


def test_the_held_out_stack_converged_is_clean(context):
    report = judged(context, converged())
    assert report.differences == [] and report.findings == [] and not report.drifted


def test_an_encrypted_volume_retyped_by_hand_is_drift_and_breaks_the_level_3_crypto_rule(context):
    report = judged(context, changed("tax-db-data", {"volumeType": "standard"}))
    (difference,) = report.differences
    assert difference.change is Change.CHANGED and difference.what == urn(VOLUME, "tax-db-data")
    assert [(p.key, p.deployed, p.live) for p in difference.properties] == [("volumeType", "encrypted", "standard")]
    (finding,) = report.findings
    assert finding.rule_id == "GOV-CRY-001" and finding.urn == urn(VOLUME, "tax-db-data")
    assert {"CRYPTO-7.4-store-conf", "MLPS-8.1.4.8b"} <= set(finding.clauses)
    assert report.exit_code == EXIT_DRIFT and drifted_stacks(report) == [STACK]
    # One SARIF upload carries both: the drift and the rule it breaks, with the rule's clauses.
    run = to_drift_sarif(report)["runs"][0]
    assert sorted(r["ruleId"] for r in run["results"]) == ["GOV-CRY-001", "GOV-DRIFT-001"]
    descriptor = next(d for d in run["tool"]["driver"]["rules"] if d["id"] == "GOV-CRY-001")
    assert "CRYPTO-7.4-store-conf" in str(descriptor)


def test_a_rule_opened_by_hand_beside_the_managed_ones_is_unmanaged_drift_and_breaks_a_rule(context):
    listed = {"sg-7": [
        {"id": "rule-7", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 5432,
         "port_range_max": 5432, "remote_ip_prefix": "198.51.100.0/24", "security_group_id": "sg-7"},
        {"id": "opened", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 3389,
         "port_range_max": 3389, "remote_ip_prefix": "0.0.0.0/0", "security_group_id": "sg-7"}]}
    extras = unmanaged_rules(STACK, RESOURCES, lambda group: listed.get(group, []))
    report = judged(context, converged(), extras)
    (difference,) = report.differences
    assert difference.change is Change.UNMANAGED and "0.0.0.0/0" in difference.summary
    assert report.findings and {f.urn for f in report.findings} == {extras[0]["urn"]}
    assert all(f.clauses for f in report.findings)
    assert report.unmanaged == {STACK: [{"type": SEC_GROUP_RULE, "name": "tax-db-unmanaged-opened", "id": "opened"}]}


def test_a_router_deleted_by_hand_is_gone_in_the_table_json_and_sarif(context):
    report = judged(context, changed("tax-router", None))
    (difference,) = report.differences
    assert difference.change is Change.GONE and "router-7" in difference.summary
    assert report.to_dict()["differences"][0]["change"] == "gone"
    (result,) = to_drift_sarif(report)["runs"][0]["results"]
    assert result["ruleId"] == "GOV-DRIFT-001" and result["properties"]["change"] == "gone"


def test_a_router_config_changed_by_hand_is_router_drift_naming_the_host_and_the_line():
    events = [
        {"event": "runner_on_ok", "event_data": {"host": "city-a", "task": "Apply the node's FRR config",
                                                 "role": "ipv6_extranet", "res": {"changed": False}}},
        {"event": "runner_on_ok", "event_data": {
            "host": "city-b", "task": "Apply the node's FRR config", "role": "ipv6_extranet",
            "res": {"changed": True, "diff": [{"prepared": "-  ipv6 ospf6 cost 77\n+  ipv6 ospf6 cost 10"}]}}},
    ]
    (difference,) = router_differences(events)
    assert difference.kind is Kind.ROUTER and difference.where == "city-b"
    assert "ipv6 ospf6 cost 77" in difference.summary
    report = DriftReport("lab")
    report.differences.append(difference)
    assert drifted_hosts(report) == ["city-b"] and report.exit_code == EXIT_DRIFT


TRANSIT = {"urn": f"urn:pulumi:{STACK}::govcloud::govcloud:extranet:Attachment$openstack:networking/network:Network"
                  "::transit-city-a-net", "type": "openstack:networking/network:Network", "custom": True,
           "id": "net-transit", "inputs": {"name": "transit-city-a-net", "tags": ["purpose:transit"]},
           "outputs": {"name": "transit-city-a-net", "tags": ["purpose:transit"]}}
ON_TRANSIT = dict(resource(ROUTER, "tax-router", "router-7", {"name": "tax-router", "tags": ["dept:tax"],
                                                              "externalNetworkId": "net-transit"}),
                  propertyDependencies={"externalNetworkId": [TRANSIT["urn"]]})


def test_a_department_routers_transit_gateway_moved_by_hand_to_the_internet_breaks_the_exit_rules(context):
    """In one network, a department router's gateway is on the extranet transit (a reference in the
    state). Moved by hand to the public network, the reference no longer holds: the live value is
    judged as what it is, a gateway not made by the stack."""
    resources = [r for r in RESOURCES if r["type"] != ROUTER] + [TRANSIT, ON_TRANSIT]
    steps = [RefreshStep(r["urn"], r["type"], "same", dict(copy.deepcopy(r["outputs"]))) for r in resources
             if r.get("custom")]
    report = DriftReport("lab")
    judge_cloud(report, [LiveRead(STACK, steps, resources)], context)
    assert report.differences == [] and report.findings == []  # on the transit: as deployed, no rule broken
    moved = [RefreshStep(s.urn, s.type, "update", dict(s.live, externalNetworkId="net-public"))
             if s.urn == ON_TRANSIT["urn"] else s for s in steps]
    report = DriftReport("lab")
    judge_cloud(report, [LiveRead(STACK, moved, resources)], context)
    assert [(d.change, [p.key for p in d.properties]) for d in report.differences] == [
        (Change.CHANGED, ["externalNetworkId"])]
    assert {"GOV-EXIT-001", "GOV-XNET-001"} <= {f.rule_id for f in report.findings}
    assert all(f.urn == ON_TRANSIT["urn"] and f.clauses for f in report.findings)
