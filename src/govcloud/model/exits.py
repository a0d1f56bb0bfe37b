"""Internet exits: the legacy ones to be consolidated and the unified, centrally controlled ones."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from .base import DISPLAY_NAME_MAX, Code, FrozenModel, IPv4Network, IPv6Network


class ExitOwnerKind(str, Enum):
    DEPARTMENT = "department"
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"


class ExitStatus(str, Enum):
    LEGACY = "legacy"
    UNIFIED = "unified"
    DECOMMISSIONED = "decommissioned"


class Uplink(FrozenModel):
    """The exit's connection to an ISP, with its public ranges."""

    isp: str = Field(min_length=1)
    bandwidth_mbps: int = Field(gt=0)
    ipv4: IPv4Network
    ipv6: IPv6Network | None = None


class InternetExit(FrozenModel):
    code: Code
    name: str = Field(default="", max_length=DISPLAY_NAME_MAX)
    owner_kind: ExitOwnerKind
    owner: Code = Field(description="Code of the owning department, or of the county/city/province site.")
    site: Code = Field(description="Extranet site where the exit is attached.")
    status: ExitStatus
    uplink: Uplink
    node: Code | None = Field(
        default=None, description="For unified exits: the cloud node whose external network it serves."
    )
