"""Exit ranges against the plan: an exit may sit in the model's own blocks (the roots) but never on
a prefix the plan hands out, active or released, whichever way the two nest; the clash named is
the outermost planned prefix; decommissioned exits and absent IPv6 ranges are not checked."""

from __future__ import annotations

import pytest
from netaddr import IPNetwork

from govcloud.ipam import AddressPlan, Allocation, Ledger, Level, Status
from govcloud.ipam.conflicts import exit_conflicts
from govcloud.model import ExitStatus, InternetExit, Uplink

from support.provinces import build_province

FIX = "an exit's public range must lie outside every planned prefix: correct it, or move the plan's block"


def a(key, prefix, level, parent=None, status=Status.ACTIVE):
    return Allocation(key, IPNetwork(prefix), level, parent, status)


PLAN = AddressPlan(Ledger({}, {r.key: r for r in (
    a("province", "2001:db8::/32", Level.PROVINCE),
    a("site:c0", "2001:db8:10::/48", Level.CITY, "province"),
    a("subnet:c0/x", "2001:db8:10::/64", Level.SUBNET, "site:c0"),
    a("site:c1", "2001:db8:30::/48", Level.CITY, "province", Status.RELEASED),
    a("v4:space:0", "198.51.100.0/24", Level.V4_SPACE),
    a("v4:node:p", "198.51.100.64/26", Level.V4_NODE, "v4:space:0"),
    # sorts before its parent by key, after it by address: the outermost is found by address
    a("v4:a-subnet", "198.51.100.64/28", Level.V4_SUBNET, "v4:node:p"),
)}))


def exit_(code: str, ipv4: str, ipv6: str | None = None, status: ExitStatus = ExitStatus.LEGACY) -> InternetExit:
    return InternetExit(code=code, owner_kind="province", owner="core", site="core", status=status,
                        uplink=Uplink(isp="isp", bandwidth_mbps=1, ipv4=ipv4, ipv6=ipv6))


def conflicts(*exits: InternetExit) -> list[tuple]:
    province = build_province({}, {}).model_copy(update={"exits": exits})
    return [(p.path, p.message, p.fix) for p in exit_conflicts(province, PLAN)]


@pytest.mark.parametrize(("ipv4", "ipv6"), [
    ("198.51.100.0/28", "2001:db8:20::/48"),  # inside the roots only (198.51.100.0-63, between the cities)
    ("198.51.100.128/25", "2001:db8:11::/48"),  # just after a planned prefix
    ("198.51.100.48/28", "2001:db8:f::/48"),  # just before one
    ("203.0.113.0/24", None),  # no IPv6 range
    ("198.51.100.128/32", "2001:db8:11::/64"),  # the address right after a planned prefix
])
def test_an_exit_clear_of_every_planned_prefix_has_no_conflict(ipv4, ipv6):
    assert conflicts(exit_("e", ipv4, ipv6)) == []


def test_an_exit_on_a_planned_prefix_names_the_outermost_one_and_its_key():
    assert conflicts(exit_("e0", "203.0.113.0/24"), exit_("e1", "198.51.100.96/28", "2001:db8:10::/126")) == [
        (("exits", 1, "uplink", "ipv4"), "public range 198.51.100.96/28 of exit 'e1' overlaps 198.51.100.64/26, "
                                         "planned for v4:node:p", FIX),
        (("exits", 1, "uplink", "ipv6"), "public range 2001:db8:10::/126 of exit 'e1' overlaps 2001:db8:10::/48, "
                                         "planned for site:c0", FIX)]


def test_an_exit_holding_planned_prefixes_or_on_released_space_conflicts():
    assert [p[0] for p in conflicts(exit_("e", "198.51.100.0/25", "2001:db8::/40"))] == \
        [("exits", 0, "uplink", "ipv4"), ("exits", 0, "uplink", "ipv6")]
    assert [p[1].split(", planned for ")[1] for p in conflicts(exit_("e", "203.0.113.0/24", "2001:db8:30:5::/64"))] \
        == ["site:c1"]
    assert [p[1].split(", planned for ")[1] for p in conflicts(exit_("e", "203.0.113.0/24", "2001:db8:20::/43"))] \
        == ["site:c1"]
    # one address: the last of a planned prefix
    assert [p[1].split(", planned for ")[1] for p in conflicts(exit_("e", "198.51.100.127/32"))] == ["v4:node:p"]


def test_a_decommissioned_exit_is_not_checked_and_the_next_one_is():
    assert [p[0] for p in conflicts(exit_("gone", "198.51.100.64/26", status=ExitStatus.DECOMMISSIONED),
                                    exit_("live", "198.51.100.64/26", status=ExitStatus.UNIFIED))] == \
        [("exits", 1, "uplink", "ipv4")]


def test_a_plan_without_prefixes_of_a_family_has_no_conflict_in_it():
    province = build_province({}, {}).model_copy(update={"exits": (exit_("e", "198.51.100.0/24", "2001:db8::/48"),)})
    assert exit_conflicts(province, AddressPlan(Ledger())) == []


def test_a_planned_address_at_the_end_of_a_planned_prefix_is_inside_it_and_the_outer_one_is_named():
    plan = AddressPlan(Ledger({}, {r.key: r for r in (
        a("v4:space:0", "198.51.100.0/24", Level.V4_SPACE),
        a("v4:node:p", "198.51.100.64/26", Level.V4_NODE, "v4:space:0"),
        a("v4:last", "198.51.100.127/32", Level.V4_SUBNET, "v4:node:p"),
    )}))
    province = build_province({}, {}).model_copy(update={"exits": (exit_("e", "198.51.100.127/32"),)})
    assert [p.message for p in exit_conflicts(province, plan)] == [
        "public range 198.51.100.127/32 of exit 'e' overlaps 198.51.100.64/26, planned for v4:node:p"]
