"""How stacks are named, ordered and assembled where the lab's model does not go: a DR pair in a
city stack whose owner lives on the province, a provincial node sited at a city, options per
stack, the refusals of a node without routing or transit, and the exports of a tenant without
pools."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from govcloud.errors import PlanError, UsageError
from govcloud.ipam import AddressPlan, plan_addresses, plan_environment
from govcloud.ipam.requirements import transit_key, v4_transit_key
from govcloud.model import Province, load_environment
from govcloud.stackgraph import StackOutputRef, plan_stack, plan_stacks, stack_names
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.extranet import ExtranetAttachmentArgs, build_extranet_attachment
from govcloud.stackgraph.stacks import StackOptions, node_for_stack, stack_graph
from govcloud.stackgraph.tenant import DepartmentTenantArgs, build_department_tenant

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def lab():
    environment = load_environment("lab", ROOT)
    return environment.province, plan_environment(environment)


def _with_system(province: Province, code: str, **changes) -> Province:
    data = province.model_dump(mode="json")
    systems = [{**s, **changes} if s["code"] == code else s for s in data["systems"]]
    return Province.model_validate({**data, "systems": systems})


def _exported(exports, path: str):
    """The value a city stack's StackReference reads at ``path`` (dots between keys)."""
    value = exports
    for key in path.split("."):
        value = value[key]
    return value


def test_a_city_dr_pair_of_a_provincial_owner_reads_its_project_and_pools_from_the_province(lab) -> None:
    province, plan = lab
    moved = _with_system(province, "unified-identity", target_node="city-a", dr_node="city-b")
    moved_plan = plan_addresses(moved, plan.ledger)
    city = plan_stack(moved, moved_plan, "lab", "lab-city-a").by_name()
    path = "departments.prov-gov-office"
    assert city["unified-identity-a-repl-net"].inputs["tenantId"] == StackOutputRef("lab-province", f"{path}.projectId")
    for side in ("a", "b"):
        for version in (4, 6):
            subnet = city[f"unified-identity-{side}-repl-v{version}"].inputs
            assert subnet["subnetpoolId"] == StackOutputRef("lab-province", f"{path}.subnetPools.{version}")
            assert subnet["tenantId"] == StackOutputRef("lab-province", f"{path}.projectId")
    # Each output read is one the province stack exports, and it names the owner's own project and pools.
    exports = plan_stack(moved, moved_plan, "lab", "lab-province").exports
    assert _exported(exports, f"{path}.projectId").name == "prov-gov-office-project"
    assert [_exported(exports, f"{path}.subnetPools.{v}").name for v in (4, 6)] == [
        "prov-gov-office-pool-v4", "prov-gov-office-pool-v6"]
    assert "unified-identity-dr" not in {r.name for r in plan_stack(moved, moved_plan, "lab", "lab-province").resources}


def test_a_dr_pair_whose_owner_is_on_another_city_is_refused_with_the_fix(lab) -> None:
    province, plan = lab
    moved = _with_system(province, "relief-payments", target_node="city-a", dr="offsite-backup", dr_node="province")
    with pytest.raises(PlanError) as info:
        plan_stack(moved, plan_addresses(moved, plan.ledger), "lab", "lab-city-a")
    assert (info.value.message, info.value.fix) == (
        "system 'relief-payments' runs on node 'city-a' but its owner 'city-b-civil' is hosted on 'city-b': "
        "its replication subnets have no pool to come from",
        "host city-b-civil on city-a or on the provincial platform, or move the system")


def test_a_provincial_node_sited_at_a_city_has_a_province_stack_of_its_own_listed_after_the_platform(lab) -> None:
    province, _ = lab
    data = province.model_dump(mode="json")
    platform = next(n for n in data["nodes"] if n["code"] == "province")
    north = {**platform, "code": "province-north", "name": "北部省级节点", "site": "city-a", "region": "RegionNorth",
             "routing": {"speaker_asn": 4200001004, "border_asn": 4200000000}}
    cities = [n for n in data["nodes"] if n["kind"] == "city"]
    # Listed in an order of their own: the platform is found by its code, not by its place.
    grown = Province.model_validate({**data, "nodes": [cities[0], north, platform, *cities[1:]]})
    assert stack_names(grown, "lab") == ["lab-province", "lab-province-north", "lab-city-a", "lab-city-b"]
    assert node_for_stack(grown, "lab", "lab-province-north").code == "province-north"
    assert node_for_stack(grown, "lab", "lab-province").code == "province"


