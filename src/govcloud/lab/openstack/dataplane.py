"""The lab's Neutron data plane: the Linux bridge, L3 and DHCP agents of one host, and BGP agents.

os-ken's BGP driver hosts one speaker per agent (it raises BgpSpeakerMaxScheduled for a second)
and the scheduler gives a speaker only to an agent that hosts none, so the lab runs one BGP agent
per speaker the stacks make (``OpenStackLabSpec.bgp_agents``), each as its own host
(``network-bgp<N>``) with its own router id.

Every agent of a lab instance runs inside that instance's own network namespace (``gcos`` for
the default lab, ``g<NN>os`` for an instance): the bridges, iptables rules, the BGP speakers'
transit addresses and their routes stay there, so two instances holding the same address plan
never meet. The routers' and DHCP servers' namespaces (``qrouter-<id>``, ``qdhcp-<id>``) carry
ids of the instance's own Neutron, so they cannot clash either.

RabbitMQ listens on 127.0.0.1 of the root namespace, which the agents cannot reach from theirs.
Two socat relays join them through a Unix socket in the state directory (file systems are shared
across network namespaces): one listens on the socket and connects to RabbitMQ, the other listens
on 127.0.0.1 inside the agents' namespace and connects to the socket. The agents need nothing
else: they talk to neutron-server over RPC only (no metadata proxy in the lab).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from netaddr import IPAddress

from govcloud.lab.openstack.ports import HOST
from govcloud.lab.openstack.statedir import OpenStackLabPaths
from govcloud.lab.openstack.supervisor import Service, log_since_start, running_pid, started_at
from govcloud.lab.processes import run_command

# The host name the data plane's agents report; ports plugged into the data plane bind to it.
NETWORK_HOST = "network"
# Neutron's default: a state report waits at most this long for neutron-server, which on a busy
# two-core machine often takes longer than 10 s (the reports then time out and are logged as errors).
REPORT_INTERVAL = 30
# The bridge that stands for the flat physical network in the agents' namespace.
PHYSNET_BRIDGE = "brphys"
# One of each on the data plane's host; then ``bgp_agents`` BGP agents (see the module's docstring).
AGENTS = ("neutron-linuxbridge-agent", "neutron-l3-agent", "neutron-dhcp-agent")
BGP_AGENT = "neutron-bgp-dragent"
_AGENT_CONFIGS = {
    "neutron-linuxbridge-agent": "linuxbridge_agent",
    "neutron-l3-agent": "l3_agent",
    "neutron-dhcp-agent": "dhcp_agent",
}
RELAY_OUT, RELAY_IN = "amqp-relay-root", "amqp-relay-netns"
# Namespaces the agents create, named by the id of a router or network of this lab's Neutron.
_AGENT_NAMESPACES = ("qrouter-", "qdhcp-", "snat-", "fip-")
_LISTEN = "0A"
# What a privsep daemon prints (through its agent's log) when it has deadlocked: see wedged().
PRIVSEP_DEADLOCK = "greenlet.error: cannot switch to a different thread"


@dataclass(frozen=True)
class DataPlane:
    """What the agents' configs need to know."""

    host: str
    report_interval: int
    physnet_bridge: str = PHYSNET_BRIDGE


@dataclass(frozen=True)
class Agent:
    """One agent process: its service name, the binary and host it reports as, its config file
    (named after the template it is rendered from), and a BGP agent's router id."""

    name: str
    binary: str
    host: str
    config: Path
    bgp_router_id: str | None = None

    @property
    def template(self) -> str:
        return f"{self.config.stem.rsplit('-', 1)[0]}.ini.j2"


def amqp_socket(paths: OpenStackLabPaths) -> Path:
    return paths.run / "amqp.sock"


def agents(paths: OpenStackLabPaths, bgp_agents: int) -> tuple[Agent, ...]:
    """The host's three agents, then the BGP agents numbered from 1."""
    neutron = paths.etc / "neutron"
    host = tuple(Agent(name, name, NETWORK_HOST, neutron / f"{_AGENT_CONFIGS[name]}.ini") for name in AGENTS)
    return host + tuple(
        Agent(f"{BGP_AGENT}-{n}", BGP_AGENT, f"{NETWORK_HOST}-bgp{n}", neutron / f"bgp_dragent-{n}.ini",
              str(bgp_router_id(paths, n)))
        for n in range(1, bgp_agents + 1))


def bgp_router_id(paths: OpenStackLabPaths, number: int) -> IPAddress:
    """BGP agent ``number``'s router id: an address of the instance's own management network that
    the network lab leaves unused (its nodes number from .10, these from the top down), so no
    border router shares it."""
    return IPAddress(paths.instance.mgmt_network.last - number)


def services(paths: OpenStackLabPaths, bgp_agents: int,
             board_probe: Callable[[Agent], Callable[[], bool]]) -> tuple[Service, ...]:
    """The relays, then the agents (each answers when its heartbeat is fresh)."""
    ns = paths.dataplane_namespace
    rabbit = paths.ports.RABBIT
    sock = amqp_socket(paths)
    relays = (
        Service(RELAY_OUT, ("/usr/bin/socat", f"UNIX-LISTEN:{sock},fork,unlink-early,mode=600",
                            f"TCP:{HOST}:{rabbit}"),
                probe=lambda: sock.is_socket() and started_at(paths, RELAY_OUT) is not None,
                after=("rabbitmq",)),
        Service(RELAY_IN, ("/usr/bin/ip", "netns", "exec", ns, "/usr/bin/socat",
                           f"TCP-LISTEN:{rabbit},bind={HOST},fork,reuseaddr", f"UNIX-CONNECT:{sock}"),
                probe=_listening_probe(paths, RELAY_IN, rabbit), after=(RELAY_OUT,)),
    )
    processes = tuple(
        Service(agent.name, ("/usr/bin/ip", "netns", "exec", ns, "/usr/bin/python3", f"/usr/bin/{agent.binary}",
                             "--config-file", str(paths.etc / "neutron" / "neutron.conf"),
                             "--config-file", str(agent.config)),
                probe=_answering_unless_wedged(paths, agent.name, board_probe(agent)),
                configs=(paths.etc / "neutron" / "neutron.conf", agent.config),
                wedged=lambda name=agent.name: wedged(paths, name),
                after=("neutron-server", RELAY_IN))
        for agent in agents(paths, bgp_agents))
    return relays + processes


