"""What a rule is: metadata (id, title, severity, enforcement, clauses, remediation) around a pure check.

A check never raises on a violation and never returns one: it calls ``report(message, urn)``, the
same callback shape pulumi-policy hands its validators, so one function serves the offline runner
and the CrossGuard pack. Resource checks see one :class:`~govcloud.policy.view.ResourceView`;
stack checks see a :class:`~govcloud.policy.view.StackView` with every resource of the stack.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .locate import SourceLocation

Report = Callable[..., None]
"""``report(message, urn=None, subject=None)``: record one violation; ``urn`` None means the stack as
a whole; ``subject`` names the model entry at fault (``("systems", code, field…)``) when the
resource's tags do not (only the offline runner uses it: the engine shows no files)."""


class Severity(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Enforcement(str, Enum):
    """What a violation does: block the deployment, warn, or nothing (the rule does not run)."""

    MANDATORY = "mandatory"
    ADVISORY = "advisory"
    DISABLED = "disabled"


class Scope(str, Enum):
    RESOURCE = "resource"
    STACK = "stack"


@dataclass(frozen=True)
class Rule:
    """One policy: its metadata and its check. Calling the rule calls the check."""

    id: str
    title: str
    severity: Severity
    enforcement: Enforcement
    clauses: tuple[str, ...]
    remediation: str
    scope: Scope
    check: Callable[[Any, Report], None] = field(repr=False)
    resource_types: tuple[str, ...] = ()
    """For resource rules: the type tokens the check reads (empty: every type)."""
    settings: tuple[str, ...] = ()
    """Stack settings (``govcloud:<key>`` without the namespace) whose values the check judges: a
    finding on a resource carrying such a value points at the settings line too."""

    @property
    def area(self) -> str:
        return self.id.split("-")[1]

    def applies_to(self, resource_type: str) -> bool:
        return not self.resource_types or resource_type in self.resource_types

    def __call__(self, subject: Any, report: Report) -> None:
        if self.scope is Scope.RESOURCE and not self.applies_to(subject.type):
            return
        self.check(subject, report)


def _rule(scope: Scope, *, id: str, title: str, severity: Severity, clauses: tuple[str, ...], remediation: str,
          enforcement: Enforcement = Enforcement.MANDATORY, types: tuple[str, ...] = (),
          settings: tuple[str, ...] = ()):
    def wrap(check: Callable[[Any, Report], None]) -> Rule:
        return Rule(id=id, title=title, severity=severity, enforcement=enforcement, clauses=clauses,
                    remediation=remediation, scope=scope, check=check, resource_types=types, settings=settings)

    return wrap


def resource_rule(**meta) -> Callable[[Callable], Rule]:
    """Decorate ``check(resource, report)`` into a resource :class:`Rule`."""
    return _rule(Scope.RESOURCE, **meta)


def stack_rule(**meta) -> Callable[[Callable], Rule]:
    """Decorate ``check(stack, report)`` into a stack :class:`Rule`."""
    return _rule(Scope.STACK, **meta)


@dataclass(frozen=True)
class Finding:
    """One violation, with everything a reader needs to act on it."""

    rule_id: str
    title: str
    severity: Severity
    level: Enforcement
    clauses: tuple[str, ...]
    stack: str
    urn: str
    resource_type: str
    resource_name: str
    message: str
    remediation: str
    locations: tuple[SourceLocation, ...] = ()
    """Where to edit, first where to start: a causing stack setting, then the model entry."""

    @property
    def blocking(self) -> bool:
        return self.level is Enforcement.MANDATORY

    @property
    def fingerprint(self) -> str:
        """The finding's identity across runs: rule, resource and message without its asides, not
        the line (moving an entry in a file keeps it, as code scanning and waivers need)."""
        return fingerprint(self.rule_id, self.urn, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule_id, "title": self.title, "severity": self.severity.value,
                "level": self.level.value, "clauses": list(self.clauses), "stack": self.stack, "urn": self.urn,
                "type": self.resource_type, "name": self.resource_name, "message": self.message,
                "fix": self.remediation, "fingerprint": self.fingerprint,
                "locations": [location.to_dict() for location in self.locations]}


_ASIDE = re.compile(r"\s*\([^()]*\)")


def identity(message: str) -> str:
    """A message without its asides in parentheses. Messages put there what surrounds the fault
    rather than the fault itself (the exits the plan designates, a node's zones, a department's
    blocks): an unrelated edit to those (designating another exit) must not give a finding a new
    identity, which would orphan its waiver and show it as new in code scanning."""
    return _ASIDE.sub("", message)


def fingerprint(rule_id: str, urn: str, message: str) -> str:
    """A finding's identity: the same offline and in the engine's pack (waivers match either)."""
    return hashlib.sha256(f"{rule_id}|{urn}|{identity(message)}".encode()).hexdigest()
