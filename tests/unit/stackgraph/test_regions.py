"""Which provider creates a spec: an explicit one only for a spec that names a region of its own."""

from __future__ import annotations

import pytest

from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.regions import own_region
from govcloud.stackgraph.spec import Ref, ResourceSpec


@pytest.mark.parametrize("inputs, region", [
    ({"region": "RegionCityB", "size": 1}, "RegionCityB"),  # the other side of a DR pair
    ({"region": "RegionOne", "size": 1}, None),  # its stack's own region: the default provider
    ({"size": 1}, None),
    ({"region": "", "size": 1}, None),
    ({"region": None, "size": 1}, None),
    ({"region": Ref("elsewhere", "region")}, None),  # not known offline: the default provider
    ({"Region": "RegionCityB", "size": 1}, None),
])
def test_a_spec_has_a_provider_of_its_own_only_for_another_named_region(inputs, region) -> None:
    assert own_region(ResourceSpec(t.VOLUME, "v", inputs), "RegionOne") == region


def test_without_a_stack_region_every_named_region_has_its_own_provider() -> None:
    assert own_region(ResourceSpec(t.VOLUME, "v", {"region": "RegionOne"}), None) == "RegionOne"
