"""The lab model with per-city operators declared (``operators:`` on a node), as the planner's
tests and the integration test on the lab use it: the committed lab model declares none."""

from __future__ import annotations

import re
from pathlib import Path

import yaml


def declare_operators(env: Path, node: str, users: tuple[str, ...] = (), groups: tuple[str, ...] = (),
                      cloud: str | None = None) -> None:
    """Add ``operators:`` to ``node`` in the province.yaml of the environment folder ``env``
    (the line after the node's ``routing:``, so every other line keeps its number)."""
    path = env / "province.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - code: {node}\n")
    routing = re.compile(r"^    routing: .*\n", re.MULTILINE).search(text, start)
    assert routing, f"node {node} has no routing: line in {path}"
    entry = {"users": list(users), "groups": list(groups), "cloud": cloud or f"{node}-operators"}
    line = "    operators: " + yaml.safe_dump(entry, default_flow_style=True, width=1000).strip() + "\n"
    path.write_text(text[:routing.end()] + line + text[routing.end():], encoding="utf-8")


def keep_only_city_tenants(env: Path) -> None:
    """Leave the provincial departments and the legacy systems out of the environment folder
    ``env``: what per-city operators are about lives on the city nodes, and the province stack
    then holds only the address scopes and its transit (ten resources instead of about ninety).
    (The ledger keeps their addresses; the plan stays valid.)"""
    departments = yaml.safe_load((env / "departments.yaml").read_text(encoding="utf-8"))
    kept = [d for d in departments["departments"] if d["tier"] != "province"]
    gone = {d["code"] for d in departments["departments"]} - {d["code"] for d in kept}
    departments["departments"] = kept
    (env / "departments.yaml").write_text(yaml.safe_dump(departments, allow_unicode=True, sort_keys=False),
                                          encoding="utf-8")
    (env / "systems.yaml").write_text("systems: []\n", encoding="utf-8")
    exits = yaml.safe_load((env / "exits.yaml").read_text(encoding="utf-8"))
    dropped = {e["code"] for e in exits["exits"] if e.get("owner") in gone}
    exits["exits"] = [e for e in exits["exits"] if e["code"] not in dropped]
    (env / "exits.yaml").write_text(yaml.safe_dump(exits, allow_unicode=True, sort_keys=False), encoding="utf-8")
    province = yaml.safe_load((env / "province.yaml").read_text(encoding="utf-8"))
    consolidation = (province.get("network_plan") or {}).get("exit_consolidation") or {}
    if dropped & set(consolidation):
        text = (env / "province.yaml").read_text(encoding="utf-8")
        lines = [line for line in text.splitlines(keepends=True)
                 if not any(line.strip().startswith(f"{code}:") for code in dropped)]
        (env / "province.yaml").write_text("".join(lines), encoding="utf-8")
