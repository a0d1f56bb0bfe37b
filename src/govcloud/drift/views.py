"""A drift report as rows for a table, and as SARIF 2.1.0: the policy findings exactly as
``govcloud policy check`` writes them (same rule descriptors, clauses and fingerprints), plus one
``GOV-DRIFT-001`` result per difference, so one code-scanning upload shows both."""

from __future__ import annotations

import hashlib
from typing import Any

from ..policy.registry import all_rules
from ..policy.reports.sarif import to_sarif
from ..policy.checker import CheckResult
from .differences import DriftReport

DRIFT_RULE = {
    "id": "GOV-DRIFT-001",
    "name": "GOVDRIFT001",
    "shortDescription": {"text": "The live cloud or router matches the model"},
    "fullDescription": {"text": "A resource or router configuration changed outside govcloud since it was "
                                "deployed."},
    "help": {"text": "Bring it back with `govcloud drift --fix` (up or rollout), or change the model to match."},
    "defaultConfiguration": {"level": "error", "enabled": True},
    "properties": {"tags": ["drift", "govcloud"]},
}


def rows(report: DriftReport) -> list[list[str]]:
    """One row per difference: kind, where, what, change, in step until, detail."""
    out = []
    for d in report.differences:
        out.append([d.kind.value, d.where, d.what.rsplit("::", 1)[-1], d.change.value,
                    report.since.get(d.key) or "never seen in step", d.summary])
    return out


def finding_rows(report: DriftReport) -> list[list[str]]:
    return [[f.rule_id, f.severity.value, f.stack, f.resource_name, ", ".join(f.clauses), f.message]
            for f in report.findings]


def to_drift_sarif(report: DriftReport) -> dict[str, Any]:
    rules = tuple(all_rules())
    result = CheckResult(tuple(report.findings), tuple(report.checked), 0, rules)
    sarif = to_sarif(result, report.env)
    run = sarif["runs"][0]
    run["tool"]["driver"]["rules"].append(DRIFT_RULE)
    run["automationDetails"]["id"] = f"govcloud-drift/{report.env}/"
    index = len(run["tool"]["driver"]["rules"]) - 1
    for d in report.differences:
        fingerprint = hashlib.sha256(f"GOV-DRIFT-001|{d.key}|{d.change.value}".encode()).hexdigest()
        run["results"].append({
            "ruleId": DRIFT_RULE["id"], "ruleIndex": index, "level": "error",
            "message": {"text": f"{d.kind.value} drift at {d.where}: {d.summary} (in step until "
                                f"{report.since.get(d.key) or 'never seen in step'})"},
            "locations": [{"logicalLocations": [{"name": d.what.rsplit('::', 1)[-1], "fullyQualifiedName": d.what,
                                                 "kind": "resource"}]}],
            "partialFingerprints": {"govcloudDrift/v1": fingerprint},
            "properties": {"where": d.where, "kind": d.kind.value, "change": d.change.value,
                           "resourceType": d.resource_type},
        })
    return sarif
