"""Where a person edits to fix a finding: the model entry (file and line) a resource comes from,
and the stack settings line when a setting put the offending value there.

A resource names what it serves through its tags (``system:``, ``exit:``, ``dept:``, ``node:``);
a stack rule that judges the model itself names it as the report's ``subject`` (e.g.
``("systems", "tax-portal", "dr")``). Each file is read once (one pass of the YAML parser), and
only when a finding needs it: a clean run never pays for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..stackgraph.options import CONFIG_NAMESPACE, SETTING_INPUTS, stack_config_file
from ..stackgraph.stacks import StackOptions
from ..yamlpaths import format_path

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Subject = tuple[str, ...]
"""A model entry by section and code, then field names: ``("departments", "prov-edu", "quotas")``."""

# Tag key -> model section, most specific first: a system's resource is fixed in its system entry.
TAG_SECTIONS = (("system", "systems"), ("exit", "exits"), ("dept", "departments"), ("node", "nodes"))


@dataclass(frozen=True)
class SourceLocation:
    """A line of a file in the project that a person edits to fix a finding."""

    file: str
    """Relative to the project root (POSIX separators), or absolute for files outside it."""
    line: int
    field: str = ""
    kind: str = "model"
    """``model`` or ``settings``."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" + (f" ({self.field})" if self.field else "")

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "kind": self.kind}


