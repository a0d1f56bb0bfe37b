"""The cloud on the extranet: department routers take their gateway on their node's transit
network, never on an internet-facing one, and translate nothing there.

The transit network is Neutron-external (a router gateway needs that) but faces the extranet, one
routing domain with one pair of address scopes; the internet is reached only through the unified
exits, which alone translate addresses. Both rules follow the gateway reference to the network it
names, so they are stack rules (in a preview the reference is a property dependency).
"""

from __future__ import annotations

from ..rule import Severity, stack_rule
from ..view import ROUTER, UNKNOWN, ResourceView, StackView
from .readings import has_gateway

TRANSIT_PURPOSE = "transit"


def gateway_networks(stack: StackView, router: ResourceView) -> list[ResourceView]:
    """The networks of this stack that a router's gateway names (none: unset, or found by name)."""
    return stack.resolve(router, "externalNetworkId")


def gateway_on_transit(stack: StackView, router: ResourceView) -> bool:
    """Whether the router's gateway is on the extranet transit, and nothing else."""
    networks = gateway_networks(stack, router)
    return bool(networks) and all(n.tags.get("purpose") == TRANSIT_PURPOSE for n in networks)


def _department_routers(stack: StackView):
    return (r for r in stack.of_type(ROUTER) if r.tags.get("dept") and "exit" not in r.tags)


@stack_rule(id="GOV-XNET-001", title="Department routers take their gateway on the extranet transit, "
                                     "never on an internet-facing network",
            severity=Severity.CRITICAL, clauses=("PLAN-ONE-NETWORK", "PLAN-EXIT-UNIFIED", "MLPS-8.1.3.1a"),
            remediation="Point the router's externalNetworkId at its node's transit network (purpose:transit, "
                        "from the ExtranetAttachment); the internet is reached through the unified exit.")
def department_gateway_on_transit(stack: StackView, report) -> None:
    for router in _department_routers(stack):
        if not has_gateway(router):
            continue
        networks = gateway_networks(stack, router)
        if not networks:
            # A gateway not made in this stack: an existing network found by name or id, which is
            # how the internet-facing provider networks are reached.
            report(f"department router {router.name!r} has its gateway on a network outside the "
                   "extranet transit (an internet-facing network)", router.urn)
            continue
        for network in networks:
            if network.tags.get("purpose") != TRANSIT_PURPOSE:
                report(f"department router {router.name!r} has its gateway on {network.name!r}, "
                       f"which is not the extranet transit", router.urn)


@stack_rule(id="GOV-XNET-002", title="No SNAT inside the extranet's address scope",
            severity=Severity.HIGH, clauses=("PLAN-ONE-NETWORK", "PLAN-EXIT-UNIFIED"),
            remediation="Set enableSnat: false on every router whose gateway is on the extranet transit: the "
                        "extranet routes the departments' own prefixes (BGP advertises them), and only the "
                        "unified exits translate.")
def no_snat_on_transit(stack: StackView, report) -> None:
    for router in stack.of_type(ROUTER):
        if not gateway_on_transit(stack, router):
            continue
        snat = router.get("enableSnat")
        if snat is not False and snat is not UNKNOWN:
            state = "enables SNAT" if snat is True else "leaves SNAT at Neutron's default (on)"
            report(f"router {router.name!r} {state} on the extranet transit", router.urn)
