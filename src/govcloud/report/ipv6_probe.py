"""The IPv6 quality probe: from one probe host, ping and TCP-connect every site's router over
IPv4 and IPv6, and read the unified exits' IPv4/IPv6 byte counters; the result is the
``ipv6-quality.json`` the report reads (:mod:`.measurements`).

Where the commands run is the caller's choice: a :data:`Runner` executes one argv on the probe
host (or on an exit) and returns its exit code and output: locally (:func:`command_runner`, with a
prefix such as ``ip netns exec <name>``) or over SSH on the network's own hosts
(:mod:`.probe_ssh`, what ``govcloud report --measure-ipv6`` uses). The parsing is of the standard
``ping`` summary (iputils) and of the kernel's ``/proc/net/netstat`` (IpExt) and ``/proc/net/snmp6``.

TCP connect success is measured only towards a service the caller names (``tcp_port``): a router
offers none on its loopback, and a refused connect would say nothing about IPv6 against IPv4.
The exits' counters are the whole host's, so they include the probe's own SSH session (IPv4, a few
kilobytes against the traffic the exit carries).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from netaddr import IPAddress

from ..network.topology import NodeRole, Topology
from .measurements import ExitCounters, FamilyResult, Ipv6Quality, SiteProbe

Runner = Callable[[Sequence[str]], tuple[int, str]]
"""``run(argv) -> (exit code, standard output)``."""

_TRANSMITTED = re.compile(r"(\d+) packets transmitted, (\d+) (?:packets )?received")
_RTT = re.compile(r"(?:rtt|round-trip) min/avg/max/(?:mdev|stddev) = [\d.]+/([\d.]+)/")


@dataclass(frozen=True)
class ProbeTarget:
    site: str
    tier: str
    ipv4: IPAddress
    ipv6: IPAddress


def command_runner(prefix: Sequence[str] = (), timeout_s: float = 30) -> Runner:
    """Run argv locally, after ``prefix`` (e.g. ``ip netns exec <ns>``); a hung command counts as failed."""
    def run(argv: Sequence[str]) -> tuple[int, str]:
        try:
            done = subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return 124, ""
        return done.returncode, done.stdout
    return run


def parse_ping(output: str) -> tuple[int, int, float | None]:
    """(sent, received, mean RTT in ms or None) from ping's summary lines."""
    counts = _TRANSMITTED.search(output)
    if counts is None:
        return 0, 0, None
    rtt = _RTT.search(output)
    return int(counts[1]), int(counts[2]), float(rtt[1]) if rtt else None


def probe_family(run: Runner, address: IPAddress, count: int = 5, tcp_port: int | None = None, tcp_tries: int = 3
                 ) -> FamilyResult:
    """Ping ``address`` ``count`` times and, when the target offers a service on ``tcp_port``, try
    ``tcp_tries`` TCP connects to it (without one, TCP is not measured: ``tcp_tries`` is 0)."""
    family = f"-{address.version}"
    _, output = run(["ping", family, "-c", str(count), "-i", "0.2", "-W", "1", "-q", str(address)])
    sent, received, rtt = parse_ping(output)
    if tcp_port is None:
        return FamilyResult(sent=sent or count, received=received, rtt_ms=rtt)
    # bash opens /dev/tcp/<host>/<port> itself: a connect that needs nothing installed on the probe host.
    connect = ["timeout", "2", "bash", "-c", f"exec 3<>/dev/tcp/{address}/{tcp_port}"]
    ok = sum(run(connect)[0] == 0 for _ in range(tcp_tries))
    return FamilyResult(sent=sent or count, received=received, rtt_ms=rtt, tcp_tries=tcp_tries, tcp_ok=ok)


def probe_site(run: Runner, target: ProbeTarget, **options) -> SiteProbe:
    return SiteProbe(site=target.site, tier=target.tier, ipv4=probe_family(run, target.ipv4, **options),
                     ipv6=probe_family(run, target.ipv6, **options))


def parse_octets(netstat: str, snmp6: str) -> tuple[int, int]:
    """(IPv4 octets, IPv6 octets), each received plus sent, from /proc/net/netstat and /proc/net/snmp6."""
    v4 = 0
    lines = [line.split() for line in netstat.splitlines()]
    for header, values in zip(lines, lines[1:]):
        if header and header[0] == "IpExt:" and values and values[0] == "IpExt:" and header[1:] != values[1:]:
            row = dict(zip(header[1:], values[1:]))
            v4 = int(row.get("InOctets", 0)) + int(row.get("OutOctets", 0))
    v6 = 0
    for line in snmp6.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("Ip6InOctets", "Ip6OutOctets"):
            v6 += int(parts[1])
    return v4, v6


def exit_counters(run: Runner, exit_code: str) -> ExitCounters:
    _, netstat = run(["cat", "/proc/net/netstat"])
    _, snmp6 = run(["cat", "/proc/net/snmp6"])
    v4, v6 = parse_octets(netstat, snmp6)
    return ExitCounters(exit=exit_code, ipv4_octets=v4, ipv6_octets=v6)


def targets_from_topology(topology: Topology) -> list[ProbeTarget]:
    """Every site router's loopback that has both an IPv4 and an IPv6 address."""
    targets = []
    for node in topology.nodes:
        if node.role is not NodeRole.ROUTER or node.site is None or node.tier is None:
            continue
        loopback = next((i for i in node.interfaces if i.kind == "loopback"), None)
        if loopback is not None and loopback.ipv4 is not None and loopback.ipv6 is not None:
            targets.append(ProbeTarget(node.site, node.tier.value, loopback.ipv4.ip, loopback.ipv6.ip))
    return targets


def measure(probe: Runner, targets: Iterable[ProbeTarget], exits: dict[str, Runner], probe_host: str = "",
            parallel: int = 8, **options) -> Ipv6Quality:
    """Probe every target from ``probe`` and read the counters of every exit (code → its runner).

    Up to ``parallel`` targets are probed at once: a site that does not answer costs its timeouts,
    and serially a province's unreachable sites would add theirs up."""
    targets = list(targets)
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(targets) or 1))) as pool:
        sites = tuple(pool.map(lambda target: probe_site(probe, target, **options), targets))
    return Ipv6Quality(measured_at=dt.datetime.now(dt.timezone.utc), probe_host=probe_host, sites=sites,
                       exits=tuple(exit_counters(run, code) for code, run in exits.items()))
