"""Exports: JSON and NetBox's bulk prefix import CSV; utilisation per level."""

from __future__ import annotations

import csv
import io

from support.provinces import build_province

from govcloud.ipam import plan_addresses, to_json, to_netbox_csv, utilisation


def plan():
    return plan_addresses(build_province({"c0": {"c0-x0": ["c0-x0-t0"]}}, {"core": 2, "c0": 1}))


def test_netbox_csv_has_the_import_columns_and_one_row_per_allocation():
    result = plan()
    rows = list(csv.DictReader(io.StringIO(to_netbox_csv(result))))
    assert list(rows[0]) == ["prefix", "status", "description", "is_pool"]
    assert len(rows) == len(result.allocations)
    statuses = {row["prefix"]: row["status"] for row in rows}
    assert statuses["2001:db8::/32"] == "container"
    assert statuses[str(result["subnet:core-d0/business"])] == "active"
    assert set(statuses.values()) <= {"container", "active", "reserved", "deprecated"}


def test_json_export_lists_levels_and_every_allocation_once():
    result = plan()
    data = to_json(result)
    keys = [a["key"] for a in data["allocations"]]
    assert len(keys) == len(set(keys)) == len(result.allocations)
    assert data["levels"]["subnet"] == 64


def test_utilisation_is_reported_for_every_level_between_zero_and_one():
    usage = utilisation(plan())
    assert {u.level for u in usage} >= {"province", "city", "county", "township", "department", "subnet"}
    assert all(0 <= u.utilisation <= 1 for u in usage)
    city = next(u for u in usage if u.level == "city")
    assert city.count == 1 and city.utilisation > 0


def hand_plan():
    """A plan small enough to know every figure of: a /48 with two /56 (one released), a /64 and a /63
    in the first, and an IPv4 /24 with one /26."""
    from netaddr import IPNetwork

    from govcloud.ipam import AddressPlan, Allocation, Ledger, Level, Status

    def a(key, prefix, level, parent=None, status=Status.ACTIVE):
        return Allocation(key, IPNetwork(prefix), level, parent, status)

    rows = [a("s1", "2001:db8:0:2::/63", Level.SUBNET, "d0"), a("r", "2001:db8::/48", Level.CITY),
            a("d0", "2001:db8::/56", Level.DEPARTMENT, "r"), a("w", "198.51.100.0/26", Level.V4_SUBNET, "v"),
            a("d1", "2001:db8:0:100::/56", Level.DEPARTMENT, "r", Status.RELEASED),
            a("s0", "2001:db8::/64", Level.SUBNET, "d0"), a("v", "198.51.100.0/24", Level.V4_SPACE)]
    return AddressPlan(Ledger({Level.CITY: 48}, {r.key: r for r in rows}))


def test_utilisation_is_the_share_of_each_levels_parent_blocks_their_children_take():
    assert [(u.level, u.prefixlen, u.count, u.released, u.utilisation) for u in utilisation(hand_plan())] == [
        ("subnet", None, 2, 0, 0.0),  # no children: nothing used; two lengths: none to show
        ("city", 48, 1, 0, 2 / 256),  # two /56 of a /48
        ("department", 56, 2, 1, 3 / 256),  # a /64 and a /63 of the one /56 that has children
        ("v4-space", 24, 1, 0, 0.25),
        ("v4-subnet", 26, 1, 0, 0.0),
    ]


def test_netbox_csv_lists_by_family_then_address_widest_first_with_unix_line_ends():
    assert to_netbox_csv(hand_plan()) == (
        "prefix,status,description,is_pool\n"
        "198.51.100.0/24,container,govcloud v4-space v,false\n"
        "198.51.100.0/26,active,govcloud v4-subnet w,false\n"
        "2001:db8::/48,container,govcloud city r,false\n"
        "2001:db8::/56,container,govcloud department d0,false\n"
        "2001:db8::/64,active,govcloud subnet s0,false\n"
        "2001:db8:0:2::/63,active,govcloud subnet s1,false\n"
        "2001:db8:0:100::/56,deprecated,govcloud department d1,false\n")


def test_json_lists_the_levels_and_the_allocations_sorted_by_key():
    data = to_json(hand_plan())
    assert data["levels"] == {"city": 48}
    assert [a["key"] for a in data["allocations"]] == ["d0", "d1", "r", "s0", "s1", "v", "w"]
    assert data["allocations"][1] == {"key": "d1", "prefix": "2001:db8:0:100::/56", "level": "department",
                                      "parent": "r", "status": "released"}
