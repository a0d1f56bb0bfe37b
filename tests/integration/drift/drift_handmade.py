"""Out-of-band changes made the way an operator would, with openstacksdk (shared by the drift test
and by hand from a Python prompt)."""

from __future__ import annotations

from typing import Any

SEC_GROUP_RULE = "openstack:networking/secGroupRule:SecGroupRule"


def managed_ingress_rule(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A managed ingress rule from a prefix (not a group): the one to change by hand."""
    for resource in resources:
        outputs = resource.get("outputs") or {}
        if resource.get("type") == SEC_GROUP_RULE and outputs.get("direction") == "ingress" \
                and outputs.get("remoteIpPrefix"):
            return resource
    raise AssertionError("the deployed stack has no ingress rule from a prefix to change")


def open_rule_to_the_world(conn, rule: dict[str, Any]) -> str:
    """'Change' a rule by hand: Neutron rules cannot be edited, so delete it and add SSH from ::/0
    in its group (what an operator in a hurry does). Returns the new rule's id."""
    outputs = rule["outputs"]
    conn.network.delete_security_group_rule(rule["id"])
    created = conn.network.create_security_group_rule(
        security_group_id=outputs["securityGroupId"], direction="ingress", ethertype="IPv6", protocol="tcp",
        port_range_min=22, port_range_max=22, remote_ip_prefix="::/0", description="opened by hand")
    return created.id


ROUTER = "openstack:networking/router:Router"


def department_router_on_transit(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A department's router whose gateway the stack put on the extranet transit (a reference)."""
    for resource in resources:
        tags = (resource.get("outputs") or {}).get("tags") or []
        deps = resource.get("propertyDependencies") or {}
        if resource.get("type") == ROUTER and any(t.startswith("dept:") for t in tags) \
                and deps.get("externalNetworkId"):
            return resource
    raise AssertionError("the deployed stack has no department router with its gateway on the transit")


def move_gateway_to(conn, router: dict[str, Any], network_name: str) -> str:
    """Move a router's gateway by hand to another external network; returns that network's id."""
    network = conn.network.find_network(network_name, ignore_missing=False)
    conn.network.update_router(router["id"], external_gateway_info={"network_id": network.id})
    return network.id
