"""Golden fixtures: for every rule, stacks that pass and stacks that fail, with the resources each
failure names, side by side in tests/data/policy/cases/*.yaml, fed to this one test.

Each case runs twice: through the offline runner over a stack graph, and through the rule's
pulumi-policy validator with the arguments the engine would send in a preview (references
unknown, dependencies as property dependencies). Both must name the same resources.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from govcloud.policy import check_stack, rule_by_id, stack_view_from_graph
from govcloud.policy.registry import all_rules
from govcloud.policy.rule import Scope
from govcloud.stackgraph.spec import StackGraph

from policy_fixtures import DATA, engine_names, graph_from_fixture, with_exit_kinds

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CASE_FILES = sorted((DATA / "cases").glob("*.yaml"))


def _cases():
    for path in CASE_FILES:
        for block in yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER):
            for case in block["cases"]:
                case = {"exit_kinds": block.get("exit_kinds"), **case}
                yield pytest.param(block["rule"], case.get("stack", block.get("stack")), case,
                                   id=f"{block['rule']}: {case['name']}")


def _offline(rule, graph: StackGraph, context) -> list[str]:
    view = stack_view_from_graph(graph, context)
    return [f.resource_name for f in check_stack(view, [rule], context.settings)]


@pytest.mark.parametrize(("rule_id", "stack", "case"), list(_cases()))
def test_rule_case(rule_id: str, stack: str, case: dict, context) -> None:
    rule = rule_by_id(rule_id)
    context = with_exit_kinds(context, case.get("exit_kinds"))  # a case may build an exit another way
    graph = graph_from_fixture(stack, case["resources"])
    expected = Counter(case.get("expect") or [])
    offline = _offline(rule, graph, context)
    assert Counter(offline) == expected, f"offline runner reported {offline}"
    engine = engine_names(rule, graph, context)
    assert Counter(engine) == expected, f"pack validator reported {engine}"


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    passing, failing = set(), set()
    for path in CASE_FILES:
        for block in yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER):
            for case in block["cases"]:
                (failing if case.get("expect") else passing).add(block["rule"])
    ids = {r.id for r in all_rules()}
    assert ids - passing == set(), "rules without a passing fixture"
    assert ids - failing == set(), "rules without a failing fixture"
    assert (passing | failing) - ids == set(), "fixtures for rules that do not exist"


def test_case_files_exist() -> None:
    assert len(CASE_FILES) >= 5, f"no golden cases under {Path(DATA, 'cases')}"


def test_without_a_model_nothing_is_the_platform_s_and_labels_are_still_required() -> None:
    # A platform resource is one the model's parameters name; with no model there is none, so a
    # transit-tagged load balancer without labels is reported, not excused as the platform's.
    graph = graph_from_fixture("fx-province", [
        {"type": "openstack:loadbalancer/loadBalancer:LoadBalancer", "name": "transit-lb",
         "inputs": {"tags": ["purpose:transit", "exit:x"]}}])
    found = check_stack(stack_view_from_graph(graph, None), [rule_by_id("GOV-TAG-005")])
    assert [f.resource_name for f in found] == ["transit-lb"]


def test_an_undesignated_exit_s_findings_say_why_and_name_the_model_entry(context) -> None:
    # The golden cases compare resource names only; the messages and the model entry they point
    # at (exits[code].node or .status) are what an operator acts on.
    graph = graph_from_fixture("fx-city-a", [
        {"type": "router", "name": "borrowed-exit-router",
         "inputs": {"externalNetworkId": "9d8e7f00-0000-4000-8000-000000000003",
                    "tags": ["exit:unified-province", "dept:city-a-edu", "mlps:2"]}},
        {"type": "network", "name": "health-public", "inputs": {"external": True, "tags": ["exit:legacy-prov-health"]}},
        {"type": "network", "name": "rogue-public", "inputs": {"external": True}}])
    found = []
    rule_by_id("GOV-EXIT-005")(stack_view_from_graph(graph, context),
                               lambda message, urn=None, subject=None: found.append((urn.rsplit("::", 1)[-1],
                                                                                    message, subject)))
    assert found == [
        ("borrowed-exit-router", "'borrowed-exit-router' has an external gateway on node 'city-a' for exit "
         "'unified-province', which the provincial plan designates at node 'province' only",
         ("exits", "unified-province", "node")),
        ("health-public", "'health-public' is an external network for exit 'legacy-prov-health', which the "
         "provincial plan does not designate unified (designated: unified-province)",
         ("exits", "legacy-prov-health", "status")),
        ("rogue-public", "'rogue-public' is an external network but serves no exit the provincial plan "
         "designates (designated: unified-province)", None)]


@pytest.mark.parametrize(("designated", "listed"), [((), "none"),
                                                    (("unified-province", "legacy-city-a"),
                                                     "legacy-city-a, unified-province")])
def test_the_designated_exits_are_listed_sorted_or_none(context, designated, listed) -> None:
    import dataclasses

    plan = context.province.unified_exit_plan
    first = plan.designations[0]
    designations = tuple(first.model_copy(update={"exit": code}) for code in designated)
    province = context.province.model_copy(
        update={"unified_exit_plan": plan.model_copy(update={"designations": designations})})
    graph = graph_from_fixture("fx-city-b", [{"type": "network", "name": "rogue-public", "inputs": {"external": True}}])
    found = []
    rule_by_id("GOV-EXIT-005")(stack_view_from_graph(graph, dataclasses.replace(context, province=province)),
                               lambda message, urn=None, subject=None: found.append(message))
    assert found == ["'rogue-public' is an external network but serves no exit the provincial plan designates "
                     f"(designated: {listed})"]


def test_a_department_the_address_plan_lacks_is_reported_on_its_subnet(context) -> None:
    import dataclasses

    from govcloud.ipam import AddressPlan, Ledger

    ledger = context.plan.ledger
    kept = {k: a for k, a in ledger.allocations.items() if k != "dept:prov-gov-office"}
    plan = AddressPlan(Ledger(ledger.levels, kept), (), (), ())
    graph = graph_from_fixture("fx-province", [{"type": "subnet", "name": "mgmt-v6", "inputs": {
        "ipVersion": 6, "cidr": "2001:db8:2:101::/64", "tags": ["dept:prov-gov-office"]}}])
    found = []
    rule_by_id("GOV-NET-003")(stack_view_from_graph(graph, dataclasses.replace(context, plan=plan)).resources[0],
                              lambda message, urn=None, subject=None: found.append((message, urn)))
    assert [(m, urn.rsplit("::", 1)[-1]) for m, urn in found] == [
        ("the address plan has no IPv6 block for department 'prov-gov-office'", "mgmt-v6")]


def test_a_subnet_outside_its_department_s_block_is_reported_with_both_prefixes(context) -> None:
    graph = graph_from_fixture("fx-province", [{"type": "subnet", "name": "stolen-v6", "inputs": {
        "ipVersion": 6, "cidr": "2001:db8:2:110::/64", "tags": ["dept:prov-gov-office"]}}])
    found = []
    rule_by_id("GOV-NET-003")(stack_view_from_graph(graph, context).resources[0],
                              lambda message, urn=None, subject=None: found.append((message, urn)))
    block = context.department_v6("prov-gov-office")
    assert [(m, urn.rsplit("::", 1)[-1]) for m, urn in found] == [
        (f"2001:db8:2:110::/64 is outside department 'prov-gov-office''s block {block}", "stolen-v6")]


def _findings(rule_id: str, stack: str, resources: list[dict], context) -> list[tuple[str, str]]:
    """(resource name, message) of every finding of one rule over a fixture stack, in report order."""
    rule = rule_by_id(rule_id)
    view = stack_view_from_graph(graph_from_fixture(stack, resources), context)
    found = []

    def report(message, urn=None, subject=None):
        found.append((urn.rsplit("::", 1)[-1], message))

    if rule.scope is Scope.STACK:
        rule(view, report)
    else:
        for resource in view.resources:
            rule(resource, report)
    return found


def _sg_rule(name: str, low: int, high: int, **inputs) -> dict:
    return {"type": "sgrule", "name": name, "inputs": {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
                                                       "portRangeMin": low, "portRangeMax": high, **inputs}}


def test_an_exposed_port_s_finding_names_the_source_or_any_source_and_every_port_it_opens(context) -> None:
    # The golden cases compare resource names only; the source and the ports are what an operator fixes.
    management = _findings("GOV-SG-001", "fx-province", [
        _sg_rule("ssh-world", 22, 22, remoteIpPrefix="0.0.0.0/0"),
        _sg_rule("rdp-no-remote", 3389, 3389),
        _sg_rule("ssh-telnet-range", 20, 30, remoteIpPrefix="::/0", ethertype="IPv6"),
        _sg_rule("vnc-range", 5900, 5999, remoteIpPrefix="0.0.0.0/1")], context)
    assert management == [
        ("ssh-world", "ingress from 0.0.0.0/0 to management port(s) 22"),
        ("rdp-no-remote", "ingress from any source to management port(s) 3389"),
        ("ssh-telnet-range", "ingress from ::/0 to management port(s) 22, 23"),
        ("vnc-range", "ingress from 0.0.0.0/1 to management port(s) 5900-5999, 5985-5986")]
    # In the order of the database_ports parameter.
    database = _findings("GOV-SG-002", "fx-province", [_sg_rule("mysql-pg", 3306, 5432)], context)
    assert database == [("mysql-pg", "ingress from any source to database port(s) 3306, 5432, 5236, 5258, 4567")]


def test_image_findings_name_the_level_the_instance_and_the_image_or_its_id(context) -> None:
    level_3 = _findings("GOV-CMP-001", "fx-province", [
        {"type": "instance", "name": "cirros-vm", "inputs": {"imageName": "cirros", "tags": ["dept:prov-gov-office"]}},
        {"type": "instance", "name": "by-id-vm", "inputs": {"imageId": "5e1d0b6c-0000-4000-8000-000000000004",
                                                             "tags": ["dept:prov-health"]}},
        # An image name known only after the update, or no image at all (a volume boot): nothing to judge.
        {"type": "instance", "name": "later-vm", "inputs": {"imageName": {"$ref": "image"}, "tags": ["mlps:3"]}},
        {"type": "instance", "name": "volume-vm", "inputs": {"tags": ["mlps:3"]}}], context)
    assert level_3 == [
        ("cirros-vm", "level-3 instance 'cirros-vm': image 'cirros' is not on the approved list"),
        ("by-id-vm", "level-3 instance 'by-id-vm': boots by imageId, which cannot be checked against the approved "
                     "list")]
    below = _findings("GOV-CMP-002", "fx-city-a", [
        {"type": "instance", "name": "edu-cirros", "inputs": {"imageName": "cirros", "tags": ["dept:city-a-edu"]}}],
        context)
    assert below == [("edu-cirros", "level-2 instance 'edu-cirros': image 'cirros' is not on the approved list")]


def test_encryption_findings_name_the_level_and_every_unencrypted_volume_type(context) -> None:
    devices = [{"sourceType": "image", "destinationType": "volume", "volumeType": "standard"},
               {"sourceType": "blank", "destinationType": "volume"},
               {"sourceType": "blank", "destinationType": "volume", "volumeType": "encrypted"},
               {"sourceType": "blank", "destinationType": "volume", "volumeType": {"$ref": "later-type"}},
               {"sourceType": "image", "destinationType": "local", "volumeType": "standard"}]
    level_3 = _findings("GOV-CRY-001", "fx-province", [
        {"type": "volume", "name": "health-data", "inputs": {"metadata": {"dept": "prov-health", "mlps": "3"}}},
        {"type": "instance", "name": "gov-vm", "inputs": {"tags": ["dept:prov-gov-office"], "blockDevices": devices}}],
        context)
    assert level_3 == [
        ("health-data", "level-3 'health-data' stores data on unencrypted volume type(s) (default)"),
        ("gov-vm", "level-3 'gov-vm' stores data on unencrypted volume type(s) standard, (default)")]
    below = _findings("GOV-CRY-002", "fx-city-a", [
        {"type": "volume", "name": "edu-plain", "inputs": {"volumeType": "standard",
                                                            "metadata": {"dept": "city-a-edu", "mlps": "2"}}}], context)
    assert below == [("edu-plain", "level-2 'edu-plain' stores data on unencrypted volume type(s) standard")]


def test_without_a_model_an_mlps_tag_is_taken_as_given(context) -> None:
    # No model, so no system or department to compare the tag with: only a missing tag is reported.
    graph = graph_from_fixture("fx-province", [
        {"type": "network", "name": "tagged-net", "inputs": {"tags": ["mlps:2", "system:e-licence", "dept:prov-health"]}},
        {"type": "network", "name": "untagged-net", "inputs": {"tags": ["system:e-licence"]}}])
    found = check_stack(stack_view_from_graph(graph, None), [rule_by_id("GOV-TAG-002")])
    assert [f.resource_name for f in found] == ["untagged-net"]
