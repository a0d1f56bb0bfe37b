"""The service plan: every daemon of the lab, its ports, its configs and a start order that holds."""

from __future__ import annotations

import pytest

from govcloud.lab.openstack.config import rendered_files
from govcloud.lab.openstack.ports import LabPorts
from govcloud.lab.openstack.daemons import plan_services
from govcloud.lab.openstack.labspec import ComputeHost, OpenStackLabSpec
from govcloud.lab.openstack.statedir import ACCOUNTS, OpenStackLabPaths

SPEC = OpenStackLabSpec(compute_hosts=(ComputeHost("c1"), ComputeHost("c2", "zone2")))
OFFSET = 2000


@pytest.fixture
def paths(tmp_path) -> OpenStackLabPaths:
    return OpenStackLabPaths(tmp_path, LabPorts(OFFSET))


@pytest.fixture
def plan(paths):
    return plan_services(paths, SPEC)


def test_core_holds_the_infrastructure_and_apis_and_workers_hold_nova_and_each_compute_host(plan):
    assert [s.name for s in plan.core] == [
        "mariadb", "epmd", "rabbitmq", "keystone", "placement", "nova-api",
        "glance-api", "neutron-server", "cinder-api", "cinder-scheduler", "cinder-volume"]
    assert [s.name for s in plan.workers] == ["nova-conductor", "nova-scheduler", "nova-compute-c1", "nova-compute-c2"]
    assert plan.all == plan.core + plan.workers


def test_every_dependency_names_a_service_that_comes_earlier(plan):
    seen: set[str] = set()
    for service in plan.all:
        assert set(service.after) <= seen, f"{service.name} waits for {set(service.after) - seen}"
        seen.add(service.name)


def test_no_core_service_waits_for_a_worker(plan):
    workers = {s.name for s in plan.workers}
    assert not any(set(s.after) & workers for s in plan.core)


def test_nova_workers_wait_for_keystone_and_placement(plan):
    # Without the service users and Placement they die with 401 (the module docstring's reason).
    for service in plan.workers:
        assert {"keystone", "placement"} <= set(service.after), service.name


def test_the_plan_listens_on_the_instance_ports_each_held_by_one_service(plan):
    held = [port for service in plan.all for port in service.ports]
    assert len(held) == len(set(held))
    assert set(held) == set(LabPorts(OFFSET).as_dict().values())


def test_every_config_a_service_reads_is_one_the_lab_renders(paths, plan):
    rendered = rendered_files(paths, SPEC, {name: "x" for name in ACCOUNTS})
    for service in plan.all:
        assert service.configs or service.name == "epmd", service.name  # epmd takes its port as arguments
        missing = [c for c in service.configs if c not in rendered]
        assert not missing, f"{service.name} reads {missing}, which no template renders"


def test_daemons_are_given_their_config_files_and_the_instance_epmd_port(paths, plan):
    by_name = {s.name: s for s in plan.all}
    assert by_name["glance-api"].argv[-2:] == ("--config-file", str(paths.etc / "glance-api.conf"))
    assert by_name["nova-compute-c2"].argv[-1] == str(paths.etc / "nova" / "nova-compute-c2.conf")
    assert by_name["epmd"].argv == ("/usr/bin/epmd", "-address", "127.0.0.1", "-port", str(4369 + OFFSET))
    assert by_name["rabbitmq"].env["ERL_EPMD_PORT"] == str(4369 + OFFSET)
    assert by_name["rabbitmq"].env["HOME"] == str(paths.rabbit_dir)


def test_a_second_compute_host_adds_one_worker_and_nothing_else(paths):
    one = plan_services(paths, OpenStackLabSpec())
    two = plan_services(paths, OpenStackLabSpec(compute_hosts=(ComputeHost("compute1"), ComputeHost("compute2"))))
    assert one.core == two.core
    assert [s.name for s in two.workers] == [s.name for s in one.workers] + ["nova-compute-compute2"]
