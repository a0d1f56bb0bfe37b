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

from ..model import Node
from . import tokens as t
from .common import ComponentPlan, SpecList, tags
from .spec import Ref, ResourceSpec


@dataclass(frozen=True)
class SharedServicesArgs:
    """The province-wide pieces: the address scopes every node's pools belong to."""

    province: str  # the province code, which names the scopes


def build_shared_services(args: SharedServicesArgs) -> ComponentPlan:
    component = ResourceSpec(t.SHARED_SERVICES, f"{args.province}-shared")
    specs = SpecList(component)
    scopes = {}
    for version in (4, 6):
        scopes[version] = specs.add(t.ADDRESS_SCOPE, f"{args.province}-scope-v{version}", {
            # Not shared with everyone: each department's project gets an RBAC grant (see .tenant).
            "name": f"{args.province}-extranet-v{version}", "ipVersion": version, "shared": False,
        })
    return specs.plan({"addressScopeV4Id": Ref(scopes[4]), "addressScopeV6Id": Ref(scopes[6])})


@dataclass(frozen=True)
class ExtranetAttachmentArgs:
    """One node's transit network to the extranet, with its prefixes from the address plan."""

    node: Node
    transit_v4: str
    transit_v6: str


def build_extranet_attachment(args: ExtranetAttachmentArgs) -> ComponentPlan:
    node = args.node
    component = ResourceSpec(t.EXTRANET_ATTACHMENT, f"{node.code}-extranet")
    specs = SpecList(component)
    transit_tags = tags(extra=(f"node:{node.code}", "purpose:transit"))
    base = f"transit-{node.code}"
    network = specs.add(t.NETWORK, f"{base}-net", {
        "name": base, "tags": transit_tags,
        "description": f"{node.name}: transit to the e-government extranet",
    })
    v4 = specs.add(t.SUBNET, f"{base}-v4", {
        "name": f"{base}-v4", "networkId": Ref(network), "ipVersion": 4, "cidr": args.transit_v4,
        "tags": transit_tags,
    })
    v6 = specs.add(t.SUBNET, f"{base}-v6", {
        "name": f"{base}-v6", "networkId": Ref(network), "ipVersion": 6, "cidr": args.transit_v6,
        "ipv6AddressMode": "slaac", "ipv6RaMode": "slaac", "tags": transit_tags,
    })
    return specs.plan({"transitNetworkId": Ref(network), "transitSubnetV4Id": Ref(v4),
                       "transitSubnetV6Id": Ref(v6), "ipv4": args.transit_v4, "ipv6": args.transit_v6})
