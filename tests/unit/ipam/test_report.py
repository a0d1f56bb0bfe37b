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
