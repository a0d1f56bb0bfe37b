"""Where govcloud keeps things: the project's files (environments, ledgers, state, logs, stack
settings) and, outside the repository, the labs' state, one set per lab instance.

The project's files are found from a *project root* (the folder holding ``Pulumi.yaml``) given
by the caller; :func:`source_root` is the checkout this package runs from (roles, playbooks).

Several copies of the local labs can run side by side on one machine. The *default instance* is
the user's lab: what `make demo` and `govcloud lab up` build, in ``/var/lib/govcloud/<lab>``. A
*named instance* (``GOVCLOUD_LAB_INSTANCE=test``: the test suite's) keeps every name apart from
the default's and from every other instance's, so nothing one creates can collide with another:

* state under ``/var/lib/govcloud/instances/<name>/<lab>``;
* TCP ports shifted by ``1000 × index`` (every lab service binds 127.0.0.1; offsets stay below
  20000 so RabbitMQ's 5672 of one instance never lands on another's 25672 distribution port);
* network namespaces and root-namespace interfaces prefixed ``g<NN>`` instead of ``gc``;
* the network lab's management network ``198.18.<255 − index>.0/24`` instead of ``198.18.255.0/24``.

The index of a name is assigned once per machine and kept in ``/var/lib/govcloud/instances.json``
(under a lock), so two names never share one. The instance is chosen at the edge
(:func:`current_instance` reads the environment); everything below takes it as a value.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from netaddr import IPNetwork

from .errors import UsageError

# The project's files, relative to the project root.
PROJECT_FILE = "Pulumi.yaml"  # with inventories/, what makes a folder a project root
INVENTORIES = "inventories"
MIGRATIONS = "migrations"  # the project's environments' wave files: migrations/<env>/
MODEL_FILE = "province.yaml"  # the file that makes a folder under inventories/ an environment
LEDGER_FILE = "ipam-ledger.yaml"
ANSIBLE_INVENTORY_FILE = "hosts.yml"  # an environment's Ansible inventory, beside its model
STATE_SETTINGS_FILE = "state.yaml"  # where the environment's stacks keep their state and leases (optional)
STATE = Path(".state")
# The project's state kept elsewhere than <project>/.state: with the lab it serves (the demo), or on
# a disk a team shares. Everything under .state moves together: engine backend, logs, records.
STATE_DIR_VARIABLE = "GOVCLOUD_STATE_DIR"
# The engine's folders under the state root.
PULUMI_STATE = "pulumi"  # the engine's default local backend
LOGS = "logs"
ENGINE_RUNS = "runs"  # per run: the engine's working copy of the project and settings
ENGINE_CLEANUP = "cleanup"  # per stack: what an interrupted run left to delete
ENGINE_SALTS = "salts"  # per stack: the encryption salt, out of the committed settings
ENGINE_JOURNAL = "journal"  # per stack: a run without checkpoints that has not finished
STACKS = "stacks"
POLICIES = "policies"
POLICY_PACK = "govcloud-baseline"  # the baseline CrossGuard pack under policies/
BUILD = "build"  # generated output (runbooks, report pages): never committed
ROLES = "roles"
PLAYBOOKS = "playbooks"

# What an environment's state folder holds (see env_state_dir), one name each.
ROLLOUT_RECORD = "rollout.json"  # govcloud.network.outcomes
EXITS_RECORD = "exits.json"  # govcloud.network.outcomes
DRIFT_RECORD = "drift.json"  # govcloud.drift.record
MIGRATION_RUN = "migration-run.json"  # govcloud.migration.execution.run_state
SEALS_DIR = "seals"  # govcloud.migration.seal
IPV6_QUALITY = "ipv6-quality.json"  # govcloud.report.measurements
CLOUD_USAGE = "cloud-usage.json"  # govcloud.report.measurements
REPORT_HISTORY = "report-history.jsonl"  # govcloud.report.trend

SHORT_TEMP = Path("/tmp")
"""For files whose path length matters (SSH control sockets: at most 107 bytes with ssh's suffix),
never under the project, whose folder may be deep."""

LAB_ROOT = Path("/var/lib/govcloud")
# The labs' state directories under an instance's root.
OPENSTACK_LAB, NETLAB, WORKLOAD = "openstack-lab", "netlab", "workload"
INSTANCE_VARIABLE = "GOVCLOUD_LAB_INSTANCE"
LAB_DIR_VARIABLE = "GOVCLOUD_LAB_DIR"  # overrides the OpenStack lab's state directory
# 198.18.241.0/24 … 198.18.254.0/24 for instances: 198.18.240.0/24 is the workload lab's subnet.
MAX_INSTANCES = 14
_NAME = re.compile(r"[a-z][a-z0-9]{0,15}")


def source_root() -> Path:
    """The checkout this package runs from (``<root>/src/govcloud/paths.py``): roles, playbooks."""
    return Path(__file__).resolve().parents[2]


def is_project_root(folder: Path) -> bool:
    return (folder / PROJECT_FILE).is_file() and (folder / INVENTORIES).is_dir()


def find_project_root(start: Path) -> Path:
    """The folder holding Pulumi.yaml and inventories/: ``start`` or a parent, else the source checkout."""
    return next((folder for folder in [start, *start.parents] if is_project_root(folder)), source_root())


def roles_dir() -> Path:
    """The Ansible roles shipped with this checkout."""
    return source_root() / ROLES


def playbook(name: str) -> Path:
    """A playbook shipped with this checkout (``ipv6_extranet.yml``, ``internet_exit.yml``)."""
    return source_root() / PLAYBOOKS / name


def inventory_dir(project_root: Path, env_name: str) -> Path:
    """An environment's folder: its model, its ledger, its Ansible inventory."""
    return project_root / INVENTORIES / env_name


def known_environments(project_root: Path) -> list[str]:
    """The names of the environments under ``inventories/`` (folders holding a province.yaml), sorted."""
    return sorted(p.name for p in (project_root / INVENTORIES).glob("*") if (p / MODEL_FILE).is_file())


def ledger_file(env_dir: Path) -> Path:
    """The address plan's ledger, committed beside the model."""
    return env_dir / LEDGER_FILE


def ansible_inventory_file(env_dir: Path) -> Path:
    return env_dir / ANSIBLE_INVENTORY_FILE
def state_settings_file(env_dir: Path) -> Path:
    """The environment's state backend and lease folder (engine/statesettings.py), beside the model."""
    return env_dir / STATE_SETTINGS_FILE


def state_root(project_root: Path, environ: Mapping[str, str] | None = None) -> Path:
    """Where the project's state lives: ``$GOVCLOUD_STATE_DIR``, else ``<project>/.state``.

    The engine's default backend (``pulumi/``), its logs and run files, and each environment's
    records are all below it, so a state moved elsewhere moves whole.
    """
    env = os.environ if environ is None else environ
    if env.get(STATE_DIR_VARIABLE):
        folder = Path(env[STATE_DIR_VARIABLE])
        if not folder.is_absolute():
            raise UsageError(f"{STATE_DIR_VARIABLE}={folder} is not an absolute path",
                             fix=f"set {STATE_DIR_VARIABLE} to an absolute folder, or unset it to keep the "
                                 f"state in <project>/{STATE}")
        return folder
    return project_root / STATE


def pulumi_state_dir(project_root: Path) -> Path:
    """The engine's default local backend (``file://``): ``<state root>/pulumi``."""
    return state_root(project_root) / PULUMI_STATE


def log_dir(project_root: Path) -> Path:
    """The engine's logs, one per stack and operation: ``<state root>/logs``."""
    return state_root(project_root) / LOGS


def backend_checkpoints_dir(backend: Path) -> Path:
    """Where the engine's ``file://`` backend keeps stack checkpoints (``<project>/<stack>.json``
    below it, or ``<stack>.json`` in the legacy layout): the engine's format, not the project's."""
    return backend / ".pulumi" / "stacks"


def engine_runs_dir(project_root: Path) -> Path:
    return state_root(project_root) / ENGINE_RUNS


def engine_cleanup_dir(project_root: Path) -> Path:
    return state_root(project_root) / ENGINE_CLEANUP


def engine_salts_dir(project_root: Path) -> Path:
    return state_root(project_root) / ENGINE_SALTS


def engine_journal_dir(project_root: Path) -> Path:
    """Where a run without per-step checkpoints records itself until its final state is saved
    (engine/journal.py): ``<state root>/journal``."""
    return state_root(project_root) / ENGINE_JOURNAL


def is_project_environment(project_root: Path, env_dir: Path) -> bool:
    """``env_dir`` is the project's own ``inventories/<name>`` (not a copy or a folder elsewhere)."""
    return env_dir.resolve() == inventory_dir(project_root, env_dir.name).resolve()


def env_state_dir(project_root: Path, env_dir: Path) -> Path:
    """What rollouts, exit consolidation, drift, migrations and measurements record: ``<env>`` under
    the state root (:func:`state_root`) for the project's environments; an environment given by the
    path of a folder elsewhere keeps it beside itself, in ``<env>/.state``, and never writes into
    the project's."""
    if is_project_environment(project_root, env_dir):
        return state_root(project_root) / env_dir.name
    return env_dir / STATE


def migrations_dir(project_root: Path, env_dir: Path) -> Path:
    """An environment's wave files: ``migrations/<env>`` of the project for the project's
    environments, ``<env>/migrations`` for an environment given by path (see :func:`env_state_dir`)."""
    if is_project_environment(project_root, env_dir):
        return project_root / MIGRATIONS / env_dir.name
    return env_dir / MIGRATIONS


def runbooks_dir(project_root: Path, env_name: str) -> Path:
    """Where ``migrate runbook`` writes an environment's runbooks unless told otherwise."""
    return project_root / BUILD / "runbooks" / env_name


def policy_pack_dir(project_root: Path) -> Path:
    return project_root / POLICIES / POLICY_PACK


def policy_settings_file(project_root: Path, env_name: str) -> Path:
    """The pack's settings for one environment (enforcement levels, the image catalogue)."""
    return policy_pack_dir(project_root) / "environments" / f"{env_name}.yaml"


def policy_waivers_file(project_root: Path, env_name: str) -> Path:
    return policy_pack_dir(project_root) / "waivers" / f"{env_name}.yaml"


def stack_settings_file(project_root: Path, stack: str, folder: str = STACKS) -> Path:
    """``stacks/Pulumi.<stack>.yaml``: a stack's settings, read by the engine and the offline plan
    (``folder``: the project's ``stackConfigDir`` when Pulumi.yaml names another)."""
    return project_root / folder / f"Pulumi.{stack}.yaml"


CACHE_VARIABLE = "GOVCLOUD_CACHE"
PARSE_CACHE_VARIABLE = "GOVCLOUD_PARSE_CACHE"  # a folder, or "off"


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """The govcloud cache root (machine-local, rebuildable): ``$GOVCLOUD_CACHE``, else
    ``$XDG_CACHE_HOME/govcloud``, else ``~/.cache/govcloud`` (as scripts/engine.sh resolves it)."""
    env = os.environ if environ is None else environ
    if env.get(CACHE_VARIABLE):
        return Path(env[CACHE_VARIABLE])
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "govcloud"
    return Path(env.get("HOME") or str(Path.home())) / ".cache" / "govcloud"


def engine_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the built Pulumi engine is kept (``<cache root>/engine``, as scripts/engine.sh writes it)."""
    return cache_root(environ) / "engine"


def config_root(environ: Mapping[str, str] | None = None) -> Path:
    """The user's govcloud configuration: ``$XDG_CONFIG_HOME/govcloud``, else ``~/.config/govcloud``."""
    env = os.environ if environ is None else environ
    if env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]) / "govcloud"
    return Path(env.get("HOME") or str(Path.home())) / ".config" / "govcloud"


