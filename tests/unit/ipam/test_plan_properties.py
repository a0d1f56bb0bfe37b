"""Property tests of the address planner on random provinces and random edit sequences."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netaddr import IPSet

from govcloud.ipam import Ledger, Level, Status, plan_addresses

from support.provinces import build_province

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def shapes(draw):
    shape = {}
    for c in range(draw(st.integers(1, 4))):
        city = f"c{c}"
        shape[city] = {f"{city}-x{k}": [f"{city}-x{k}-t{t}" for t in range(draw(st.integers(0, 5)))]
                       for k in range(draw(st.integers(0, 4)))}
    sites = ["core", *shape, *(county for counties in shape.values() for county in counties)]
    departments = {site: draw(st.integers(0, 3)) for site in sites}
    return shape, departments


def active(plan):
    return [a for a in plan.allocations if a.status is Status.ACTIVE]


@SETTINGS
@given(shapes())
def test_every_child_lies_inside_its_parent_and_siblings_do_not_overlap(shape_and_depts):
    plan = plan_addresses(build_province(*shape_and_depts))
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
def test_no_two_leaf_prefixes_overlap_anywhere(shape_and_depts):
    plan = plan_addresses(build_province(*shape_and_depts))
    parents = {a.parent for a in plan.allocations}
    leaves = [a.prefix for a in plan.allocations if a.key not in parents]
    for version in (4, 6):
        nets = [n for n in leaves if n.version == version]
        assert IPSet(nets).size == sum(n.size for n in nets)


@SETTINGS
@given(shapes())
def test_ipv6_subnets_are_64_and_every_ipv6_level_is_nibble_aligned(shape_and_depts):
    plan = plan_addresses(build_province(*shape_and_depts))
    for a in plan.allocations:
        if a.prefix.version != 6:
            continue
        assert a.prefix.prefixlen % 4 == 0, f"{a.key} {a.prefix} is not on a nibble boundary"
        if a.level is Level.SUBNET:
            assert a.prefix.prefixlen == 64


EDITS = st.lists(st.tuples(st.sampled_from(["add-township", "drop-township", "add-county", "drop-county",
                                            "add-dept", "drop-dept"]), st.integers(0, 50)), min_size=1, max_size=8)


def apply_edit(shape, departments, edit, serial):
    kind, pick = edit
    cities = sorted(shape)
    counties = [(city, county) for city in cities for county in shape[city]]
    if kind == "add-county":
        city = cities[pick % len(cities)]
        shape[city][f"{city}-n{serial}"] = []
    elif kind == "drop-county" and counties:
        city, county = counties[pick % len(counties)]
        del shape[city][county]
        departments.pop(county, None)
    elif kind == "add-township" and counties:
        city, county = counties[pick % len(counties)]
        shape[city][county].append(f"{county}-n{serial}")
    elif kind == "drop-township":
        towns = [(c, k, t) for c, k in counties for t in shape[c][k]]
        if towns:
            city, county, town = towns[pick % len(towns)]
            shape[city][county].remove(town)
    elif kind == "add-dept":
        site = (["core", *cities])[pick % (1 + len(cities))]
        departments[site] = departments.get(site, 0) + 1
    elif kind == "drop-dept":
        nonzero = [s for s, n in departments.items() if n]
        if nonzero:
            departments[nonzero[pick % len(nonzero)]] -= 1


@SETTINGS
@given(shapes(), EDITS)
def test_additions_and_removals_never_move_an_existing_allocation(shape_and_depts, edits):
    shape, departments = shape_and_depts
    plan = plan_addresses(build_province(shape, departments))
    for serial, edit in enumerate(edits):
        apply_edit(shape, departments, edit, serial)
        before = plan.ledger.allocations
        plan = plan_addresses(build_province(shape, departments), plan.ledger)
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


def test_a_second_plan_with_the_ledger_changes_nothing():
    province = build_province({"c0": {"c0-x0": ["c0-x0-t0"]}}, {"core": 2, "c0": 1})
    first = plan_addresses(province)
    second = plan_addresses(province, first.ledger)
    assert not second.changed
    assert second.ledger.allocations == first.ledger.allocations


def test_a_removed_department_is_released_and_its_prefix_kept_until_freed():
    shape = {"c0": {}}
    first = plan_addresses(build_province(shape, {"core": 2}))
    gone = "dept:core-d1"
    second = plan_addresses(build_province(shape, {"core": 1}), first.ledger)
    assert gone in second.released
    assert second.ledger.allocations[gone].status is Status.RELEASED
    third = plan_addresses(build_province(shape, {"core": 1, "c0": 1}), second.ledger)
    new_prefix = third["dept:c0-d0"]
    assert not (IPSet([new_prefix]) & IPSet([second[gone]]))
    freed = third.ledger.free(gone)
    assert gone not in freed.allocations and "subnet:core-d1/business" not in freed.allocations


def test_an_empty_ledger_is_the_same_as_none():
    province = build_province({"c0": {}}, {"core": 1})
    assert plan_addresses(province, Ledger()).ledger.allocations == plan_addresses(province).ledger.allocations


def test_incremental_additions_give_what_a_full_plan_gives():
    from govcloud.ipam import plan_additions

    shape = {"c0": {"c0-x0": ["c0-x0-t0"]}, "c1": {}}
    first = plan_addresses(build_province(shape, {"core": 1, "c0": 1}))
    shape["c1"]["c1-x9"] = ["c1-x9-t0", "c1-x9-t1"]
    grown = build_province(shape, {"core": 1, "c0": 2})
    full = plan_addresses(grown, first.ledger)
    incremental = plan_additions(grown, first.ledger, sites=("c1-x9",), departments=("c0-d1",))
    assert set(incremental.added) == set(full.added)
    assert incremental.ledger.allocations == full.ledger.allocations
