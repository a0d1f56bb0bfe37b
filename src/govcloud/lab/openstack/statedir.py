"""The lab's private state directory: where configs, data, logs, PIDs and secrets live.

The directory is stable (``$GOVCLOUD_LAB_DIR``, or the lab instance's ``openstack-lab`` directory:
``/var/lib/govcloud/openstack-lab`` for the default lab, see :mod:`govcloud.paths`) and kept
between runs so a second start is warm: databases, keys and images survive ``lab_down``.
Only ``lab_down(purge=True)`` removes it.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from govcloud.lab.openstack.ports import LabPorts
from govcloud.paths import CLOUDS_FILE, DEFAULT_INSTANCE, OPENSTACK_LAB, LabInstance, current_instance, openstack_lab_dir

# Every account the lab creates a password for: MariaDB users double as keystone service users.
ACCOUNTS = ("admin", "tenant", "rabbit", "keystone", "nova", "neutron", "glance", "cinder", "placement")

# Markers recording which one-time steps are done, so a warm start skips them.
BOOTSTRAPPED = "bootstrap.done"
SEEDED = "seed.fingerprint"
TENANTS = "tenants.json"


def lab_paths_from_env() -> OpenStackLabPaths:
    """The paths and ports the API uses: the lab instance's (``$GOVCLOUD_LAB_INSTANCE``), with its
    state directory overridden by ``$GOVCLOUD_LAB_DIR`` when that is set.

    Read here (at the edge, by the API) and passed down; nothing below reads the environment.
    """
    return lab_paths(current_instance(), openstack_lab_dir())


def lab_paths(instance: LabInstance, state_dir: str | Path | None = None) -> OpenStackLabPaths:
    return OpenStackLabPaths(Path(state_dir) if state_dir else instance.state_dir(OPENSTACK_LAB),
                             LabPorts(instance.port_offset), instance)


@dataclass(frozen=True)
class OpenStackLabPaths:
    """Named paths inside the state directory, and the ports of the lab that keeps it."""

    root: Path
    ports: LabPorts = field(default_factory=LabPorts)
    instance: LabInstance = DEFAULT_INSTANCE

    @property
    def dataplane_namespace(self) -> str:
        """The network namespace of the lab's Neutron agents (see :mod:`.dataplane`)."""
        return self.instance.prefix("gcos")

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def deployment(self) -> Path:
        """The state of what is deployed into this lab (``GOVCLOUD_STATE_DIR`` of `make demo`): kept
        with the cloud it describes, so every checkout on the machine sees the same deployment, and
        `lab down --purge` removes the two together."""
        return self.root / "deployment"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def log(self) -> Path:
        return self.root / "log"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def mysql_datadir(self) -> Path:
        return self.data / "mysql"

    @property
    def mysql_socket(self) -> Path:
        return self.run / "mysqld.sock"

    @property
    def rabbit_dir(self) -> Path:
        return self.data / "rabbitmq"

    @property
    def secrets_file(self) -> Path:
        return self.root / "secrets.json"

    @property
    def clouds_yaml(self) -> Path:
        return self.root / CLOUDS_FILE

    def marker(self, name: str) -> Path:
        return self.root / name

    @property
    def pids(self) -> Path:
        """Our PID files, apart from the ones daemons write themselves (mysqld.pid)."""
        return self.run / "pids"

    def pid_file(self, service: str) -> Path:
        return self.pids / f"{service}.pid"

    def log_file(self, service: str) -> Path:
        return self.log / f"{service}.log"

    def create(self) -> None:
        """Create the tree; the root is 0700 because configs under it hold passwords."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        for path in (self.etc, self.run, self.pids, self.log, self.data):
            path.mkdir(exist_ok=True)


def load_or_create_secrets(paths: OpenStackLabPaths) -> dict[str, str]:
    """Passwords for every lab account, generated once and kept in a 0600 file.

    Missing accounts (a newer version of this module) are added without changing existing
    ones, because the databases and keystone already hold the old passwords.
    """
    stored: dict[str, str] = {}
    if paths.secrets_file.exists():
        stored = json.loads(paths.secrets_file.read_text())
    missing = [name for name in ACCOUNTS if name not in stored]
    if missing:
        # Hex only: the passwords land in URLs, INI and SQL without quoting.
        stored.update({name: secrets.token_hex(16) for name in missing})
        _write_private(paths.secrets_file, json.dumps(stored, indent=2, sort_keys=True) + "\n")
    return stored


def write_if_changed(path: Path, text: str, mode: int = 0o600) -> bool:
    """Write ``text`` only when it differs, so an unchanged lab touches no file. Returns True if written."""
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_private(path, text, mode)
    return True


def _write_private(path: Path, text: str, mode: int = 0o600) -> None:
    # Create with the final mode so the content is never readable by others, not even briefly.
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
