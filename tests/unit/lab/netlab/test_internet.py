"""The lab's simulated internet, added to the production topology by the lab: the ISP end of each
exit's uplink, routes back to what the exits translate to, numbered after the other nodes."""

from __future__ import annotations

import pytest
from netaddr import IPNetwork

from govcloud.lab.netlab.internet import INTERNET, with_simulated_internet
from govcloud.lab.netlab.overlay import LAB_FACTS, LAB_INTERNET
from govcloud.model.loader import load_folder
from govcloud.network.environment import environment_topology
from govcloud.network.topology import MGMT_FIRST_OFFSET, NodeRole, Wire


@pytest.fixture(scope="module")
def topologies(project_root):
    production = environment_topology(load_folder(project_root / "inventories" / "lab", name="lab"), LAB_FACTS)
    return production, with_simulated_internet(production, LAB_INTERNET)


def test_the_internet_holds_the_isp_end_of_every_uplink(topologies):
    production, lab = topologies
    exits = production.by_role(NodeRole.EXIT)
    internet = lab.node(INTERNET)
    uplinks = [i for i in internet.interfaces if i.kind == "uplink"]
    assert [(i.name, i.peer) for i in uplinks] == [(f"isp{n}", ex.name) for n, ex in enumerate(exits)]
    for ex, isp in zip(exits, uplinks):
        assert isp.ipv4.ip == ex.isp_v4 and isp.ipv4.prefixlen == ex.interface("isp0").ipv4.prefixlen
        assert (isp.ipv6.ip if isp.ipv6 is not None else None) == ex.isp_v6
    assert internet.interface("lo").ipv4 == IPNetwork(f"{LAB_INTERNET.server_v4}/32")


def test_it_routes_back_to_what_each_exit_translates_to(topologies):
    production, lab = topologies
    translating = [ex for ex in production.by_role(NodeRole.EXIT) if ex.translate_v6 is not None]
    assert translating, "the lab has an exit that translates IPv6"
    assert [(r.prefix, r.via) for r in lab.node(INTERNET).routes] == \
        [(ex.translate_v6, ex.interface("isp0").ipv6.ip) for ex in translating]


def test_each_uplink_wire_follows_its_exits_transit_wire_and_nothing_else_changes(topologies):
    production, lab = topologies
    added = [w for w in lab.wires if w not in production.wires]
    assert added == [Wire(ex.name, "isp0", INTERNET, f"isp{n}")
                     for n, ex in enumerate(production.by_role(NodeRole.EXIT))]
    for wire in added:
        before = lab.wires[lab.wires.index(wire) - 1]
        assert (before.b, before.b_ifname) == (wire.a, "in0")
    assert [w for w in lab.wires if w not in added] == list(production.wires)
    assert lab.nodes[:-1] == production.nodes


def test_it_is_numbered_in_the_management_network_after_the_others(topologies):
    production, lab = topologies
    mgmt = LAB_FACTS.mgmt_network
    assert lab.node(INTERNET).mgmt == IPNetwork(f"{mgmt[MGMT_FIRST_OFFSET + len(production.nodes)]}/{mgmt.prefixlen}")
