"""Loading an environment's model from ``inventories/<env>/*.yaml``, validated once, with errors
that name the file, the line, the field path and the fix.

The fast path parses with yaml-rs (a Rust parser, about 25 times faster than PyYAML's constructor on
the example province) and validates with pydantic. Only when something is wrong do we parse the
offending file a second time with PyYAML into nodes, to find the line of the failing field: valid
models (the common case) never pay for line tracking.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml_rs
from pydantic import ValidationError

from .. import parsecache
from ..errors import InputError, Location, ModelError
from ..paths import LEDGER_FILE, MODEL_FILE, inventory_dir, known_environments
from ..problems import Problem, pydantic_problem
from ..yamlpaths import LineIndex, expanded_size, format_path
from .partial import partial_problems
from .province import Province, reference_problems

MODEL_FILES = (MODEL_FILE, "departments.yaml", "extranet.yaml", "exits.yaml", "systems.yaml")
SECTIONS = tuple(Province.model_fields)
SECTION_HOME = {"province": MODEL_FILE, "ipam": MODEL_FILE, "nodes": MODEL_FILE,
                "targets": MODEL_FILE, "network_plan": MODEL_FILE, "departments": "departments.yaml", "sites": "extranet.yaml",
                "links": "extranet.yaml", "exits": "exits.yaml", "unified_exit_plan": "exits.yaml",
                "systems": "systems.yaml"}
"""Where each section is written in the example and lab environments (named when one is missing),
for every section of the model."""
SECTION_HOME_OF = {Path(home).stem: section for section, home in reversed(SECTION_HOME.items())}
"""A model file's first section, by the file's stem (named in the fix for an empty file)."""
YAML_SUFFIXES = (".yaml", ".yml")
COMPANION_FILES = frozenset({LEDGER_FILE, LEDGER_FILE + ".tmp"})
"""Files beside the model that are not part of it: the address ledger and the Ansible inventory."""
MAX_EXPANSION = 4
"""Aliases may at most quadruple a document's nodes (shared defaults do far less)."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ALIAS = re.compile(r"(^|[\s\[{,:-])\*[^\s,\]}]+")
_NOT_YAML_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters YAML does not allow in a stream (YAML 1.2, c-printable): the Rust parser stops at a NUL
and keeps other control characters, so a file with one would be read short or misread."""
_C0_CONTROLS = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) + b"\x7f"
"""The bytes of the C0 controls and DEL in UTF-8; C1 controls start with 0xC2, U+FFFE/U+FFFF with 0xEF 0xBF."""
_TAG = re.compile(r"(^|[\s\[{,:-])!")
_CORE_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")) | {"!"}
"""Tags whose values the model reads as written; any other tag would be dropped by the parser, and
its value read as plain text (``!vault``, ``!!binary``) or as another type (``!!set``)."""
_DOCUMENT_START = re.compile(r"^---(?=\s|$)", re.MULTILINE)


@dataclass(frozen=True)
class Environment:
    """An environment folder and the model loaded from it."""

    name: str
    path: Path
    province: Province
    section_files: dict[str, Path]


class ModelErrors(InputError):
    """Every problem found in a model; each one line naming file, line, field and fix."""

    def __init__(self, errors: list[ModelError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors), fix=errors[0].fix if errors else "")

    def __str__(self) -> str:
        return self.message


def resolve_env(env: str, project_root: Path) -> Path:
    """``env`` is a folder name under ``inventories/`` or the path of such a folder."""
    candidates = [Path(env), inventory_dir(project_root, env)]
    for candidate in candidates:
        if (candidate / MODEL_FILE).is_file():
            return candidate.resolve()
    known = known_environments(project_root)
    raise InputError(f"--env {env!r}: no province.yaml in {candidates[1]} or {candidates[0]}",
                     fix=f"use one of {', '.join(known) or '(none)'} or the path of a folder with province.yaml")


def load_environment(env: str, project_root: Path) -> Environment:
    return load_folder(resolve_env(env, project_root))  # named after its folder


def load_folder(path: Path, name: str | None = None) -> Environment:
    """The environment in ``path``, or every error of its model at once (ModelErrors): each file's
    YAML and schema errors, and the cross-reference problems of the parts that are valid."""
    inputs = _cache_inputs(model_files(path))
    kept = parsecache.get("model", inputs) if inputs is not None else None
    if kept is not None:  # these very files loaded without error before
        province, homes = kept
        return Environment(name or path.name, path, province, {s: path / f for s, f in homes.items()})
    read = _read_sections(path)
    lines = _LineFinder()
    if not read.errors:
        try:
            province = Province.model_validate(read.data)
        except ValidationError as exc:
            schema = exc.errors()
        else:
            problems = reference_problems(province)
            if problems:
                raise ModelErrors([_problem_error(p, read.section_files, lines) for p in problems])
            if inputs is not None:
                parsecache.put("model", inputs, (province, {s: f.name for s, f in read.section_files.items()}))
            return Environment(name or path.name, path, province, read.section_files)
    else:
        schema = _schema_errors(read.data)
    # A section whose file did not parse is not "missing": its file's error says what is wrong.
    schema = [err for err in schema if not (err["loc"] and err["loc"][0] in read.unavailable)]
    problems = partial_problems(read.data, schema, read.unavailable)
    raise ModelErrors([*read.errors, *(_pydantic_error(err, read.section_files, lines) for err in schema),
                       *(_problem_error(p, read.section_files, lines) for p in problems)])


def _cache_inputs(files: list[Path]) -> list[tuple[str, bytes]] | None:
    """The files' names and bytes (the parse cache's key); None when one cannot be read, which
    reading the model then reports with the file."""
    try:
        return [(f.name, f.read_bytes()) for f in files]
    except OSError:
        return None


def _schema_errors(data: dict[str, Any]) -> list[dict]:
    try:
        Province.model_validate(data)
    except ValidationError as exc:
        return exc.errors()
    return []


def model_files(folder: Path) -> list[Path]:
    """The files of ``folder`` that hold the model. A model file saved as ``.yml`` is read like its
    ``.yaml`` name; a file that looks like a model file under another name (``system.yaml``,
    ``exits.yaml.bak``, ``systems.json``) is an error rather than silently skipped. Other files
    (the ledger, Ansible inventories, settings) are not the model's."""
    files = []
    for name in MODEL_FILES:
        # A folder or a broken link under a model file's name is reported when it is read, never skipped.
        files += [folder / n for n in (name, Path(name).with_suffix(".yml").name)
                  if (folder / n).is_file() or (folder / n).is_symlink() or (folder / n).exists()]
    for entry in sorted(folder.iterdir()):
        if entry in files or not entry.is_file() or entry.name in COMPANION_FILES or entry.name.startswith("."):
            continue
        read, holds = _holds_sections(entry)
        # YAML that reads is judged by what it holds (notes.yaml is not nodes); anything else by its name.
        meant = holds if read else _meant_model_file(entry.name)
        if meant is not None:
            raise ModelError("this file would be ignored: it looks like a model file but is not named like one",
                             location=Location(entry), fix=f"rename it to {meant} (or move it out of the folder)")
    return files


