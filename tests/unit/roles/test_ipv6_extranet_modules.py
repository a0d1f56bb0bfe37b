"""The ipv6_extranet role's node modules: what they read from FRR, and what they change, in what
order, and what they leave alone. Commands are answered from scripts in the shapes FRR 8.4 and
iproute2 print; the files are real files under tmp_path."""

from __future__ import annotations

import grp
import json
import os
import pwd

import pytest
from support.role_modules import Failed

OSPF2 = json.dumps({"neighbors": {
    "198.51.100.1": [{"state": "Full/-", "nbrState": "Full/-"}],
    "198.51.100.2": [{"state": "2-Way/DROther", "nbrState": "2-Way/DROther"}],
}})
OSPF3 = json.dumps({"neighbors": [{"neighborId": "198.51.100.1", "state": "Full"},
                                  {"neighborId": "198.51.100.2", "state": "ExStart"}]})
ME = {"owner": pwd.getpwuid(os.getuid()).pw_name, "group": grp.getgrgid(os.getgid()).gr_name}


def test_only_full_neighbours_count_in_both_ospf_versions(role_modules, fake_module):
    frr = role_modules["govcloud_frr"]
    v2 = fake_module({}, {("vtysh", "-c", "show ip ospf neighbor json"): (0, OSPF2, "")})
    v3 = fake_module({}, {("vtysh", "-c", "show ipv6 ospf6 neighbor json"): (0, OSPF3, "")})
    assert len(frr.full_neighbors(v2, ipv6=False)) == 1
    assert len(frr.full_neighbors(v3, ipv6=True)) == 1


@pytest.mark.parametrize(("answer", "usable"), [
    ((0, "2001:db8::1 from :: via fe80::1 dev dn0 proto ospf", ""), True),
    ((0, "unreachable 2001:db8::1 dev lo table unspec", ""), False),
    ((2, "", "RTNETLINK answers: Network is unreachable"), False),
])
def test_a_route_counts_only_when_the_kernel_would_forward(role_modules, fake_module, answer, usable):
    route_usable = role_modules["govcloud_frr"].route_usable
    assert route_usable(fake_module({}, {("ip", "-6", "route", "get"): answer}), "-6", "2001:db8::1") is usable


def config_params(tmp_path, frr="new frr\n", nft="new filter\n"):
    return {"frr_conf": str(tmp_path / "frr.conf"), "frr_content": frr, "frr_reload": "/usr/lib/frr/frr-reload.py",
            "filter_path": str(tmp_path / "filter" / "ipv6.nft"), "filter_content": nft,
            "filter_table": "govcloud_v6filter", **ME}


def test_deploy_validates_then_replaces_and_reloads_frr(role_modules, fake_module, tmp_path):
    config = role_modules["govcloud_frr_config"]
    (tmp_path / "frr.conf").write_text("old frr\n")
    module = fake_module(config_params(tmp_path))
    diffs = []
    assert config.converge_frr(module, module.params, diffs) is True
    assert (tmp_path / "frr.conf").read_text() == "new frr\n"
    assert [c[:3] for c in module.commands] == [["vtysh", "-C", "-f"], ["/usr/lib/frr/frr-reload.py", "--reload",
                                                                        str(tmp_path / "frr.conf")]]
    assert diffs[0]["before"] == "old frr\n" and diffs[0]["after"] == "new frr\n"


def test_deploy_leaves_frr_alone_when_the_file_and_the_running_daemons_are_already_right(role_modules, fake_module,
                                                                                         tmp_path):
    config = role_modules["govcloud_frr_config"]
    (tmp_path / "frr.conf").write_text("new frr\n")
    module = fake_module(config_params(tmp_path))
    assert config.converge_frr(module, module.params, []) is False
    assert module.commands == [["/usr/lib/frr/frr-reload.py", "--test", str(tmp_path / "frr.conf")]]


# frr-reload.py --test, FRR 8.4, after `vtysh -c 'conf t' -c 'interface dn0' -c 'ipv6 ospf6 cost 77'`
HAND_CHANGE = "\nLines To Delete\n===============\ninterface dn0\n no ipv6 ospf6 cost 77\n"


