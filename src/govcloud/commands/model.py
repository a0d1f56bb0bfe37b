"""`govcloud validate`."""

from __future__ import annotations

from collections import Counter

import typer

from ..ipam import plan_environment
from ..ipam.conflicts import exit_conflicts
from ..model.loader import problems_error
from ..model.placement import capacity_problems
from .common import ENV_OPTION, OutputFormat, console, err_console, load_env, print_json


def register(root: typer.Typer) -> None:
    root.command("validate")(validate)


def validate(env: str = ENV_OPTION, format: OutputFormat = OutputFormat.TABLE) -> None:
    """Load and validate an environment's model; print what it holds."""
    environment = load_env(env)
    # A model is valid when it can be planned: the address plan (against the ledger, nothing
    # written) finds blocks too small for the plan's levels and a ledger edited by hand.
    plan = plan_environment(environment)
    conflicts = exit_conflicts(environment.province, plan)
    if conflicts:
        raise problems_error(environment, conflicts)
    p = environment.province
    # Capacity a node lacks for the systems the model places on it is flagged, not refused: the
    # migration plan is where it binds (see govcloud.model.placement).
    warnings = [str(e) for e in problems_error(environment, list(capacity_problems(p))).errors]
    for warning in warnings:
        err_console.print(f"warning: {warning}", markup=False, highlight=False)
    summary = {
        "env": environment.name,
        "path": str(environment.path),
        "nodes": len(p.nodes),
        "departments": len(p.departments),
        "sites": dict(Counter(s.tier.value for s in p.sites)),
        "links": len(p.links),
        "exits": dict(Counter(e.status.value for e in p.exits)),
        "systems": len(p.systems),
    }
    if format is OutputFormat.JSON:
        print_json({"valid": True, **summary, "warnings": warnings})
        return
    console.print(f"[green]valid[/green] {environment.name} ({environment.path}): {summary['nodes']} nodes, "
                  f"{summary['departments']} departments, {len(p.sites)} sites {summary['sites']}, "
                  f"{summary['links']} links, {len(p.exits)} exits {summary['exits']}, {summary['systems']} systems")
