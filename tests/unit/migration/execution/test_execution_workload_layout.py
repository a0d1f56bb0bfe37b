"""The workload's places and front end as data: addresses outside everything the lab model and the
network lab use, names the kernel accepts, and the HAProxy configuration for each routing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from netaddr import IPNetwork, IPSet

from govcloud.lab.workload.driver import layout_for, write_dsn
from govcloud.lab.workload.frontend import render
from govcloud.lab.workload.layout import SUBNET
from govcloud.migration.store import read_plan
from govcloud.model import load_environment
from govcloud.lab.netlab.overlay import MGMT_NETWORK

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="module")
def layout():
    environment = load_environment("lab", ROOT)
    entry = next(e for e in read_plan(ROOT / "migrations" / "lab")[0].wave.systems if e.code == "unified-identity")
    return layout_for(environment.province, entry, Path("/var/lib/govcloud/workload-test"))


def test_the_subnet_is_used_by_nothing_else_in_the_lab():
    extranet = yaml.safe_load((ROOT / "inventories" / "lab" / "extranet.yaml").read_text())
    province = yaml.safe_load((ROOT / "inventories" / "lab" / "province.yaml").read_text())
    used = IPSet([MGMT_NETWORK, *(IPNetwork(p) for p in province["ipam"]["cloud_ipv4"])])
    for site in extranet["sites"]:
        used.update(IPNetwork(p) for p in site.get("ipv4_in_use", []))
    assert not (used & IPSet([SUBNET])), "198.18.240.0/24 must stay free of the model's and netlab's ranges"


def test_places_get_distinct_addresses_and_short_interface_names(layout):
    places = layout.places
    assert layout.cloud_nodes == ("province", "city-a", "city-b")
    assert len({p.address for p in places}) == len(places)
    assert all(p.address in SUBNET for p in places)
    assert all(len(p.veth) <= 15 and p.namespace.startswith("gcw-") for p in places)


def test_writes_follow_the_read_write_node_of_the_pair(layout):
    dsn = write_dsn([layout.place("province"), layout.place("city-a")])
    assert "host=198.18.240.11,198.18.240.12" in dsn and "target_session_attrs=read-write" in dsn


def test_the_front_end_health_checks_exactly_the_servers_it_routes_to(layout):
    before = render(layout, ["legacy"])
    after = render(layout, ["province", "city-a"])
    assert "option httpchk GET /health" in after and "bind 198.18.240.2:8080" in after
    assert [l.split()[1] for l in before.splitlines() if l.strip().startswith("server")] == ["legacy"]
    assert [l.split()[1] for l in after.splitlines() if l.strip().startswith("server")] == ["province", "city-a"]
    assert all(" check" in l for l in after.splitlines() if l.strip().startswith("server"))
