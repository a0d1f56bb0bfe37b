"""A probe on a Neutron network of the lab: a port with a namespace of its own behind it.

Neutron's own debug probes worked this way: create the port (bound to the data plane's host), then
a device named ``tap`` + the first 11 characters of the port's id where the Linux bridge agent
looks (the data plane's namespace). The probe's port is a compute port (its security groups hold,
unlike a ``network:`` port's), and the agent leaves plugging a compute port's tap into the
network's bridge to Nova's VIF driver: :func:`plug` does that part, then the agent applies the
security groups. The other end of the veth, in the probe's namespace, carries the port's MAC and
fixed addresses and a default route to each subnet's gateway (the department router).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from netaddr import IPAddress, IPNetwork

from .processes import run_command

_ID_CHARS = 11


@dataclass(frozen=True)
class Probe:
    """A probe's namespace and the addresses Neutron gave its port."""

    namespace: str
    port_id: str
    addresses: tuple[IPAddress, ...]

    def address(self, version: int) -> IPAddress:
        return next(a for a in self.addresses if a.version == version)


def tap_name(port_id: str) -> str:
    return f"tap{port_id[:_ID_CHARS]}"


def network_bridge(network_id: str) -> str:
    """The Linux bridge agent's bridge of a network (``brq`` + the id's first 11 characters)."""
    return f"brq{network_id[:_ID_CHARS]}"


def plug(dataplane_ns: str, namespace: str, port_id: str, network_id: str, mac: str,
         addresses: list[tuple[IPAddress, IPNetwork, IPAddress | None]]) -> Probe:
    """Wire a created port: ``addresses`` are ``(fixed ip, subnet cidr, gateway)`` per subnet."""
    tap = tap_name(port_id)
    bridge = network_bridge(network_id)
    _run(["ip", "netns", "add", namespace])
    _run(["ip", "-n", namespace, "link", "set", "lo", "up"])
    _run(["ip", "netns", "exec", namespace, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0",
          "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.default.accept_ra=0"])
    _run(["ip", "-n", dataplane_ns, "link", "add", tap, "type", "veth", "peer", "name", "eth0", "netns", namespace])
    if _run(["ip", "-n", dataplane_ns, "link", "show", "dev", bridge], check=False).returncode != 0:
        _run(["ip", "-n", dataplane_ns, "link", "add", bridge, "type", "bridge"])  # the agent adopts it
    _run(["ip", "-n", dataplane_ns, "link", "set", tap, "master", bridge])
    _run(["ip", "-n", dataplane_ns, "link", "set", tap, "up"])
    _run(["ip", "-n", namespace, "link", "set", "eth0", "address", mac])
    for ip, cidr, _ in addresses:
        _run(["ip", "-n", namespace, "addr", "add", f"{ip}/{cidr.prefixlen}", "dev", "eth0", "nodad"])
    _run(["ip", "-n", namespace, "link", "set", "eth0", "up"])
    for ip, _, gateway in addresses:
        if gateway is not None:
            _run(["ip", "-n", namespace, f"-{ip.version}", "route", "add", "default", "via", str(gateway)])
    return Probe(namespace, port_id, tuple(ip for ip, _, _ in addresses))


def unplug(dataplane_ns: str, probe: Probe) -> None:
    """Kill what runs in the probe's namespace, delete it and the tap (the veth goes with it)."""
    pids = _run(["ip", "netns", "pids", probe.namespace], check=False).stdout.split()
    for pid in pids:
        _run(["kill", "-9", pid], check=False)
    _run(["ip", "-n", dataplane_ns, "link", "del", tap_name(probe.port_id)], check=False)
    _run(["ip", "netns", "del", probe.namespace], check=False)


def _run(argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
    return run_command(argv, "the OpenStack lab's data plane must be up (`govcloud lab up`)", check)
