"""Config rendering: every file of a lab instance carries that instance's ports and paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govcloud.lab.openstack.config import compute_config, db_url, rendered_files, uwsgi_apps, uwsgi_config
from govcloud.lab.openstack.ports import LabPorts
from govcloud.lab.openstack.labspec import ComputeHost, OpenStackLabSpec
from govcloud.lab.openstack.statedir import ACCOUNTS, OpenStackLabPaths

SPEC = OpenStackLabSpec(regions=("RegionA", "RegionB"),
                        compute_hosts=(ComputeHost("c1"), ComputeHost("c2", "zone2")))
SECRETS = {name: f"{name}-secret" for name in ACCOUNTS}
OFFSET = 3000
# A port a config file names: after the loopback address, as a bind/listen port, or in NODE_PORT=/DIST_PORT=.
PORT = re.compile(r"(?<=127\.0\.0\.1:)\d+|(?<=bind_port = )\d+|(?<=listen_port = )\d+|(?<=_PORT=)\d+")


def _files(root: Path, offset: int) -> dict[str, str]:
    paths = OpenStackLabPaths(root, LabPorts(offset))
    return {str(path.relative_to(paths.etc)): text for path, text in rendered_files(paths, SPEC, SECRETS).items()}


@pytest.fixture
def instance_files(tmp_path) -> dict[str, str]:
    return _files(tmp_path, OFFSET)


def _ports_named(text: str) -> set[int]:
    return {int(port) for port in PORT.findall(text)}


def test_every_file_lives_under_the_instance_etc_and_nothing_is_written(tmp_path):
    paths = OpenStackLabPaths(tmp_path / "state", LabPorts(OFFSET))
    files = rendered_files(paths, SPEC, SECRETS)
    assert all(path.is_relative_to(paths.etc) for path in files)
    assert not (tmp_path / "state").exists()  # rendering is pure


def test_each_compute_host_and_uwsgi_app_gets_its_own_file(tmp_path):
    paths = OpenStackLabPaths(tmp_path)
    files = rendered_files(paths, SPEC, SECRETS)
    for host in SPEC.compute_hosts:
        assert f"host = {host.name}\n" in files[compute_config(paths, host)]
    assert "host = controller\n" in files[paths.etc / "nova" / "nova.conf"]
    assert {path for path in files if path.parent == paths.etc / "uwsgi"} == {
        uwsgi_config(paths, app.name) for app in uwsgi_apps(paths.ports)}


@pytest.mark.parametrize(("config", "names"), [
    ("uwsgi/keystone.ini", {"KEYSTONE"}),
    ("uwsgi/placement.ini", {"PLACEMENT"}),
    ("uwsgi/nova-api.ini", {"NOVA"}),
    ("glance-api.conf", {"GLANCE"}),
    ("neutron/neutron.conf", {"NEUTRON", "RABBIT"}),
    ("cinder.conf", {"CINDER", "RABBIT"}),
    ("nova/nova.conf", {"RABBIT"}),
    ("nova/nova-compute-c1.conf", {"RABBIT"}),
    ("rabbitmq.conf", {"RABBIT"}),
    ("rabbitmq-env.conf", {"RABBIT", "RABBIT_DIST"}),
])
def test_each_config_names_exactly_the_instance_ports_it_serves_or_calls(instance_files, config, names):
    ports = LabPorts(OFFSET).as_dict()
    named = _ports_named(instance_files[config])
    # keystone's URL is named by every service that checks tokens; it is part of "calls".
    assert named - {ports["KEYSTONE"]} == {ports[name] for name in names} - {ports["KEYSTONE"]}


def test_every_service_that_checks_tokens_calls_the_instance_keystone(instance_files):
    url = LabPorts(OFFSET).keystone_url
    for config in ("glance-api.conf", "neutron/neutron.conf", "cinder.conf", "nova/nova.conf", "placement/placement.conf"):
        assert f"auth_url = {url}" in instance_files[config], config


def test_an_instance_differs_from_the_default_lab_only_by_its_ports_and_root(tmp_path):
    default = _files(tmp_path / "default", 0)
    instance = _files(tmp_path / "instance", OFFSET)
    assert default.keys() == instance.keys()
    shift = {str(port): str(port + OFFSET) for port in LabPorts(0).as_dict().values()}
    for name, text in default.items():
        expected = PORT.sub(lambda match: shift[match.group()], text).replace(
            str(tmp_path / "default"), str(tmp_path / "instance"))
        assert instance[name] == expected, name


def test_no_default_port_is_left_in_an_instance_config(instance_files):
    defaults = set(LabPorts(0).as_dict().values())
    for name, text in instance_files.items():
        assert not _ports_named(text) & defaults, name
        assert "127.0.0.1:5000" not in text, name


def test_databases_are_reached_through_the_instance_socket_with_the_user_password(tmp_path):
    paths = OpenStackLabPaths(tmp_path)
    url = db_url(paths, SECRETS, "nova_api", user="nova")
    assert url == (f"mysql+pymysql://nova:nova-secret@localhost/nova_api"
                   f"?unix_socket={tmp_path}/run/mysqld.sock&charset=utf8")
    assert db_url(paths, SECRETS, "glance").startswith("mysql+pymysql://glance:glance-secret@")


def test_the_first_region_is_the_one_services_name(instance_files):
    assert "region_name = RegionA" in instance_files["nova/nova.conf"]
    assert "RegionB" not in "".join(instance_files.values())