def _holds_sections(entry: Path) -> tuple[bool, str | None]:
    """Whether another file beside the model reads as YAML, and if it holds model sections
    (``more.YAML`` with ``systems:``), the model file they belong in. Other YAML beside the model
    (Ansible inventories, notes) holds none."""
    if entry.suffix.lower() not in YAML_SUFFIXES:
        return False, None
    try:
        content = yaml_rs.loads(entry.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml_rs.YAMLDecodeError):
        return False, None
    sections = [key for key in content if key in SECTION_HOME] if isinstance(content, dict) else []
    return True, SECTION_HOME[sections[0]] if sections else None


def _meant_model_file(name: str) -> str | None:
    """The model file a file name probably means, if any."""
    stem = name.lower().split(".", 1)[0]
    by_stem = {Path(f).stem: f for f in MODEL_FILES}
    by_stem.update(SECTION_HOME)
    close = difflib.get_close_matches(stem, list(by_stem), cutoff=0.8)  # the best first
    return by_stem[close[0]] if close else None


@dataclass
class _Sections:
    """The model's sections as read from its files, and what could not be read."""

    data: dict[str, Any] = field(default_factory=dict)
    section_files: dict[str, Path] = field(default_factory=dict)
    errors: list[ModelError] = field(default_factory=list)
    unavailable: set[str] = field(default_factory=set)
    """Sections that live in a file that could not be read (by where the examples keep them)."""


