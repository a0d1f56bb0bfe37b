"""Disaster recovery: systems get the DR the model gives them, with the two halves in two nodes.

The stack of a system's target node holds both halves of its DR pair; the DR half is placed on
the ``dr_node`` through its region (or ``node:`` tag). Resources carry ``system:<code>``. So one
stack shows everything this rule needs, in the engine as offline.
"""

from __future__ import annotations

from ...model import DataClass, DrMode
from ..rule import Enforcement, Severity, resource_rule, stack_rule
from ..view import INSTANCE, TAGGABLE, VOLUME, ResourceView, StackView
from .readings import placement_node, system_of


def _placements(stack: StackView) -> dict[str, dict[str, set[str]]]:
    """system code -> resource type -> nodes where resources of that type are placed."""
    found: dict[str, dict[str, set[str]]] = {}
    for resource in stack.of_type(INSTANCE, VOLUME):
        code = resource.tags.get("system")
        node = placement_node(resource)
        if code and node:
            found.setdefault(code, {}).setdefault(resource.type, set()).add(node)
    return found


@stack_rule(id="GOV-DR-001", title="Level-3 systems have the DR the model requires, across two nodes",
            severity=Severity.HIGH, clauses=("PLAN-DR", "MLPS-8.1.4.9b", "MLPS-8.1.4.9c", "MLPS-8.2.4.6c"),
            remediation="Deploy the system's DR pair from the model: for dual-active an instance on the target "
                        "node and one on the dr_node; for offsite-backup a backup volume on the dr_node.")
def dr_as_required(stack: StackView, report) -> None:
    ctx, node = stack.context, stack.node
    if ctx is None or node is None:
        return
    placed = _placements(stack)
    for system in ctx.systems_by_node.get(node, []):
        if (system.target_node != node or system.dr is DrMode.NONE or int(system.mlps_level) < 3
                or system.data_class is DataClass.CLASSIFIED):
            continue
        mine = placed.get(system.code, {})
        if system.dr is DrMode.DUAL_ACTIVE:
            missing = {system.target_node, system.dr_node} - mine.get(INSTANCE, set())
            if missing:
                report(f"dual-active system {system.code!r} has no instance on {', '.join(sorted(missing))}",
                       subject=("systems", system.code, "dr"))
        elif system.dr_node not in mine.get(VOLUME, set()):
            report(f"system {system.code!r} ({system.dr.value}) has no backup volume on its DR node "
                   f"{system.dr_node!r}", subject=("systems", system.code, "dr_node"))


@resource_rule(id="GOV-DR-002", title="A system's resources are placed on its target node or its DR node only",
               severity=Severity.HIGH, clauses=("PLAN-DR", "MLPS-8.2.4.6b"), types=TAGGABLE,
               remediation="Place the resource on the system's target_node, or its DR half on dr_node (region / "
                           "node: tag); the two halves of a DR pair never share a node.")
def dr_placement(resource: ResourceView, report) -> None:
    system = system_of(resource)
    node = placement_node(resource)
    if system is None or node is None:
        return
    if node not in (system.target_node, system.dr_node):
        report(f"system {system.code!r} belongs on {system.target_node!r} (DR {system.dr_node or '-'}), "
               f"not on {node!r}", resource.urn)
    elif (resource.tags.get("role") == "backup-target" or resource.tags.get("side") == "b") \
            and node != system.dr_node:
        report(f"the DR half of {system.code!r} is on {node!r}, not on its DR node {system.dr_node!r}",
               resource.urn)


@stack_rule(id="GOV-DR-003", title="Level-3 key and high-criticality systems have DR in the model",
            severity=Severity.MEDIUM, enforcement=Enforcement.ADVISORY, clauses=("PLAN-DR", "MLPS-8.1.4.9b"),
            remediation="Give the system dr: dual-active or offsite-backup and a dr_node in systems.yaml.")
def dr_in_model(stack: StackView, report) -> None:
    ctx, node = stack.context, stack.node
    if ctx is None or node is None:
        return
    for system in ctx.systems_by_node.get(node, []):
        if (system.target_node == node and int(system.mlps_level) >= 3 and system.dr is DrMode.NONE
                and system.criticality.value in ("key", "high")):
            report(f"level-{int(system.mlps_level)} {system.criticality.value} system {system.code!r} has no DR",
                   subject=("systems", system.code, "dr"))