@pytest.mark.parametrize("check_mode", [True, False])
def test_a_change_made_by_hand_in_the_running_daemons_is_reported_and_reloaded_away(role_modules, fake_module,
                                                                                     tmp_path, check_mode):
    config = role_modules["govcloud_frr_config"]
    (tmp_path / "frr.conf").write_text("new frr\n")
    module = fake_module(config_params(tmp_path), {("/usr/lib/frr/frr-reload.py", "--test"): (0, HAND_CHANGE, "")},
                         check_mode=check_mode)
    diffs = []
    assert config.converge_frr(module, module.params, diffs) is True
    assert diffs == [{"before_header": "running configuration", "after_header": str(tmp_path / "frr.conf"),
                      "prepared": "Lines To Delete\ninterface dn0\n no ipv6 ospf6 cost 77"}]
    reloads = [c for c in module.commands if "--reload" in c]
    assert reloads == ([] if check_mode else [["/usr/lib/frr/frr-reload.py", "--reload", str(tmp_path / "frr.conf")]])
    assert (tmp_path / "frr.conf").read_text() == "new frr\n"


def test_an_invalid_frr_conf_is_never_installed_nor_reloaded(role_modules, fake_module, tmp_path):
    config = role_modules["govcloud_frr_config"]
    (tmp_path / "frr.conf").write_text("old frr\n")
    module = fake_module(config_params(tmp_path), {("vtysh", "-C"): (1, "", "line 3: % Unknown command")})
    with pytest.raises(Exception, match="Unknown command"):
        config.converge_frr(module, module.params, [])
    assert (tmp_path / "frr.conf").read_text() == "old frr\n"
    assert not [c for c in module.commands if "--reload" in c]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frr.conf"]  # no temporary file left


def test_check_mode_reports_the_change_and_touches_nothing(role_modules, fake_module, tmp_path):
    config = role_modules["govcloud_frr_config"]
    (tmp_path / "frr.conf").write_text("old frr\n")
    module = fake_module(config_params(tmp_path), check_mode=True)
    diffs = []
    assert config.converge_frr(module, module.params, diffs) is True
    assert config.converge_filter(module, module.params, diffs) is True
    assert (tmp_path / "frr.conf").read_text() == "old frr\n" and not (tmp_path / "filter").exists()
    assert [c for c in module.commands if c[:2] != ["nft", "list"]] == []
    assert len(diffs) == 2


def test_a_right_filter_file_whose_table_is_gone_is_loaded_again(role_modules, fake_module, tmp_path):
    config = role_modules["govcloud_frr_config"]
    (tmp_path / "filter").mkdir()
    (tmp_path / "filter" / "ipv6.nft").write_text("new filter\n")
    loaded = fake_module(config_params(tmp_path))
    assert config.converge_filter(loaded, loaded.params, []) is False
    gone = fake_module(config_params(tmp_path), {("nft", "list"): (1, "", "No such file or directory")})
    assert config.converge_filter(gone, gone.params, []) is True
    assert gone.commands[-1] == ["nft", "-f", str(tmp_path / "filter" / "ipv6.nft")]


def restore_params(tmp_path):
    params = config_params(tmp_path)
    params.pop("frr_content"), params.pop("filter_content")
    return {**params, "backup_dir": str(tmp_path / "backup")}


def test_rollback_without_a_backup_refuses(role_modules, fake_module, tmp_path):
    restore = role_modules["govcloud_frr_restore"]
    module = fake_module(restore_params(tmp_path))
    with pytest.raises(Failed, match="no backup"):
        restore.restore_frr(module, module.params, [], [])


def test_rollback_restores_frr_and_removes_a_filter_the_backup_did_not_have(role_modules, fake_module, tmp_path):
    restore = role_modules["govcloud_frr_restore"]
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "frr.conf").write_text("ipv4 only\n")
    (tmp_path / "frr.conf").write_text("with ipv6\n")
    (tmp_path / "filter").mkdir()
    (tmp_path / "filter" / "ipv6.nft").write_text("a filter\n")
    module = fake_module(restore_params(tmp_path))
    restored = []
    restore.restore_frr(module, module.params, restored, [])
    restore.restore_filter(module, module.params, restored)
    assert (tmp_path / "frr.conf").read_text() == "ipv4 only\n"
    assert not (tmp_path / "filter" / "ipv6.nft").exists()
    assert ["nft", "delete", "table", "ip6", "govcloud_v6filter"] in module.commands
    assert restored == ["frr.conf", "filter removed"]


