"""The stack graph of the lab province, as data: what every stack holds and what it must not."""

from __future__ import annotations

from pathlib import Path

import pytest
from netaddr import IPAddress, IPNetwork

from govcloud.components.factory import resource_class
from govcloud.errors import UsageError
from govcloud.ipam import plan_addresses, plan_environment
from govcloud.model import Province, load_environment
from govcloud.model.routing import TransitSegment
from govcloud.stackgraph import Lookup, Ref, StackOutputRef, plan_stack, plan_stacks, stack_names
from govcloud.stackgraph import tokens as t
from govcloud.errors import InputError
from govcloud.stackgraph.options import options_from_config, read_stack_options

ROOT = Path(__file__).resolve().parents[3]


# Built for each test (a few ms): mutation testing (mutmut) credits a function to the test during which
# it ran, so a module-wide fixture would credit the whole plan to the first test alone.
@pytest.fixture
def lab():
    environment = load_environment("lab", ROOT)
    plan = plan_environment(environment)
    return environment.province, plan, plan_stacks(environment.province, plan, "lab")


def test_one_stack_per_node_province_first(lab):
    province, _, graphs = lab
    assert stack_names(province, "lab") == ["lab-province", "lab-city-a", "lab-city-b"]
    assert [g.stack for g in graphs] == ["lab-province", "lab-city-a", "lab-city-b"]


def test_unknown_stack_names_the_known_ones(lab):
    province, plan, _ = lab
    with pytest.raises(UsageError, match="lab-city-a"):
        plan_stack(province, plan, "lab", "lab-city-z")


def test_every_department_has_dual_stack_networks_from_the_plan(lab):
    province, plan, graphs = lab
    specs = {r.name: r for g in graphs for r in g.resources}
    for dept in province.departments:
        for net in dept.networks:
            v4 = specs[f"{dept.code}-{net.name}-v4"].inputs
            v6 = specs[f"{dept.code}-{net.name}-v6"].inputs
            assert v4["ipVersion"] == 4 and v4["cidr"] == str(plan[f"v4:subnet:{dept.code}/{net.name}"])
            assert v6["ipVersion"] == 6 and v6["cidr"] == str(plan[f"subnet:{dept.code}/{net.name}"])
            assert IPNetwork(v6["cidr"]).prefixlen == 64
            assert v6["ipv6RaMode"] == v6["ipv6AddressMode"] == net.ipv6_mode.value
            assert v4["networkId"] == v6["networkId"] == Ref(f"{dept.code}-{net.name}-net")


def test_each_department_lives_in_its_nodes_stack(lab):
    province, _, graphs = lab
    by_stack = {g.stack: {r.name for r in g.resources if r.type == t.PROJECT} for g in graphs}
    assert by_stack["lab-province"] == {"prov-gov-office-project", "prov-health-project"}
    assert by_stack["lab-city-a"] == {"city-a-edu-project", "county-a1-agri-project"}
    assert by_stack["lab-city-b"] == {"city-b-civil-project"}


def test_refs_point_backwards_within_the_stack(lab):
    _, _, graphs = lab
    for graph in graphs:
        seen: set[str] = set()
        for spec in graph.resources:
            for ref in spec.refs():
                assert ref.name in seen, f"{graph.stack}: {spec.name} refers to {ref.name} before it exists"
            assert spec.parent is None or spec.parent in seen
            seen.add(spec.name)


def test_urns_are_unique(lab):
    _, _, graphs = lab
    for graph in graphs:
        assert len(graph.urns()) == len(graph.resources)


def test_every_input_is_a_provider_property(lab):
    """Spec property names are the engine's camelCase names of pulumi-openstack's schema."""
    _, _, graphs = lab
    for spec in (r for g in graphs for r in g.resources if r.type.startswith("openstack:")):
        _, names = resource_class(spec.type)
        assert set(spec.inputs) <= set(names), spec.name


def test_taggable_resources_carry_the_managed_tag(lab):
    _, _, graphs = lab
    for spec in (r for g in graphs for r in g.resources if r.type in t.TAGGED):
        assert "govcloud:managed" in spec.inputs["tags"], spec.name
        assert list(spec.inputs["tags"]) == sorted(spec.inputs["tags"])
    project = next(r for r in graphs[0].resources if r.name == "prov-gov-office-project")
    assert {"dept:prov-gov-office", "mlps:3"} <= set(project.inputs["tags"])
    assert "省人民政府办公厅" in project.inputs["description"]


def _exit_built_as(province: Province, code: str, kind: str) -> Province:
    from govcloud.model import ExitKind

    exits = tuple(ex.model_copy(update={"kind": ExitKind(kind)}) if ex.code == code else ex for ex in province.exits)
    return province.model_copy(update={"exits": exits})


def _internet_gateways(graphs) -> list[tuple[str, str]]:
    return [(g.stack, r.name) for g in graphs for r in g.resources
            if r.type == t.ROUTER and isinstance(r.inputs.get("externalNetworkId"), Lookup)]


