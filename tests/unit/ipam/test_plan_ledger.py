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
