"""The frr.conf the role renders: IPv4 today, IPv6 added, validated by FRR's own parser."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from govcloud.model import load_folder
from govcloud.network.hostvars import render_frr_conf
from govcloud.network.environment import environment_topology
from govcloud.lab.netlab.overlay import LAB_FACTS


@pytest.fixture(scope="module")
def topology(project_root):
    return environment_topology(load_folder(project_root / "inventories" / "lab", name="lab"), LAB_FACTS)


def test_ipv4_only_config_has_no_ipv6(topology):
    text = render_frr_conf(topology.node("core"), ipv6=False)
    assert "router ospf\n" in text and "ospf6" not in text and "ipv6 address" not in text


def test_ipv6_config_adds_planned_addresses_ospf6_and_ra(topology):
    core = topology.node("core")
    text = render_frr_conf(core, ipv6=True)
    assert f" ipv6 address {core.interface('lo').ipv6}\n" in text
    assert "router ospf6\n" in text and " ipv6 ospf6 area 0.0.0.0\n" in text
    assert " no ipv6 nd suppress-ra\n" in text
    # The IPv4 part is unchanged by the IPv6 rollout.
    v4_lines = [line for line in render_frr_conf(core, ipv6=False).splitlines()]
    assert all(line in text.splitlines() for line in v4_lines)


@pytest.mark.parametrize("ipv6", [False, True])
def test_no_interface_stanza_is_empty(topology, ipv6):
    """FRR shows no stanza for an interface without configuration: an empty one in the file would
    be a difference on every run (the core's interface to the cloud has no address of its own)."""
    assert any(i.kind == "cloud" and i.ipv6 is None and not i.ospf for i in topology.node("core").interfaces)
    for node in topology.nodes:
        lines = render_frr_conf(node, ipv6=ipv6).splitlines()
        empty = [lines[i] for i in range(len(lines) - 1) if lines[i].startswith("interface ") and lines[i + 1] == "exit"]
        assert not empty, (node.name, empty)


def test_exits_originate_a_default_with_their_metric(topology):
    text = render_frr_conf(topology.node("unified-province"), ipv6=True)
    assert text.count("default-information originate metric 100 metric-type 1") == 2


def test_frr_accepts_the_rendered_config(topology, tmp_path):
    assert shutil.which("vtysh"), "FRR is not installed: run scripts/netlab-install.sh (make setup does)"
    for node in ("core", "township-a1-1", "unified-province", "legacy-city-a"):
        conf = tmp_path / f"{node}.conf"
        conf.write_text(render_frr_conf(topology.node(node), ipv6=True))
        subprocess.run(["vtysh", "-C", "-f", str(conf)], check=True, capture_output=True)
