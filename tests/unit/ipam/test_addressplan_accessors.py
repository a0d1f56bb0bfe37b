"""The address plan's typed accessors: a department's block, a network's subnets, a node's transit,
a dual-active system's replication subnets, each as an IPv4 and an IPv6 prefix."""

from __future__ import annotations

from netaddr import IPNetwork

from govcloud.ipam import plan_addresses
from govcloud.ipam.addressplan import DualStack
from govcloud.ipam.requirements import department_key, subnet_key, v4_department_key, v4_subnet_key

from support.provinces import build_province


def test_a_department_and_its_networks_come_in_both_families_inside_each_other():
    province = build_province({"c0": {}}, {"core": 1})
    plan = plan_addresses(province)
    dept = province.departments[0]
    block = plan.department_block(dept.code)
    assert block == DualStack(plan[v4_department_key(dept.code)], plan[department_key(dept.code)])
    assert (block.v4.version, block.v6.version) == (4, 6)
    for network in dept.networks:
        subnets = plan.network_subnets(dept.code, network.name)
        assert subnets.v4 in block.v4 and subnets.v6 in block.v6
        assert subnets.as_strings() == (str(plan[v4_subnet_key(dept.code, network.name)]),
                                        str(plan[subnet_key(dept.code, network.name)]))


def test_a_node_without_both_transit_prefixes_has_no_transit():
    plan = plan_addresses(build_province({"c0": {}}, {"core": 1}))
    assert plan.transit("no-such-node") is None


def test_as_strings_is_cidr_notation():
    pair = DualStack(IPNetwork("192.0.2.0/24"), IPNetwork("2001:db8::/48"))
    assert pair.as_strings() == ("192.0.2.0/24", "2001:db8::/48")


def _lab():
    from pathlib import Path

    from govcloud.ipam import plan_environment
    from govcloud.model import load_environment

    environment = load_environment("lab", Path(__file__).resolve().parents[3])
    return environment.province, plan_environment(environment)


def test_the_two_sides_of_a_dual_active_system_replicate_in_its_owner_s_blocks():
    province, plan = _lab()
    system = next(s for s in province.systems if s.dr.value == "dual-active")
    block = plan.department_block(system.owner)
    a, b = plan.replication_subnets(system.code, "a"), plan.replication_subnets(system.code, "b")
    assert a != b and a.v4 in block.v4 and b.v4 in block.v4 and a.v6 in block.v6 and b.v6 in block.v6
    assert (a.v4.version, a.v6.version) == (4, 6)


def test_every_node_has_a_transit_of_both_families_and_one_family_alone_is_no_transit():
    from dataclasses import replace

    from govcloud.ipam import AddressPlan
    from govcloud.ipam.requirements import transit_key, v4_transit_key

    province, plan = _lab()
    transits = {n.code: plan.transit(n.code) for n in province.nodes}
    assert all(t is not None and (t.v4.version, t.v6.version) == (4, 6) for t in transits.values())
    assert len({t.v4 for t in transits.values()}) == len({t.v6 for t in transits.values()}) == len(transits)
    for missing in (transit_key("city-a"), v4_transit_key("city-a")):
        allocations = {k: v for k, v in plan.ledger.allocations.items() if k != missing}
        assert AddressPlan(replace(plan.ledger, allocations=allocations)).transit("city-a") is None
