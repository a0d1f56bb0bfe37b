"""Prefixes as integer ranges, parsed once per distinct string.

The rules compare thousands of subnet strings against the plan's blocks; netaddr's ``IPNetwork``
costs about 100 µs to build, ``socket.inet_pton`` a tenth of that. The plan's own prefixes are
netaddr objects and convert without parsing (:func:`from_netaddr`).
"""

from __future__ import annotations

import socket
from functools import lru_cache
from typing import NamedTuple


class Prefix(NamedTuple):
    version: int
    first: int
    last: int
    prefixlen: int
    text: str

    def __contains__(self, other: object) -> bool:
        return (isinstance(other, Prefix) and other.version == self.version
                and self.first <= other.first and other.last <= self.last)

    def __str__(self) -> str:
        return self.text

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.version, self.first, self.prefixlen)


@lru_cache(maxsize=65536)
def parse_prefix(text: str) -> Prefix | None:
    """``"2001:db8::/64"`` → Prefix; None for anything that is not a network in CIDR form."""
    address, slash, length = text.partition("/")
    version, family, width = (6, socket.AF_INET6, 128) if ":" in address else (4, socket.AF_INET, 32)
    try:
        value = int.from_bytes(socket.inet_pton(family, address), "big")
        prefixlen = int(length) if slash else width
    except (OSError, ValueError):
        return None
    if not 0 <= prefixlen <= width:
        return None
    host_bits = width - prefixlen
    first = value >> host_bits << host_bits
    return Prefix(version, first, first | ((1 << host_bits) - 1), prefixlen, text)


def from_netaddr(network) -> Prefix:
    return Prefix(network.version, network.first, network.last, network.prefixlen, str(network.cidr))
