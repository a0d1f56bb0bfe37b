"""What `destroy` must remove although no stack ever created it: the projects' `default` groups.

Neutron creates a security group named ``default`` in a project the first time anything is
created in it; the group belongs to no stack, and deleting the project leaves it behind (21 after
a few lab cycles). So a destroy notes the IDs of the stack's projects before it starts (in the
state directory, so that a destroy killed half-way is finished by the next one) and, once the
projects are gone, deletes every security group left in them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..stackgraph import tokens as t


def project_ids(deployment: Mapping[str, Any]) -> list[str]:
    """IDs of the Keystone projects in an exported deployment."""
    return sorted({str(r["id"]) for r in deployment.get("resources") or ()
                   if r.get("type") == t.PROJECT and r.get("id")})


def remember(note: Path, ids: Iterable[str]) -> list[str]:
    """Add ``ids`` to the note of projects to clean up after; return everything noted."""
    noted = sorted(set(read(note)) | set(ids))
    if noted:
        note.parent.mkdir(parents=True, exist_ok=True)
        temporary = note.with_suffix(".tmp")
        temporary.write_text(json.dumps(noted), encoding="utf-8")
        temporary.replace(note)
    return noted


def read(note: Path) -> list[str]:
    try:
        data = json.loads(note.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(x) for x in data] if isinstance(data, list) else []


def remove_leftovers(connection, ids: Iterable[str]) -> list[str]:
    """Delete the security groups of the projects in ``ids`` that no longer exist; describe them.

    A project that still exists (the destroy did not reach it) keeps its groups.
    """
    gone = {p for p in ids if connection.identity.find_project(p, ignore_missing=True) is None}
    if not gone:
        return []
    removed = []
    # Listed unfiltered: a list filtered by project makes Neutron create that project's `default`
    # group again (it ensures one for the project it is asked about), deleted project or not.
    for group in connection.network.security_groups():
        if group.project_id in gone:
            connection.network.delete_security_group(group, ignore_missing=True)
            removed.append(f"security group {group.name!r} ({group.id}) of deleted project {group.project_id}")
    return removed
