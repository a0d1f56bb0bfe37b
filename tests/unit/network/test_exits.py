"""Which source addresses the internet may see, before and after each switch."""

from __future__ import annotations

import pytest

from govcloud.model import load_folder
from govcloud.network.exits import ExitFinding, sources_ok, unified_addresses
from govcloud.network.environment import environment_topology
from govcloud.network.waves import legacy_exit_order
from govcloud.lab.netlab.overlay import LAB_FACTS


@pytest.fixture(scope="module")
def topology(project_root):
    return environment_topology(load_folder(project_root / "inventories" / "lab", name="lab"), LAB_FACTS)


def test_unified_addresses_are_its_uplink_and_translation_prefix(topology):
    v4, v6 = unified_addresses(topology)
    assert [str(n.cidr) for n in v4] == ["203.0.113.0/28"]
    assert [str(n) for n in v6] == ["2001:db8:ffff:100::/56"]


def test_after_the_last_switch_only_unified_addresses_pass(topology):
    good = {"h1": {"v4": "203.0.113.2", "v6": "2001:db8:ffff:107::5"}}
    assert sources_ok(topology, good) == []
    legacy = {"h1": {"v4": "203.0.113.34", "v6": "2001:db8:ffff:107::5"}}
    assert sources_ok(topology, legacy) == ["h1 v4 203.0.113.34"]
    assert sources_ok(topology, {"h1": {"v6": "unreachable"}}) == ["h1 v6 unreachable"]


def test_between_switches_an_exit_still_in_service_is_allowed_but_never_for_ipv6(topology):
    still = legacy_exit_order(topology)[1:]  # legacy-city-a, after legacy-prov-health was retired
    assert sources_ok(topology, {"h1": {"v4": "203.0.113.34"}}, still) == []
    assert sources_ok(topology, {"h1": {"v4": "203.0.113.18"}}, still) == ["h1 v4 203.0.113.18"]


def test_a_default_learned_over_ospf_is_not_an_exit():
    assert not ExitFinding("core", "undeclared", (), (), 0, False).is_exit
    assert ExitFinding("r9", "undeclared", ("via 192.0.2.1 (kernel)",), (), 0, True).is_exit
