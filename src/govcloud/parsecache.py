"""Parsed models and ledgers kept by content hash, so a command on files that did not change skips
parsing and validating them (the example's model and ledger take most of `govcloud ipam plan`).

An entry's key is the SHA-256 of its inputs (file names and bytes) and of the code that parses and
validates them (the source of ``govcloud.model``, ``govcloud.ipam`` and the YAML helpers, and the
versions of Python, pydantic and netaddr): an edit of either is a miss, never a stale hit. Only
inputs that loaded without error are kept, so every error is found afresh, with its line.

The cache is machine-local and rebuildable (``paths.parse_cache_dir``; ``GOVCLOUD_PARSE_CACHE=off``
turns it off). An entry that cannot be read is ignored and replaced; writes are atomic; the
oldest entries go when there are more than :data:`MAX_ENTRIES`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .paths import parse_cache_dir

MAX_ENTRIES = 32
_CODE = ("model", "ipam", "yamlpaths.py", "yamlfile.py", "errors.py", "parsecache.py")


def get(kind: str, inputs: Sequence[tuple[str, bytes]]) -> Any | None:
    """The value kept for these inputs, or None."""
    path = _entry(kind, inputs)
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as stream:
            value = pickle.load(stream)
        os.utime(path)  # recently used: the last to be evicted
        return value
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None  # a damaged or foreign entry: parse again and overwrite it


def put(kind: str, inputs: Sequence[tuple[str, bytes]], value: Any) -> None:
    """Keep ``value`` for these inputs; a cache that cannot be written is skipped silently (it only
    saves time)."""
    path = _entry(kind, inputs)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        _evict(path.parent)
    except OSError:
        return


def _entry(kind: str, inputs: Sequence[tuple[str, bytes]]) -> Path | None:
    folder = parse_cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update(kind.encode())
    for name, data in inputs:
        digest.update(f"\0{name}\0{len(data)}\0".encode())
        digest.update(data)
    return folder / f"{kind}-{digest.hexdigest()}.pickle"


@cache
def _code_fingerprint() -> str:
    """What the parsed values depend on besides their input files."""
    package = Path(__file__).parent
    digest = hashlib.sha256(sys.version.encode())
    for name in ("pydantic", "pydantic-core", "netaddr", "yaml-rs"):
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(name.encode())
    for part in _CODE:
        for source in sorted((package / part).rglob("*.py")) if (package / part).is_dir() else [package / part]:
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def _evict(folder: Path) -> None:
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
    for old in entries[:-MAX_ENTRIES]:
        old.unlink(missing_ok=True)
