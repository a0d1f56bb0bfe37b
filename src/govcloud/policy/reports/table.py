"""Findings and rules for the terminal (rich): one block per finding, then a summary by rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..rule import Enforcement, Rule
from ..checker import CheckResult


def print_findings(result: CheckResult, env: str, console: Console) -> None:
    """Each finding names its level, rule, stack, URN, clauses and fix; a count by rule follows."""
    for f in result.findings:
        style = "bold red" if f.level is Enforcement.MANDATORY else "yellow"
        console.print(f"[{style}]{f.level.value.upper()}[/] [bold]{f.rule_id}[/] ({f.severity.value}) "
                      f"{escape(f.stack)}: {escape(f.message)}", highlight=False, emoji=False)
        console.print(f"  resource: {escape(f.urn)}", highlight=False, soft_wrap=True, emoji=False)
        for location in f.locations:
            console.print(f"  {location.kind + ':':<9} {escape(str(location))}", highlight=False, soft_wrap=True,
                          emoji=False)
        console.print(f"  clauses:  {', '.join(f.clauses)}", highlight=False, emoji=False)
        console.print(f"  fix:      {escape(f.remediation)}", highlight=False, emoji=False)
    if result.findings:
        counts = Counter((f.rule_id, f.level) for f in result.findings)
        titles = {r.id: r.title for r in result.rules}
        table = Table(title=f"findings by rule: {env}")
        for column in ("rule", "level", "count", "title"):
            table.add_column(column, overflow="fold")
        for (rule_id, level), count in sorted(counts.items(), key=lambda kv: (kv[0][1].value != "mandatory", kv[0][0])):
            table.add_row(rule_id, level.value, str(count), titles.get(rule_id, ""))
        console.print(table)
    _print_waivers(result, console)
    verdict = "[green]passed[/]" if result.passed else "[red]FAILED[/]"
    waivers = ""
    if result.waived or result.expired_waivers:
        waivers = f", {len(result.waived)} waived, {len(result.expired_waivers)} expired waiver(s)"
    if result.changes is not None:
        console.print(f"changes {result.changes}", highlight=False, emoji=False)
        for f in result.changes.fixed:
            console.print(f"  [green]fixed[/] {f.rule_id} {escape(f.stack)}: {escape(f.message)}", highlight=False,
                          emoji=False)
    console.print(f"{verdict}: {len(result.mandatory)} mandatory, {len(result.advisory)} advisory finding(s){waivers}; "
                  f"{len(result.rules)} rules over {result.resources} resources in {len(result.stacks)} stack(s)",
                  highlight=False, emoji=False)


def _print_waivers(result: CheckResult, console: Console) -> None:
    for item in result.waived:
        f, w = item.finding, item.waiver
        console.print(f"[cyan]WAIVED[/] [bold]{f.rule_id}[/] {escape(f.stack)}: {escape(f.message)}", highlight=False,
                      emoji=False)
        console.print(f"  resource: {escape(f.urn)}", highlight=False, soft_wrap=True, emoji=False)
        console.print(f"  waiver:   {escape(w.owner)} until {w.expires.isoformat()}: {escape(w.reason)} "
                      f"({escape(w.file)}:{w.line})", highlight=False, soft_wrap=True, emoji=False)
    for w in result.expired_waivers:
        console.print(f"[bold red]EXPIRED WAIVER[/] {escape(str(w))}: {escape(w.reason)}", highlight=False,
                      soft_wrap=True, emoji=False)
        console.print("  fix:      renew it after review (a new expires date) or fix the finding and delete the "
                      "waiver", highlight=False, emoji=False)
    for w in result.unused_waivers:
        console.print(f"[yellow]UNUSED WAIVER[/] {escape(str(w))}: no such finding any more; delete it",
                      highlight=False, soft_wrap=True, emoji=False)


def print_rules(rules: Sequence[Rule], levels: Mapping[str, Enforcement], console: Console) -> None:
    table = Table(title=f"govcloud baseline: {len(rules)} rules")
    for column in ("id", "title", "severity", "level", "scope", "clauses"):
        table.add_column(column, overflow="fold")
    for rule in rules:
        table.add_row(rule.id, rule.title, rule.severity.value, levels.get(rule.id, rule.enforcement).value,
                      rule.scope.value, ", ".join(rule.clauses))
    console.print(table)
