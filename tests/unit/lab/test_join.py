"""Joining the labs, planned from the model: which bridge meets which border router's cloud interface,
and which transit addresses the BGP speaker takes there (where the border router holds the transit's
IPv6 prefix on its unified exit's link, the transit is plugged into that link's bridge too)."""

from __future__ import annotations

import pytest
from netaddr import IPNetwork

from govcloud.errors import LabError
from govcloud.ipam import plan_environment
from govcloud.ipam.requirements import transit_key, v4_transit_key
from govcloud.ipam.transit import speaker_address
from govcloud.lab.join import plan_joins, shared_transit_links, transit_bridge
from govcloud.lab.netlab.files import etc_files, runs_frr
from govcloud.lab.netlab.runtime import _links
from govcloud.lab.netlab.overlay import LAB_FACTS
from govcloud.model import load_folder
from govcloud.network.cloud_routing import peerings_by_site
from govcloud.network.environment import environment_topology

IDS = {"province": "0123456789abcdef-province", "city-a": "fedcba9876543210-city-a"}


@pytest.fixture(scope="module")
def lab(project_root):
    environment = load_folder(project_root / "inventories" / "lab", name="lab")
    plan = plan_environment(environment)
    return environment, plan, peerings_by_site(environment.province, plan)


def test_each_deployed_node_joins_its_border_router_with_the_speaker_addresses(lab):
    environment, plan, peerings = lab
    joins = {j.node: j for j in plan_joins(environment_topology(environment, LAB_FACTS), peerings, IDS,
                                           lambda site: f"ns-{site}")}
    assert set(joins) == set(IDS)  # city-b has no transit network yet: nothing to join
    city = joins["city-a"]
    assert (city.bridge, city.router_ns, city.cloud_if, city.veth) == ("brqfedcba98765", "ns-city-a", "cl0",
                                                                        "xt-city-a")
    v4, v6 = plan[v4_transit_key("city-a")], plan[transit_key("city-a")]
    assert city.speaker == (IPNetwork(f"{speaker_address(v4)}/{v4.prefixlen}"),
                            IPNetwork(f"{speaker_address(v6)}/{v6.prefixlen}"))
    assert (city.exit_link, city.exit_veth) == (None, None)
    # The core holds the province transit's IPv6 ::1 on its unified exit's link: the transit is
    # plugged into that link as well, and the speaker takes its IPv6 address.
    province = joins["province"]
    v6 = plan[transit_key("province")]
    assert province.speaker[1] == IPNetwork(f"{speaker_address(v6)}/{v6.prefixlen}")
    assert province.exit_link is not None and province.exit_veth == "xe-province"


def test_the_routers_link_to_a_unified_exit_on_its_nodes_transit_is_a_bridge_in_the_network_lab(lab):
    environment, plan, _ = lab
    topology = environment_topology(environment, LAB_FACTS)
    shared = {node.name: shared_transit_links(node) for node in topology.nodes if shared_transit_links(node)}
    assert list(shared) == ["core"] and list(shared["core"].values()) == ["province"]
    link = next(iter(shared["core"]))
    per_ns, _ = _links(topology)
    core = next(cmds for ns, cmds in per_ns.items() if ns.endswith("-core"))
    assert f"link add {link} type bridge mcast_snooping 0" in core
    assert f"link set {link}p master {link}" in core
    assert not any(cmd.startswith(f"link add {link} type veth") for cmd in core)
    # Without the cloud (the network lab alone) the link stays a plain veth.
    alone = environment_topology(environment, LAB_FACTS, cloud=False)
    assert not any(shared_transit_links(node) for node in alone.nodes)


def test_bridge_names_follow_the_linux_bridge_agent_and_fit_an_interface_name():
    assert transit_bridge("6d67a136-e1ab-40b4-969e-8d3d5da6aa43") == "brq6d67a136-e1"
    assert len(transit_bridge("6d67a136-e1ab-40b4-969e-8d3d5da6aa43")) <= 15


def test_a_network_lab_without_cloud_interfaces_is_refused_with_the_fix(lab):
    environment, _, peerings = lab
    alone = environment_topology(environment, LAB_FACTS, cloud=False)
    with pytest.raises(LabError) as error:
        plan_joins(alone, peerings, IDS, lambda site: site)
    assert "netlab up" in error.value.fix


def test_bgpd_runs_on_the_border_routers_only(lab):
    environment, _, _ = lab
    topology = environment_topology(environment, LAB_FACTS)
    daemons = {node.name: etc_files(node)["frr/daemons"] for node in topology.nodes if runs_frr(node)}
    borders = {node.name for node in topology.nodes if node.cloud_peerings}
    assert borders == {"core", "city-a", "city-b"}
    assert {name for name, text in daemons.items() if "bgpd=yes\n" in text} == borders
    assert all("bgpd=no\n" in text for name, text in daemons.items() if name not in borders)


def test_a_cloud_router_exit_leaves_the_border_s_transit_address_on_its_cloud_interface(lab):
    # Built as the province cloud's own router, the exit is no device of the network lab: the core
    # has no link to it, holds the transit's ::1 on its cloud interface, and the join plugs only that.
    from govcloud.model import ExitKind
    from govcloud.network.topology import build_topology

    environment, plan, peerings = lab
    province = environment.province
    exits = tuple(ex.model_copy(update={"kind": ExitKind.CLOUD_ROUTER}) if ex.code == "unified-province" else ex
                  for ex in province.exits)
    province = province.model_copy(update={"exits": exits})
    topology = build_topology("lab", province, plan, LAB_FACTS, peerings_by_site(province, plan))
    assert not any(shared_transit_links(node) for node in topology.nodes)
    joins = {j.node: j for j in plan_joins(topology, peerings, IDS, lambda site: f"ns-{site}")}
    v6 = plan[transit_key("province")]
    assert (joins["province"].exit_link, joins["province"].exit_veth) == (None, None)
    assert joins["province"].speaker[1] == IPNetwork(f"{speaker_address(v6)}/{v6.prefixlen}")
