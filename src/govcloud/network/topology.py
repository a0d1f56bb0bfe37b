"""The extranet at router level: every router, exit and department host, its interfaces and their
addresses, derived from the model (IPv4 in use today) and the address plan (IPv6). Pure.

The same topology feeds the network lab (which builds it in namespaces) and the Ansible
inventory (whose host variables the roles render configs from), so both always agree.

Address choices, written down once:

* IPv4 (today's network) is carved from each site's first ``ipv4_in_use`` range, which must be a
  /24 or larger: its first /26 is infrastructure (loopback at +1, point-to-point /31s from +4 on:
  upstream end even, downstream end odd), the /27s after it are unit LANs (router +1, host +10).
* IPv6 comes from the plan only: loopback ``loopback:<site>`` ::1/128; a link ``link:<a>--<b>``
  reserves a /64 and uses the /127 at ::2 (upstream ::2, downstream ::3; RFC 6164, and the
  all-zeros address of the /64 is avoided); a LAN ``lan:<site>/<unit>`` router ::1/64 with router
  advertisements of the /64; a unified exit appliance sits on its node's ``transit:<node>`` /64
  (site ::1, exit ::2). A unified exit built as a cloud router (``kind: cloud-router``) is no
  device of the extranet: the node's stack holds it, and the topology draws nothing for it.
* What the model does not hold (:class:`SiteFacts`): management addresses, platforms and
  credentials references of the devices, and the ISPs' IPv6 link prefixes (each uplink gets one
  /64: ISP ::1, exit ::2; the exit translates inside prefixes to its uplink prefix). They come from
  the inventory source (a NetBox-style export) or, in the lab, from the lab's own overlay
  (:mod:`govcloud.lab.netlab.overlay`); this module holds none of them. Devices without an
  address of their own are numbered in the management network from +10.
* The ISPs' side of the uplinks is not ours: a lab adds its own simulated internet to the
  topology (:mod:`govcloud.lab.netlab.internet`), from what each exit node records of its uplink.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum

from netaddr import IPAddress, IPNetwork

from ..errors import InputError
from ..ipam import AddressPlan
from ..ipam.requirements import lan_key, link_key, loopback_key, transit_key
from ..model import ExitStatus, LinkKind, Province, Tier
from .cloud_routing import CloudPeering

LEGACY_DEFAULT_METRIC = 10
UNIFIED_DEFAULT_METRIC = 100
MGMT_FIRST_OFFSET = 10


@dataclass(frozen=True)
class Device:
    """How the tools reach one device, as the inventory source records it."""

    mgmt: IPNetwork | None = None  # address with the management network's prefix length
    platform: str | None = None  # e.g. frr, the OS the roles drive
    credentials_ref: str | None = None  # a reference into the secret store, never the secret


@dataclass(frozen=True)
class SiteFacts:
    """What the model does not hold about the real network (see the module docstring)."""

    mgmt_network: IPNetwork
    isp_links_v6: IPNetwork | None = None
    devices: Mapping[str, Device] = field(default_factory=dict)


class NodeRole(str, Enum):
    ROUTER = "router"
    EXIT = "exit"
    HOST = "host"
    INTERNET = "internet"


@dataclass(frozen=True)
class Interface:
    """One interface of a node. Addresses are IPNetwork values: the address with its prefix length."""

    name: str
    kind: str  # loopback, link, lan, transit, uplink, mgmt
    ipv4: IPNetwork | None = None
    ipv6: IPNetwork | None = None
    ospf: bool = False
    passive: bool = False
    ra_prefix: IPNetwork | None = None
    peer: str | None = None
    stub: bool = False  # a LAN with nothing attached: a bridge without ports

    @property
    def ospf6(self) -> bool:
        return self.ospf and self.ipv6 is not None


@dataclass(frozen=True)
class Route:
    prefix: IPNetwork
    via: IPAddress


@dataclass(frozen=True)
class NetNode:
    name: str
    role: NodeRole
    mgmt: IPNetwork
    interfaces: tuple[Interface, ...] = ()
    site: str | None = None
    tier: Tier | None = None
    city: str | None = None
    router_id: IPAddress | None = None
    routes: tuple[Route, ...] = ()
    exit_status: ExitStatus | None = None
    exit_owner_kind: str | None = None
    default_metric: int | None = None
    translate_v6: IPNetwork | None = None
    inside_v6: IPNetwork | None = None  # exits: the inside space they translate (the province's block)
    isp_v4: IPAddress | None = None
    isp_v6: IPAddress | None = None
    slaac_prefix: IPNetwork | None = None  # hosts: the /64 their router advertises
    cloud_peerings: tuple[CloudPeering, ...] = ()  # border routers: BGP with the nodes' speakers
    platform: str | None = None  # from the inventory source
    credentials_ref: str | None = None

    @property
    def takes_ipv6(self) -> bool:
        """Whether the IPv6 rollout configures this node (legacy exits are retired, not upgraded)."""
        return any(i.ipv6 is not None for i in self.interfaces) and self.role in (NodeRole.ROUTER, NodeRole.EXIT)

    def interface(self, name: str) -> Interface:
        return next(i for i in self.interfaces if i.name == name)


@dataclass(frozen=True)
class Wire:
    """A veth pair between two nodes' interfaces."""

    a: str
    a_ifname: str
    b: str
    b_ifname: str


