"""A file backend's checkpoint that a killed write left unreadable: repaired before the run.

The engine writes a stack's checkpoint to a ``file://`` backend through gocloud's fileblob: the
content to a temporary file, then a ``<checkpoint>.attrs`` sidecar (JSON: content type, MD5) by
truncating it and writing it again, then the rename that puts the new content in place. An engine
killed between the sidecar's truncation and its write (seen on the lab: SIGKILL mid-``destroy``)
leaves an empty sidecar next to the old, intact checkpoint, and every later run stops on
``failed to load checkpoint: EOF``, which no govcloud command could clear.

A sidecar is only metadata: fileblob reads a missing one as "no attributes". So an empty or
unparsable sidecar of the stack's checkpoint is removed, and the run reads the checkpoint as it
was before the killed write (what that run did after its last good checkpoint is then resolved
like any interrupted run's). Called only while the stack's lock and lease are ours: no live
writer can be mid-write.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..paths import backend_checkpoints_dir
from .locks import backend_dir


def repair_torn_sidecars(backend_url: str, project: str, stack: str) -> list[Path]:
    """Remove the unreadable ``.attrs`` sidecars of ``stack``'s checkpoint (and its backup) in a
    file backend; return them. Other backends keep their own consistency: nothing is done."""
    backend = backend_dir(backend_url)
    if backend is None:
        return []
    removed = []
    checkpoints = backend_checkpoints_dir(backend)
    for folder in (checkpoints / project, checkpoints):  # project-scoped, legacy
        for sidecar in sorted(folder.glob(f"{stack}.json*.attrs")):
            if not _readable(sidecar):
                sidecar.unlink(missing_ok=True)
                removed.append(sidecar)
    return removed


def _readable(sidecar: Path) -> bool:
    try:
        return isinstance(json.loads(sidecar.read_text(encoding="utf-8")), dict)
    except (OSError, UnicodeDecodeError, ValueError):
        return False
