"""Find the OpenStack object a resource's inputs describe, by its deterministic name and tags.

govcloud names every object from stable model codes and tags it (``govcloud:managed``,
``dept:<code>`` …), so the inputs the engine recorded for a create are enough to find the object
that create made, if it made one. Used to resolve pending creates after a kill
(:mod:`.resume`) and to notice objects an empty state does not know (:mod:`.adoption`).

Each finder returns the provider IDs of every match (the ID format the provider imports: a port
ID for a router interface, ``<server>/<volume>`` for a volume attachment). Types whose create is
idempotent on the cloud side (quotas, role assignments) have no finder: creating them again
cannot make a second object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..stackgraph import tokens as t

IDEMPOTENT_CREATES = frozenset({t.COMPUTE_QUOTA, t.NETWORK_QUOTA, t.VOLUME_QUOTA, t.ROLE_ASSIGNMENT})

Finder = Callable[[Any, Mapping[str, Any]], list[str]]


def _text(inputs: Mapping[str, Any], key: str) -> str | None:
    value = inputs.get(key)
    return value if isinstance(value, str) and value else None


def _tagged(found, inputs: Mapping[str, Any]) -> list[str]:
    """IDs of the objects carrying every tag the inputs ask for (none asked: all)."""
    wanted = {tag for tag in inputs.get("tags") or () if isinstance(tag, str)}
    return [obj.id for obj in found if wanted <= set(getattr(obj, "tags", None) or ())]


def _project_filter(inputs: Mapping[str, Any]) -> dict[str, str]:
    project = _text(inputs, "tenantId") or _text(inputs, "projectId")
    return {"project_id": project} if project else {}


def _untagged(lister: str) -> Finder:
    """Objects of the name in the create's project carrying no tag at all.

    The provider creates a Neutron object, then sets its tags in a second call: a run killed
    between the two leaves an untagged object that is the pending create's own. Only recovery of a
    pending create asks this (an empty state's adoption never does: an untagged object there may be
    anyone's), and only in the project the create named, or the run's own project when it named none.
    """
    def find(conn, inputs):
        name = _text(inputs, "name")
        if name is None:
            return []
        project = _project_filter(inputs) or {"project_id": conn.current_project_id}
        proxy, method = lister.split(".")
        listing = getattr(getattr(conn, proxy), method)
        return [item.id for item in listing(name=name, **project)
                if item.name == name and not (getattr(item, "tags", None) or ())]
    return find


def _named(lister: str, *, api_filters: bool = True) -> Finder:
    """Objects found by name (and project and tags). ``api_filters=False`` for listings that take no
    filter and carry no tags (neutron-dynamic-routing's speakers and peers): matched by name here."""
    def find(conn, inputs):
        name = _text(inputs, "name")
        if name is None:
            return []
        proxy, method = lister.split(".")
        listing = getattr(getattr(conn, proxy), method)
        if not api_filters:
            return [item.id for item in listing() if item.name == name]
        return _tagged([i for i in listing(name=name, **_project_filter(inputs)) if i.name == name], inputs)
    return find


def _subnet(conn, inputs):
    filters = {"name": _text(inputs, "name")}
    if _text(inputs, "networkId"):
        filters["network_id"] = inputs["networkId"]
    return _tagged([s for s in conn.network.subnets(**filters) if s.name == filters["name"]], inputs)


def _project(conn, inputs):
    name = _text(inputs, "name")
    return _tagged([p for p in conn.identity.projects(name=name) if p.name == name], inputs) if name else []


def _router_interface(conn, inputs):
    """By the router and the subnet it joins, or the port it plugs in (an exit's fixed address)."""
    router, subnet, port_id = _text(inputs, "routerId"), _text(inputs, "subnetId"), _text(inputs, "portId")
    if not router or not (subnet or port_id):
        return []
    return [port.id for port in conn.network.ports(device_id=router)
            if port.id == port_id or (subnet and any(ip.get("subnet_id") == subnet for ip in port.fixed_ips or ()))]


def _rule(conn, inputs):
    group = _text(inputs, "securityGroupId")
    if not group:
        return []
    want = {"direction": inputs.get("direction"), "ether_type": inputs.get("ethertype"),
            "protocol": inputs.get("protocol"), "port_range_min": inputs.get("portRangeMin"),
            "port_range_max": inputs.get("portRangeMax"), "remote_ip_prefix": inputs.get("remoteIpPrefix"),
            "remote_group_id": inputs.get("remoteGroupId")}
    return [rule.id for rule in conn.network.security_group_rules(security_group_id=group)
            if all((getattr(rule, key) or None) == (value or None) for key, value in want.items())]


def _server_group(conn, inputs):
    name = _text(inputs, "name")
    return [g.id for g in conn.compute.server_groups(all_projects=True) if g.name == name] if name else []


def _server(conn, inputs):
    name = _text(inputs, "name")
    if name is None:
        return []
    found = [s for s in conn.compute.servers(all_projects=True, name=f"^{name}$") if s.name == name]
    return [s.id for s in found if getattr(s, "status", "") != "DELETED"]


def _volume(conn, inputs):
    name = _text(inputs, "name")
    if name is None:
        return []
    return [v.id for v in conn.block_storage.volumes(all_projects=True, name=name) if v.name == name]


def _volume_attach(conn, inputs):
    server, volume = _text(inputs, "instanceId"), _text(inputs, "volumeId")
    if not server or not volume:
        return []
    return [f"{server}/{a.volume_id}" for a in conn.compute.volume_attachments(server) if a.volume_id == volume]


def _rbac(conn, inputs):
    obj, target = _text(inputs, "objectId"), _text(inputs, "targetTenant")
    if not obj or not target:
        return []
    return [p.id for p in conn.network.rbac_policies(object_id=obj, target_project_id=target,
                                                      action=inputs.get("action"))]


FINDERS: Mapping[str, Finder] = {
    t.PROJECT: _project,
    t.NETWORK: _named("network.networks"),
    t.SUBNET: _subnet,
    t.ROUTER: _named("network.routers"),
    t.PORT: _named("network.ports"),
    t.BGP_SPEAKER: _named("network.bgp_speakers", api_filters=False),
    t.BGP_PEER: _named("network.bgp_peers", api_filters=False),
    t.SEC_GROUP: _named("network.security_groups"),
    t.SUBNET_POOL: _named("network.subnet_pools"),
    t.ADDRESS_SCOPE: _named("network.address_scopes"),
    t.SEC_GROUP_RULE: _rule,
    t.ROUTER_INTERFACE: _router_interface,
    t.SERVER_GROUP: _server_group,
    t.INSTANCE: _server,
    t.VOLUME: _volume,
    t.VOLUME_ATTACH: _volume_attach,
    t.RBAC_POLICY: _rbac,
}


# Neutron types whose tags the provider sets after the create, in a call of its own.
TAGGED_AFTER_CREATE: Mapping[str, Finder] = {
    t.NETWORK: _untagged("network.networks"),
    t.SUBNET: _untagged("network.subnets"),
    t.ROUTER: _untagged("network.routers"),
    t.PORT: _untagged("network.ports"),
    t.SEC_GROUP: _untagged("network.security_groups"),
    t.SUBNET_POOL: _untagged("network.subnet_pools"),
    t.ADDRESS_SCOPE: _untagged("network.address_scopes"),
}


class CloudFinder:
    """Finds objects in one OpenStack connection (admin: objects of every project)."""

    def __init__(self, connection) -> None:
        self.connection = connection

    def can_find(self, type_: str) -> bool:
        return type_ in FINDERS

    def find(self, type_: str, inputs: Mapping[str, Any]) -> list[str]:
        return FINDERS[type_](self.connection, inputs)

    def find_created(self, type_: str, inputs: Mapping[str, Any]) -> tuple[list[str], bool]:
        """What a pending create made: its tagged object, else one left untagged by a kill between
        the create and the tag call. The flag says the IDs are of untagged objects."""
        ids = self.find(type_, inputs)
        if ids or type_ not in TAGGED_AFTER_CREATE:
            return ids, False
        untagged = TAGGED_AFTER_CREATE[type_](self.connection, inputs)
        return untagged, bool(untagged)
