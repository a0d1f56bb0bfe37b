"""Legacy information systems and what moving them onto the cloud requires."""

from __future__ import annotations

from enum import Enum

from pydantic import Field, model_validator

from .primitives import Code, DisplayName, FrozenModel, Level, MlpsLevel, WholeNumber
from .hosting import off_shared_cloud

RECOVERY_MAX_S = 10 * 365 * 86400
"""Ten years: an RPO or RTO beyond it is a slip of the keyboard, not an objective (and a number of
thousands of digits would otherwise pass as one)."""


class Criticality(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    KEY = "key"


class DataClass(str, Enum):
    PUBLIC = "public"
    INTERNAL = "internal"
    SENSITIVE = "sensitive"
    CLASSIFIED = "classified"


class DrMode(str, Enum):
    NONE = "none"
    OFFSITE_BACKUP = "offsite-backup"
    DUAL_ACTIVE = "dual-active"


class Footprint(FrozenModel):
    """Resources the system needs on its target node."""

    vcpu: WholeNumber = Field(ge=0)
    ram_gb: WholeNumber = Field(ge=0)
    storage_gb: WholeNumber = Field(ge=0)


class LegacySystem(FrozenModel):
    code: Code
    name: DisplayName
    owner: Code = Field(description="Owning department's code.")
    current_site: Code = Field(description="Extranet site of the data centre or room it runs in now.")
    on_cloud: bool = Field(default=False, description="Already migrated onto the shared cloud.")
    mlps_level: Level = MlpsLevel.L2
    criticality: Criticality = Criticality.MEDIUM
    data_class: DataClass = DataClass.INTERNAL
    depends_on: tuple[Code, ...] = ()
    target_node: Code | None = Field(default=None, description="Node to migrate to; none for classified systems.")
    dr: DrMode = DrMode.NONE
    dr_node: Code | None = Field(default=None, description="Second node for dual-active or the backup target.")
    rpo_s: WholeNumber = Field(default=86400, ge=0, le=RECOVERY_MAX_S, description="Recovery point objective, seconds.")
    rto_s: WholeNumber = Field(default=86400, ge=0, le=RECOVERY_MAX_S, description="Recovery time objective, seconds.")
    footprint: Footprint = Footprint(vcpu=2, ram_gb=4, storage_gb=100)

    @model_validator(mode="after")
    def _dr_is_consistent(self) -> LegacySystem:
        if self.dr is DrMode.DUAL_ACTIVE and self.rpo_s != 0:
            raise ValueError("a dual-active system replicates synchronously: set rpo_s to 0")
        if self.dr is DrMode.NONE and self.dr_node is not None:  # else the named copy is silently never made
            raise ValueError(f"dr_node {self.dr_node!r} names a DR copy but dr is none: set dr (offsite-backup or "
                             "dual-active), or remove dr_node")
        if self.dr is not DrMode.NONE and self.dr_node is None:
            raise ValueError(f"dr {self.dr.value!r} needs dr_node: name a node other than target_node")
        reason = off_shared_cloud(self.mlps_level, self.data_class)  # the policy baseline's rule too
        if reason and (self.target_node is not None or self.dr_node is not None):
            raise ValueError(f"{reason}: remove target_node and dr_node")
        if reason and self.on_cloud:  # a system already there is on it as much as one planned to go
            raise ValueError(f"{reason}, but on_cloud says it runs there: move it off and set on_cloud: false")
        return self
