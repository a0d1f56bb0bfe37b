"""The router-level topology of the lab province: addresses from the model and the plan."""

from __future__ import annotations

import pytest
from netaddr import IPNetwork

from govcloud.errors import InputError
from govcloud.ipam import plan_environment
from govcloud.model import load_folder
from govcloud.network.environment import environment_topology
from govcloud.lab.netlab.overlay import LAB_FACTS, MGMT_NETWORK, with_lab_internet
from govcloud.network.topology import NodeRole, build_topology


@pytest.fixture(scope="module")
def lab(project_root):
    environment = load_folder(project_root / "inventories" / "lab", name="lab")
    return environment, plan_environment(environment), with_lab_internet(environment_topology(environment, LAB_FACTS))


def test_one_node_per_site_exit_department_host_and_the_internet(lab):
    environment, _, topology = lab
    p = environment.province
    hosts = [u for s in p.sites for u in s.units if u.department]
    assert len(topology.by_role(NodeRole.ROUTER)) == len(p.sites)
    assert len(topology.by_role(NodeRole.EXIT)) == len(p.exits)
    assert len(topology.by_role(NodeRole.HOST)) == len(hosts)
    assert [n.name for n in topology.by_role(NodeRole.INTERNET)] == ["internet"]


def test_ipv6_addresses_come_from_the_plan(lab):
    _, plan, topology = lab
    core = topology.node("core")
    assert core.interface("lo").ipv6.ip == plan["loopback:core"].ip + 1
    link = plan["link:core--city-a"]
    down = next(i for i in core.interfaces if i.peer == "city-a")
    up = next(i for i in topology.node("city-a").interfaces if i.peer == "core")
    # RFC 6164: a /127 inside the reserved /64, upstream even, downstream odd.
    assert (down.ipv6.prefixlen, up.ipv6.prefixlen) == (127, 127)
    assert down.ipv6.ip in link and up.ipv6.ip == down.ipv6.ip + 1
    lans = {iface.ra_prefix for node in topology.by_role(NodeRole.ROUTER) for iface in node.interfaces
            if iface.ra_prefix is not None}
    assert lans == {a.prefix for a in plan.allocations if a.key.startswith("lan:")}


def test_ipv4_today_comes_from_each_sites_range(lab):
    environment, _, topology = lab
    for site in environment.province.sites:
        node = topology.node(site.code)
        for iface in node.interfaces:
            if iface.kind in ("loopback", "lan") or iface.name.startswith(("dn", "ex")):
                assert iface.ipv4.ip in site.ipv4_in_use[0], (node.name, iface.name)


def test_only_the_unified_exit_gets_ipv6_and_a_translation_prefix(lab):
    _, _, topology = lab
    exits = {n.name: n for n in topology.by_role(NodeRole.EXIT)}
    assert exits["unified-province"].takes_ipv6
    assert exits["unified-province"].translate_v6 == IPNetwork("2001:db8:ffff:100::/56")
    assert not exits["legacy-city-a"].takes_ipv6 and exits["legacy-city-a"].translate_v6 is None
    assert exits["legacy-city-a"].default_metric < exits["unified-province"].default_metric


def test_every_node_has_its_own_management_address(lab):
    _, _, topology = lab
    addresses = [n.mgmt.ip for n in topology.nodes]
    assert len(set(addresses)) == len(addresses)
    assert all(a in MGMT_NETWORK and a != topology.mgmt_gateway for a in addresses)


def test_wires_join_interfaces_that_exist(lab):
    _, _, topology = lab
    for wire in topology.wires:
        assert topology.node(wire.a).interface(wire.a_ifname)
        assert topology.node(wire.b).interface(wire.b_ifname)
        assert len(wire.a_ifname) <= 15 and len(wire.b_ifname) <= 15


def test_a_site_without_ipv4_in_use_is_an_input_error(lab):
    environment, plan, _ = lab
    sites = list(environment.province.sites)
    sites[1] = sites[1].model_copy(update={"ipv4_in_use": ()})
    province = environment.province.model_copy(update={"sites": tuple(sites)})
    with pytest.raises(InputError, match="no ipv4_in_use"):
        build_topology("lab", province, plan, LAB_FACTS)


def test_a_site_using_the_management_range_is_an_input_error(lab):
    environment, plan, _ = lab
    sites = list(environment.province.sites)
    sites[1] = sites[1].model_copy(update={"ipv4_in_use": (IPNetwork("198.18.255.0/24"),)})
    province = environment.province.model_copy(update={"sites": tuple(sites)})
    with pytest.raises(InputError, match="management"):
        build_topology("lab", province, plan, LAB_FACTS)


def _exit_built_as(province, code: str, kind: str):
    from govcloud.model import ExitKind

    exits = tuple(ex.model_copy(update={"kind": ExitKind(kind)}) if ex.code == code else ex for ex in province.exits)
    return province.model_copy(update={"exits": exits})


def test_an_appliance_exit_is_drawn_beside_its_node_s_border_router_at_the_transit_s_exit_address(lab):
    environment, plan, topology = lab
    assert next(e for e in environment.province.exits if e.code == "unified-province").kind.value == "appliance"
    appliance = topology.node("unified-province")
    assert appliance.role is NodeRole.EXIT
    transit = plan["transit:province"]
    assert appliance.interface("in0").ipv6.ip == transit.network + 2
    link = next(i for i in topology.node("core").interfaces if i.peer == "unified-province")
    assert link.ipv6.ip == transit.network + 1


def test_a_cloud_router_exit_is_no_device_of_the_extranet_and_no_role_reaches_it(lab):
    from govcloud.network.cloud_routing import peerings_by_site
    from govcloud.network.inventory import inventory_data

    environment, plan, appliance_topology = lab
    province = _exit_built_as(environment.province, "unified-province", "cloud-router")
    topology = build_topology("lab", province, plan, LAB_FACTS, peerings_by_site(province, plan))
    assert "unified-province" not in {n.name for n in topology.nodes}
    assert [n.name for n in topology.by_role(NodeRole.EXIT)] == ["legacy-prov-health", "legacy-city-a"]
    assert not [w for w in topology.wires if "unified-province" in (w.a, w.b)]
    core = topology.node("core")
    assert not [i for i in core.interfaces if i.peer == "unified-province"]
    # The border's transit ::1 is then on its cloud interface (the stack's exit router holds ::2).
    cloud = next(i for i in core.interfaces if i.kind == "cloud" and i.peer == "cloud-province")
    assert cloud.ipv6.ip == plan["transit:province"].network + 1
    hosts = inventory_data(topology)["all"]["children"]
    assert "unified-province" not in hosts["exits"]["hosts"]
    assert "exits_unified" not in hosts  # the internet_exit role configures no unified exit
    assert "unified-province" in inventory_data(appliance_topology)["all"]["children"]["exits"]["hosts"]
