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


class ExitKind(str, Enum):
    """How a unified exit is built, which decides who holds the exit's address (``+2``) on its
    node's transit network (:mod:`govcloud.ipam.transit`): exactly one device may.

    * ``appliance``: the central exit device the network team runs (logged, audited under MLPS),
      an extranet node beside the node's border router. The departments' default route leads
      through the border router to it; no stack builds a router with an internet gateway. The
      router-level topology draws it and the ``internet_exit`` role configures it. The default:
      a province's unified exit is its network's, not its cloud's.
    * ``cloud-router``: a Neutron router of the node's own stack, with its gateway on the cloud's
      provider network towards the internet (``Node.external_network``), for a node whose only
      uplink is that provider network. The topology draws no appliance for it and the role
      configures nothing.
    """

    APPLIANCE = "appliance"
    CLOUD_ROUTER = "cloud-router"


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
    kind: ExitKind = Field(
        default=ExitKind.APPLIANCE,
        description="For unified exits: how the exit is built, an appliance of the network (the default) or a "
                    "router of the node's cloud (cloud-router); see ExitKind. Legacy exits are appliances.")

    @property
    def is_cloud_router(self) -> bool:
        """A unified exit the node's stack builds as a Neutron router (the only internet gateway
        a stack may hold)."""
        return self.status is ExitStatus.UNIFIED and self.kind is ExitKind.CLOUD_ROUTER

    @property
    def is_appliance(self) -> bool:
        """A unified exit the network team's appliance provides (the topology draws it)."""
        return self.status is ExitStatus.UNIFIED and self.kind is ExitKind.APPLIANCE


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
