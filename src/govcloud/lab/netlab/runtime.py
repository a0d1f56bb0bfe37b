"""Starting, stopping and inspecting the network lab: one network namespace per node.

Every node is started as ``ip netns exec <ns> unshare --uts -- <init>``: its own hostname, its own
/etc (an overlay), its own /run/frr, sshd on its management address, FRR started by Debian's
frrinit.sh. A bridge in the root namespace reaches every node's management address; the root
namespace never forwards and has no route into the lab.

Names are the lab instance's (:mod:`govcloud.paths`, ``GOVCLOUD_LAB_INSTANCE``): the default lab's
namespaces are ``gc-<node>`` and its bridge ``gcmgmt0``; an instance's start with ``g<NN>``, so the
test suite's lab and a user's lab never touch each other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import LabError
from ...network.topology import NetNode, NodeRole, Topology
from ...paths import NETLAB, current_instance
from ..join import shared_transit_links
from ..processes import namespace_pids, terminate
from .files import etc_files, init_script, legacy_exit_nft, node_passwd, runs_frr, sshd_config
from .mgmt_links import mgmt_bridge, mgmt_links, mgmt_veth, remove_mgmt_links

CONVERGENCE_TIMEOUT_S = 30.0
STOP_ROUNDS = 3  # a supervisor (watchfrr) may restart a daemon it saw die before its own SIGTERM came
STOP_TIMEOUT_S = 2.0

NODE_SYSCTLS = {
    "net.ipv4.icmp_ratelimit": "0",
    "net.ipv6.icmp.ratelimit": "0",
    "net.ipv6.conf.all.accept_dad": "0",
    "net.ipv6.conf.default.accept_dad": "0",
}
ROUTER_SYSCTLS = {"net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1"}


def default_state_dir() -> Path:
    """The current lab instance's state directory (``/var/lib/govcloud/netlab`` for the default lab)."""
    return current_instance().state_dir(NETLAB)


def ns_prefix() -> str:
    return current_instance().prefix("gc-")


def namespace(node: str) -> str:
    return f"{ns_prefix()}{node}"


@dataclass(frozen=True)
class NetlabPaths:
    """Where the lab keeps its state: outside the repository (keys are secrets)."""

    root: Path = field(default_factory=default_state_dir)

    @property
    def client_key(self) -> Path:
        return self.root / "keys" / "id_ed25519"

    @property
    def authorized_keys(self) -> Path:
        return self.root / "keys" / "authorized_keys"

    @property
    def known_hosts(self) -> Path:
        return self.root / "known_hosts"

    @property
    def lab_file(self) -> Path:
        return self.root / "lab.json"

    def host_key(self, node: str) -> Path:
        return self.root / "hostkeys" / f"{node}_ed25519"

    def node_dir(self, node: str) -> Path:
        return self.root / "nodes" / node


def _run(argv: list[str], *, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, input=input, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise LabError(f"{' '.join(argv[:6])}… failed: {result.stderr.strip() or result.stdout.strip()}",
                       fix="run `govcloud netlab down` and then `up` again; check scripts/netlab-install.sh ran")
    return result


def _ip_batch(ns: str | None, commands: list[str]) -> None:
    if commands:
        _run(["ip", *(["-n", ns] if ns else []), "-batch", "-"], input="\n".join(commands) + "\n")


def lab_namespaces() -> list[str]:
    out = _run(["ip", "netns", "list"], check=False).stdout
    prefix = ns_prefix()
    return [line.split()[0] for line in out.splitlines() if line.startswith(prefix)]


def read_lab(paths: NetlabPaths) -> dict | None:
    if not paths.lab_file.is_file():
        return None
    return json.loads(paths.lab_file.read_text())


def _ensure_keys(paths: NetlabPaths, topology: Topology) -> None:
    """Client and host keys are made once and kept, so known_hosts stays valid across ups."""
    for folder in ("keys", "hostkeys"):
        (paths.root / folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(paths.root, 0o700)
    if not paths.client_key.is_file():
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "govcloud-netlab", "-f", str(paths.client_key)])
    paths.authorized_keys.write_text(Path(f"{paths.client_key}.pub").read_text())
    lines = []
    for node in topology.nodes:
        key = paths.host_key(node.name)
        if not key.is_file():
            _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", node.name, "-f", str(key)])
        public = Path(f"{key}.pub").read_text().split()
        lines.append(f"{node.mgmt.ip} {public[0]} {public[1]}")
    paths.known_hosts.write_text("\n".join(lines) + "\n")


