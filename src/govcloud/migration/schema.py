"""The wave file: one migration wave as reviewed data (``migrations/<env>/NNNN-<slug>.yaml``).

A wave lists the systems it moves, each with everything a reviewer signs off and an operator needs
on the night: strategy, target node, DR design (mode, second node, GB/T 20988 level, RPO/RTO),
downtime budget, go/no-go checks, validation steps, rollback steps and owners.

``content_hash`` seals a wave: it is computed over everything except ``status`` and the hash itself
(the window included), and recorded when the planner writes the file and when a reviewer signs a
change off with ``govcloud migrate seal``. Every wave that carries a seal is checked against it:
one whose content no longer matches was edited after it was reviewed, and validation rejects it,
naming the field (:mod:`.seal`). ``migrate run`` runs sealed waves only.

Progress is *not* kept in the wave file (reviewed, committed data never changes because a wave
ran): it lives in the environment's run state, read through :mod:`.progress`. The ``status`` key is
still accepted as ``planned`` so older files load; any other value is refused with the fix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import Enum

from pydantic import Field, field_validator, model_validator

from ..model.primitives import Code, FrozenModel
from ..model.systems import DrMode


class Strategy(str, Enum):
    """The "7 R" migration strategies."""

    REHOST = "rehost"
    REPLATFORM = "replatform"
    REFACTOR = "refactor"
    RELOCATE = "relocate"
    REPURCHASE = "repurchase"
    RETIRE = "retire"
    RETAIN = "retain"

    @property
    def lands_on_cloud(self) -> bool:
        """Retired systems disappear and retained ones stay where they are: neither uses the cloud."""
        return self not in (Strategy.RETIRE, Strategy.RETAIN)


class WaveStatus(str, Enum):
    """Where a wave stands (recorded in the run state, see :mod:`.progress`)."""

    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    ROLLED_BACK = "rolled-back"

    @property
    def started(self) -> bool:
        """Waves that started are history: re-planning keeps them and nobody edits them."""
        return self is not WaveStatus.PLANNED


class Window(FrozenModel):
    """The cutover window, with its time zone (the province works in +08:00)."""

    start: dt.datetime
    end: dt.datetime

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("give the window's times with their offset, e.g. 2027-01-09T22:00:00+08:00")
        if self.end <= self.start:
            raise ValueError("the window ends before it starts: set end after start")
        return self

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


class DrDesign(FrozenModel):
    """Disaster recovery of one system on the cloud (GB/T 20988-2007 levels 1 to 6)."""

    mode: DrMode = DrMode.NONE
    node: Code | None = Field(default=None, description="Second node (dual-active) or backup target.")
    level: int = Field(ge=1, le=6, description="GB/T 20988 disaster recovery capability level.")
    rpo_s: int = Field(ge=0)
    rto_s: int = Field(ge=0)


class Owners(FrozenModel):
    business: Code = Field(description="Department that owns the system and signs the go/no-go.")
    cloud: Code = Field(description="Node whose operations team runs the cutover.")
    dr: Code | None = Field(default=None, description="Node whose team runs the DR side.")


class WaveEntry(FrozenModel):
    """One system in a wave, in cutover order."""

    code: Code
    name: str = ""
    group: Code | None = Field(default=None, description="Systems sharing a group depend on each other and "
                                                          "move together.")
    strategy: Strategy
    target_node: Code | None = None
    dr: DrDesign
    downtime_budget_s: int = Field(ge=0)
    depends_on: tuple[Code, ...] = ()
    interim_links: tuple[Code, ...] = Field(
        default=(), description="Dependencies deliberately left behind for a while (reached over the extranet).")
    owners: Owners
    go_no_go: tuple[str, ...] = ()
    validation: tuple[str, ...] = ()
    rollback: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _target_when_on_cloud(self) -> WaveEntry:
        if self.strategy.lands_on_cloud and self.target_node is None:
            raise ValueError(f"strategy {self.strategy.value!r} lands on the cloud: set target_node")
        return self


class MigrationWave(FrozenModel):
    """One wave file."""

    wave: int = Field(ge=1, le=9999)
    slug: Code
    status: WaveStatus = Field(default=WaveStatus.PLANNED, description="Legacy key: only 'planned' is accepted; "
                                                                         "progress lives in the run state.")
    window: Window
    systems: tuple[WaveEntry, ...] = Field(min_length=1)
    content_hash: str | None = None

    @field_validator("status")
    @classmethod
    def _no_progress_in_the_file(cls, status: WaveStatus) -> WaveStatus:
        if status is not WaveStatus.PLANNED:
            raise ValueError(f"the wave file says status {status.value!r}, but progress is not kept in wave files: "
                             "remove 'status' (govcloud migrate run and mark record progress in the environment's "
                             "state)")
        return status

    @property
    def sealed(self) -> bool:
        """True when the wave carries a seal (a content hash someone signed off)."""
        return self.content_hash is not None

    @property
    def file_name(self) -> str:
        return f"{self.wave:04d}-{self.slug}.yaml"

    def computed_hash(self) -> str:
        return content_hash(self)

    def sealed_copy(self) -> MigrationWave:
        """This wave with the hash of its content recorded (signed off as it is)."""
        return self.model_copy(update={"content_hash": content_hash(self)})

    def is_tampered(self) -> bool:
        """True when a wave carries a seal and its content differs from it."""
        return self.content_hash is not None and self.content_hash != content_hash(self)


def content_hash(wave: MigrationWave) -> str:
    """SHA-256 over the wave's JSON (fields in schema order), leaving out ``status`` and ``content_hash``.

    The YAML layout, comments and key order of the file do not matter: the hash is of the parsed content.
    """
    canonical = wave.model_dump_json(exclude={"status", "content_hash"})
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
