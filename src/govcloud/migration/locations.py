"""Where an environment's migration lives: its wave files and its state (run progress, seals).

An environment of the project (``inventories/<env>`` of the project root) keeps its waves in
``migrations/<env>/`` and its state in ``.state/<env>/`` (or ``$GOVCLOUD_STATE_DIR/<env>/``). An environment given by the
path of a folder elsewhere (a copy, another checkout) keeps everything beside it, inside its own
folder: ``<env>/migrations/`` and ``<env>/.state/``; ``--migrations`` names another wave folder.
Nothing is ever written into the project's own ``migrations/`` for an environment that is not the
project's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Environment
from ..paths import env_state_dir, migrations_dir


@dataclass(frozen=True)
class MigrationFolders:
    plans: Path
    """The wave files (``NNNN-slug.yaml``)."""
    state: Path
    """The run state (``migration-run.json``), sealed snapshots and the other state files."""


def migration_folders(environment: Environment, project_root: Path, migrations: Path | None = None) -> MigrationFolders:
    """The folders of ``environment``; ``migrations`` (``--migrations``) overrides the wave folder."""
    plans = migrations if migrations is not None else migrations_dir(project_root, environment.path)
    return MigrationFolders(plans, env_state_dir(project_root, environment.path))
