"""Loading an environment's model from ``inventories/<env>/*.yaml``, validated once, with errors
that name the file, the line, the field path and the fix.

The fast path parses with yaml-rs (a Rust parser, about 25 times faster than PyYAML's constructor on
the example province) and validates with pydantic. Only when something is wrong do we parse the
offending file a second time with PyYAML into nodes, to find the line of the failing field: valid
models (the common case) never pay for line tracking.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
import yaml_rs
from pydantic import ValidationError

from ..errors import InputError, Location, ModelError
from ..paths import inventory_dir, known_environments
from ..yamlpaths import format_path, line_of
from .province import Problem, Province, reference_problems

MODEL_FILES = ("province.yaml", "departments.yaml", "extranet.yaml", "exits.yaml", "systems.yaml")
SECTIONS = tuple(Province.model_fields)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        if (candidate / "province.yaml").is_file():
            return candidate.resolve()
    known = known_environments(project_root)
    raise InputError(f"--env {env!r}: no province.yaml in {candidates[1]} or {candidates[0]}",
                     fix=f"use one of {', '.join(known) or '(none)'} or the path of a folder with province.yaml")


def load_environment(env: str, project_root: Path) -> Environment:
    path = resolve_env(env, project_root)
    return load_folder(path, name=path.name)


def load_folder(path: Path, name: str | None = None) -> Environment:
    data, section_files = _read_sections(path)
    try:
        province = Province.model_validate(data)
    except ValidationError as exc:
        raise ModelErrors([_pydantic_error(err, section_files) for err in exc.errors()]) from None
    problems = reference_problems(province)
    if problems:
        raise ModelErrors([_problem_error(p, section_files) for p in problems])
    return Environment(name or path.name, path, province, section_files)


def _read_sections(folder: Path) -> tuple[dict[str, Any], dict[str, Path]]:
    data: dict[str, Any] = {}
    section_files: dict[str, Path] = {}
    for file_name in MODEL_FILES:
        file = folder / file_name
        if not file.is_file():
            continue
        content = _parse_yaml(file)
        if content is None:
            continue
        if not isinstance(content, dict):
            raise ModelError(f"the file holds a {type(content).__name__}, not a mapping of sections",
                             location=Location(file, 1), fix=f"start the file with one of: {', '.join(SECTIONS)}")
        for section, value in content.items():
            _check_section(section, file, section_files)
            data[section] = value
            section_files[section] = file
    return data, section_files


def _parse_yaml(file: Path) -> Any:
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelError("the file is not UTF-8 text", location=Location(file), fix="save it as UTF-8") from None
    try:
        return yaml_rs.loads(text)
    except yaml_rs.YAMLDecodeError as exc:
        _raise_marked_error(file, text, str(exc))


def _raise_marked_error(file: Path, text: str, fast_message: str) -> None:
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
    raise ModelError(f"YAML error: {first_line}", location=Location(file), fix="correct the YAML")


def _first_duplicate_key(node: yaml.Node | None) -> tuple[str, int] | None:
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
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
        close = difflib.get_close_matches(str(section), SECTIONS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known sections: {', '.join(SECTIONS)}"
        raise ModelError(f"unknown section {section!r}", location=Location(file, _line_of(file, (section,)),
                         str(section)), fix=hint)
    if section in section_files:
        raise ModelError(f"section {section!r} is also defined in {section_files[section].name}",
                         location=Location(file, _line_of(file, (section,)), str(section)),
                         fix="define each section in one file only")


def _line_of(file: Path, path: tuple[str | int, ...]) -> int | None:
    """Line of the deepest node of ``path`` that exists in ``file`` (1-based)."""
    try:
        return line_of(file.read_text(encoding="utf-8"), path)
    except (OSError, UnicodeDecodeError):
        return None


def locate(environment: Environment, path: tuple[str | int, ...]) -> Location:
    """File, line and field path of a model field, for errors found after loading (e.g. by planners)."""
    return _location(path, environment.section_files)


def _location(path: tuple[str | int, ...], section_files: dict[str, Path]) -> Location:
    file = section_files.get(str(path[0])) if path else None
    line = _line_of(file, path) if file else None
    return Location(file, line, format_path(path))


def _problem_error(problem: Problem, section_files: dict[str, Path]) -> ModelError:
    return ModelError(problem.message, location=_location(problem.path, section_files), fix=problem.fix)


def _pydantic_error(err: dict, section_files: dict[str, Path]) -> ModelError:
    # pydantic appends the validator's name for tagged/annotated types; keep only real path parts.
    path = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "function_"))))
    if path and path[0] not in section_files and err["type"] == "missing" and len(path) == 1:
        return ModelError(f"section {path[0]!r} is missing", location=Location(field=str(path[0])),
                          fix=f"add a '{path[0]}:' section to one of {', '.join(MODEL_FILES)}")
    return ModelError(_message(err), location=_location(path, section_files), fix=_fix(err))


def _message(err: dict) -> str:
    msg = err["msg"]
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _fix(err: dict) -> str:
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
    if kind == "too_short":
        return "give at least one entry"
    if kind == "value_error":
        text = _message(err)
        return text.split(": ", 1)[1] if ": " in text else "correct the value"
    return "correct the value"


def _bounds(ctx: dict) -> str:
    names = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    return ", ".join(f"{names[k]} {v}" for k, v in ctx.items() if k in names)
