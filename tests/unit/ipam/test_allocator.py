"""The block allocator and level sizing, named after the RFCs whose rules they keep."""

from __future__ import annotations

import pytest
from netaddr import IPNetwork

from govcloud.errors import AddressSpaceExhausted, InputError
from govcloud.ipam.allocator import BlockAllocator
from govcloud.ipam.levels import block_bits, nibble


def test_rfc4291_first_fit_hands_out_aligned_64s_in_order():
    allocator = BlockAllocator(IPNetwork("2001:db8::/60"))
    got = [allocator.allocate(64) for _ in range(3)]
    assert got == [IPNetwork("2001:db8::/64"), IPNetwork("2001:db8:0:1::/64"), IPNetwork("2001:db8:0:2::/64")]


def test_rfc6177_nibble_boundaries_round_up():
    assert [nibble(b) for b in (0, 1, 4, 5, 8, 9)] == [4, 4, 4, 8, 8, 12]


def test_larger_block_is_aligned_past_smaller_ones():
    allocator = BlockAllocator(IPNetwork("2001:db8::/48"))
    assert allocator.allocate(64) == IPNetwork("2001:db8::/64")
    assert allocator.allocate(56) == IPNetwork("2001:db8:0:100::/56")
    assert allocator.allocate(64) == IPNetwork("2001:db8:0:1::/64")  # fills the hole below


def test_reserved_children_are_never_handed_out():
    allocator = BlockAllocator(IPNetwork("198.51.100.0/24"))
    allocator.reserve(IPNetwork("198.51.100.0/25"))
    assert allocator.allocate(25) == IPNetwork("198.51.100.128/25")
    with pytest.raises(AddressSpaceExhausted):
        allocator.allocate(31)


def test_rfc3021_a_31_and_rfc6164_a_127_are_valid_children():
    v4 = BlockAllocator(IPNetwork("192.0.2.0/30"))
    assert [v4.allocate(31), v4.allocate(31)] == [IPNetwork("192.0.2.0/31"), IPNetwork("192.0.2.2/31")]
    v6 = BlockAllocator(IPNetwork("2001:db8::/126"))
    assert v6.allocate(127) == IPNetwork("2001:db8::/127")


def test_overlapping_or_outside_reservations_are_refused():
    allocator = BlockAllocator(IPNetwork("203.0.113.0/24"))
    allocator.reserve(IPNetwork("203.0.113.0/26"))
    with pytest.raises(InputError, match="overlaps"):
        allocator.reserve(IPNetwork("203.0.113.32/27"))
    with pytest.raises(InputError, match="outside"):
        allocator.reserve(IPNetwork("198.51.100.0/26"))


def test_a_child_longer_than_the_block_does_not_fit():
    with pytest.raises(AddressSpaceExhausted):
        BlockAllocator(IPNetwork("2001:db8::/48")).allocate(40)


def test_headroom_applies_to_slots_of_the_largest_child():
    # 11 children of 2**16 and one small one: 12 slots, +50 % = 18, 5 bits, a nibble = 8 bits.
    assert block_bits([1 << 16] * 11 + [16], 0.5, nibble_aligned=True) == 16 + 8
    # Without nibble alignment (IPv4) the same demand needs only 5 bits.
    assert block_bits([1 << 16] * 11 + [16], 0.5, nibble_aligned=False) == 16 + 5
