"""The border router's BGP verify (govcloud_bgp_verify): sessions with the cloud's speakers
Established, every planned prefix received, nothing outside the plan accepted. FRR is answered
from scripts in the shapes FRR 8.4 prints (`show bgp neighbors <addr> json`, `show bgp <afi>
unicast neighbors <addr> routes json`); the role's rollback on a failed verify is checked on the
role's own task files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROLE = Path(__file__).resolve().parents[3] / "roles" / "ipv6_extranet"
V4 = {"node": "city-a", "family": "v4", "address": "198.51.100.3", "accept": ["203.0.113.0/26", "203.0.113.64/26"]}
V6 = {"node": "city-a", "family": "v6", "address": "2001:db8:a::3", "accept": ["2001:db8:b::/64"]}


def neighbor(address: str, state: str) -> tuple[int, str, str]:
    return 0, json.dumps({address: {"remoteAs": 4200001002, "bgpState": state, "bgpTimerUpMsec": 1000}}), ""


def routes(*prefixes: str) -> tuple[int, str, str]:
    return 0, json.dumps({"vrfId": 0, "routes": {p: [{"valid": True, "bestpath": True}] for p in prefixes}}), ""


def answers(v4_state="Established", v4_routes=("203.0.113.0/26", "203.0.113.64/26"), v6_state="Established",
            v6_routes=("2001:db8:b::/64",)):
    return {
        ("vtysh", "-c", "show bgp neighbors 198.51.100.3 json"): neighbor("198.51.100.3", v4_state),
        ("vtysh", "-c", "show bgp neighbors 2001:db8:a::3 json"): neighbor("2001:db8:a::3", v6_state),
        ("vtysh", "-c", "show bgp ipv4 unicast neighbors 198.51.100.3 routes json"): routes(*v4_routes),
        ("vtysh", "-c", "show bgp ipv6 unicast neighbors 2001:db8:a::3 routes json"): routes(*v6_routes),
    }


def test_established_sessions_with_every_planned_prefix_are_ready(role_modules, fake_module):
    verify = role_modules["govcloud_bgp_verify"]
    established, accepted, missing = verify.bgp_readiness(fake_module({}, answers()), [V4, V6], True)
    assert (established, missing) == (2, None)
    assert accepted == {"198.51.100.3": ["203.0.113.0/26", "203.0.113.64/26"], "2001:db8:a::3": ["2001:db8:b::/64"]}


def test_a_session_that_is_not_established_is_named_with_its_state(role_modules, fake_module):
    verify = role_modules["govcloud_bgp_verify"]
    established, _, missing = verify.bgp_readiness(fake_module({}, answers(v6_state="Active")), [V4, V6], True)
    assert established == 1
    assert missing == "BGP session with city-a's speaker 2001:db8:a::3 is Active"


def test_a_neighbour_frr_does_not_know_reads_unknown(role_modules, fake_module):
    verify = role_modules["govcloud_bgp_verify"]
    module = fake_module({}, {("vtysh", "-c", "show bgp neighbors 198.51.100.3 json"): (0, "{}", "")})
    assert verify.bgp_readiness(module, [V4], True)[2] == "BGP session with city-a's speaker 198.51.100.3 is unknown"


def test_a_planned_prefix_not_yet_received_keeps_verify_waiting(role_modules, fake_module):
    verify = role_modules["govcloud_bgp_verify"]
    module = fake_module({}, answers(v4_routes=("203.0.113.0/26",)))
    assert verify.bgp_readiness(module, [V4, V6], True)[2] == "198.51.100.3 has not sent the planned 203.0.113.64/26"
    # Sessions alone are enough when prefixes are not required (a cloud not yet brought up).
    assert verify.bgp_readiness(fake_module({}, answers(v4_routes=())), [V4, V6], False)[2] is None


def test_a_prefix_outside_the_plan_fails_at_once(role_modules, fake_module):
    verify = role_modules["govcloud_bgp_verify"]
    module = fake_module({}, answers(v6_routes=("2001:db8:b::/64", "2001:db8:ffff::/48")))
    with pytest.raises(verify.FilterBroken, match="2001:db8:ffff::/48 from 2001:db8:a::3"):
        verify.bgp_readiness(module, [V4, V6], True)


def test_a_failed_bgp_verify_rolls_the_router_back():
    """verify.yml runs inside main.yml's block, whose rescue restores the backup; the BGP check is
    one of verify's tasks, guarded only by the router having cloud sessions."""
    main = yaml.safe_load((ROLE / "tasks" / "main.yml").read_text(encoding="utf-8"))
    rollout = next(task for task in main if "block" in task)
    assert {"ansible.builtin.import_tasks": "verify.yml"} in [
        {k: v for k, v in t.items() if k == "ansible.builtin.import_tasks"} for t in rollout["block"]]
    assert any(t.get("ansible.builtin.import_tasks") == "rollback.yml" for t in rollout["rescue"])
    verify = yaml.safe_load((ROLE / "tasks" / "verify.yml").read_text(encoding="utf-8"))
    bgp = [t for t in verify if "govcloud_bgp_verify" in t]
    assert len(bgp) == 1 and bgp[0]["when"] == "ipv6_extranet_cloud_bgp is not none"
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
    assert defaults["ipv6_extranet_cloud_bgp"] is None and defaults["ipv6_extranet_bgp_timeout_s"] > 0
