"""The plan against its ledger, by example: a second plan changes nothing, a removed department is
released and kept until freed, incremental additions give what a full plan gives, running out of
space names the model's block."""

from __future__ import annotations

import pytest
from netaddr import IPNetwork, IPSet

from govcloud.errors import AddressSpaceExhausted
from govcloud.ipam import Ledger, Level, Status, plan_additions, plan_addresses, plan_growth

from support.provinces import build_province


def test_a_second_plan_with_the_ledger_changes_nothing():
    province = build_province({"c0": {"c0-x0": ["c0-x0-t0"]}}, {"core": 2, "c0": 1})
    first = plan_addresses(province)
    second = plan_addresses(province, first.ledger)
    assert not second.changed
    assert second.ledger.allocations == first.ledger.allocations
    assert second.get("dept:core-d0") == second["dept:core-d0"] and second.get("dept:nowhere") is None


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
    shape = {"c0": {"c0-x0": ["c0-x0-t0"]}, "c1": {}}
    first = plan_addresses(build_province(shape, {"core": 1, "c0": 1}))
    shape["c1"]["c1-x9"] = ["c1-x9-t0", "c1-x9-t1"]
    grown = build_province(shape, {"core": 1, "c0": 2})
    full = plan_addresses(grown, first.ledger)
    incremental = plan_additions(grown, first.ledger, sites=("c1-x9",), departments=("c0-d1",))
    assert set(incremental.added) == set(full.added)
    assert incremental.ledger.allocations == full.ledger.allocations
    assert incremental.ledger.levels == first.ledger.levels, "no new level: the ledger's lengths, nothing more"


def test_running_out_of_space_names_the_models_block_and_keeps_the_fix():
    small_v6 = build_province({"c0": {}}, {"core": 2}, ipv6_block="2001:db8::/56")
    with pytest.raises(AddressSpaceExhausted) as info:
        plan_addresses(small_v6)
    assert info.value.message.startswith("no room for site:c0: ") and "2001:db8::/56" in info.value.message
    assert info.value.problem.path == ("ipam", "ipv6_block") and "larger block" in info.value.fix
    roomy = build_province({"c0": {}}, {"core": 2})
    wide_v4 = roomy.model_copy(update={"ipam": roomy.ipam.model_copy(update={"ipv4_subnet_prefixlen": 16})})
    with pytest.raises(AddressSpaceExhausted) as info:
        plan_addresses(wide_v4)
    assert info.value.message.startswith("no room for v4:node:province: ")
    assert info.value.problem.path == ("ipam", "cloud_ipv4") and "ipam.cloud_ipv4" in info.value.fix


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


def with_ipam(province, **changes):
    return province.model_copy(update={"ipam": province.ipam.model_copy(update=changes)})


def test_a_changed_ipv6_block_is_refused_before_anything_is_renumbered():
    from govcloud.errors import InputError

    province = build_province({"c0": {}}, {"core": 1})
    ledger = plan_addresses(province).ledger
    moved = with_ipam(province, ipv6_block=IPNetwork("2001:db8:8000::/33"))
    for plan in (lambda: plan_addresses(moved, ledger), lambda: plan_additions(moved, ledger),
                 lambda: plan_growth(moved, ledger)):
        with pytest.raises(InputError) as info:
            plan()
        assert info.value.message == "ipv6_block is 2001:db8:8000::/33 but the ledger was planned for 2001:db8::/32"
        assert info.value.problem.path == ("ipam", "ipv6_block")
        assert info.value.fix == ("restore ipv6_block: 2001:db8::/32; renumbering is deliberate: move the ledger "
                                  "aside and plan from scratch")


def test_a_changed_ipv4_block_is_refused_at_its_position_and_a_new_one_at_the_end_is_taken():
    from govcloud.errors import InputError

    base = build_province({"c0": {}}, {"core": 1})
    two = with_ipam(base, cloud_ipv4=(IPNetwork("198.18.0.0/15"), IPNetwork("198.51.100.0/24")))
    ledger = plan_addresses(two).ledger
    assert plan_addresses(two, ledger).changed is False
    grown = with_ipam(base, cloud_ipv4=(*two.ipam.cloud_ipv4, IPNetwork("203.0.113.0/24")))
    assert plan_addresses(grown, ledger)["v4:space:2"] == IPNetwork("203.0.113.0/24")
    swapped = with_ipam(base, cloud_ipv4=(IPNetwork("198.18.0.0/15"), IPNetwork("203.0.113.0/24")))
    with pytest.raises(InputError) as info:
        plan_addresses(swapped, ledger)
    assert info.value.message == "cloud_ipv4[1] is 203.0.113.0/24 but the ledger was planned for 198.51.100.0/24"
    assert info.value.problem.path == ("ipam", "cloud_ipv4", 1)
    assert info.value.fix == "restore 198.51.100.0/24 at that position (add new blocks at the end)"