def _write_node_files(paths: NetlabPaths, node: NetNode) -> Path:
    node_dir = paths.node_dir(node.name)
    if node_dir.exists():
        shutil.rmtree(node_dir)
    for sub in ("etc/frr", "work", "run-frr", "log-frr", "tmp-frr", "root"):
        (node_dir / sub).mkdir(parents=True)
    (node_dir / "root").chmod(0o700)
    for rel, text in etc_files(node).items():
        (node_dir / "etc" / rel).write_text(text)
    (node_dir / "etc" / "passwd").write_text(node_passwd(Path("/etc/passwd").read_text(), node_dir / "root"))
    if runs_frr(node):
        for sub in ("etc/frr", "run-frr", "log-frr", "tmp-frr"):
            shutil.chown(node_dir / sub, "frr", "frr")
        for conf in (node_dir / "etc/frr").iterdir():
            shutil.chown(conf, "frr", "frr")
            conf.chmod(0o640)
    sshd_conf = node_dir / "sshd_config"
    sshd_conf.write_text(sshd_config(node, node_dir, paths.host_key(node.name), paths.authorized_keys))
    (node_dir / "init.sh").write_text(init_script(node, node_dir, sshd_conf))
    return node_dir


def _links(topology: Topology) -> tuple[dict[str, list[str]], list[str]]:
    """ip batch commands per namespace (links, addresses, routes) and the root's commands."""
    per_ns: dict[str, list[str]] = {namespace(n.name): ["link set lo up"] for n in topology.nodes}
    bridge = mgmt_bridge()
    root = [f"link add {bridge} type bridge", f"addr add {topology.mgmt_gateway}/{topology.mgmt_network.prefixlen} "
            f"dev {bridge}", f"link set {bridge} up"]
    for index, node in enumerate(topology.nodes):
        ns, veth = namespace(node.name), mgmt_veth(index)
        root += [f"link add {veth} type veth peer name mgmt0 netns {ns}", f"link set {veth} master {bridge}",
                 f"link set {veth} up"]
        per_ns[ns] += [f"addr add {node.mgmt} dev mgmt0", "link set mgmt0 up"]
    shared = {(n.name, name) for n in topology.nodes for name in shared_transit_links(n)}
    for wire in topology.wires:
        if (wire.a, wire.a_ifname) in shared:
            # The router's end is a bridge: `lab join` plugs the node's transit into it (see ..join).
            port = f"{wire.a_ifname}p"
            per_ns[namespace(wire.a)] += [
                f"link add {wire.a_ifname} type bridge mcast_snooping 0",
                f"link add {port} type veth peer name {wire.b_ifname} netns {namespace(wire.b)}",
                f"link set {port} master {wire.a_ifname}", f"link set {port} up"]
            continue
        per_ns[namespace(wire.a)].append(
            f"link add {wire.a_ifname} type veth peer name {wire.b_ifname} netns {namespace(wire.b)}")
    for node in topology.nodes:
        ns = namespace(node.name)
        for iface in node.interfaces:
            if iface.stub:
                per_ns[ns].append(f"link add {iface.name} type bridge")
        for iface in node.interfaces:
            if iface.ipv4 is not None:
                per_ns[ns].append(f"addr add {iface.ipv4} dev {iface.name}")
            if node.role is NodeRole.INTERNET and iface.ipv6 is not None:
                per_ns[ns].append(f"addr add {iface.ipv6} dev {iface.name}")
            if iface.name != "lo":
                per_ns[ns].append(f"link set {iface.name} up")
    return per_ns, root


