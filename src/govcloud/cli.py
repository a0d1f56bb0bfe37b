"""The `govcloud` command: parse, call the library, map errors to exit codes. Nothing else."""

from __future__ import annotations

import sys

import typer

from .commands.lazy import LazyCommand, lazy_group_class
from .errors import GovcloudError

# Every top-level command, in the order `govcloud --help` lists them: the module under
# govcloud.commands whose register() adds it (imported only when the command runs), and the summary
# the root's help shows (the command's own --help shows its docstring).
COMMANDS = {
    "validate": LazyCommand("model", "Load and validate an environment's model; print what it holds."),
    "preview": LazyCommand("engine", "Show what `up` would change, stack by stack."),
    "up": LazyCommand("engine", "Create or update the stacks' resources (the province first)."),
    "destroy": LazyCommand("engine", "Delete every resource of the stacks (the cities first)."),
    "refresh": LazyCommand("engine", "Read the resources' real state into the stacks' state."),
    "drift": LazyCommand("drift", "Report what changed outside govcloud (exit 0 none, 3 drift, 1 failed)."),
    "plan": LazyCommand("plan", "Show each stack's resource graph (URN, type, name, inputs, parent, "
                                "dependencies), offline."),
    "kpi": LazyCommand("kpi", "Cloud adoption, IPv6 coverage, exits consolidated and DR coverage, against the "
                              "plan's targets; per city and per node."),
    "report": LazyCommand("report", "KPIs against targets, cloud adoption and waves, the extranet, IPv6 quality, "
                                    "cloud supervision,\nDR and policy findings, and their trend; each run appends "
                                    "a snapshot to the environment's state."),
    "doctor": LazyCommand("doctor", "Check Python packages, the Pulumi engine and plugins, the OpenStack lab and "
                                    "the network lab's tools."),
    "ipam": LazyCommand("ipam", "The address plan: allocate, show, export, free."),
    "lab": LazyCommand("lab", "The local OpenStack lab (Keystone, Neutron, Nova, Glance, Cinder)."),
    "policy": LazyCommand("policy", "Policy as code: the government baseline (MLPS 2.0, GB/T 39786, the plan)."),
    "netlab": LazyCommand("netlab", "The network lab: routers, exits and hosts in network namespaces."),
    "inventory": LazyCommand("network", "Ansible inventories rendered from the model and the plan."),
    "rollout": LazyCommand("network", "Roll-outs across the extranet, in waves from the model."),
    "exits": LazyCommand("network", "Internet exits: find them all, fold them into the unified ones."),
    "migrate": LazyCommand("migrate", "Migration waves: plan, validate, render runbooks, mark progress."),
    "state": LazyCommand("state", "Backup and restore of a stack's state (export, verify, import)."),
}

app = typer.Typer(cls=lazy_group_class(COMMANDS), no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False,
                  help="Infrastructure as code for a 1+N provincial e-government cloud.")


@app.callback()
def _root() -> None:
    """The root group's callback: it makes `app` a group although no command is registered eagerly."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: every GovcloudError becomes one clear message and its exit code; usage
    errors (unknown option, bad value) exit 2 like bad input."""
    try:
        # Outside standalone mode click returns a command's typer.Exit code instead of exiting.
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except GovcloudError as exc:
        for line in str(exc).splitlines():
            typer.echo(f"error: {line}", err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):  # Ctrl-C outside an engine run: nothing was started
        typer.echo("error: interrupted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # click's usage errors, re-exported by typer
        exc.show()
        sys.exit(exc.exit_code)  # 2 for usage errors
    sys.exit(0)
