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


def test_a_block_for_one_child_without_headroom_is_the_childs_size():
    assert block_bits([256], 0.0, nibble_aligned=False) == 8  # no extra bit for a single slot
    assert block_bits([256], 0.0, nibble_aligned=True) == 8 + 4  # but at least one nibble


def test_slots_are_whole_before_headroom_applies():
    # A /24 and a /26 need two /24 slots (not 1.25); +50 % = 3 slots, 2 bits.
    assert block_bits([256, 64], 0.5, nibble_aligned=False) == 8 + 2


# Edges of first-fit (each found by mutation testing: `make mutate PKG=ipam`).

def test_a_child_may_end_on_the_blocks_last_address_and_be_the_whole_block():
    allocator = BlockAllocator(IPNetwork("2001:db8::/124"))
    allocator.reserve(IPNetwork("2001:db8::f/128"))  # the last address
    assert BlockAllocator(IPNetwork("2001:db8::/124")).allocate(124) == IPNetwork("2001:db8::/124")


def test_a_full_block_refuses_one_more_instead_of_spilling_past_its_end():
    allocator = BlockAllocator(IPNetwork("2001:db8::/126"))
    assert [allocator.allocate(128) for _ in range(4)] == [IPNetwork(f"2001:db8::{i}/128") for i in range(4)]
    with pytest.raises(AddressSpaceExhausted, match="no free /128") as info:
        allocator.allocate(128)
    assert "larger block" in info.value.fix
    with pytest.raises(AddressSpaceExhausted, match="does not fit") as info:
        BlockAllocator(IPNetwork("2001:db8::/126")).allocate(125)
    assert "larger block" in info.value.fix


def test_a_child_that_ends_where_the_next_begins_is_blocked_but_a_neighbour_is_not():
    single = BlockAllocator(IPNetwork("2001:db8::/124"))
    single.reserve(IPNetwork("2001:db8::/128"))
    assert single.allocate(128) == IPNetwork("2001:db8::1/128")  # not the reserved address again
    last_of_slot = BlockAllocator(IPNetwork("2001:db8::/124"))
    last_of_slot.reserve(IPNetwork("2001:db8::3/128"))
    assert last_of_slot.allocate(126) == IPNetwork("2001:db8::4/126")  # ::0-3 holds ::3
    neighbour = BlockAllocator(IPNetwork("2001:db8::/124"))
    neighbour.reserve(IPNetwork("2001:db8::4/126"))
    assert neighbour.allocate(126) == IPNetwork("2001:db8::/126")  # adjacent, not overlapping


def test_a_smaller_child_after_a_larger_one_starts_past_its_last_address():
    allocator = BlockAllocator(IPNetwork("2001:db8::/124"))
    assert allocator.allocate(126) == IPNetwork("2001:db8::/126")
    assert allocator.allocate(128) == IPNetwork("2001:db8::4/128")


def test_children_of_a_low_ipv6_block_stay_ipv6():
    assert BlockAllocator(IPNetwork("::/120")).allocate(124) == IPNetwork("::/124")
    assert BlockAllocator(IPNetwork("::/120")).allocate(124).version == 6


@pytest.mark.parametrize(("existing", "new"), [
    (["2001:db8::/126", "2001:db8::8/126"], "2001:db8::a/128"),  # inside the second of two children
    (["2001:db8::/126"], "2001:db8::3/128"),  # on the previous child's last address
    (["2001:db8::8/126"], "2001:db8::/124"),  # around a child
    (["2001:db8::8/126"], "2001:db8::8/128"),  # on the next child's first address
])
def test_a_reservation_touching_another_child_by_one_address_is_refused(existing, new):
    allocator = BlockAllocator(IPNetwork("2001:db8::/120"))
    for prefix in existing:
        allocator.reserve(IPNetwork(prefix))
    with pytest.raises(InputError, match="overlaps") as info:
        allocator.reserve(IPNetwork(new))
    assert "restore it from version control" in info.value.fix


def test_a_reservation_below_an_existing_child_is_accepted():
    allocator = BlockAllocator(IPNetwork("2001:db8::/120"))
    allocator.reserve(IPNetwork("2001:db8::8/126"))
    allocator.reserve(IPNetwork("2001:db8::/126"))
    assert allocator.allocate(126) == IPNetwork("2001:db8::4/126")
    with pytest.raises(InputError, match="outside") as info:
        allocator.reserve(IPNetwork("2001:db8::100/126"))
    assert "restore it from version control" in info.value.fix


def test_a_refused_reservation_says_the_ledger_was_edited_and_how_to_recover():
    allocator = BlockAllocator(IPNetwork("203.0.113.0/24"))
    allocator.reserve(IPNetwork("203.0.113.0/26"))
    fix = "the ledger was edited by hand: restore it from version control"
    for child, message in (("203.0.113.32/27", "203.0.113.32/27 overlaps another allocation in 203.0.113.0/24"),
                           ("198.51.100.0/26", "198.51.100.0/26 lies outside its parent 203.0.113.0/24")):
        with pytest.raises(InputError) as info:
            allocator.reserve(IPNetwork(child))
        assert (info.value.message, info.value.fix) == (message, fix)


def test_a_full_block_says_which_length_is_missing_and_every_way_to_make_room():
    allocator = BlockAllocator(IPNetwork("2001:db8::/127"))
    allocator.allocate(127)
    with pytest.raises(AddressSpaceExhausted) as info:
        allocator.allocate(128)
    assert (info.value.message, info.value.fix) == (
        "2001:db8::/127 has no free /128 left",
        "free released prefixes (govcloud ipam free), raise headroom for a re-plan of new space, "
        "or give the province a larger block")
