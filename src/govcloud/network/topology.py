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
  advertisements of the /64; a unified exit sits on its node's ``transit:<node>`` /64 (site ::1,
  exit ::2).
* The fake internet (documentation ranges): an exit's IPv4 uplink /28 has the ISP at +1 and the
  exit at +2; IPv6 uplinks get one /64 each from ``ISP_LINKS_V6`` (ISP ::1, exit ::2) and the
  exit translates inside prefixes to its uplink prefix. The server that reports source addresses
  answers on ``INTERNET_SERVER_V4`` / ``INTERNET_SERVER_V6``.
* Management: ``MGMT_NETWORK`` or the network the caller gives (unused by the model; checked), the
  controller at +1, nodes from +10.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from netaddr import IPAddress, IPNetwork

from ..errors import InputError
from ..ipam import AddressPlan
from ..ipam.requirements import lan_key, link_key, loopback_key, transit_key
from ..model import ExitStatus, LinkKind, Province, Tier

MGMT_NETWORK = IPNetwork("198.18.255.0/24")
INTERNET_SERVER_V4 = IPAddress("203.0.113.254")
INTERNET_SERVER_V6 = IPAddress("2001:db8:ffff::80")
ISP_LINKS_V6 = IPNetwork("2001:db8:ffff:ff00::/56")
INTERNET_SERVER_PORT = 7007
LEGACY_DEFAULT_METRIC = 10
UNIFIED_DEFAULT_METRIC = 100


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
    isp_v4: IPAddress | None = None
    isp_v6: IPAddress | None = None
    slaac_prefix: IPNetwork | None = None  # hosts: the /64 their router advertises

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
    mgmt_gateway: IPAddress = field(default_factory=lambda: IPAddress(MGMT_NETWORK.first + 1))
    mgmt_network: IPNetwork = MGMT_NETWORK

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


