"""A unified internet exit on its node: the exit router with the only external gateway.

Only exits the model names as *unified* and builds as a *cloud router* (``kind: cloud-router``)
get one (DESIGN: only unified exits reach the internet). An appliance exit (the default) is the
network's own device at the transit's exit address; the stack builds nothing for it, or two
devices would answer for one address. The router joins the node's transit network through ports
at the exit's fixed address there (:func:`govcloud.ipam.transit.exit_address`), not at the
subnets' gateway: the gateway is the border router's. Floating IPs are not created here: none is
named by the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from netaddr import IPNetwork

from ..ipam.transit import exit_address
from ..model import InternetExit, Node
from . import tokens as t
from .specparts import ComponentPlan, SpecList, tags
from .spec import Lookup, Ref, ResourceSpec


@dataclass(frozen=True)
class UnifiedExitArgs:
    exit: InternetExit
    node: Node
    transit_network: str  # spec name of the node's transit network
    transit_subnets: tuple[tuple[str, str], ...]  # (spec name, cidr) of the transit v4 and v6 subnets


def build_unified_exit(args: UnifiedExitArgs) -> ComponentPlan:
    ex = args.exit
    component = ResourceSpec(t.UNIFIED_EXIT, ex.code)
    specs = SpecList(component)
    uplink = ex.uplink
    router = specs.add(t.ROUTER, f"{ex.code}-router", {
        "name": f"{ex.code}-router",
        "externalNetworkId": Lookup(t.GET_NETWORK, (("name", args.node.external_network), ("external", True))),
        "tags": tags(extra=(f"exit:{ex.code}", "purpose:unified-exit")),
        "description": f"{ex.name or ex.code}: {uplink.isp} {uplink.bandwidth_mbps} Mbit/s, {uplink.ipv4}"
                       + (f", {uplink.ipv6}" if uplink.ipv6 else ""),
    })
    for subnet, cidr in args.transit_subnets:
        port = specs.add(t.PORT, f"{ex.code}-{subnet}-port", {
            "name": f"{ex.code}-{subnet}", "networkId": Ref(args.transit_network),
            "fixedIps": [{"subnetId": Ref(subnet), "ipAddress": str(exit_address(IPNetwork(cidr)))}],
            "tags": tags(extra=(f"exit:{ex.code}", "purpose:unified-exit")),
        })
        specs.add(t.ROUTER_INTERFACE, f"{ex.code}-{subnet}-if", {"routerId": Ref(router), "portId": Ref(port)})
    return specs.plan({"routerId": Ref(router)})
