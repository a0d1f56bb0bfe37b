"""The Ansible inventory of an environment: ``hosts.yml`` and ``group_vars/``, from the model and
the address plan (through the router-level topology). Pure rendering plus one writer.

Groups: ``routers``, ``exits`` (``exits_unified``, ``exits_legacy``), ``dept_hosts``,
``internet_hosts``; ``tier_<tier>``; ``city_<city>`` (every node under a city); ``ipv6_wave_<n>``.
Group names use ``_`` where codes use ``-`` (Ansible group names must be identifiers), and no
group is named like a host: Ansible takes a pattern that names both for the group, and warns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..paths import ANSIBLE_INVENTORY_FILE
from .hostvars import internet_exit_vars, ipv6_extranet_vars
from .topology import NetNode, NodeRole, Topology
from .waves import ipv6_waves

HEADER = "# Rendered by `govcloud inventory render`; do not edit by hand.\n"


def group_name(*parts: str) -> str:
    return "_".join(p.replace("-", "_") for p in parts)


def _host_vars(node: NetNode, core: NetNode | None, ready: dict[str, frozenset[str]]) -> dict[str, Any]:
    data: dict[str, Any] = {"ansible_host": str(node.mgmt.ip), "govcloud_role": node.role.value}
    if node.site:
        data["govcloud_site"] = node.site
    # From the inventory source, where it names them (the lab numbers its nodes and names neither).
    if node.platform:
        data["govcloud_platform"] = node.platform
    if node.credentials_ref:
        data["govcloud_credentials_ref"] = node.credentials_ref
    if node.role in (NodeRole.ROUTER, NodeRole.EXIT):
        data.update(ipv6_extranet_vars(node, core, ready.get(node.name, frozenset())))
    if node.role is NodeRole.EXIT:
        data.update(internet_exit_vars(node))
    if node.slaac_prefix is not None:
        data["govcloud_slaac_prefix"] = str(node.slaac_prefix)
    return data


def inventory_data(topology: Topology) -> dict[str, Any]:
    """hosts.yml as data."""
    role_groups = {NodeRole.ROUTER: "routers", NodeRole.EXIT: "exits", NodeRole.HOST: "dept_hosts",
                   NodeRole.INTERNET: "internet_hosts"}
    children: dict[str, dict[str, Any]] = {}

    def add(group: str, host: str, variables: dict[str, Any] | None = None) -> None:
        children.setdefault(group, {"hosts": {}})["hosts"][host] = variables or None

    routers = topology.by_role(NodeRole.ROUTER)
    core = routers[0] if routers else None
    ready = _ready_peers(topology)
    for node in topology.nodes:
        add(role_groups[node.role], node.name, _host_vars(node, core, ready))
        if node.role is NodeRole.EXIT and node.exit_status is not None:
            add(group_name("exits", node.exit_status.value), node.name)
        if node.tier is not None:
            add(group_name("tier", node.tier.value), node.name)
        if node.city is not None:
            add(group_name("city", node.city), node.name)
    for wave in ipv6_waves(topology):
        for host in wave.hosts:
            add(wave.group, host)
    _refuse_group_named_like_a_host(children, {node.name for node in topology.nodes})
    return {"all": {"children": children}}


def _refuse_group_named_like_a_host(children: dict[str, Any], hosts: set[str]) -> None:
    """A pattern naming both a group and a host selects the group (with a warning), so a play or
    a ``--limit`` meant for the host would reach every member of the group."""
    clashes = sorted(set(children) & hosts)
    if clashes:
        raise InputError(f"the inventory would have a group and a host both named {', '.join(clashes)}",
                         fix="rename the site in the model (its code becomes the host name)")


def _ready_peers(topology: Topology) -> dict[str, frozenset[str]]:
    """For each node, the nodes that run IPv6 once its own wave is done (its wave or earlier)."""
    wave_of = {host: wave.number for wave in ipv6_waves(topology) for host in wave.hosts}
    return {name: frozenset(h for h, n in wave_of.items() if n <= number) for name, number in wave_of.items()}


def group_vars(key_file: Path, known_hosts: Path) -> dict[str, dict[str, Any]]:
    """group_vars files by name: connection settings for every host (paths only, never keys)."""
    return {
        "all": {
            "ansible_user": "root",
            "ansible_python_interpreter": "/usr/bin/python3",
            "ansible_ssh_private_key_file": str(key_file),
            # A host key not in the lab's known_hosts is refused, never accepted.
            "ansible_ssh_common_args": f"-o UserKnownHostsFile={known_hosts} -o StrictHostKeyChecking=yes",
            "ansible_paramiko_host_key_checking": True,
        },
    }


def render_inventory(topology: Topology, key_file: Path, known_hosts: Path) -> dict[str, str]:
    """File contents by path relative to the env folder."""
    files = {ANSIBLE_INVENTORY_FILE: HEADER + yaml.safe_dump(inventory_data(topology), sort_keys=False, width=120)}
    for name, data in group_vars(key_file, known_hosts).items():
        files[f"group_vars/{name}.yml"] = HEADER + yaml.safe_dump(data, sort_keys=False, width=120)
    return files


def stale_inventory(env_path: Path, files: dict[str, str]) -> list[str]:
    """The files (relative paths) of ``files`` that are missing in ``env_path`` or differ there."""
    return [rel for rel, text in files.items()
            if not (env_path / rel).is_file() or (env_path / rel).read_text() != text]


def write_inventory(env_path: Path, files: dict[str, str]) -> list[Path]:
    """Write what differs; returns the paths written (empty: nothing changed)."""
    written = []
    for rel in stale_inventory(env_path, files):
        path = env_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[rel])
        written.append(path)
    return written
