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
    """Answers shaped as openstacksdk's proxies return them; every call is counted."""

    def __init__(self, known: set[str]):
        self.projects = {name: f"id-{name}" for name in known}
        self.calls: list[str] = []
        self.identity = SimpleNamespace(projects=self._list)
        self.compute = SimpleNamespace(get_limits=self._compute)
        self.block_storage = SimpleNamespace(get_limits=self._volume)
        self.network = SimpleNamespace(get_quota=self._network)

    def _list(self):
        self.calls.append("projects")
        return [SimpleNamespace(name=name, id=pid) for name, pid in self.projects.items()]

    def _compute(self, tenant_id):
        self.calls.append(f"compute {tenant_id}")
        return SimpleNamespace(absolute=SimpleNamespace(total_cores=20, total_cores_used=18, total_ram=40960,
                                                        total_ram_used=1024, instances=-1, instances_used=3))

    def _volume(self, project):
        self.calls.append(f"volume {project}")
        return SimpleNamespace(absolute=SimpleNamespace(max_total_volume_gigabytes=1000, total_gigabytes_used=1200,
                                                        max_total_volumes=10, total_volumes_used=2))

    def _network(self, project_id, details=False):
        self.calls.append(f"network {project_id}")
        assert details
        return SimpleNamespace(networks={"limit": 4, "used": 1, "reserved": 0}, ports=None)


def test_cloud_usage_reads_every_quota_and_skips_projects_not_deployed():
    cloud = FakeCloud({"dept-a", "someone-else"})
    usage = cloud_usage.node_usage(cloud, ["dept-a", "dept-b"])
    assert set(usage.projects) == {"dept-a"}
    # One listing of the projects, then one call per service for each project that is there.
    assert cloud.calls == ["projects", "compute id-dept-a", "volume id-dept-a", "network id-dept-a"]
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


def test_without_a_service_port_tcp_is_not_measured():
    run = ipv6_probe.command_runner()
    result = ipv6_probe.probe_family(run, IPAddress("127.0.0.1"), count=1)
    assert (result.tcp_tries, result.tcp_ok, result.tcp_success) == (0, 0, None)
    assert result.received == 1


def test_targets_are_probed_in_parallel_and_reported_in_their_order():
    """Each target's commands block until every target has started: serially this would never end."""
    targets = [ipv6_probe.ProbeTarget(f"site-{i}", "county", IPAddress(f"192.0.2.{i}"), IPAddress(f"2001:db8::{i}"))
               for i in range(1, 5)]
    started = threading.Barrier(len(targets), timeout=10)

    def run(argv):
        if argv[0] == "ping" and argv[1] == "-4":
            started.wait()
        return 0, "1 packets transmitted, 1 received\nrtt min/avg/max/mdev = 1.0/1.0/1.0/0.0 ms\n"

    quality = ipv6_probe.measure(run, targets, {}, parallel=len(targets), count=1)
    assert [p.site for p in quality.sites] == [t.site for t in targets]


@pytest.fixture
def lab_topology(project):
    from govcloud.model import load_environment
    from govcloud.network.environment import environment_topology
    from govcloud.network.topology import SiteFacts
    from netaddr import IPNetwork

    return environment_topology(load_environment("lab", project), SiteFacts(mgmt_network=IPNetwork("192.0.2.0/24")))


def test_the_probe_runs_from_the_first_department_host_unless_told(lab_topology):
    from govcloud.errors import UsageError
    from govcloud.report import probe_ssh

    assert probe_ssh.probe_node(lab_topology, None).name == "host-prov-gov-office"
    assert probe_ssh.probe_node(lab_topology, "city-a").name == "city-a"
    with pytest.raises(UsageError, match="no-such-host") as error:
        probe_ssh.probe_node(lab_topology, "no-such-host")
    assert "host-city-a-edu" in error.value.fix
    assert [n.name for n in probe_ssh.unified_exits(lab_topology)] == ["unified-province"]


def test_a_probe_host_that_refuses_ssh_is_a_failed_operation_naming_it(tmp_path):
    """Nothing listens on the port: the runner says which host and why, and how to go on."""
    from govcloud.errors import OperationError
    from govcloud.report import probe_ssh

    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    access = probe_ssh.SshAccess(tmp_path / "key", tmp_path / "known_hosts", connect_timeout_s=2)
    (tmp_path / "known_hosts").write_text("")
    runner = probe_ssh.SshRunner("core", "127.0.0.1", access, port=port)
    with pytest.raises(OperationError, match=r"core \(127.0.0.1\): unreachable") as error:
        runner.__enter__()
    assert "--probe-from" in error.value.fix
