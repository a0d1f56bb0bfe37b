"""The extranet's address scopes: one routing domain, open only to the departments' projects.

A subnet pool may join an address scope only if its project can use the scope. A scope created
``shared: true`` is usable by every tenant, so any of them can create a pool inside the
extranet's routing domain, one that overlaps another department's block included (seen in the
lab: 198.19.8.0/24 inside a department's /21). The scopes are therefore private to the admin
project and shared with each department's project by an RBAC policy (``access_as_shared``).
"""

from __future__ import annotations

from ..rule import Severity, stack_rule
from ..view import ADDRESS_SCOPE, PROJECT, RBAC_POLICY, UNKNOWN, StackView


@stack_rule(id="GOV-NET-014", title="Extranet address scopes are shared only with department projects (RBAC)",
            severity=Severity.CRITICAL, clauses=("PLAN-IPV6-ADDRESSING", "MLPS-8.2.2.1b"),
            remediation="Create the address scope with shared: false and share it with each department's project "
                        "through an RBAC policy (objectType address_scope, action access_as_shared, targetTenant "
                        "the project); never with '*'.")
def scopes_shared_by_rbac(stack: StackView, report) -> None:
    for scope in stack.of_type(ADDRESS_SCOPE):
        if scope.get("shared") is True:
            report(f"address scope {scope.name!r} is shared with every tenant", scope.urn)
    for policy in stack.of_type(RBAC_POLICY):
        if policy.get("objectType") != "address_scope":
            continue
        projects = stack.resolve(policy, "targetTenant")
        if projects:
            for project in projects:
                if project.type != PROJECT or "dept" not in project.tags:
                    report(f"shares an address scope with {project.name!r}, which is no department project",
                           policy.urn)
        elif policy.get("targetTenant") is not UNKNOWN:
            report(f"shares an address scope with {policy.get('targetTenant')!r}, not with a department project "
                   f"of this stack", policy.urn)
