"""What the model does not hold about the devices comes from the site's inventory source (a
NetBox-style export) or, in the lab, from the lab's overlay; production modules hold no lab fact
and import nothing from govcloud.lab."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from netaddr import IPNetwork

from govcloud.errors import InputError
from govcloud.lab.netlab.overlay import LAB_FACTS, with_lab_internet
from govcloud.model import load_folder
from govcloud.network.facts import load_site_facts
from govcloud.network.inventory import inventory_data
from govcloud.network.environment import environment_topology
from govcloud.network.topology import NodeRole

SRC = Path(__file__).resolve().parents[3] / "src" / "govcloud"
PRODUCTION = ("model", "ipam", "stackgraph", "components", "policy", "network", "engine", "migration")
LAB_IMPORT = re.compile(r"^\s*(from\s+(govcloud\.lab|\.+lab)\b|import\s+govcloud\.lab\b)", re.M)


def test_production_modules_import_nothing_from_the_lab():
    offenders = [str(path.relative_to(SRC)) for package in PRODUCTION for path in (SRC / package).rglob("*.py")
                 if LAB_IMPORT.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_topology_module_holds_no_lab_address():
    text = (SRC / "network" / "topology.py").read_text(encoding="utf-8")
    for fact in ("198.18.255.", "203.0.113.254", "2001:db8:ffff"):
        assert fact not in text


@pytest.fixture(scope="module")
def environment(project_root):
    return load_folder(project_root / "inventories" / "lab", name="lab")


FACTS = """\
# A NetBox-style export of the devices: management address, platform, credentials reference.
management_network: 192.0.2.0/24
isp_links_v6: 2001:db8:fff0::/56
devices:
  - {name: core, primary_ip: 192.0.2.200/24, platform: frr, credentials_ref: "vault:netops/core"}
"""


def test_an_inventory_source_names_devices_and_the_rest_are_numbered(environment, tmp_path):
    path = tmp_path / "site-facts.yaml"
    path.write_text(FACTS)
    facts = load_site_facts(path)
    topology = environment_topology(environment, facts)
    core = topology.node("core")
    assert (core.mgmt, core.platform, core.credentials_ref) == (IPNetwork("192.0.2.200/24"), "frr", "vault:netops/core")
    assert topology.node("city-a").mgmt.ip in IPNetwork("192.0.2.0/24") and topology.node("city-a").platform is None
    # Without a simulated internet there is no fake internet node; exits keep their uplinks.
    assert not topology.by_role(NodeRole.INTERNET) and topology.by_role(NodeRole.EXIT)
    hosts = inventory_data(topology)["all"]["children"]["routers"]["hosts"]
    assert hosts["core"]["ansible_host"] == "192.0.2.200"
    assert hosts["core"]["govcloud_credentials_ref"] == "vault:netops/core"
    assert "govcloud_platform" not in hosts["city-a"]


def test_the_lab_overlay_supplies_the_lab_values(environment):
    production = environment_topology(environment, LAB_FACTS)
    assert not production.by_role(NodeRole.INTERNET), "the ISPs' side is not the province's to build"
    topology = with_lab_internet(production)
    assert topology.node("internet").role is NodeRole.INTERNET
    assert topology.nodes[:-1] == production.nodes and set(production.wires) < set(topology.wires)
    assert all(n.mgmt.ip in LAB_FACTS.mgmt_network for n in topology.nodes)
    assert topology.mgmt_gateway == LAB_FACTS.mgmt_network.network + 1


@pytest.mark.parametrize(("text", "expected"), [
    ("management_network: 2001:db8::/64\n", "management_network"),
    ("management_network: 192.0.2.0/24\ndevices:\n  - {name: core, primary_ip: nowhere}\n", "devices.0.primary_ip"),
    ("management_network: 192.0.2.0/24\ndevice: []\n", "device"),
    ("management_network: [\n", "not valid YAML"),
])
def test_a_bad_export_names_the_file_and_field(tmp_path, text, expected):
    path = tmp_path / "site-facts.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=re.escape(expected)) as info:
        load_site_facts(path)
    assert str(path) in str(info.value) and info.value.fix
