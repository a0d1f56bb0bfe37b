"""Findings as JSON: a summary and one object per finding (rule, clauses, stack, URN, level, fix)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..clauses import CLAUSES
from ..runner import CheckResult


def summary(result: CheckResult) -> dict[str, Any]:
    return {"stacks": len(result.stacks), "resources": result.resources, "rules": len(result.rules),
            "mandatory": len(result.mandatory), "advisory": len(result.advisory), "passed": result.passed,
            "by_rule": dict(sorted(Counter(f.rule_id for f in result.findings).items()))}


def to_json(result: CheckResult, env: str) -> dict[str, Any]:
    findings = []
    for f in result.findings:
        item = f.to_dict()
        item["clauses"] = [{"key": k, "standard": CLAUSES[k].standard, "title": CLAUSES[k].title}
                           for k in f.clauses]
        findings.append(item)
    return {"env": env, "stacks": list(result.stacks), "summary": summary(result), "findings": findings}