@dataclass(frozen=True)
class Topology:
    env: str
    nodes: tuple[NetNode, ...]
    wires: tuple[Wire, ...]
    facts: SiteFacts | None = None

    @property
    def mgmt_network(self) -> IPNetwork | None:
        return self.facts.mgmt_network if self.facts else None

    @property
    def mgmt_gateway(self) -> IPAddress | None:
        """The controller's address in the management network (+1)."""
        return IPAddress(self.facts.mgmt_network.first + 1) if self.facts else None

    def node(self, name: str) -> NetNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise InputError(f"no node {name!r} in the {self.env} topology", fix="use a site, exit or host-<department> name")

    def by_role(self, role: NodeRole) -> list[NetNode]:
        return [n for n in self.nodes if n.role is role]


def host_name(department: str) -> str:
    return f"host-{department}"


class _SiteAddresses:
    """Hands out a site's IPv4 infrastructure addresses and LANs, in a stable order."""

    def __init__(self, code: str, ranges) -> None:
        if not ranges:
            raise InputError(f"site {code!r} has no ipv4_in_use range; the router-level design numbers today's "
                             "network from it", fix=f"add ipv4_in_use: [<a /24 or larger>] to site {code!r}")
        block = ranges[0]
        if block.prefixlen > 24:
            raise InputError(f"site {code!r}: ipv4_in_use {block} is smaller than a /24",
                             fix=f"give site {code!r} a /24 or larger as its first ipv4_in_use range")
        infra = next(block.subnet(26))
        self.loopback = IPNetwork(f"{IPAddress(infra.first + 1)}/32")
        self._p2p = (IPNetwork(f"{IPAddress(infra.first + off)}/31") for off in range(4, infra.size, 2))
        self._lans = iter(list(block.subnet(27))[2:])
        self.code = code

    def next_p2p(self) -> IPNetwork:
        try:
            return next(self._p2p)
        except StopIteration:
            raise InputError(f"site {self.code!r} has more than 30 links and exits",
                             fix="split the site or widen its ipv4_in_use range") from None

    def next_lan(self) -> IPNetwork:
        try:
            return next(self._lans)
        except StopIteration:
            raise InputError(f"site {self.code!r} has more units than its ipv4_in_use range holds /27 LANs",
                             fix=f"widen the ipv4_in_use range of site {self.code!r}") from None


def _addr(net: IPNetwork, offset: int, prefixlen: int | None = None) -> IPNetwork:
    return IPNetwork(f"{IPAddress(net.first + offset, net.version)}/{prefixlen or net.prefixlen}")


def _city_of(p: Province, code: str) -> str | None:
    site = p.site_by_code[code]
    while site is not None and site.tier is not Tier.CITY:
        site = p.site_by_code.get(site.parent) if site.parent else None
    return site.code if site else None


def _require(plan: AddressPlan, key: str) -> IPNetwork:
    prefix = plan.get(key)
    if prefix is None:
        raise InputError(f"the address plan has no {key!r}", fix="run `govcloud ipam plan --write-ledger` for this env")
    return prefix


