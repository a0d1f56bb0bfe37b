"""Address-space problems of the model: ranges that overlap, or that are not usable unicast space.

Every range the model names (cloud IPv4 blocks, IPv4 ranges in use at sites, the IPv6 block the
plan divides, the public ranges of internet exits) lives in one of two address families; within a
family no two of them may overlap, except a site's range with a cloud block, which is checked apart
(it has its own message). Overlaps are found with one sort per family, not by comparing pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from netaddr import IPNetwork

from ..problems import Problem

if TYPE_CHECKING:  # annotations only: province.py runs these checks
    from .province import Province


# RFC 4291 §2.4 and the IANA IPv6 special-purpose registry: what a plan's block must not be.
_V6_SPECIAL = (
    (IPNetwork("::/128"), "the unspecified address (RFC 4291 §2.5.2)"),
    (IPNetwork("::1/128"), "the loopback address (RFC 4291 §2.5.3)"),
    (IPNetwork("::ffff:0:0/96"), "IPv4-mapped space (RFC 4291 §2.5.5.2)"),
    (IPNetwork("fe80::/10"), "link-local space (RFC 4291 §2.5.6), valid on one link only"),
    (IPNetwork("fc00::/7"), "unique local space (RFC 4193), not routed on the internet"),
    (IPNetwork("ff00::/8"), "multicast space (RFC 4291 §2.7)"),
)
_V6_GLOBAL_UNICAST = IPNetwork("2000::/3")
# RFC 6890 special-purpose IPv4 space that can never number hosts of a plan.
_V4_SPECIAL = (
    (IPNetwork("0.0.0.0/8"), "'this network' (RFC 1122 §3.2.1.3)"),
    (IPNetwork("127.0.0.0/8"), "loopback space (RFC 1122)"),
    (IPNetwork("169.254.0.0/16"), "link-local space (RFC 3927)"),
    (IPNetwork("224.0.0.0/4"), "multicast space (RFC 5771)"),
    (IPNetwork("240.0.0.0/4"), "reserved space (RFC 1112), including the broadcast address"),
)
#: A province's IPv6 block: an LIR receives a /32 (or a few bits more); no plan needs more than a /20.
V6_BLOCK_MIN_PREFIXLEN = 20


_BLAME = ("exits", "sites", "ipam")


class _Range(NamedTuple):
    network: IPNetwork
    path: tuple[str | int, ...]
    what: str


def address_problems(p: Province) -> Iterator[Problem]:
    yield from _ipv6_block(p)
    yield from _special_ranges(p)
    yield from _overlaps(_ranges(p, 4))
    yield from _overlaps(_ranges(p, 6))


def _ipv6_block(p: Province) -> Iterator[Problem]:
    block = p.ipam.ipv6_block
    path = ("ipam", "ipv6_block")
    problem = _v6_not_global(block)
    if problem:
        yield Problem(path, f"{block} is {problem}",
                      "use the global unicast block (2000::/3) assigned to the province, e.g. a /32 such as 2001:db8::/32")
    elif block.prefixlen < V6_BLOCK_MIN_PREFIXLEN:
        yield Problem(path, f"{block} is larger than any block a province is assigned (/{V6_BLOCK_MIN_PREFIXLEN} "
                      "at most); a prefix length this short is usually a typo",
                      "write the block the registry assigned, typically a /32")


def _v6_not_global(network: IPNetwork) -> str | None:
    for special, what in _V6_SPECIAL:
        if network in special or special in network:
            return what
    if network not in _V6_GLOBAL_UNICAST:
        return "outside global unicast space (2000::/3, RFC 4291 §2.4)"
    return None


def _special_ranges(p: Province) -> Iterator[Problem]:
    for net, path, what in _ranges(p, 4):
        for special, kind in _V4_SPECIAL:
            if net in special or special in net:
                yield Problem(path, f"{what} {net} is {kind}", "use unicast IPv4 space for this range")
                break
    for ex_index, ex in enumerate(p.exits):
        if ex.uplink.ipv6 is not None:
            problem = _v6_not_global(ex.uplink.ipv6)
            if problem:
                yield Problem(("exits", ex_index, "uplink", "ipv6"), f"public IPv6 range {ex.uplink.ipv6} is {problem}",
                              "write the global unicast range the ISP assigned to this exit")


def _ranges(p: Province, version: int) -> list[_Range]:
    """Every range of one address family the model names, with its field path."""
    ranges: list[_Range] = []
    # The IPv6 block itself may hold an exit's range (a province often announces both from one
    # assignment); what an exit's range must not touch are the prefixes the plan hands out, which
    # ipam's exit check compares against the plan.
    if version == 4:
        ranges += [_Range(n, ("ipam", "cloud_ipv4", i), "cloud IPv4 block") for i, n in enumerate(p.ipam.cloud_ipv4)]
        ranges += [_Range(n, ("sites", s_i, "ipv4_in_use", r_i), f"range in use at site {s.code!r}")
                   for s_i, s in enumerate(p.sites) for r_i, n in enumerate(s.ipv4_in_use)]
    for e_i, ex in enumerate(p.exits):
        network = ex.uplink.ipv4 if version == 4 else ex.uplink.ipv6
        if network is not None and ex.status.value != "decommissioned":
            ranges.append(_Range(network, ("exits", e_i, "uplink", f"ipv{version}"), f"public range of exit {ex.code!r}"))
    return ranges


def _overlaps(ranges: list[_Range]) -> Iterator[Problem]:
    # CIDR blocks nest or are disjoint. Sorted by first address (widest first on ties), the ranges
    # still open when one starts are exactly those that contain it: one pass finds every overlap,
    # and each range is reported against the innermost container that is not checked elsewhere.
    ordered = sorted(ranges, key=lambda r: (r.network.first, -r.network.last))
    open_ranges: list[_Range] = []
    for current in ordered:
        while open_ranges and open_ranges[-1].network.last < current.network.first:
            open_ranges.pop()
        container = next((r for r in reversed(open_ranges) if not _reported_elsewhere(current, r)), None)
        if container is not None:
            # Blame the range most likely to be the typo: an exit's, then a site's, then a plan block.
            later, earlier = sorted((current, container), key=lambda r: _BLAME.index(r.path[0]))
            yield Problem(later.path, f"{later.what} {later.network} overlaps {earlier.what} {earlier.network}",
                          _overlap_fix(later, earlier))
        open_ranges.append(current)


def _reported_elsewhere(a: _Range, b: _Range) -> bool:
    """Two sites' ranges and a site's range against a cloud block have their own checks."""
    kinds = {a.path[0], b.path[0]}
    return kinds == {"sites"} or kinds == {"sites", "ipam"}


def _overlap_fix(later: _Range, earlier: _Range) -> str:
    if later.path[0] == "exits" and earlier.path[0] == "exits":
        return "two exits cannot share public addresses: correct one of the uplink ranges"
    if later.path[0] == "exits":  # the blame order names an exit's range first
        return "an exit's public range must lie outside the plan's blocks and the ranges in use: correct it"
    return "the plan's blocks must not overlap: correct or remove one of them"