def _read_sections(folder: Path) -> _Sections:
    read = _Sections()
    failed: list[Path] = []
    meant: set[str] = set()  # the sections that misspelled ones probably are
    for file in model_files(folder):
        try:
            content = _parse_yaml(file)
            if content is None:  # an emptied file would silently drop its sections (and release their addresses)
                raise ModelError("the file is empty: it holds no section", location=Location(file, 1),
                                 fix=f"write its sections (e.g. a '{SECTION_HOME_OF[file.stem]}:' section), "
                                     "or delete the file")
            if not isinstance(content, dict):
                raise ModelError(f"the file holds a {type(content).__name__}, not a mapping of sections",
                                 location=Location(file, 1), fix=f"start the file with one of: {', '.join(SECTIONS)}")
        except ModelError as exc:
            read.errors.append(exc)
            failed.append(file)
            continue
        for section, value in (content or {}).items():
            try:
                _check_section(section, file, read.section_files)
            except ModelError as exc:
                read.errors.append(exc)
                meant.update(difflib.get_close_matches(str(section), SECTIONS, n=1))
                continue
            read.data[section] = value
            read.section_files[section] = file
    homes = {Path(f.name).with_suffix(".yaml").name for f in failed}
    lost = meant | {s for s, home in SECTION_HOME.items() if home in homes}
    read.unavailable = lost - set(read.section_files)
    return read


def read_yaml_text(file: Path) -> str:
    """The text of a YAML file; a UTF-8 byte-order mark (valid YAML) is dropped."""
    try:
        data = file.read_bytes()
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModelError("the file is not UTF-8 text", location=Location(file), fix="save it as UTF-8") from None
    except OSError as exc:  # a broken link, a folder, a link to itself: never read as "no file"
        raise ModelError(f"the file cannot be read: {exc.strerror or exc}", location=Location(file),
                         fix="make it a regular YAML file, or remove it") from None
    # The byte checks find every candidate in a few milliseconds; the exact search runs only then.
    suspect = len(data.translate(None, _C0_CONTROLS)) != len(data) or b"\xc2" in data or b"\xef\xbf" in data
    bad = _NOT_YAML_TEXT.search(text) if suspect else None
    if bad is not None:
        raise ModelError(f"the file holds the control character U+{ord(bad.group()):04X}, which YAML does not allow",
                         location=Location(file, text.count("\n", 0, bad.start()) + 1),
                         fix="delete it (invisible characters come in with text pasted from other documents)")
    return text


def _parse_yaml(file: Path) -> Any:
    text = read_yaml_text(file)
    if "&" in text and "*" in text:
        _refuse_alias_bombs(file, text)
    if "!" in text and _TAG.search(text):
        _refuse_tags(file, text)
    try:
        content = yaml_rs.loads(text)
    except yaml_rs.YAMLDecodeError as exc:
        raise_marked_error(file, text, str(exc))
    if isinstance(content, list):
        _refuse_documents(file, text)
    return content


def _refuse_tags(file: Path, text: str) -> None:
    """A tag the model does not read (``!secret x``, ``!!binary …``) is an error at its line."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return  # a syntax error: the normal parse reports it with its line
    stack, visited = [root] if root is not None else [], set()
    while stack:  # aliases share nodes: each is visited once, never the expanded graph
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if node.tag not in _CORE_TAGS:
            raise ModelError(f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not read by govcloud: "
                             "its value would be taken as plain text", location=Location(file, node.start_mark.line + 1),
                             fix="remove the tag and write the value itself")
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _refuse_documents(file: Path, text: str) -> None:
    """Several YAML documents in one file ('---' between them) parse as a list of documents; a model
    file holds one."""
    starts = [text.count("\n", 0, m.start()) + 1 for m in _DOCUMENT_START.finditer(text)]
    if not starts:
        return
    content_before = any(line.strip() and not line.lstrip().startswith(("#", "%"))
                         for line in text.splitlines()[:starts[0] - 1])
    second = starts[0] if content_before else starts[1] if len(starts) > 1 else None
    if second is not None:
        raise ModelError("a second YAML document starts here ('---'); a model file holds one",
                         location=Location(file, second), fix="remove the '---' line and join the sections, "
                         "or move the second document into a file of its own")


def _refuse_alias_bombs(file: Path, text: str) -> None:
    """Anchors are fine; aliases that expand a small text into millions of nodes ("billion laughs")
    are refused before anything expands them. The node tree is composed without expanding aliases
    and its expanded size computed in time linear in its distinct nodes."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return  # a syntax error: the normal parse reports it with its line
    distinct, expanded = expanded_size(root)
    if expanded > MAX_EXPANSION * max(distinct, 1000):
        size = "without end (an alias inside its own anchor)" if expanded == float("inf") else f"to {expanded:.0f} nodes"
        raise ModelError(f"aliases expand {distinct} YAML nodes {size}", location=Location(file, _first_alias_line(text)),
                         fix="write the values out instead of nesting aliases of aliases")


