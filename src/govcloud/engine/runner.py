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

import functools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from rich.text import Text

from ..errors import EngineError
from ..model import Environment
from ..stackgraph import node_for_stack, stack_names
from ..terminal import make_console
from .checkpoints import checkpoint_env
from .credentials import CloudCredentials, check_login, find_clouds_yaml, load_credentials
from .locate import EngineInstall, engine_env, find_engine
from .parallel import StacksFailed, default_jobs, run_stages, stages
from .progress import Progress, log_path, normalise_changes
from .salt import salt_file, salt_outside_config
from .settings import STATE_DIR, EngineSettings, default_passphrase_file, ensure_passphrase_file

__all__ = ["Operation", "StackResult", "StacksFailed", "ordered", "run", "run_project"]

# `pulumi stack select` rewrites the workspace's selected-stack file: one at a time.
_SELECT_LOCK = threading.Lock()


class Operation(str, Enum):
    PREVIEW = "preview"
    UP = "up"
    DESTROY = "destroy"
    REFRESH = "refresh"


CHANGED_OPERATIONS = (Operation.PREVIEW, Operation.UP)  # the operations --changed can target


@dataclass
class StackResult:
    stack: str
    operation: str
    changes: dict[str, int]
    seconds: float
    log: str
    outputs: dict = field(default_factory=dict)
    skipped: str | None = None  # why the stack was not run (e.g. the province stack is not up yet)
    targeted: int | None = None  # --changed: how many resources were targeted (None: a full run)

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
    """Run ``operation`` on ``stacks`` of ``environment``: the platform stack first, then the other
    stacks ``settings.jobs`` at a time (the other way round for destroy). If a stack fails, the stages
    after it are not run and :class:`StacksFailed` (an EngineError) carries every stack's outcome."""
    install = find_engine()
    passphrase = ensure_passphrase_file(settings.passphrase_file or default_passphrase_file())
    if settings.backend_url is None:
        settings.state_dir.mkdir(parents=True, exist_ok=True)
    province = environment.province
    all_names = stack_names(province, environment.name)
    # The platform stack comes first: every other stack (cities, cross-region provincial nodes)
    # reads it through a StackReference, and none reads another.
    platform = all_names[:1]
    session = _Session(operation, environment, settings, install, passphrase, progress, quiet)
    plan = stages(ordered(operation, stacks, all_names), platform, reverse=operation is Operation.DESTROY)
    return run_stages(plan, session.run_stack, settings.jobs or default_jobs(), session.report)


