"""One operation on one stack: release a dead run's lock, resolve what a killed run left pending,
take over what a killed run without checkpoints created (:mod:`.journal`), refuse an empty state
over existing objects, run the engine (journaled while it runs without checkpoints), clean up
after a destroy.

Every engine command that does not run the program works in the run's scratch project and
every one that does gets the run's private settings copy (:mod:`.stackfiles`), so none writes a
committed file. The engine runs through the session wrapper of :mod:`.signals`.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import warnings
from datetime import datetime, timezone
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pulumi import automation as auto
from pulumi.automation import Deployment

from ..stackgraph import StackGraph
from ..stackgraph.scope import CONFIG_KEY as SCOPE_KEY
from ..errors import EngineError
from ..paths import PROJECT_FILE
from . import cleanup
from .bgpplacement import settle, stack_speakers
from .bgpreseat import reseat, speakers_to_reseat
from .adoption import existing_objects, plan_adoption, plan_takeover, refuse_existing, state_is_empty
from .checkpoints import SKIP_CHECKPOINTS, skips_checkpoints
from .cloudfind import FINDERS, CloudFinder
from .credentials import CloudCredentials
from .failures import backend_error, engine_error, killed_by_signal
from .journal import (JournalEntry, Recovery, clear_journal, journal_path, read_journal, recovery_for, saved_after,
                      write_journal)
from .discovery import EngineInstall
from .lease import Holder, all_held
from .locks import release_stale_locks
from .outcome import Operation, StackResult
from .progress import Progress, normalise_changes
from .resume import (apply_resolutions, partly_created, pending_operations, plan_recovery, refresh_arguments,
                     uncertain_create, with_uncertain_creates)
from .services import check_services, services_for
from .settings import EngineSettings
from .signals import EngineGuard, engine_command_root
from .stackfiles import RunFiles
from .tornwrite import repair_torn_sidecars

# When the engine dies, the Automation API's event thread warns "Error in event stream" on stderr;
# the run's own error already says what happened, once.
warnings.filterwarnings("ignore", message="Error in event stream", category=UserWarning)

# `pulumi stack init|select` rewrite the workspace's selected-stack file: one at a time (--jobs).
SELECT_LOCK = threading.Lock()


def engine_workspace(work_dir: Path, install: EngineInstall, env: dict[str, str], files: RunFiles):
    # The engine runs through a wrapper that gives it a session of its own (see .signals).
    root = engine_command_root(install.cli, files.run_dir.parent.parent / "engine-wrapper")
    return auto.LocalWorkspace(work_dir=str(work_dir), pulumi_home=str(install.pulumi_home), env_vars=env,
                               secrets_provider="passphrase", pulumi_command=_command(root, install.cli))


_COMMANDS: dict[tuple[str, str], auto.PulumiCommand] = {}
_COMMANDS_LOCK = threading.Lock()


def _command(root: Path, cli: Path) -> auto.PulumiCommand:
    """One PulumiCommand per wrapper and CLI: making one runs `pulumi version` (a CLI start, about
    0.3 s), and a stack run makes up to three workspaces, seventeen stacks fifty-one."""
    key = (str(root), str(cli))
    with _COMMANDS_LOCK:
        if key not in _COMMANDS:
            _COMMANDS[key] = auto.PulumiCommand(root=str(root))
        return _COMMANDS[key]


class CloudAccess:
    """One cloud and region, with connections opened on first use (most runs need none)."""

    def __init__(self, credentials: CloudCredentials, region: str | None) -> None:
        self.credentials, self.region = credentials, region or credentials.region
        self._connections: dict[str | None, object] = {}

    def connection(self, region: str | None = None):
        region = region or self.region
        if region not in self._connections:
            import openstack  # lazy: openstacksdk (about 2 s) only when the cloud is asked

            self._connections[region] = openstack.connect(
                load_yaml_config=False, load_envvars=False, auth_type="password", auth=dict(self.credentials.auth),
                region_name=region)
        return self._connections[region]

    def finder(self, region: str | None = None) -> CloudFinder:
        return CloudFinder(self.connection(region))

    # An ObjectFinder (see .resume) that connects only when a lookup is needed, and looks where
    # the object lives: a DR pair's side b is in another region than the stack's own.
    def can_find(self, type_: str) -> bool:
        return type_ in FINDERS

    def find(self, type_: str, inputs) -> list[str]:
        return self._finder_for(inputs).find(type_, inputs)

    def find_created(self, type_: str, inputs) -> tuple[list[str], bool]:
        return self._finder_for(inputs).find_created(type_, inputs)

    def _finder_for(self, inputs) -> CloudFinder:
        region = inputs.get("region")
        return self.finder(region if isinstance(region, str) and region else None)

    def check(self, types: Sequence[str], during: str = "") -> None:
        """EngineError naming the first service the types need that does not answer."""
        check_services(self.connection(), services_for(types), during)


@dataclass
class StackRun:
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
    cloud: CloudAccess
    graph: StackGraph | None = None  # govcloud's own stacks: the services they need, the objects they name
    config: dict[str, str] | None = None
    targets: Callable | None = None  # --changed: the deployment -> TargetSelection (see .changed)
    recovered: list[str] = field(default_factory=list)
    recovery: Recovery = field(default_factory=lambda: Recovery("none"))
    skip_checkpoints: bool = False  # decided once the state is read (see .checkpoints)
    journaled_at: datetime | None = None  # when this run wrote its journal entry (None: it wrote none)

    def execute(self) -> StackResult:
        """Run the operation (the caller holds the stack's lease when it changes the state: :func:`leased`)."""
        started = time.monotonic()
        work_dir = self.files.project_root
        if self.graph is not None:
            self.cloud.check(self._types())
        self.guard.check(self.operation.value, self.stack_name)  # a stop signal before we started: start nothing
        try:
            released = release_stale_locks(self.env["PULUMI_BACKEND_URL"], _project_name(work_dir), self.stack_name)
            self._note(f"released the lock of a run that died: {lock.describe()}" for lock in released)
            torn = repair_torn_sidecars(self.env["PULUMI_BACKEND_URL"], _project_name(work_dir), self.stack_name)
            self._note(f"removed {path.name}, which a killed run left half-written in the state backend"
                       for path in torn)
            # Create (or find) the stack in the scratch project: `stack init` writes the salt there.
            scratch = engine_workspace(self.files.scratch_project, self.install, self.env, self.files)
            workspace = engine_workspace(work_dir, self.install, self.env, self.files)
            with SELECT_LOCK:
                auto.Stack.create_or_select(self.stack_name, scratch)
                stack = auto.Stack.select(self.stack_name, workspace)
        except (auto.errors.CommandError, subprocess.CalledProcessError) as exc:
            # `PulumiCommand` runs `pulumi version` itself: a stop signal forwarded to it lands here.
            self.guard.check(self.operation.value, self.stack_name)
            raise backend_error(self.stack_name, self.settings, exc) from None
        try:
            if self.config:
                stack.set_all_config({k: auto.ConfigValue(v) for k, v in self.config.items()})
            config_file = str(self.files.config_file(self.stack_name, _stack_config_dir(work_dir)))
            if self.operation is not Operation.PREVIEW:
                self._before(workspace, config_file)
            self.guard.check(self.operation.value, self.stack_name)
            selection = self._selection()
            if selection is not None and selection.diff.empty:
                self._finish_journal()  # the state holds the whole plan: nothing is left to recover
                return StackResult(self.stack_name, self.operation.value, normalise_changes(None), 0.0,
                                   str(self.log_file), {}, "no difference between the plan and the state",
                                   recovered=self.recovered, targeted=0)
            self._start_journal(stack)
            changes, outputs = self._operate(stack, config_file, selection)
            self._finish_journal()  # the engine returned: its final state is saved
            if self.operation is Operation.DESTROY:
                self._after_destroy()
            elif self.operation is Operation.UP and self.graph is not None:
                self._after_up()
        except (auto.errors.CommandError, subprocess.CalledProcessError) as exc:
            self._settle_journal(exc, scratch)
            self._note_uncertain_creates()
            self.guard.check(self.operation.value, self.stack_name)
            if self.graph is not None:  # a service that went down mid-run is the likeliest cause: name it
                self.cloud.check(self._types(), during=f"{self.operation.value} of {self.stack_name} failed "
                                                       f"(log: {self.log_file}): ")
            raise engine_error(self.stack_name, self.operation, exc, self.log_file) from None
        self.guard.check(self.operation.value, self.stack_name)
        return StackResult(self.stack_name, self.operation.value, changes, round(time.monotonic() - started, 2),
                           str(self.log_file), outputs, recovered=self.recovered,
                           targeted=len(selection.targets) if selection is not None else None)

    def _selection(self):
        """--changed: what differs between the plan and the state (None: run in full)."""
        if self.targets is None:
            return None
        # Exported from the scratch project: `stack export` has no --config-file and would write the salt.
        scratch = engine_workspace(self.files.scratch_project, self.install, self.env, self.files)
        selection = self.targets(scratch.export_stack(self.stack_name).deployment or {})
        if selection is not None:
            self.printer.targeted(selection)
        return selection

    def _operate(self, stack, config_file: str, selection=None) -> tuple[dict[str, int], dict]:
        common = {"on_output": self.printer.on_output, "on_event": self.printer.on_event,
                  "config_file": config_file}
        if self.settings.parallel:
            common["parallel"] = self.settings.parallel
        if selection is not None:
            common["target"] = list(selection.targets)
            common["target_dependents"] = True
            if selection.scope is not None:  # the program registers only these (see .registration)
                RunFiles.add_config(Path(config_file), f"govcloud:{SCOPE_KEY}", selection.scope.to_json())
            if self.settings.policy_packs:
                self.targets.check_policies()  # the offline baseline over the whole stack (see .changed)
        elif self.settings.policy_packs and self.operation in (Operation.PREVIEW, Operation.UP):
            # A mandatory violation makes the engine refuse the operation (CommandError).
            common["policy_packs"] = [str(pack) for pack in self.settings.policy_packs]
        if self.operation is Operation.PREVIEW:
            return normalise_changes(stack.preview(**common).change_summary), {}
        method = {Operation.UP: stack.up, Operation.DESTROY: stack.destroy, Operation.REFRESH: stack.refresh}
        # Without it the Automation API reads the result's summary with `stack history --show-secrets`,
        # which takes no --config-file and writes the salt it finds in the state into the committed file.
        common["show_secrets"] = False
        result = method[self.operation](**common)
        outputs = {k: ("[secret]" if v.secret else v.value) for k, v in getattr(result, "outputs", {}).items()}
        return normalise_changes(result.summary.resource_changes), outputs

    def _before(self, workspace, config_file: str) -> None:
        """Resolve what a killed run left pending or created; note a destroy's projects; refuse an
        empty state over existing objects; decide the checkpoints."""
        # Exported from the scratch project: `stack export` has no --config-file and would write the salt.
        scratch = engine_workspace(self.files.scratch_project, self.install, self.env, self.files)
        exported = scratch.export_stack(self.stack_name)
        deployment = exported.deployment or {}
        self.recovery = recovery_for(read_journal(self._journal), self.operation.value)
        self._note([self.recovery.describe()] if self.recovery.entry is not None else [])
        if self.recovery.action == "forget":
            clear_journal(self._journal)
        if self.operation is Operation.DESTROY:
            cleanup.remember(self._cleanup_note, cleanup.project_ids(deployment))
        resolved = self._resolve_pending(deployment, exported.version, scratch, workspace, config_file)
        if self.recovery.action == "refresh":  # a killed destroy: what it deleted leaves the state
            self._run_engine_command(workspace, ["refresh", "--stack", self.stack_name, "--yes", "--skip-preview",
                                                 "--non-interactive", "--config-file", config_file])
        if resolved or self.recovery.action == "refresh":
            deployment = scratch.export_stack(self.stack_name).deployment or {}
        empty = state_is_empty(deployment)
        # Only govcloud's own stacks skip by default: their objects can be found again (.adoption).
        self.skip_checkpoints = skips_checkpoints(self.operation, self.settings.skip_checkpoints,
                                                  empty and self.graph is not None)
        if self.recovery.action == "take-over":
            self._take_over(deployment, config_file)
        elif not resolved and self.operation is Operation.UP and self.graph is not None and empty:
            self._over_empty_state(config_file)

    def _resolve_pending(self, deployment: dict, version, scratch, workspace, config_file: str) -> bool:
        """Resolve the pending operations and partly created resources a killed run left (see
        .resume); whether there were any."""
        if self.operation is Operation.UP:  # creates a failed run may have made after all (see .resume)
            deployment = self._with_noted_creates(deployment)
        pending = pending_operations(deployment)
        partial = partly_created(deployment) if self.operation is Operation.UP else []
        if not (pending or partial):
            return False
        self._resolve(pending, partial, version, deployment, scratch, workspace, config_file)
        self._uncertain_note.unlink(missing_ok=True)
        return True

    def _over_empty_state(self, config_file: str) -> None:
        """A first `up`: adopt the stack's existing objects when asked, else refuse over them."""
        if self.settings.adopt:
            self._adopt(config_file)
            return
        found = existing_objects(self.graph, self.cloud)
        if found:
            raise refuse_existing(self.stack_name, self.env["PULUMI_BACKEND_URL"], found)

    def _adopt(self, config_file: str) -> None:
        """Give the program the IDs of the stack's existing objects to import (see .adoption)."""
        adopted = plan_adoption(self.graph, self.cloud)
        self._import_found(adopted, config_file)
        self._note([f"adopting {len(adopted)} existing objects found by name and tags (imported, not created)"])

    def _take_over(self, deployment: dict, config_file: str) -> None:
        """Give the program the IDs of what the killed run created to import (see .adoption)."""
        if self.graph is None:
            raise EngineError(f"{self.recovery.entry.describe()} did not finish, and {self.stack_name} is not "
                              f"one of govcloud's stacks: the objects it created cannot be looked up",
                              fix=f"delete what that run created, then remove {self._journal}")
        taken = plan_takeover(self.graph, deployment, self.cloud)
        self._import_found(taken, config_file)
        self._note(f"recovered {name}: the killed run had created it ({id_}); imported, not created again"
                   for name, id_ in taken.items())
        self._note([f"took over {len(taken)} objects the killed run created; the rest is created as planned"])

    @staticmethod
    def _import_found(ids: dict[str, str], config_file: str) -> None:
        """Hand the program the IDs of objects found in the cloud to import instead of creating
        (the ``govcloud:adopt`` setting; see .adoption), for an adoption and a take-over alike."""
        if ids:
            RunFiles.add_config(Path(config_file), "govcloud:adopt", json.dumps(ids, sort_keys=True))

    def _run_engine_command(self, workspace, arguments: list[str]) -> None:
        workspace.pulumi_command.run(arguments, str(self.files.project_root), self.env,
                                     on_output=self.printer.on_output, on_error=self.printer.on_output)

    @property
    def _journal(self) -> Path:
        return journal_path(self.settings.journal_dir, self.env["PULUMI_BACKEND_URL"],
                            _project_name(self.files.project_root), self.stack_name)

    def _start_journal(self, stack) -> None:
        """Skip the checkpoints or keep them (decided in _before); journal the run before its engine
        starts when it skips them or finishes a recovery (see .journal)."""
        if self.operation is Operation.PREVIEW:
            return
        if self.skip_checkpoints:
            stack.workspace.env_vars[SKIP_CHECKPOINTS] = "true"
        else:
            stack.workspace.env_vars.pop(SKIP_CHECKPOINTS, None)
        if self.skip_checkpoints or self.recovery.keeps_entry:
            self.journaled_at = datetime.now(timezone.utc)
            write_journal(self._journal, JournalEntry.now(self.stack_name, _project_name(self.files.project_root),
                                                          self.env["PULUMI_BACKEND_URL"], self.operation.value,
                                                          checkpoints=not self.skip_checkpoints))

    def _finish_journal(self) -> None:
        if self.journaled_at is not None or self.recovery.keeps_entry:
            clear_journal(self._journal)

    def _settle_journal(self, exc: Exception, scratch) -> None:
        """An engine that failed by itself (it exited with its error, no signal ended it) saved its
        final state on the way out: what it created is in the state, so its entry goes, and the
        next `destroy` is not refused for a run that owes nothing. Proof is asked of the state, not
        of the exit code (an engine that crashed exits with a code too): its snapshot must have
        been written after this run's entry. A killed engine's entry stays for the next run."""
        if self.journaled_at is None or killed_by_signal(exc):
            return
        try:
            deployment = scratch.export_stack(self.stack_name).deployment or {}
        except auto.errors.CommandError:
            return  # the state cannot be read: keep the entry, the next run recovers
        if saved_after(deployment, self.journaled_at):
            self._finish_journal()
            self._note(["the engine failed but saved its final state: nothing is left to take over"])

    def _resolve(self, pending, partial, version, deployment, scratch, workspace, config_file: str) -> None:
        """Import the pending creates that happened, drop the rest, read the real state of both and
        of the partly created resources."""
        resolutions = plan_recovery(pending, self.cloud)
        if pending:
            edited = apply_resolutions(deployment, resolutions)
            scratch.import_stack(self.stack_name, Deployment(version=version or 3, deployment=edited))
        resolutions += partial
        refresh = refresh_arguments(self.stack_name, resolutions, config_file)
        if refresh is not None:
            self._run_engine_command(workspace, refresh)
        self._note(resolution.describe() for resolution in resolutions)

    @property
    def _uncertain_note(self) -> Path:
        """The creates the last failed `up` saw fail (see .resume.uncertain_create)."""
        return self.settings.cleanup_dir / f"{self.stack_name}.uncertain.json"

    def _note_uncertain_creates(self) -> None:
        """Note the failed creates the next `up` can look up (a type it cannot would stop that run:
        those are left to be created again, as before)."""
        findable = [uncertain_create(metadata) for metadata in self.printer.failed_creates
                    if self.cloud.can_find(metadata.type)]
        if findable:
            self._uncertain_note.parent.mkdir(parents=True, exist_ok=True)
            self._uncertain_note.write_text(json.dumps(findable), encoding="utf-8")

    def _with_noted_creates(self, deployment: dict) -> dict:
        """The deployment with the noted uncertain creates the state does not hold as pending creates;
        a note that adds none (a later run made them all) is done with."""
        try:
            noted = json.loads(self._uncertain_note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return deployment
        edited = with_uncertain_creates(deployment, [op for op in noted if isinstance(op, dict)]
                                        if isinstance(noted, list) else [])
        if len(edited["pending_operations"]) == len(deployment.get("pending_operations") or ()):
            self._uncertain_note.unlink(missing_ok=True)
        return edited

    @property
    def _cleanup_note(self) -> Path:
        return self.settings.cleanup_dir / f"{self.stack_name}.json"

    def _after_destroy(self) -> None:
        """Delete what Neutron made in the stack's projects (their `default` groups)."""
        noted = cleanup.read(self._cleanup_note)
        if noted:
            self._note(f"removed {line}" for line in cleanup.remove_leftovers(self.cloud.connection(), noted))
        self._cleanup_note.unlink(missing_ok=True)

    def _after_up(self) -> None:
        """Put each of the stack's BGP speakers on exactly one agent (see .bgpplacement), and
        re-seat its IPv6 speakers when a router behind them changed (see .bgpreseat); a speaker
        placed just now starts from the server's routes and needs no re-seat."""
        speakers = stack_speakers(self.graph)
        if not speakers:
            return
        conn = self.cloud.connection()
        placement = settle(conn, speakers)
        self._note(placement.lines)
        names = [name for name in speakers_to_reseat(self.graph, self.printer.changed_types)
                 if name not in placement.placed]
        if names:
            self._note(reseat(conn, names))

    def _types(self) -> list[str]:
        return [spec.type for spec in self.graph.resources] if self.graph is not None else []

    def _note(self, lines) -> None:
        for line in lines:
            self.recovered.append(line)
            self.printer.note(line)


@contextmanager
def leased(operation: Operation, settings: EngineSettings, stacks: Sequence[str],
           work_dir: Path | None = None) -> Iterator[None]:
    """Hold the leases of ``stacks`` (:mod:`.lease`) for anything but a preview, taken before any
    login or engine start: of two runs started at once exactly one proceeds, and the other is told
    at once who holds the stack and since when."""
    if operation is Operation.PREVIEW:
        yield
        return
    holder = Holder.me(f"govcloud {operation.value}", settings.project_root)
    project = _project_name(work_dir or settings.project_root)
    with all_held(settings.leases(), project, list(stacks), holder):
        yield


def _project_file(work_dir: Path) -> dict:
    try:
        data = yaml.safe_load((work_dir / PROJECT_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _project_name(work_dir: Path) -> str:
    return str(_project_file(work_dir).get("name") or work_dir.name)


def _stack_config_dir(work_dir: Path) -> str:
    return str(_project_file(work_dir).get("stackConfigDir") or ".")
