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
from govcloud.policy.view import UNKNOWN, StackView, plain_engine_value
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


@pytest.mark.parametrize("disabled", [(), ("GOV-SG-001",)])
def test_analyze_runs_only_the_policies_that_apply_over_one_reading_and_answers_the_same(monkeypatch,
                                                                                       disabled) -> None:
    """The real analyzer servicer, asked about each resource of a violating stack: the same
    response with and without the narrowing and the one reading per request (also with a policy
    the engine's config disables, and should the reader not run), from a fraction of the work:
    the resource and its provider deserialised once, one view, for a resource some rule applies to."""
    import govcloud.policy.pack as pack
    from policy_fixtures import violating_graph

    servicer, _, state = _real_servicer(monkeypatch, "Analyze")
    config = _disabling(disabled)
    servicer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=config), None)
    calls, views = [], []
    deserialize, view = sdk.deserialize_properties, pack.resource_view_from_args
    # Counted: deserialising something (the second pass deserialises each policy's empty request).
    monkeypatch.setattr(sdk, "deserialize_properties",
                        lambda props, *a: (props and calls.append(1)) or deserialize(props, *a))
    monkeypatch.setattr(pack, "resource_view_from_args", lambda *a: views.append(1) or view(*a))
    requests = [analyzer_pb2.AnalyzeRequest(type=r.type, urn=r.urn, name=r.name, properties=r.properties,
                                            provider=r.provider if r.HasField("provider") else None,
                                            options=analyzer_pb2.AnalyzerResourceOptions(parent=r.parent))
                for r in _stack_request(violating_graph()).resources]

    def answers() -> list[bytes]:
        return [type(servicer).Analyze(servicer, request, None).SerializeToString(deterministic=True)
                for request in requests]

    plain = answers()
    calls_plain = len(calls)
    pack.watch_resource_analysis(state)
    pack.watch_resource_analysis(state)  # idempotent: wrapped once
    calls.clear(), views.clear()
    assert answers() == plain
    found = [d for answer in plain for d in analyzer_pb2.AnalyzeResponse.FromString(answer).diagnostics]
    assert {d.urn.rsplit("::", 1)[1] for d in found} >= {"ssh-world", "edu-router"} - (
        {"ssh-world"} if "GOV-SG-001" in disabled else set())
    assert not {d.policyName for d in found} & set(disabled)
    rules = [r for r in all_rules() if r.scope is Scope.RESOURCE]
    read = [q for q in requests if any(r.applies_to(q.type) for r in rules)]
    judged = [q for q in read if any(r.applies_to(q.type) and r.id not in disabled for r in rules)]
    assert 0 < len(judged) <= len(read) == len(requests)  # GOV-TAG-005 applies to every type
    reading = sum((len(q.properties.fields) > 0) + q.HasField("provider") for q in read)
    assert (len(calls), len(views)) == (reading, len(judged)) and len(calls) < calls_plain / 4

    # Should pulumi-policy ever not run the reader, each policy reads the request as before.
    monkeypatch.setattr(state, "read_resource", lambda args: None)
    assert answers() == plain


def _stack_request(graph) -> analyzer_pb2.AnalyzeStackRequest:
    """What the engine sends about ``graph`` at the end of a preview: every resource with its
    provider, parent and dependencies."""
    from google.protobuf import struct_pb2
    from policy_fixtures import _engine_value

    urns = {spec.name: graph.urn(spec) for spec in graph.resources}
    provider_properties = struct_pb2.Struct()
    provider_properties.update({"region": "region-a", "version": "5.5.3"})
    resources = []
    for spec in graph.resources:
        properties = struct_pb2.Struct()
        properties.update(_engine_value(dict(spec.inputs)))
        provider = None if spec.is_component else analyzer_pb2.AnalyzerProviderResource(
            type="pulumi:providers:openstack", name="default_5_5_3", properties=provider_properties,
            urn=f"urn:pulumi:{graph.stack}::{graph.project}::pulumi:providers:openstack::default_5_5_3")
        resources.append(analyzer_pb2.AnalyzerResource(
            type=spec.type, urn=urns[spec.name], name=spec.name, properties=properties, provider=provider,
            parent=urns.get(spec.parent, ""), dependencies=[urns[r.name] for r in spec.refs()]))
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