class _Session:
    """What the stacks of one run share: the engine, logins per cloud (checked once), the log
    stamp, whether the province stack has outputs (asked once), and the address plan (for
    ``--changed``). Stacks may run on several threads, so the shared answers are locked."""

    def __init__(self, operation: Operation, environment: Environment, settings: EngineSettings,
                 install: EngineInstall, passphrase: Path, progress: Callable[..., Progress], quiet: bool) -> None:
        self.operation, self.environment, self.settings = operation, environment, settings
        self.install, self.passphrase, self.progress, self.quiet = install, passphrase, progress, quiet
        self.stamp = time.strftime("%Y%m%dT%H%M%S")
        self.province_stack = stack_names(environment.province, environment.name)[0]
        self._lock = threading.Lock()
        self._logins: dict[str, CloudCredentials] = {}
        self._province_read = False
        self._outputs: dict | None = None
        self._plan = None  # the address plan, made on the first --changed stack
        self._console = make_console(stderr=True, emoji=False, highlight=False)

    def report(self, stack: str, event: str, detail: str) -> None:
        """Per-stack progress lines (start, done, failed, not run): several stacks may be running."""
        if self.quiet:
            return
        style = {"failed": "red", "not run": "yellow"}.get(event, "cyan")
        self._console.print(Text(f"[{stack}]", style="bold") + Text(f" {self.operation.value} {event}"
                                                                    f"{': ' + detail if detail else ''}", style=style),
                            soft_wrap=True)

    def run_stack(self, stack: str) -> StackResult:
        settings, operation = self.settings, self.operation
        node = node_for_stack(self.environment.province, self.environment.name, stack)
        env = _engine_environment(self.install, settings, self.passphrase,
                                  self._login(settings.cloud or node.cloud).engine_env(settings.region or node.region))
        env.update(checkpoint_env(operation, settings.skip_checkpoints))
        if operation is Operation.PREVIEW and stack != self.province_stack and not self._province_has_outputs(env):
            # A city stack reads the province stack's outputs: before the province is up there is
            # nothing to read, and the preview would fail on the StackReference.
            return StackResult(stack, operation.value, normalise_changes(None), 0.0, "", {},
                               f"{self.province_stack} is not up yet "
                               f"(run `govcloud up --stack {self.province_stack}`)")
        log_file = log_path(settings.logs, stack, operation.value, self.stamp)
        config_file = settings.project_root / "stacks" / f"Pulumi.{stack}.yaml"
        targets = self._targets_for(stack, env) if settings.changed_only and operation in CHANGED_OPERATIONS else None
        with log_file.open("w", encoding="utf-8") as log, \
                salt_outside_config(config_file, salt_file(settings.state_dir, settings.backend(), stack)):
            printer = self.progress(stack, operation.value, log, quiet=self.quiet)
            return _run_stack(operation, stack, settings.project_root, self.install, settings, env, printer,
                              log_file, targets=targets)

    def _login(self, cloud: str) -> CloudCredentials:
        with self._lock:
            if cloud not in self._logins:
                credentials = load_credentials(cloud, find_clouds_yaml(self.settings.clouds_yaml))
                check_login(credentials)
                self._logins[cloud] = credentials
            return self._logins[cloud]

    def _province_has_outputs(self, env: dict[str, str]) -> bool:
        return bool(self._province_outputs(env))

    def _province_outputs(self, env: dict[str, str]) -> dict | None:
        """The province stack's outputs, read once per run (after the provincial stage): None when
        the stack does not exist or cannot be read."""
        with self._lock:
            if not self._province_read:
                self._province_read = True
                self._outputs = _stack_outputs(self.province_stack, self.settings.project_root, self.install, env)
            return self._outputs

    def _targets_for(self, stack: str, env: dict[str, str]):
        """A callable giving the ``--changed`` targets of ``stack`` once its state is at hand."""
        from .changed import ChangedTargets

        return ChangedTargets(self.environment, self._address_plan, self.settings.project_root, stack,
                              self.province_stack, lambda: self._province_outputs(env))

    def _address_plan(self):
        from ..ipam import plan_environment

        with self._lock:
            if self._plan is None:
                self._plan = plan_environment(self.environment)
            return self._plan


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
    env.update(checkpoint_env(operation, settings.skip_checkpoints))
    log_file = log_path(settings.logs, stack, operation.value, time.strftime("%Y%m%dT%H%M%S"))
    with log_file.open("w", encoding="utf-8") as log:
        printer = Progress(stack, operation.value, log, quiet=quiet)
        return _run_stack(operation, stack, work_dir, install, settings, env, printer, log_file, config)


def _stack_outputs(stack_name: str, work_dir: Path, install: EngineInstall, env: dict[str, str]) -> dict | None:
    """A stack's outputs (plain values), or None when it does not exist or cannot be read."""
    from pulumi import automation as auto

    try:
        workspace = _workspace(work_dir, install, env)
        if stack_name not in {s.name for s in workspace.list_stacks()}:
            return None
        config_file = work_dir / "stacks" / f"Pulumi.{stack_name}.yaml"
        with _SELECT_LOCK, \
                salt_outside_config(config_file, salt_file(work_dir / STATE_DIR, env["PULUMI_BACKEND_URL"], stack_name)):
            return {k: v.value for k, v in auto.Stack.select(stack_name, workspace).outputs().items()}
    except auto.errors.CommandError:
        return None


