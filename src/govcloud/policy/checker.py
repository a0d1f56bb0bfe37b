"""The offline checker: the baseline over stack graphs, findings out. Pure apart from the timing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..stackgraph.spec import ROOT_STACK_TYPE, StackGraph
from .context import PolicyContext, Settings
from .locate import Locator, Subject
from .registry import all_rules
from .rule import Enforcement, Finding, Rule, Scope
from .view import StackView, stack_view_from_graph


@dataclass(frozen=True)
class CheckResult:
    """Findings of one run, and what was checked."""

    findings: tuple[Finding, ...]
    stacks: tuple[str, ...]
    resources: int
    rules: tuple[Rule, ...]
    levels: dict[str, Enforcement] = field(default_factory=dict)
    waived: tuple[Any, ...] = ()
    """Findings a live waiver accepts (:class:`~govcloud.policy.waivers.WaivedFinding`): reported, not counted."""
    expired_waivers: tuple[Any, ...] = ()
    """Waivers past their date: each fails the check until renewed or removed."""
    unused_waivers: tuple[Any, ...] = ()
    """Live waivers that match no finding (fixed since: delete them)."""
    changes: Any = None
    """With ``--changed-since``: the :class:`~govcloud.policy.changes.ChangeSummary`; ``findings`` then
    holds only the new ones."""

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def advisory(self) -> list[Finding]:
        return [f for f in self.findings if f.level is Enforcement.ADVISORY]

    @property
    def passed(self) -> bool:
        return not self.mandatory and not self.expired_waivers


def check_stack(view: StackView, rules: Sequence[Rule] | None = None, settings: Settings | None = None,
                locator: Locator | None = None) -> list[Finding]:
    """Run ``rules`` (default: the baseline) over one stack at the settings' enforcement levels;
    with a ``locator``, each finding names the lines to edit."""
    rules = all_rules() if rules is None else rules
    settings = settings or (view.context.settings if view.context else Settings())
    node = view.node
    by_urn: dict[str, object] = {}
    findings: list[Finding] = []
    resource_rules: dict[str, list[tuple[Rule, object]]] = {}
    for rule in rules:
        level = settings.level_of(rule)
        if level is Enforcement.DISABLED:
            continue

        def report(message: str, urn: str | None = None, subject: Subject | None = None, _rule: Rule = rule,
                   _level: Enforcement = level) -> None:
            if urn and not by_urn:
                by_urn.update((r.urn, r) for r in view.resources)
            resource = by_urn.get(urn) if urn else None
            locations = () if locator is None else locator.locate(
                stack=view.stack, node=node, resource=resource, subject=subject, settings=_rule.settings)
            findings.append(Finding(
                rule_id=_rule.id, title=_rule.title, severity=_rule.severity, level=_level, clauses=_rule.clauses,
                stack=view.stack, urn=urn or view.root_urn, resource_type=resource.type if resource else ROOT_STACK_TYPE,
                resource_name=resource.name if resource else view.stack, message=message,
                remediation=_rule.remediation, locations=locations))

        if rule.scope is Scope.STACK:
            rule.check(view, report)
        else:
            for token in rule.resource_types or {r.type for r in view.resources}:
                resource_rules.setdefault(token, []).append((rule, report))
    # Resource rules by type: each resource meets only the rules that read its type.
    for resource in view.resources:
        for rule, report in resource_rules.get(resource.type, ()):
            rule.check(resource, report)
    return findings


def check_graphs(graphs: Iterable[StackGraph], context: PolicyContext | None,
                 rules: Sequence[Rule] | None = None, *, locate: bool = True) -> CheckResult:
    """The baseline over every graph; findings ordered by stack, then rule, then URN. With
    ``locate`` (and a context that knows its files) each finding names the lines to edit."""
    rules = tuple(all_rules() if rules is None else rules)
    settings = context.settings if context else Settings()
    locator = context.locator if locate and context is not None else None
    findings: list[Finding] = []
    stacks: list[str] = []
    count = 0
    for graph in graphs:
        view = stack_view_from_graph(graph, context)
        stacks.append(graph.stack)
        count += len(view.resources)
        findings.extend(check_stack(view, rules, settings, locator))
    findings.sort(key=lambda f: (f.stack, f.rule_id, f.urn, f.message))
    return CheckResult(tuple(findings), tuple(stacks), count, rules, {r.id: settings.level_of(r) for r in rules})
