"""Waves from the model, the exit order, and the rendered inventory."""

from __future__ import annotations

import pytest
import yaml

from govcloud.commands.common import lab_topology, netlab_paths
from govcloud.errors import UsageError
from govcloud.model import Tier, load_environment, load_folder
from govcloud.network.inventory import inventory_data, render_inventory, stale_inventory, write_inventory
from govcloud.network.environment import environment_topology
from govcloud.network.waves import ipv6_waves, legacy_exit_order, select_waves
from govcloud.lab.netlab.overlay import LAB_FACTS, with_lab_internet


@pytest.fixture(scope="module")
def topology(project_root):
    return with_lab_internet(environment_topology(load_folder(project_root / "inventories" / "lab", name="lab"),
                                                 LAB_FACTS))


def test_waves_go_core_then_cities_counties_townships(topology):
    waves = ipv6_waves(topology)
    assert [w.tier for w in waves] == [Tier.PROVINCE, Tier.CITY, Tier.COUNTY, Tier.TOWNSHIP]
    assert set(waves[0].hosts) == {"core", "unified-province"}
    assert "legacy-city-a" not in {h for w in waves for h in w.hosts}


def test_select_by_number_or_tier_and_refuse_both(topology):
    waves = ipv6_waves(topology)
    assert select_waves(waves, wave=2)[0].tier is Tier.CITY
    assert select_waves(waves, tier="county")[0].number == 3
    with pytest.raises(UsageError):
        select_waves(waves, wave=9)
    with pytest.raises(UsageError):
        select_waves(waves, wave=1, tier="city")


def test_department_exits_are_consolidated_before_city_exits(topology):
    assert [n.name for n in legacy_exit_order(topology)] == ["legacy-prov-health", "legacy-city-a"]


def test_inventory_groups_by_tier_city_and_wave(topology, tmp_path):
    files = render_inventory(topology, tmp_path / "key", tmp_path / "known_hosts")
    data = yaml.safe_load(files["hosts.yml"])["all"]["children"]
    assert set(data["tier_county"]["hosts"]) == {"county-a1", "county-a2", "county-b1", "host-county-a1-agri"}
    assert "township-a1-1" in data["city_city_a"]["hosts"]
    assert set(data["ipv6_wave_1"]["hosts"]) == {"core", "unified-province"}
    assert set(data["exits_legacy"]["hosts"]) == {"legacy-prov-health", "legacy-city-a"}
    core = data["routers"]["hosts"]["core"]
    assert core["ipv6_extranet_expected_neighbors"] == 1  # the unified exit, same wave
    assert data["routers"]["hosts"]["city-a"]["ipv6_extranet_expected_neighbors"] == 1  # the core
    group_vars = yaml.safe_load(files["group_vars/all.yml"])
    assert "StrictHostKeyChecking=yes" in group_vars["ansible_ssh_common_args"]


def test_writing_an_unchanged_inventory_writes_nothing(topology, tmp_path):
    files = render_inventory(topology, tmp_path / "key", tmp_path / "known_hosts")
    assert len(write_inventory(tmp_path, files)) == 2
    assert write_inventory(tmp_path, files) == []


def test_no_group_is_named_like_a_host(topology):
    """`internet` was once both the fake internet's host and its group: Ansible then reads a
    pattern `internet` as the group, and warns on every plain ansible-playbook run."""
    children = inventory_data(topology)["all"]["children"]
    hosts = {host for group in children.values() for host in group["hosts"]}
    assert "internet" in hosts
    assert not set(children) & hosts
    assert "internet" in children["internet_hosts"]["hosts"]


def test_a_group_named_like_a_host_is_refused(topology):
    from dataclasses import replace

    from govcloud.errors import InputError
    from govcloud.network.topology import NodeRole

    host = topology.by_role(NodeRole.HOST)[0]
    # A department host named like a role group must be refused, not rendered.
    nodes = tuple(replace(n, name="routers") if n is host else n for n in topology.nodes)
    with pytest.raises(InputError, match="group and a host both named routers"):
        inventory_data(replace(topology, nodes=nodes))


def test_the_committed_lab_inventory_is_what_the_model_and_stack_settings_render(project_root, monkeypatch):
    """`rollout` refuses a stale inventory: the committed one (the user's lab, the default instance)
    must change with whatever renders it, e.g. a stack setting that gives a border router a session."""
    for name in ("GOVCLOUD_LAB_INSTANCE", "GOVCLOUD_LAB_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(project_root)
    environment = load_environment("lab", project_root)
    paths = netlab_paths(None)
    files = render_inventory(lab_topology(environment), paths.client_key, paths.known_hosts)
    stale = stale_inventory(environment.path, files)
    assert not stale, f"{stale} out of date: run `govcloud inventory render --env lab` and commit the result"
