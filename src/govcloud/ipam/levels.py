"""The levels of the address hierarchy and how long each level's prefix is.

Every level has one prefix length across the province (so a city block looks like every other
city block), computed bottom-up from the largest real count at that level plus headroom and
rounded to a nibble boundary for IPv6, so that every prefix ends on a hex digit and reverse DNS
delegations stay clean (RFC 6177's advice for site assignments).
"""

from __future__ import annotations

import math
from enum import Enum


class Level(str, Enum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    DEPARTMENT = "department"
    # A site's own infrastructure /64s (loopback, LANs, links, transit), one level per tier.
    INFRA_PROVINCE = "infra-province"
    INFRA_CITY = "infra-city"
    INFRA_COUNTY = "infra-county"
    INFRA_TOWNSHIP = "infra-township"
    INFRA_VILLAGE = "infra-village"
    SUBNET = "subnet"
    # IPv4 cloud levels
    V4_SPACE = "v4-space"
    V4_NODE = "v4-node"
    V4_DEPARTMENT = "v4-department"
    V4_SUBNET = "v4-subnet"
    V4_REPLICATION = "v4-replication"


SITE_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
INFRA_LEVELS = {site: Level(f"infra-{site.value}") for site in SITE_LEVELS}

V6_BOTTOM_UP = (Level.DEPARTMENT, Level.INFRA_VILLAGE, Level.VILLAGE, Level.INFRA_TOWNSHIP, Level.TOWNSHIP,
                Level.INFRA_COUNTY, Level.COUNTY, Level.INFRA_CITY, Level.CITY, Level.INFRA_PROVINCE)
"""Order in which IPv6 level lengths are derived: every level after the levels of its children."""
V4_BOTTOM_UP = (Level.V4_DEPARTMENT, Level.V4_NODE)

PHANTOM_CHILDREN: dict[Level, tuple[Level, ...]] = {
    Level.DEPARTMENT: (Level.SUBNET,),
    Level.VILLAGE: (Level.SUBNET,),
    Level.TOWNSHIP: (Level.INFRA_TOWNSHIP, Level.VILLAGE),
    Level.COUNTY: (Level.INFRA_COUNTY, Level.TOWNSHIP, Level.DEPARTMENT),
    Level.CITY: (Level.INFRA_CITY, Level.COUNTY, Level.DEPARTMENT),
    Level.V4_DEPARTMENT: (Level.V4_SUBNET,),
    Level.V4_NODE: (Level.V4_SUBNET, Level.V4_DEPARTMENT),
}
"""Room every block of a level keeps for one more child of these levels than it has today."""

V4_REPLICATION_PREFIXLEN = 28
"""A DR pair's replication network holds a handful of hosts; IPv4 is scarce, so it gets a /28."""

SUBNET_V6 = 64
"""Every IPv6 LAN is a /64: SLAAC needs it (RFC 4291 §2.5.1, RFC 7421)."""


def bits_for(count: float) -> int:
    """Bits needed to number ``count`` children (at least one child's worth)."""
    return max(0, math.ceil(math.log2(max(count, 1))))


def nibble(bits: int) -> int:
    """Round a number of bits up to a nibble boundary (a multiple of 4), with at least one nibble."""
    return max(4, -(-bits // 4) * 4)


def block_bits(child_sizes: list[int], headroom: float, nibble_aligned: bool) -> int:
    """Bits (log2 of the address count) of a block that holds children of the given sizes.

    Headroom applies to the number of slots of the largest child size, not to addresses: smaller
    children pack into shared slots (sizes are powers of two, so big-first first-fit packs them
    exactly), and applying headroom once per level keeps a five-tier hierarchy inside a /32.
    """
    largest = max(child_sizes)
    slots = -(-sum(child_sizes) // largest)
    slot_bits = bits_for(slots * (1 + headroom))
    if nibble_aligned:
        slot_bits = nibble(slot_bits)
    return slot_bits + largest.bit_length() - 1
