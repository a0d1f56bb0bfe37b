"""Internet exits: the legacy ones to be consolidated and the unified, centrally controlled ones."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from .primitives import DISPLAY_NAME_MAX, Code, FrozenModel, IPv4Network, IPv6Network, WholeNumber


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
    bandwidth_mbps: WholeNumber = Field(gt=0)
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


class ExitDesignation(FrozenModel):
    """One exit the provincial plan designates as unified, and who designated it."""

    exit: Code
    designated_by: Code = Field(description="The province's code, or the code of the city site the plan lets "
                                            "designate an exit of its own area.")
    decision: str = Field(min_length=1, description="The plan's decision: document number or title.")


class ExitPlan(FrozenModel):
    """The provincial plan's word on internet exits. A status of ``unified`` is what an exit is
    built as; only a designation here lets it reach the internet (a department or a node cannot
    declare its own exit unified)."""

    designations: tuple[ExitDesignation, ...] = ()