def test_an_unknown_stack_is_refused_with_every_stack_of_the_environment(lab) -> None:
    province, _ = lab
    with pytest.raises(UsageError) as info:
        node_for_stack(province, "lab", "lab-city-z")
    assert (info.value.message, info.value.fix) == (
        "--stack 'lab-city-z' is not a stack of environment 'lab'", "use one of lab-province, lab-city-a, lab-city-b")


def test_each_stack_is_planned_with_its_own_options(lab) -> None:
    province, plan = lab
    asked = []

    def options_for(stack: str) -> StackOptions:
        asked.append(stack)
        return StackOptions(dr_image=f"image-of-{stack}")

    graphs = plan_stacks(province, plan, "lab", options_for=options_for)
    assert asked == ["lab-province", "lab-city-a", "lab-city-b"]
    images = {r.inputs["imageName"] for r in graphs[0].resources if r.type == t.INSTANCE}
    assert images == {"image-of-lab-province"}


@pytest.mark.parametrize("env", ["lab", "highland"])
def test_each_department_s_ipv4_pool_hands_out_the_province_s_subnet_length(env) -> None:
    environment = load_environment(env, ROOT)
    length = environment.province.ipam.ipv4_subnet_prefixlen
    pools = [r for g in plan_stacks(environment.province, plan_environment(environment), env) for r in g.resources
             if r.type == t.SUBNET_POOL and r.name.endswith("-pool-v4") and not r.name.startswith("transit-")]
    assert len(pools) == len(environment.province.departments)
    assert {(p.inputs["minPrefixlen"], p.inputs["defaultPrefixlen"]) for p in pools} == {(length, length)}


def test_a_node_without_routing_is_refused_before_its_stack_is_built(lab) -> None:
    province, plan = lab
    nodes = tuple(n.model_copy(update={"routing": None}) if n.code == "city-b" else n for n in province.nodes)
    with pytest.raises(PlanError) as info:
        plan_stack(province.model_copy(update={"nodes": nodes}), plan, "lab", "lab-city-b")
    assert (info.value.message, info.value.fix) == (
        "node 'city-b' has no routing: its BGP speaker needs its own ASN and the border router's",
        "add routing: {speaker_asn: ..., border_asn: ...} to node 'city-b'")


def test_a_node_the_address_plan_gives_no_transit_is_refused_with_the_command_that_plans_it(lab) -> None:
    province, plan = lab
    for missing in (transit_key("city-b"), v4_transit_key("city-b")):
        allocations = {k: v for k, v in plan.ledger.allocations.items() if k != missing}
        partial = AddressPlan(replace(plan.ledger, allocations=allocations))
        with pytest.raises(PlanError) as info:
            plan_stack(province, partial, "lab", "lab-city-b")
        assert (info.value.message, info.value.fix) == (
            "the address plan has no transit prefixes for node 'city-b'",
            "run `govcloud ipam plan --write-ledger` for this environment")


def test_an_attachment_built_without_scopes_or_routing_has_plain_subnets_and_no_speakers(lab) -> None:
    province, _ = lab
    node = province.node_by_code["city-a"].model_copy(update={"routing": None})
    plan = build_extranet_attachment(ExtranetAttachmentArgs(node, "192.0.2.0/26", "2001:db8:ff::/64"))
    specs = {s.name: s for s in plan.children}
    assert set(specs) == {"transit-city-a-net", "transit-city-a-v4", "transit-city-a-v6"}
    assert "segments" not in specs["transit-city-a-net"].inputs
    assert not any("subnetpoolId" in specs[f"transit-city-a-v{v}"].inputs for v in (4, 6))
    assert "bgpSpeakers" not in plan.outputs


def test_a_tenant_without_pools_exports_an_empty_set_of_pools(lab) -> None:
    province, plan = lab
    dept = province.department_by_code["city-a-edu"]
    tenant = build_department_tenant(DepartmentTenantArgs(dept, (), "192.0.2.0/24", "2001:db8::/56"))
    exported = stack_graph("fx", [tenant]).exports["departments"]["city-a-edu"]
    assert exported == {"projectId": tenant.outputs["projectId"], "routerIds": {}, "subnetPools": {}}
