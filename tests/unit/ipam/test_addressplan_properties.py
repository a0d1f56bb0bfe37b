"""Property tests of the address planner on provinces built from their parts (support.address_strategies)
and on edit sequences; the shapes reach levels that need more than one nibble."""

from __future__ import annotations

import math
from collections import Counter

from hypothesis import HealthCheck, Phase, assume, event, find, given, settings
from hypothesis import strategies as st
from netaddr import IPSet

from govcloud.errors import AddressSpaceExhausted
from govcloud.ipam import Level, Status, plan_addresses

from support.address_strategies import EDITS, apply_edit, shapes

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def active(plan):
    return [a for a in plan.allocations if a.status is Status.ACTIVE]


def widest_level(plan, headroom: float) -> int:
    """Bits the widest level needs: siblings of one level under one planner-sized parent, plus the
    phantom, times the headroom (the example province needs 7 at one level; one nibble holds 4)."""
    siblings = Counter((a.parent, a.level) for a in plan.allocations
                       if a.parent not in (None, "province") and a.prefix.version == 6)
    return max((math.ceil(math.log2((n + 1) * (1 + headroom))) for n in siblings.values()), default=0)


@SETTINGS
@given(shapes())
def test_every_child_lies_inside_its_parent_and_siblings_do_not_overlap(shape):
    plan = plan_addresses(shape.province())
    event(f"widest level needs {widest_level(plan, shape.headroom)} bits")
    by_key = plan.ledger.allocations
    siblings: dict[str, IPSet] = {}
    for a in plan.allocations:
        if a.parent is None:
            continue
        parent = by_key[a.parent].prefix
        assert a.prefix in parent, f"{a.key} {a.prefix} outside {a.parent} {parent}"
        seen = siblings.setdefault(a.parent, IPSet())
        assert not (seen & IPSet([a.prefix])), f"{a.key} {a.prefix} overlaps a sibling under {a.parent}"
        seen.add(a.prefix)


@SETTINGS
@given(shapes())
def test_no_two_leaf_prefixes_overlap_anywhere(shape):
    plan = plan_addresses(shape.province())
    parents = {a.parent for a in plan.allocations}
    leaves = [a.prefix for a in plan.allocations if a.key not in parents]
    for version in (4, 6):
        nets = [n for n in leaves if n.version == version]
        assert IPSet(nets).size == sum(n.size for n in nets)


@SETTINGS
@given(shapes())
def test_ipv6_subnets_are_64_and_every_ipv6_level_is_nibble_aligned(shape):
    plan = plan_addresses(shape.province())
    for a in plan.allocations:
        if a.prefix.version != 6:
            continue
        assert a.prefix.prefixlen % 4 == 0, f"{a.key} {a.prefix} is not on a nibble boundary"
        if a.level is Level.SUBNET:
            assert a.prefix.prefixlen == 64


@SETTINGS
@given(shapes())
def test_every_block_keeps_its_headroom_and_room_for_one_more_child(shape):
    """The promise behind the level lengths: a block holds its children, one more of each kind
    (the phantom), and the headroom on top, rounded up to whole nibbles for IPv6."""
    plan = plan_addresses(shape.province())
    children: dict[str, list] = {}
    for a in plan.allocations:
        if a.parent is not None:
            children.setdefault(a.parent, []).append(a.prefix)
    for key, kids in children.items():
        block = plan[key]
        if key == "province" or key.startswith("v4:space:"):
            continue  # the model's own blocks: sized by the operator, not by the planner
        largest = max(k.size for k in kids)
        slots = -(-sum(k.size for k in kids) // largest)
        # Room for the children plus headroom: what is left holds at least headroom x slots more.
        assert block.size >= largest * slots * (1 + shape.headroom) - 1e-9 * block.size, \
            f"{key} {block} is too small for {len(kids)} children with headroom {shape.headroom}"


def test_the_strategy_reaches_a_level_of_seven_bits_or_more():
    """Guards the properties above: their shapes include levels that need two nibbles."""
    found = find(shapes(), lambda s: widest_level(plan_addresses(s.province()), s.headroom) >= 7,
                 settings=settings(max_examples=300, deadline=None, database=None, phases=[Phase.generate]))
    plan = plan_addresses(found.province())
    assert widest_level(plan, found.headroom) >= 7
    assert any(a.prefix.prefixlen - plan[a.parent].prefixlen >= 8 for a in plan.allocations
               if a.parent not in (None, "province")), "no level spans two nibbles"


@SETTINGS
@given(shapes(), EDITS)
def test_additions_and_removals_never_move_an_existing_allocation(shape, edits):
    plan = plan_addresses(shape.province())
    for serial, edit in enumerate(edits):
        apply_edit(shape, edit, serial)
        before = plan.ledger.allocations
        try:
            plan = plan_addresses(shape.province(), plan.ledger)
        except AddressSpaceExhausted as exc:
            # Level lengths are fixed by the first plan: growth past a block's room is refused,
            # naming what did not fit, and never answered by renumbering.
            event("an edit outgrew a block")
            assert exc.message.startswith("no room for ") and exc.fix
            return
        after = plan.ledger.allocations
        for key, old in before.items():
            assert after[key].prefix == old.prefix, f"{key} moved from {old.prefix} to {after[key].prefix}"
        released = IPSet(a.prefix for a in after.values() if a.status is Status.RELEASED)
        for key in plan.added:
            assert not (IPSet([after[key].prefix]) & released) or _under_released(after, key), \
                f"{key} reuses a released prefix"


def _under_released(allocations, key):
    """A new key may sit inside a released block only if that block is its own ancestor (reactivated)."""
    parent = allocations[key].parent
    while parent is not None:
        if allocations[parent].status is Status.RELEASED:
            return True
        parent = allocations[parent].parent
    return False


@SETTINGS
@given(shapes(), st.sampled_from(["add-county", "add-township", "add-village", "add-dept"]), st.integers(0, 100),
       st.booleans())
def test_with_headroom_two_new_children_fit_where_the_first_plan_kept_one_phantom(shape, kind, pick, bare):
    """Headroom above zero rounds every block up past its children and the phantom: two new
    children of one kind under one parent fit, even at a level the first plan had no member of
    (``bare``: no department at all, so the ledger fixes no department level)."""
    assume(shape.headroom > 0)
    if bare:
        shape.departments = {}
    first = plan_addresses(shape.province())
    apply_edit(shape, (kind, pick), 1)
    apply_edit(shape, (kind, pick), 2)
    grown = plan_addresses(shape.province(), first.ledger)
    for key in grown.added:
        alloc = grown.ledger.allocations[key]
        assert alloc.parent is None or alloc.prefix in grown[alloc.parent]
    assert all(grown[key] == old.prefix for key, old in first.ledger.allocations.items())
