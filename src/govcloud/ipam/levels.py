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
    INFRA = "infra"
    SUBNET = "subnet"
    # IPv4 cloud levels
    V4_SPACE = "v4-space"
    V4_NODE = "v4-node"
    V4_DEPARTMENT = "v4-department"
    V4_SUBNET = "v4-subnet"


SITE_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)

SUBNET_V6 = 64
"""Every IPv6 LAN is a /64: SLAAC needs it (RFC 4291 §2.5.1, RFC 7421)."""


def bits_for(count: float) -> int:
    """Bits needed to number ``count`` children (at least one child's worth)."""
    return max(0, math.ceil(math.log2(max(count, 1))))


def nibble(bits: int) -> int:
    """Round a number of bits up to a nibble boundary (a multiple of 4), with at least one nibble."""
    return max(4, -(-bits // 4) * 4)


def child_bits(demand_in_units: float, headroom: float, nibble_aligned: bool) -> int:
    """Bits a block needs to hold ``demand_in_units`` (counted in units of the smallest child)."""
    bits = bits_for(demand_in_units * (1 + headroom))
    return nibble(bits) if nibble_aligned else bits
