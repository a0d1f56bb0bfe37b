"""Prefix parsing for the rules (documentation ranges, RFC 3849 and RFC 5737)."""

from __future__ import annotations

import pytest
from netaddr import IPNetwork

from govcloud.policy.prefix import from_netaddr, parse_prefix


@pytest.mark.parametrize("text", ["2001:db8::/32", "2001:db8:0:1::/64", "2001:db8::1/128", "2001:db8::/127",
                                  "192.0.2.0/24", "198.51.100.128/25", "203.0.113.7/32", "0.0.0.0/0", "::/0"])
def test_parse_agrees_with_netaddr(text) -> None:
    ours, theirs = parse_prefix(text), IPNetwork(text)
    assert (ours.version, ours.first, ours.last, ours.prefixlen) == (theirs.version, theirs.first, theirs.last,
                                                                     theirs.prefixlen)
    assert ours.key == from_netaddr(theirs.cidr).key


@pytest.mark.parametrize("text", ["", "2001:db8::/129", "192.0.2.0/33", "not-a-prefix/24", "192.0.2/24"])
def test_bad_prefixes_are_none(text) -> None:
    assert parse_prefix(text) is None


def test_containment_needs_the_same_family() -> None:
    block = parse_prefix("2001:db8:2:100::/60")
    assert parse_prefix("2001:db8:2:10f::/64") in block
    assert parse_prefix("2001:db8:2:110::/64") not in block
    assert parse_prefix("0.0.0.0/0") not in parse_prefix("::/0")
