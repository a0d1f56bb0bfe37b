"""The lab's simulated internet: one node holding the ISP end of every exit's uplink and a
server that reports the source address it sees, added to the production topology by the lab
(a real province's uplinks end at real ISPs, which are not ours to build).

Everything it needs is what each exit node records of its uplink: the ISP's addresses
(``isp_v4``/``isp_v6``), the exit's own end (interface ``isp0``) and the prefix the exit
translates inside addresses to (``translate_v6``), to which the internet routes back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from netaddr import IPAddress, IPNetwork

from ...network.topology import Interface, NetNode, NodeRole, Route, Topology, Wire, number_mgmt

INTERNET = "internet"  # the node's name; exits' uplinks name it as their peer


@dataclass(frozen=True)
class SimulatedInternet:
    """A lab's fake internet: one node with a server that reports the source address it sees."""

    server_v4: IPAddress
    server_v6: IPAddress
    port: int


def with_simulated_internet(topology: Topology, internet: SimulatedInternet) -> Topology:
    """``topology`` with the internet node, numbered in the management network after the others,
    and a wire from each exit's uplink (``isp0``) to the internet's ``isp<n>``, in exit order."""
    exits = topology.by_role(NodeRole.EXIT)
    isp_ifnames = {ex.name: f"isp{n}" for n, ex in enumerate(exits)}
    node = _internet_node(internet, exits, isp_ifnames)
    [numbered] = number_mgmt([node], topology.facts, first=len(topology.nodes))
    return replace(topology, nodes=(*topology.nodes, numbered), wires=_with_uplink_wires(topology.wires, isp_ifnames))


def _internet_node(internet: SimulatedInternet, exits: list[NetNode], isp_ifnames: dict[str, str]) -> NetNode:
    """The ISP end of every uplink, and routes back to the prefixes the exits translate to."""
    interfaces = [Interface("lo", "loopback", IPNetwork(f"{internet.server_v4}/32"),
                            IPNetwork(f"{internet.server_v6}/128"))]
    routes = []
    for ex in exits:
        uplink = ex.interface("isp0")
        isp_v4 = IPNetwork(f"{ex.isp_v4}/{uplink.ipv4.prefixlen}")
        isp_v6 = IPNetwork(f"{ex.isp_v6}/{uplink.ipv6.prefixlen}") if ex.isp_v6 is not None else None
        interfaces.append(Interface(isp_ifnames[ex.name], "uplink", isp_v4, isp_v6, peer=ex.name))
        if ex.translate_v6 is not None:
            routes.append(Route(ex.translate_v6, uplink.ipv6.ip))
    return NetNode(INTERNET, NodeRole.INTERNET, IPNetwork("0.0.0.0/32"), interfaces=tuple(interfaces),
                   routes=tuple(routes))


def _with_uplink_wires(wires: tuple[Wire, ...], isp_ifnames: dict[str, str]) -> tuple[Wire, ...]:
    """Each uplink's wire right after its exit's transit wire (the order the lab creates links in)."""
    out: list[Wire] = []
    for wire in wires:
        out.append(wire)
        if wire.b in isp_ifnames and wire.b_ifname == "in0":
            out.append(Wire(wire.b, "isp0", INTERNET, isp_ifnames[wire.b]))
    return tuple(out)