def _holders_of_the_exit_address(graph, plan, node: str) -> list[str]:
    """Ports of the stack at +2 of the node's transit prefixes (the exit's address)."""
    wanted = {str(plan[key].network + 2) for key in (f"transit:{node}", f"v4:transit:{node}")}
    return [r.name for r in graph.resources if r.type == t.PORT
            and any(ip.get("ipAddress") in wanted for ip in r.inputs.get("fixedIps", []))]


def test_an_appliance_exit_gets_no_router_in_any_stack(lab):
    # The lab's unified exit is the network's appliance (exits.yaml kind: appliance): the
    # topology draws it at the transit's +2, so no stack may hold a copy there.
    province, plan, graphs = lab
    assert next(e for e in province.exits if e.code == "unified-province").kind.value == "appliance"
    assert _internet_gateways(graphs) == []
    assert [r.name for g in graphs for r in g.resources if r.type == t.UNIFIED_EXIT] == []
    assert _holders_of_the_exit_address(graphs[0], plan, "province") == []


def test_a_cloud_router_exit_gets_the_only_internet_gateway_at_the_transit_s_exit_address(lab):
    province, plan, _ = lab
    province = _exit_built_as(province, "unified-province", "cloud-router")
    graphs = plan_stacks(province, plan, "lab")
    assert _internet_gateways(graphs) == [("lab-province", "unified-province-router")]
    lookup = graphs[0].by_name()["unified-province-router"].inputs["externalNetworkId"]
    assert dict(lookup.args)["name"] == "public"
    assert sorted(_holders_of_the_exit_address(graphs[0], plan, "province")) == [
        "unified-province-transit-province-v4-port", "unified-province-transit-province-v6-port"]
    # Only the node the exit serves builds it.
    assert [g.stack for g in graphs if any(r.type == t.UNIFIED_EXIT for r in g.resources)] == ["lab-province"]


def test_business_routers_take_their_gateway_on_their_nodes_transit_without_snat(lab):
    _, _, graphs = lab
    for graph in graphs:
        transit = next(r.name for r in graph.resources if r.type == t.NETWORK and r.name.startswith("transit-"))
        for router in (r for r in graph.resources if r.type == t.ROUTER and "purpose:business" in r.inputs["tags"]):
            assert router.inputs["externalNetworkId"] == Ref(transit), (graph.stack, router.name)
            assert router.inputs["enableSnat"] is False
        for router in (r for r in graph.resources if r.type == t.ROUTER and "purpose:management" in r.inputs["tags"]):
            assert "externalNetworkId" not in router.inputs, (graph.stack, router.name)


def test_every_node_has_one_bgp_speaker_per_family_peering_with_its_border(lab):
    _, _, graphs = lab
    for graph in graphs:
        speakers = [r for r in graph.resources if r.type == t.BGP_SPEAKER]
        peers = {r.name: r for r in graph.resources if r.type == t.BGP_PEER}
        assert sorted(s.inputs["ipVersion"] for s in speakers) == [4, 6], graph.stack
        for speaker in speakers:
            [peer_ref] = speaker.inputs["peers"]
            peer = peers[peer_ref.name].inputs
            assert IPAddress(peer["peerIp"]).version == speaker.inputs["ipVersion"]
            assert peer["remoteAs"] != speaker.inputs["localAs"]


def test_management_ports_are_never_open_to_the_world(lab):
    _, _, graphs = lab
    rules = [r.inputs for g in graphs for r in g.resources if r.type == t.SEC_GROUP_RULE]
    assert rules
    for rule in rules:
        if rule.get("portRangeMin") is not None:
            assert rule.get("remoteIpPrefix") not in ("0.0.0.0/0", "::/0")
    assert any(r["protocol"] == "ipv6-icmp" for r in rules)


def test_quotas_carry_only_named_fields(lab):
    _, _, graphs = lab
    specs = {r.name: r for g in graphs for r in g.resources}
    assert set(specs["city-a-edu-compute-quota"].inputs) == {"projectId", "instances", "cores"}
    assert "city-a-edu-network-quota" not in specs and "city-b-civil-compute-quota" not in specs


def test_city_stacks_read_the_scopes_from_the_province(lab):
    _, _, graphs = lab
    city = graphs[1]
    assert city.resources[0].type == t.STACK_REFERENCE and city.resources[0].name == "lab-province"
    pool = city.by_name()["city-a-edu-pool-v6"]
    assert pool.inputs["addressScopeId"] == StackOutputRef("lab-province", "addressScopeV6Id")


def test_dr_pairs_sit_in_the_target_nodes_stack(lab):
    _, _, graphs = lab
    names = {r.name for r in graphs[0].resources if r.type == t.DR_PAIR}
    assert names == {"unified-identity-dr", "e-licence-dr", "health-records-dr"}
    assert not any(r.type == t.DR_PAIR for g in graphs[1:] for r in g.resources)


