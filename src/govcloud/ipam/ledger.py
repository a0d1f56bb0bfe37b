"""The ledger: every allocation ever made, committed beside the model.

It is what makes the plan stable. A key that disappears from the model is marked *released*; its
prefix stays reserved (not handed to anyone else) until an operator frees it explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple
from enum import Enum
from pathlib import Path

import yaml_rs
from netaddr import AddrFormatError, IPNetwork

from .. import parsecache
from ..errors import InputError, Location, ModelError
from ..paths import ledger_file
from ..problems import Problem
from ..yamlpaths import LineIndex, format_path
from ..model.loader import raise_marked_error  # the model's located YAML errors (marks, duplicate keys)
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
        if path.is_symlink() or path.exists():  # a folder or a broken link is not "no ledger yet"
            raise ModelError("the ledger is not a readable file", location=Location(path),
                             fix="restore it from version control, or delete it to plan from scratch")
        return Ledger()
    data = path.read_bytes()
    kept = parsecache.get("ledger", [(path.name, data)])
    if kept is not None:  # these very bytes were read and checked before
        return kept
    ledger = _parse_ledger(path, data)
    parsecache.put("ledger", [(path.name, data)], ledger)
    return ledger


def _parse_ledger(path: Path, data: bytes) -> Ledger:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModelError("the ledger is not UTF-8 text", location=Location(path),
                         fix="restore it from version control") from None
    unreadable = "restore it from version control, or delete it to plan from scratch"
    data = _ledger_document(path, text, unreadable)
    levels = _levels(data.get("levels") or {}, Location(path, LineIndex(text).line_of(("levels",)), "levels"),
                     unreadable)
    rows = []
    for index, row in enumerate(data.get("allocations") or [] if isinstance(data, dict) else []):
        if not isinstance(row, dict):
            raise ModelError(f"row cannot be read: it is a {type(row).__name__}, not a mapping of key, prefix, "
                             "level, parent and status",
                             fix=unreadable, location=Location(path, LineIndex(text).line_of(("allocations", index)),
                                                               f"allocations[{index}]"))
        try:
            rows.append(Allocation(row["key"], _row_prefix(row["prefix"]), _choice(Level, "level", row["level"]),
                                   row.get("parent"), _choice(Status, "status", row.get("status", "active"))))
        except (KeyError, ValueError, TypeError, AddrFormatError, AttributeError) as exc:
            detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            line = LineIndex(text).line_of(("allocations", index))
            raise ModelError(f"row cannot be read: {detail}", fix=unreadable,
                             location=Location(path, line, f"allocations[{index}]")) from None
    problems = ledger_problems(rows, levels)
    if problems:
        lines = LineIndex(text)
        raise ModelError(problems[0].message, fix=problems[0].fix + " (the ledger is written by "
                         "`govcloud ipam plan --write-ledger`; restore it from version control)",
                         location=Location(path, lines.line_of(problems[0].path), format_path(problems[0].path)))
    return Ledger(levels, {a.key: a for a in rows})


LEDGER_SECTIONS = frozenset({"levels", "allocations"})


def _ledger_document(path: Path, text: str, unreadable: str) -> dict:
    """The ledger's top level: a mapping of ``levels`` and ``allocations``. An empty file, another
    shape or an unknown section is an error: read as "no ledger", it would renumber everything."""
    try:
        data = yaml_rs.loads(text)
    except yaml_rs.YAMLDecodeError as exc:
        raise_marked_error(path, text, str(exc))
    if not data:
        raise ModelError("the ledger is empty", location=Location(path, 1), fix=unreadable)
    if not isinstance(data, dict):
        raise ModelError(f"the ledger holds a {type(data).__name__}, not levels and allocations",
                         location=Location(path, 1), fix=unreadable)
    lines = LineIndex(text)
    for key in data:
        if key not in LEDGER_SECTIONS:
            raise ModelError(f"unknown section {key!r}", location=Location(path, lines.line_of((key,)), str(key)),
                             fix="a ledger holds levels and allocations only; " + unreadable)
    if data.get("allocations") and not data.get("levels"):
        raise ModelError("allocations without the levels that fix their prefix lengths", location=Location(path, 1),
                         fix=unreadable)
    return data


def _row_prefix(value: object) -> IPNetwork:
    prefix = IPNetwork(value)
    if prefix.ip != prefix.network:
        raise ValueError(f"{value!r} has host bits set (did you mean {prefix.cidr}?)")
    return prefix


def _choice(kind: type[Enum], field: str, value: object) -> Any:
    """A row's enumerated field; a value outside it is named with the values it may take."""
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not one of {', '.join(m.value for m in kind)}") from None


