"""Drive the Pulumi engine through the Automation API: preview, up, destroy and refresh of the
stacks of one environment: the platform stack first, then the others ``--jobs`` at a time (the
other way round for destroy, since they read the platform through a StackReference).

Each stack's run gets a LocalWorkspace over the project directory (``Pulumi.yaml``, program and
stack config in ``stacks/``), the engine found by :mod:`.locate`, a local file backend (or the
URL given), the passphrase secrets provider and the cloud's credentials in the engine's
environment. The result is a count of changes per stack; the engine's whole output goes to a log
file. Failures become :class:`EngineError` with a fix.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from pulumi import automation as auto
from rich.text import Text

from ..ipam import plan_environment
from ..errors import UsageError
from ..model import Environment
from ..stackgraph import plan_stack, stack_names
from ..stackgraph import tokens as t
from ..stackgraph.stacks import StackPart, operated_stack_names, stack_of
from ..stackgraph.options import read_stack_options
from ..terminal import make_console
from .changed import ChangedTargets
from .checkpoints import checkpoint_env
from .credentials import CloudCredentials, check_login, check_project_access, find_clouds_yaml, load_credentials
from .failures import backend_error, engine_error  # noqa: F401 - part of this module's interface
from .discovery import EngineInstall, engine_env, find_engine
from .outcome import Operation, StackResult
from .parallel import StacksFailed, run_stages, stages
from .progress import Progress, log_path, normalise_changes
from .settings import EngineSettings, default_passphrase_file, ensure_passphrase_file
from .signals import EngineGuard
from .stackfiles import FALLBACK_VARIABLE, RunFiles, new_run_id
from .stackrun import SELECT_LOCK, CloudAccess, StackRun, engine_workspace, leased

__all__ = ["Operation", "StackResult", "StacksFailed", "backend_error", "engine_error", "ordered", "run",
           "run_project"]

CHANGED_OPERATIONS = (Operation.PREVIEW, Operation.UP)  # the operations --changed can target


def ordered(operation: Operation, names: Sequence[str], all_names: Sequence[str]) -> list[str]:
    """Stacks in run order: the province first, or last for destroy."""
    chosen = [s for s in all_names if s in names]
    return list(reversed(chosen)) if operation is Operation.DESTROY else chosen


def run(operation: Operation, environment: Environment, stacks: Sequence[str], settings: EngineSettings,
        progress: Callable[..., Progress] = Progress, quiet: bool = False) -> list[StackResult]:
    """Run ``operation`` on ``stacks`` of ``environment``: the platform stack first, then the other
    stacks ``settings.jobs`` at a time (one by default; the other way round for destroy). If a stack
    fails, the stages after it are not run and :class:`StacksFailed` (an EngineError) carries every
    stack's outcome."""
    all_names = stack_names(environment.province, environment.name)
    order = ordered(operation, stacks, all_names)
    # Arguments first (a wrong --cloud or --clouds-yaml is bad input whatever else is missing).
    _refuse_changed_on_operated(order, environment, settings)
    credentials = _credentials(order, environment, settings)
    with leased(operation, settings, order):
        return _run(operation, environment, order, all_names, settings, credentials, progress, quiet)


def _run(operation: Operation, environment: Environment, order: list[str], all_names: list[str],
         settings: EngineSettings, credentials: dict[str, CloudCredentials], progress: Callable[..., Progress],
         quiet: bool) -> list[StackResult]:
    install = find_engine()
    passphrase = ensure_passphrase_file(settings.passphrase_file or default_passphrase_file())
    if settings.backend_url is None:
        settings.state_dir.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id()
    files = RunFiles.create(settings.project_root, settings.runs_dir, run_id)
    session = _Session(operation, environment, settings, install, passphrase, credentials, files, run_id,
                       progress, quiet)
    # The platform stack comes first: every other stack (cities, cross-region provincial nodes,
    # operated nodes' bases) reads it through a StackReference.
    # Operated nodes' stacks read their bases (the middle stage) and come last.
    plan = stages(order, all_names[:1], reverse=operation is Operation.DESTROY,
                  last=operated_stack_names(environment.province, environment.name))
    try:
        with EngineGuard() as guard:
            session.guard = guard
            return run_stages(plan, session.run_stack, settings.jobs or 1, session.report)
    finally:
        files.remove()


