"""The IPv6 probe run for real: the network lab up, IPv6 rolled out on the province tier only (wave
1: the core and the unified exit), a TCP service on every site router, then `govcloud report
--measure-ipv6` probes every site router over SSH from the province's department host. What it
measures must be what the network does: IPv4 everywhere; IPv6 exactly at the routers that carry
their planned IPv6 loopback (the core), failing at every other; the unified exit's counters
read from inside it. The pages then show those figures."""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import replace

import pytest
from netaddr import IPNetwork
from support.projects import ROOT

from govcloud.lab import netlab
from govcloud.lab.netlab import namespace
from govcloud.lab.netlab.overlay import LAB_FACTS, with_lab_internet
from govcloud.model import load_folder
from govcloud.network.inventory import render_inventory, write_inventory
from govcloud.network.environment import environment_topology
from govcloud.network.rollout import Access, RolloutRecorder, run_waves
from govcloud.network.topology import NodeRole
from govcloud.network.waves import ipv6_waves
from govcloud.paths import current_instance
from govcloud.report.ipv6_probe import parse_octets
from govcloud.report.measurements import read_ipv6_quality

pytestmark = pytest.mark.integration

SERVICE_PORT = 7080  # the sites' service the TCP connects go to (started by the test, like a site's own)
# A dual-stack listener that accepts and closes: what a TCP connect test needs from a service.
SERVICE = ("import socket\n"
           "s = socket.socket(socket.AF_INET6)\n"
           "s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)\n"
           "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
           f"s.bind(('::', {SERVICE_PORT}))\n"
           "s.listen(64)\n"
           "while True:\n"
           "    s.accept()[0].close()\n")


def global_v6(node: str) -> set[IPNetwork]:
    out = subprocess.run(["ip", "-n", namespace(node), "-6", "-j", "addr", "show", "scope", "global"],
                         capture_output=True, text=True, check=True).stdout
    return {IPNetwork(f"{a['local']}/{a['prefixlen']}") for link in json.loads(out) for a in link["addr_info"]
            if "local" in a}


def wait_for_slaac(host) -> None:
    for _ in range(40):  # router advertisements every 10 s at most
        if any(a.ip in host.slaac_prefix for a in global_v6(host.name)):
            return
        time.sleep(1)
    pytest.fail(f"{host.name} got no address in {host.slaac_prefix} after wave 1")


@pytest.fixture(scope="module")
def lab(project):
    subprocess.run(["bash", str(ROOT / "scripts" / "netlab-install.sh")], check=True, capture_output=True)
    environment = load_folder(project / "inventories" / "lab", name="lab")
    topology = with_lab_internet(environment_topology(
        environment, replace(LAB_FACTS, mgmt_network=current_instance().mgmt_network), project))
    paths = netlab.NetlabPaths()
    netlab.down(paths)
    netlab.up(topology, paths)  # LabError (with its fix) when it cannot start: a loud failure
    write_inventory(environment.path, render_inventory(topology, paths.client_key, paths.known_hosts))
    access = Access(environment.path / "hosts.yml", paths.client_key, paths.known_hosts, work_dir=project / "runs")
    wave_1 = [w for w in ipv6_waves(topology) if w.number == 1]
    reports = run_waves(topology, wave_1, access, RolloutRecorder(project, topology))
    assert [r.status for r in reports] == ["done"]
    services = [subprocess.Popen(["ip", "netns", "exec", namespace(node.name), "/usr/bin/python3", "-c", SERVICE])
                for node in topology.by_role(NodeRole.ROUTER)]
    wait_for_slaac(topology.by_role(NodeRole.HOST)[0])
    yield topology
    for service in services:
        service.terminate()
        service.wait(timeout=10)
    netlab.down(paths)


@pytest.fixture(scope="module")
def measured(lab, project, govcloud):
    started = time.monotonic()
    done = govcloud("report", "--env", "lab", "--measure-ipv6", "--probe-tcp-port", str(SERVICE_PORT),
                    "--no-policy", "--output", str(project / "site"))
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "IPv6 probe recorded" in done.stdout
    print(f"probe and report: {seconds:.1f} s")  # a figure for the report, not an assertion
    quality = read_ipv6_quality(project / ".state" / "lab")
    assert quality is not None
    return quality


def test_every_site_router_is_probed_from_the_first_department_host(lab, measured):
    routers = {n.site for n in lab.by_role(NodeRole.ROUTER)}
    assert {p.site for p in measured.sites} == routers
    assert measured.probe_host == lab.by_role(NodeRole.HOST)[0].name


def test_ipv4_works_everywhere_and_ipv6_exactly_where_the_router_has_it(lab, measured):
    with_v6 = set()
    for probe in measured.sites:
        router = next(n for n in lab.by_role(NodeRole.ROUTER) if n.site == probe.site)
        loopback = router.interface("lo").ipv6
        has_v6 = loopback in global_v6(router.name)  # what the network actually has
        assert probe.ipv4.received == probe.ipv4.sent and probe.ipv4.tcp_ok == probe.ipv4.tcp_tries == 3, probe
        if has_v6:
            with_v6.add(probe.site)
            assert probe.ipv6.received == probe.ipv6.sent and probe.ipv6.rtt_ms is not None, probe
            assert probe.ipv6.tcp_ok == 3, probe
        else:
            assert probe.ipv6.received == 0 and probe.ipv6.rtt_ms is None, probe
            assert probe.ipv6.tcp_ok == 0 and probe.ipv6.tcp_tries == 3, probe
    assert with_v6 == {"core"}  # wave 1 rolled out the province tier only


def test_exit_counters_are_the_unified_exits_own(lab, measured):
    assert [e.exit for e in measured.exits] == ["unified-province"]
    counters = measured.exits[0]
    read = {name: subprocess.run(["ip", "netns", "exec", namespace("unified-province"), "cat", f"/proc/net/{name}"],
                                 capture_output=True, text=True, check=True).stdout for name in ("netstat", "snmp6")}
    v4_now, v6_now = parse_octets(read["netstat"], read["snmp6"])
    # Counters only grow: read again afterwards from inside the exit they are at least as large,
    # and the exit runs OSPFv3 since wave 1, so it has carried IPv6.
    assert 0 < counters.ipv4_octets <= v4_now and 0 < counters.ipv6_octets <= v6_now


def test_the_report_shows_the_measured_reachability(project, govcloud, measured):
    done = govcloud("report", "--env", "lab", "--format", "json", "--no-policy")
    assert done.returncode == 0, done.stderr
    tiers = {t["tier"]: t for t in json.loads(done.stdout)["ipv6_quality"]["tiers"]}
    assert tiers["province"]["reachability_v6"] == 1.0
    assert all(tiers[t]["reachability_v6"] == 0.0 for t in ("city", "county", "township"))
    assert tiers["city"]["degradation"]["tcp_success"] == -1.0  # IPv6 connects all failed, IPv4's all worked
    page = (project / "site" / "ipv6.html").read_text(encoding="utf-8")
    for tier, shown in (("province", "100.0%"), ("city", "0.0%"), ("county", "0.0%")):
        row = re.search(rf'<tr data-tier="{tier}">(.*?)</tr>', page, re.S)
        assert row is not None, tier
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
        assert cells[2] == shown, (tier, cells)