def _first_alias_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if _ALIAS.search(line.split("#", 1)[0]):
            return number
    return None


def raise_marked_error(file: Path, text: str, fast_message: str) -> None:
    """Turn a parse failure into an error with a line, using PyYAML's marks (or, for a duplicate
    key, which PyYAML accepts silently, the position of the second occurrence)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ModelError(f"YAML syntax error: {exc.problem or exc.context}", location=Location(file, line),
                         fix="correct the YAML syntax at that line (indentation, quotes, ':' after keys)") from None
    except yaml.YAMLError as exc:
        raise ModelError(f"YAML error: {exc}", location=Location(file), fix="correct the YAML") from None
    duplicate = _first_duplicate_key(node)
    if duplicate is not None:
        key, line = duplicate
        raise ModelError(f"duplicate key {key!r}", location=Location(file, line),
                         fix="a key may appear once per mapping: remove or rename one of them")
    first_line = fast_message.splitlines()[0] if fast_message else "unreadable YAML"
    # What the fast parser alone refuses (a tab after a colon): its message has the line, the marks have not.
    at = re.search(r"\bat line (\d+)", first_line)
    raise ModelError(f"YAML error: {first_line}", location=Location(file, int(at.group(1)) if at else None),
                     fix="correct the YAML")


def _first_duplicate_key(node: yaml.Node | None) -> tuple[str, int] | None:
    stack = [node] if node is not None else []
    visited: set[int] = set()  # aliases share nodes: visit each once, never the expanded graph
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if isinstance(current, yaml.MappingNode):
            seen = set()
            for key, value in current.value:
                if key.value in seen:
                    return key.value, key.start_mark.line + 1
                seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return None


def _check_section(section: Any, file: Path, section_files: dict[str, Path]) -> None:
    if section not in SECTIONS:
        close = difflib.get_close_matches(str(section), SECTIONS)  # the best first
        hint = f"did you mean {close[0]!r}?" if close else f"known sections: {', '.join(SECTIONS)}"
        raise ModelError(f"unknown section {section!r}", location=Location(file, _line_of(file, (section,)),
                         str(section)), fix=hint)
    if section in section_files:
        raise ModelError(f"section {section!r} is also defined in {section_files[section].name}",
                         location=Location(file, _line_of(file, (section,)), str(section)),
                         fix="define each section in one file only")


def _line_of(file: Path, path: tuple[str | int, ...]) -> int | None:
    """Line of the deepest node of ``path`` that exists in ``file`` (1-based)."""
    return _LineFinder().line_of(file, path)


class _LineFinder:
    """Lines of field paths in the model's files, each file parsed at most once however many
    errors it holds (a 1 MB file takes about half a second to compose)."""

    def __init__(self) -> None:
        self._indexes: dict[Path, LineIndex | None] = {}

    def line_of(self, file: Path, path: tuple[str | int, ...]) -> int | None:
        if file not in self._indexes:
            try:
                self._indexes[file] = LineIndex(file.read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError):
                self._indexes[file] = None
        index = self._indexes[file]
        return index.line_of(path) if index is not None else None


def _location(path: tuple[str | int, ...], section_files: dict[str, Path], lines: _LineFinder) -> Location:
    file = section_files.get(str(path[0])) if path else None
    line = lines.line_of(file, path) if file else None
    return Location(file, line, format_path(path))


def problems_error(environment: Environment, problems: list[Problem]) -> ModelErrors:
    """Problems found after loading (e.g. against the address plan), each located in the model's files."""
    lines = _LineFinder()
    return ModelErrors([_problem_error(p, environment.section_files, lines) for p in problems])


def _problem_error(problem: Problem, section_files: dict[str, Path], lines: _LineFinder) -> ModelError:
    return ModelError(problem.message, location=_location(problem.path, section_files, lines), fix=problem.fix)


def _pydantic_error(err: dict, section_files: dict[str, Path], lines: _LineFinder) -> ModelError:
    problem = pydantic_problem(err)
    path = problem.path
    if path and path[0] not in section_files and err["type"] == "missing" and len(path) == 1:
        folder = next(iter(section_files.values())).parent if section_files else None
        home = SECTION_HOME[str(path[0])]
        return ModelError(f"section {path[0]!r} is missing",
                          location=Location(folder / home if folder else None, field=str(path[0])),
                          fix=f"add a '{path[0]}:' section to {home} (or to another of {', '.join(MODEL_FILES)})")
    return _problem_error(problem, section_files, lines)
