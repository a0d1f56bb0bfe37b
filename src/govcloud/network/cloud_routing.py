"""Where each node's cloud meets the extranet, seen from the border router. Pure.

A node's BGP speakers (Neutron dynamic routing) peer with the extranet router of the node's site
over the node's transit network; the border router accepts exactly the prefixes the address plan
gives that node's departments on their extranet-facing networks (:func:`reaches_extranet`),
nothing else, and carries them into OSPF/OSPFv3. The addresses on the transit are those of
:mod:`govcloud.ipam.transit`, the same ones the stack graph gives Neutron.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from netaddr import IPAddress, IPNetwork

from ..errors import InputError
from ..ipam import AddressPlan
from ..ipam.requirements import subnet_key, transit_key, v4_subnet_key, v4_transit_key
from ..ipam.transit import border_address, speaker_address
from ..model import Node, Province
from ..model.routing import reaches_extranet


@dataclass(frozen=True)
class CloudPeering:
    """One node's BGP sessions with its border router, and the prefixes the border accepts."""

    node: str
    site: str
    border_asn: int
    speaker_asn: int
    border_v4: IPNetwork  # the border's transit address with the prefix length
    border_v6: IPNetwork
    speaker_v4: IPAddress
    speaker_v6: IPAddress
    accept_v4: tuple[IPNetwork, ...]
    accept_v6: tuple[IPNetwork, ...]


def node_prefixes(province: Province, plan: AddressPlan, node: str) -> tuple[tuple[IPNetwork, ...],
                                                                              tuple[IPNetwork, ...]]:
    """The IPv4 and IPv6 subnets the node's speakers may advertise, in model order."""
    v4: list[IPNetwork] = []
    v6: list[IPNetwork] = []
    for dept in province.departments:
        if dept.node != node:
            continue
        for network in dept.networks:
            if reaches_extranet(network):
                v4.append(_planned(plan, v4_subnet_key(dept.code, network.name)))
                v6.append(_planned(plan, subnet_key(dept.code, network.name)))
    return tuple(v4), tuple(v6)


def cloud_peering(province: Province, plan: AddressPlan, node: Node) -> CloudPeering | None:
    """The node's peering; None when the model gives the node no routing (`validate` refuses that)."""
    if node.routing is None:
        return None
    transit_v4 = _planned(plan, v4_transit_key(node.code))
    transit_v6 = _planned(plan, transit_key(node.code))
    accept_v4, accept_v6 = node_prefixes(province, plan, node.code)
    return CloudPeering(
        node=node.code, site=node.site, border_asn=node.routing.border_asn, speaker_asn=node.routing.speaker_asn,
        border_v4=IPNetwork(f"{border_address(transit_v4)}/{transit_v4.prefixlen}"),
        border_v6=IPNetwork(f"{border_address(transit_v6)}/{transit_v6.prefixlen}"),
        speaker_v4=speaker_address(transit_v4), speaker_v6=speaker_address(transit_v6),
        accept_v4=accept_v4, accept_v6=accept_v6)


def peerings_by_site(province: Province, plan: AddressPlan,
                     nodes: Iterable[str] | None = None) -> dict[str, tuple[CloudPeering, ...]]:
    """Every peering of the province (or of ``nodes`` only), keyed by the border router's site."""
    wanted = set(nodes) if nodes is not None else None
    by_site: dict[str, list[CloudPeering]] = {}
    for node in province.nodes:
        if wanted is not None and node.code not in wanted:
            continue
        peering = cloud_peering(province, plan, node)
        if peering is not None:
            by_site.setdefault(peering.site, []).append(peering)
    return {site: one_border_asn(site, tuple(peerings)) for site, peerings in by_site.items()}


def one_border_asn(site: str, peerings: tuple[CloudPeering, ...]) -> tuple[CloudPeering, ...]:
    """``peerings``, when they agree on the border router's ASN: one router runs one BGP
    instance (`validate` refuses a model where they differ; this guards models built in code)."""
    asns = {p.border_asn for p in peerings}
    if len(asns) > 1:
        raise InputError(f"the nodes at site {site!r} give its border router different ASNs {sorted(asns)}",
                         fix="give every node at one site the same routing.border_asn")
    return peerings


def _planned(plan: AddressPlan, key: str) -> IPNetwork:
    prefix = plan.get(key)
    if prefix is None:
        raise InputError(f"the address plan has no {key!r}", fix="run `govcloud ipam plan --write-ledger` for this env")
    return prefix
