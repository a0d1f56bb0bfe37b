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
