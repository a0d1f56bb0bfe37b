"""Lab instances: names, indexes, state directories, ports, prefixes and networks never shared."""

from __future__ import annotations

import json

import pytest
from netaddr import IPNetwork

from govcloud.errors import UsageError
from govcloud.lab.openstack.ports import LabPorts
from govcloud.lab.openstack.statedir import lab_paths
from govcloud.paths import DEFAULT_INSTANCE, LAB_ROOT, MAX_INSTANCES, LabInstance, current_instance, instance_named


def test_the_default_instance_is_the_users_lab_in_its_historic_places():
    assert current_instance({}) == DEFAULT_INSTANCE
    assert current_instance({"GOVCLOUD_LAB_INSTANCE": ""}) == DEFAULT_INSTANCE
    assert DEFAULT_INSTANCE.state_dir("openstack-lab") == LAB_ROOT / "openstack-lab"
    assert DEFAULT_INSTANCE.prefix("gc-") == "gc-" and DEFAULT_INSTANCE.prefix("gcmgmt0") == "gcmgmt0"
    assert DEFAULT_INSTANCE.mgmt_network == IPNetwork("198.18.255.0/24")
    assert lab_paths(DEFAULT_INSTANCE).ports.KEYSTONE == 5000


def test_names_get_distinct_indexes_kept_across_calls(tmp_path):
    registry = tmp_path / "instances.json"
    first, second = instance_named("test", registry), instance_named("ci2", registry)
    assert (first.index, second.index) == (1, 2)
    assert instance_named("test", registry) == first
    assert json.loads(registry.read_text()) == {"test": 1, "ci2": 2}


def test_a_full_registry_is_refused_with_a_fix(tmp_path):
    registry = tmp_path / "instances.json"
    for number in range(MAX_INSTANCES):
        instance_named(f"i{number}", registry)
    with pytest.raises(UsageError, match="no free lab instance index") as caught:
        instance_named("onemore", registry)
    assert str(registry) in caught.value.fix


@pytest.mark.parametrize("name", ["Test", "1abc", "a-b", "x" * 17, "../etc"])
def test_bad_names_are_refused(name, tmp_path):
    with pytest.raises(UsageError, match="not a lab instance name"):
        instance_named(name, tmp_path / "instances.json")


def test_a_corrupt_registry_names_its_line(tmp_path):
    registry = tmp_path / "instances.json"
    registry.write_text('{"test": 1,\n oops}')
    with pytest.raises(UsageError, match=r"instances.json:2"):
        instance_named("test", registry)


def _every_port(instance: LabInstance) -> set[int]:
    return set(LabPorts(instance.port_offset).as_dict().values())


def test_instances_share_no_port_prefix_network_or_state_dir():
    instances = [DEFAULT_INSTANCE, *(LabInstance(f"i{n}", n) for n in range(1, MAX_INSTANCES + 1))]
    for a in instances:
        for b in instances:
            if a is b:
                continue
            assert not _every_port(a) & _every_port(b), (a, b)
            for mine in ("gc-", "gcw-"):
                for theirs in ("gc-", "gcw-"):
                    # No namespace of one instance can be mistaken for another's by its prefix.
                    assert not b.prefix(theirs).startswith(a.prefix(mine)), (a, b)
            assert a.prefix("gcmgmt0") != b.prefix("gcmgmt0") and a.prefix("gcm") != b.prefix("gcm")
            assert a.mgmt_network != b.mgmt_network
            assert a.state_dir("netlab") != b.state_dir("netlab")
    # Interface names in the root namespace stay within Linux's 15 characters.
    assert all(len(i.prefix("gcmgmt0")) <= 15 and len(i.prefix("gcm") + "250") <= 15 for i in instances)
    # The workload lab's subnet and the ports stay clear of every management network and of 65535.
    assert all(IPNetwork("198.18.240.0/24") != i.mgmt_network for i in instances)
    assert max(max(_every_port(i)) for i in instances) < 65536


def test_an_instance_keystone_url_follows_its_ports():
    paths = lab_paths(LabInstance("test", 3))
    assert paths.ports.keystone_url == "http://127.0.0.1:8000/v3"
    assert paths.root == LAB_ROOT / "instances" / "test" / "openstack-lab"