def build_topology(env: str, p: Province, plan: AddressPlan, mgmt_network: IPNetwork = MGMT_NETWORK) -> Topology:
    """Every node of the extranet with its interfaces, addresses and wires."""
    in_use = [(s.code, n) for s in p.sites for n in s.ipv4_in_use if n in mgmt_network or mgmt_network in n]
    if in_use:
        raise InputError(f"site {in_use[0][0]!r} uses {in_use[0][1]}, which overlaps the lab management "
                         f"network {mgmt_network}", fix=f"keep {mgmt_network} out of ipv4_in_use")
    addrs = {s.code: _SiteAddresses(s.code, s.ipv4_in_use) for s in p.sites}
    ifaces: dict[str, list[Interface]] = {s.code: [] for s in p.sites}
    counters: dict[tuple[str, str], int] = {}
    wires: list[Wire] = []

    def ifname(node: str, stem: str) -> str:
        n = counters.get((node, stem), 0)
        counters[(node, stem)] = n + 1
        return f"{stem}{n}"

    for site in p.walk_sites():
        loop6 = _require(plan, loopback_key(site.code))
        ifaces[site.code].append(Interface("lo", "loopback", addrs[site.code].loopback, _addr(loop6, 1, 128),
                                           ospf=True, passive=True))
    for link in p.links:
        v4 = addrs[link.a].next_p2p()
        v6 = _require(plan, link_key(link.a, link.b))
        a_name = ifname(link.a, "dn" if link.kind is LinkKind.UPLINK else "xc")
        b_name = ifname(link.b, "up" if link.kind is LinkKind.UPLINK else "xc")
        ifaces[link.a].append(Interface(a_name, "link", _addr(v4, 0), _addr(v6, 2, 127), ospf=True, peer=link.b))
        ifaces[link.b].append(Interface(b_name, "link", _addr(v4, 1), _addr(v6, 3, 127), ospf=True, peer=link.a))
        wires.append(Wire(link.a, a_name, link.b, b_name))

    hosts: list[NetNode] = []
    for site in p.walk_sites():
        for unit in site.units:
            lan4 = addrs[site.code].next_lan()
            lan6 = _require(plan, lan_key(site.code, unit.code))
            name = ifname(site.code, "lan")
            host = host_name(unit.department) if unit.department else None
            ifaces[site.code].append(Interface(name, "lan", _addr(lan4, 1), _addr(lan6, 1), ospf=True, passive=True,
                                               ra_prefix=lan6, peer=host, stub=host is None))
            if host:
                wires.append(Wire(site.code, name, host, "lan0"))
                hosts.append(NetNode(host, NodeRole.HOST, IPNetwork("0.0.0.0/32"), site=site.code, tier=site.tier,
                                     city=_city_of(p, site.code),
                                     interfaces=(Interface("lan0", "lan", _addr(lan4, 10), peer=site.code),),
                                     routes=(Route(IPNetwork("0.0.0.0/0"), IPAddress(lan4.first + 1)),),
                                     slaac_prefix=lan6))

    exits: list[NetNode] = []
    internet_ifaces: list[Interface] = []
    internet_routes: list[Route] = []
    isp_links = ISP_LINKS_V6.subnet(64)
    for ex in p.exits:
        if ex.status is ExitStatus.DECOMMISSIONED:
            continue
        v4 = addrs[ex.site].next_p2p()
        site_if = ifname(ex.site, "ex")
        v6_site = v6_exit = None
        if ex.status is ExitStatus.UNIFIED and ex.node is not None:
            transit = _require(plan, transit_key(ex.node))
            v6_site, v6_exit = _addr(transit, 1), _addr(transit, 2)
        ifaces[ex.site].append(Interface(site_if, "transit", _addr(v4, 0), v6_site, ospf=True, peer=ex.code))
        wires.append(Wire(ex.site, site_if, ex.code, "in0"))
        uplink4 = ex.uplink.ipv4
        isp_name = ifname("internet", "isp")
        uplink6 = isp6 = None
        if ex.uplink.ipv6 is not None and v6_exit is not None:
            link6 = next(isp_links)
            uplink6, isp6 = _addr(link6, 2), _addr(link6, 1)
            internet_routes.append(Route(ex.uplink.ipv6, uplink6.ip))
        internet_ifaces.append(Interface(isp_name, "uplink", _addr(uplink4, 1), isp6, peer=ex.code))
        wires.append(Wire(ex.code, "isp0", "internet", isp_name))
        unified = ex.status is ExitStatus.UNIFIED
        exits.append(NetNode(
            ex.code, NodeRole.EXIT, IPNetwork("0.0.0.0/32"), site=ex.site, tier=p.site_by_code[ex.site].tier,
            city=_city_of(p, ex.site), router_id=_addr(v4, 1).ip, exit_status=ex.status,
            exit_owner_kind=ex.owner_kind.value,
            interfaces=(Interface("in0", "transit", _addr(v4, 1), v6_exit, ospf=True, peer=ex.site),
                        Interface("isp0", "uplink", _addr(uplink4, 2), uplink6, peer="internet")),
            default_metric=UNIFIED_DEFAULT_METRIC if unified else LEGACY_DEFAULT_METRIC,
            translate_v6=ex.uplink.ipv6 if uplink6 is not None else None,
            isp_v4=IPAddress(uplink4.first + 1), isp_v6=isp6.ip if isp6 is not None else None))

    routers = [NetNode(s.code, NodeRole.ROUTER, IPNetwork("0.0.0.0/32"), interfaces=tuple(ifaces[s.code]),
                       site=s.code, tier=s.tier, city=_city_of(p, s.code), router_id=addrs[s.code].loopback.ip)
               for s in p.walk_sites()]
    internet = NetNode("internet", NodeRole.INTERNET, IPNetwork("0.0.0.0/32"),
                       interfaces=(Interface("lo", "loopback", IPNetwork(f"{INTERNET_SERVER_V4}/32"),
                                             IPNetwork(f"{INTERNET_SERVER_V6}/128")), *internet_ifaces),
                       routes=tuple(internet_routes))
    nodes = [*routers, *exits, *hosts, internet]
    if len(nodes) > mgmt_network.size - 12:
        raise InputError(f"{len(nodes)} nodes do not fit the management network {mgmt_network}",
                         fix="build a smaller topology")
    numbered = tuple(_with_mgmt(node, index, mgmt_network) for index, node in enumerate(nodes))
    return Topology(env, numbered, tuple(wires), mgmt_gateway=IPAddress(mgmt_network.first + 1),
                    mgmt_network=mgmt_network)


def _with_mgmt(node: NetNode, index: int, mgmt_network: IPNetwork) -> NetNode:
    from dataclasses import replace

    return replace(node, mgmt=IPNetwork(f"{IPAddress(mgmt_network.first + 10 + index)}/{mgmt_network.prefixlen}"))
