"""The ledger: every allocation ever made, committed beside the model.

It is what makes the plan stable. A key that disappears from the model is marked *released*; its
prefix stays reserved (not handed to anyone else) until an operator frees it explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple
from enum import Enum
from pathlib import Path

import yaml_rs
from netaddr import AddrFormatError, IPNetwork

from ..errors import InputError, Location, ModelError
from ..paths import ledger_file
from .levels import Level



class Status(str, Enum):
    ACTIVE = "active"
    RELEASED = "released"


class Allocation(NamedTuple):
    """One prefix handed out, under the key of what it was handed to (immutable, cheap to create)."""

    key: str
    prefix: IPNetwork
    level: Level
    parent: str | None
    status: Status = Status.ACTIVE

    def to_dict(self) -> dict:
        return {"key": self.key, "prefix": str(self.prefix), "level": self.level.value,
                "parent": self.parent, "status": self.status.value}


@dataclass
class Ledger:
    """Allocations by key, and the per-level prefix lengths fixed by the first plan."""

    levels: dict[Level, int] = field(default_factory=dict)
    allocations: dict[str, Allocation] = field(default_factory=dict)

    def children_of(self) -> dict[str | None, list[Allocation]]:
        children: dict[str | None, list[Allocation]] = {}
        for alloc in self.allocations.values():
            children.setdefault(alloc.parent, []).append(alloc)
        return children

    def free(self, key: str) -> Ledger:
        """A new ledger without ``key`` (and anything under it): its space may be handed out again."""
        if key not in self.allocations:
            raise InputError(f"no allocation with key {key!r} in the ledger", fix="see `govcloud ipam show`")
        if self.allocations[key].status is not Status.RELEASED:
            raise InputError(f"{key!r} is still in use by the model", fix="remove it from the model first")
        doomed = {key}
        children = self.children_of()
        stack = [key]
        while stack:
            for child in children.get(stack.pop(), []):
                doomed.add(child.key)
                stack.append(child.key)
        kept = {k: a for k, a in self.allocations.items() if k not in doomed}
        return Ledger(dict(self.levels), kept)

    def with_status(self, key: str, status: Status) -> Allocation:
        return self.allocations[key]._replace(status=status)


def ledger_path(env_path: Path) -> Path:
    return ledger_file(env_path)


def load_ledger(env_path: Path) -> Ledger:
    path = ledger_path(env_path)
    if not path.is_file():
        return Ledger()
    try:
        data = yaml_rs.loads(path.read_text(encoding="utf-8")) or {}
        levels = {Level(k): int(v) for k, v in (data.get("levels") or {}).items()}
        allocations = {}
        for index, row in enumerate(data.get("allocations") or []):
            alloc = Allocation(row["key"], IPNetwork(row["prefix"]), Level(row["level"]), row.get("parent"),
                               Status(row.get("status", "active")))
            allocations[alloc.key] = alloc
    except (yaml_rs.YAMLDecodeError, KeyError, ValueError, TypeError, AddrFormatError, AttributeError) as exc:
        raise ModelError(f"the ledger cannot be read: {exc}", location=Location(path),
                         fix="restore it from version control, or delete it to plan from scratch") from None
    return Ledger(levels, allocations)


def dump_ledger(ledger: Ledger) -> str:
    """One allocation per line, sorted by key: reviewable diffs in version control."""
    lines = ["# The address ledger. Written by `govcloud ipam plan --write-ledger`; do not edit by hand.",
             "levels:"]
    lines += [f"  {level.value}: {length}" for level, length in sorted(ledger.levels.items(), key=lambda i: i[0].value)]
    lines.append("allocations:")
    for key in sorted(ledger.allocations):
        a = ledger.allocations[key]
        parent = a.parent if a.parent is not None else "null"
        lines.append(f"  - {{key: '{a.key}', prefix: '{a.prefix}', level: {a.level.value}, parent: "
                     f"{parent if parent == 'null' else repr(parent)}, status: {a.status.value}}}")
    return "\n".join(lines) + "\n"


def write_ledger(env_path: Path, ledger: Ledger) -> Path:
    """Write atomically: a reader never sees half a ledger."""
    path = ledger_path(env_path)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(dump_ledger(ledger), encoding="utf-8")
    tmp.replace(path)
    return path
