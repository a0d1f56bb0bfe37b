"""The lab's state directory: where each instance keeps its files, private writes, stable secrets."""

from __future__ import annotations

import stat

from govcloud.lab.openstack.statedir import ACCOUNTS, OpenStackLabPaths, lab_paths, load_or_create_secrets, write_if_changed
from govcloud.paths import LabInstance


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_instance_keeps_its_state_under_its_own_root_with_its_own_ports(tmp_path):
    default = lab_paths(LabInstance())
    instance = lab_paths(LabInstance("test", 3))
    assert str(default.root) == "/var/lib/govcloud/openstack-lab" and default.ports.offset == 0
    assert str(instance.root) == "/var/lib/govcloud/instances/test/openstack-lab" and instance.ports.offset == 3000
    assert lab_paths(LabInstance("test", 3), tmp_path) == OpenStackLabPaths(tmp_path, instance.ports)


def test_create_makes_a_private_tree(tmp_path):
    paths = OpenStackLabPaths(tmp_path / "lab")
    paths.create()
    assert _mode(paths.root) == 0o700
    assert all(p.is_dir() for p in (paths.etc, paths.run, paths.pids, paths.log, paths.data))


def test_write_if_changed_writes_privately_and_only_on_change(tmp_path):
    target = tmp_path / "etc" / "a.conf"
    assert write_if_changed(target, "one\n") is True
    assert _mode(target) == 0o600 and target.read_text() == "one\n"
    assert write_if_changed(target, "one\n") is False
    assert write_if_changed(target, "two\n") is True and target.read_text() == "two\n"
    assert not list(tmp_path.glob("etc/*.tmp"))


def test_secrets_are_made_once_and_missing_accounts_added_without_changing_the_others(tmp_path):
    paths = OpenStackLabPaths(tmp_path)
    first = load_or_create_secrets(paths)
    assert set(first) == set(ACCOUNTS) and _mode(paths.secrets_file) == 0o600
    assert all(len(value) == 32 and int(value, 16) >= 0 for value in first.values())
    assert load_or_create_secrets(paths) == first
    paths.secrets_file.write_text('{"admin": "kept"}')
    again = load_or_create_secrets(paths)
    assert again["admin"] == "kept" and set(again) == set(ACCOUNTS)
