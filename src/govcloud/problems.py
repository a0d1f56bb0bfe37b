"""One "problem at a field path" for every kind of bad input, and one translator of pydantic's errors.

Checks of the model, of a migration plan and of the address plan *report* problems (they never
raise); the caller turns a non-empty list into one error (``ModelErrors``, ``PlanErrors``), exit
code 2, one line per problem naming the file, the line, the field and the fix. A problem found in
the model before its file is known carries only its path; the model's loader finds the file from
the path's first part (its section) and the line from the field path.

pydantic's validation errors become problems through :func:`pydantic_problem`, so a missing field,
a misspelt key or a value out of range reads the same, with the same fix, in every file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .yamlpaths import format_path, line_of


@dataclass(frozen=True)
class Location:
    """Where in the user's files a problem is: file, line (when YAML has one) and field path."""

    file: Path | str | None = None
    line: int | None = None
    field: str = ""

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(f"{self.file}:{self.line}" if self.line else str(self.file))
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One problem: the field path (e.g. ``('systems', 12, 'depends_on', 0)``), what is wrong, the
    fix; the file and the line where known; the system it is about, where there is one."""

    path: tuple[str | int, ...]
    message: str
    fix: str
    file: Path | None = None
    system: str | None = None
    line: int | None = None
    unknown_code: str | None = None
    """For an unknown reference, the code it names (a rejected entry may define it: see model.partial)."""

    def under(self, *prefix: str | int, **changes: Any) -> Problem:
        """This problem placed inside a bigger document: ``prefix`` goes before its path (a check of
        one entry reports paths relative to the entry; its caller knows where the entry is)."""
        return replace(self, path=(*prefix, *self.path), **changes)

    def located(self) -> Problem:
        """This problem with the line of its field filled in (parses the file; call only on errors)."""
        if self.line is not None or self.file is None or not self.path:
            return self
        try:
            text = self.file.read_text(encoding="utf-8")
        except OSError:
            return self
        return replace(self, line=line_of(text, self.path))

    def __str__(self) -> str:
        where = Location(self.file, self.line, format_path(self.path))
        who = f"system {self.system!r}: " if self.system else ""
        return f"{where}: {who}{self.message} (fix: {self.fix})"


def pydantic_problem(err: dict[str, Any], file: Path | None = None) -> Problem:
    """One entry of ``ValidationError.errors()`` as a problem at its field path, with a fix."""
    # pydantic appends the validator's name for tagged/annotated types; keep only real path parts.
    path = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "function_"))))
    return Problem(path, pydantic_message(err), pydantic_fix(err), file=file)


def pydantic_message(err: dict[str, Any]) -> str:
    """What is wrong; a validator's "<what>: <fix>" gives its fix to pydantic_fix, said once."""
    text = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return _what_and_fix(text)[0] if err["type"] == "value_error" else text


def _what_and_fix(text: str) -> tuple[str, str]:
    """A validator's message split: "<what>: <fix>", or "<what>; did you mean <x>?" (the
    validator knows what was meant, e.g. a block without host bits)."""
    if "did you mean" in text:
        at = text.index("did you mean")
        return text[:at].rstrip("; ,"), text[at:]
    what, _, fix = text.partition(": ")
    return what, fix or "correct the value"


def pydantic_fix(err: dict[str, Any]) -> str:
    """What to do about one pydantic error, in the operator's words."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    field = err["loc"][-1] if err["loc"] else ""
    if kind == "missing":
        return f"add the field '{field}'"
    if kind == "extra_forbidden":
        return f"remove '{field}' or correct its spelling"
    if kind == "string_pattern_mismatch":
        return "use lowercase ASCII letters and digits, words joined by '-' (e.g. city-a)"
    if kind in ("enum", "literal_error"):
        return f"use one of {ctx.get('expected', 'the listed values')}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "write a whole number"
    if kind.startswith(("int_", "float_")) or kind in ("greater_than", "greater_than_equal", "less_than_equal",
                                                       "less_than"):
        return "write a number in the allowed range" + (f" ({_bounds(ctx)})" if ctx else "")
    if kind in ("tuple_type", "list_type"):
        return "write a YAML list here (lines starting with '- ')"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "write a mapping here (key: value lines)"
    if kind.startswith("date_"):
        return "write a day of the calendar as YYYY-MM-DD (e.g. 2027-06-30)"
    if kind == "too_short":
        return "give at least one entry"
    if kind == "string_too_long":
        return f"shorten it to at most {ctx.get('max_length')} characters (the OpenStack API's limit)"
    if kind == "too_long":
        return f"give at most {ctx.get('max_length')} entries"
    if kind == "value_error":
        return _what_and_fix(err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, "))[1]
    return "correct the value"


def _bounds(ctx: dict) -> str:
    names = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    return ", ".join(f"{names[k]} {v}" for k, v in ctx.items() if k in names)
