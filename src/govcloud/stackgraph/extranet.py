"""The province-wide shared services and each node's attachment to the e-government extranet.

Address scopes are province-wide: the extranet is one routing domain, so every tenant prefix of
every node lives in one IPv4 and one IPv6 scope, held by the province stack and read by the city
stacks through a StackReference. (The lab's regions are aliases of one control plane, so one
scope is visible everywhere; with a separate Neutron per node each node would hold its own pair.)
Each department gets its own subnet pools in that scope, and an RBAC grant that lets its project
(and no other) use the scope (see :mod:`.tenant`), so adding a department adds its own pools and
grants and changes no shared resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netaddr import IPNetwork

from ..ipam.transit import allocation_pool, border_address
from ..model import Node
from . import tokens as t
from .specparts import ComponentPlan, SpecList, tags
from .spec import Ref, ResourceSpec


def address_scope_spec(province: str, version: int) -> str:
    """Spec name of the province's IPv4 or IPv6 address scope (tenants' pools refer to it)."""
    return f"{province}-scope-v{version}"


def transit_network_spec(node: str) -> str:
    """Spec name of a node's transit network (exits and department routers attach to it)."""
    return f"transit-{node}-net"


def transit_subnet_spec(node: str, version: int) -> str:
    """Spec name of a node's IPv4 or IPv6 transit subnet."""
    return f"transit-{node}-v{version}"


@dataclass(frozen=True)
class SharedServicesArgs:
    """The province-wide pieces: the address scopes every node's pools belong to."""

    province: str  # the province code, which names the scopes


def build_shared_services(args: SharedServicesArgs) -> ComponentPlan:
    component = ResourceSpec(t.SHARED_SERVICES, f"{args.province}-shared")
    specs = SpecList(component)
    scopes = {}
    for version in (4, 6):
        scopes[version] = specs.add(t.ADDRESS_SCOPE, address_scope_spec(args.province, version), {
            # Not shared with everyone: each department's project gets an RBAC grant (see .tenant).
            "name": f"{args.province}-extranet-v{version}", "ipVersion": version, "shared": False,
        })
    return specs.plan({"addressScopeV4Id": Ref(scopes[4]), "addressScopeV6Id": Ref(scopes[6])})


@dataclass(frozen=True)
class ExtranetAttachmentArgs:
    """One node's transit network to the extranet, with its prefixes from the address plan, and
    the node's BGP speakers towards its border router (one per family: a Neutron speaker speaks
    one address family)."""

    node: Node
    transit_v4: str
    transit_v6: str
    address_scope_v4: Any = None  # Ref or StackOutputRef; None: the transit subnets take no pool
    address_scope_v6: Any = None
    speakers: bool = True  # stack setting govcloud:bgpSpeakers (a cloud without neutron-dynamic-routing)


def build_extranet_attachment(args: ExtranetAttachmentArgs) -> ComponentPlan:
    """The transit network is Neutron-external (department routers take their gateway on it) and a
    provider network in production; its subnets come from pools in the extranet's address scopes,
    so Neutron routes between them and the departments' subnets without NAT. The node's speakers
    advertise the tenant subnets behind routers whose gateway is on it, to the border router."""
    node = args.node
    component = ResourceSpec(t.EXTRANET_ATTACHMENT, f"{node.code}-extranet")
    specs = SpecList(component)
    transit_tags = tags(extra=(f"node:{node.code}", "purpose:transit"))
    base = f"transit-{node.code}"
    network = specs.add(t.NETWORK, transit_network_spec(node.code), {
        "name": base, "tags": transit_tags, "external": True, "segments": _segments(node),
        "description": f"{node.name}: transit to the e-government extranet",
    })
    subnets = {}
    for version, cidr, scope in ((4, args.transit_v4, args.address_scope_v4), (6, args.transit_v6,
                                                                               args.address_scope_v6)):
        subnets[version] = _transit_subnet(specs, node.code, network, version, IPNetwork(cidr), scope, transit_tags)
    outputs = {"transitNetworkId": Ref(network), "transitSubnetV4Id": Ref(subnets[4]),
               "transitSubnetV6Id": Ref(subnets[6]), "ipv4": args.transit_v4, "ipv6": args.transit_v6}
    if node.routing is not None and args.speakers:
        outputs["bgpSpeakers"] = _speakers(specs, args, network)
    return specs.plan(outputs)


def _segments(node: Node) -> list[dict[str, Any]] | None:
    """The provider segment the model gives the transit (the link to the border router)."""
    segment = node.routing.transit_segment if node.routing is not None else None
    if segment is None:
        return None
    found = {"networkType": segment.network_type.value, "physicalNetwork": segment.physical_network}
    if segment.segmentation_id is not None:
        found["segmentationId"] = segment.segmentation_id
    return [found]


def _transit_subnet(specs: SpecList, node: str, network: str, version: int, cidr: IPNetwork, scope: Any,
                    transit_tags: list[str]) -> str:
    base = f"transit-{node}"
    pool = None
    if scope is not None:
        pool = specs.add(t.SUBNET_POOL, f"{base}-pool-v{version}", {
            "name": f"{base}-v{version}", "addressScopeId": scope, "prefixes": [str(cidr)],
            "minPrefixlen": cidr.prefixlen, "defaultPrefixlen": cidr.prefixlen, "tags": transit_tags,
            "description": f"IPv{version} transit of the extranet attachment, from the address plan",
        })
    first, last = allocation_pool(cidr)
    # Stateful, not SLAAC: the exit's and the speaker's ports take fixed addresses from the transit
    # plan (+2, +3), and Neutron refuses a fixed address on a SLAAC subnet (AllocationOnAutoAddressSubnet).
    stateful = {"ipv6AddressMode": "dhcpv6-stateful", "ipv6RaMode": "dhcpv6-stateful"} if version == 6 else {}
    return specs.add(t.SUBNET, transit_subnet_spec(node, version), {
        "name": f"{base}-v{version}", "networkId": Ref(network), "ipVersion": version, "cidr": str(cidr),
        "gatewayIp": str(border_address(cidr)), "allocationPools": [{"start": str(first), "end": str(last)}],
        "subnetpoolId": Ref(pool) if pool else None, **stateful, "tags": transit_tags,
    })


def _speakers(specs: SpecList, args: ExtranetAttachmentArgs, network: str) -> dict[str, Ref]:
    node, routing = args.node, args.node.routing
    speakers = {}
    for version, cidr in ((4, args.transit_v4), (6, args.transit_v6)):
        peer = specs.add(t.BGP_PEER, f"{node.code}-border-v{version}", {
            "name": f"{node.site}-border-v{version}", "peerIp": str(border_address(IPNetwork(cidr))),
            "remoteAs": routing.border_asn, "authType": "none",
        })
        speakers[str(version)] = Ref(specs.add(t.BGP_SPEAKER, f"{node.code}-bgp-v{version}", {
            "name": f"{node.code}-bgp-v{version}", "localAs": routing.speaker_asn, "ipVersion": version,
            "advertiseTenantNetworks": True, "advertiseFloatingIpHostRoutes": False,
            "networks": [Ref(network)], "peers": [Ref(peer)],
        }))
    return speakers
