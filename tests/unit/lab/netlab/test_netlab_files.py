"""Node files by role: only routers and exits run FRR; only the internet node serves sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from netaddr import IPNetwork

from govcloud.lab.netlab import files
from govcloud.lab.netlab.overlay import INTERNET_SERVER_PORT
from govcloud.network.topology import NetNode, NodeRole

NODE_DIR = Path("/var/lib/govcloud/netlab/nodes/n1")


def _node(role: NodeRole) -> NetNode:
    return NetNode("n1", role, IPNetwork("198.18.255.7/24"))


@pytest.mark.parametrize(("role", "frr"), [
    (NodeRole.ROUTER, True), (NodeRole.EXIT, True), (NodeRole.HOST, False), (NodeRole.INTERNET, False)])
def test_only_routers_and_exits_run_frr(role, frr):
    node = _node(role)
    assert files.runs_frr(node) is frr
    etc = files.etc_files(node)
    assert ("frr/daemons" in etc) is frr and ("frr/frr.conf" in etc) is frr
    script = files.init_script(node, NODE_DIR, NODE_DIR / "sshd_config")
    assert ("frrinit.sh start" in script) is frr


def test_every_node_resolves_nothing_at_once_and_knows_its_own_name():
    etc = files.etc_files(_node(NodeRole.HOST))
    assert etc["hostname"] == "n1\n" and "127.0.1.1 n1\n" in etc["hosts"]
    assert "timeout:1 attempts:1" in etc["resolv.conf"]


def test_only_the_internet_node_starts_the_source_server_on_its_port():
    internet = files.init_script(_node(NodeRole.INTERNET), NODE_DIR, NODE_DIR / "sshd_config")
    assert f"{files.SOURCE_SERVER} {INTERNET_SERVER_PORT} " in internet and files.SOURCE_SERVER.exists()
    router = files.init_script(_node(NodeRole.ROUTER), NODE_DIR, NODE_DIR / "sshd_config")
    assert str(files.SOURCE_SERVER) not in router


def test_every_mount_of_a_node_is_its_own_folder():
    script = files.init_script(_node(NodeRole.ROUTER), NODE_DIR, NODE_DIR / "sshd_config")
    for line in script.splitlines():
        if line.startswith("mount --bind"):
            assert line.split()[2].startswith(f"{NODE_DIR}/"), line
    assert f"upperdir={NODE_DIR}/etc,workdir={NODE_DIR}/work" in script


def test_sshd_keeps_its_pid_in_the_node_folder():
    text = files.sshd_config(_node(NodeRole.HOST), NODE_DIR, NODE_DIR / "hk", NODE_DIR / "ak")
    assert f"PidFile {NODE_DIR}/sshd.pid\n" in text and f"HostKey {NODE_DIR}/hk\n" in text


def test_a_passwd_line_that_is_not_root_or_is_malformed_is_kept_as_it_is():
    host = "rootless:x:1:1::/home/r:/bin/sh\nroot:x:0:0\n"
    assert files.node_passwd(host, NODE_DIR / "root") == host


def test_a_legacy_exit_masquerades_out_of_its_uplink():
    assert 'oifname "isp0" counter masquerade' in files.legacy_exit_nft(_node(NodeRole.EXIT))
