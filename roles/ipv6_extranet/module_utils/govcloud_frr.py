"""What the role's modules share on the node: commands that fail with a readable message, files
replaced atomically after validation, and FRR's and nftables' state.

The role does each phase (precheck, deploy, verify, rollback) in one module call instead of a task
per command: every task costs the node a Python start and an SSH round trip, and a wave is as
slow as the sum of them over its routers (bench/network_wave.py measures it)."""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import tempfile


# Arguments every module that writes FRR's and the filter's files takes (paths, owner).
FILES_ARGUMENT_SPEC = {
    "backup_dir": {"type": "path", "required": True},
    "frr_conf": {"type": "path", "required": True},
    "frr_reload": {"type": "path", "required": True},
    "filter_path": {"type": "path", "required": True},
    "filter_table": {"type": "str", "required": True},
    "owner": {"type": "str", "default": "frr"},
    "group": {"type": "str", "default": "frr"},
}


class NodeError(Exception):
    """A step on the node failed; the message says what and what the node answered."""


def run(module, argv, check=True):
    rc, out, err = module.run_command(argv)
    if check and rc != 0:
        answer = (err or out or "").strip().splitlines()
        raise NodeError(f"`{' '.join(argv)}` failed (rc {rc}): {' | '.join(answer[-3:])[:400]}")
    return rc, out


def read_text(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def replace_file(module, path, content, mode, owner=None, group=None, validate=None):
    """Write ``content`` to ``path`` through a validated temporary file in the same directory, so
    the file is either the old one or the new one, never half written nor invalid."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, mode=0o755, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".govcloud-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(content)
        os.chmod(temporary, mode)
        if owner or group:
            os.chown(temporary, pwd.getpwnam(owner).pw_uid if owner else -1,
                     grp.getgrnam(group).gr_gid if group else -1)
        if validate:
            run(module, [*validate, temporary])
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def full_neighbors(module, ipv6):
    """OSPF neighbours in state Full. OSPFv2 reports a mapping of router id to a list of records
    whose state reads "Full/-" (state/DR role), OSPFv3 a list whose state reads "Full"."""
    command = "show ipv6 ospf6 neighbor json" if ipv6 else "show ip ospf neighbor json"
    _, out = run(module, ["vtysh", "-c", command])
    neighbors = json.loads(out or "{}").get("neighbors", [])
    records = neighbors if isinstance(neighbors, list) else [n for group in neighbors.values() for n in group]
    return [n for n in records if str(n.get("state", "")).split("/")[0] == "Full"]


def route_usable(module, family, address):
    rc, out = run(module, ["ip", family, "route", "get", address], check=False)
    return rc == 0 and "unreachable" not in out and "prohibit" not in out


def frr_reload(module, tool, conf):
    run(module, [tool, "--reload", conf])


def nft_table_loaded(module, family, table):
    rc, _ = run(module, ["nft", "list", "table", family, table], check=False)
    return rc == 0


def precheck(module, core_ipv4):
    """IPv4 routing has converged: an OSPFv2 neighbour in state Full, and a route to the core."""
    if not full_neighbors(module, ipv6=False):
        raise NodeError("no OSPFv2 neighbour in state Full; fix IPv4 routing before the IPv6 rollout")
    if core_ipv4 and not route_usable(module, "-4", core_ipv4):
        raise NodeError(f"no IPv4 route to the province core {core_ipv4}; fix IPv4 routing first")


def back_up(module, folder, frr_conf, filter_path, owner, group):
    """The running configuration, frr.conf and the IPv6 filter (or the fact there is none)."""
    os.makedirs(folder, mode=0o750, exist_ok=True)
    shutil.chown(folder, owner, group)
    _, running = run(module, ["vtysh", "-c", "show running-config"])
    with open(os.path.join(folder, "running.conf"), "w", encoding="utf-8") as out:
        out.write(running)
    shutil.copy2(frr_conf, os.path.join(folder, "frr.conf"))
    saved_filter = os.path.join(folder, "ipv6-filter.nft")
    if os.path.exists(filter_path):
        shutil.copy2(filter_path, saved_filter)
    elif os.path.exists(saved_filter):
        os.unlink(saved_filter)  # the backup says: this node had no IPv6 filter


def bgp_state(module, address):
    """A BGP neighbour's state as FRR names it (Established, Active, Connect …); "unknown" when
    FRR has no such neighbour (the configuration did not load)."""
    _, out = run(module, ["vtysh", "-c", f"show bgp neighbors {address} json"])
    record = json.loads(out or "{}").get(address) or {}
    return record.get("bgpState", "unknown")


def bgp_accepted(module, family, address):
    """The prefixes FRR accepted from a neighbour (after its inbound route-map), as text."""
    afi = "ipv4" if family == "v4" else "ipv6"
    _, out = run(module, ["vtysh", "-c", f"show bgp {afi} unicast neighbors {address} routes json"])
    return sorted(json.loads(out or "{}").get("routes", {}))
