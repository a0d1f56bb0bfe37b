"""Internet exits: only the unified exits named in the model reach the internet."""

from __future__ import annotations

from ...model import ExitStatus
from ..rule import Severity, resource_rule, stack_rule
from ..view import FLOATING_IP, NETWORK, ROUTER, TAGGABLE, ResourceView, StackView
from .common import is_set
from .extranet import TRANSIT_PURPOSE, gateway_on_transit


def _unified_exits(resource: ResourceView) -> list[str] | None:
    """Unified exits serving the resource's node; None when the stack is not a node of the model."""
    ctx = resource.context
    node = resource.node
    if ctx is None or node is None:
        return None
    return ctx.unified_exits_by_node.get(node, [])


@stack_rule(id="GOV-EXIT-001", title="Only a unified exit's router has an external gateway",
            severity=Severity.CRITICAL, clauses=("PLAN-EXIT-UNIFIED", "MLPS-8.1.3.1a", "MLPS-8.1.3.1c"),
            remediation="Remove externalNetworkId: departments reach the internet through the node's unified "
                        "exit router (exits.yaml, status unified, node set; tagged exit:<code>).")
def router_gateway(stack: StackView, report) -> None:
    # A gateway on the extranet transit faces the extranet, not the internet: GOV-XNET-001 and
    # GOV-XNET-002 judge those. A stack rule, because telling them apart follows the reference.
    for router in stack.of_type(ROUTER):
        exits = _unified_exits(router)
        if exits is None or not is_set(router.get("externalNetworkId")) or gateway_on_transit(stack, router):
            continue
        if not exits:
            report(f"node {router.node!r} has no unified exit but router {router.name!r} has an external gateway",
                   router.urn)
        elif router.tags.get("exit") not in exits:
            report(f"router {router.name!r} has an external gateway but is not the router of unified exit "
                   f"{' or '.join(exits)}", router.urn)


@resource_rule(id="GOV-EXIT-002", title="Floating IPs exist only where a unified exit serves",
               severity=Severity.CRITICAL, clauses=("PLAN-EXIT-UNIFIED", "MLPS-8.1.3.1a"), types=(FLOATING_IP,),
               remediation="Publish the service through the unified exit's node instead of a local floating IP.")
def floating_ip_at_exit(fip: ResourceView, report) -> None:
    exits = _unified_exits(fip)
    if exits is not None and not exits:
        report(f"node {fip.node!r} has no unified exit", fip.urn)


@resource_rule(id="GOV-EXIT-003", title="External networks belong to a unified exit of their node",
               severity=Severity.CRITICAL, clauses=("PLAN-EXIT-UNIFIED", "MLPS-8.1.3.1a"), types=(NETWORK,),
               remediation="Only the unified exit creates the provider network; tag it exit:<code> with the "
                           "exit's code from exits.yaml.")
def external_network(network: ResourceView, report) -> None:
    # The extranet transit is external in Neutron's sense (routers take their gateway on it) but
    # faces the extranet; GOV-NET-005 holds its subnets to the plan's transit prefixes.
    if network.get("external") is not True or network.tags.get("purpose") == TRANSIT_PURPOSE:
        return
    exits = _unified_exits(network)
    if exits is None:
        return
    code = network.tags.get("exit")
    if code not in exits:
        report(f"external network {network.name!r} is tagged exit:{code or '-'}, not a unified exit of node "
               f"{network.node!r} ({', '.join(exits) or 'none'})", network.urn)


@resource_rule(id="GOV-EXIT-004", title="No resource serves a legacy or decommissioned exit",
               severity=Severity.HIGH, clauses=("PLAN-EXIT-UNIFIED",), types=TAGGABLE,
               remediation="Move the resource to the unified exit that replaces this one "
                           "(`govcloud network exits plan`).")
def no_legacy_exit(resource: ResourceView, report) -> None:
    code = resource.tags.get("exit")
    if not code or resource.context is None:
        return
    ex = resource.context.exit_by_code.get(code)
    if ex is None:
        report(f"tag exit:{code} names no exit of the model", resource.urn)
    elif ex.status is not ExitStatus.UNIFIED:
        report(f"exit {code!r} is {ex.status.value}, not unified", resource.urn)
