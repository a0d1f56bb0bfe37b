"""The two labs joined: each node's transit network meets its border router.

In production the transit is a provider network cabled to the border router's port. In the lab,
the transit is a Linux bridge of the OpenStack lab's data plane (``brq`` + the first 11 characters
of the network's id, inside the data plane's namespace) and the border router's cloud interface is
a bridge (``cl<N>``) inside its network-lab namespace. A veth pair plugs one into the other, and
the BGP speaker's transit addresses (+3 of :mod:`govcloud.ipam.transit`) go on the transit bridge,
where the BGP agent runs. Planning is pure (:func:`plan_joins`); :func:`apply_join` only adds what
is missing, so joining twice changes nothing.

A unified exit of the node sits on the same transit (the plan gives it the transit's IPv6 ::2),
and the border router holds the transit's IPv6 ::1 on its link to that exit, not on the cloud
interface. In production all of them are ports of the one transit segment. The lab builds the
router's end of that link as a bridge (:func:`shared_transit_links`) and plugs the transit into it
too, so the border router's ::1, the exit's ::2, the speaker and the department routers share the
segment as they would on the provider network. The lab's unified exit is an appliance
(``kind: appliance`` in exits.yaml), so no stack holds a copy of it at the transit's ``+2``; a
cloud-router exit would be the stack's router there, and the network lab would draw no exit (and
no link to it) for the join to plug in.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from netaddr import IPNetwork

from ..errors import LabError
from ..network.cloud_routing import CloudPeering
from ..network.topology import NetNode, NodeRole, Topology
from .processes import run_command

BRIDGE_PREFIX = "brq"  # neutron's Linux bridge agent names a network's bridge so
_ID_CHARS = 11


@dataclass(frozen=True)
class TransitJoin:
    """One node's transit bridge, the border router's cloud interface, and the speaker's addresses."""

    node: str
    bridge: str
    router_ns: str
    cloud_if: str
    veth: str
    speaker: tuple[IPNetwork, ...]
    exit_link: str | None = None  # the router's bridge towards a unified exit on the same transit
    exit_veth: str | None = None


def transit_bridge(network_id: str) -> str:
    return f"{BRIDGE_PREFIX}{network_id[:_ID_CHARS]}"


def shared_transit_links(router: NetNode) -> dict[str, str]:
    """``{interface: node}``: the router's links to a unified exit that hold a peered node's
    transit IPv6 address (the border's ::1) instead of its cloud interface."""
    borders = {p.border_v6: p.node for p in router.cloud_peerings}
    return {i.name: borders[i.ipv6] for i in router.interfaces
            if i.kind == "transit" and i.ipv6 is not None and i.ipv6 in borders}


def plan_joins(topology: Topology, peerings: Mapping[str, tuple[CloudPeering, ...]],
               network_ids: Mapping[str, str], namespace_of) -> list[TransitJoin]:
    """A join per node whose transit network exists; the speaker takes an address of each family
    the border router holds on the transit (on its cloud interface, or on its link to the node's
    unified exit, which the join then plugs into the transit as well)."""
    routers = {n.name: n for n in topology.by_role(NodeRole.ROUTER)}
    joins = []
    for site, site_peerings in peerings.items():
        router = routers.get(site)
        if router is None:
            continue
        for peering in site_peerings:
            if peering.node not in network_ids:
                continue
            cloud = next((i for i in router.interfaces if i.kind == "cloud" and i.peer == f"cloud-{peering.node}"),
                         None)
            if cloud is None:
                raise LabError(f"the network lab's router {site} has no cloud interface for node {peering.node}",
                               fix="bring the network lab up from the same environment (`govcloud netlab up`)")
            exit_link = next((name for name, node in shared_transit_links(router).items() if node == peering.node),
                             None)
            speaker = [IPNetwork(f"{peering.speaker_v4}/{peering.border_v4.prefixlen}")]
            if cloud.ipv6 is not None or exit_link is not None:
                speaker.append(IPNetwork(f"{peering.speaker_v6}/{peering.border_v6.prefixlen}"))
            joins.append(TransitJoin(peering.node, transit_bridge(network_ids[peering.node]), namespace_of(site),
                                     cloud.name, f"xt-{peering.node}"[:15], tuple(speaker), exit_link,
                                     f"xe-{peering.node}"[:15] if exit_link else None))
    return joins