def _routes(topology: Topology) -> dict[str, list[str]]:
    routes: dict[str, list[str]] = {}
    for node in topology.nodes:
        cmds = [f"route add {r.prefix} via {r.via}" for r in node.routes]
        if node.role is NodeRole.EXIT and node.exit_status is not None and node.exit_status.value == "legacy":
            cmds.append(f"route add default via {node.isp_v4}")
        routes[namespace(node.name)] = cmds
    return routes


def _sysctl(node: NetNode) -> None:
    values = dict(NODE_SYSCTLS)
    if node.role is not NodeRole.HOST:
        values.update(ROUTER_SYSCTLS)
    else:
        values.update({"net.ipv6.conf.all.accept_ra": "2", "net.ipv6.conf.lan0.accept_ra": "2"})
    _run(["ip", "netns", "exec", namespace(node.name), "sysctl", "-q", "-w",
          *(f"{k}={v}" for k, v in values.items())])


def up(topology: Topology, paths: NetlabPaths | None = None) -> dict:
    """Build the lab; a second ``up`` of a healthy lab changes nothing. Returns a summary."""
    paths = paths or NetlabPaths()
    started = time.monotonic()
    current = read_lab(paths)
    if current is not None and current["env"] != topology.env:
        raise LabError(f"the network lab of env {current['env']!r} is up",
                       fix=f"run `govcloud netlab down` before bringing up env {topology.env!r}")
    if current is not None:
        health = status(paths)
        if health["healthy"]:
            return {"env": topology.env, "changed": False, "seconds": round(time.monotonic() - started, 2),
                    "nodes": len(topology.nodes)}
        down(paths)
    elif lab_namespaces() or mgmt_links():  # leftovers of a lab whose down did not finish
        down(paths)
    paths.root.mkdir(parents=True, exist_ok=True)
    _ensure_keys(paths, topology)
    paths.lab_file.write_text(json.dumps({"env": topology.env, "nodes": [
        {"name": n.name, "role": n.role.value, "mgmt": str(n.mgmt.ip), "site": n.site} for n in topology.nodes]},
        indent=2))
    _ip_batch(None, [f"netns add {namespace(n.name)}" for n in topology.nodes])
    per_ns, root = _links(topology)
    _ip_batch(None, root)
    for ns, cmds in per_ns.items():
        _ip_batch(ns, cmds)
    for node in topology.nodes:
        _sysctl(node)
    for ns, cmds in _routes(topology).items():
        _ip_batch(ns, cmds)
    for node in topology.nodes:
        if node.role is NodeRole.EXIT and node.exit_status is not None and node.exit_status.value == "legacy":
            _run(["ip", "netns", "exec", namespace(node.name), "nft", "-f", "-"], input=legacy_exit_nft(node))
    procs = []
    for node in topology.nodes:
        node_dir = _write_node_files(paths, node)
        procs.append((node, subprocess.Popen(
            ["ip", "netns", "exec", namespace(node.name), "unshare", "--uts", "--", "sh", str(node_dir / "init.sh")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)))
    for node, proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise LabError(f"node {node.name} failed to start: {err.strip()}",
                           fix="run scripts/netlab-install.sh, then `govcloud netlab down` and `up`")
    wait_converged(topology)
    return {"env": topology.env, "changed": True, "seconds": round(time.monotonic() - started, 2),
            "nodes": len(topology.nodes)}


def wait_converged(topology: Topology, timeout_s: float = CONVERGENCE_TIMEOUT_S) -> None:
    """Wait until the core has an OSPF route to every router's loopback and, while legacy exits are
    in service, every router has learned a default route."""
    routers = topology.by_role(NodeRole.ROUTER)
    if len(routers) < 2:
        return
    core = routers[0]
    wanted = {str(r.router_id) for r in routers[1:]}
    needs_default = any(n.exit_status is not None and n.exit_status.value == "legacy"
                        for n in topology.by_role(NodeRole.EXIT))
    deadline = time.monotonic() + timeout_s
    while True:
        out = _run(["ip", "-n", namespace(core.name), "-4", "route", "show", "proto", "ospf"], check=False).stdout
        missing = wanted - {line.split()[0] for line in out.splitlines()}
        if not missing and needs_default:
            missing = {r.name for r in routers if not _run(["ip", "-n", namespace(r.name), "-4", "route", "show",
                                                            "default"], check=False).stdout.strip()}
        if not missing:
            return
        if time.monotonic() > deadline:
            raise LabError(f"OSPF did not converge in {timeout_s:.0f} s: still missing {sorted(missing)[:5]}",
                           fix="look at /var/log/frr/frr.log in the node's state dir (nodes/<name>/log-frr)")
        time.sleep(0.2)


def down(paths: NetlabPaths | None = None) -> dict:
    """Stop every process in the lab's namespaces, delete them and the management interfaces;
    return when all are gone, so an ``up`` right after starts clean. A second ``down`` does nothing."""
    paths = paths or NetlabPaths()
    started = time.monotonic()
    spaces = lab_namespaces()
    _stop_processes(spaces)
    if spaces:
        _ip_batch(None, [f"netns del {ns}" for ns in spaces])
    links = remove_mgmt_links()  # the kernel deletes them later, or never while a namespace is held
    if (paths.root / "nodes").exists():
        shutil.rmtree(paths.root / "nodes")
    lab = read_lab(paths)
    paths.lab_file.unlink(missing_ok=True)
    return {"env": lab["env"] if lab else None, "changed": bool(spaces or lab or links),
            "seconds": round(time.monotonic() - started, 2), "namespaces": len(spaces)}


def _stop_processes(spaces: list[str]) -> None:
    """Stop every process in the namespaces, looking again after each round for any started since."""
    for _ in range(STOP_ROUNDS):
        pids = [pid for ns in spaces for pid in namespace_pids(ns)]
        if not pids:
            return
        terminate(pids, STOP_TIMEOUT_S)
    left = {ns: namespace_pids(ns) for ns in spaces}
    if any(left.values()):
        raise LabError(f"processes still run in the network lab after {STOP_ROUNDS} rounds of SIGTERM and SIGKILL: "
                       + "; ".join(f"{ns}: {pids}" for ns, pids in left.items() if pids),
                       fix="see what they are (`ps -p <pid>`), stop them, then `govcloud netlab down` again")


def _daemons(ns: str) -> set[str]:
    names = set()
    for pid in namespace_pids(ns):
        try:
            names.add(Path(f"/proc/{pid}/comm").read_text().strip())
        except FileNotFoundError:
            continue
    return names


def status(paths: NetlabPaths | None = None) -> dict:
    """What runs where: one entry per node, and whether the whole lab is healthy."""
    paths = paths or NetlabPaths()
    lab = read_lab(paths)
    spaces = set(lab_namespaces())
    if lab is None:
        return {"env": None, "up": False, "healthy": not spaces, "stray_namespaces": sorted(spaces), "nodes": []}
    nodes = []
    for entry in lab["nodes"]:
        ns = namespace(entry["name"])
        daemons = _daemons(ns) if ns in spaces else set()
        needs_frr = entry["role"] in ("router", "exit")
        ok = ns in spaces and "sshd" in daemons and (not needs_frr or {"zebra", "ospfd", "ospf6d"} <= daemons)
        nodes.append({**entry, "namespace": ns, "present": ns in spaces, "sshd": "sshd" in daemons,
                      "frr": sorted(d for d in daemons if d in {"zebra", "ospfd", "ospf6d", "staticd", "watchfrr"}),
                      "ok": ok})
    return {"env": lab["env"], "up": True, "healthy": all(n["ok"] for n in nodes), "nodes": nodes}


def node_pid(node: str) -> int:
    """A process of the node (its sshd) whose mount and UTS namespaces are the node's own."""
    for pid in _run(["ip", "netns", "pids", namespace(node)], check=False).stdout.split():
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "sshd":
                return int(pid)
        except FileNotFoundError:
            continue
    raise LabError(f"node {node} has no sshd running", fix="run `govcloud netlab up`")


def node_exec(node: str, argv: list[str], *, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run a command as the node sees the world (its /etc, /run/frr, hostname and network)."""
    result = subprocess.run(["nsenter", "-t", str(node_pid(node)), "-m", "-u", "-n", *argv],
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise LabError(f"{node}: {' '.join(argv)} failed: {result.stderr.strip()}", fix="look at the node's state")
    return result
