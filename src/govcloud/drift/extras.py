"""Resources created out of band inside ones a stack manages, which a refresh cannot see (it reads
only what the state holds): today, security-group rules added by hand to a managed group.

Neutron rules cannot be edited, so "changing" a rule by hand means deleting it (the refresh sees
it gone) and adding another (found here). Each unmanaged rule is returned with the provider's
property names, so the policy rules judge it like any deployed rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..policy.view import SEC_GROUP, SEC_GROUP_RULE, split_urn
from .cloud import managed

ListRules = Callable[[str], Iterable[Mapping[str, Any]]]
"""``list_rules(security_group_id)``: the live rules of one group, as Neutron returns them."""


def _neutron_default(rule: Mapping[str, Any]) -> bool:
    """The egress-anywhere rules Neutron adds to every new group itself (one per ethertype)."""
    return (rule.get("direction") == "egress" and not rule.get("protocol") and not rule.get("remote_ip_prefix")
            and not rule.get("remote_group_id") and rule.get("port_range_min") is None
            and rule.get("port_range_max") is None)


def _outputs(rule: Mapping[str, Any]) -> dict[str, Any]:
    # Neutron's JSON says ethertype; openstacksdk's to_dict() says ether_type.
    return {"direction": rule.get("direction"), "ethertype": rule.get("ethertype") or rule.get("ether_type"),
            "protocol": rule.get("protocol") or "", "portRangeMin": rule.get("port_range_min") or 0,
            "portRangeMax": rule.get("port_range_max") or 0, "remoteIpPrefix": rule.get("remote_ip_prefix") or "",
            "remoteGroupId": rule.get("remote_group_id") or "", "securityGroupId": rule.get("security_group_id"),
            "description": rule.get("description") or "", "id": rule.get("id")}


def unmanaged_rules(stack: str, resources: Sequence[Mapping[str, Any]], list_rules: ListRules) -> list[dict[str, Any]]:
    """Rules in the stack's managed groups that no SecGroupRule of the stack created."""
    deployed = managed(resources).values()
    groups = {r.get("id"): r for r in deployed if r.get("type") == SEC_GROUP and r.get("id")}
    known = {r.get("id") for r in deployed if r.get("type") == SEC_GROUP_RULE}
    extras = []
    for group_id, group in sorted(groups.items(), key=lambda item: item[1]["urn"]):
        _, project, _, group_name = split_urn(group["urn"])
        for rule in list_rules(group_id):
            if rule.get("id") in known or _neutron_default(rule):
                continue
            name = f"{group_name}-unmanaged-{rule.get('id')}"
            outputs = _outputs(rule)
            extras.append({
                "urn": f"urn:pulumi:{stack}::{project}::{SEC_GROUP_RULE}::{name}", "type": SEC_GROUP_RULE,
                "id": rule.get("id"), "custom": True, "outputs": outputs, "parent": group.get("parent"),
                "detail": (f"rule {rule.get('id')} added to {group_name}: {outputs['direction']} "
                           f"{outputs['ethertype']} {outputs['protocol'] or 'any'} "
                           f"{outputs['portRangeMin']}-{outputs['portRangeMax']} from "
                           f"{outputs['remoteIpPrefix'] or outputs['remoteGroupId'] or 'any source'}"),
            })
    return extras


def neutron_rule_lister(auth: Mapping[str, str], region: str | None) -> ListRules:
    """A :data:`ListRules` over the cloud's network API (openstacksdk, the engine's credentials)."""
    import openstack  # lazy: openstacksdk (about 2 s) only when the live cloud is read

    connection = openstack.connect(load_yaml_config=False, load_envvars=False, auth_type="password",
                                   auth=dict(auth), region_name=region)

    def list_rules(group_id: str) -> list[dict[str, Any]]:
        return [rule.to_dict() for rule in connection.network.security_group_rules(security_group_id=group_id)]

    return list_rules
