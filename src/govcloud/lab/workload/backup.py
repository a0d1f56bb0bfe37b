"""The key data's off-site backup: a ``pg_dump`` taken from the backup node's namespace (so it
crosses the network like a real off-site copy), its SHA-256, and a restore check.

The restore check restores the dump into a scratch cluster in the backup place, records the
restored table's row count and digest in the manifest, and checks that every restored row is in
the live primary with the same payload (the table only grows, so the live primary may hold more).
Later, :func:`verify` proves the dump still matches its checksum and restores to the same digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

from ...errors import LabError
from . import postgres as pg
from .layout import Place
from .namespaces import chown_postgres, in_namespace, run


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def take(backup_place: Place, source: Place, system: str) -> dict:
    """Dump ``source`` into ``<backup place>/backups``; returns the manifest (also written beside it)."""
    folder = backup_place.root / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    chown_postgres(folder)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    dump = folder / f"{system}-{stamp}.dump"
    run(in_namespace(backup_place, [f"{pg.BIN}/pg_dump", "-h", str(source.address), "-p", str(pg.PG_PORT), "-U",
                                    "postgres", "-d", "app", "-Fc", "-f", str(dump)], user="postgres"), fix=pg.FIX)
    count, value, restored = restore(backup_place, dump)
    missing = len(restored - rows(source))
    if missing:
        raise LabError(f"{missing} rows of the backup are not in the live primary {source.name}",
                       fix="the backup is not a copy of this database: take it again")
    manifest = {"system": system, "file": dump.name, "sha256": sha256(dump), "bytes": dump.stat().st_size,
                "source": source.name, "taken": stamp, "rows": count, "digest": value}
    (folder / f"{dump.name}.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def verify(backup_place: Place, manifest: dict) -> dict:
    """The dump matches its SHA-256 and restores to the rows and digest recorded; LabError if not."""
    dump = backup_place.root / "backups" / manifest["file"]
    actual = sha256(dump)
    if actual != manifest["sha256"]:
        raise LabError(f"backup {dump} has sha256 {actual}, the manifest says {manifest['sha256']}",
                       fix="the file was changed or damaged: take a new backup")
    count, value, _ = restore(backup_place, dump)
    if (count, value) != (manifest["rows"], manifest["digest"]):
        raise LabError(f"backup {dump} restores to {count} rows ({value}), the manifest says "
                       f"{manifest['rows']} ({manifest['digest']})", fix="take a new backup")
    return {"sha256": actual, "rows": count, "digest": value}


def _scratch(backup_place: Place) -> Place:
    return Place(f"{backup_place.name}-scratch", backup_place.address, backup_place.root / "scratch")


def restore(backup_place: Place, dump: Path) -> tuple[int, str, set[str]]:
    """Restore ``dump`` into a fresh scratch cluster (sockets only): row count, digest, ``id\tpayload`` rows."""
    scratch = _scratch(backup_place)
    pg.stop(scratch, "immediate")
    shutil.rmtree(scratch.root, ignore_errors=True)
    pg.init_primary(scratch, sync=False)
    run(pg.as_postgres() + [f"{pg.BIN}/pg_ctl", "-D", str(scratch.data), "-l", str(scratch.log / "postgres.log"),
                            "-o", f"-c listen_addresses='' -c port={pg.PG_PORT} "
                                  f"-c unix_socket_directories={scratch.sockets}", "-w", "start"], fix=pg.FIX)
    try:
        pg.sql(scratch, "CREATE DATABASE app", db="postgres")
        run(pg.as_postgres() + [f"{pg.BIN}/pg_restore", "-h", str(scratch.sockets), "-p", str(pg.PG_PORT),
                                "-U", "postgres", "-d", "app", "--no-owner", str(dump)], fix=pg.FIX)
        count, value = pg.digest(scratch)
        return count, value, rows(scratch)
    finally:
        pg.stop(scratch, "fast")
        shutil.rmtree(scratch.root, ignore_errors=True)


def rows(place: Place) -> set[str]:
    return set(pg.sql(place, "COPY (SELECT id, payload FROM writes) TO STDOUT", timeout=120).splitlines())
