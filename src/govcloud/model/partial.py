"""Cross-reference checks on the parts of a model that pydantic accepted.

When one entry of ``systems.yaml`` has a typo, the model as a whole is invalid, yet every other
entry, and every other file, still holds problems the user should hear about in the same run: a
dangling reference in ``province.yaml`` must not wait until the typo is fixed. So the entries
pydantic rejected are set aside, the rest is checked by the same cross-reference checks as a valid
model, and their problems are reported beside the schema errors.

Three things keep the follow-on noise out:

* a reference to the code of a rejected entry is not reported as unknown (the entry exists; it is
  only wrong, and its own error says why);
* a section that could not be read at all (its file does not parse, or the section is not a list)
  is *unavailable*: a check that reads it is skipped, whatever it found;
* a problem about a section as a whole (``nodes``: "no provincial platform") is not reported when
  some of that section's entries were rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError

from .province import CODE_SECTIONS, SET_ASIDE, Problem, Province, duplicate_codes, reference_checks, _duplicates


class _Unavailable(Exception):
    """A check touched a section that could not be read."""


class _UnavailableSection:
    """Stands in for a section that could not be read: any use of it stops the check that uses it.
    (Which section it was is not said: the check is skipped, and the section's own error reports it.)"""

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)  # copy, pickle and friends probe for dunders
        raise _Unavailable

    def __iter__(self) -> Iterator[Any]:
        raise _Unavailable

    def __len__(self) -> int:
        raise _Unavailable

    def __getitem__(self, key: Any) -> Any:
        raise _Unavailable

    def __contains__(self, key: Any) -> bool:
        raise _Unavailable

    def __bool__(self) -> bool:
        raise _Unavailable


@dataclass
class _Parts:
    """What was kept of each section, and what was set aside."""

    sections: dict[str, Any] = field(default_factory=dict)
    kept: dict[str, list[int]] = field(default_factory=dict)
    """For list sections with rejected entries: the original position of every kept entry."""
    rejected_codes: set[str] = field(default_factory=set)
    incomplete: set[str] = field(default_factory=set)
    """Sections with a rejected entry or that could not be read."""


def partial_problems(data: dict[str, Any], schema_errors: list[dict], unavailable: set[str]) -> list[Problem]:
    """The cross-reference problems of the valid parts of ``data`` (the model's sections as read).

    ``schema_errors`` are pydantic's errors for the whole model (``ValidationError.errors()``);
    ``unavailable`` names sections whose file could not be read. Paths of the problems index the
    sections as written, rejected entries included.
    """
    if any(not err["loc"] for err in schema_errors):
        return []  # an error about the model as a whole: nothing to split into parts
    parts = _split(data, schema_errors, unavailable)
    province = Province.model_construct(**parts.sections)
    problems: list[Problem] = []
    token = SET_ASIDE.set(frozenset(parts.rejected_codes))
    try:
        for check in reference_checks():
            if check is _duplicates:
                problems.extend(_raw_duplicates(data, unavailable))
                continue
            try:
                found = list(check(province))
            except _Unavailable:
                continue
            problems.extend(_relocated(p, parts) for p in found if _worth_reporting(p, parts))
    finally:
        SET_ASIDE.reset(token)
    return problems


def _split(data: dict[str, Any], schema_errors: list[dict], unavailable: set[str]) -> _Parts:
    rejected: dict[str, set[int]] = {}
    whole: set[str] = set(unavailable)
    for err in schema_errors:
        section, rest = err["loc"][0], err["loc"][1:]
        if rest and isinstance(rest[0], int) and _is_list_section(section):
            rejected.setdefault(section, set()).add(rest[0])
        else:
            whole.add(section)
    parts = _Parts(incomplete=whole | set(rejected))
    for name, info in Province.model_fields.items():
        if name in whole:
            parts.sections[name] = _UnavailableSection()
        elif name not in data:  # an optional section: a missing required one is a schema error, in ``whole``
            parts.sections[name] = info.get_default(call_default_factory=True)
        elif name in rejected:
            parts.sections[name] = _kept_entries(name, data[name], rejected[name], parts)
        else:
            parts.sections[name] = _validated(name, data[name])
    return parts


def _is_list_section(name: str) -> bool:
    annotation = Province.model_fields[name].annotation
    return getattr(annotation, "__origin__", None) is tuple


def _kept_entries(name: str, raw: list, rejected: set[int], parts: _Parts) -> Any:
    item_type = get_args(Province.model_fields[name].annotation)[0]
    adapter = TypeAdapter(item_type)
    kept, positions = [], []
    for index, entry in enumerate(raw):
        if index in rejected:
            if isinstance(entry, dict) and isinstance(entry.get("code"), str):
                parts.rejected_codes.add(entry["code"].strip())
            continue
        try:
            kept.append(adapter.validate_python(entry))
        except ValidationError:  # valid in the whole model, so this does not happen; stay safe
            return _UnavailableSection()
        positions.append(index)
    parts.kept[name] = positions
    return tuple(kept)


def _validated(name: str, raw: Any) -> Any:
    try:
        return TypeAdapter(Province.model_fields[name].annotation).validate_python(raw)
    except ValidationError:
        return _UnavailableSection()


def _raw_duplicates(data: dict[str, Any], unavailable: set[str]) -> Iterator[Problem]:
    """Duplicate codes over every entry as written, rejected ones included (their positions are the
    user's, and a code is readable even where another field is wrong)."""
    for section in CODE_SECTIONS:
        raw = data.get(section)
        if section in unavailable or not isinstance(raw, list):
            continue
        codes = [entry.get("code").strip() if isinstance(entry, dict) and isinstance(entry.get("code"), str)
                 else None for entry in raw]
        yield from duplicate_codes(section, codes)


def _worth_reporting(problem: Problem, parts: _Parts) -> bool:
    if problem.unknown_code is not None and problem.unknown_code in parts.rejected_codes:
        return False
    return not (len(problem.path) == 1 and problem.path[0] in parts.incomplete)


def _relocated(problem: Problem, parts: _Parts) -> Problem:
    """The problem with its path indexing the section as written."""
    path = problem.path
    if len(path) >= 2 and path[0] in parts.kept and isinstance(path[1], int):
        original = parts.kept[str(path[0])][path[1]]
        return replace(problem, path=(path[0], original, *path[2:]))
    return problem
