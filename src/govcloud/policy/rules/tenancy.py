"""The shared cloud: every project is a department of the model, on that department's node."""

from __future__ import annotations

from ..rule import Severity, resource_rule, stack_rule
from ..view import PROJECT, TAGGABLE, ResourceView, StackView
from .common import department_of, placement_node, system_of


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
