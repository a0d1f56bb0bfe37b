"""Credentials come from clouds.yaml and reach the engine only as OS_* environment variables."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import yaml
from openstack.exceptions import ForbiddenException

from govcloud.engine.credentials import (check_login, check_project_access, find_clouds_yaml, load_credentials,
                                         require_admin)
from govcloud.errors import EngineError, UsageError

CLOUDS = {"clouds": {"test-admin": {
    "auth_type": "password", "region_name": "RegionOne", "identity_api_version": 3,
    "auth": {"auth_url": "http://127.0.0.1:9", "username": "admin", "password": "s3cret",
             "project_name": "admin", "user_domain_name": "Default", "project_domain_name": "Default"}}}}


@pytest.fixture
def clouds_yaml(tmp_path):
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(CLOUDS))
    return path


def test_credentials_become_provider_environment(clouds_yaml):
    credentials = load_credentials("test-admin", clouds_yaml)
    env = credentials.engine_env(region="RegionCityA")
    assert env["OS_AUTH_URL"] == "http://127.0.0.1:9"
    assert env["OS_USERNAME"] == "admin" and env["OS_PASSWORD"] == "s3cret"
    assert env["OS_PROJECT_NAME"] == "admin" and env["OS_REGION_NAME"] == "RegionCityA"


def test_unknown_cloud_is_bad_input_naming_the_clouds_there(clouds_yaml):
    with pytest.raises(UsageError) as caught:
        load_credentials("no-such-cloud", clouds_yaml)
    assert caught.value.exit_code == 2
    assert "test-admin" in caught.value.message and "--cloud" in caught.value.fix
    with pytest.raises(UsageError, match="govcloud lab up"):
        load_credentials("govcloud-lab-admin", clouds_yaml)


@pytest.mark.parametrize("text, what", [
    ("just: [a, list]\n", "no `clouds:` mapping"),
    ("clouds: [1, 2]\n", "no `clouds:` mapping"),
    ("clouds:\n  x: {\n", "not valid YAML"),
])
def test_a_file_that_is_not_a_clouds_yaml_says_what_is_wrong(tmp_path, text, what):
    path = tmp_path / "not-clouds.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as caught:
        load_credentials("test-admin", path)
    assert what in caught.value.message and str(path) in caught.value.message
    assert "lab up" not in str(caught.value)


def test_a_missing_explicit_clouds_yaml_is_bad_input(tmp_path):
    with pytest.raises(UsageError, match="no clouds.yaml"):
        load_credentials("test-admin", tmp_path / "nowhere.yaml")


def test_missing_lab_clouds_yaml_says_start_the_lab(tmp_path):
    with pytest.raises(EngineError, match="lab up"):
        load_credentials("govcloud-lab-admin", tmp_path / "openstack-lab" / "clouds.yaml")


def test_a_cloud_that_does_not_answer_says_start_the_lab(clouds_yaml):
    with pytest.raises(EngineError, match="lab up"):
        check_login(load_credentials("test-admin", clouds_yaml))


class _Identity:
    """A login's identity service: Keystone answers a project listing only to administrators."""

    def __init__(self, admin: bool) -> None:
        self.admin, self.asked = admin, 0

    def projects(self, **_):
        self.asked += 1
        if not self.admin:
            raise ForbiddenException("403: You are not authorized to perform: identity:list_projects")
        return iter([object()])


def test_a_project_members_login_is_refused_before_anything_runs(clouds_yaml):
    """A misdirected --cloud (a tenant's entry): its login sees only its own project, so the
    checks for existing objects would see nothing; refused as bad input, naming the user."""
    member = SimpleNamespace(identity=_Identity(admin=False))
    with pytest.raises(UsageError) as refused:
        require_admin(member, load_credentials("test-admin", clouds_yaml))
    assert refused.value.exit_code == 2 and "without the admin role" in refused.value.message
    assert "'admin'" in refused.value.message and "--cloud" in refused.value.fix
    administrator = SimpleNamespace(identity=_Identity(admin=True))
    require_admin(administrator, load_credentials("test-admin", clouds_yaml))
    assert administrator.identity.asked == 1


def test_clouds_yaml_search_order(tmp_path, clouds_yaml):
    assert find_clouds_yaml(clouds_yaml, {}) == clouds_yaml
    assert find_clouds_yaml(None, {"OS_CLIENT_CONFIG_FILE": "/x.yaml"}).as_posix() == "/x.yaml"
    assert find_clouds_yaml(None, {"GOVCLOUD_LAB_DIR": str(tmp_path)}) == clouds_yaml
    assert find_clouds_yaml(None, {"GOVCLOUD_LAB_DIR": str(tmp_path / "none")}) is None


def test_an_operator_stack_s_environment_leaves_the_project_to_its_providers(clouds_yaml):
    """Each provider of an operators' stack names its department's project; a project of the
    clouds.yaml entry in the environment (an ID above all) would win over that name."""
    credentials = load_credentials("test-admin", clouds_yaml)
    env = credentials.engine_env(region="RegionCityA", per_project=True)
    assert "OS_PROJECT_NAME" not in env and "OS_PROJECT_ID" not in env
    assert env["OS_USERNAME"] == "admin" and env["OS_PROJECT_DOMAIN_NAME"] == "Default"
    scoped = credentials.scoped_to("city-b-civil")
    assert scoped["project_name"] == "city-b-civil" and scoped["project_domain_name"] == "Default"


def test_a_project_keystone_gives_no_token_for_refuses_the_run_naming_it(clouds_yaml, monkeypatch):
    """The Keystone refusal before the engine starts: the first project of the stack the user
    holds no role on is named, with the user and the cloud."""
    from keystoneauth1 import exceptions as ks
    from keystoneauth1 import session

    asked: list[str] = []

    def get_token(self):
        project = self.auth.project_name
        asked.append(project)
        if project != "city-a-edu":
            raise ks.Unauthorized("The request you have made requires authentication. (HTTP 401)")
        return "token"

    monkeypatch.setattr(session.Session, "get_token", get_token)
    credentials = load_credentials("test-admin", clouds_yaml)
    check_project_access(credentials, "lab-city-a", ["city-a-edu"])
    with pytest.raises(UsageError) as refused:
        check_project_access(credentials, "lab-city-b", ["city-a-edu", "city-b-civil", "other"])
    assert asked == ["city-a-edu", "city-a-edu", "city-b-civil"]
    assert refused.value.exit_code == 2
    assert "no token for project 'city-b-civil' of stack lab-city-b" in refused.value.message
    assert "'admin'" in refused.value.message and "nothing was changed" in refused.value.message
    assert "operators:" in refused.value.fix
