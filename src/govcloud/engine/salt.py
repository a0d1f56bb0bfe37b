"""Keep the passphrase provider's per-stack salt out of the committed stack config.

The engine writes an ``encryptionsalt:`` line into ``stacks/Pulumi.<stack>.yaml`` when it creates
a stack with the passphrase provider. That line belongs to one backend and one passphrase (one
machine): committed, it would make every other clone fail with "incorrect passphrase". So around
each run the line is moved in from, and back out to, ``<state dir>/salts/<backend>/<stack>``,
leaving the committed file as it was.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SALT = re.compile(r"^encryptionsalt:.*\n?", re.MULTILINE)


def salt_file(salts_dir: Path, backend: str, stack: str) -> Path:
    """Where a stack's salt is kept between runs, per backend (``EngineSettings.salts_dir``)."""
    key = hashlib.sha256(backend.encode()).hexdigest()[:12]
    return salts_dir / key / stack


@contextmanager
def salt_outside_config(config_file: Path, keep: Path) -> Iterator[None]:
    """Put the kept salt into ``config_file`` for the run; move it back out afterwards."""
    if config_file.is_file():
        text = config_file.read_text(encoding="utf-8")
        if not _SALT.search(text) and keep.is_file():
            config_file.write_text(text.rstrip("\n") + "\n" + keep.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        yield
    finally:
        if config_file.is_file():
            text = config_file.read_text(encoding="utf-8")
            found = _SALT.search(text)
            if found:
                keep.parent.mkdir(parents=True, exist_ok=True)
                keep.write_text(found.group(0).rstrip("\n") + "\n", encoding="utf-8")
                config_file.write_text(_SALT.sub("", text), encoding="utf-8")