def wedged(paths: OpenStackLabPaths, name: str) -> bool:
    """Whether agent ``name`` has hit oslo.privsep's lost hand-over since it started.

    A privsep daemon whose worker threads hand an eventlet lock to one another fails with
    ``greenlet.error: cannot switch to a different thread``; the waiting call never returns and
    every later call through that daemon times out, while the agent's heartbeat stays fresh. The
    lab's configs avoid it (``thread_pool_size = 1``, see neutron.conf.j2); an agent that shows it
    anyway is restarted by ``lab up`` and reported as not answering by ``lab status``.
    """
    return PRIVSEP_DEADLOCK in log_since_start(paths, name)


def _answering_unless_wedged(paths: OpenStackLabPaths, name: str,
                             probe: Callable[[], bool]) -> Callable[[], bool]:
    return lambda: probe() and not wedged(paths, name)


def ensure_namespace(paths: OpenStackLabPaths) -> None:
    """Create the agents' namespace with its loopback up (``ip netns add`` leaves it down)."""
    ns = paths.dataplane_namespace
    if not Path(f"/run/netns/{ns}").exists():
        _ip("netns", "add", ns)
    _ip("-n", ns, "link", "set", "lo", "up")
    if _run(["ip", "-n", ns, "link", "show", "dev", PHYSNET_BRIDGE], check=False).returncode != 0:
        _ip("-n", ns, "link", "add", PHYSNET_BRIDGE, "type", "bridge")
    _ip("-n", ns, "link", "set", PHYSNET_BRIDGE, "up")
    # Bridged traffic passes iptables, or security groups would not hold between ports of one bridge.
    # No router advertisements: the bridges would take SLAAC addresses on every tenant network and
    # the agents' namespace (the "host") would sit on networks it must only switch.
    _run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=1",
          "net.bridge.bridge-nf-call-ip6tables=1", "net.ipv6.conf.all.accept_dad=0",
          "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_ra=0",
          "net.ipv6.conf.default.accept_ra=0"])


def remove_namespaces(paths: OpenStackLabPaths, ids: set[str]) -> list[str]:
    """After the agents stopped: kill what they left running (dnsmasq and radvd detach from them),
    delete this lab's router and DHCP namespaces, then the agents' namespace. Ours are those named
    by ``ids`` (the lab's router and network ids, when MariaDB could tell) and those with a veth
    into the agents' namespace; other labs' are never touched. Returns the deleted namespaces."""
    for pid in _processes_under(paths.data / "neutron"):
        _kill(pid)
    dataplane_ns = paths.dataplane_namespace
    has_dataplane = Path(f"/run/netns/{dataplane_ns}").exists()
    peers = _peer_namespaces(dataplane_ns) if has_dataplane else set()
    wanted = [name for name in _namespaces() if name.startswith(_AGENT_NAMESPACES)
              and (name.split("-", 1)[-1] in ids or name in peers)]
    if has_dataplane:
        wanted.append(dataplane_ns)
    for ns in wanted:
        for pid in _namespace_pids(ns):
            _kill(pid)
        _ip("netns", "del", ns)
    return wanted


def _listening_probe(paths: OpenStackLabPaths, name: str, port: int) -> Callable[[], bool]:
    """Answers when our process listens on ``port``: its /proc/<pid>/net/tcp shows its own namespace."""

    def probe() -> bool:
        started = started_at(paths, name)
        if started is None:
            return False
        pid = running_pid(paths, name)
        try:
            lines = Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]
        except OSError:
            return False
        return any(int(f.split()[1].rsplit(":", 1)[1], 16) == port and f.split()[3] == _LISTEN for f in lines)

    return probe


def _peer_namespaces(ns: str) -> set[str]:
    """Namespaces holding the other end of a veth in ``ns`` (``nsid N (iproute2 netns name: X)``)."""
    out = _run(["ip", "-n", ns, "netns", "list-id"], check=False).stdout
    return {line.rsplit(":", 1)[-1].strip(" )") for line in out.splitlines() if "netns name:" in line}


def _processes_under(directory: Path) -> list[int]:
    """Processes whose command line names a file under ``directory`` (radvd's and dnsmasq's
    configs and PID files live in the lab's state dir: no other lab's process names it)."""
    marker = f"{directory}/"
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            found.append(int(entry.name))
    return found


def _namespaces() -> list[str]:
    out = _run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _namespace_pids(ns: str) -> list[int]:
    out = _run(["ip", "netns", "pids", ns], check=False).stdout
    return [int(p) for p in out.split() if p.isdigit()]


def _kill(pid: int) -> None:
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass


def _ip(*args: str) -> None:
    _run(["ip", *args])


def _run(argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
    return run_command(argv, "the lab needs network namespaces (run as root); `govcloud doctor` checks it", check)
