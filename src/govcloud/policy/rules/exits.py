"""Internet exits: only the unified exits named in the model, and designated by the provincial
plan, reach the internet. How a unified exit is built (``kind`` in exits.yaml) decides whether any
stack may hold an internet gateway: only a *cloud-router* exit is a router of its node's stack; an
*appliance* exit is the network's device beside the border router, so with one no stack of its
node holds a gateway on an internet-facing network, nor a floating IP, nor an external network
of its own."""

from __future__ import annotations

from ...model import ExitStatus
from ..rule import Severity, resource_rule, stack_rule
from ..view import FLOATING_IP, NETWORK, ROUTER, TAGGABLE, ResourceView, StackView
from .readings import has_gateway, placement_node
from .extranet import TRANSIT_PURPOSE, gateway_on_transit


def _cloud_router_exits(resource: ResourceView) -> list[str] | None:
    """Cloud-router exits serving the resource's node (the only ones a stack builds); None when
    the stack is not a node of the model."""
    ctx = resource.context
    node = resource.node
    if ctx is None or node is None:
        return None
    return ctx.cloud_router_exits_by_node.get(node, [])


def _no_cloud_router(resource: ResourceView) -> str:
    """Why the resource's node has no exit a stack may build: none at all, or an appliance."""
    appliances = resource.context.appliance_exits_by_node.get(resource.node, [])
    if appliances:
        return (f"node {resource.node!r}'s unified exit {' and '.join(appliances)} is an appliance (kind: appliance), "
                "which no stack holds a copy of")
    return f"node {resource.node!r} has no unified exit"


def _appliance_subject(resource: ResourceView):
    """The model entry an operator would change to give the node a cloud router: the exit's kind."""
    appliances = resource.context.appliance_exits_by_node.get(resource.node, [])
    return ("exits", appliances[0], "kind") if appliances else None


@stack_rule(id="GOV-EXIT-001", title="Only a cloud-router unified exit's router has an internet gateway",
            severity=Severity.CRITICAL, clauses=("PLAN-EXIT-UNIFIED", "MLPS-8.1.3.1a", "MLPS-8.1.3.1c"),
            remediation="Remove externalNetworkId: departments reach the internet through the node's border "
                        "router and its unified exit. Only an exit built as a router of the node's cloud "
                        "(exits.yaml: status unified, node set, kind cloud-router; tagged exit:<code>) has a "
                        "gateway on the internet-facing network; with an appliance exit no stack has any.")
def router_gateway(stack: StackView, report) -> None:
    # A gateway on the extranet transit faces the extranet, not the internet: GOV-XNET-001 and
    # GOV-XNET-002 judge those. A stack rule, because telling them apart follows the reference.
    for router in stack.of_type(ROUTER):
        exits = _cloud_router_exits(router)
        if exits is None or not has_gateway(router) or gateway_on_transit(stack, router):
            continue
        if not exits:
            report(f"router {router.name!r} has an internet gateway but {_no_cloud_router(router)}", router.urn,
                   subject=_appliance_subject(router))
        elif router.tags.get("exit") not in exits:
            report(f"router {router.name!r} has an internet gateway but is not the router of the cloud-router exit "
                   f"of its node ({' or '.join(exits)})", router.urn)


@resource_rule(id="GOV-EXIT-002", title="Floating IPs exist only where a cloud-router unified exit serves",
               severity=Severity.CRITICAL, clauses=("PLAN-EXIT-UNIFIED", "MLPS-8.1.3.1a"), types=(FLOATING_IP,),
               remediation="Publish the service through the unified exit: an appliance exit publishes it itself "
                           "(its reverse proxy / DNAT); a floating IP needs the node's cloud-router exit.")
