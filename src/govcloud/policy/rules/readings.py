"""Small readings of a resource that several rules share (department, MLPS level, purpose, ports)."""

from __future__ import annotations

import re
from typing import Any

from ..prefix import parse_prefix
from ..view import UNKNOWN, ResourceView

WIDEST_SOURCE = {4: 8, 6: 16}
"""Source prefixes wider than these (a /0 however written, an IPv4 /1, IPv6's 2000::/3 of every
global address) admit the internet: no province's own ranges, or a partner's, are that wide (the
whole private 10.0.0.0/8 is still a source, not everyone)."""
_MANAGEMENT_NAME = re.compile(r"(^|[-_])(mgmt|management|manage|oob)([-_]|$)")


def department_of(resource: ResourceView):
    """The model department the resource's ``dept`` tag names, or None."""
    ctx = resource.context
    return ctx.department(resource.tags.get("dept")) if ctx else None


def system_of(resource: ResourceView):
    ctx = resource.context
    return ctx.system(resource.tags.get("system")) if ctx else None


def mlps_level(resource: ResourceView) -> int | None:
    """The highest MLPS level that applies: the resource's tag, its system's, its department's."""
    levels = []
    tag = resource.tags.get("mlps", "")
    if tag.isdigit():
        levels.append(int(tag))
    for owner in (system_of(resource), department_of(resource)):
        if owner is not None:
            levels.append(int(owner.mlps_level))
    return max(levels) if levels else None


def purpose_of(resource: ResourceView) -> str:
    """``management`` or ``business``: the ``purpose`` tag, else the name (``…-mgmt``, ``…-management``)."""
    purpose = resource.tags.get("purpose")
    if purpose:
        return purpose
    return "management" if _MANAGEMENT_NAME.search(resource.name) else "business"


def ip_version(subnet: ResourceView) -> Any:
    """A subnet's IP version; the provider's default is 4."""
    version = subnet.get("ipVersion")
    if version is None:
        return 4
    if version is UNKNOWN:
        return UNKNOWN
    return int(version)


def is_set(value: Any) -> bool:
    """Present and not empty (an unknown value counts as set: something will be there)."""
    return value is UNKNOWN or value not in (None, "", [], {})


def has_gateway(router: ResourceView) -> bool:
    """Whether a router has an external gateway. In a preview the provider reports an unset,
    provider-computed gateway as unknown; a real one is known (a network id, or a data-source read:
    resolved during preview, and read as known offline) or depends on another resource."""
    gateway = router.get("externalNetworkId")
    if gateway is UNKNOWN:
        return bool(router.refers_to("externalNetworkId"))
    return is_set(gateway)


def rule_ports(rule: ResourceView) -> tuple[int, int] | None:
    """The port range a security-group rule opens: None when unknown; (1, 65535) for every port."""
    protocol = rule.get("protocol")
    low, high = rule.get("portRangeMin"), rule.get("portRangeMax")
    if UNKNOWN in (protocol, low, high):
        return None
    if protocol in ("icmp", "ipv6-icmp", "icmpv6", "1", "58"):
        return (0, 0)
    if not low and not high:
        return (1, 65535)
    # A range from 0 is a range (0-100 opens 22): only a missing bound takes the other's value.
    low = int(low) if low is not None else int(high)
    return (low, int(high) if high is not None else low)


def opens_every_port(rule: ResourceView) -> bool:
    ports = rule_ports(rule)
    return ports is not None and ports[0] <= 1 and ports[1] >= 65535


def from_anywhere(rule: ResourceView) -> bool:
    """An ingress rule that admits any source: ``0.0.0.0/0``, ``::/0`` or as wide, or no remote at all."""
    if rule.get("direction") != "ingress":
        return False
    prefix = rule.get("remoteIpPrefix")
    if prefix is UNKNOWN:
        return False
    if is_internet_wide(prefix):
        return True
    return not prefix and not is_set(rule.get("remoteGroupId")) and not is_set(rule.get("remoteAddressGroupId"))


def is_internet_wide(prefix) -> bool:
    """A prefix wider than :data:`WIDEST_SOURCE` of its family: as good as any source. That takes in
    every /0 however it is written (``0.0.0.0/0``, ``::0/0``, ``10.0.0.0/0``); an address without a
    length is one host."""
    parsed = parse_prefix(prefix.strip()) if isinstance(prefix, str) else None
    return parsed is not None and parsed.prefixlen < WIDEST_SOURCE[parsed.version]


def overlapping(ranges, low: int, high: int) -> list[str]:
    return [str(r) for r in ranges if r.overlaps(low, high)]


def placement_node(resource: ResourceView) -> str | None:
    """The node a resource lands on: its ``node:`` tag, else its region when that names one node,
    else the node of its stack (DR halves live in the primary's stack, placed by region)."""
    ctx = resource.context
    if ctx is None:
        return None
    tag = resource.tags.get("node")
    if tag in ctx.province.node_by_code:
        return tag
    region = resource.get("region")
    if isinstance(region, str) and region in ctx.node_by_region:
        return ctx.node_by_region[region]
    return resource.node


def is_platform(resource: ResourceView) -> bool:
    """The platform's own resources (transit network, exit router): owned by no department."""
    if resource.context is None:
        return False
    return resource.tags.get("purpose") in resource.context.parameters.platform_purposes or "exit" in resource.tags
