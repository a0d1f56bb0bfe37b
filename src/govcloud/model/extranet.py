"""The e-government extranet: sites by tier, the links between them, and the horizontal units
(party committee, people's congress, CPPCC, courts, procuratorates, departments) attached to them."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from .primitives import DISPLAY_NAME_MAX, Code, DisplayName, FrozenModel, IPv4Network, Tier, WholeNumber


class UnitKind(str, Enum):
    PARTY_COMMITTEE = "party-committee"
    PEOPLES_CONGRESS = "peoples-congress"
    CPPCC = "cppcc"
    COURT = "court"
    PROCURATORATE = "procuratorate"
    DEPARTMENT = "department"


class Ipv6Status(str, Enum):
    """Where a site stands in the IPv6 rollout."""

    NONE = "none"
    PLANNED = "planned"
    DUAL_STACK = "dual-stack"


class Unit(FrozenModel):
    """A horizontally attached unit: it gets its own access LAN at the site."""

    code: Code
    kind: UnitKind
    name: str = Field(default="", max_length=DISPLAY_NAME_MAX)
    department: Code | None = Field(default=None, description="For kind 'department': its code.")


class Site(FrozenModel):
    """An extranet point of presence: the province core, a city, a county, a township or village."""

    code: Code
    name: DisplayName
    tier: Tier
    parent: Code | None = Field(default=None, description="The site one tier up; none for the province core.")
    units: tuple[Unit, ...] = ()
    ipv4_in_use: tuple[IPv4Network, ...] = Field(default=(), description="IPv4 ranges in use today.")
    ipv6_status: Ipv6Status = Ipv6Status.NONE


class LinkKind(str, Enum):
    UPLINK = "uplink"
    CROSS = "cross"


class Link(FrozenModel):
    """A routed link between two sites (an uplink to the parent, or a cross link for redundancy)."""

    a: Code
    b: Code
    kind: LinkKind = LinkKind.UPLINK
    bandwidth_mbps: WholeNumber = Field(default=1000, gt=0)

    @property
    def key(self) -> str:
        return f"{self.a}--{self.b}"
