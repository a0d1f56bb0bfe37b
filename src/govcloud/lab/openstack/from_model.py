"""The OpenStack lab's contents, derived from the province model (inventories/lab).

Regions are the nodes' regions (the first, the provincial platform's, is the one Keystone is
bootstrapped with; the others are catalog aliases of the same services). One fake compute host
serves each availability zone the nodes name. The tenant user's project is named after the
province, so it never collides with a department project the stacks create. With the data plane,
one BGP agent serves each BGP speaker the stacks can make: two (IPv4, IPv6) per node that routes
to the extranet.
"""

from __future__ import annotations

from ...model import NodeKind, Province
from .labspec import ComputeHost, OpenStackLabSpec, TenantSpec


def lab_spec(province: Province) -> OpenStackLabSpec:
    nodes = sorted(province.nodes, key=lambda n: n.kind is not NodeKind.PROVINCE)
    regions = tuple(dict.fromkeys(n.region for n in nodes))
    zones = tuple(dict.fromkeys(z for n in nodes for z in n.availability_zones))
    hosts = tuple(ComputeHost(f"compute-{zone}", zone) for zone in zones)
    code = province.province.code
    speakers = 2 * sum(1 for n in nodes if n.routing is not None)
    return OpenStackLabSpec(regions=regions, compute_hosts=hosts,
                            tenant=TenantSpec(project=f"{code}-tenant", user=f"{code}-operator"),
                            bgp_agents=max(1, speakers))
