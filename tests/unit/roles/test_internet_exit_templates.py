"""The internet_exit role's nftables files, rendered from the host variables the model gives an
exit: the inside prefix comes from the model (the province's IPv6 block), table names and paths
are role variables (defaults/main.yml), and nftables' own parser accepts the result."""

from __future__ import annotations

import subprocess
from pathlib import Path

import jinja2
import pytest
import yaml

from govcloud.model import load_folder
from govcloud.network.hostvars import internet_exit_vars
from govcloud.network.environment import environment_topology
from govcloud.lab.netlab.overlay import LAB_FACTS

ROLE = Path(__file__).resolve().parents[3] / "roles" / "internet_exit"


@pytest.fixture(scope="module")
def lab(project_root):
    environment = load_folder(project_root / "inventories" / "lab", name="lab")
    return environment, environment_topology(environment, LAB_FACTS, project_root)


def render(template: str, variables: dict) -> str:
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROLE / "templates")),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.get_template(template).render(**{**defaults, "inventory_hostname": "exit", **variables})


def test_the_inside_prefix_is_the_models_not_a_default(lab):
    environment, topology = lab
    variables = internet_exit_vars(topology.node("unified-province"))
    assert variables["internet_exit_inside_ipv6"] == str(environment.province.ipam.ipv6_block)
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
    assert defaults["internet_exit_inside_ipv6"] is None  # no address of any site as a default
    text = render("unified-exit.nft.j2", variables)
    assert f"ip6 saddr {environment.province.ipam.ipv6_block} counter snat ip6 prefix to" in text


def test_table_names_are_role_variables(lab):
    _, topology = lab
    variables = {**internet_exit_vars(topology.node("unified-province")), "internet_exit_nat_table": "site_nat",
                 "internet_exit_nat6_table": "site_nat6", "internet_exit_filter_table": "site_filter"}
    text = render("unified-exit.nft.j2", variables)
    assert "table ip site_nat {" in text and "table ip6 site_nat6 {" in text and "table inet site_filter {" in text
    assert "govcloud_exit" not in text
    assert "table ip site_nat {" in render("legacy-exit.nft.j2", variables)
    for task in ("decommission.yml", "rollback.yml", "setup.yml"):
        assert "govcloud_exit" not in (ROLE / "tasks" / task).read_text(encoding="utf-8"), task


def test_nftables_accepts_the_rendered_files(lab, tmp_path):
    _, topology = lab
    for node, template in (("unified-province", "unified-exit.nft.j2"), ("legacy-city-a", "legacy-exit.nft.j2")):
        path = tmp_path / f"{node}.nft"
        path.write_text(render(template, internet_exit_vars(topology.node(node))))
        done = subprocess.run(["nft", "-c", "-f", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, f"{node}: {done.stderr}"