class _Session:
    """What the stacks of one run share: the engine, the run's files, logins per cloud (tried once),
    the address plan, and the province stack's outputs (read once). Stacks may run on several
    threads (``--jobs``), so the shared answers are locked."""

    def __init__(self, operation: Operation, environment: Environment, settings: EngineSettings,
                 install: EngineInstall, passphrase: Path, credentials: dict[str, CloudCredentials],
                 files: RunFiles, run_id: str, progress: Callable[..., Progress], quiet: bool) -> None:
        self.operation, self.environment, self.settings = operation, environment, settings
        self.install, self.passphrase, self.credentials = install, passphrase, credentials
        self.files, self.run_id, self.progress, self.quiet = files, run_id, progress, quiet
        self.guard: EngineGuard | None = None
        self.province_stack = stack_names(environment.province, environment.name)[0]
        self._lock = threading.Lock()
        self._logins: dict[tuple[str, bool], CloudCredentials] = {}
        self._plan = None
        self._outputs: dict[str, dict | None] = {}
        self._console = make_console(stderr=True, emoji=False, highlight=False)

    def report(self, stack: str, event: str, detail: str) -> None:
        """Per-stack lines (start, done, failed, not run) when several stacks may be running."""
        if self.quiet or (self.settings.jobs or 1) == 1:
            return
        style = {"failed": "red", "not run": "yellow"}.get(event, "cyan")
        self._console.print(Text(f"[{stack}]", style="bold") + Text(
            f" {self.operation.value} {event}{': ' + detail if detail else ''}", style=style), soft_wrap=True)

    def run_stack(self, stack: str) -> StackResult:
        settings, operation, province = self.settings, self.operation, self.environment.province
        found = stack_of(province, self.environment.name, stack)
        operated = found.part is StackPart.OPERATED
        cloud = settings.cloud or found.cloud
        region = settings.region or found.node.region
        graph = plan_stack(province, self._address_plan(), self.environment.name, stack,
                           read_stack_options(settings.project_root, stack))
        credentials = self._login(cloud, admin=not operated)
        if operated:  # Keystone's refusal, before the engine starts: a project the operator holds no role on
            projects = [s.name for s in graph.resources if s.type == t.DEPARTMENT_NETWORKS]  # named by their codes
            check_project_access(credentials, stack, projects)
        env = engine_environment(self.install, settings, self.passphrase,
                                 credentials.engine_env(region, per_project=operated))
        env.update(checkpoint_env(operation))
        read = graph.stacks_read()
        if operation is Operation.PREVIEW and read and not self._outputs_of(read[0], env):
            # A city stack reads the province stack's outputs (an operators' stack its base's): before
            # that stack is up there is nothing to read, and the preview would fail on the StackReference.
            return StackResult(stack, operation.value, normalise_changes(None), 0.0, "", {},
                               f"{read[0]} is not up yet (run `govcloud up --stack {read[0]}`)")
        targets = self._targets_for(stack, env) if settings.changed_only and operation in CHANGED_OPERATIONS else None
        log_file = log_path(settings.logs, stack, operation.value, self.run_id)
        with log_file.open("w", encoding="utf-8") as log:
            printer = self.progress(stack, operation.value, log, quiet=self.quiet)
            run = StackRun(operation, stack, self.install, settings, env, printer, log_file, self.files, self.guard,
                           CloudAccess(credentials, region), graph=graph, targets=targets)
            return run.execute()

    def _login(self, cloud: str, admin: bool = True) -> CloudCredentials:
        """The cloud's credentials, tried once per run; ``admin``: they must administer the cloud
        (every stack but an operators' own, see credentials.require_admin)."""
        with self._lock:
            if (cloud, admin) not in self._logins:
                check_login(self.credentials[cloud], admin=admin)
                self._logins[(cloud, admin)] = self.credentials[cloud]
            return self._logins[(cloud, admin)]

    def _address_plan(self):
        with self._lock:
            if self._plan is None:
                self._plan = plan_environment(self.environment)
            return self._plan

    def _province_outputs(self, env: dict[str, str]) -> dict | None:
        """The province stack's outputs, read once per run: None when it does not exist or cannot be read."""
        return self._outputs_of(self.province_stack, env)

    def _outputs_of(self, stack: str, env: dict[str, str]) -> dict | None:
        """A stack's outputs, read once per run: None when it does not exist or cannot be read."""
        with self._lock:
            if stack not in self._outputs:
                self._outputs[stack] = _stack_outputs(stack, self.files, self.install, env)
            return self._outputs[stack]

    def _targets_for(self, stack: str, env: dict[str, str]):
        """The ``--changed`` targets of ``stack``, computed once its state is at hand."""
        return ChangedTargets(self.environment, self._address_plan, self.settings.project_root, stack,
                              self.province_stack, lambda: self._province_outputs(env))