@pytest.mark.parametrize("disabled", [(), ("GOV-XNET-001", "GOV-NET-001")])
def test_analyze_stack_builds_the_resources_once_per_request_and_answers_the_same(monkeypatch, disabled) -> None:
    """The real analyzer servicer, asked about a violating stack: the same response with and
    without the resources built once per request for every stack policy (and their view built
    once), also with policies the engine's config disables; a second request (an up's update
    after its preview) builds anew, and a policy called outside a request judges its arguments."""
    import gc

    import govcloud.policy.pack as pack
    from policy_fixtures import violating_graph

    servicer, policies, state = _real_servicer(monkeypatch, "AnalyzeStack")
    stack_policies = [p for p in policies if isinstance(p, StackValidationPolicy)]
    assert len(stack_policies) > 2 and set(disabled) <= {p.name for p in stack_policies}
    config = _disabling(disabled)
    servicer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=config), None)
    request = _stack_request(violating_graph())
    built, views = [], []
    deserialize, view = sdk.deserialize_properties, pack.stack_view_from_resources
    monkeypatch.setattr(sdk, "deserialize_properties", lambda *a, **k: built.append(1) or deserialize(*a, **k))
    monkeypatch.setattr(pack, "stack_view_from_resources", lambda *a: views.append(1) or view(*a))

    plain = type(servicer).AnalyzeStack(servicer, request, None).SerializeToString(deterministic=True)
    enabled = len(stack_policies) - len(disabled)
    read_once = 2 * len(request.resources) - sum(1 for r in request.resources if not r.HasField("provider"))
    assert (len(built), len(views)) == (enabled * read_once, enabled)
    pack.watch_stack_analysis(state)
    pack.watch_stack_analysis(state)  # idempotent: wrapped once
    built.clear(), views.clear()
    kept, read_stack = [], state.read_stack
    monkeypatch.setattr(state, "read_stack", lambda resources: kept.append(resources) or read_stack(resources))
    for _ in range(2):
        assert type(servicer).AnalyzeStack(servicer, request, None).SerializeToString(deterministic=True) == plain
    assert (len(built), len(views), len(kept)) == (2 * read_once, 2, 2)
    assert gc.isenabled()  # the collector, held off during a request, runs again after it
    found = analyzer_pb2.AnalyzeResponse.FromString(plain).diagnostics
    assert {d.policyName for d in found} - set(disabled) and not {d.policyName for d in found} & set(disabled)

    from pulumi_policy import StackValidationArgs

    reported = []
    outside = next(p for p in stack_policies if p.name in {d.policyName for d in found})
    outside.validate(StackValidationArgs(kept[0]), lambda message, urn=None: reported.append(urn))
    assert reported and len(views) == 3  # outside a request: its own view of its own arguments

    # Should pulumi-policy ever not run the reader, each policy reads the request as before.
    monkeypatch.setattr(state, "read_stack", lambda resources: None)
    built.clear()
    assert type(servicer).AnalyzeStack(servicer, request, None).SerializeToString(deterministic=True) == plain
    assert len(built) == (enabled + 1) * read_once


def _real_servicer(monkeypatch, method: str):
    """pulumi-policy's own analyzer servicer over the baseline pack and the fixture province;
    ``method`` of its class is restored after the test (the pack's watch_* functions replace it)."""
    from policy_fixtures import fixture_context

    monkeypatch.delenv("GOVCLOUD_ENV", raising=False)
    servicer_type = sdk._PolicyAnalyzerServicer
    monkeypatch.setattr(servicer_type, method, getattr(servicer_type, method))
    context = fixture_context()
    policies, state = baseline_policies(ROOT, env=context.env)
    state._contexts[context.env] = context
    servicer = servicer_type("govcloud-baseline", "0.1.0", policies, EnforcementLevel.MANDATORY)
    return servicer, policies, state


def _disabling(names) -> dict:
    """The engine's config switching the named policies off."""
    from google.protobuf import struct_pb2

    return {name: analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.DISABLED,
                                            properties=struct_pb2.Struct()) for name in names}
