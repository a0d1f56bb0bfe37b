"""The report's history: every `govcloud report` run appends one dated snapshot of the KPIs to
``report-history.jsonl`` in the environment's state folder (one JSON object per line, so an
append never rewrites what earlier runs recorded), and the trend page draws them.

A line: ``{"taken_at": "2026-12-06T10:00:00+00:00", "as_of": "2026-12-06",
"kpis": [{"kpi": "cloud adoption", "scope": "province", "achieved": 905, "total": 2941}, ...]}``
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import Location, ModelError
from ..paths import REPORT_HISTORY

HISTORY_FILE = REPORT_HISTORY


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class KpiPoint(_Record):
    kpi: str
    scope: str
    achieved: int = Field(ge=0)
    total: int = Field(ge=0)

    @property
    def key(self) -> str:
        return f"{self.kpi} / {self.scope}"

    @property
    def value(self) -> float:
        return self.achieved / self.total if self.total else 1.0


class Snapshot(_Record):
    taken_at: dt.datetime
    as_of: dt.date
    kpis: tuple[KpiPoint, ...] = ()


def history_path(state_folder: Path) -> Path:
    return state_folder / HISTORY_FILE


def read_snapshots(state_folder: Path) -> tuple[Snapshot, ...]:
    """Every snapshot recorded, oldest first; a damaged line is bad input naming its line."""
    path = history_path(state_folder)
    if not path.is_file():
        return ()
    snapshots = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            snapshots.append(Snapshot.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise ModelError(f"not a report snapshot: {str(exc).splitlines()[0]}", location=Location(path, number),
                             fix="delete that line (each line is one run's snapshot)") from None
    return tuple(sorted(snapshots, key=lambda s: s.taken_at))


def append_snapshot(state_folder: Path, snapshot: Snapshot) -> Path:
    """Append one line, flushed to disk before returning."""
    path = history_path(state_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(snapshot.model_dump_json() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path
