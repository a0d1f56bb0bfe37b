"""`govcloud doctor`: what is present and working, and for each problem the fix."""

from __future__ import annotations

import typer

from ..errors import OperationError
from .common import OutputFormat, console, print_json, print_table


def register(root: typer.Typer) -> None:
    root.command("doctor")(doctor)


def doctor(format: OutputFormat = OutputFormat.TABLE) -> None:
    """Check Python packages, the Pulumi engine and plugins, the OpenStack lab and the network lab's tools.

    Fails (exit 1) when something needs fixing."""
    from .. import diagnostics
    from ..lab.checks import LAB_CHECKS

    checks = diagnostics.run_checks(*LAB_CHECKS)
    problems = [c for c in checks if not c.ok]
    if format is OutputFormat.JSON:
        print_json([c.to_dict() for c in checks])
    else:
        print_table("govcloud doctor", ["area", "check", "", "found", "fix"],
                    [[c.area, c.name, "ok" if c.ok else "PROBLEM", c.detail, c.fix] for c in checks])
        console.print("all good" if not problems else f"{len(problems)} problem(s): see the fix column")
    if problems:
        raise OperationError(f"doctor found {len(problems)} problem(s): "
                             + ", ".join(f"{c.area}/{c.name}" for c in problems),
                             fix="apply the fix given for each problem, then run `govcloud doctor` again")
