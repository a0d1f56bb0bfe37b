"""Instances and server groups: approved images, known zones, no passwords, spread replicas."""

from __future__ import annotations

from ..rule import Enforcement, Severity, resource_rule
from ..view import INSTANCE, SERVER_GROUP, UNKNOWN, VOLUME, ResourceView
from .readings import is_set, mlps_level, placement_node


def _image_problem(instance: ResourceView) -> str | None:
    approved = instance.context.parameters.approved_images
    name = instance.get("imageName")
    if name is UNKNOWN:
        return None
    if name:
        return None if name in approved else f"image {name!r} is not on the approved list"
    if is_set(instance.get("imageId")):
        return "boots by imageId, which cannot be checked against the approved list"
    return None


def _check_image(instance: ResourceView, report, *, level_3: bool) -> None:
    if instance.context is None:
        return
    level = mlps_level(instance)
    if level is None or (level >= 3) != level_3:
        return
    problem = _image_problem(instance)
    if problem:
        report(f"level-{level} instance {instance.name!r}: {problem}", instance.urn)


@resource_rule(id="GOV-CMP-001", title="Level-3 instances boot approved, hardened images",
               severity=Severity.HIGH, clauses=("MLPS-8.2.4.4a", "MLPS-8.2.4.4b", "CRYPTO-7.4-store-int"),
               types=(INSTANCE,), settings=("drImage",),
               remediation="Boot from an image of the approved list by imageName (the environment's "
                           "approved_images); images are hardened and signature-checked before listing.")
def approved_image_level3(instance: ResourceView, report) -> None:
    _check_image(instance, report, level_3=True)


@resource_rule(id="GOV-CMP-002", title="Instances below level 3 boot approved images", severity=Severity.MEDIUM,
               enforcement=Enforcement.ADVISORY, clauses=("MLPS-8.2.4.4a",), types=(INSTANCE,),
               settings=("drImage",),
               remediation="Boot from an image of the approved list by imageName.")
def approved_image_below_level3(instance: ResourceView, report) -> None:
    _check_image(instance, report, level_3=False)


@resource_rule(id="GOV-CMP-003", title="Instances and volumes use an availability zone of their node",
               severity=Severity.MEDIUM, clauses=("MLPS-8.2.4.6b", "MLPS-8.1.10.2a"), types=(INSTANCE, VOLUME),
               remediation="Use one of the node's availability_zones from province.yaml, or leave the zone unset.")
def availability_zone(resource: ResourceView, report) -> None:
    zone = resource.get("availabilityZone")
    node = placement_node(resource)
    if not zone or zone is UNKNOWN or node is None:
        return
    zones = resource.context.province.node_by_code[node].availability_zones
    if zone not in zones:
        report(f"zone {zone!r} is not one of node {node!r}'s ({', '.join(zones)})", resource.urn)


@resource_rule(id="GOV-CMP-004", title="No administrator password in instance definitions",
               severity=Severity.HIGH, clauses=("MLPS-8.1.4.1", "CRYPTO-7.3"), types=(INSTANCE,),
               remediation="Remove adminPass; log in with key pairs issued by the bastion and its two-factor "
                           "authentication.")
def no_admin_password(instance: ResourceView, report) -> None:
    if is_set(instance.get("adminPass")):
        report(f"instance {instance.name!r} sets adminPass", instance.urn)


@resource_rule(id="GOV-CMP-005", title="Server groups spread their members over hosts", severity=Severity.MEDIUM,
               clauses=("MLPS-8.1.4.9c", "MLPS-8.1.2.1e"), types=(SERVER_GROUP,),
               remediation="Use the anti-affinity (or soft-anti-affinity) policy so that one host failure does "
                           "not take every replica.")
def anti_affinity(group: ResourceView, report) -> None:
    policies = group.get("policies")
    if group.context is None or policies is UNKNOWN:
        return
    spread = group.context.parameters.anti_affinity_policies
    # pulumi-openstack 5 takes one policy as a string; older releases took a list.
    found = {policies} if isinstance(policies, str) else set(policies or ())
    if not found & spread:
        report(f"server group {group.name!r} has policy {', '.join(sorted(found)) or '(none)'}, not anti-affinity",
               group.urn)
