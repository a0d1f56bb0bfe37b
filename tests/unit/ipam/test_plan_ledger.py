"""The plan against its ledger, by example: a second plan changes nothing, a removed department is
released and kept until freed, incremental additions give what a full plan gives, running out of
space names the model's block."""

from __future__ import annotations

import pytest
from netaddr import IPSet

from govcloud.errors import AddressSpaceExhausted
from govcloud.ipam import Ledger, Status, plan_addresses

from support.provinces import build_province


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


def test_running_out_of_space_names_the_models_block_and_keeps_the_fix():
    small_v6 = build_province({"c0": {}}, {"core": 2}, ipv6_block="2001:db8::/56")
    with pytest.raises(AddressSpaceExhausted) as info:
        plan_addresses(small_v6)
    assert info.value.message.startswith("no room for site:c0: ") and "2001:db8::/56" in info.value.message
    assert info.value.field == ("ipam", "ipv6_block") and "larger block" in info.value.fix
    roomy = build_province({"c0": {}}, {"core": 2})
    wide_v4 = roomy.model_copy(update={"ipam": roomy.ipam.model_copy(update={"ipv4_subnet_prefixlen": 16})})
    with pytest.raises(AddressSpaceExhausted) as info:
        plan_addresses(wide_v4)
    assert info.value.message.startswith("no room for v4:node:province: ")
    assert info.value.field == ("ipam", "cloud_ipv4") and "ipam.cloud_ipv4" in info.value.fix


@pytest.mark.parametrize("planner", ["full", "growth", "additions"])
def test_two_new_departments_fit_where_the_first_plan_had_none(planner):
    """Found by the property test: with no department at the first plan, the department level is
    not in the ledger, and sizing it from the two new departments (one with two networks) made it
    larger than the one phantom department the node's IPv4 block had kept room for."""
    from govcloud.ipam import Level, plan_additions, plan_growth

    first = plan_addresses(build_province({"c0": {}}, {}))
    assert Level.V4_DEPARTMENT not in first.ledger.levels
    grown = build_province({"c0": {}}, {"core": 2})
    plan = {"full": lambda: plan_addresses(grown, first.ledger),
            "growth": lambda: plan_growth(grown, first.ledger),
            "additions": lambda: plan_additions(grown, first.ledger, departments=("core-d0", "core-d1"))}[planner]()
    node = plan["v4:node:province"]
    assert node == first["v4:node:province"]
    for dept in ("core-d0", "core-d1"):
        assert plan[f"v4:dept:{dept}"] in node and plan[f"dept:{dept}"] in plan["province"]
    assert plan["v4:subnet:core-d1/management"] in plan["v4:dept:core-d1"]
    # The level is the phantom the node kept: its length holds one network, with the headroom.
    assert plan.ledger.levels[Level.V4_DEPARTMENT] == first.ledger.levels[Level.V4_SUBNET] - 1


def test_two_new_counties_fit_in_a_province_that_had_no_county():
    from govcloud.ipam import Level, plan_growth

    first = plan_addresses(build_province({"c0": {}, "c1": {}}, {"c0": 1}))
    assert Level.COUNTY not in first.ledger.levels
    grown = build_province({"c0": {"c0-x0": ["c0-x0-t0", "c0-x0-t1"], "c0-x1": ["c0-x1-t0"]}, "c1": {}},
                           {"c0": 1, "c0-x0": 2, "c0-x1": 1})
    for plan in (plan_addresses(grown, first.ledger), plan_growth(grown, first.ledger)):
        assert plan["site:c0"] == first["site:c0"]
        for county in ("c0-x0", "c0-x1"):
            assert plan[f"site:{county}"] in plan["site:c0"]
        assert plan["dept:c0-x0-d1"] in plan["site:c0-x0"]
