"""Drive the Pulumi engine through the Automation API: preview, up, destroy and refresh of the
stacks of one environment, one stack at a time (the province first; cities first for destroy,
since they read the province through a StackReference).

Each stack's run gets a LocalWorkspace over the project directory (``Pulumi.yaml``, program and
stack config in ``stacks/``), the engine found by :mod:`.locate`, a local file backend (or the
URL given), the passphrase secrets provider and the cloud's credentials in the engine's
environment. The result is a count of changes per stack; the engine's whole output goes to a log
file. Failures become :class:`EngineError` with a fix.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from ..errors import EngineError
from ..model import Environment
from ..ipam import plan_environment
from ..stackgraph import StackGraph, node_for_stack, plan_stack, stack_names
from ..stackgraph.options import read_stack_options
from .credentials import CloudCredentials, check_login, find_clouds_yaml, load_credentials
from .locate import EngineInstall, engine_env, find_engine
from . import cleanup
from .adoption import existing_objects, refuse_existing, state_is_empty
from .cloudfind import CloudFinder
from .locks import lock_holders_in, locked_error, release_stale_locks
from .progress import Progress, log_path, normalise_changes
from .recovery import pending_operations, plan_recovery, refresh_arguments
from .services import check_services, services_for
from .settings import EngineSettings, default_passphrase_file, ensure_passphrase_file
from .signals import EngineGuard, engine_command_root
from .stackfiles import FALLBACK_VARIABLE, RunFiles, new_run_id


class Operation(str, Enum):
    PREVIEW = "preview"
    UP = "up"
    DESTROY = "destroy"
    REFRESH = "refresh"


@dataclass
class StackResult:
    stack: str
    operation: str
    changes: dict[str, int]
    seconds: float
    log: str
    outputs: dict = field(default_factory=dict)
    skipped: str | None = None  # why the stack was not run (e.g. the province stack is not up yet)
    recovered: list[str] = field(default_factory=list)  # stale locks released, pending operations resolved

    @property
    def changed(self) -> bool:
        return any(n for k, n in self.changes.items() if k != "same")

    def to_dict(self) -> dict:
        return asdict(self)


def ordered(operation: Operation, names: Sequence[str], all_names: Sequence[str]) -> list[str]:
    """Stacks in run order: the province first, or last for destroy."""
    chosen = [s for s in all_names if s in names]
    return list(reversed(chosen)) if operation is Operation.DESTROY else chosen


def run(operation: Operation, environment: Environment, stacks: Sequence[str], settings: EngineSettings,
        progress: Callable[..., Progress] = Progress, quiet: bool = False) -> list[StackResult]:
    """Run ``operation`` on ``stacks`` of ``environment``; stop at the first stack that fails."""
    province = environment.province
    order = ordered(operation, stacks, stack_names(province, environment.name))
    # Arguments first (a wrong --cloud or --clouds-yaml is bad input whatever else is missing).
    credentials = _credentials(order, environment, settings)
    address_plan = plan_environment(environment)
    install = find_engine()
    passphrase = ensure_passphrase_file(settings.passphrase_file or default_passphrase_file())
    if settings.backend_url is None:
        settings.state_dir.mkdir(parents=True, exist_ok=True)
    logins: dict[str, CloudCredentials] = {}
    results: list[StackResult] = []
    run_id = new_run_id()
    files = RunFiles.create(settings.project_root, settings.state_dir.parent / "runs", run_id)
    try:
        with EngineGuard() as guard:
            for stack in order:
                node = node_for_stack(province, environment.name, stack)
                cloud = settings.cloud or node.cloud
                if cloud not in logins:
                    check_login(credentials[cloud])
                    logins[cloud] = credentials[cloud]
                region = settings.region or node.region
                graph = plan_stack(province, address_plan, environment.name, stack,
                                   read_stack_options(settings.project_root, stack))
                env = _engine_environment(install, settings, passphrase, logins[cloud].engine_env(region))
                log_file = log_path(settings.logs, stack, operation.value, run_id)
                province_stack = stack_names(province, environment.name)[0]
                if operation is Operation.PREVIEW and stack != province_stack and \
                        not _has_outputs(province_stack, files, install, env):
                    # A city stack reads the province stack's outputs: before the province is up there
                    # is nothing to read, and the preview would fail on the StackReference.
                    results.append(StackResult(stack, operation.value, normalise_changes(None), 0.0, "", {},
                                               f"{province_stack} is not up yet "
                                               f"(run `govcloud up --stack {province_stack}`)"))
                    continue
                with log_file.open("w", encoding="utf-8") as log:
                    printer = progress(stack, operation.value, log, quiet=quiet)
                    run = _StackRun(operation, stack, install, settings, env, printer, log_file, files, guard,
                                    _CloudAccess(logins[cloud], region), graph=graph)
                    results.append(run.execute())
    finally:
        files.remove()
    return results


def _credentials(order: Sequence[str], environment: Environment,
                 settings: EngineSettings) -> dict[str, CloudCredentials]:
    """The credentials of every cloud the stacks use, read (not yet tried) before anything runs."""
    clouds_yaml = find_clouds_yaml(settings.clouds_yaml)
    found: dict[str, CloudCredentials] = {}
    for stack in order:
        cloud = settings.cloud or node_for_stack(environment.province, environment.name, stack).cloud
        if cloud not in found:
            found[cloud] = load_credentials(cloud, clouds_yaml)
    return found


def run_project(operation: Operation, work_dir: Path, stack: str, settings: EngineSettings, cloud: str,
                config: dict[str, str] | None = None, quiet: bool = True) -> StackResult:
    """Run ``operation`` on one stack of any Pulumi project in ``work_dir`` (the same engine,
    backend, passphrase and credential handling as :func:`run`); ``config`` is set on the stack
    first (plain values)."""
    install = find_engine()
    passphrase = ensure_passphrase_file(settings.passphrase_file or default_passphrase_file())
    if settings.backend_url is None:
        settings.state_dir.mkdir(parents=True, exist_ok=True)
    credentials = load_credentials(cloud, find_clouds_yaml(settings.clouds_yaml))
    check_login(credentials)
    env = _engine_environment(install, settings, passphrase, credentials.engine_env(settings.region))
    run_id = new_run_id()
    log_file = log_path(settings.logs, stack, operation.value, run_id)
    files = RunFiles.create(work_dir, settings.state_dir.parent / "runs", run_id)
    try:
        with EngineGuard() as guard, log_file.open("w", encoding="utf-8") as log:
            printer = Progress(stack, operation.value, log, quiet=quiet)
            return _StackRun(operation, stack, install, settings, env, printer, log_file, files, guard,
                             _CloudAccess(credentials, settings.region), config=config).execute()
    finally:
        files.remove()


def _has_outputs(stack_name: str, files: RunFiles, install: EngineInstall, env: dict[str, str]) -> bool:
    from pulumi import automation as auto

    try:
        # The scratch project: reading outputs needs the secrets provider, and the engine would
        # write the salt it finds in the state back into the settings file it reads.
        workspace = _workspace(files.scratch_project, install, env, files)
        if stack_name not in {s.name for s in workspace.list_stacks()}:
            return False
        return bool(auto.Stack.select(stack_name, workspace).outputs())
    except auto.errors.CommandError:
        return False


def _workspace(work_dir: Path, install: EngineInstall, env: dict[str, str], files: RunFiles):
    from pulumi import automation as auto

    # The engine runs through a wrapper that gives it a session of its own (see .signals).
    root = engine_command_root(install.cli, files.run_dir.parent.parent / "engine-wrapper")
    return auto.LocalWorkspace(work_dir=str(work_dir), pulumi_home=str(install.pulumi_home), env_vars=env,
                               secrets_provider="passphrase", pulumi_command=auto.PulumiCommand(root=str(root)))


class _CloudAccess:
    """One cloud and region, with a connection opened on first use (most runs need none)."""

    def __init__(self, credentials: CloudCredentials, region: str | None) -> None:
        self.credentials, self.region = credentials, region or credentials.region
        self._connection = None

    def connection(self):
        if self._connection is None:
            import openstack

            self._connection = openstack.connect(load_yaml_config=False, load_envvars=False, auth_type="password",
                                                 auth=dict(self.credentials.auth), region_name=self.region)
        return self._connection

    def finder(self) -> CloudFinder:
        return CloudFinder(self.connection())

    def check(self, types: Sequence[str], during: str = "") -> None:
        """EngineError naming the first service the types need that does not answer."""
        check_services(self.connection(), services_for(types), during)


def _engine_environment(install: EngineInstall, settings: EngineSettings, passphrase: Path,
                        cloud_env: dict[str, str]) -> dict[str, str]:
    env = engine_env(install, settings.state_dir)
    env["PULUMI_BACKEND_URL"] = settings.backend()
    env.pop("PULUMI_CONFIG_PASSPHRASE", None)
    env["PULUMI_CONFIG_PASSPHRASE_FILE"] = str(passphrase)
    env.pop("OS_CLOUD", None)  # the variables below say exactly which cloud
    # The salt comes from the state, never from (or into) the committed settings file (.stackfiles).
    env[FALLBACK_VARIABLE] = "true"
    env.update(cloud_env)
    return env


@dataclass
class _StackRun:
    """One operation on one stack: release a dead run's lock, resolve what it left pending, run."""

    operation: Operation
    stack_name: str
    install: EngineInstall
    settings: EngineSettings
    env: dict[str, str]
    printer: Progress
    log_file: Path
    files: RunFiles
    guard: EngineGuard
    cloud: _CloudAccess
    graph: StackGraph | None = None  # govcloud's own stacks: the services they need, the objects they name
    config: dict[str, str] | None = None
    recovered: list[str] = field(default_factory=list)

    def execute(self) -> StackResult:
        from pulumi import automation as auto

        started = time.monotonic()
        work_dir = self.files.project_root
        if self.graph is not None:
            self.cloud.check(self._types())
        try:
            released = release_stale_locks(self.env["PULUMI_BACKEND_URL"], _project_name(work_dir), self.stack_name)
            self._note(f"released the lock of a run that died: {lock.describe()}" for lock in released)
            # Create (or find) the stack in the scratch project: `stack init` writes the salt there.
            auto.Stack.create_or_select(self.stack_name, _workspace(self.files.scratch_project, self.install,
                                                                     self.env, self.files))
            workspace = _workspace(work_dir, self.install, self.env, self.files)
            stack = auto.Stack.select(self.stack_name, workspace)
        except auto.errors.CommandError as exc:
            raise backend_error(self.stack_name, self.settings, exc) from None
        try:
            if self.config:
                stack.set_all_config({k: auto.ConfigValue(v) for k, v in self.config.items()})
            config_file = str(self.files.config_file(self.stack_name, _stack_config_dir(work_dir)))
            if self.operation is not Operation.PREVIEW:
                self._before(workspace, config_file)
            changes, outputs = self._operate(stack, config_file)
            if self.operation is Operation.DESTROY:
                self._after_destroy()
        except auto.errors.CommandError as exc:
            self.guard.check(self.operation.value, self.stack_name)
            if self.graph is not None:  # a service that went down mid-run is the likeliest cause: name it
                self.cloud.check(self._types(), during=f"{self.operation.value} of {self.stack_name} failed "
                                                       f"(log: {self.log_file}): ")
            raise engine_error(self.stack_name, self.operation, exc, self.log_file) from None
        self.guard.check(self.operation.value, self.stack_name)
        return StackResult(self.stack_name, self.operation.value, changes, round(time.monotonic() - started, 2),
                           str(self.log_file), outputs, recovered=self.recovered)

    def _operate(self, stack, config_file: str) -> tuple[dict[str, int], dict]:
        common = {"on_output": self.printer.on_output, "on_event": self.printer.on_event,
                  "config_file": config_file}
        if self.settings.parallel:
            common["parallel"] = self.settings.parallel
        if self.settings.policy_packs and self.operation in (Operation.PREVIEW, Operation.UP):
            # A mandatory violation makes the engine refuse the operation (CommandError).
            common["policy_packs"] = [str(pack) for pack in self.settings.policy_packs]
        if self.operation is Operation.PREVIEW:
            return normalise_changes(stack.preview(**common).change_summary), {}
        method = {Operation.UP: stack.up, Operation.DESTROY: stack.destroy, Operation.REFRESH: stack.refresh}
        if self.operation is not Operation.DESTROY:
            common["show_secrets"] = False
        result = method[self.operation](**common)
        outputs = {k: ("[secret]" if v.secret else v.value) for k, v in getattr(result, "outputs", {}).items()}
        return normalise_changes(result.summary.resource_changes), outputs

    def _before(self, workspace, config_file: str) -> None:
        """Resolve what a killed run left pending; note a destroy's projects; refuse an empty state
        over existing objects."""
        # Exported from the scratch project: `stack export` has no --config-file and would write the salt.
        scratch = _workspace(self.files.scratch_project, self.install, self.env, self.files)
        deployment = scratch.export_stack(self.stack_name).deployment or {}
        if self.operation is Operation.DESTROY:
            cleanup.remember(self._cleanup_note, cleanup.project_ids(deployment))
        pending = pending_operations(deployment)
        if not pending:
            if self.operation is Operation.UP and self.graph is not None and state_is_empty(deployment):
                found = existing_objects(self.graph, self.cloud.finder())
                if found:
                    raise refuse_existing(self.stack_name, self.env["PULUMI_BACKEND_URL"], found)
            return
        resolutions = plan_recovery(pending, _LazyFinder(self.cloud.finder))
        workspace.pulumi_command.run(refresh_arguments(self.stack_name, resolutions, config_file),
                                     str(self.files.project_root), self.env, on_output=self.printer.on_output,
                                     on_error=self.printer.on_output)
        self._note(resolution.describe() for resolution in resolutions)

    @property
    def _cleanup_note(self) -> Path:
        return self.settings.state_dir.parent / "cleanup" / f"{self.stack_name}.json"

    def _after_destroy(self) -> None:
        """Delete what Neutron made in the stack's projects (their `default` groups)."""
        noted = cleanup.read(self._cleanup_note)
        if noted:
            self._note(f"removed {line}" for line in cleanup.remove_leftovers(self.cloud.connection(), noted))
        self._cleanup_note.unlink(missing_ok=True)

    def _types(self) -> list[str]:
        return [spec.type for spec in self.graph.resources] if self.graph is not None else []

    def _note(self, lines) -> None:
        for line in lines:
            self.recovered.append(line)
            self.printer.note(line)


