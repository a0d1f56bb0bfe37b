"""Findings as JSON: a summary and one object per finding (rule, clauses, stack, URN, level, fix)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..clauses import CLAUSES
from ..checker import CheckResult


def summary(result: CheckResult) -> dict[str, Any]:
    return {"stacks": len(result.stacks), "resources": result.resources, "rules": len(result.rules),
            "mandatory": len(result.mandatory), "advisory": len(result.advisory), "passed": result.passed,
            "waived": len(result.waived), "expired_waivers": len(result.expired_waivers),
            "unused_waivers": len(result.unused_waivers),
            "by_rule": dict(sorted(Counter(f.rule_id for f in result.findings).items()))}


def _finding(f) -> dict[str, Any]:
    item = f.to_dict()
    item["clauses"] = [{"key": k, "standard": CLAUSES[k].standard, "title": CLAUSES[k].title} for k in f.clauses]
    return item


def to_json(result: CheckResult, env: str) -> dict[str, Any]:
    data = {"env": env, "stacks": list(result.stacks), "summary": summary(result),
            "findings": [_finding(f) for f in result.findings],
            "waivers": {"waived": [{**_finding(w.finding), "waiver": w.waiver.to_dict()} for w in result.waived],
                        "expired": [w.to_dict() for w in result.expired_waivers],
                        "unused": [w.to_dict() for w in result.unused_waivers]}}
    if result.changes is not None:
        data["changes"] = result.changes.to_dict()
    return data
