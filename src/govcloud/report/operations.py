"""Supervision of the cloud's operation (capacity, quotas, live usage per department), disaster
recovery by GB/T 20988 level, and the policy findings by rule and clause: the report's views."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..migration.capacity import system_claims
from ..model.recovery import dr_level
from ..migration.kpi import MigrationState
from ..model import DataClass, Province
from ..model.systems import DrMode
from ..policy.clauses import CLAUSES
from ..policy.checker import CheckResult
from .measurements import CloudUsage

#: A department using this share of a quota or more is "near" it.
NEAR_QUOTA = 0.8
#: The node-level resources and the department quotas that allocate them (quota unit per node unit).
NODE_RESOURCES = (("vcpu", "cores", 1), ("ram_gb", "ram_mb", 1024), ("storage_gb", "gigabytes", 1))


def supervision_view(province: Province, migration: MigrationState, usage: CloudUsage | None) -> dict[str, Any]:
    """Per node: capacity, quotas allocated to its departments, what migrated systems claim, and the
    live usage measured; per department: each quota and its use, flagged near or over."""
    on_cloud = [s for s in province.systems if s.on_cloud or s.code in migration.on_cloud]
    placed: dict[str, Counter] = {}
    for system in on_cloud:
        for claim in system_claims(system):
            placed.setdefault(claim.node, Counter()).update(
                {"vcpu": claim.vcpu, "ram_gb": claim.ram_gb, "storage_gb": claim.storage_gb})
    departments = [_department(d, usage) for d in province.departments]
    nodes = []
    for node in province.nodes:
        mine = [d for d in province.departments if d.node == node.code]
        allocated = {res: sum((getattr(d.quotas, quota) or 0) for d in mine) // unit
                     for res, quota, unit in NODE_RESOURCES}
        unmanaged = {res: sum(getattr(d.quotas, quota) is None for d in mine) for res, quota, _ in NODE_RESOURCES}
        nodes.append({"code": node.code, "name": node.name, "departments": len(mine),
                      "capacity": node.capacity.model_dump(), "allocated": allocated, "unmanaged": unmanaged,
                      "placed": {res: placed.get(node.code, Counter())[res] for res, _, _ in NODE_RESOURCES},
                      **_node_usage(node.code, usage)})
    flags = Counter(d["flag"] for d in departments)
    return {"measured_at": usage.measured_at.isoformat(timespec="seconds") if usage else None,
            "near_quota": NEAR_QUOTA, "nodes": nodes, "flags": dict(flags), "departments": departments}


def _node_usage(code: str, usage: CloudUsage | None) -> dict[str, Any]:
    if usage is None:
        return {"used": None, "not_measured": "no live usage recorded (govcloud report --measure-cloud)"}
    node = usage.nodes.get(code)
    if node is None or node.error:
        return {"used": None, "not_measured": node.error if node else "this node was not measured"}
    used = {res: sum(p[quota].used for p in node.projects.values() if quota in p) // unit
            for res, quota, unit in NODE_RESOURCES}
    return {"used": used, "not_measured": None}


def _department(dept, usage: CloudUsage | None) -> dict[str, Any]:
    quotas = {k: v for k, v in dept.quotas.model_dump().items() if v is not None}
    row: dict[str, Any] = {"code": dept.code, "name": dept.name, "node": dept.node, "quotas": quotas,
                           "usage": None, "worst": None, "flag": "not measured"}
    node = usage.nodes.get(dept.node) if usage else None
    if node is None or node.error or dept.code not in node.projects:
        return row
    measured = node.projects[dept.code]
    row["usage"] = {k: {"limit": q.limit, "used": q.used,
                        "ratio": round(q.used / q.limit, 4) if q.limit not in (None, -1, 0) else None}
                    for k, q in measured.items()}
    ratios = [u["ratio"] for u in row["usage"].values() if u["ratio"] is not None]
    row["worst"] = max(ratios, default=None)
    row["flag"] = ("over" if row["worst"] is not None and row["worst"] > 1 else
                   "near" if row["worst"] is not None and row["worst"] >= NEAR_QUOTA else "ok")
    return row


def dr_view(province: Province, waves) -> dict[str, Any]:
    """Key systems by the GB/T 20988 level they have on the cloud now, and the level the waves not
    yet done will give the others."""
    now: dict[str, tuple[int, str]] = {s.code: (dr_level(s.dr, s.rpo_s, s.rto_s), s.dr.value)
                                       for s in province.systems if s.on_cloud}
    later: dict[str, tuple[int, str, int]] = {}
    for progress in waves:
        for entry in progress.wave.systems:
            if not entry.strategy.lands_on_cloud:
                continue
            if progress.status == "done":
                now[entry.code] = (entry.dr.level, entry.dr.mode.value)
            else:
                later[entry.code] = (entry.dr.level, entry.dr.mode.value, progress.wave.wave)
    key = [s for s in province.systems if s.criticality.value == "key" and s.data_class is not DataClass.CLASSIFIED]
    systems = []
    for s in key:
        level, mode = now.get(s.code, (None, None))
        planned = later.get(s.code) if s.code not in now else None
        systems.append({"code": s.code, "name": s.name, "owner": s.owner, "level": level, "mode": mode,
                        "planned_level": planned[0] if planned else None,
                        "planned_mode": planned[1] if planned else None, "wave": planned[2] if planned else None})
    current = Counter(str(s["level"]) if s["level"] is not None else "not on cloud" for s in systems)
    planned_levels = Counter(str(s["planned_level"]) for s in systems if s["planned_level"] is not None)
    covered = sum(s["mode"] not in (None, DrMode.NONE.value) for s in systems)
    return {"key_systems": len(systems), "covered": covered,
            "levels": {k: current.get(k, 0) for k in [*map(str, range(1, 7)), "not on cloud"]},
            "planned_levels": {k: planned_levels.get(k, 0) for k in map(str, range(1, 7))},
            "systems": systems}


def policy_view(result: CheckResult | None) -> dict[str, Any] | None:
    """Every rule of the baseline with its finding count (zero: passed), and the same by clause."""
    if result is None:
        return None
    per_rule = Counter(f.rule_id for f in result.findings)
    rules = [{"id": r.id, "title": r.title, "severity": r.severity.value,
              "level": result.levels.get(r.id, r.enforcement).value, "clauses": list(r.clauses),
              "findings": per_rule[r.id]} for r in result.rules]
    clause_rules: dict[str, list[str]] = {}
    for rule in result.rules:
        for key in rule.clauses:
            clause_rules.setdefault(key, []).append(rule.id)
    clauses = [{"key": key, "standard": CLAUSES[key].standard if key in CLAUSES else "",
                "title": CLAUSES[key].title if key in CLAUSES else key, "rules": ids,
                "findings": sum(per_rule[i] for i in ids)} for key, ids in sorted(clause_rules.items())]
    return {"stacks": len(result.stacks), "resources": result.resources, "mandatory": len(result.mandatory),
            "advisory": len(result.advisory), "passed": result.passed, "rules": rules, "clauses": clauses}