def apply_join(join: TransitJoin, dataplane_ns: str) -> bool:
    """Plug the veth and add the speaker's addresses where missing; True when something changed."""
    changed = False
    if not _exists(dataplane_ns, join.bridge):
        # The Linux bridge agent adopts a bridge of its own name when it plugs the network's first port.
        _ip(dataplane_ns, "link", "add", join.bridge, "type", "bridge")
        changed = True
    if not _exists(dataplane_ns, join.veth):
        _ip(dataplane_ns, "link", "add", join.veth, "type", "veth", "peer", "name", join.veth, "netns", join.router_ns)
        _ip(dataplane_ns, "link", "set", join.veth, "master", join.bridge)
        _ip(join.router_ns, "link", "set", join.veth, "master", join.cloud_if)
        _ip(join.router_ns, "link", "set", join.veth, "up")
        changed = True
    _ip(dataplane_ns, "link", "set", join.veth, "up")
    if join.exit_link is not None:
        changed |= _plug_exit_link(join, dataplane_ns)
    _ip(dataplane_ns, "link", "set", join.bridge, "up")
    held = _run(["ip", "-n", dataplane_ns, "addr", "show", "dev", join.bridge]).stdout
    for address in join.speaker:
        if f" {address} " not in held and f" {address.ip}/" not in held:
            _ip(dataplane_ns, "addr", "add", str(address), "dev", join.bridge, "nodad")
            changed = True
    return changed


def _plug_exit_link(join: TransitJoin, dataplane_ns: str) -> bool:
    """The transit into the router's bridge towards the exit as well. Two of the router's
    interfaces are then on one segment: each answers ARP only for its own addresses (arp_ignore=1),
    and reverse-path filtering is loose, or the segment would learn the wrong port for an address."""
    changed = False
    if not _exists(dataplane_ns, join.exit_veth):
        _ip(dataplane_ns, "link", "add", join.exit_veth, "type", "veth", "peer", "name", join.exit_veth, "netns",
            join.router_ns)
        _ip(dataplane_ns, "link", "set", join.exit_veth, "master", join.bridge)
        _ip(join.router_ns, "link", "set", join.exit_veth, "master", join.exit_link)
        _ip(join.router_ns, "link", "set", join.exit_veth, "up")
        changed = True
    _ip(dataplane_ns, "link", "set", join.exit_veth, "up")
    settings = [f"net.ipv4.conf.{name}.{key}={value}" for name in (join.cloud_if, join.exit_link)
                for key, value in (("arp_ignore", 1), ("arp_announce", 2), ("rp_filter", 2))]
    _run(["ip", "netns", "exec", join.router_ns, "sysctl", "-q", "-w", *settings])
    return changed


def _exists(ns: str, ifname: str) -> bool:
    return _run(["ip", "-n", ns, "link", "show", "dev", ifname], check=False).returncode == 0


def _ip(ns: str, *args: str) -> None:
    _run(["ip", "-n", ns, *args])


def _run(argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
    return run_command(argv, "both labs must be up (`govcloud lab up`, `govcloud netlab up`) and the stacks deployed", check)


def namespace_exists(ns: str) -> bool:
    return Path(f"/run/netns/{ns}").exists()


def transit_network_ids(conn, nodes) -> dict[str, str]:
    """``{node: id}`` of the transit networks the stacks created (named ``transit-<node>``)."""
    found = {}
    for node in nodes:
        networks = list(conn.network.networks(name=f"transit-{node}"))
        if len(networks) > 1:
            raise LabError(f"{len(networks)} networks are called transit-{node}: {[n.id for n in networks]}",
                           fix="delete or rename the ones the stack did not create (`govcloud drift` shows it)")
        if networks:
            found[node] = networks[0].id
    return found


def join_labs(topology: Topology, peerings: Mapping[str, tuple[CloudPeering, ...]], namespace_of) -> list[dict]:
    """Join every deployed node's transit to its border router; one summary row per node."""
    from .openstack import clouds, records  # lazy: openstacksdk (about 2 s)
    from .openstack.statedir import lab_paths_from_env, load_or_create_secrets  # lazy: openstacksdk (about 2 s)

    paths = lab_paths_from_env()
    spec = records.recorded_spec(paths)
    if spec is None or not namespace_exists(paths.dataplane_namespace):
        raise LabError("the OpenStack lab's data plane is not up", fix="run `govcloud lab up` first")
    nodes = [p.node for site_peerings in peerings.values() for p in site_peerings]
    with clouds.connect(paths, spec, load_or_create_secrets(paths)) as conn:
        ids = transit_network_ids(conn, nodes)
    joins = plan_joins(topology, peerings, ids, namespace_of)
    rows = []
    for join in joins:
        if not namespace_exists(join.router_ns):
            raise LabError(f"the network lab's namespace {join.router_ns} is missing",
                           fix="run `govcloud netlab up` for this environment first")
        changed = apply_join(join, paths.dataplane_namespace)
        rows.append({"node": join.node, "bridge": join.bridge, "router": join.router_ns,
                     "interface": " ".join(filter(None, (join.cloud_if, join.exit_link))),
                     "speaker": [str(a) for a in join.speaker], "changed": changed})
    missing = sorted(set(nodes) - set(ids))
    rows += [{"node": node, "bridge": None, "changed": False, "missing": "no transit network (stack not up)"}
             for node in missing]
    return rows
