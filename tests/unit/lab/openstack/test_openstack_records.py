"""What the state dir records: the spec the lab holds, whether it was seeded for it, its tenants."""

from __future__ import annotations

import pytest

from govcloud.lab.openstack import records
from govcloud.lab.openstack.labspec import ComputeHost, OpenStackLabSpec, TenantSpec, default_spec
from govcloud.lab.openstack.statedir import OpenStackLabPaths

GROWN = OpenStackLabSpec(compute_hosts=(ComputeHost("compute1"), ComputeHost("compute2")))


@pytest.fixture
def paths(tmp_path) -> OpenStackLabPaths:
    paths = OpenStackLabPaths(tmp_path / "lab")
    paths.create()
    return paths


def test_nothing_is_recorded_before_the_first_lab_up(paths):
    assert records.recorded_spec(paths) is None
    assert records.realised_spec(paths) is None
    assert records.tenants(paths) == set()


def test_a_recorded_spec_is_realised_only_once_seeded_for_exactly_it(paths):
    records.record_spec(paths, default_spec())
    assert records.recorded_spec(paths) == default_spec()
    assert records.realised_spec(paths) is None
    records.mark_seeded(paths, default_spec())
    assert records.realised_spec(paths) == default_spec()
    records.record_spec(paths, GROWN)  # asked to grow: not realised until seeded again
    assert not records.seeded_with(paths, GROWN)
    assert records.realised_spec(paths) is None


def test_a_damaged_spec_file_reads_as_no_spec(paths):
    (paths.root / records.SPEC_FILE).write_text('{"regions": ')
    assert records.recorded_spec(paths) is None


def test_tenants_accumulate_and_are_recorded_once(paths):
    records.add_tenant(paths, TenantSpec())
    records.add_tenant(paths, TenantSpec("p2", "u2"))
    records.add_tenant(paths, TenantSpec())
    assert records.tenants(paths) == {TenantSpec(), TenantSpec("p2", "u2")}
    assert paths.marker("tenants.json").read_text().count('"project"') == 2