def test_additions_need_a_ledger_with_a_plan():
    from govcloud.errors import InputError

    with pytest.raises(InputError) as info:
        plan_additions(build_province({"c0": {}}, {"core": 1}), Ledger())
    assert (info.value.message, info.value.fix) == ("the ledger holds no plan yet",
                                                    "run a full plan first (govcloud ipam plan)")


def test_additions_at_a_level_the_ledger_never_used_take_the_full_plans_lengths():
    first = plan_addresses(build_province({"c0": {}}, {"core": 1}))
    grown = build_province({"c0": {"c0-x0": ["c0-x0-t0"]}}, {"core": 1})
    incremental = plan_additions(grown, first.ledger, sites=("c0-x0",))
    full = plan_addresses(grown, first.ledger)
    assert "county" not in {lvl.value for lvl in first.ledger.levels}
    assert incremental.ledger.levels[Level.COUNTY] == full.ledger.levels[Level.COUNTY]
    assert incremental["site:c0-x0"] == full["site:c0-x0"] and incremental.released == ()


def test_a_released_key_named_again_is_reactivated_on_its_old_prefix():
    shape = {"c0": {}}
    first = plan_addresses(build_province(shape, {"core": 2}))
    gone = "dept:core-d1"
    second = plan_addresses(build_province(shape, {"core": 1}), first.ledger)
    back = build_province(shape, {"core": 2})
    for plan in (plan_addresses(back, second.ledger), plan_additions(back, second.ledger, departments=("core-d1",)),
                 plan_growth(back, second.ledger)):
        assert gone in plan.reactivated and gone not in plan.added and plan.changed
        assert plan.ledger.allocations[gone] == first.ledger.allocations[gone]


def test_the_requirements_of_a_new_site_are_its_subtree_and_its_own_uplink_only():
    from govcloud.ipam.requirements import build_requirements, requirements_for

    shape = {"c0": {"c0-x0": ["c0-x0-t0"]}, "c1": {}}
    before = {r.key for r in build_requirements(build_province(shape, {"core": 1}))}
    shape["c1"]["c1-x9"] = ["c1-x9-t0"]
    grown = build_province(shape, {"core": 1})
    new = requirements_for(grown, sites=("c1-x9",))
    assert sorted(r.key for r in new) == sorted({r.key for r in build_requirements(grown)} - before)


def test_running_out_of_cloud_ipv4_says_where_and_what_to_do():
    roomy = build_province({"c0": {}}, {"core": 2})
    with pytest.raises(AddressSpaceExhausted) as info:
        plan_addresses(with_ipam(roomy, ipv4_subnet_prefixlen=16))
    assert info.value.message.startswith("no room for v4:node:province: no cloud IPv4 space left for "
                                         "v4:node:province: ")
    assert info.value.fix == "add a block to ipam.cloud_ipv4 or lower ipam.headroom"


def test_a_level_with_no_member_is_sized_for_one_subnet_with_headroom_and_its_parents_keep_that_room():
    from govcloud.ipam.addressplan import compute_levels
    from govcloud.ipam.requirements import build_requirements

    # A county without townships: the township level and its infrastructure level have no member.
    province = build_province({"c0": {"c0-x0": []}}, {"c0-x0": 1})
    levels = compute_levels(province, build_requirements(province))
    # An empty infrastructure level holds one /64 and half again, rounded up to a nibble: a /60.
    assert levels[Level.INFRA_TOWNSHIP] == 60
    # The phantom township keeps room for its /60 of infrastructure and one /60 village: a nibble more.
    assert levels[Level.TOWNSHIP] == 56
    assert levels[Level.COUNTY] == 52


def test_a_new_site_linked_from_a_village_numbers_the_link_in_the_village_s_block():
    """A village holds its /64s directly (no infra block): a link from it to a new site, planned as
    an addition, comes from the village's own block, as in a full plan."""
    from govcloud.model import Province

    data = build_province({"c0": {"c0-x0": ["c0-x0-t0"]}}, {"core": 1}).model_dump(mode="json")
    data["sites"].append({"code": "v0", "name": "v0", "tier": "village", "parent": "c0-x0-t0"})
    data["links"].append({"a": "c0-x0-t0", "b": "v0"})
    first = plan_addresses(Province.model_validate(data))
    data["sites"].append({"code": "c0-x1", "name": "x1", "tier": "county", "parent": "c0"})
    data["links"] += [{"a": "c0", "b": "c0-x1"}, {"a": "v0", "b": "c0-x1", "kind": "cross"}]
    grown = Province.model_validate(data)
    full = plan_addresses(grown, first.ledger)
    incremental = plan_additions(grown, first.ledger, sites=("c0-x1",))
    assert incremental.ledger.allocations == full.ledger.allocations
    link = incremental.ledger.allocations["link:v0--c0-x1"]
    assert link.parent == "site:v0" and link.prefix in first["site:v0"]
