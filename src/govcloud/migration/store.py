"""Reading and writing wave files (``migrations/<env>/NNNN-<slug>.yaml``).

Reading collects every problem of every file before raising, so one run shows them all. Writing is
all-or-nothing as far as a file system allows: every file is rendered and written to a temporary
name first, and only when all of them exist are they renamed into place (``os.replace`` is atomic
per file); stale planned waves are removed last.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..errors import OperationError
from .findings import PlanProblem, PlanErrors
from .schema import MigrationWave

WAVE_FILE = re.compile(r"^(?P<number>\d{4})-(?P<slug>[a-z][a-z0-9]*(-[a-z0-9]+)*)\.yaml$")
HEADER = ("# Migration wave {number} of {env}: written by `govcloud migrate plan`, reviewed like code.\n"
          "# content_hash seals what was reviewed: after an edit, sign it off with `govcloud migrate seal`\n"
          "# (refused once the wave has started). Progress is recorded in the state, not in this file.\n")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _WaveDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Plain YAML for reviewers: never anchors and aliases (also spares the representer's identity checks)."""

    def ignore_aliases(self, data) -> bool:
        return True


@dataclass(frozen=True)
class LoadedWave:
    wave: MigrationWave
    path: Path


def wave_files(folder: Path) -> list[Path]:
    """YAML files directly in ``folder`` (sub-folders such as runbooks are not plan files)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def read_plan(folder: Path) -> list[LoadedWave]:
    """Every wave in ``folder``, ordered by number; raises :class:`PlanErrors` listing all problems."""
    loaded: list[LoadedWave] = []
    findings: list[PlanProblem] = []
    for path in wave_files(folder):
        match = WAVE_FILE.match(path.name)
        if match is None:
            findings.append(PlanProblem(path, (), "not a wave file name",
                                    "name wave files NNNN-slug.yaml, e.g. 0001-province.yaml"))
            continue
        wave, problems = _parse(path)
        findings.extend(problems)
        if wave is None:
            continue
        if wave.file_name != path.name:
            findings.append(PlanProblem(path, ("wave",), f"the file name says wave {match['number']}-{match['slug']}, "
                                    f"the content says {wave.wave:04d}-{wave.slug}",
                                    f"rename the file to {wave.file_name} or correct 'wave'/'slug'"))
        loaded.append(LoadedWave(wave, path))
    if findings:
        raise PlanErrors(findings)
    return sorted(loaded, key=lambda lw: lw.wave.wave)


def _parse(path: Path) -> tuple[MigrationWave | None, list[PlanProblem]]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [PlanProblem(path, (), f"YAML syntax error: {exc.problem or exc.context}",
                              "correct the YAML syntax at that line", line=mark.line + 1 if mark else None)]
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, [PlanProblem(path, (), f"unreadable YAML: {exc}", "save the file as UTF-8 YAML")]
    if not isinstance(data, dict):
        return None, [PlanProblem(path, (), "a wave file holds one mapping (wave, slug, status, window, systems)",
                              "start from a file written by govcloud migrate plan", line=1)]
    try:
        return MigrationWave.model_validate(data), []
    except ValidationError as exc:
        return None, [_pydantic_finding(path, data, err) for err in exc.errors()]


def _pydantic_finding(path: Path, data: dict, err: dict) -> PlanProblem:
    loc = tuple(err["loc"])
    system = None
    if len(loc) >= 2 and loc[0] == "systems" and isinstance(loc[1], int):
        entries = data.get("systems") or []
        if loc[1] < len(entries) and isinstance(entries[loc[1]], dict):
            system = entries[loc[1]].get("code")
    message = err["msg"].removeprefix("Value error, ")
    kind = err["type"]
    field = loc[-1] if loc else ""
    if kind == "missing":
        fix = f"add the field '{field}'"
    elif kind == "extra_forbidden":
        fix = f"remove '{field}' or correct its spelling"
    elif kind in ("enum", "literal_error"):
        fix = f"use one of {(err.get('ctx') or {}).get('expected', 'the listed values')}"
    elif kind == "value_error" and ": " in message:
        fix = message.split(": ", 1)[1]
    else:
        fix = "correct the value"
    return PlanProblem(path, loc, message, fix, system=system)


def dump_wave(wave: MigrationWave, env_name: str) -> str:
    # Progress is the run state's, never the file's: the legacy status key is not written.
    data = wave.model_dump(mode="json", exclude_none=True, exclude={"status"})
    body = yaml.dump(data, Dumper=_WaveDumper, sort_keys=False, allow_unicode=True, width=110)
    return HEADER.format(number=wave.wave, env=env_name) + body


def write_plan(folder: Path, waves: list[MigrationWave], env_name: str, remove: list[Path] = ()) -> list[Path]:
    """Write ``waves`` into ``folder`` and delete ``remove``; all files or none of them."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for wave in waves:
            final = folder / wave.file_name
            temp = folder / f".{wave.file_name}.tmp-{os.getpid()}"
            temp.write_text(dump_wave(wave, env_name), encoding="utf-8")
            staged.append((temp, final))
    except OSError as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise OperationError(f"cannot write the plan into {folder}: {exc}",
                             fix="check the folder's permissions and free space; nothing was changed") from exc
    written = []
    for temp, final in staged:
        os.replace(temp, final)
        written.append(final)
    keep = {p.name for p in written}
    for path in remove:
        if path.name not in keep:
            path.unlink(missing_ok=True)
    return written
