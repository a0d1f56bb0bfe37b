"""`govcloud preview|up|destroy|refresh`: run the Pulumi engine on an environment's stacks."""

from __future__ import annotations

from pathlib import Path

import typer
from ..terminal import make_console
from rich.table import Table

from ..engine.parallel import StackOutcome, StacksFailed
from ..engine.automation import CHANGED_OPERATIONS, Operation, StackResult, run
from ..errors import UsageError
from ..engine.settings import EngineSettings
from ..engine.statesettings import state_location
from ..stackgraph import stack_names
from ..stackgraph.options import read_stack_options
from ..paths import POLICIES, POLICY_PACK, PULUMI_STATE, STATE, STATE_DIR_VARIABLE
from .common import ENV_OPTION, OutputFormat, load_env, print_json, project_root
from .plan import selected_stacks

console = make_console(stderr=True, emoji=False, highlight=False)
BASELINE_PACK = Path(POLICIES) / POLICY_PACK


def register(app: typer.Typer) -> None:
    for operation, help_text in (
        (Operation.PREVIEW, "Show what `up` would change, stack by stack."),
        (Operation.UP, "Create or update the stacks' resources (the province first)."),
        (Operation.DESTROY, "Delete every resource of the stacks (the cities first)."),
        (Operation.REFRESH, "Read the resources' real state into the stacks' state."),
    ):
        app.command(operation.value, help=help_text)(_command(operation))


def _command(operation: Operation):
    def command(env: str = ENV_OPTION,
                stack: list[str] = typer.Option(None, "--stack", "-s", help="A stack name (repeatable)."),
                all_: bool = typer.Option(False, "--all", help="Every stack of the environment."),
                format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", help="table or json."),
                parallel: int = typer.Option(None, "--parallel", min=1, help="Resource operations at once."),
                backend: str = typer.Option(None, "--backend", help="Pulumi backend URL (default: file:// "
                                            f"under {STATE}/{PULUMI_STATE} in the project, or {PULUMI_STATE}/ under "
                                            f"${STATE_DIR_VARIABLE})."),
                lock_url: str = typer.Option(None, "--lock-url", help="Folder URL (file://) all operators share "
                                             "for the stacks' leases (default: inside a file:// backend)."),
                cloud: str = typer.Option(None, "--cloud", help="clouds.yaml cloud to use instead of each "
                                          "node's cloud from the model."),
                clouds_yaml: Path = typer.Option(None, "--clouds-yaml", help="The clouds.yaml to read."),
                policy: bool = typer.Option(True, "--policy/--no-policy", help="Run the government baseline "
                                            "policy pack (preview and up; a mandatory violation blocks)."),
                jobs: int = typer.Option(None, "--jobs", "-j", min=1, help="City stacks at once after the "
                                         "province (default 1; e.g. the CPU count)."),
                changed: bool = typer.Option(False, "--changed", help="preview and up only: run the engine on "
                                             "what differs between the offline plan and the stack's state, plus "
                                             "everything depending on it (refused when that could miss a change)."),
                adopt: bool = typer.Option(False, "--adopt", help="up only, over an empty state: take over the "
                                           "stack's objects that already exist in OpenStack (found by name and "
                                           "govcloud's tags, imported unchanged) instead of refusing."),
                skip_checkpoints: bool | None = typer.Option(None, "--skip-checkpoints/--keep-checkpoints",
                                                      help="up, destroy and refresh: save the state once at the "
                                                      "end instead of after every step (much faster on big "
                                                      "stacks; a journal lets the next run take over what a "
                                                      "killed one created). Default: a stack's first up skips "
                                                      "them, other runs keep them. Previews always skip them.")
                ) -> None:
        if adopt and operation is not Operation.UP:
            raise UsageError(f"--adopt does not apply to {operation.value}", fix="use --adopt with up")
        if changed and operation not in CHANGED_OPERATIONS:
            raise UsageError(f"--changed does not apply to {operation.value}",
                             fix="use --changed with preview or up")
        environment = load_env(env)
        names = selected_stacks(stack_names(environment.province, environment.name), stack, all_)
        root = project_root()
        for name in names:  # a malformed settings file is bad input (exit 2), before the engine starts
            read_stack_options(root, name, environment.name)
        if policy:  # the pack reads these inside the engine, where a mistake would be an analyzer crash
            _check_pack_files(root, environment.name)
        packs = (root / BASELINE_PACK,) if policy else ()
        location = state_location(environment.path, backend, lock_url)
        settings = EngineSettings(root, backend_url=location.backend, lock_url=location.lock_url, cloud=cloud,
                                  clouds_yaml=clouds_yaml, parallel=parallel, policy_packs=packs, jobs=jobs,
                                  changed_only=changed,
                                  skip_checkpoints=skip_checkpoints, adopt=adopt)
        try:
            results = run(operation, environment, names, settings)
        except StacksFailed as failed:
            # Every stack that ran keeps its line in the summary; the first failure is the error.
            if format is OutputFormat.TABLE:
                _print_summary(operation, failed.results, failed.outcomes)
            else:
                print_json({"env": environment.name, "operation": operation.value,
                            "stacks": [r.to_dict() for r in failed.results],
                            "failed": {o.stack: str(o.error) for o in failed.outcomes if o.error},
                            "notRun": {o.stack: o.not_run for o in failed.outcomes if o.not_run}})
            raise
        if format is OutputFormat.JSON:
            print_json({"env": environment.name, "operation": operation.value,
                        "stacks": [r.to_dict() for r in results]})
        else:
            _print_summary(operation, results)

    command.__name__ = operation.value
    return command


def _check_pack_files(root: Path, env: str) -> None:
    """The baseline's environment file and waivers, read as the pack will: bad input (exit 2,
    file, line, fix) before the engine starts."""
    from ..policy import load_settings, settings_path
    from ..policy.registry import rule_ids
    from ..policy.waivers import load_waivers, waivers_path

    load_settings(settings_path(root, env), rule_ids())
    load_waivers(waivers_path(root, env), known_rules=rule_ids())


def _print_summary(operation: Operation, results: list[StackResult], outcomes: list[StackOutcome] = ()) -> None:
    table = Table(title=f"{operation.value}: changes per stack")
    for column in ("stack", "create", "update", "replace", "delete", "same", "seconds", "log"):
        table.add_column(column)
    for r in results:
        c = r.changes
        if r.skipped:
            table.add_row(r.stack, "", "", "", "", "", "", f"skipped: {r.skipped}")
            continue
        targeted = f" ({r.targeted} targeted)" if r.targeted is not None else ""
        table.add_row(r.stack, *(str(c.get(k, 0)) for k in ("create", "update", "replace", "delete", "same")),
                      f"{r.seconds:.1f}", r.log + targeted)
    for o in outcomes:
        if o.error is not None:
            table.add_row(o.stack, "", "", "", "", "", "", "FAILED (see below)")
        elif o.not_run:
            table.add_row(o.stack, "", "", "", "", "", "", f"not run: {o.not_run}")
    make_console(emoji=False, highlight=False).print(table)
    if not outcomes and not any(r.changed for r in results):
        make_console().print("no changes")