class _LazyFinder:
    """Opens the cloud connection on the first lookup (most recoveries need none)."""

    def __init__(self, make: Callable) -> None:
        self._make, self._finder = make, None

    def can_find(self, type_: str) -> bool:
        from .cloudfind import FINDERS

        return type_ in FINDERS

    def find(self, type_, inputs):
        if self._finder is None:
            self._finder = self._make()
        return self._finder.find(type_, inputs)


def _project_file(work_dir: Path) -> dict:
    import yaml

    try:
        data = yaml.safe_load((work_dir / "Pulumi.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _project_name(work_dir: Path) -> str:
    return str(_project_file(work_dir).get("name") or work_dir.name)


def _stack_config_dir(work_dir: Path) -> str:
    return str(_project_file(work_dir).get("stackConfigDir") or ".")


# Engine messages and what to do about them, most specific first.
_KNOWN_FAILURES = (
    ("incorrect passphrase", "the passphrase does not open this stack's secrets",
     "use the passphrase file the stack was created with (GOVCLOUD_PASSPHRASE_FILE)"),
    ("no resource plugin 'pulumi-resource-openstack'", "the OpenStack provider plugin is not installed",
     "run `make setup` (scripts/engine.sh) to build and register it"),
    ("could not find plugin", "a plugin the program needs is not installed",
     "run `make setup` (scripts/engine.sh) to build and register it"),
    ("authentication failed", "OpenStack refused the credentials",
     "correct the credentials in clouds.yaml (for the lab: `govcloud lab up` rewrites it)"),
    ("401", "OpenStack refused the credentials",
     "correct the credentials in clouds.yaml (for the lab: `govcloud lab up` rewrites it)"),
    ("connection refused", "the cloud does not answer", "start the lab with `govcloud lab up`"),
    ("failed to login", "the state backend cannot be reached", "check --backend (or PULUMI_BACKEND_URL)"),
    ("unable to open bucket", "the state backend cannot be reached", "check --backend (or PULUMI_BACKEND_URL)"),
    ("unsupported backend", "the state backend URL is not supported",
     "use file://<dir>, s3://…, azblob://…, gs://… or a Pulumi Cloud URL"),
)


def backend_error(stack: str, settings: EngineSettings, exc: Exception) -> EngineError:
    """Selecting or creating the stack failed: the backend (or the passphrase) is the cause."""
    if "passphrase" in str(exc).lower():
        return EngineError(f"the passphrase does not open stack {stack}",
                           fix="use the passphrase file the stack was created with (GOVCLOUD_PASSPHRASE_FILE)")
    detail = next((line.strip() for line in str(exc).splitlines() if "error" in line.lower()), "")
    return EngineError(f"the state backend {settings.backend()} cannot be used for {stack}"
                       + (f": {detail}" if detail else ""),
                       fix="check --backend (or PULUMI_BACKEND_URL) and that the backend is reachable; for the "
                           f"default local backend, that {settings.state_dir} is writable")


def engine_error(stack: str, operation: Operation, exc: Exception, log_file: Path) -> EngineError:
    """One EngineError with a fix, from the engine's failure text."""
    text = str(exc)
    lower = text.lower()
    if "currently locked" in lower:  # a race lost after our own lock check: name the winner
        return locked_error(stack, lock_holders_in(text))
    for needle, what, fix in _KNOWN_FAILURES:
        if needle in lower:
            return EngineError(f"{operation.value} of {stack} failed: {what} (log: {log_file})", fix=fix)
    tail = [line for line in text.splitlines() if line.strip()][-6:]
    return EngineError(f"{operation.value} of {stack} failed (log: {log_file}):\n" + "\n".join(tail),
                       fix=f"read {log_file}; fix the cause and run `govcloud {operation.value}` again")
