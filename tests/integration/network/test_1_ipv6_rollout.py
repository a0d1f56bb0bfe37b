"""The IPv6 rollout on the real lab, in order: a preflight failure changes nothing; waves 1-2;
a verification failure in wave 3 rolls that router back and stops before wave 4; fixed, the
rollout converges; every node has its planned addresses, OSPFv3 is up, department hosts reach
the core over IPv6; a second run changes nothing."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from netaddr import IPNetwork

from govcloud.errors import OperationError, RunnerError
from govcloud.lab.netlab import namespace
from govcloud.model.extranet import Ipv6Status
from govcloud.network.hostvars import render_frr_conf
from govcloud.network.topology import NodeRole

pytestmark = pytest.mark.integration


def global_v6(node: str) -> set[IPNetwork]:
    out = subprocess.run(["ip", "-n", namespace(node), "-6", "-j", "addr", "show", "scope", "global"],
                         capture_output=True, text=True, check=True).stdout
    return {IPNetwork(f"{a['local']}/{a['prefixlen']}") for link in json.loads(out) for a in link["addr_info"]
            if "local" in a}


def planned_v6(lab, name: str) -> set[IPNetwork]:
    return {i.ipv6 for i in lab.topology.node(name).interfaces if i.ipv6 is not None}


def ospf6_full(lab, node: str) -> set[str]:
    data = json.loads(lab.sh(node, "vtysh -c 'show ipv6 ospf6 neighbor json'"))
    return {n["neighborId"] for n in data["neighbors"] if n["state"] == "Full"}


def test_lab_starts_ipv4_only_and_converged(lab):
    # How long the lab takes to come up is a benchmark figure (bench/network_wave.py, lab_up_s).
    for node in lab.topology.by_role(NodeRole.ROUTER):
        assert global_v6(node.name) == set(), node.name
    core_routes = subprocess.run(["ip", "-n", namespace("township-b1-1"), "route"], capture_output=True,
                                 text=True, check=True).stdout
    assert "default" in core_routes  # legacy exits in use today


def test_unreachable_host_at_preflight_stops_the_wave_before_any_change(lab):
    subprocess.run(["ip", "-n", namespace("unified-province"), "link", "set", "mgmt0", "down"], check=True)
    try:
        with pytest.raises(OperationError, match="unified-province: unreachable"):
            lab.rollout(1)
    finally:
        subprocess.run(["ip", "-n", namespace("unified-province"), "link", "set", "mgmt0", "up"], check=True)
    core = lab.topology.node("core")
    assert lab.sh("core", "cat /etc/frr/frr.conf") == render_frr_conf(core, ipv6=False)
    assert global_v6("core") == set()
    record = lab.recorder().record
    assert record.hosts["unified-province"].outcome == "preflight-failed"
    assert record.hosts["core"].outcome == "not-run"


def test_waves_1_and_2_deploy_the_planned_addresses(lab):
    reports = lab.rollout(1, 2)
    assert [r.status for r in reports] == ["done", "done"]
    for name in ("core", "unified-province", "city-a", "city-b"):
        assert global_v6(name) >= planned_v6(lab, name), name
    assert {"198.18.16.1", "198.18.32.1"} <= ospf6_full(lab, "core")


def test_verify_failure_rolls_back_and_stops_the_rollout(lab):
    # The fault: city-a drops OSPFv3 from county-a2, so county-a2 never gets an adjacency.
    city_if = next(i.name for i in lab.topology.node("city-a").interfaces if i.peer == "county-a2")
    lab.sh("city-a", f"nft add table ip6 fault && nft add chain ip6 fault in '{{ type filter hook input priority -10; }}'"
                     f" && nft add rule ip6 fault in iifname {city_if} meta l4proto 89 drop")
    try:
        with pytest.raises(RunnerError, match="county-a2"):
            lab.rollout(3, 4)
        county = lab.topology.node("county-a2")
        # Rolled back: running config and addresses as before the wave (the backup).
        assert lab.sh("county-a2", "cat /etc/frr/frr.conf") == render_frr_conf(county, ipv6=False)
        assert global_v6("county-a2") == set()
        assert "ipv6 address" not in lab.sh("county-a2", "vtysh -c 'show running-config'")
        # The others of the wave are complete, and wave 4 never ran.
        assert global_v6("county-a1") >= planned_v6(lab, "county-a1")
        assert global_v6("township-a1-1") == set()
        record = lab.recorder().record
        assert record.hosts["county-a2"].outcome == "failed"
        assert record.sites["county-a2"] is Ipv6Status.NONE
        assert "township-a1-1" not in record.hosts
    finally:
        lab.sh("city-a", "nft delete table ip6 fault")


def test_after_the_fix_a_rerun_converges(lab):
    reports = lab.rollout(3, 4)
    assert all(r.status == "done" for r in reports)
    for node in lab.topology.nodes:
        if node.takes_ipv6:
            assert global_v6(node.name) >= planned_v6(lab, node.name), node.name
    record = lab.recorder().record
    assert all(record.sites[s.site] is Ipv6Status.DUAL_STACK for s in lab.topology.by_role(NodeRole.ROUTER))


def test_ospfv3_adjacencies_are_up_on_every_link(lab):
    for node in lab.topology.by_role(NodeRole.ROUTER):
        peers = [i.peer for i in node.interfaces if i.ospf6 and not i.passive]
        expected = {str(lab.topology.node(p).router_id) for p in peers if lab.topology.node(p).takes_ipv6}
        assert ospf6_full(lab, node.name) >= expected, node.name


def test_department_hosts_have_planned_addresses_and_reach_the_core_over_ipv6(lab):
    core_v6 = lab.topology.node("core").interface("lo").ipv6.ip
    for host in lab.topology.by_role(NodeRole.HOST):
        for _ in range(30):  # router advertisements every 10 s at most
            if any(a.ip in host.slaac_prefix for a in global_v6(host.name)):
                break
            time.sleep(1)
        assert any(a.ip in host.slaac_prefix for a in global_v6(host.name)), host.name
        subprocess.run(["ip", "netns", "exec", namespace(host.name), "ping", "-6", "-c", "2", "-i", "0.2", "-W", "2",
                        str(core_v6)], check=True, capture_output=True)


def test_a_second_run_changes_nothing(lab):
    reports = lab.rollout()
    assert [r.changed for r in reports] == [0] * len(reports)
    assert all(set(r.outcomes.values()) == {"ok"} for r in reports)
