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
from ..paths import stack_settings_file
from ..stackgraph import node_for_stack, stack_names
from .credentials import CloudCredentials, check_login, find_clouds_yaml, load_credentials
from .locate import EngineInstall, engine_env, find_engine
from .progress import Progress, log_path, normalise_changes
from .salt import salt_file, salt_outside_config
from .settings import STATE_DIR, EngineSettings, default_passphrase_file, ensure_passphrase_file


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
    install = find_engine()
    passphrase = ensure_passphrase_file(settings.passphrase_file or default_passphrase_file())
    if settings.backend_url is None:
        settings.state_dir.mkdir(parents=True, exist_ok=True)
    province = environment.province
    logins: dict[str, CloudCredentials] = {}
    results = []
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for stack in ordered(operation, stacks, stack_names(province, environment.name)):
        node = node_for_stack(province, environment.name, stack)
        cloud = settings.cloud or node.cloud
        if cloud not in logins:
            credentials = load_credentials(cloud, find_clouds_yaml(settings.clouds_yaml))
            check_login(credentials)
            logins[cloud] = credentials
        env = _engine_environment(install, settings, passphrase, logins[cloud].engine_env(settings.region or node.region))
        log_file = log_path(settings.logs, stack, operation.value, stamp)
        province_stack = stack_names(province, environment.name)[0]
        if operation is Operation.PREVIEW and stack != province_stack and \
                not _has_outputs(province_stack, settings.project_root, install, env):
            # A city stack reads the province stack's outputs: before the province is up there is
            # nothing to read, and the preview would fail on the StackReference.
            results.append(StackResult(stack, operation.value, normalise_changes(None), 0.0, "", {},
                                       f"{province_stack} is not up yet (run `govcloud up --stack {province_stack}`)"))
            continue
        config_file = stack_settings_file(settings.project_root, stack)
        with log_file.open("w", encoding="utf-8") as log, \
                salt_outside_config(config_file, salt_file(settings.state_dir, settings.backend(), stack)):
            printer = progress(stack, operation.value, log, quiet=quiet)
            results.append(_run_stack(operation, stack, settings.project_root, install, settings, env, printer,
                                      log_file))
    return results


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
    log_file = log_path(settings.logs, stack, operation.value, time.strftime("%Y%m%dT%H%M%S"))
    with log_file.open("w", encoding="utf-8") as log:
        printer = Progress(stack, operation.value, log, quiet=quiet)
        return _run_stack(operation, stack, work_dir, install, settings, env, printer, log_file, config)


def _has_outputs(stack_name: str, work_dir: Path, install: EngineInstall, env: dict[str, str]) -> bool:
    from pulumi import automation as auto

    try:
        workspace = _workspace(work_dir, install, env)
        if stack_name not in {s.name for s in workspace.list_stacks()}:
            return False
        config_file = stack_settings_file(work_dir, stack_name)
        with salt_outside_config(config_file, salt_file(work_dir / STATE_DIR, env["PULUMI_BACKEND_URL"], stack_name)):
            return bool(auto.Stack.select(stack_name, workspace).outputs())
    except auto.errors.CommandError:
        return False


def _workspace(work_dir: Path, install: EngineInstall, env: dict[str, str]):
    from pulumi import automation as auto

    return auto.LocalWorkspace(work_dir=str(work_dir), pulumi_home=str(install.pulumi_home), env_vars=env,
                               secrets_provider="passphrase",
                               pulumi_command=auto.PulumiCommand(root=str(install.cli.parent.parent)))


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
               config: dict[str, str] | None = None) -> StackResult:
    from pulumi import automation as auto

    started = time.monotonic()
    try:
        workspace = _workspace(work_dir, install, env)
        stack = auto.Stack.create_or_select(stack_name, workspace)
    except auto.errors.CommandError as exc:
        raise backend_error(stack_name, settings, exc) from None
    try:
        if config:
            stack.set_all_config({k: auto.ConfigValue(v) for k, v in config.items()})
        common = {"on_output": printer.on_output, "on_event": printer.on_event}
        if settings.parallel:
            common["parallel"] = settings.parallel
        if settings.policy_packs and operation in (Operation.PREVIEW, Operation.UP):
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
                       outputs)


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