def _refuse_changed_on_operated(order: Sequence[str], environment: Environment, settings: EngineSettings) -> None:
    """``--changed`` does not know the per-project providers of an operators' stack (it would target
    resources without them): such a stack runs in full."""
    operated = set(operated_stack_names(environment.province, environment.name)) & set(order)
    if settings.changed_only and operated:
        raise UsageError(f"--changed cannot target {', '.join(sorted(operated))}: an operators' stack runs through "
                         "one provider per department project, which targeted runs do not register",
                         fix="run it without --changed (a full run changes only what differs)")


def _credentials(order: Sequence[str], environment: Environment,
                 settings: EngineSettings) -> dict[str, CloudCredentials]:
    """The credentials of every cloud the stacks use, read (not yet tried) before anything runs."""
    clouds_yaml = find_clouds_yaml(settings.clouds_yaml)
    found: dict[str, CloudCredentials] = {}
    for stack in order:
        of = stack_of(environment.province, environment.name, stack)
        cloud = settings.cloud or of.cloud
        if cloud in found:
            continue
        try:
            found[cloud] = load_credentials(cloud, clouds_yaml)
        except UsageError as exc:
            if of.part is not StackPart.OPERATED or settings.cloud:
                raise
            # The provincial team's clouds.yaml holds no operator's login: say whose stack it is.
            raise UsageError(f"{stack} is run by node {of.node.code}'s operators with their cloud {cloud!r}: "
                             f"{exc.message}", fix=f"leave {stack} to them (run the other stacks with --stack), or "
                             f"give --clouds-yaml a file holding {cloud!r}") from None
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
    env = engine_environment(install, settings, passphrase, credentials.engine_env(settings.region))
    env.update(checkpoint_env(operation))
    run_id = new_run_id()
    log_file = log_path(settings.logs, stack, operation.value, run_id)
    files = RunFiles.create(work_dir, settings.runs_dir, run_id)
    try:
        with leased(operation, settings, [stack], work_dir), EngineGuard() as guard, \
                log_file.open("w", encoding="utf-8") as log:
            printer = Progress(stack, operation.value, log, quiet=quiet)
            return StackRun(operation, stack, install, settings, env, printer, log_file, files, guard,
                             CloudAccess(credentials, settings.region), config=config).execute()
    finally:
        files.remove()


def _stack_outputs(stack_name: str, files: RunFiles, install: EngineInstall, env: dict[str, str]) -> dict | None:
    """A stack's outputs (plain values), or None when it does not exist or cannot be read."""
    try:
        # The scratch project: reading outputs needs the secrets provider, and the engine would
        # write the salt it finds in the state back into the settings file it reads.
        workspace = engine_workspace(files.scratch_project, install, env, files)
        if stack_name not in {s.name for s in workspace.list_stacks()}:
            return None
        with SELECT_LOCK:
            return {k: v.value for k, v in auto.Stack.select(stack_name, workspace).outputs().items()}
    except (auto.errors.CommandError, subprocess.CalledProcessError):  # see StackRun.execute
        return None


def project_workspace(work_dir: Path, install: EngineInstall, env: dict[str, str]):
    """A workspace over the project itself, for engine commands outside a :class:`StackRun`
    (drift's refresh preview, state export and import). Their callers keep the committed settings
    file as it was around the command (:mod:`.salt`)."""
    return auto.LocalWorkspace(work_dir=str(work_dir), pulumi_home=str(install.pulumi_home), env_vars=env,
                               secrets_provider="passphrase",
                               pulumi_command=auto.PulumiCommand(root=str(install.cli.parent.parent)))


def engine_environment(install: EngineInstall, settings: EngineSettings, passphrase: Path,
                       cloud_env: dict[str, str]) -> dict[str, str]:
    """The engine's environment: backend, passphrase file, the salt from the state, the cloud's credentials."""
    env = engine_env(install, settings.state_dir)
    env["PULUMI_BACKEND_URL"] = settings.backend()
    env.pop("PULUMI_CONFIG_PASSPHRASE", None)
    env["PULUMI_CONFIG_PASSPHRASE_FILE"] = str(passphrase)
    env.pop("OS_CLOUD", None)  # the variables below say exactly which cloud
    # The salt comes from the state, never from (or into) the committed settings file (.stackfiles).
    env[FALLBACK_VARIABLE] = "true"
    env.update(cloud_env)
    return env
