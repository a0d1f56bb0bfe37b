"""Findings as a GitLab code quality report (the Code Climate issue subset GitLab reads): one
issue per finding at the line to edit, so merge requests show them beside the YAML.

GitLab does not read SARIF for code quality, and its issues have no "dismissed" state, so waivers
show as issues of their own: a waived finding as ``info`` (its description names the waiver), an
expired waiver as a blocker at its line in the waivers file (it fails the check), an unused one as
``info`` there. A finding without a file is placed at the top of the environment's province.yaml.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ...paths import INVENTORIES, MODEL_FILE
from ..rule import Enforcement, Finding, Severity
from ..checker import CheckResult

SEVERITY = {Severity.LOW: "minor", Severity.MEDIUM: "major", Severity.HIGH: "critical",
            Severity.CRITICAL: "blocker"}


def _issue(check: str, description: str, severity: str, fingerprint: str, path: str, line: int) -> dict[str, Any]:
    return {"type": "issue", "check_name": check, "description": description, "categories": ["Security"],
            "severity": severity, "fingerprint": fingerprint, "location": {"path": path, "lines": {"begin": line}}}


def _finding(f: Finding, env: str, severity: str, prefix: str = "") -> dict[str, Any]:
    where = f.locations[0] if f.locations else None
    return _issue(f.rule_id, f"{prefix}{f.rule_id} {f.stack}: {f.message}. Fix: {f.remediation}", severity,
                  f.fingerprint, where.file if where else f"{INVENTORIES}/{env}/{MODEL_FILE}", where.line if where else 1)


def _waiver_fingerprint(kind: str, waiver) -> str:
    # Not the finding's own: GitLab keys issues by fingerprint, and the finding may be listed too.
    return hashlib.sha256(f"{kind}|{waiver.fingerprint}".encode()).hexdigest()


def to_codequality(result: CheckResult, env: str) -> list[dict[str, Any]]:
    issues = [_finding(f, env, SEVERITY[f.severity] if f.level is Enforcement.MANDATORY else "info")
              for f in result.findings]
    issues += [_finding(item.finding, env, "info", f"[waived by {item.waiver.owner} until "
                        f"{item.waiver.expires.isoformat()}: {item.waiver.reason}] ") for item in result.waived]
    issues += [_issue("expired-waiver", f"waiver expired: {w} ({w.reason}); renew it after review or fix the finding",
                      "blocker", _waiver_fingerprint("expired", w), w.file, max(w.line, 1))
               for w in result.expired_waivers]
    issues += [_issue("unused-waiver", f"waiver matches no finding: {w}; delete it", "info",
                      _waiver_fingerprint("unused", w), w.file, max(w.line, 1)) for w in result.unused_waivers]
    return issues
