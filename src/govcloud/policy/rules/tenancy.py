"""The shared cloud: every project is a department of the model, on that department's node; nothing
runs on it that the plan keeps off it (classified, MLPS level 4)."""

from __future__ import annotations

from ...model.hosting import off_shared_cloud
from ..rule import Severity, resource_rule, stack_rule
from ..view import LABELLED, PROJECT, TAGGABLE, ResourceView, StackView
from .readings import department_of, placement_node, system_of


@resource_rule(id="GOV-TEN-001", title="No project outside the model (no new private clouds)",
               severity=Severity.CRITICAL, clauses=("PLAN-SHARED-CLOUD", "MLPS-8.2.2.1b"), types=(PROJECT,),
               remediation="Add the department to departments.yaml (with its node) so the shared platform hosts "
                           "it; do not create projects by hand.")
def project_in_model(project: ResourceView, report) -> None:
    if project.context is None or project.node is None:
        return
    dept = department_of(project)
    if dept is None:
        report(f"project {project.name!r} is no department of the model "
               f"(dept:{project.tags.get('dept', '-')})", project.urn)
    elif dept.node != project.node:
        report(f"department {dept.code!r} lives on node {dept.node!r}, not {project.node!r}", project.urn)


@resource_rule(id="GOV-TEN-002", title="Department resources stay on the department's node (or its DR node)",
               severity=Severity.HIGH, clauses=("PLAN-SHARED-CLOUD", "MLPS-8.2.4.6b"),
               types=tuple(t for t in TAGGABLE if t != PROJECT),
               remediation="Deploy the resource in the stack of the department's node; only a system's DR half "
                           "may live on its dr_node.")
def home_node(resource: ResourceView, report) -> None:
    dept = department_of(resource)
    node = placement_node(resource)
    if dept is None or node is None or dept.node == node:
        return
    system = system_of(resource)
    if system is not None and node in (system.target_node, system.dr_node):
        return
    report(f"{resource.name!r} of department {dept.code!r} (node {dept.node!r}) is deployed on {node!r}",
           resource.urn)


@stack_rule(id="GOV-TEN-003", title="One project per department and node", severity=Severity.MEDIUM,
            clauses=("PLAN-SHARED-CLOUD", "MLPS-8.1.10.2a"),
            remediation="Keep one project per department; separate systems by networks and security groups.")
def one_project(stack: StackView, report) -> None:
    seen: dict[str, str] = {}
    for project in stack.of_type(PROJECT):
        code = project.tags.get("dept")
        if not code:
            continue
        if code in seen:
            report(f"department {code!r} has a second project {project.name!r} (first {seen[code]!r})",
                   project.urn)
        seen.setdefault(code, project.name)


@resource_rule(id="GOV-TEN-004", title="Nothing classified or above MLPS level 3 runs on the shared cloud",
               severity=Severity.CRITICAL, clauses=("PLAN-SHARED-CLOUD", "MLPS-8.2.2.1b"), types=LABELLED,
               remediation="Remove the resource from the shared cloud: classified systems belong on the classified "
                           "network and MLPS level 4 systems on dedicated infrastructure; in systems.yaml they have "
                           "no target_node or dr_node.")
def hosted_on_shared_cloud(resource: ResourceView, report) -> None:
    tag = resource.tags.get("mlps", "")
    reason = off_shared_cloud(int(tag) if tag.isdigit() else None)
    system = system_of(resource)
    if system is not None:
        reason = off_shared_cloud(system.mlps_level, system.data_class) or reason
    if reason:
        # The field to edit: the data class of a classified system, else its level.
        field = "data_class" if system is not None and off_shared_cloud(None, system.data_class) else "mlps_level"
        subject = ("systems", system.code, field) if system is not None else None
        report(f"{resource.name!r}{f' of system {system.code!r}' if system is not None else ''}: {reason}",
               resource.urn, subject=subject)
