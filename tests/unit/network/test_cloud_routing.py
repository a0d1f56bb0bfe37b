"""Where the clouds meet the extranet, from the border router's side: which prefixes each border
router accepts (exactly the plan's, business networks only), which addresses the sessions use,
and the FRR configuration the role renders from them (validated by FRR's own parser)."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest
from netaddr import IPNetwork

from govcloud.errors import InputError
from govcloud.ipam import plan_environment
from govcloud.ipam.requirements import subnet_key, transit_key, v4_subnet_key, v4_transit_key
from govcloud.model import load_folder
from govcloud.network.cloud_routing import cloud_peering, node_prefixes, one_border_asn, peerings_by_site
from govcloud.network.hostvars import ipv6_extranet_vars, render_frr_conf
from govcloud.network.environment import environment_topology, speaking_nodes
from govcloud.network.topology import build_topology
from govcloud.lab.netlab.overlay import LAB_FACTS


@pytest.fixture(scope="module")
def lab(project_root):
    environment = load_folder(project_root / "inventories" / "lab", name="lab")
    return environment, plan_environment(environment)


@pytest.fixture(scope="module")
def topology(lab):
    environment, _ = lab
    return environment_topology(environment, LAB_FACTS)  # without stack settings: every node speaks


def test_a_node_accepts_exactly_its_departments_business_subnets(lab):
    environment, plan = lab
    v4, v6 = node_prefixes(environment.province, plan, "province")
    assert set(v6) == {plan[subnet_key("prov-gov-office", "business")], plan[subnet_key("prov-health", "business")]}
    assert set(v4) == {plan[v4_subnet_key("prov-gov-office", "business")],
                       plan[v4_subnet_key("prov-health", "business")]}
    # Management networks never reach the extranet (MLPS 8.1.5.4a): not accepted either.
    assert plan[subnet_key("prov-gov-office", "management")] not in v6
    # Another node's departments are not this node's prefixes.
    assert plan[subnet_key("city-a-edu", "business")] not in v6


def test_the_sessions_use_the_transit_addresses_the_stack_graph_gives_neutron(lab):
    environment, plan = lab
    peering = cloud_peering(environment.province, plan, environment.province.node_by_code["city-a"])
    transit6, transit4 = plan[transit_key("city-a")], plan[v4_transit_key("city-a")]
    assert peering.border_v6 == IPNetwork(f"{transit6.network + 1}/64") and peering.border_v6.ip == transit6.network + 1
    assert peering.speaker_v6 == transit6.network + 3 and peering.speaker_v4 == transit4.network + 3
    assert (peering.site, peering.speaker_asn, peering.border_asn) == ("city-a", 4200001002, 4200000000)


def test_one_border_router_has_one_asn(lab):
    environment, plan = lab
    peering = cloud_peering(environment.province, plan, environment.province.node_by_code["city-a"])
    twin = replace(peering, node="city-a2", speaker_asn=4200001009, border_asn=4200000007)
    assert one_border_asn("city-a", (peering, replace(twin, border_asn=peering.border_asn)))
    with pytest.raises(InputError, match="different ASNs"):
        one_border_asn("city-a", (peering, twin))


def test_border_routers_get_a_cloud_interface_and_others_none(topology):
    core = topology.node("core")
    assert [p.node for p in core.cloud_peerings] == ["province"]
    cloud = [i for i in core.interfaces if i.kind == "cloud"]
    assert len(cloud) == 1 and cloud[0].stub and not cloud[0].ospf
    # The core already holds the transit's IPv6 /64 towards the unified exit: not twice.
    assert cloud[0].ipv6 is None and cloud[0].ipv4 == core.cloud_peerings[0].border_v4
    city = topology.node("city-a")
    assert [i.ipv6 for i in city.interfaces if i.kind == "cloud"] == [city.cloud_peerings[0].border_v6]
    assert not topology.node("county-a1").cloud_peerings
    assert "ipv6_extranet_cloud_bgp" not in ipv6_extranet_vars(topology.node("county-a1"))


def test_the_lab_stack_settings_give_every_node_s_border_router_its_session(lab, project_root):
    environment, _ = lab
    assert speaking_nodes(environment, project_root) == {"province", "city-a", "city-b"}
    topology = environment_topology(environment, LAB_FACTS, project_root)
    assert {n.name: [p.node for p in n.cloud_peerings] for n in topology.nodes if n.cloud_peerings} == {
        "core": ["province"], "city-a": ["city-a"], "city-b": ["city-b"]}


def test_a_stack_that_makes_no_speakers_leaves_its_border_router_without_a_session(lab, tmp_path):
    environment, _ = lab
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (tmp_path / "Pulumi.yaml").write_text("name: govcloud\nruntime: python\nstackConfigDir: stacks\n")
    for stack in ("lab-province", "lab-city-a", "lab-city-b"):
        speaks = "false" if stack == "lab-city-b" else "true"
        (stacks / f"Pulumi.{stack}.yaml").write_text(f"config:\n  govcloud:env: lab\n  govcloud:bgpSpeakers: {speaks}\n")
    assert speaking_nodes(environment, tmp_path) == {"province", "city-a"}
    topology = environment_topology(environment, LAB_FACTS, tmp_path)
    assert not topology.node("city-b").cloud_peerings and topology.node("core").cloud_peerings


def test_the_extranet_alone_has_no_cloud_sessions_even_where_every_node_speaks(lab):
    environment, _ = lab
    with_cloud = environment_topology(environment, LAB_FACTS)  # no stack settings: every node speaks
    assert {n.name for n in with_cloud.nodes if n.cloud_peerings} == {"core", "city-a", "city-b"}
    alone = environment_topology(environment, LAB_FACTS, cloud=False)
    assert not any(n.cloud_peerings for n in alone.nodes)
    assert not any(i.kind == "cloud" for n in alone.nodes for i in n.interfaces)


def test_rendered_bgp_accepts_only_the_planned_prefixes_and_feeds_ospf(topology, lab):
    environment, plan = lab
    text = render_frr_conf(topology.node("city-a"), ipv6=True)
    edu6, edu4 = plan[subnet_key("city-a-edu", "business")], plan[v4_subnet_key("city-a-edu", "business")]
    assert f"ipv6 prefix-list CLOUD-CITY-A-V6 seq 5 permit {edu6}\n" in text
    assert f"ip prefix-list CLOUD-CITY-A-V4 seq 5 permit {edu4}\n" in text
    accept4, accept6 = node_prefixes(environment.province, plan, "city-a")
    assert edu4 in accept4 and edu6 in accept6
    # Exactly the planned prefixes are permitted, plus one route-map entry per family.
    assert text.count(" permit ") == len(accept4) + len(accept6) + 2
    assert "router bgp 4200000000\n" in text and " neighbor 198.19.80.3 remote-as 4200001002\n" in text
    assert " neighbor 198.19.80.3 route-map CLOUD-CITY-A-V4-IN in\n" in text
    assert text.count(" redistribute bgp\n") == 2  # into OSPF and OSPFv3
    # Before the IPv6 rollout only the IPv4 session exists.
    before = render_frr_conf(topology.node("city-a"), ipv6=False)
    assert "ipv6 prefix-list" not in before and "address-family ipv6" not in before
    assert " neighbor 198.19.80.3 activate\n" in before


def test_a_node_without_departments_accepts_nothing(lab):
    environment, plan = lab
    province = environment.province
    bare = province.model_copy(update={"departments": tuple(d for d in province.departments if d.node != "city-b")})
    topology = build_topology("lab", bare, plan, LAB_FACTS, peerings_by_site(bare, plan))
    text = render_frr_conf(topology.node("city-b"), ipv6=True)
    assert "ip prefix-list CLOUD-CITY-B-V4 seq 5 deny any\n" in text
    assert "ipv6 prefix-list CLOUD-CITY-B-V6 seq 5 deny any\n" in text


def test_frr_accepts_the_rendered_bgp(topology, tmp_path):
    # FRR's own parser (vtysh -C); FRR is part of the network lab's packages on this machine.
    for node in ("core", "city-a", "city-b"):
        for ipv6 in (False, True):
            conf = tmp_path / f"{node}-{ipv6}.conf"
            conf.write_text(render_frr_conf(topology.node(node), ipv6=ipv6))
            done = subprocess.run(["vtysh", "-C", "-f", str(conf)], capture_output=True, text=True)
            assert done.returncode == 0, f"{node}: {done.stdout}{done.stderr}"
