"""`govcloud plan`: every stack's resource graph, offline (no engine, no cloud, no credentials)."""

from __future__ import annotations

import typer
from ..terminal import make_console

from ..errors import UsageError
from ..ipam import plan_environment
from ..stackgraph import plan_stack, stack_names
from ..stackgraph.options import read_stack_options
from ..stackgraph.listing import graph_to_json, summary, totals
from .common import ENV_OPTION, OutputFormat, load_env, print_json, print_table, project_root

# Type tokens such as ``govcloud:cloud:DepartmentTenant`` must not turn into emoji (``:cloud:``).
console = make_console(emoji=False, highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)


def selected_stacks(all_names: list[str], stack: list[str] | None, all_: bool) -> list[str]:
    """The stacks a command acts on: ``--stack`` (repeatable) or ``--all``, exactly one of them."""
    if bool(stack) == all_:
        raise UsageError("give --stack NAME (one or more) or --all", fix=f"stacks: {', '.join(all_names)}")
    if all_:
        return all_names
    unknown = [s for s in stack if s not in all_names]
    if unknown:
        raise UsageError(f"--stack {unknown[0]!r} is not a stack of this environment",
                         fix=f"use one of {', '.join(all_names)}")
    return [s for s in all_names if s in stack]


def plan(env: str = ENV_OPTION,
         stack: list[str] = typer.Option(None, "--stack", "-s", help="A stack name (repeatable)."),
         all_: bool = typer.Option(False, "--all", help="Every stack of the environment."),
         format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", help="table or json."),
         resources: bool = typer.Option(False, "--resources", help="Table: list every resource's URN.")) -> None:
    """Show each stack's resource graph (URN, type, name, inputs, parent, dependencies), offline."""
    environment = load_env(env)
    province = environment.province
    names = selected_stacks(stack_names(province, environment.name), stack, all_)
    address_plan = plan_environment(environment)
    root = project_root()
    graphs = [plan_stack(province, address_plan, environment.name, s, read_stack_options(root, s, environment.name))
              for s in names]
    if format is OutputFormat.JSON:
        print_json({"env": environment.name, "stacks": [graph_to_json(g) for g in graphs], "totals": totals(graphs)})
        return
    rows = []
    for graph in graphs:
        counts = summary(graph)
        rows.append([graph.stack, counts["resources"], counts["custom"], counts["components"]])
    print_table(f"offline plan of {environment.name}", ["stack", "resources", "cloud resources", "components"], rows,
                to=console)
    all_totals = totals(graphs)
    print_table("by type", ["type", "count"], [[t, n] for t, n in all_totals["byType"].items()], to=console)
    if resources:
        for graph in graphs:
            print_table(graph.stack, ["urn"], [[urn] for urn in graph.urns()], to=console)
    console.print(f"{all_totals['resources']} resources in {all_totals['stacks']} stacks")