def floating_ip_at_exit(fip: ResourceView, report) -> None:
    exits = _cloud_router_exits(fip)
    if exits is None:
        return
    # Only a designated exit counts: a node that declared its own exit unified reaches the
    # internet through it no more lawfully with a floating IP than with a gateway (GOV-EXIT-005).
    designated = [code for code in exits if code in fip.context.designated_exits]
    if designated:
        return
    if exits:
        report(f"node {fip.node!r} has no cloud-router exit the provincial plan designates "
               f"({', '.join(exits)} declared)", fip.urn)
    else:
        report(f"floating IP on node {fip.node!r}, but {_no_cloud_router(fip)}", fip.urn,
               subject=_appliance_subject(fip))


@resource_rule(id="GOV-EXIT-003", title="External networks belong to a cloud-router unified exit of their node",
               severity=Severity.CRITICAL, clauses=("PLAN-EXIT-UNIFIED", "MLPS-8.1.3.1a"), types=(NETWORK,),
               remediation="Only a cloud-router exit's node has an internet-facing network; tag it exit:<code> "
                           "with the exit's code from exits.yaml. With an appliance exit the stack has none.")
def external_network(network: ResourceView, report) -> None:
    # The extranet transit is external in Neutron's sense (routers take their gateway on it) but
    # faces the extranet; GOV-NET-005 holds its subnets to the plan's transit prefixes.
    if network.get("external") is not True or network.tags.get("purpose") == TRANSIT_PURPOSE:
        return
    exits = _cloud_router_exits(network)
    if exits is None:
        return
    code = network.tags.get("exit")
    if not exits:
        report(f"external network {network.name!r}: {_no_cloud_router(network)}", network.urn,
               subject=_appliance_subject(network))
    elif code not in exits:
        report(f"external network {network.name!r} is tagged exit:{code or '-'}, not the cloud-router exit of "
               f"node {network.node!r} ({', '.join(exits)})", network.urn)


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


@stack_rule(id="GOV-EXIT-005", title="Internet gateways only at exits the provincial plan designates unified",
            severity=Severity.CRITICAL, clauses=("PLAN-EXIT-UNIFIED", "MLPS-8.1.3.1a", "MLPS-8.1.3.1c"),
            remediation="Unified exits are the province's decision (or a city's it delegates): add the exit "
                        "to unified_exit_plan.designations in exits.yaml with the plan's decision, or remove "
                        "the gateway / external network. A department or node cannot declare its own exit "
                        "unified.")
def designated_exit(stack: StackView, report) -> None:
    # The extranet transit (external in Neutron's sense) and gateways on it face the extranet, not
    # the internet (GOV-XNET-001/002 judge them): a stack rule, because that follows the reference.
    for resource in stack.of_type(ROUTER, NETWORK):
        if resource.type == NETWORK and resource.tags.get("purpose") == TRANSIT_PURPOSE:
            continue
        if resource.type == ROUTER and gateway_on_transit(stack, resource):
            continue
        _designated(resource, report)


def _designated(resource: ResourceView, report) -> None:
    ctx = resource.context
    if ctx is None:
        return
    if resource.type == ROUTER and not has_gateway(resource):
        return
    if resource.type == NETWORK and resource.get("external") is not True:
        return
    code = resource.tags.get("exit")
    what = "has an external gateway" if resource.type == ROUTER else "is an external network"
    if code in ctx.designated_exits:
        # A designation is of one exit at one node: naming it elsewhere gives no gateway there.
        served, node = ctx.exit_by_code[code].node, placement_node(resource)
        if served is not None and node is not None and served != node:
            report(f"{resource.name!r} {what} on node {node!r} for exit {code!r}, which the provincial plan "
                   f"designates at node {served!r} only", resource.urn, subject=("exits", code, "node"))
        return
    designated = ", ".join(sorted(ctx.designated_exits)) or "none"
    if code:
        report(f"{resource.name!r} {what} for exit {code!r}, which the provincial plan does not designate "
               f"unified (designated: {designated})", resource.urn, subject=("exits", code, "status"))
    else:
        report(f"{resource.name!r} {what} but serves no exit the provincial plan designates "
               f"(designated: {designated})", resource.urn)
