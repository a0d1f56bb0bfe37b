"""Live usage per project, read from each node's OpenStack APIs with openstacksdk: compute
(cores, RAM, instances), block storage (gigabytes, volumes) and network (networks, ports,
routers, floating IPs) quotas with what is in use. Returns plain data (:class:`NodeUsage`); the
report reads it back from ``cloud-usage.json`` (:mod:`.measurements`).

Projects are named after their department's code (the tenant component names them so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..engine.credentials import cloud_names, find_clouds_yaml
from ..errors import UsageError
from ..model import Province
from .measurements import CLOUD_USAGE_FILE, CloudUsage, NodeUsage, QuotaUse, write_measurement

#: (our quota name, attribute of the compute limits holding the limit, attribute holding the use)
COMPUTE = (("cores", "total_cores", "total_cores_used"), ("ram_mb", "total_ram", "total_ram_used"),
           ("instances", "instances", "instances_used"))
VOLUME = (("gigabytes", "max_total_volume_gigabytes", "total_gigabytes_used"),
          ("volumes", "max_total_volumes", "total_volumes_used"))
NETWORK = ("networks", "subnets", "ports", "routers", "floating_ips", "security_groups")


def project_usage(conn: Any, project_id: str) -> dict[str, QuotaUse]:
    """Every quota of the project ``project_id`` with its use, from one connection to one node:
    three calls, one per service (the cloud layer's helpers would look the project up in each)."""
    usage: dict[str, QuotaUse] = {}
    compute = conn.compute.get_limits(tenant_id=project_id).absolute
    for name, limit, used in COMPUTE:
        usage[name] = _quota(getattr(compute, limit, None), getattr(compute, used, 0))
    volume = conn.block_storage.get_limits(project=project_id).absolute
    for name, limit, used in VOLUME:
        usage[name] = _quota(getattr(volume, limit, None), getattr(volume, used, 0))
    network = conn.network.get_quota(project_id, details=True)
    for name in NETWORK:
        detail = getattr(network, name, None)
        if isinstance(detail, dict):  # details: {"limit": n, "used": n, "reserved": n}
            usage[name] = _quota(detail.get("limit"), detail.get("used", 0))
    return usage


def _quota(limit: Any, used: Any) -> QuotaUse:
    limit = None if limit is None or int(limit) < 0 else int(limit)  # -1: unlimited
    return QuotaUse(limit=limit, used=max(int(used or 0), 0))


def node_usage(conn: Any, projects: Iterable[str]) -> NodeUsage:
    """Usage of every project (by name) on one node; one listing of the node's projects finds them
    all, and a project the node does not have is left out (not deployed there yet: the page shows
    it as not measured)."""
    ids = {project.name: project.id for project in conn.identity.projects()}
    return NodeUsage(projects={name: project_usage(conn, ids[name]) for name in projects if name in ids})


def measure_province(province: Province, connect: Callable[[Any], Any], parallel: int = 8) -> CloudUsage:
    """Usage on every node; ``connect(node)`` opens an openstacksdk connection to it. A node that
    cannot be reached is recorded with its error, so the others are still reported. Nodes are read
    ``parallel`` at a time: each costs a login and a few calls, which add up over 17 nodes."""
    def one(node) -> NodeUsage:
        from openstack import exceptions  # lazy: openstacksdk (about 2 s) only when a cloud is measured

        projects = [d.code for d in province.departments if d.node == node.code]
        try:
            return node_usage(connect(node), projects)
        except (exceptions.SDKException, OSError) as exc:
            return NodeUsage(error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(province.nodes)))) as pool:
        usages = list(pool.map(one, province.nodes))
    return CloudUsage(measured_at=dt.datetime.now(dt.timezone.utc),
                      nodes={node.code: usage for node, usage in zip(province.nodes, usages)})


def connect_node(node, clouds_yaml: Path | None = None) -> Any:
    """A connection to ``node``'s cloud (its entry in clouds.yaml) and region; the clouds.yaml is
    found as the engine finds it (``--clouds-yaml``, ``OS_CLIENT_CONFIG_FILE``, the lab's, or
    openstacksdk's usual places), so the report reads the clouds the stacks were deployed to."""
    import openstack.config  # lazy: openstacksdk (about 2 s) only when a cloud is measured
    import openstack.connection  # lazy: openstacksdk (about 2 s) only when a cloud is measured

    found = find_clouds_yaml(clouds_yaml)
    config = openstack.config.OpenStackConfig(config_files=[str(found)] if found else None, load_envvars=False)
    return openstack.connection.Connection(config=config.get_one(cloud=node.cloud, region_name=node.region))


def check_clouds_yaml(province: Province, clouds_yaml: Path | None) -> None:
    """Bad settings stop the measurement before anything is read or recorded (UsageError, exit 2): a
    clouds.yaml that is not there or not one, or one without a cloud the model's nodes name. A node
    that does not answer is not bad input: it is recorded with its error."""
    found = find_clouds_yaml(clouds_yaml)
    if found is None:
        return  # openstacksdk searches its usual places, as for the engine
    if not found.is_file():
        raise UsageError(f"--clouds-yaml {found}: no such file",
                         fix="give --clouds-yaml (or OS_CLIENT_CONFIG_FILE) the clouds.yaml the stacks were "
                             "deployed with")
    there = set(cloud_names(found))
    missing = {node.code: node.cloud for node in province.nodes if node.cloud not in there}
    if missing:
        named = ", ".join(f"{code} ({cloud})" for code, cloud in missing.items())
        raise UsageError(f"{found} has no entry for the clouds of nodes {named} (clouds there: "
                         f"{', '.join(sorted(there)) or 'none'})",
                         fix="add those clouds to clouds.yaml, or correct the nodes' `cloud` field in the model")


def measure_environment(province: Province, state_folder: Path, clouds_yaml: Path | None = None) -> Path:
    """Measure every node and record the result for the report."""
    check_clouds_yaml(province, clouds_yaml)
    usage = measure_province(province, lambda node: connect_node(node, clouds_yaml))
    return write_measurement(state_folder / CLOUD_USAGE_FILE, usage)
