"""Quotas: a project gets what its department's approved request says, and no more."""

from __future__ import annotations

from ..rule import Enforcement, Severity, stack_rule
from ..view import COMPUTE_QUOTA, NETWORK_QUOTA, PROJECT, VOLUME_QUOTA, StackView
from .readings import department_of

# Provider input name -> field of the model's Quotas, per quota resource type.
QUOTA_FIELDS = {
    COMPUTE_QUOTA: {"instances": "instances", "cores": "cores", "ram": "ram_mb"},
    NETWORK_QUOTA: {"network": "networks", "subnet": "subnets", "port": "ports", "router": "routers",
                    "securityGroup": "security_groups", "floatingip": "floating_ips"},
    VOLUME_QUOTA: {"volumes": "volumes", "gigabytes": "gigabytes"},
}


@stack_rule(id="GOV-QUO-001", title="Quotas stay within the department's approved request",
            severity=Severity.HIGH, clauses=("PLAN-QUOTA", "MLPS-8.2.2.1a"),
            remediation="Lower the quota to the approved value in departments.yaml, or get the request "
                        "approved and change the model.")
def within_approval(stack: StackView, report) -> None:
    for quota in stack.of_type(*QUOTA_FIELDS):
        for project in stack.resolve(quota, "projectId"):
            dept = department_of(project)
            if dept is None:
                continue
            for prop, field in QUOTA_FIELDS[quota.type].items():
                value, approved = quota.get(prop), getattr(dept.quotas, field)
                if approved is None or isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue  # unset, unknown until the update, or not managed by the model
                if value > approved or value < 0:
                    shown = "unlimited (-1)" if value < 0 else value
                    report(f"{prop}={shown} for {dept.code!r}, approved {field}={approved}", quota.urn,
                           subject=("departments", dept.code, "quotas"))


@stack_rule(id="GOV-QUO-002", title="Departments with approved quotas have them applied",
            severity=Severity.LOW, enforcement=Enforcement.ADVISORY, clauses=("PLAN-QUOTA",),
            remediation="Create the compute / network quota resources for the project from the model's quotas.")
def quotas_applied(stack: StackView, report) -> None:
    limited = {name for quota in stack.of_type(*QUOTA_FIELDS) for name in quota.refers_to("projectId")}
    for project in stack.of_type(PROJECT):
        dept = department_of(project)
        if dept is None or project.name in limited:
            continue
        if any(v is not None for v in dept.quotas.model_dump().values()):
            report(f"project {project.name!r} has approved quotas in the model but no quota resource",
                   project.urn)
