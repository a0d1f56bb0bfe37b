"""Findings as SARIF 2.1.0 (OASIS), for code-scanning dashboards.

Resources have no source file: each result names its resource by a logical location whose
fully qualified name is the URN, and the stack as the location's parent. Mandatory findings are
``error``, advisory ones ``warning``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ... import __version__
from ..clauses import CLAUSES
from ..rule import Enforcement, Rule, Severity
from ..runner import CheckResult

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


def to_sarif(result: CheckResult, env: str) -> dict[str, Any]:
    rules = list(result.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in result.findings:
        fingerprint = hashlib.sha256(f"{f.rule_id}|{f.urn}|{f.message}".encode()).hexdigest()
        results.append({
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": _level(f.level),
            "message": {"text": f"{f.message}. Fix: {f.remediation}"},
            "locations": [{"logicalLocations": [
                {"name": f.resource_name, "fullyQualifiedName": f.urn, "kind": "resource"},
            ]}],
            "partialFingerprints": {"govcloudFinding/v1": fingerprint},
            "properties": {"stack": f.stack, "resourceType": f.resource_type, "clauses": list(f.clauses),
                           "enforcement": f.level.value, "severity": f.severity.value},
        })
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
            "results": results,
            "properties": {"env": env, "stacks": list(result.stacks)},
        }],
    }