def _workspace(work_dir: Path, install: EngineInstall, env: dict[str, str]):
    from pulumi import automation as auto

    return auto.LocalWorkspace(work_dir=str(work_dir), pulumi_home=str(install.pulumi_home), env_vars=env,
                               secrets_provider="passphrase", pulumi_command=_pulumi_command(install.cli))


@functools.cache
def _pulumi_command(cli: Path):
    """One PulumiCommand per CLI: each one runs `pulumi version` once to check it (a Go start,
    which every workspace of every stack would otherwise pay again)."""
    from pulumi import automation as auto

    return auto.PulumiCommand(root=str(cli.parent.parent))


def _engine_environment(install: EngineInstall, settings: EngineSettings, passphrase: Path,
                        cloud_env: dict[str, str]) -> dict[str, str]:
    env = engine_env(install, settings.state_dir)
    env["PULUMI_BACKEND_URL"] = settings.backend()
    env.pop("PULUMI_CONFIG_PASSPHRASE", None)
    env["PULUMI_CONFIG_PASSPHRASE_FILE"] = str(passphrase)
    env.pop("OS_CLOUD", None)  # the variables below say exactly which cloud
    env.update(cloud_env)
    return env


def _run_stack(operation: Operation, stack_name: str, work_dir: Path, install: EngineInstall,
               settings: EngineSettings, env: dict[str, str], printer: Progress, log_file: Path,
               config: dict[str, str] | None = None, targets: Callable | None = None) -> StackResult:
    from pulumi import automation as auto

    started = time.monotonic()
    try:
        workspace = _workspace(work_dir, install, env)
        with _SELECT_LOCK:
            stack = auto.Stack.create_or_select(stack_name, workspace)
    except auto.errors.CommandError as exc:
        raise backend_error(stack_name, settings, exc) from None
    try:
        if config:
            stack.set_all_config({k: auto.ConfigValue(v) for k, v in config.items()})
        common = {"on_output": printer.on_output, "on_event": printer.on_event}
        selection = targets(stack) if targets else None
        if selection is not None:
            printer.targeted(selection)
            if selection.diff.empty:
                return StackResult(stack_name, operation.value, normalise_changes(None), 0.0, str(log_file), {},
                                   "no difference between the plan and the state", targeted=0)
            common["target"] = list(selection.targets)
            common["target_dependents"] = True
        if settings.parallel:
            common["parallel"] = settings.parallel
        if selection is not None and settings.policy_packs:
            targets.check_policies()  # the offline baseline over the whole stack (see changed.py)
        elif settings.policy_packs and operation in (Operation.PREVIEW, Operation.UP):
            # A mandatory violation makes the engine refuse the operation (CommandError below).
            common["policy_packs"] = [str(pack) for pack in settings.policy_packs]
        if operation is Operation.PREVIEW:
            preview = stack.preview(**common)
            changes = normalise_changes(preview.change_summary)
            outputs: dict = {}
        else:
            method = {Operation.UP: stack.up, Operation.DESTROY: stack.destroy, Operation.REFRESH: stack.refresh}
            kwargs = dict(common)
            if operation is not Operation.DESTROY:
                kwargs["show_secrets"] = False
            result = method[operation](**kwargs)
            changes = normalise_changes(result.summary.resource_changes)
            outputs = {k: ("[secret]" if v.secret else v.value) for k, v in getattr(result, "outputs", {}).items()}
    except auto.errors.CommandError as exc:
        raise engine_error(stack_name, operation, exc, log_file) from None
    return StackResult(stack_name, operation.value, changes, round(time.monotonic() - started, 2), str(log_file),
                       outputs, targeted=len(selection.targets) if selection is not None else None)


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
    for needle, what, fix in _KNOWN_FAILURES:
        if needle in lower:
            return EngineError(f"{operation.value} of {stack} failed: {what} (log: {log_file})", fix=fix)
    tail = [line for line in text.splitlines() if line.strip()][-6:]
    return EngineError(f"{operation.value} of {stack} failed (log: {log_file}):\n" + "\n".join(tail),
                       fix=f"read {log_file}; fix the cause and run `govcloud {operation.value}` again")
