"""Where the engine keeps its state and its passphrase, and how a run is configured.

State: a local ``file://`` backend under ``<state root>/pulumi`` (``<project>/.state``, or ``$GOVCLOUD_STATE_DIR``) unless the user gives a
backend URL. Secrets: the passphrase provider, with a passphrase generated once into a file
outside the repository (``$GOVCLOUD_PASSPHRASE_FILE`` or ``~/.config/govcloud/pulumi-passphrase``,
mode 0600) and handed to the engine as ``PULUMI_CONFIG_PASSPHRASE_FILE``: never printed, never on a
command line, never in the repository.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineError, UsageError
from ..paths import (config_root, engine_cleanup_dir, engine_journal_dir, engine_runs_dir, engine_salts_dir,
                     log_dir, pulumi_state_dir)
from .lease import lease_store


@dataclass(frozen=True)
class EngineSettings:
    """One run of the engine: the project, the backend, the passphrase, the cloud to log in to."""

    project_root: Path
    backend_url: str | None = None  # None: file:// under the state root (.state)/pulumi
    lock_url: str | None = None  # None: the leases live inside a file:// backend (see lease.py)
    passphrase_file: Path | None = None  # None: default_passphrase_file()
    cloud: str | None = None  # None: each node's cloud from the model
    region: str | None = None  # None: each node's region from the model
    clouds_yaml: Path | None = None  # None: OS_CLIENT_CONFIG_FILE, the lab's, or openstacksdk's search
    parallel: int | None = None
    log_dir: Path | None = None
    policy_packs: tuple[Path, ...] = ()  # CrossGuard packs run on preview and up
    jobs: int | None = None  # city stacks at once after the province (None: one at a time)
    changed_only: bool = False  # --changed: target what differs from the state, plus dependents
    adopt: bool = False  # up over an empty state: import the stack's existing objects (see adoption.py)
    # up/destroy/refresh without per-step checkpoints (see checkpoints.py); None: a stack's first up skips them
    skip_checkpoints: bool | None = None

    @property
    def state_dir(self) -> Path:
        return pulumi_state_dir(self.project_root)

    @property
    def runs_dir(self) -> Path:
        return engine_runs_dir(self.project_root)

    @property
    def cleanup_dir(self) -> Path:
        return engine_cleanup_dir(self.project_root)

    @property
    def salts_dir(self) -> Path:
        return engine_salts_dir(self.project_root)

    @property
    def journal_dir(self) -> Path:
        return engine_journal_dir(self.project_root)

    @property
    def logs(self) -> Path:
        return self.log_dir or log_dir(self.project_root)

    def backend(self) -> str:
        if self.backend_url:
            if "://" not in self.backend_url:
                raise UsageError(f"--backend {self.backend_url!r} is not a URL",
                                 fix="give a URL such as file:///path/to/state or s3://bucket")
            return self.backend_url
        return self.state_dir.absolute().as_uri()

    def leases(self):
        """Where the stacks' leases live (:mod:`.lease`); UsageError for a backend without one."""
        return lease_store(self.backend(), self.lock_url)


def default_passphrase_file(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("GOVCLOUD_PASSPHRASE_FILE"):
        return Path(env["GOVCLOUD_PASSPHRASE_FILE"])
    return config_root(env) / "pulumi-passphrase"


def ensure_passphrase_file(path: Path) -> Path:
    """Create the passphrase file once (random, mode 0600); refuse one others can read."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise EngineError(f"the passphrase file {path} is readable by others (mode {mode:o})",
                          fix=f"chmod 600 {path}")
    return path
