"""MLPS level 3 and above: no public address of any kind."""

from __future__ import annotations

from ..rule import Severity, stack_rule
from ..view import FLOATING_IP, FLOATING_IP_ASSOCIATE, INSTANCE, NETWORK, PORT, StackView
from .readings import mlps_level


@stack_rule(id="GOV-MLPS-001", title="Level-3 systems have no public address", severity=Severity.CRITICAL,
            clauses=("MLPS-8.1.2.1d", "MLPS-8.2.3.1b", "PLAN-EXIT-UNIFIED"),
            remediation="Publish a level-3 system only through the unified exit's reverse proxy / WAF; remove "
                        "floating IPs and external-network ports from it.")
def no_public_address(stack: StackView, report) -> None:
    for fip in stack.of_type(FLOATING_IP):
        level = mlps_level(fip)
        targets = stack.resolve(fip, "portId")
        level = max([level or 0, *(mlps_level(t) or 0 for t in targets)])
        if level >= 3:
            report(f"floating IP {fip.name!r} serves a level-{level} resource", fip.urn)
    for assoc in stack.of_type(FLOATING_IP_ASSOCIATE):
        levels = [mlps_level(t) or 0 for t in stack.resolve(assoc, "portId")]
        if levels and max(levels) >= 3:
            report(f"associates a floating IP with a level-{max(levels)} port", assoc.urn)
    external = {n.name for n in stack.of_type(NETWORK) if n.get("external") is True}
    node = stack.context.province.node_by_code.get(stack.node) if stack.context and stack.node else None
    external_names = {node.external_network} if node else set()
    for resource in stack.of_type(INSTANCE, PORT):
        level = mlps_level(resource) or 0
        if level < 3:
            continue
        on_external = set(resource.refers_to("networks")) | set(resource.refers_to("networkId"))
        names = {n.get("name") for n in resource.get("networks") or [] if isinstance(n, dict)}
        if on_external & external or names & external_names:
            report(f"level-{level} {resource.name!r} sits on an external network", resource.urn)
