"""Who holds which address on a transit network: the fixed offsets for both families, Neutron's
pool after them (without the IPv4 broadcast address), and a transit too small for them refused."""

from __future__ import annotations

import pytest
from netaddr import IPAddress, IPNetwork

from govcloud.ipam.transit import allocation_pool, border_address, exit_address, speaker_address


@pytest.mark.parametrize(("transit", "border", "exit_", "speaker", "pool"), [
    ("192.0.2.0/24", "192.0.2.1", "192.0.2.2", "192.0.2.3", ("192.0.2.16", "192.0.2.254")),
    ("198.51.100.32/27", "198.51.100.33", "198.51.100.34", "198.51.100.35", ("198.51.100.48", "198.51.100.62")),
    ("2001:db8:0:7::/64", "2001:db8:0:7::1", "2001:db8:0:7::2", "2001:db8:0:7::3",
     ("2001:db8:0:7::10", "2001:db8:0:7:ffff:ffff:ffff:ffff")),  # no broadcast in IPv6 (RFC 4291)
    ("::/120", "::1", "::2", "::3", ("::10", "::ff")),  # low IPv6 numbers stay IPv6: the family is the network's
])
def test_the_fixed_addresses_come_first_and_neutrons_pool_after_them(transit, border, exit_, speaker, pool):
    net = IPNetwork(transit)
    assert [border_address(net), exit_address(net), speaker_address(net)] == \
        [IPAddress(border), IPAddress(exit_), IPAddress(speaker)]
    assert allocation_pool(net) == (IPAddress(pool[0]), IPAddress(pool[1]))
    assert {a.version for a in (border_address(net), exit_address(net), speaker_address(net),
                                *allocation_pool(net))} == {net.version}


@pytest.mark.parametrize("transit", ["192.0.2.0/28", "192.0.2.16/29", "2001:db8::/124"])
def test_a_transit_with_no_room_after_the_fixed_addresses_is_refused(transit):
    for address in (border_address, exit_address, speaker_address, allocation_pool):
        with pytest.raises(ValueError, match=f"transit {transit} is too small: it needs more than 17 addresses"):
            address(IPNetwork(transit))
