"""Database schemas on a cold start: every service's db_sync, run side by side.

Each service has a chain of ``*-manage`` commands that must run in order; the chains are
independent, so they run in parallel (about 20 s in all, against over a minute one by one).
Every command is safe to repeat, so an interrupted cold start can simply run again.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from govcloud.errors import LabError
from govcloud.lab.openstack.config import ML2_CONF
from govcloud.lab.openstack.statedir import OpenStackLabPaths
from govcloud.lab.openstack.supervisor import clean_env, tail

PYTHON = "/usr/bin/python3"


@dataclass(frozen=True)
class SchemaCommand:
    """One command of a chain; ``ok_codes`` lists exit codes that mean "already done"."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    ok_codes: tuple[int, ...] = (0,)


def sync_chains(paths: OpenStackLabPaths) -> dict[str, tuple[SchemaCommand, ...]]:
    """The schema commands of every service, as ``{service: ordered steps}``."""
    etc = paths.etc
    nova = ("--config-file", str(etc / "nova" / "nova.conf"))
    keystone = ("--config-file", str(etc / "keystone.conf"))
    owner = ("--keystone-user", "root", "--keystone-group", "root")
    return {
        "keystone": (
            SchemaCommand((PYTHON, "/usr/bin/keystone-manage", *keystone, "db_sync")),
            SchemaCommand((PYTHON, "/usr/bin/keystone-manage", *keystone, "fernet_setup", *owner)),
            SchemaCommand((PYTHON, "/usr/bin/keystone-manage", *keystone, "credential_setup", *owner)),
        ),
        "glance": (SchemaCommand((PYTHON, "/usr/bin/glance-manage", "--config-file", str(etc / "glance-api.conf"), "db_sync")),),
        "neutron": (
            SchemaCommand(
                (
                    PYTHON,
                    "/usr/bin/neutron-db-manage",
                    "--config-file",
                    str(etc / "neutron" / "neutron.conf"),
                    "--config-file",
                    str(etc / "neutron" / ML2_CONF),
                    "upgrade",
                    "heads",
                )
            ),
        ),
        "placement": (
            SchemaCommand((PYTHON, "/usr/bin/placement-manage", "--config-file", str(etc / "placement" / "placement.conf"), "db", "sync")),
        ),
        "nova": (
            SchemaCommand((PYTHON, "/usr/bin/nova-manage", *nova, "api_db", "sync")),
            # cell0's URL is derived from [database] connection (nova -> nova_cell0): no password in argv.
            SchemaCommand((PYTHON, "/usr/bin/nova-manage", *nova, "cell_v2", "map_cell0")),
            # Exit code 2: the cell exists already (an earlier, interrupted cold start).
            SchemaCommand((PYTHON, "/usr/bin/nova-manage", *nova, "cell_v2", "create_cell", "--name", "cell1"), ok_codes=(0, 2)),
            SchemaCommand((PYTHON, "/usr/bin/nova-manage", *nova, "db", "sync")),
        ),
        "cinder": (SchemaCommand((PYTHON, "/usr/bin/cinder-manage", "--config-file", str(etc / "cinder.conf"), "db", "sync")),),
    }


def sync_all(paths: OpenStackLabPaths) -> None:
    """Run every chain in parallel; raise LabError naming the first chain that failed."""
    chains = sync_chains(paths)
    with ThreadPoolExecutor(max_workers=len(chains)) as pool:
        futures = {name: pool.submit(_run_chain, paths, name, steps) for name, steps in chains.items()}
        for future in futures.values():
            future.result()


def keystone_bootstrap(paths: OpenStackLabPaths, admin_password: str, region: str, keystone_url: str) -> None:
    """Create the admin user, project and role, the identity service and the first region."""
    argv = (
        PYTHON,
        "/usr/bin/keystone-manage",
        "--config-file",
        str(paths.etc / "keystone.conf"),
        "bootstrap",
        "--bootstrap-username",
        "admin",
        "--bootstrap-project-name",
        "admin",
        "--bootstrap-role-name",
        "admin",
        "--bootstrap-service-name",
        "keystone",
        "--bootstrap-region-id",
        region,
        "--bootstrap-admin-url",
        keystone_url,
        "--bootstrap-internal-url",
        keystone_url,
        "--bootstrap-public-url",
        keystone_url,
    )
    # The password goes through the environment, never the command line (ps would show it).
    _run_chain(paths, "keystone-bootstrap", (SchemaCommand(argv, env=(("OS_BOOTSTRAP_PASSWORD", admin_password),)),))


def _run_chain(paths: OpenStackLabPaths, name: str, steps: tuple[SchemaCommand, ...]) -> None:
    log = paths.log_file(f"db-sync-{name}")
    for step in steps:
        with log.open("a") as handle:
            handle.write(f"\n=== {' '.join(step.argv[1:3])} ...\n")
            handle.flush()
            try:
                done = subprocess.run(
                    step.argv,
                    env=clean_env(dict(step.env)),
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    cwd=paths.root,
                    timeout=600,
                )
            except FileNotFoundError as exc:
                raise LabError(f"{step.argv[0]} is missing", fix="run scripts/openstack-lab-install.sh") from exc
        if done.returncode not in step.ok_codes:
            raise LabError(
                f"schema step for {name} failed (exit {done.returncode}): {' '.join(step.argv[1:2] + step.argv[-2:])}\n"
                + tail(log),
                fix=f"read {log}; then run lab_up again (schema steps are safe to repeat)",
            )