def build_topology(env: str, p: Province, plan: AddressPlan, facts: SiteFacts,
                   peerings: Mapping[str, tuple[CloudPeering, ...]] | None = None) -> Topology:
    """Every node of the extranet with its interfaces, addresses and wires; ``peerings`` (by site,
    from :func:`~govcloud.network.cloud_routing.peerings_by_site`) make those sites' routers the
    border routers of their nodes' clouds."""
    _check_mgmt_overlap(p, facts.mgmt_network)
    parts = _Parts(p, plan)
    parts.add_loopbacks()
    parts.add_links()
    hosts = parts.add_lans_and_hosts()
    exits = parts.add_exits(facts.isp_links_v6)
    for site_code, site_peerings in (peerings or {}).items():
        parts.ifaces[site_code].extend(_cloud_interfaces(site_code, site_peerings, parts.ifaces[site_code], parts.ifname))
    routers = parts.routers(peerings or {})
    return Topology(env, number_mgmt([*routers, *exits, *hosts], facts), tuple(parts.wires), facts)


def _check_mgmt_overlap(p: Province, mgmt: IPNetwork) -> None:
    in_use = [(s.code, n) for s in p.sites for n in s.ipv4_in_use if n in mgmt or mgmt in n]
    if in_use:
        raise InputError(f"site {in_use[0][0]!r} uses {in_use[0][1]}, which overlaps the management "
                         f"network {mgmt}", fix=f"keep {mgmt} out of ipv4_in_use")


class _Parts:
    """Collects interfaces by site and the wires between nodes while the topology is derived,
    one kind of part per method, in a fixed order (interface names depend on it)."""

    def __init__(self, p: Province, plan: AddressPlan) -> None:
        self.p = p
        self.plan = plan
        self.addrs = {s.code: _SiteAddresses(s.code, s.ipv4_in_use) for s in p.sites}
        self.ifaces: dict[str, list[Interface]] = {s.code: [] for s in p.sites}
        self.wires: list[Wire] = []
        self._counters: dict[tuple[str, str], int] = {}

    def ifname(self, node: str, stem: str) -> str:
        n = self._counters.get((node, stem), 0)
        self._counters[(node, stem)] = n + 1
        return f"{stem}{n}"

    def add_loopbacks(self) -> None:
        for site in self.p.walk_sites():
            loop6 = _require(self.plan, loopback_key(site.code))
            self.ifaces[site.code].append(Interface("lo", "loopback", self.addrs[site.code].loopback,
                                                    _addr(loop6, 1, 128), ospf=True, passive=True))

    def add_links(self) -> None:
        for link in self.p.links:
            v4 = self.addrs[link.a].next_p2p()
            v6 = _require(self.plan, link_key(link.a, link.b))
            a_name = self.ifname(link.a, "dn" if link.kind is LinkKind.UPLINK else "xc")
            b_name = self.ifname(link.b, "up" if link.kind is LinkKind.UPLINK else "xc")
            self.ifaces[link.a].append(Interface(a_name, "link", _addr(v4, 0), _addr(v6, 2, 127), ospf=True,
                                                 peer=link.b))
            self.ifaces[link.b].append(Interface(b_name, "link", _addr(v4, 1), _addr(v6, 3, 127), ospf=True,
                                                 peer=link.a))
            self.wires.append(Wire(link.a, a_name, link.b, b_name))

    def add_lans_and_hosts(self) -> list[NetNode]:
        hosts: list[NetNode] = []
        for site in self.p.walk_sites():
            for unit in site.units:
                lan4 = self.addrs[site.code].next_lan()
                lan6 = _require(self.plan, lan_key(site.code, unit.code))
                name = self.ifname(site.code, "lan")
                host = host_name(unit.department) if unit.department else None
                self.ifaces[site.code].append(Interface(name, "lan", _addr(lan4, 1), _addr(lan6, 1), ospf=True,
                                                        passive=True, ra_prefix=lan6, peer=host, stub=host is None))
                if host:
                    self.wires.append(Wire(site.code, name, host, "lan0"))
                    hosts.append(_host(self.p, site, host, lan4, lan6))
        return hosts

    def add_exits(self, isp_links_v6: IPNetwork | None) -> list[NetNode]:
        """The exit appliances: legacy exits and unified ``kind: appliance`` ones. A cloud-router
        exit is a router of its node's stack, not a device of the extranet: nothing is drawn for it
        (and so the internet_exit role never reaches it)."""
        isp_links = isp_links_v6.subnet(64) if isp_links_v6 is not None else iter(())
        return [self._exit(ex, isp_links) for ex in self.p.exits
                if ex.status is not ExitStatus.DECOMMISSIONED and not ex.is_cloud_router]

    def _exit(self, ex, isp_links) -> NetNode:
        v4 = self.addrs[ex.site].next_p2p()
        site_if = self.ifname(ex.site, "ex")
        v6_site = v6_exit = None
        if ex.status is ExitStatus.UNIFIED and ex.node is not None:
            transit = _require(self.plan, transit_key(ex.node))
            v6_site, v6_exit = _addr(transit, 1), _addr(transit, 2)
        self.ifaces[ex.site].append(Interface(site_if, "transit", _addr(v4, 0), v6_site, ospf=True, peer=ex.code))
        self.wires.append(Wire(ex.site, site_if, ex.code, "in0"))
        uplink4 = ex.uplink.ipv4
        uplink6 = isp6 = None
        if ex.uplink.ipv6 is not None and v6_exit is not None:
            link6 = next(isp_links, None)
            if link6 is not None:
                uplink6, isp6 = _addr(link6, 2), _addr(link6, 1)
        unified = ex.status is ExitStatus.UNIFIED
        return NetNode(
            ex.code, NodeRole.EXIT, IPNetwork("0.0.0.0/32"), site=ex.site, tier=self.p.site_by_code[ex.site].tier,
            city=_city_of(self.p, ex.site), router_id=_addr(v4, 1).ip, exit_status=ex.status,
            exit_owner_kind=ex.owner_kind.value,
            interfaces=(Interface("in0", "transit", _addr(v4, 1), v6_exit, ospf=True, peer=ex.site),
                        Interface("isp0", "uplink", _addr(uplink4, 2), uplink6, peer="internet")),
            default_metric=UNIFIED_DEFAULT_METRIC if unified else LEGACY_DEFAULT_METRIC,
            translate_v6=ex.uplink.ipv6 if uplink6 is not None else None,
            inside_v6=self.p.ipam.ipv6_block if uplink6 is not None else None,
            isp_v4=IPAddress(uplink4.first + 1), isp_v6=isp6.ip if isp6 is not None else None)

    def routers(self, peerings: Mapping[str, tuple[CloudPeering, ...]]) -> list[NetNode]:
        return [NetNode(s.code, NodeRole.ROUTER, IPNetwork("0.0.0.0/32"), interfaces=tuple(self.ifaces[s.code]),
                        site=s.code, tier=s.tier, city=_city_of(self.p, s.code),
                        router_id=self.addrs[s.code].loopback.ip, cloud_peerings=peerings.get(s.code, ()))
                for s in self.p.walk_sites()]


