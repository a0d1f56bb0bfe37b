"""Findings as a GitLab code quality report (the Code Climate issue subset GitLab reads): one
issue per finding at the line to edit, so merge requests show them beside the YAML.

GitLab does not read SARIF for code quality; waived findings are left out (they are accepted),
and a finding without a file is placed at the top of the environment's province.yaml.
"""

from __future__ import annotations

from typing import Any

from ...paths import INVENTORIES, MODEL_FILE
from ..rule import Enforcement, Severity
from ..checker import CheckResult

SEVERITY = {Severity.LOW: "minor", Severity.MEDIUM: "major", Severity.HIGH: "critical",
            Severity.CRITICAL: "blocker"}


def to_codequality(result: CheckResult, env: str) -> list[dict[str, Any]]:
    issues = []
    for f in result.findings:
        where = f.locations[0] if f.locations else None
        path = where.file if where else f"{INVENTORIES}/{env}/{MODEL_FILE}"
        severity = SEVERITY[f.severity] if f.level is Enforcement.MANDATORY else "info"
        issues.append({
            "type": "issue",
            "check_name": f.rule_id,
            "description": f"{f.rule_id} {f.stack}: {f.message}. Fix: {f.remediation}",
            "categories": ["Security"],
            "severity": severity,
            "fingerprint": f.fingerprint,
            "location": {"path": path, "lines": {"begin": where.line if where else 1}},
        })
    return issues