def parse_cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where parsed models and ledgers are kept by content hash (:mod:`govcloud.parsecache`):
    ``$GOVCLOUD_PARSE_CACHE``, else ``<cache root>/parsed``; None when the variable says ``off``."""
    env = os.environ if environ is None else environ
    chosen = env.get(PARSE_CACHE_VARIABLE, "")
    if chosen.lower() == "off":
        return None
    return Path(chosen) if chosen else cache_root(env) / "parsed"


def openstack_lab_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The OpenStack lab's state directory: ``$GOVCLOUD_LAB_DIR``, else the current lab instance's."""
    env = os.environ if environ is None else environ
    return Path(env.get(LAB_DIR_VARIABLE) or current_instance(env).state_dir(OPENSTACK_LAB))


CLOUDS_FILE = "clouds.yaml"


def openstack_lab_clouds_file(environ: Mapping[str, str] | None = None) -> Path:
    """The clouds.yaml the OpenStack lab writes (admin and tenant clouds) in its state directory."""
    return openstack_lab_dir(environ) / CLOUDS_FILE


@dataclass(frozen=True)
class LabInstance:
    """One copy of the labs. ``name`` "" with index 0 is the default (the user's) lab."""

    name: str = ""
    index: int = 0

    @property
    def is_default(self) -> bool:
        return self.index == 0

    @property
    def root(self) -> Path:
        return LAB_ROOT if self.is_default else LAB_ROOT / "instances" / self.name

    def state_dir(self, lab: str) -> Path:
        """The state directory of one lab (``openstack-lab``, ``netlab``, ``workload``)."""
        return self.root / lab

    @property
    def port_offset(self) -> int:
        return 1000 * self.index

    def prefix(self, default: str) -> str:
        """A name prefix of this instance: the default lab's prefixes start with ``gc``; an
        instance's replace it with ``g`` and its two-digit index (``gc-`` → ``g03-``,
        ``gcmgmt0`` → ``g03mgmt0``), which keeps Linux interface names within 15 characters
        and no prefix of one instance a prefix of another's."""
        if not default.startswith("gc"):
            raise ValueError(f"lab name prefixes start with 'gc': {default!r}")
        return default if self.is_default else f"g{self.index:02d}{default[2:]}"

    @property
    def mgmt_network(self) -> IPNetwork:
        """The network lab's management network (a benchmarking block the models do not use)."""
        return IPNetwork(f"198.18.{255 - self.index}.0/24")

    @property
    def label(self) -> str:
        return "the default lab" if self.is_default else f"lab instance {self.name!r}"