class _Document:
    """The lines of one YAML file's fields, from one pass over the parser's events.

    Composing the example province's 50,000-line systems file into nodes costs three times as
    much as reading its events, and the finding needs only the lines of top-level fields and of
    the fields of section entries (``systems[12].dr``), so that is all this keeps: ``lines`` by
    field path up to three deep, entries of sequences by ``code``, and short scalar values.
    """

    DEPTH = 3

    def __init__(self, path: Path) -> None:
        self.lines: dict[tuple[str | int, ...], int] = {}
        self.values: dict[tuple[str | int, ...], str] = {}
        self.codes: dict[str, dict[str, int]] = {}
        try:
            self._read(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            pass  # the model loaded from it already: an unreadable file here is a race; no lines

    def _read(self, text: str) -> None:
        # Frames of the containers being read: [path, is_mapping, expecting_key, key_or_position,
        # line of the key]. A field's line is its key's (a nested mapping starts a line later).
        frames: list[list[Any]] = []
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frames.pop()
                if frames:
                    self._advance(frames[-1])
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent,
                                      yaml.SequenceStartEvent)):
                continue  # stream and document markers
            if frames and frames[-1][1] and frames[-1][2]:  # a key of a mapping
                frames[-1][3] = getattr(event, "value", None)
                frames[-1][4] = event.start_mark.line + 1
                frames[-1][2] = False
                if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    frames.append([(), True, True, None, 0])  # a complex key: read and forget
                continue
            path = (*frames[-1][0], frames[-1][3]) if frames else ()
            if len(path) <= self.DEPTH:
                in_mapping = bool(frames) and frames[-1][1]
                self.lines.setdefault(path, frames[-1][4] if in_mapping else event.start_mark.line + 1)
            if isinstance(event, yaml.ScalarEvent):
                if len(path) <= 2 or path[-1] == "code":
                    self.values[path] = event.value
                if len(path) == 3 and path[-1] == "code" and isinstance(path[1], int):
                    self.codes.setdefault(str(path[0]), {}).setdefault(event.value, path[1])
                if frames:
                    self._advance(frames[-1])
            elif isinstance(event, yaml.AliasEvent):
                if frames:
                    self._advance(frames[-1])
            else:
                mapping = isinstance(event, yaml.MappingStartEvent)
                frames.append([path, mapping, mapping, None if mapping else 0, 0])

    @staticmethod
    def _advance(frame: list[Any]) -> None:
        """A value was read: a mapping expects its next key, a sequence its next position."""
        if frame[1]:
            frame[2] = True
        else:
            frame[3] += 1

    def line(self, path: tuple[str | int, ...]) -> tuple[int, tuple[str | int, ...]] | None:
        """The line of the deepest field of ``path`` present, and that field's path."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line, path[:end]
        return None


class Locator:
    """Finds model and settings lines for one environment; every file parsed at most once."""

    def __init__(self, project_root: Path, section_files: Mapping[str, Path]) -> None:
        self.root = project_root.resolve()
        self.section_files = dict(section_files)
        self._documents: dict[Path, _Document] = {}
        self._settings: dict[str, tuple[Path, _Document | None]] = {}

    # --- files ------------------------------------------------------------------------------
    def relative(self, path: Path) -> str:
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.root).as_posix()
        except ValueError:
            return os.fspath(resolved)

    def _document(self, path: Path) -> _Document:
        if path not in self._documents:
            self._documents[path] = _Document(path)
        return self._documents[path]

    # --- the model --------------------------------------------------------------------------
    def model(self, subject: Subject) -> SourceLocation | None:
        """The line of a model entry (``section``, ``code``) or of a field below it."""
        section, code, *fields = subject
        file = self.section_files.get(section)
        if file is None:
            return None
        document = self._document(file)
        position = document.codes.get(section, {}).get(code)
        if position is None:
            return None
        found = document.line((section, position, *fields))
        if found is None:
            return None
        line, path = found
        return SourceLocation(self.relative(file), line, format_path(path))

    def for_resource(self, tags: Mapping[str, str], node: str | None) -> SourceLocation | None:
        """The model entry a resource serves, by its tags; else its stack's node."""
        for key, section in TAG_SECTIONS:
            code = tags.get(key)
            if code:
                found = self.model((section, code))
                if found is not None:
                    return found
        return self.model(("nodes", node)) if node else None

    # --- stack settings ---------------------------------------------------------------------
    def _settings_document(self, stack: str) -> tuple[Path, _Document | None]:
        if stack not in self._settings:
            path = stack_config_file(self.root, stack)
            self._settings[stack] = (path, self._document(path) if path.is_file() else None)
        return self._settings[stack]

    def setting(self, stack: str, key: str) -> SourceLocation:
        """The line of ``govcloud:<key>`` in the stack's settings file (of ``config:`` when unset)."""
        path, document = self._settings_document(stack)
        name = f"{CONFIG_NAMESPACE}:{key}"
        field = f"config.{name}"
        if document is None:
            return SourceLocation(self.relative(path), 1, f"{field} (no settings file: the default applies)",
                                  "settings")
        line = document.lines.get(("config", name))
        if line is not None:
            return SourceLocation(self.relative(path), line, field, "settings")
        return SourceLocation(self.relative(path), document.lines.get(("config",), 1),
                              f"{field} (not set: the default applies)", "settings")

    def setting_value(self, stack: str, key: str) -> Any:
        """The value the stack gets for ``govcloud:<key>``, as the offline plan reads it (the default
        when unset), from the same pass over the file."""
        _, document = self._settings_document(stack)
        value = document.values.get(("config", f"{CONFIG_NAMESPACE}:{key}")) if document else None
        if value not in (None, "", "null", "~"):
            return str(value)
        return getattr(StackOptions(), SETTING_INPUTS[key][1])

    def settings_cause(self, stack: str, resource, keys: tuple[str, ...]) -> list[SourceLocation]:
        """Settings among ``keys`` whose value the resource carries: the setting put it there."""
        found = []
        for key in keys:
            prop = SETTING_INPUTS[key][0]
            value = resource.get(prop)
            if isinstance(value, str) and value == self.setting_value(stack, key):
                found.append(self.setting(stack, key))
        return found

    def locate(self, *, stack: str, node: str | None, resource=None, subject: Subject | None = None,
               settings: tuple[str, ...] = ()) -> tuple[SourceLocation, ...]:
        """Every place to edit, the first being where to start: a causing setting, then the model."""
        found: list[SourceLocation] = []
        if resource is not None:
            found.extend(self.settings_cause(stack, resource, settings))
        model = self.model(subject) if subject else None
        if model is None and resource is not None:
            model = self.for_resource(resource.tags, resource.node or node)
        if model is None and node:
            model = self.model(("nodes", node))
        if model is not None:
            found.append(model)
        return tuple(found)
