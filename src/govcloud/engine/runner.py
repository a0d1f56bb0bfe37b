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

from collections.abc import Callable, Sequence
from pathlib import Path

from ..ipam import plan_environment
from ..model import Environment
from ..stackgraph import node_for_stack, plan_stack, stack_names
from ..stackgraph.options import read_stack_options
from .credentials import CloudCredentials, check_login, find_clouds_yaml, load_credentials
from .failures import backend_error, engine_error  # noqa: F401 - part of this module's interface
from .locate import EngineInstall, engine_env, find_engine
from .outcome import Operation, StackResult
from .progress import Progress, log_path, normalise_changes
from .settings import EngineSettings, default_passphrase_file, ensure_passphrase_file
from .signals import EngineGuard
from .stackfiles import FALLBACK_VARIABLE, RunFiles, new_run_id
from .stackrun import CloudAccess, StackRun, engine_workspace

__all__ = ["Operation", "StackResult", "backend_error", "engine_error", "ordered", "run", "run_project"]


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
                    run = StackRun(operation, stack, install, settings, env, printer, log_file, files, guard,
                                    CloudAccess(logins[cloud], region), graph=graph)
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
            return StackRun(operation, stack, install, settings, env, printer, log_file, files, guard,
                             CloudAccess(credentials, settings.region), config=config).execute()
    finally:
        files.remove()


def _has_outputs(stack_name: str, files: RunFiles, install: EngineInstall, env: dict[str, str]) -> bool:
    from pulumi import automation as auto

    try:
        # The scratch project: reading outputs needs the secrets provider, and the engine would
        # write the salt it finds in the state back into the settings file it reads.
        workspace = engine_workspace(files.scratch_project, install, env, files)
        if stack_name not in {s.name for s in workspace.list_stacks()}:
            return False
        return bool(auto.Stack.select(stack_name, workspace).outputs())
    except auto.errors.CommandError:
        return False


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
