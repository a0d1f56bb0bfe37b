"""Where the project's files live: one function each, so every module finds the same file."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud import paths
from govcloud.errors import UsageError
from govcloud.paths import INSTANCE_VARIABLE, LAB_DIR_VARIABLE


def test_the_source_root_is_the_checkout_holding_roles_and_playbooks(project_root):
    assert paths.source_root() == project_root.resolve()
    assert (paths.source_root() / "roles").is_dir() and (paths.source_root() / "playbooks").is_dir()


def test_an_environment_keeps_its_model_and_ledger_in_its_folder_and_its_state_under_dot_state(tmp_path):
    env = paths.inventory_dir(tmp_path, "lab")
    assert env == tmp_path / "inventories" / "lab"
    assert paths.ledger_file(env) == env / "ipam-ledger.yaml"
    assert paths.env_state_dir(tmp_path, env) == tmp_path / ".state" / "lab"
    assert paths.migrations_dir(tmp_path, env) == tmp_path / "migrations" / "lab"
    assert paths.pulumi_state_dir(tmp_path) == tmp_path / ".state" / "pulumi"
    assert paths.log_dir(tmp_path) == tmp_path / ".state" / "logs"


def test_a_state_folder_named_by_the_variable_holds_all_of_the_state(tmp_path, monkeypatch):
    elsewhere = tmp_path / "lab-deployment"
    monkeypatch.setenv(paths.STATE_DIR_VARIABLE, str(elsewhere))
    project = tmp_path / "checkout"
    assert paths.state_root(project) == elsewhere
    assert paths.pulumi_state_dir(project) == elsewhere / "pulumi"
    assert paths.log_dir(project) == elsewhere / "logs"
    assert paths.env_state_dir(project, project / "inventories" / "lab") == elsewhere / "lab"
    assert [paths.engine_runs_dir(project), paths.engine_cleanup_dir(project), paths.engine_salts_dir(project),
            paths.engine_journal_dir(project)] == \
        [elsewhere / "runs", elsewhere / "cleanup", elsewhere / "salts", elsewhere / "journal"]


def test_a_relative_state_folder_is_refused_with_the_fix(tmp_path):
    with pytest.raises(UsageError) as caught:
        paths.state_root(tmp_path, {paths.STATE_DIR_VARIABLE: "relative/state"})
    assert paths.STATE_DIR_VARIABLE in caught.value.message and "absolute" in caught.value.fix


def test_an_environment_given_by_path_keeps_what_it_writes_beside_it(tmp_path):
    (tmp_path / "inventories" / "lab").mkdir(parents=True)
    elsewhere = tmp_path / "copies" / "lab"  # same name as the project's, another folder
    assert not paths.is_project_environment(tmp_path, elsewhere)
    assert paths.env_state_dir(tmp_path, elsewhere) == elsewhere / ".state"
    assert paths.migrations_dir(tmp_path, elsewhere) == elsewhere / "migrations"
    assert paths.is_project_environment(tmp_path, tmp_path / "copies" / ".." / "inventories" / "lab")


def test_the_project_root_is_the_nearest_folder_with_pulumi_yaml_and_inventories(tmp_path):
    (tmp_path / "inventories" / "lab").mkdir(parents=True)
    deep = tmp_path / "inventories" / "lab"
    assert paths.find_project_root(deep) == paths.source_root()  # no Pulumi.yaml yet: the checkout
    (tmp_path / "Pulumi.yaml").write_text("name: govcloud\n")
    assert paths.find_project_root(deep) == tmp_path


def test_user_folders_follow_xdg_and_home(tmp_path):
    assert paths.config_root({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "govcloud"
    assert paths.config_root({"HOME": str(tmp_path)}) == tmp_path / ".config" / "govcloud"
    assert paths.engine_cache_dir({"GOVCLOUD_CACHE": str(tmp_path)}) == tmp_path / "engine"


def test_a_stack_settings_file_is_named_after_its_stack(tmp_path):
    assert paths.stack_settings_file(tmp_path, "lab-city-a") == tmp_path / "stacks" / "Pulumi.lab-city-a.yaml"


def test_known_environments_are_the_folders_with_a_model_sorted(tmp_path):
    for name in ("zeta", "alpha", "empty"):
        (tmp_path / "inventories" / name).mkdir(parents=True)
    for name in ("zeta", "alpha"):
        (tmp_path / "inventories" / name / "province.yaml").write_text("{}\n")
    assert paths.known_environments(tmp_path) == ["alpha", "zeta"]
    assert paths.known_environments(tmp_path / "nowhere") == []


def test_the_openstack_lab_dir_is_the_override_else_the_instance_one(tmp_path):
    assert paths.openstack_lab_dir({LAB_DIR_VARIABLE: str(tmp_path)}) == tmp_path
    assert paths.openstack_lab_dir({}) == Path("/var/lib/govcloud/openstack-lab")
    assert paths.openstack_lab_dir({LAB_DIR_VARIABLE: "", INSTANCE_VARIABLE: ""}) == Path("/var/lib/govcloud/openstack-lab")
