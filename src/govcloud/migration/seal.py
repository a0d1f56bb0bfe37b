"""What changed in a sealed wave: the sealed version looked up, and the fields that differ.

A seal (``content_hash``) tells *that* a wave changed after review; to tell *which field*, the
sealed content itself is needed. Two places hold it, tried in order:

* the seal archive in the environment's state, ``<state>/seals/<hash>.json``, written by whoever
  seals (``migrate plan``, ``migrate seal``);
* version control: the newest committed version of the wave file whose content has the recorded
  hash (waves are reviewed like code, so the reviewed version is in the history).

When neither has it, the finding still names the file and the wave, and says where to look.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..paths import SEALS_DIR
from ..yamlpaths import format_path
from .schema import MigrationWave
from .store import LoadedWave

SEALS_FOLDER = SEALS_DIR
#: Committed versions of a wave file searched for the sealed one (newest first).
HISTORY_DEPTH = 50


def changed_fields(sealed: MigrationWave, current: MigrationWave) -> list[tuple[str | int, ...]]:
    """Field paths (as in the file: ``("systems", 0, "dr", "node")``) whose values differ."""
    exclude = {"status", "content_hash"}
    return list(_differences(sealed.model_dump(mode="json", exclude=exclude),
                             current.model_dump(mode="json", exclude=exclude), ()))


def _differences(old: Any, new: Any, path: tuple[str | int, ...]):
    if isinstance(old, dict) and isinstance(new, dict):
        for key in dict.fromkeys([*old, *new]):
            yield from _differences(old.get(key), new.get(key), (*path, key))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and \
            all(isinstance(v, (dict, list)) for v in old + new):
        for index, (a, b) in enumerate(zip(old, new)):
            yield from _differences(a, b, (*path, index))
    elif old != new:
        yield path


def remember(state_dir: Path, wave: MigrationWave) -> Path:
    """Keep the sealed content of ``wave`` in the archive (atomically; a second call rewrites it)."""
    folder = state_dir / SEALS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_key(wave.content_hash)}.json"
    temp = folder / f".{path.name}.tmp-{os.getpid()}"
    temp.write_text(wave.model_dump_json(exclude={"status"}), encoding="utf-8")
    os.replace(temp, path)
    return path


def sealed_version(state_dir: Path | None, loaded: LoadedWave) -> MigrationWave | None:
    """The content ``loaded`` was sealed with: from the archive, else from version control."""
    recorded = loaded.wave.content_hash
    if recorded is None:
        return None
    if state_dir is not None:
        path = state_dir / SEALS_FOLDER / f"{_key(recorded)}.json"
        if path.is_file():
            try:
                return MigrationWave.model_validate_json(path.read_text(encoding="utf-8"))
            except ValidationError:
                pass  # a damaged archive entry: version control may still have it
    return committed_version(loaded.path, recorded)


def committed_version(path: Path, content_hash: str) -> MigrationWave | None:
    """The newest committed version of ``path`` whose content hashes to ``content_hash``; None when
    the file is not in a git work tree or no version matches."""
    folder = path.parent
    log = _git(folder, "log", f"-n{HISTORY_DEPTH}", "--format=%H", "--", path.name)
    for commit in (log or "").split():
        text = _git(folder, "show", f"{commit}:./{path.name}")
        if text is None:
            continue
        try:
            wave = MigrationWave.model_validate(yaml.safe_load(text))
        except (yaml.YAMLError, ValidationError, TypeError):
            continue
        if wave.computed_hash() == content_hash:
            return wave
    return None


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _key(content_hash: str | None) -> str:
    return (content_hash or "").removeprefix("sha256:")


def describe(paths: list[tuple[str | int, ...]], sealed: MigrationWave, current: MigrationWave) -> str:
    """``systems[0].dr.node ('city-a' -> 'city-b')`` for each changed field (values when short)."""
    old, new = sealed.model_dump(mode="json"), current.model_dump(mode="json")
    parts = []
    for path in paths:
        a, b = _at(old, path), _at(new, path)
        values = f" ({json.dumps(a, ensure_ascii=False)} -> {json.dumps(b, ensure_ascii=False)})"
        parts.append(format_path(path) + (values if len(values) <= 80 else ""))
    return ", ".join(parts)


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data
