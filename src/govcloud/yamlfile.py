"""Small YAML settings files (stack settings, the policy pack's environment files, waivers) read
with errors that name the file, the line and the fix: a syntax error, a list where a mapping
belongs, a value of the wrong shape. Each becomes a :class:`~govcloud.errors.ModelError` (exit 2),
never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, ModelError
from .yamlpaths import format_path, line_of

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(key, line)
        self.key, self.line = key, line


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with two differences that settings files need: a key given twice is an
    error (YAML forbids it; the parser would keep the last silently, so `GOV-NET-001` set twice
    would take whichever came last), and dates stay text (``2027-02-30`` would otherwise fail
    inside the constructor with a bare ValueError, and ``2027-06-30 10:00`` would read as a
    datetime): readers that want a date parse it themselves, with a located error."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node, deep=False):
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise _DuplicateKey(key, key_node.start_mark.line + 1)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name} ({value!r})"


@dataclass(frozen=True)
class YamlFile:
    """A file's text and data, to locate the fields a caller finds wrong."""

    path: Path
    text: str
    data: Any

    def line(self, field: tuple[str | int, ...]) -> int:
        """The line of ``field`` (or of its deepest present parent); 1 for the file itself."""
        return (line_of(self.text, field) if field else 1) or 1

    def error(self, field: tuple[str | int, ...], message: str, fix: str) -> ModelError:
        """An error at ``field`` (its line, or the deepest present parent's)."""
        return ModelError(message, location=Location(self.path, self.line(field), format_path(field)), fix=fix)

    def mapping(self, field: tuple[str | int, ...], value: Any, fix: str) -> Mapping[Any, Any]:
        """``value`` (found at ``field``) as a mapping; None or absent reads as empty."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            where = format_path(field) or "the file"
            raise self.error(field, f"{where} holds {_kind(value)}, not a mapping", fix)
        return value

    def strings(self, field: tuple[str | int, ...], value: Any, fix: str) -> list[str]:
        """``value`` as a list of strings (one string reads as a list of one)."""
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                  for v in value):
            raise self.error(field, f"{format_path(field)} holds {_kind(value)}, not a list of names", fix)
        return [str(v) for v in value]

    def scalar(self, field: tuple[str | int, ...], value: Any, fix: str) -> Any:
        if isinstance(value, (Mapping, list)):
            raise self.error(field, f"{format_path(field)} holds {_kind(value)}, not a single value", fix)
        return value


def read_yaml(path: Path, *, what: str, fix: str, allow_empty: bool = True, empty_fix: str = "") -> YamlFile:
    """Parse ``path``; a syntax error, a key given twice or a top level that is not a mapping is a
    located error, and so is an empty file (nothing, or only comments) unless ``allow_empty``.

    ``what`` names the file's role in messages (``stack settings``); ``fix`` says what its top level
    should hold; ``empty_fix`` what to do with an empty file (default: ``fix``).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"the {what} file is not UTF-8 text", location=Location(path), fix="save it as UTF-8") \
            from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote or bracket is found at the end of the file; where it opened is the line to fix.
        at_end = exc.problem_mark is not None and exc.problem_mark.index >= len(text.rstrip())
        mark = exc.context_mark if at_end and exc.context_mark else exc.problem_mark or exc.context_mark
        problem = ", ".join(p for p in (exc.context, exc.problem) if p)
        raise ModelError(f"YAML syntax error in the {what} file: {problem}",
                         location=Location(path, mark.line + 1 if mark else 1),
                         fix="correct the YAML syntax at that line (indentation, quotes, ':' after keys)") from None
    except _DuplicateKey as exc:
        raise ModelError(f"{exc.key!r} is given twice in the {what} file (here and above)",
                         location=Location(path, exc.line), fix="keep one of the two entries") from None
    except yaml.YAMLError as exc:
        raise ModelError(f"the {what} file is not valid YAML: {exc}", location=Location(path, 1),
                         fix="correct the YAML") from None
    file = YamlFile(path, text, data)
    if data is None and not allow_empty:
        raise ModelError(f"the {what} file is empty", location=Location(path, 1), fix=empty_fix or fix)
    if data is not None and not isinstance(data, Mapping):
        raise ModelError(f"the {what} file holds {_kind(data)}, not a mapping", location=Location(path, 1),
                         fix=fix)
    return file


def refuse_look_alike(path: Path, what: str) -> None:
    """When ``path`` (``….yaml``) does not exist but ``….yml`` does, a located error: the file the
    user wrote would be ignored without a word, and the defaults taken instead."""
    if path.is_file() or path.suffix != ".yaml":
        return
    alike = path.with_suffix(".yml")
    if alike.is_file():
        raise ModelError(f"the {what} file is read from {path.name}, so {alike.name} is ignored",
                         location=Location(alike, 1), fix=f"rename it to {path.name}")

