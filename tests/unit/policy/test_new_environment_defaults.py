"""A new environment with no stack settings and no pack environment file either passes every
mandatory rule of the baseline, or fails it with findings that name the setting to add and where
(issue 13; the findings' setting locations come from issue 16)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from govcloud.policy.offline import check_environment

ROOT = Path(__file__).parents[3]


@pytest.fixture()
def new_env(tmp_path) -> Path:
    """highland copied under a name that has no stack settings and no pack environment file."""
    env = tmp_path / "newprov"
    shutil.copytree(ROOT / "inventories" / "highland", env)
    assert not list((ROOT / "stacks").glob("Pulumi.newprov-*.yaml"))
    return env


def drop_dr(env: Path) -> None:
    path = env / "systems.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for system in data["systems"]:
        for key in ("dr", "dr_node", "rpo_s", "rto_s"):
            system.pop(key, None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_dr_instances_without_an_image_setting_fail_naming_the_setting_and_its_file(new_env):
    _, result, _ = check_environment(str(new_env), ROOT)
    assert result.mandatory, "the default DR image passed the baseline"
    for finding in result.mandatory:
        assert finding.rule_id == "GOV-CMP-001", f"{finding.rule_id}: {finding.message}"
        setting = finding.locations[0]
        assert setting.kind == "settings" and setting.file == "stacks/Pulumi.newprov-province.yaml"
        assert "drImage" in setting.field and "default applies" in setting.field


def test_without_dr_the_defaults_pass_every_mandatory_rule(new_env):
    drop_dr(new_env)
    _, result, _ = check_environment(str(new_env), ROOT)
    assert result.resources > 100
    assert result.mandatory == [], [f"{f.rule_id}: {f.message}" for f in result.mandatory]