def _host(p: Province, site, name: str, lan4: IPNetwork, lan6: IPNetwork) -> NetNode:
    return NetNode(name, NodeRole.HOST, IPNetwork("0.0.0.0/32"), site=site.code, tier=site.tier,
                   city=_city_of(p, site.code),
                   interfaces=(Interface("lan0", "lan", _addr(lan4, 10), peer=site.code),),
                   routes=(Route(IPNetwork("0.0.0.0/0"), IPAddress(lan4.first + 1)),), slaac_prefix=lan6)


def number_mgmt(nodes: list[NetNode], facts: SiteFacts, first: int = 0) -> tuple[NetNode, ...]:
    """Each node's management address, platform and credentials reference: the inventory
    source's where it has them, else numbered in the management network from +10 (the
    ``first`` node is the topology's ``first``-th: nodes added later continue the numbering)."""
    mgmt = facts.mgmt_network
    if first + len(nodes) > mgmt.size - MGMT_FIRST_OFFSET - 2:
        raise InputError(f"{first + len(nodes)} nodes do not fit the management network {mgmt}",
                         fix="build a smaller topology or give a larger management network")
    numbered = []
    for index, node in enumerate(nodes, first):
        device = facts.devices.get(node.name, Device())
        address = device.mgmt or IPNetwork(f"{IPAddress(mgmt.first + MGMT_FIRST_OFFSET + index)}/{mgmt.prefixlen}")
        numbered.append(replace(node, mgmt=address, platform=device.platform, credentials_ref=device.credentials_ref))
    return tuple(numbered)


def _cloud_interfaces(site: str, peerings: tuple[CloudPeering, ...], existing: list[Interface], ifname):
    """A border router's interface on each node's transit network (a bridge until the cloud's
    transit is plugged in). Where a unified exit of the node already puts the router on the
    transit's IPv6 /64, that interface keeps the address; the cloud interface carries IPv4."""
    taken = {i.ipv6 for i in existing if i.ipv6 is not None}
    for peering in peerings:
        v6 = None if peering.border_v6 in taken else peering.border_v6
        yield Interface(ifname(site, "cl"), "cloud", peering.border_v4, v6, peer=f"cloud-{peering.node}", stub=True)
