"""Generated provinces and the files a lab node boots from."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.errors import UsageError
from govcloud.ipam import plan_addresses
from govcloud.lab.netlab import generate_province
from govcloud.lab.netlab.files import etc_files, init_script, node_passwd, sshd_config
from govcloud.model import Province
from govcloud.network.topology import NodeRole, build_topology
from govcloud.network.waves import ipv6_waves
from govcloud.lab.netlab.overlay import LAB_FACTS


@pytest.mark.parametrize("routers", [5, 15, 30])
def test_generated_province_has_that_many_routers_and_a_valid_topology(routers):
    province = Province.model_validate(generate_province(routers))
    topology = build_topology("gen", province, plan_addresses(province), LAB_FACTS)
    assert len(topology.by_role(NodeRole.ROUTER)) == routers
    assert sum(len(w.hosts) for w in ipv6_waves(topology)) == routers + 1  # + the unified exit


def test_generated_size_is_bounded():
    with pytest.raises(UsageError):
        generate_province(1)


@pytest.fixture(scope="module")
def node():
    province = Province.model_validate(generate_province(5))
    return build_topology("gen", province, plan_addresses(province), LAB_FACTS).node("core")


def test_each_node_gets_its_own_hostname_hosts_and_frr_files(node):
    files = etc_files(node)
    assert files["hostname"] == "core\n" and "127.0.1.1 core" in files["hosts"]
    assert "ospf6d=yes" in files["frr/daemons"] and "router ospf" in files["frr/frr.conf"]


def test_sshd_listens_on_the_management_address_only_with_keys(node, tmp_path):
    text = sshd_config(node, tmp_path, tmp_path / "hk", tmp_path / "ak")
    assert f"ListenAddress {node.mgmt.ip}" in text
    assert "PasswordAuthentication no" in text and "PermitRootLogin prohibit-password" in text


def test_init_mounts_private_etc_and_run_frr_then_starts_daemons(node, tmp_path):
    script = init_script(node, tmp_path, tmp_path / "sshd_config")
    assert "mount -t overlay" in script and "/run/frr" in script
    assert script.index("mount -t overlay") < script.index("/usr/sbin/sshd") < script.index("frrinit.sh start")



def test_a_node_gives_root_its_own_home_and_keeps_every_other_account():
    host = "root:x:0:0:root:/root:/bin/bash\nfrr:x:100:101:Frr routing suite,,,:/nonexistent:/usr/sbin/nologin\n"
    text = node_passwd(host, Path("/var/lib/govcloud/netlab/nodes/core/root"))
    assert text.splitlines() == ["root:x:0:0:root:/var/lib/govcloud/netlab/nodes/core/root:/bin/bash",
                                 "frr:x:100:101:Frr routing suite,,,:/nonexistent:/usr/sbin/nologin"]
