"""Loading the committed environments, and what the model derives from them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govcloud.errors import InputError
from govcloud.model import Tier, load_environment, load_folder, resolve_env

ROOT = Path(__file__).parents[3]


def test_lab_loads_with_every_part_the_labs_need():
    p = load_folder(ROOT / "inventories" / "lab").province
    assert [n.kind.value for n in p.nodes] == ["province", "city", "city"]
    assert p.core.code == "core"
    assert {s.tier for s in p.sites} >= {Tier.PROVINCE, Tier.CITY, Tier.COUNTY, Tier.TOWNSHIP}
    assert sum(e.status.value == "legacy" for e in p.exits) == 2
    assert p.department_by_code["prov-gov-office"].name == "省人民政府办公厅"


def test_sites_walk_top_down():
    p = load_folder(ROOT / "inventories" / "lab").province
    order = [s.code for s in p.walk_sites()]
    for site in p.sites:
        if site.parent:
            assert order.index(site.parent) < order.index(site.code)


def test_example_province_has_the_scale_of_a_real_one():
    p = load_folder(ROOT / "inventories" / "example").province
    assert len(p.nodes) == 17
    assert 2800 <= len(p.systems) <= 3200
    assert 120 <= sum(s.tier is Tier.COUNTY for s in p.sites) <= 160
    assert 1600 <= sum(s.tier is Tier.TOWNSHIP for s in p.sites) <= 2000
    assert 250 <= sum(e.status.value == "legacy" for e in p.exits)
    city_depts = [d for d in p.departments if d.tier is Tier.CITY]
    per_city = {d.node: 0 for d in city_depts}
    for d in city_depts:
        per_city[d.node] += 1
    assert all(30 <= n <= 45 for n in per_city.values())
    fan_in = {}
    for s in p.systems:
        for dep in s.depends_on:
            fan_in[dep] = fan_in.get(dep, 0) + 1
    assert max(fan_in.values()) > 200, "shared services should have many dependants"


def test_example_generator_reproduces_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "inventories" / "example" / "generate.py"), "--out", str(tmp_path)],
                   check=True)
    for file in tmp_path.glob("*.yaml"):
        assert file.read_bytes() == (ROOT / "inventories" / "example" / file.name).read_bytes(), file.name


def test_env_may_be_a_name_or_a_path(lab_copy):
    assert resolve_env("lab", ROOT) == (ROOT / "inventories" / "lab").resolve()
    assert load_environment(str(lab_copy), ROOT).path == lab_copy.resolve()


def test_unknown_env_names_the_known_ones():
    with pytest.raises(InputError) as info:
        resolve_env("nowhere", ROOT)
    assert "lab" in info.value.fix and "example" in info.value.fix
