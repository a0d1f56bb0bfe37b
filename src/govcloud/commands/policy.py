"""`govcloud policy check|list`: the baseline over the offline plan, and the rule catalogue."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import Enum
from pathlib import Path

import typer

from ..errors import PolicyViolation, UsageError
from ..policy import all_rules, check_environment, load_settings, settings_path
from ..policy.changes import check_changes
from ..policy.waivers import apply_waivers, load_waivers, waivers_path
from ..policy.reports import (print_findings, print_rules, rules_markdown, to_codequality, to_json, to_junit,
                              to_sarif)
from .common import ENV_OPTION, console, project_root

app = typer.Typer(no_args_is_help=True, help="Policy as code: the government baseline (MLPS 2.0, GB/T 39786, the plan).")


class CheckFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    CODEQUALITY = "codequality"


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
          output: Path = typer.Option(None, "--output", "-o", help="Write the report to this file."),
          waivers: Path = typer.Option(None, "--waivers", help="Waivers file (default: policies/govcloud-baseline/"
                                                               "waivers/<env>.yaml when it exists)."),
          changed_since: str = typer.Option(None, "--changed-since", metavar="GIT_REF",
                                            help="Report only the findings introduced since this commit (with "
                                                 "new, fixed and unchanged counts); fail only on new ones.")) -> None:
    """Run the baseline over the offline plan; exit 1 when a mandatory rule fails or a waiver has expired."""
    if bool(stack) == all_stacks:
        raise UsageError("give --stack S (one or more) or --all", fix="e.g. --stack lab-province, or --all")
    root = project_root()
    if changed_since is not None:
        from ..model import resolve_env

        name = resolve_env(env, root).name
        context, result = check_changes(env, root, changed_since, stack or None,
                                        waive=lambda found: _waive(found, root, name, waivers))
    else:
        context, result, _ = check_environment(env, root, stack or None)
        result = _waive(result, root, context.env, waivers)
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
    elif format is CheckFormat.CODEQUALITY:
        _write(json.dumps(to_codequality(result, context.env), indent=2, ensure_ascii=False) + "\n", output)
    else:
        _write(to_junit(result, context.env), output)
    if not result.passed:
        expired = f", {len(result.expired_waivers)} expired waiver(s)" if result.expired_waivers else ""
        raise PolicyViolation(f"{len(result.mandatory)} mandatory finding(s){expired} in {context.env}",
                              findings=result.mandatory,
                              fix="fix each finding as its 'fix' says, or change the model it comes from; renew "
                                  "or delete expired waivers")


def _waive(result, root: Path, env: str, path: Path | None):
    """Apply the environment's waivers (the given file, else the default one when it exists)."""
    if path is not None and not path.is_file():
        raise UsageError(f"--waivers {path}: no such file", fix="give the path of a waivers file")
    path = path or waivers_path(root, env)
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = str(path)
    return apply_waivers(result, load_waivers(path, shown, {r.id for r in all_rules()}), date.today())


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
