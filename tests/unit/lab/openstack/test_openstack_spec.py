"""The lab spec: validation with a fix, covering, merging (the lab only grows) and its JSON form."""

from __future__ import annotations

import pytest

from govcloud.errors import InputError
from govcloud.lab.openstack.labspec import (
    ComputeHost,
    OpenStackLabSpec,
    TenantSpec,
    default_spec,
    spec_from_json,
    spec_to_json,
)

BIG = OpenStackLabSpec(regions=("RegionOne", "RegionTwo"),
                       compute_hosts=(ComputeHost("compute1"), ComputeHost("compute2", "zone2")),
                       extra_projects=("alpha", "beta"))


def test_a_lab_covers_a_smaller_spec_and_not_a_larger_one():
    assert BIG.covers(default_spec())
    assert BIG.covers(BIG)
    assert not default_spec().covers(BIG)


@pytest.mark.parametrize("other", [
    OpenStackLabSpec(regions=("RegionOne", "RegionThree")),
    OpenStackLabSpec(compute_hosts=(ComputeHost("compute3"),)),
    OpenStackLabSpec(compute_hosts=(ComputeHost("compute1", "zone9"),)),  # same host, other zone
    OpenStackLabSpec(extra_projects=("gamma",)),
])
def test_one_missing_region_host_zone_or_project_means_not_covered(other):
    assert not BIG.covers(other)


def test_the_tenant_does_not_decide_covering():
    assert BIG.covers(OpenStackLabSpec(tenant=TenantSpec("other", "someone")))


def test_merging_keeps_the_first_region_first_and_adds_the_rest_in_order():
    merged = BIG.merged_with(OpenStackLabSpec(regions=("RegionThree", "RegionOne"), extra_projects=("gamma", "alpha")))
    assert merged.regions == ("RegionOne", "RegionTwo", "RegionThree")
    assert merged.extra_projects == ("alpha", "beta", "gamma")
    assert merged.covers(BIG)


def test_merging_takes_the_other_zone_of_a_shared_host_and_the_other_tenant():
    other = OpenStackLabSpec(compute_hosts=(ComputeHost("compute1", "zone1"), ComputeHost("compute3")),
                             tenant=TenantSpec("p2", "u2"))
    merged = BIG.merged_with(other)
    assert merged.compute_hosts == (ComputeHost("compute1", "zone1"), ComputeHost("compute2", "zone2"),
                                    ComputeHost("compute3"))
    assert merged.tenant == TenantSpec("p2", "u2")
    assert merged.extra_zones == ("zone1", "zone2")


def test_merging_a_covered_spec_changes_nothing():
    assert BIG.merged_with(default_spec()) == BIG


def test_the_fingerprint_follows_the_content():
    assert BIG.fingerprint() == OpenStackLabSpec(**BIG.__dict__).fingerprint()
    assert BIG.fingerprint() != BIG.merged_with(OpenStackLabSpec(extra_projects=("gamma",))).fingerprint()


def test_json_round_trips():
    assert spec_from_json(spec_to_json(BIG)) == BIG


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"regions": ()}, "regions is empty"),
    ({"compute_hosts": ()}, "compute_hosts is empty"),
    ({"regions": ("RegionOne", "RegionOne")}, "duplicates"),
    ({"extra_projects": ("has space",)}, "not a simple name"),
    ({"compute_hosts": (ComputeHost("c1", "1zone"),)}, "availability_zone"),
    ({"tenant": TenantSpec(project="service")}, "reserved project name"),
    ({"extra_projects": ("admin",)}, "reserved project name"),
    ({"tenant": TenantSpec(user="nova")}, "service user name"),
])
def test_a_spec_that_cannot_be_built_is_refused_with_a_fix(kwargs, words):
    with pytest.raises(InputError) as raised:
        OpenStackLabSpec(**kwargs)
    assert words in str(raised.value)
    assert raised.value.fix
