"""`govcloud ipam plan|show|export|free`."""

from __future__ import annotations

import sys
from enum import Enum

import typer

from ..ipam import load_ledger, plan_environment, to_json, to_netbox_csv, utilisation, write_ledger
from ..paths import ledger_file
from .common import ENV_OPTION, OutputFormat, console, load_env, print_json, print_table

app = typer.Typer(no_args_is_help=True, help="The address plan: allocate, show, export, free.")


class ExportFormat(str, Enum):
    JSON = "json"
    CSV = "csv"


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="ipam")


@app.command("plan")
def plan(env: str = ENV_OPTION,
         write_ledger_: bool = typer.Option(False, "--write-ledger", help="Record new allocations in the ledger."),
         full: bool = typer.Option(False, "--full", help="Re-plan everything against the ledger, even when the "
                                   "model only grew (the same result, slower)."),
         format: OutputFormat = OutputFormat.TABLE) -> None:
    """Plan addresses for every site, department and subnet; show what is new."""
    environment = load_env(env)
    result = plan_environment(environment, incremental=not full)
    written = None
    if write_ledger_ and (result.changed or not ledger_file(environment.path).is_file()):
        written = write_ledger(environment.path, result.ledger)
    data = {"env": environment.name, "allocations": len(result.allocations), "added": list(result.added),
            "released": list(result.released), "reactivated": list(result.reactivated),
            "ledger_written": str(written) if written else None}
    if format is OutputFormat.JSON:
        print_json(data)
        return
    _print_usage(result)
    verb = "written to " + str(written) if written else ("unchanged" if not result.changed else "not written "
                                                         "(use --write-ledger)")
    console.print(f"{len(result.added)} new, {len(result.released)} released, {len(result.reactivated)} "
                  f"reactivated; ledger {verb}")


@app.command("show")
def show(env: str = ENV_OPTION, level: str = typer.Option(None, help="Only this level (e.g. city, subnet)."),
         format: OutputFormat = OutputFormat.TABLE) -> None:
    """Show the allocations the plan holds (including ones not yet written to the ledger)."""
    result = plan_environment(load_env(env))
    rows = [a for a in sorted(result.allocations, key=lambda a: (a.prefix.version, a.prefix.first, a.prefix.prefixlen))
            if level is None or a.level.value == level]
    if level is not None and not rows:
        known = sorted({a.level.value for a in result.allocations})
        from ..errors import UsageError

        raise UsageError(f"--level {level!r}: no allocations at that level", fix=f"use one of {', '.join(known)}")
    if format is OutputFormat.JSON:
        print_json([a.to_dict() for a in rows])
        return
    print_table("allocations", ["key", "prefix", "level", "parent", "status"],
                [[a.key, a.prefix, a.level.value, a.parent or "", a.status.value] for a in rows])


@app.command("export")
def export(env: str = ENV_OPTION, format: ExportFormat = typer.Option(..., help="json, or csv for NetBox.")) -> None:
    """Export the plan as JSON, or as CSV that NetBox's bulk prefix import accepts."""
    result = plan_environment(load_env(env))
    if format is ExportFormat.JSON:
        print_json(to_json(result))
    else:
        sys.stdout.write(to_netbox_csv(result))


@app.command("free")
def free(env: str = ENV_OPTION, key: str = typer.Argument(..., help="Ledger key of a released allocation.")) -> None:
    """Free a released prefix so that it may be handed out again."""
    environment = load_env(env)
    ledger = load_ledger(environment.path).free(key)
    write_ledger(environment.path, ledger)
    console.print(f"freed {key}")


def _print_usage(result) -> None:
    print_table("utilisation per level", ["level", "prefix", "count", "released", "used"],
                [[u.level, f"/{u.prefixlen}" if u.prefixlen else "mixed", u.count, u.released,
                  f"{u.utilisation:.1%}" if u.utilisation else "-"] for u in utilisation(result)])


