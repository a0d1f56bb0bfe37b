"""The `govcloud` command: parse, call the library, map errors to exit codes. Nothing else."""

from __future__ import annotations

import sys

import typer

from .commands import (doctor, drift, engine, ipam, kpi, lab, migrate, netlab, network, plan, policy, report,
                       state)
from .commands import model as model_commands
from .errors import GovcloudError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Infrastructure as code for a 1+N provincial e-government cloud.")
for _group in (model_commands, ipam, engine, drift, plan, kpi, report, doctor, lab, policy, netlab, network, migrate,
               state):
    _group.register(app)


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
