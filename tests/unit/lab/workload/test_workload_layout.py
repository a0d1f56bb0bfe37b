"""The workload's places: one address each from its subnet, folders and namespaces per lab instance."""

from __future__ import annotations

from pathlib import Path

import pytest
from netaddr import IPAddress

from govcloud.lab.workload import layout
from govcloud.lab.workload.layout import Layout
from govcloud.paths import INSTANCE_VARIABLE

ROOT = Path("/var/lib/govcloud/workload")


@pytest.fixture
def default_lab(monkeypatch):
    monkeypatch.delenv(INSTANCE_VARIABLE, raising=False)
    return Layout(ROOT, "city-a", "city-b", "province")


def test_each_place_has_its_own_address_in_the_subnet(default_lab):
    addresses = {place.name: place.address for place in default_lab.places}
    assert addresses == {
        "front": IPAddress("198.18.240.2"), "client": IPAddress("198.18.240.20"), "legacy": IPAddress("198.18.240.10"),
        "city-a": IPAddress("198.18.240.11"), "city-b": IPAddress("198.18.240.12"), "province": IPAddress("198.18.240.13"),
    }
    assert all(address in layout.SUBNET for address in addresses.values())
    assert default_lab.service == default_lab.place("front")


def test_a_place_keeps_its_files_under_its_own_folder(default_lab):
    place = default_lab.place("city-b")
    assert place.root == ROOT / "places" / "city-b"
    assert {place.data, place.sockets, place.log} == {place.root / "pgdata", place.root / "sock", place.root / "log"}
    assert place.dsn == "host=198.18.240.12 port=5432 dbname=app user=postgres connect_timeout=1"
    assert place.local_dsn == f"host={place.root / 'sock'} port=5432 dbname=app user=postgres"
    assert place.app_url == "http://198.18.240.12:8080"
    assert default_lab.state_file == ROOT / "workload.json"


def test_interface_names_stay_within_linux_limits_and_apart(default_lab):
    veths = [place.veth for place in default_lab.places]
    assert len(set(veths)) == len(veths) and max(map(len, veths)) <= 15


def test_a_place_that_is_not_a_node_of_the_layout_is_refused(default_lab):
    with pytest.raises(ValueError):
        default_lab.place("city-z")


def test_the_default_lab_namespaces_start_with_gcw(default_lab):
    assert default_lab.place("legacy").namespace == "gcw-legacy"
    assert default_lab.switch_namespace == "gcw-net"
    assert layout.default_root() == ROOT


def test_an_instance_names_its_namespaces_and_folder_apart(monkeypatch, tmp_path):
    monkeypatch.setenv(INSTANCE_VARIABLE, "unit")
    monkeypatch.setattr("govcloud.paths.LAB_ROOT", tmp_path)  # the instance registry lives under it
    assert layout.ns_prefix() == "g01w-"  # the first instance of a fresh registry
    assert layout.default_root() == tmp_path / "instances" / "unit" / "workload"
    assert Layout(tmp_path, "a", "b", "c").switch_namespace == "g01w-net"


def test_a_node_name_becomes_a_standby_name_of_letters_and_digits(default_lab):
    assert default_lab.standby_name("city-a") == "citya"