def test_adding_a_department_adds_only_its_resources(lab):
    province, plan, graphs = lab
    added = {"code": "city-b-water", "name": "乙市水利局", "tier": "city", "node": "city-b", "site": "city-b"}
    data = province.model_dump(mode="json")
    # Validate afresh: model_copy would carry over the model's cached indexes.
    grown = Province.model_validate({**data, "departments": [*data["departments"], added]})
    grown_plan = plan_addresses(grown, plan.ledger)
    before = {g.stack: g for g in graphs}
    for graph in plan_stacks(grown, grown_plan, "lab"):
        old = before[graph.stack].urns()
        new = graph.urns()
        for urn in old:
            assert new[urn] == old[urn], urn  # nothing existing changes
        extra = {new[u].name for u in set(new) - set(old)}
        if graph.stack == "lab-city-b":
            assert extra and all(n.startswith("city-b-water") for n in extra)
        else:
            assert not extra


def test_plans_are_deterministic(lab):
    province, plan, graphs = lab
    assert plan_stacks(province, plan, "lab") == graphs


def test_stack_options_come_from_the_stack_config(tmp_path):
    assert read_stack_options(ROOT, "lab-province").dr_image == "govcloud-lab-raw"
    assert read_stack_options(tmp_path, "nowhere").dr_flavor == "m1.small"


def test_management_networks_get_their_own_router(lab):
    _, _, graphs = lab
    specs = graphs[0].by_name()
    assert specs["prov-gov-office-management-v4-if"].inputs["routerId"] == Ref("prov-gov-office-management-router")
    assert specs["prov-gov-office-business-v4-if"].inputs["routerId"] == Ref("prov-gov-office-router")
    assert "prov-health-management-router" not in specs  # no management network, no extra router


def test_level_3_dr_data_sits_on_the_encrypted_volume_type(lab):
    province, plan, _ = lab
    graph = plan_stack(province, plan, "lab", "lab-province", read_stack_options(ROOT, "lab-province"))
    volumes = [r for r in graph.resources if r.type == t.VOLUME]
    assert volumes and all(v.inputs["volumeType"] == "encrypted" for v in volumes)  # every DR system is level 3


def test_replication_subnets_are_the_address_plan_allocations_of_the_pair():
    from govcloud.ipam.requirements import replication_key, v4_replication_key

    environment = load_environment("lab", ROOT)
    plan = plan_environment(environment)
    graph = plan_stack(environment.province, plan, "lab", "lab-province")
    cidrs = {r.name: r.inputs["cidr"] for r in graph.resources
             if r.type == t.SUBNET and "-repl-" in r.name}
    expected = {f"unified-identity-{side}-repl-v{v}": str(plan[key("unified-identity", side)])
                for side in ("a", "b") for v, key in ((4, v4_replication_key), (6, replication_key))}
    assert cidrs == expected
    assert IPNetwork(expected["unified-identity-a-repl-v4"]).prefixlen == 28
    assert IPNetwork(expected["unified-identity-a-repl-v6"]) in plan["dept:prov-gov-office"]


def test_bgp_speakers_can_be_left_out_where_neutron_lacks_dynamic_routing(lab):
    province, plan, _ = lab
    without = plan_stack(province, plan, "lab", "lab-city-a", options_from_config({"bgpSpeakers": "false"}))
    assert not [r for r in without.resources if r.type in (t.BGP_SPEAKER, t.BGP_PEER)]
    # The routers keep their transit gateway: only the advertisement is missing.
    assert without.by_name()["city-a-edu-router"].inputs["enableSnat"] is False
    assert options_from_config({"bgpSpeakers": True}).bgp_speakers is True
    assert options_from_config({}).bgp_speakers is True
    with pytest.raises(InputError, match="govcloud:bgpSpeakers"):
        options_from_config({"bgpSpeakers": "sometimes"})


def test_the_lab_stacks_make_their_speakers_as_a_province_s_would():
    for stack in ("lab-province", "lab-city-a", "lab-city-b"):
        assert read_stack_options(ROOT, stack).bgp_speakers is True


def test_the_transit_is_a_provider_network_where_the_model_names_its_segment(lab):
    province, plan, _ = lab
    city_a = province.node_by_code["city-a"]
    segment = {"physical_network": "extranet", "network_type": "vlan", "segmentation_id": 120}
    routing = city_a.routing.model_copy(update={"transit_segment": TransitSegment(**segment)})
    nodes = tuple(n.model_copy(update={"routing": routing}) if n.code == "city-a" else n for n in province.nodes)
    graph = plan_stack(province.model_copy(update={"nodes": nodes}), plan, "lab", "lab-city-a")
    assert graph.by_name()["transit-city-a-net"].inputs["segments"] == [
        {"networkType": "vlan", "physicalNetwork": "extranet", "segmentationId": 120}]
    plain = plan_stack(province, plan, "lab", "lab-city-a")
    assert "segments" not in plain.by_name()["transit-city-a-net"].inputs
    with pytest.raises(ValueError, match="segmentation_id"):
        TransitSegment(physical_network="extranet", network_type="vlan")