def _row_problem(row: int, message: str, fix: str) -> Problem:
    """A problem of one ledger row: its field path is ``allocations[row]``."""
    return Problem(("allocations", row), message, fix)


def _levels(raw: Any, location: Location, unreadable: str) -> dict[Level, int]:
    """The ledger's ``levels:``, a mapping of level name to prefix length (e.g. ``city: 20``)."""
    if not isinstance(raw, dict):
        raise ModelError(f"the ledger cannot be read: levels is a {type(raw).__name__}, not a mapping of level "
                         "name to prefix length (such as `city: 20`)", location=location, fix=unreadable)
    try:
        return {_choice(Level, "level", k): int(v) for k, v in raw.items()}
    except (ValueError, TypeError) as exc:
        raise ModelError(f"the ledger cannot be read: {exc}", location=location, fix=unreadable) from None


def ledger_problems(rows: list[Allocation], levels: dict[Level, int]) -> list[Problem]:
    """What a hand edit can break: a key twice, a parent that is not in the ledger, a prefix outside
    its parent or of the wrong length for its level, two keys holding overlapping prefixes."""
    problems: list[Problem] = []
    row_of: dict[str, int] = {}
    # (version, first, last) once per row: integer comparisons, not netaddr objects, in the loops.
    spans = [(a.prefix.version, a.prefix.first, a.prefix.last) for a in rows]
    for index, alloc in enumerate(rows):
        if alloc.key in row_of:
            problems.append(_row_problem(index, f"key {alloc.key!r} appears twice (first in allocations"
                                         f"[{row_of[alloc.key]}])", "keep one row per key"))
        row_of.setdefault(alloc.key, index)
    for index, alloc in enumerate(rows):
        expected = levels.get(alloc.level)
        if expected is not None and alloc.prefix.prefixlen != expected:
            problems.append(_row_problem(index, f"{alloc.key}: {alloc.prefix} is not a /{expected} as its level "
                                         f"{alloc.level.value!r} fixes", f"give it a /{expected}"))
        if alloc.parent is None:
            continue
        parent = rows[row_of[alloc.parent]] if alloc.parent in row_of else None
        if parent is None:
            problems.append(_row_problem(index, f"{alloc.key}: parent {alloc.parent!r} is not in the ledger",
                                         "restore the parent's row"))
        elif not _strictly_inside(spans[index], spans[row_of[alloc.parent]]):
            problems.append(_row_problem(index, f"{alloc.key}: {alloc.prefix} lies outside its parent "
                                         f"{parent.key} ({parent.prefix})", f"give it a prefix inside {parent.prefix}"))
    problems += _overlapping_keys(rows, row_of, spans)
    return sorted(problems, key=lambda p: p.path[1])


def _strictly_inside(child: tuple[int, int, int], parent: tuple[int, int, int]) -> bool:
    return child[0] == parent[0] and parent[1] <= child[1] and child[2] <= parent[2] and child != parent


def _overlapping_keys(rows: list[Allocation], row_of: dict[str, int],
                      spans: list[tuple[int, int, int]]) -> list[Problem]:
    """Prefixes either nest or are disjoint; a prefix may only nest inside its own ancestors'.
    Sorted by first address (widest first), every prefix's container is the innermost one still
    open: one pass over the ledger."""
    problems = []
    ordered = sorted(range(len(rows)), key=lambda i: (spans[i][0], spans[i][1], -spans[i][2]))
    open_rows: list[int] = []
    for index in ordered:
        version, first, _ = spans[index]
        while open_rows and (spans[open_rows[-1]][0] != version or spans[open_rows[-1]][2] < first):
            open_rows.pop()
        if open_rows and not _is_ancestor(rows, row_of, rows[open_rows[-1]].key, rows[index]):
            other = rows[open_rows[-1]]
            prefix = rows[index].prefix
            what = "the same prefix" if spans[open_rows[-1]] == spans[index] else f"{prefix}, inside {other.prefix}"
            problems.append(_row_problem(max(index, open_rows[-1]), f"{rows[index].key} and {other.key} hold {what}",
                                         "every prefix belongs to one key: restore the row that was changed"))
        open_rows.append(index)
    return problems


def _is_ancestor(rows: list[Allocation], row_of: dict[str, int], key: str, alloc: Allocation) -> bool:
    seen = set()
    parent = alloc.parent
    while parent is not None and parent not in seen and parent in row_of:
        if parent == key:
            return True
        seen.add(parent)
        parent = rows[row_of[parent]].parent
    return False


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
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dump_ledger(ledger), encoding="utf-8")
    tmp.replace(path)
    return path
