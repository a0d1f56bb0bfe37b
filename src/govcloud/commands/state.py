"""`govcloud state export|verify|import`: backup and restore of a stack's state."""

from __future__ import annotations

from pathlib import Path

import typer

from ..engine.settings import EngineSettings
from ..stackgraph import stack_names
from .common import ENV_OPTION, console, load_env, print_json, project_root

state_app = typer.Typer(no_args_is_help=True, help="Backup and restore of a stack's state (export, verify, import).")
BACKEND_OPTION = typer.Option(None, "--backend", help="Pulumi backend URL (default: the project's).")
LOCK_OPTION = typer.Option(None, "--lock-url", help="Folder URL (file://) of the stacks' leases (default: "
                           "inside a file:// backend).")


def _chosen(env: str, stack: str, backend: str | None, lock_url: str | None) -> tuple[str, EngineSettings]:
    """The stack (a stack of ``env``) and the engine settings: the flags, else the environment's state.yaml."""
    from ..engine.statesettings import state_location
    from ..errors import UsageError

    environment = load_env(env)
    names = stack_names(environment.province, environment.name)
    if stack not in names:
        raise UsageError(f"--stack {stack!r} is not a stack of {environment.name}",
                         fix=f"use one of {', '.join(names)}")
    location = state_location(environment.path, backend, lock_url)
    return stack, EngineSettings(project_root(), backend_url=location.backend, lock_url=location.lock_url)


@state_app.command("export")
def export(env: str = ENV_OPTION, stack: str = typer.Option(..., "--stack", "-s"),
           output: Path = typer.Option(..., "--output", "-o", help="The export file (a .sha256 goes beside it)."),
           backend: str = BACKEND_OPTION) -> None:
    """Write the stack's state (as `pulumi stack export` does) and its sha256."""
    from ..engine.statefile import export_state

    name, settings = _chosen(env, stack, backend, None)
    summary = export_state(settings, name, output)
    console.print(f"exported {summary.stack}: {summary.resources} resources to {output} (sha256 {summary.sha256[:12]}…)")


@state_app.command("verify")
def verify(file: Path = typer.Argument(..., help="An export written by `govcloud state export`."),
           json_output: bool = typer.Option(False, "--json", help="The summary as JSON.")) -> None:
    """Check an export's digest, that it parses and that its references hold (exit 2 if not)."""
    from ..engine.statefile import verify_file

    summary = verify_file(file)
    if json_output:
        print_json(summary.to_dict())
    else:
        console.print(f"{file}: intact; stack {summary.stack}, {summary.resources} resources, format "
                      f"v{summary.version}, {summary.pending_operations} pending operations")


@state_app.command("import")
def import_(file: Path = typer.Argument(..., help="An export written by `govcloud state export`."),
            env: str = ENV_OPTION, stack: str = typer.Option(..., "--stack", "-s"),
            backend: str = BACKEND_OPTION, lock_url: str = LOCK_OPTION) -> None:
    """Verify the export, then replace the stack's state with it (under the stack's lease)."""
    from ..engine.statefile import import_state

    name, settings = _chosen(env, stack, backend, lock_url)
    summary = import_state(settings, name, file)
    console.print(f"imported {summary.resources} resources into {summary.stack or stack} from {file}")


@state_app.command("unlock")
def unlock(env: str = ENV_OPTION, stack: str = typer.Option(..., "--stack", "-s"),
           backend: str = BACKEND_OPTION, lock_url: str = LOCK_OPTION) -> None:
    """Break a stack's lease by hand (when its run is gone for good); says whose it was."""
    from ..engine import lease
    from ..engine.stackrun import _project_name

    name, settings = _chosen(env, stack, backend, lock_url)
    broken = lease.unlock(settings.leases(), _project_name(settings.project_root), name)
    console.print(f"broke the lease of {stack} held by {broken.describe()}" if broken
                  else f"{stack} has no lease")


def register(app: typer.Typer) -> None:
    app.add_typer(state_app, name="state")
