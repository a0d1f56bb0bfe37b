"""Asset labels: every resource names its department, its system and its MLPS level."""

from __future__ import annotations

from ..rule import Enforcement, Severity, resource_rule
from ...stackgraph.spec import ROOT_STACK_TYPE
from ..view import INSTANCE, MORE_TAGGABLE, TAGGABLE, VOLUME, ResourceView
from .readings import department_of, is_platform, system_of


@resource_rule(id="GOV-TAG-001", title="Every resource names its department (dept:<code>)",
               severity=Severity.MEDIUM, clauses=("PLAN-ASSETS", "MLPS-8.1.10.2a", "MLPS-8.2.4.6b"),
               types=TAGGABLE,
               remediation="Tag the resource dept:<code> with the department code from departments.yaml.")
def department_tag(resource: ResourceView, report) -> None:
    code = resource.tags.get("dept")
    if not code and is_platform(resource):
        return
    if not code:
        report(f"{resource.name!r} has no dept tag", resource.urn)
    elif resource.context is not None and department_of(resource) is None:
        report(f"tag dept:{code} names no department of the model", resource.urn)


@resource_rule(id="GOV-TAG-002", title="Every resource carries its MLPS level (mlps:<n>), as the model sets it",
               severity=Severity.MEDIUM, clauses=("PLAN-ASSETS", "MLPS-8.2.2.1a"), types=TAGGABLE,
               remediation="Tag the resource mlps:<n> with its system's level, or its department's when it "
                           "serves no single system.")
def mlps_tag(resource: ResourceView, report) -> None:
    tag = resource.tags.get("mlps")
    if not tag and is_platform(resource):
        return
    if not tag:
        report(f"{resource.name!r} has no mlps tag", resource.urn)
        return
    owner = system_of(resource) or department_of(resource)
    if owner is not None and tag != str(int(owner.mlps_level)):
        report(f"tag mlps:{tag} but {owner.code!r} is level {int(owner.mlps_level)} in the model", resource.urn)


@resource_rule(id="GOV-TAG-003", title="Instances and volumes name the system they serve (system:<code>)",
               severity=Severity.MEDIUM, clauses=("PLAN-ASSETS", "MLPS-8.1.10.2a"), types=(INSTANCE, VOLUME),
               remediation="Tag the resource system:<code> with a system of systems.yaml owned by its department.")
def system_tag(resource: ResourceView, report) -> None:
    code = resource.tags.get("system")
    if not code:
        report(f"{resource.name!r} has no system tag", resource.urn)
        return
    if resource.context is None:
        return
    system = system_of(resource)
    if system is None:
        report(f"tag system:{code} names no system of the model", resource.urn)
    elif resource.tags.get("dept") and system.owner != resource.tags["dept"]:
        report(f"system {code!r} belongs to {system.owner!r}, not to dept:{resource.tags['dept']}", resource.urn)


@resource_rule(id="GOV-TAG-004", title="Every resource is marked as managed by govcloud", severity=Severity.LOW,
               enforcement=Enforcement.ADVISORY, clauses=("PLAN-ASSETS",), types=TAGGABLE,
               remediation="Tag the resource govcloud:managed so drift reports can tell it from hand-made ones.")
def managed_tag(resource: ResourceView, report) -> None:
    if resource.tags.get("govcloud") != "managed":
        report(f"{resource.name!r} lacks the govcloud:managed tag", resource.urn)


def _must_be_labelled(resource: ResourceView) -> bool:
    """Types the older label rules do not read: the provider's other taggable types, and any
    resource (a future component's, or one a stack setting adds) that carries ``tags`` or
    ``metadata``."""
    if resource.type in TAGGABLE or resource.type.startswith("govcloud:") or resource.type == ROOT_STACK_TYPE:
        return False
    return resource.type in MORE_TAGGABLE or resource.get("tags") is not None or resource.get("metadata") is not None


@resource_rule(id="GOV-TAG-005", title="Resources of every other labelled type name their department and MLPS "
                                       "level", severity=Severity.MEDIUM,
               clauses=("PLAN-ASSETS", "MLPS-8.1.10.2a", "MLPS-8.2.2.1a"),
               remediation="Tag the resource dept:<code> and mlps:<n> (and govcloud:managed) like every resource "
                           "the builders make; a component that creates new types must label them too.")
def labels_everywhere(resource: ResourceView, report) -> None:
    if not _must_be_labelled(resource) or is_platform(resource):
        return
    missing = [key for key in ("dept", "mlps") if not resource.tags.get(key)]
    if missing:
        report(f"{resource.name!r} ({resource.type.rsplit(':', 1)[-1]}) has no {' and no '.join(missing)} tag",
               resource.urn)
    elif resource.context is not None and department_of(resource) is None:
        report(f"tag dept:{resource.tags['dept']} names no department of the model", resource.urn)
