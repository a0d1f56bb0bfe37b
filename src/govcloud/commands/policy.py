"""`govcloud policy check|list`: the baseline over the offline plan, and the rule catalogue."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from ..errors import PolicyViolation, UsageError
from ..policy import all_rules, check_environment, load_settings, settings_path
from ..policy.reports import print_findings, print_rules, rules_markdown, to_json, to_junit, to_sarif
from .common import ENV_OPTION, console, project_root

app = typer.Typer(no_args_is_help=True, help="Policy as code: the government baseline (MLPS 2.0, GB/T 39786, the plan).")


class CheckFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"


class ListFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        console.print(f"written to {output}", highlight=False)


@app.command("check")
def check(env: str = ENV_OPTION,
          stack: list[str] = typer.Option(None, "--stack", "-s", help="A stack to check (repeatable)."),
          all_stacks: bool = typer.Option(False, "--all", help="Check every stack of the environment."),
          format: CheckFormat = typer.Option(CheckFormat.TABLE, "--format", "-f"),
          output: Path = typer.Option(None, "--output", "-o", help="Write the report to this file.")) -> None:
    """Run the baseline over the offline plan; exit 1 when a mandatory rule fails."""
    if bool(stack) == all_stacks:
        raise UsageError("give --stack S (one or more) or --all", fix="e.g. --stack lab-province, or --all")
    context, result, _ = check_environment(env, project_root(), stack or None)
    if format is CheckFormat.TABLE:
        if output is None:
            print_findings(result, context.env, console)
        else:
            from rich.console import Console

            with output.open("w", encoding="utf-8") as handle:
                print_findings(result, context.env, Console(file=handle, width=200))
    elif format is CheckFormat.JSON:
        _write(json.dumps(to_json(result, context.env), indent=2, ensure_ascii=False) + "\n", output)
    elif format is CheckFormat.SARIF:
        _write(json.dumps(to_sarif(result, context.env), indent=2, ensure_ascii=False) + "\n", output)
    else:
        _write(to_junit(result, context.env), output)
    if not result.passed:
        raise PolicyViolation(f"{len(result.mandatory)} mandatory finding(s) in {context.env}",
                              findings=result.mandatory,
                              fix="fix each finding as its 'fix' says, or change the model it comes from")


@app.command("list")
def list_rules(env: str = typer.Option(None, "--env", "-e", help="Show the levels of this environment."),
               format: ListFormat = typer.Option(ListFormat.TABLE, "--format", "-f")) -> None:
    """The rules of the baseline (``--format markdown`` generates docs/policy-rules.md)."""
    rules = all_rules()
    levels = {}
    if env is not None:
        from ..model import resolve_env

        name = resolve_env(env, project_root()).name
        settings = load_settings(settings_path(project_root(), name), {r.id for r in rules})
        levels = {r.id: settings.level_of(r) for r in rules}
    if format is ListFormat.MARKDOWN:
        sys.stdout.write(rules_markdown(rules))
    elif format is ListFormat.JSON:
        sys.stdout.write(json.dumps([{"id": r.id, "title": r.title, "severity": r.severity.value,
                                      "level": levels.get(r.id, r.enforcement).value, "scope": r.scope.value,
                                      "clauses": list(r.clauses), "remediation": r.remediation} for r in rules],
                                    indent=2, ensure_ascii=False) + "\n")
    else:
        print_rules(rules, levels, console)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="policy")
