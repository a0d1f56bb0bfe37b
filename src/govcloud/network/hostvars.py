"""Host variables of every node for the roles, from the router-level topology. Pure.

The roles render configuration from these and nothing else; the network lab renders its
IPv4-only starting configuration from the same variables and the same template, so that the
first IPv6 rollout changes exactly the IPv6 part.
"""

from __future__ import annotations

from typing import Any

import jinja2

from ..paths import roles_dir
from .topology import NetNode, NodeRole

ROLES_DIR = roles_dir()
FRR_TEMPLATE = ROLES_DIR / "ipv6_extranet" / "templates" / "frr.conf.j2"


def _s(value) -> str | None:
    return None if value is None else str(value)


def ipv6_extranet_vars(node: NetNode, core: NetNode | None = None,
                       ready_peers: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Variables of role ipv6_extranet for a router or an exit.

    ``core`` is the province core router (verify reaches its loopback); ``ready_peers`` are the
    nodes that run IPv6 by the end of this node's wave: OSPFv3 adjacencies to them must be up.
    """
    core_lo = core.interface("lo") if core is not None else None
    variables = {
        "ipv6_extranet_hostname": node.name,
        "ipv6_extranet_router_id": str(node.router_id),
        "ipv6_extranet_default_metric": node.default_metric,
        "ipv6_extranet_interfaces": [
            {"name": i.name, "kind": i.kind, "ipv6": _s(i.ipv6), "ospf": i.ospf, "passive": i.passive,
             "ra_prefix": _s(i.ra_prefix), "peer": i.peer}
            for i in node.interfaces if i.kind != "uplink" or i.ipv6 is not None
        ],
        "ipv6_extranet_upstream": _s(_upstream_v6(node)),
        "ipv6_extranet_core_ipv4": _s(core_lo.ipv4.ip) if core_lo is not None and core is not node else None,
        "ipv6_extranet_core_ipv6": _s(core_lo.ipv6.ip) if core_lo is not None and core is not node else None,
        "ipv6_extranet_expected_neighbors": sum(1 for i in node.interfaces if i.ospf6 and not i.passive
                                                and i.peer in ready_peers),
    }
    if node.cloud_peerings:
        variables["ipv6_extranet_cloud_bgp"] = cloud_bgp_vars(node.cloud_peerings)
    return variables


def cloud_bgp_vars(peerings) -> dict[str, Any]:
    """BGP of a border router with its nodes' speakers: one session per node and family, and the
    prefixes it accepts from each (exactly the plan's; prefix lists are named per node)."""
    return {
        "asn": peerings[0].border_asn,
        "neighbors": [
            {"node": p.node, "family": family, "address": str(address), "remote_as": p.speaker_asn,
             "prefix_list": f"CLOUD-{p.node.upper()}-{family.upper()}",
             "accept": [str(prefix) for prefix in accept]}
            for p in peerings
            for family, address, accept in (("v4", p.speaker_v4, p.accept_v4), ("v6", p.speaker_v6, p.accept_v6))
        ],
    }


def _upstream_v6(node: NetNode):
    """The neighbour address to ping over IPv6 in verify: the parent's end of the uplink."""
    for iface in node.interfaces:
        if iface.kind == "link" and iface.name.startswith("up") and iface.ipv6 is not None:
            return iface.ipv6.ip - 1
        if node.role is NodeRole.EXIT and iface.kind == "transit" and iface.ipv6 is not None:
            return iface.ipv6.ip - 1
    return None


def internet_exit_vars(node: NetNode) -> dict[str, Any]:
    """Variables of role internet_exit for an exit."""
    inside = next(i for i in node.interfaces if i.kind == "transit")
    uplink = next(i for i in node.interfaces if i.kind == "uplink")
    return {
        "internet_exit_status": node.exit_status.value if node.exit_status else None,
        "internet_exit_inside_interface": inside.name,
        "internet_exit_uplink_interface": uplink.name,
        "internet_exit_uplink_ipv4": _s(uplink.ipv4),
        "internet_exit_uplink_ipv6": _s(uplink.ipv6),
        "internet_exit_isp_ipv4": _s(node.isp_v4),
        "internet_exit_isp_ipv6": _s(node.isp_v6),
        "internet_exit_translate_ipv6": _s(node.translate_v6),
        "internet_exit_inside_ipv6": _s(node.inside_v6),
        "internet_exit_owner_kind": node.exit_owner_kind,
    }


def render_frr_conf(node: NetNode, *, ipv6: bool) -> str:
    """frr.conf of a node as the role renders it (``ipv6`` False: the IPv4-only starting point)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(FRR_TEMPLATE.parent)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=False, keep_trailing_newline=True)
    # The role's defaults for what the host variables leave out (defaults/main.yml).
    variables = {"ipv6_extranet_cloud_bgp": None, **ipv6_extranet_vars(node)}
    return env.get_template(FRR_TEMPLATE.name).render(ipv6_extranet_enabled=ipv6, **variables)
