"""The incremental plan (`plan_growth`, what `govcloud ipam plan` runs) gives exactly what a full
plan gives, for every kind of addition, and falls back to the full plan when something was removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.ipam import Ledger, Status, load_ledger, plan_addresses, plan_growth
from govcloud.model import Province, load_folder

LAB = Path(__file__).parents[3] / "inventories" / "lab"


def grow(p: Province, kind: str) -> Province:
    data = p.model_dump(mode="json")
    if kind in ("county", "all"):
        data["sites"] += [{"code": "county-a3", "name": "新县", "tier": "county", "parent": "city-a"},
                          {"code": "county-a3-t1", "name": "新镇", "tier": "township", "parent": "county-a3"}]
        data["links"] += [{"a": "city-a", "b": "county-a3"}, {"a": "county-a3", "b": "county-a3-t1"}]
    if kind in ("department", "all"):
        data["departments"].append({"code": "city-b-water", "name": "乙市水务局", "tier": "city", "node": "city-b",
                                    "site": "city-b", "networks": [{"name": "business"}, {"name": "iot"}]})
    if kind in ("unit", "all"):
        data["sites"][2]["units"].append({"code": "cppcc", "kind": "cppcc", "name": "乙市政协"})
    if kind in ("network", "all"):
        data["departments"][2]["networks"].append({"name": "video"})
    if kind in ("township-under-city", "all"):
        data["sites"].append({"code": "city-b-t9", "name": "直辖镇", "tier": "township", "parent": "city-b"})
        data["links"].append({"a": "city-b", "b": "city-b-t9"})
    return Province.model_validate(data)


@pytest.mark.parametrize("kind", ["county", "department", "unit", "network", "township-under-city", "all"])
def test_growth_plans_what_a_full_plan_plans(kind):
    ledger = load_ledger(LAB)
    grown = grow(load_folder(LAB).province, kind)
    full, incremental = plan_addresses(grown, ledger), plan_growth(grown, ledger)
    assert incremental.added, "nothing was added: the case is wrong"
    assert sorted(incremental.added) == sorted(full.added)
    assert incremental.ledger == full.ledger


def test_nothing_new_plans_nothing():
    plan = plan_growth(load_folder(LAB).province, load_ledger(LAB))
    assert not plan.changed and plan.ledger == load_ledger(LAB)


def test_a_removal_takes_the_full_plan_and_releases():
    data = load_folder(LAB).province.model_dump(mode="json")
    data["departments"] = [d for d in data["departments"] if d["code"] != "city-b-civil"]
    for site in data["sites"]:
        site["units"] = [u for u in site["units"] if u.get("department") != "city-b-civil"]
    data["systems"] = [s for s in data["systems"] if s["owner"] != "city-b-civil"]
    shrunk = Province.model_validate(data)
    ledger = load_ledger(LAB)
    plan = plan_growth(shrunk, ledger)
    assert "dept:city-b-civil" in plan.released
    assert plan.ledger == plan_addresses(shrunk, ledger).ledger


def test_a_released_prefix_the_model_needs_again_is_reactivated_as_by_a_full_plan():
    ledger = load_ledger(LAB)
    released = ledger.with_status("dept:city-b-civil", Status.RELEASED)
    ledger = Ledger(dict(ledger.levels), {**ledger.allocations, "dept:city-b-civil": released})
    province = load_folder(LAB).province
    full, incremental = plan_addresses(province, ledger), plan_growth(province, ledger)
    assert incremental.reactivated == full.reactivated == ("dept:city-b-civil",)
    assert incremental.ledger.allocations == full.ledger.allocations
    assert incremental.ledger.allocations["dept:city-b-civil"] == load_ledger(LAB).allocations["dept:city-b-civil"]


def test_a_ledger_without_levels_is_planned_in_full_against_its_allocations():
    """With no level lengths to grow at, the full plan runs, over the ledger's allocations: it keeps
    every one and adds none (not a plan from scratch that adds everything anew)."""
    ledger = load_ledger(LAB)
    plan = plan_growth(load_folder(LAB).province, Ledger({}, dict(ledger.allocations)))
    assert plan.added == () and plan.released == ()
    assert plan.ledger.allocations == ledger.allocations
