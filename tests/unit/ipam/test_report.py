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


def test_utilisation_is_the_share_of_each_levels_parent_blocks_their_children_take():
    from netaddr import IPNetwork

    from govcloud.ipam import AddressPlan, Allocation, Ledger, Level, Status

    def a(key, prefix, level, parent=None, status=Status.ACTIVE):
        return Allocation(key, IPNetwork(prefix), level, parent, status)

    rows = [a("r", "2001:db8::/48", Level.CITY), a("d0", "2001:db8::/56", Level.DEPARTMENT, "r"),
            a("d1", "2001:db8:0:100::/56", Level.DEPARTMENT, "r", Status.RELEASED),
            a("s0", "2001:db8::/64", Level.SUBNET, "d0"), a("s1", "2001:db8:0:2::/63", Level.SUBNET, "d0"),
            a("v", "198.51.100.0/24", Level.V4_SPACE), a("w", "198.51.100.0/26", Level.V4_SUBNET, "v")]
    usage = utilisation(AddressPlan(Ledger({}, {r.key: r for r in rows})))
    assert [(u.level, u.prefixlen, u.count, u.released, u.utilisation) for u in usage] == [
        ("subnet", None, 2, 0, 0.0),  # no children: nothing used; two lengths: none to show
        ("city", 48, 1, 0, 2 / 256),  # two /56 of a /48
        ("department", 56, 2, 1, 3 / 256),  # a /64 and a /63 of the one /56 that has children
        ("v4-space", 24, 1, 0, 0.25),
        ("v4-subnet", 26, 1, 0, 0.0),
    ]