DEFAULT_INSTANCE = LabInstance()


def current_instance(environ: Mapping[str, str] | None = None) -> LabInstance:
    """The instance named by ``GOVCLOUD_LAB_INSTANCE`` (the default lab when unset or empty)."""
    name = (os.environ if environ is None else environ).get(INSTANCE_VARIABLE, "")
    return instance_named(name)


def instance_named(name: str, registry: Path | None = None) -> LabInstance:
    """The instance called ``name``, assigning it a free index the first time it is used."""
    if not name:
        return DEFAULT_INSTANCE
    if not _NAME.fullmatch(name):
        raise UsageError(f"{INSTANCE_VARIABLE}={name!r} is not a lab instance name",
                         fix="use a lower-case letter followed by up to 15 letters or digits, e.g. test")
    return LabInstance(name, _index_of(name, registry or LAB_ROOT / "instances.json"))


def _index_of(name: str, registry: Path) -> int:
    registry.parent.mkdir(parents=True, exist_ok=True)
    with open(registry.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        known = _read_registry(registry)
        if name in known:
            return known[name]
        free = sorted(set(range(1, MAX_INSTANCES + 1)) - set(known.values()))
        if not free:
            raise UsageError(f"no free lab instance index for {name!r}: {len(known)} instances are registered "
                             f"in {registry}", fix=f"remove instances you no longer use from {registry}")
        known[name] = free[0]
        tmp = registry.with_suffix(".tmp")
        tmp.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, registry)
        return free[0]


def _read_registry(registry: Path) -> dict[str, int]:
    if not registry.exists():
        return {}
    try:
        data = json.loads(registry.read_text())
    except json.JSONDecodeError as exc:
        raise UsageError(f"{registry}:{exc.lineno}: not valid JSON ({exc.msg})",
                         fix=f"repair or delete {registry} (it only maps lab instance names to indexes)") from exc
    if not isinstance(data, dict) or not all(isinstance(v, int) and 1 <= v <= MAX_INSTANCES for v in data.values()):
        raise UsageError(f"{registry}: expected a mapping of instance names to indexes 1..{MAX_INSTANCES}",
                         fix=f"repair or delete {registry}")
    return data
