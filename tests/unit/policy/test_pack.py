"""The CrossGuard side: policies built from the rules, the environment learnt from ConfigureStack,
enforcement levels from the environment's settings file. The pack's __main__.py is never imported
(constructing a PolicyPack starts a server and blocks)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy import policy as sdk
from pulumi_policy.policy import PolicyResourceOptions
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from govcloud.errors import InputError
from govcloud.policy.pack import PackState, baseline_policies, watch_stack_configuration
from govcloud.policy.registry import all_rules
from govcloud.policy.rule import Scope
from govcloud.policy.view import UNKNOWN, plain_engine_value
from policy_fixtures import FIXTURE_ENV

ROOT = Path(__file__).resolve().parents[3]
PACK = ROOT / "policies" / "govcloud-baseline"


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(FIXTURE_ENV, tmp_path / "inventories" / "fx")
    settings = tmp_path / "policies" / "govcloud-baseline" / "environments"
    settings.mkdir(parents=True)
    (settings / "fx.yaml").write_text(
        "enforcement: {GOV-TAG-004: disabled, GOV-NET-001: advisory}\n"
        "parameters: {approved_images: [kylin-v10-sp3-hardened]}\n", encoding="utf-8")
    return tmp_path


def test_every_rule_becomes_a_policy_of_its_scope(project) -> None:
    policies, _ = baseline_policies(project)
    assert [p.name for p in policies] == [r.id for r in all_rules()]
    for policy, rule in zip(policies, all_rules()):
        expected = ResourceValidationPolicy if rule.scope is Scope.RESOURCE else StackValidationPolicy
        assert isinstance(policy, expected)
        assert policy.enforcement_level is EnforcementLevel(rule.enforcement.value)
        assert policy.remediation_steps == rule.remediation and policy.severity.value == rule.severity.value


def test_configure_stack_reads_the_env_and_applies_its_levels(project, monkeypatch) -> None:
    monkeypatch.delenv("GOVCLOUD_ENV", raising=False)
    servicer = sdk._PolicyAnalyzerServicer
    monkeypatch.setattr(servicer, "ConfigureStack", servicer.ConfigureStack)  # restored after the test
    policies, state = baseline_policies(project)
    watch_stack_configuration(state)
    watch_stack_configuration(state)  # idempotent: wrapped once
    fake_servicer = type("FakeServicer", (), {})()
    request = analyzer_pb2.AnalyzerStackConfigureRequest(stack="fx-province", config={"govcloud:env": "fx"})
    servicer.ConfigureStack(fake_servicer, request, None)
    assert state.env == "fx"
    levels = {p.name: p.enforcement_level for p in policies}
    assert levels["GOV-TAG-004"] is EnforcementLevel.DISABLED
    assert levels["GOV-NET-001"] is EnforcementLevel.ADVISORY
    assert levels["GOV-SG-001"] is EnforcementLevel.MANDATORY


def test_the_env_comes_from_the_stack_name_when_nothing_says_it(project, monkeypatch) -> None:
    monkeypatch.delenv("GOVCLOUD_ENV", raising=False)
    state = PackState(project)
    assert state.env_for_stack("fx-city-a") == "fx"
    with pytest.raises(InputError, match="govcloud:env"):
        state.env_for_stack("elsewhere-province")


def test_govcloud_env_wins(project, monkeypatch) -> None:
    monkeypatch.setenv("GOVCLOUD_ENV", "fx")
    _, state = baseline_policies(project)
    assert state.env_for_stack("anything") == "fx"


def test_a_resource_validator_judges_preview_inputs(project, monkeypatch) -> None:
    monkeypatch.delenv("GOVCLOUD_ENV", raising=False)
    policies, _ = baseline_policies(project)
    by_name = {p.name: p for p in policies}
    urn = "urn:pulumi:fx-city-a::govcloud::openstack:networking/floatingIp:FloatingIp::rogue"
    props = unknown_checking_proxy({"pool": UNKNOWN_STRING_VALUE, "tags": ["dept:city-a-edu"]})
    args = ResourceValidationArgs("openstack:networking/floatingIp:FloatingIp", props, urn, "rogue",
                                  PolicyResourceOptions(False, [], None, [], None, [], None), None)
    reported = []
    by_name["GOV-EXIT-002"].validate(args, lambda message, urn=None: reported.append((message, urn)))
    assert reported and reported[0][1] == urn and "no unified exit" in reported[0][0]


def test_unknown_values_read_as_unknown_not_as_errors() -> None:
    props = unknown_checking_proxy({"a": UNKNOWN_STRING_VALUE, "b": [1, {"c": UNKNOWN_STRING_VALUE}], "d": "x"})
    assert plain_engine_value(props) == {"a": UNKNOWN, "b": [1, {"c": UNKNOWN}], "d": "x"}


def test_the_pack_file_points_at_the_project_venv() -> None:
    project = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["name"] == "python"
    # The analyzer resolves a relative virtualenv against the pack's folder (pulumi-language-python).
    assert (PACK / project["runtime"]["options"]["virtualenv"]).resolve() == (ROOT / ".venv").resolve()


def test_main_only_assembles() -> None:
    source = (PACK / "__main__.py").read_text(encoding="utf-8")
    assert "from govcloud.policy.pack import" in source
    assert "def " not in source and "validate" not in source


@pytest.mark.parametrize("env", ["lab", "example"])
def test_committed_environment_settings_are_valid(env) -> None:
    from govcloud.policy import load_settings, settings_path
    from govcloud.policy.registry import rule_ids

    settings = load_settings(settings_path(ROOT, env), rule_ids())
    assert settings.parameters.approved_images and settings.parameters.encrypted_volume_types
