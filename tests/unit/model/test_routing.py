"""Which tenant networks reach the extranet, and the routing entry suggested to a node without one."""

from __future__ import annotations

import pytest

from govcloud.model.cloud import NetworkPurpose, TenantNetwork
from govcloud.model.routing import example_routing, reaches_extranet


@pytest.mark.parametrize("given, reaches", [
    (TenantNetwork(name="office"), True),
    (TenantNetwork(name="ops", purpose="management"), False),
    (NetworkPurpose.BUSINESS, True),
    (NetworkPurpose.MANAGEMENT, False),
    ("business", True),  # a purpose as the YAML or a plan gives it
    ("management", False),
])
def test_only_business_networks_reach_the_extranet_however_they_are_given(given, reaches) -> None:
    assert reaches_extranet(given) is reaches


def test_the_suggested_speaker_asn_is_the_next_private_4_byte_one_no_node_uses() -> None:
    assert example_routing([]) == "routing: {speaker_asn: 4200001000, border_asn: <the border router's ASN>}"
    assert example_routing([4200001000, 4200001007, 64512]).startswith("routing: {speaker_asn: 4200001008,")
