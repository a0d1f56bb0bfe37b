"""How a cloud node's department prefixes meet the extranet: the node's BGP speaker and the
border router it peers with.

Each node's department routers take their gateway on the node's transit network (no NAT inside
the extranet's address scopes); a BGP speaker of the node (neutron-dynamic-routing) advertises
their prefixes to the node's border router, the extranet router of the node's site, which
carries them into OSPF/OSPFv3. The addresses on both ends come from the address plan's
``transit:<node>`` prefixes (see :mod:`govcloud.network.cloud_routing`); only the autonomous
system numbers are the model's.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field, Strict, model_validator

from .primitives import FrozenModel, WholeNumber

Asn = Annotated[int, Strict(), Field(ge=1, le=4294967294, description="A BGP autonomous system number (RFC 6793).")]

PRIVATE_ASN_RANGES = ((64512, 65534), (4200000000, 4294967294))
"""RFC 6996: the ranges a province's own speakers and extranet routers should use."""


class SegmentType(str, Enum):
    FLAT = "flat"
    VLAN = "vlan"


class TransitSegment(FrozenModel):
    """Where the transit network meets the border router's interface: a physical network of the
    node's Neutron (``bridge_mappings`` / ``network_vlan_ranges``), flat or one VLAN on it."""

    physical_network: str = Field(min_length=1, max_length=64)
    network_type: SegmentType = SegmentType.FLAT
    segmentation_id: WholeNumber | None = Field(default=None, ge=1, le=4094, description="The VLAN id (vlan only).")

    @model_validator(mode="after")
    def _vlan_has_an_id(self) -> TransitSegment:
        if (self.network_type is SegmentType.VLAN) != (self.segmentation_id is not None):
            raise ValueError("a vlan segment needs its segmentation_id, and only a vlan segment has one")
        return self


class NodeRouting(FrozenModel):
    """The BGP session between a node's speaker and its site's border router (eBGP: two ASNs)."""

    speaker_asn: Asn = Field(description="ASN of the node's Neutron BGP speaker.")
    border_asn: Asn = Field(description="ASN of the extranet border router at the node's site.")
    transit_segment: TransitSegment | None = Field(
        default=None, description="The transit's provider segment; none: Neutron's default network type.")

    @model_validator(mode="after")
    def _two_systems(self) -> NodeRouting:
        if self.speaker_asn == self.border_asn:
            raise ValueError(f"speaker_asn and border_asn are both {self.speaker_asn}; the speaker peers with the "
                             "border router over eBGP, so give the speaker an ASN of its own")
        return self


def example_routing(taken_speaker_asns: list[int]) -> str:
    """The fix an operator is shown: a routing entry whose speaker ASN no node uses yet, in the
    private 4-byte range (RFC 6996)."""
    speaker = max([4200000999, *taken_speaker_asns]) + 1
    return f"routing: {{speaker_asn: {speaker}, border_asn: <the border router's ASN>}}"


EXTRANET_PURPOSES = frozenset({"business"})
"""Purposes of the tenant networks whose router takes its gateway on the transit network, and so
whose prefixes the node's speaker advertises. Management networks never do: they stay
unreachable from the extranet (MLPS 8.1.5.4a)."""


def reaches_extranet(network) -> bool:
    """Whether a tenant network (or a network purpose) is routed into the extranet."""
    purpose = getattr(network, "purpose", network)
    return getattr(purpose, "value", purpose) in EXTRANET_PURPOSES
