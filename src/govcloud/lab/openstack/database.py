"""The lab's private MariaDB: data directory, databases and users, and the SQL the lab needs.

One MariaDB (not SQLite: Neutron's migrations need ALTER of constraints) holds every service's
database. It listens on a Unix socket in the state dir; root logs in through socket auth, so
no root password exists. Queries run through the ``mariadb`` client: Debian's PyMySQL lives in
the system Python, not in the project's virtualenv.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterable

from govcloud.errors import LabError
from govcloud.lab.openstack.config import PHYSNET
from govcloud.lab.openstack.statedir import OpenStackLabPaths
from govcloud.lab.openstack.supervisor import clean_env

# database -> the account that owns it (nova owns its API database, cell0 and cell1 (named nova)).
DATABASES = {
    "keystone": "keystone",
    "glance": "glance",
    "neutron": "neutron",
    "placement": "placement",
    "cinder": "cinder",
    "nova_api": "nova",
    "nova_cell0": "nova",
    "nova": "nova",  # cell1; nova-manage derives cell0's name from it
}

# A heartbeat this far in the future keeps the fake agents "alive" for ML2 port binding.
_FAR_FUTURE = "2099-01-01 00:00:00"

# What ML2's openvswitch driver reads from an agent to bind flat (physnet) and vxlan ports.
_OVS_AGENT_CONFIG = {
    "bridge_mappings": {PHYSNET: "br-ex"},
    "tunnel_types": ["vxlan"],
    "integration_bridge": "br-int",
    "datapath_type": "system",
    "ovs_hybrid_plug": False,
    "l2_population": False,
    "enable_distributed_routing": False,
    "ovs_capabilities": {"datapath_types": ["system"], "iface_types": ["internal", "vxlan"]},
}


def mariadbd_argv(paths: OpenStackLabPaths) -> tuple[str, ...]:
    return ("/usr/sbin/mariadbd", f"--defaults-file={paths.etc / 'my.cnf'}")


def datadir_initialised(paths: OpenStackLabPaths) -> bool:
    return (paths.mysql_datadir / "mysql").is_dir()


def init_datadir(paths: OpenStackLabPaths) -> None:
    """Create the system tables of a fresh data directory (cold start only)."""
    paths.mysql_datadir.mkdir(parents=True, exist_ok=True)
    (paths.data / "mysql-tmp").mkdir(exist_ok=True)
    _run(
        [
            "/usr/bin/mariadb-install-db",
            f"--defaults-file={paths.etc / 'my.cnf'}",
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
            "--user=root",
        ],
        what="mariadb-install-db",
    )


def create_databases(paths: OpenStackLabPaths, secrets: dict[str, str]) -> None:
    """Create every database and its account; safe to repeat (passwords are re-asserted)."""
    statements = []
    for database, user in DATABASES.items():
        statements.append(f"CREATE DATABASE IF NOT EXISTS {database} CHARACTER SET utf8mb4")
        statements.append(f"CREATE USER IF NOT EXISTS '{user}'@'localhost'")
        statements.append(f"ALTER USER '{user}'@'localhost' IDENTIFIED BY '{secrets[user]}'")
        statements.append(f"GRANT ALL PRIVILEGES ON {database}.* TO '{user}'@'localhost'")
    sql(paths, statements)


def sql(paths: OpenStackLabPaths, statements: Iterable[str]) -> list[list[str]]:
    """Run statements as root over the socket; return the rows of the output (tab-separated)."""
    script = ";\n".join(statements) + ";\n"
    out = _run(
        ["/usr/bin/mariadb", f"--defaults-file={paths.etc / 'my.cnf'}", "--batch", "--skip-column-names"],
        what="mariadb",
        stdin=script,
    )
    return [line.split("\t") for line in out.splitlines() if line]


def heartbeats(paths: OpenStackLabPaths) -> dict[tuple[str, str], float]:
    """Last report of each Nova and Cinder RPC service as ``{(binary, host): unix time}``.

    RPC services have no API of their own; they answer when their heartbeat row is fresh.
    """
    # updated_at is naive UTC; the session time zone makes UNIX_TIMESTAMP read it as such.
    query = (
        "SELECT `binary`, host, UNIX_TIMESTAMP(COALESCE(updated_at, created_at)) FROM {db}.services "
        "WHERE deleted = 0"
    )
    rows = sql(paths, ["SET time_zone = '+00:00'", query.format(db="nova"), query.format(db="cinder")])
    return {(row[0], row[1]): float(row[2]) for row in rows if len(row) == 3 and row[2] != "NULL"}


def mapped_compute_hosts(paths: OpenStackLabPaths) -> set[str]:
    """Compute hosts the scheduler has mapped into a cell (only those can receive servers)."""
    return {row[0] for row in sql(paths, ["SELECT host FROM nova_api.host_mappings"]) if row}


def ensure_fake_ovs_agents(paths: OpenStackLabPaths, hosts: Iterable[str]) -> None:
    """Give each compute host an "Open vSwitch agent" row so ML2 binds its ports (vif_type=ovs).

    There is no real agent (no data plane): without these rows Nova fails with PortBindingFailed.
    """
    configurations = json.dumps(_OVS_AGENT_CONFIG)
    statements = []
    for host in hosts:
        statements.append(
            "INSERT INTO neutron.agents (id, agent_type, `binary`, topic, host, admin_state_up, created_at, "
            "started_at, heartbeat_timestamp, description, configurations, `load`) "
            f"SELECT '{uuid.uuid4()}', 'Open vSwitch agent', 'neutron-openvswitch-agent', 'N/A', '{host}', 1, "
            f"UTC_TIMESTAMP(), UTC_TIMESTAMP(), '{_FAR_FUTURE}', 'govcloud lab: fake agent', '{configurations}', 0 "
            "FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM neutron.agents "
            f"WHERE agent_type = 'Open vSwitch agent' AND host = '{host}')"
        )
    if statements:
        sql(paths, statements)


def _run(argv: list[str], *, what: str, stdin: str | None = None) -> str:
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=clean_env(), timeout=120)
    except FileNotFoundError as exc:
        raise LabError(f"{argv[0]} is missing", fix="run scripts/openstack-lab-install.sh") from exc
    if done.returncode != 0:
        raise LabError(
            f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}",
            fix="read the message above; if MariaDB is not running, run lab_up again",
        )
    return done.stdout
