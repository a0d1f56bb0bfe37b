"""The IPv6 probe (ping and TCP connect over both families, exit counters) and the live usage
collector, on real commands against loopback and on openstacksdk-shaped answers."""

from __future__ import annotations

import socket
import threading
from types import SimpleNamespace

import pytest
from netaddr import IPAddress

from govcloud.report import cloud_usage, ipv6_probe
from govcloud.report.measurements import read_ipv6_quality, write_measurement

PING = """PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.

--- 192.0.2.1 ping statistics ---
5 packets transmitted, 4 received, 20% packet loss, time 804ms
rtt min/avg/max/mdev = 0.041/0.063/0.090/0.017 ms
"""
NETSTAT = """TcpExt: SyncookiesSent SyncookiesRecv
TcpExt: 0 0
IpExt: InNoRoutes InTruncatedPkts InOctets OutOctets
IpExt: 0 0 1000 500
"""
SNMP6 = "Ip6InReceives                   \t10\nIp6InOctets                     \t300\nIp6OutOctets                    \t200\n"


def test_ping_summary_is_parsed():
    assert ipv6_probe.parse_ping(PING) == (5, 4, 0.063)
    assert ipv6_probe.parse_ping("ping: connect: Network is unreachable\n") == (0, 0, None)
    lost = "3 packets transmitted, 0 received, 100% packet loss, time 2ms\n"
    assert ipv6_probe.parse_ping(lost) == (3, 0, None)


def test_octet_counters_of_both_families():
    assert ipv6_probe.parse_octets(NETSTAT, SNMP6) == (1500, 500)


@pytest.fixture
def listener():
    """A dual-stack TCP listener on the loopback (::, accepting IPv4-mapped connections too)."""
    server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    server.bind(("::", 0))
    server.listen(16)
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                server.accept()[0].close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def test_probe_measures_loopback_over_both_families_for_real(listener, tmp_path):
    run = ipv6_probe.command_runner()
    target = ipv6_probe.ProbeTarget("core", "province", IPAddress("127.0.0.1"), IPAddress("::1"))
    quality = ipv6_probe.measure(run, [target], {"exit-local": run}, probe_host="localhost",
                                 count=2, tcp_port=listener, tcp_tries=2)
    probe = quality.sites[0]
    for family in (probe.ipv4, probe.ipv6):
        assert (family.sent, family.received, family.tcp_ok) == (2, 2, 2)
        assert family.rtt_ms is not None and family.rtt_ms > 0
    assert quality.exits[0].ipv4_octets > 0
    write_measurement(tmp_path / "ipv6-quality.json", quality)
    assert read_ipv6_quality(tmp_path) == quality


def test_a_closed_port_counts_as_a_failed_connect(listener):
    run = ipv6_probe.command_runner()
    free = socket.socket(socket.AF_INET6)
    free.bind(("::1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    result = ipv6_probe.probe_family(run, IPAddress("::1"), count=1, tcp_port=port, tcp_tries=1)
    assert result.tcp_ok == 0 and result.tcp_tries == 1


class FakeCloud:
    """Answers shaped as openstacksdk's cloud layer returns them."""

    def __init__(self, known: set[str]):
        self.known = known

    def _check(self, project: str) -> None:
        from openstack import exceptions

        if project not in self.known:
            raise exceptions.NotFoundException(f"project {project} not found")

    def get_compute_limits(self, project):
        self._check(project)
        return SimpleNamespace(total_cores=20, total_cores_used=18, total_ram=40960, total_ram_used=1024,
                               instances=-1, instances_used=3)

    def get_volume_limits(self, project):
        self._check(project)
        return SimpleNamespace(absolute=SimpleNamespace(max_total_volume_gigabytes=1000, total_gigabytes_used=1200,
                                                        max_total_volumes=10, total_volumes_used=2))

    def get_network_quotas(self, project, details=False):
        self._check(project)
        assert details
        return SimpleNamespace(networks={"limit": 4, "used": 1, "reserved": 0}, ports=None)


def test_cloud_usage_reads_every_quota_and_skips_projects_not_deployed():
    usage = cloud_usage.node_usage(FakeCloud({"dept-a"}), ["dept-a", "dept-b"])
    assert set(usage.projects) == {"dept-a"}
    quotas = usage.projects["dept-a"]
    assert (quotas["cores"].limit, quotas["cores"].used) == (20, 18)
    assert quotas["instances"].limit is None  # -1: unlimited
    assert (quotas["gigabytes"].limit, quotas["gigabytes"].used) == (1000, 1200)
    assert quotas["networks"].used == 1 and "ports" not in quotas


def test_an_unreachable_node_is_recorded_with_its_error(project):
    from openstack import exceptions

    from govcloud.model import load_environment

    province = load_environment("lab", project).province

    def connect(node):
        if node.code == "city-b":
            raise exceptions.SDKException("no route to the identity service")
        return FakeCloud({d.code for d in province.departments})

    usage = cloud_usage.measure_province(province, connect)
    assert "no route" in usage.nodes["city-b"].error
    assert set(usage.nodes["province"].projects) == {"prov-gov-office", "prov-health"}
