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
