"""A unified internet exit on its node: the exit router with the only external gateway.

Only exits the model names as *unified* get one (DESIGN: only unified exits reach the internet);
the router joins the node's transit network so departments reach the internet through it.
Floating IPs are not created here: none is named by the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import InternetExit, Node
from . import tokens as t
from .common import ComponentPlan, SpecList, tags
from .spec import Lookup, Ref, ResourceSpec


@dataclass(frozen=True)
class UnifiedExitArgs:
    exit: InternetExit
    node: Node
    transit_subnets: tuple[str, str]  # spec names of the node's transit v4 and v6 subnets


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
    for subnet in args.transit_subnets:
        specs.add(t.ROUTER_INTERFACE, f"{ex.code}-{subnet}-if", {"routerId": Ref(router), "subnetId": Ref(subnet)})
    return specs.plan({"routerId": Ref(router)})