def test_verify_names_what_is_missing(role_modules, fake_module):
    verify = role_modules["govcloud_frr_verify"]
    params = {"expected_neighbors": 2, "core_ipv6": "2001:db8::1", "upstream": None, "timeout_s": 0}
    short = fake_module(params, {("vtysh",): (0, OSPF3, "")})
    assert verify.routing_state(short, params) == (1, "1 of 2 OSPFv3 adjacencies Full")
    params["expected_neighbors"] = 1
    no_route = fake_module(params, {("vtysh",): (0, OSPF3, ""), ("ip", "-6", "route"): (2, "", "unreachable")})
    assert verify.routing_state(no_route, params) == (1, "no IPv6 route to the province core 2001:db8::1")


def precheck_params(tmp_path):
    (tmp_path / "frr.conf").write_text("ipv4 only\n")
    return {**config_params(tmp_path), "router_id": "198.51.100.9", "interfaces": 2, "core_ipv4": "198.51.100.1",
            "backup_dir": str(tmp_path / "backup")}


def test_the_precheck_refuses_before_any_change_when_ipv4_has_not_converged(role_modules, fake_module, tmp_path):
    config = role_modules["govcloud_frr_config"]
    no_full = json.dumps({"neighbors": {"198.51.100.2": [{"state": "Init/DROther"}]}})
    module = fake_module(precheck_params(tmp_path), {("vtysh", "-c", "show ip ospf neighbor json"): (0, no_full, "")})
    with pytest.raises(Exception, match="no OSPFv2 neighbour in state Full"):
        config.check_and_back_up(module, module.params)
    assert not (tmp_path / "backup").exists()
    unrendered = fake_module({**precheck_params(tmp_path), "router_id": ""})
    with pytest.raises(Exception, match="render the inventory"):
        config.check_and_back_up(unrendered, unrendered.params)
    assert unrendered.commands == []


def test_the_precheck_backs_up_frr_and_records_that_there_was_no_filter(role_modules, fake_module, tmp_path):
    config = role_modules["govcloud_frr_config"]
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "ipv6-filter.nft").write_text("a filter from an older run\n")
    module = fake_module(precheck_params(tmp_path), {
        ("vtysh", "-c", "show ip ospf neighbor json"): (0, OSPF2, ""),
        ("vtysh", "-c", "show running-config"): (0, "running\n", ""),
        ("ip", "-4", "route", "get"): (0, "198.51.100.1 via 198.51.100.5 dev dn0", "")})
    config.check_and_back_up(module, module.params)
    assert (tmp_path / "backup" / "frr.conf").read_text() == "ipv4 only\n"
    assert (tmp_path / "backup" / "running.conf").read_text() == "running\n"
    assert not (tmp_path / "backup" / "ipv6-filter.nft").exists()


def test_verify_waits_for_tentative_addresses_and_for_answers(role_modules, fake_module):
    verify = role_modules["govcloud_frr_verify"]
    params = {"expected_neighbors": 1, "core_ipv6": "2001:db8::1", "upstream": "2001:db8:0:a::1", "timeout_s": 0}
    dad = fake_module(params, {("vtysh",): (0, OSPF3, ""),
                               ("ip", "-6", "-o", "address"): (0, "3: dn0    inet6 2001:db8:0:a::2/127 scope global "
                                                                  "tentative \\       valid_lft forever", "")})
    assert "tentative" in verify.routing_state(dad, params)[1]
    silent = fake_module(params, {("vtysh",): (0, OSPF3, ""), ("ping",): (1, "2 packets transmitted, 0 received", "")})
    assert verify.routing_state(silent, params) == (1, "no answer from the upstream neighbour 2001:db8:0:a::1 over IPv6")
    ready = fake_module(params, {("vtysh",): (0, OSPF3, "")})
    assert verify.routing_state(ready, params) == (1, None)
    assert [c[0] for c in ready.commands] == ["vtysh", "ip", "ip", "ping", "ping"]
