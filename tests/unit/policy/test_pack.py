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


def test_one_analyze_stack_request_builds_the_stack_view_once(project, monkeypatch) -> None:
    """pulumi-policy hands every stack policy the request's resources anew: the pack turns them
    into a view once per request, and a later request (an up's update after its preview) anew."""
    import govcloud.policy.pack as pack
    from pulumi_policy import PolicyResource, StackValidationArgs

    monkeypatch.delenv("GOVCLOUD_ENV", raising=False)
    servicer = sdk._PolicyAnalyzerServicer
    monkeypatch.setattr(servicer, "AnalyzeStack", servicer.AnalyzeStack)  # restored after the test
    monkeypatch.setattr(sdk, "json_format", sdk.json_format)
    built = []
    monkeypatch.setattr(pack, "stack_view_from_resources",
                        lambda resources, context: built.append(resources) or StackView("fx-city-a", [], context))
    policies, state = baseline_policies(project, env="fx")
    stack_policies = [p for p in policies if isinstance(p, StackValidationPolicy)]
    assert len(stack_policies) > 1

    def analyze(_servicer, request, _context):  # what pulumi-policy does: new resources per policy
        for policy in stack_policies:
            urn = "urn:pulumi:fx-city-a::govcloud::openstack:networking/network:Network::net"
            resource = PolicyResource("openstack:networking/network:Network", unknown_checking_proxy({}), urn, "net",
                                      PolicyResourceOptions(False, [], None, [], None, [], None), None, None, [], {})
            policy.validate(StackValidationArgs([resource]), lambda message, urn=None: None)
        return request

    monkeypatch.setattr(servicer, "AnalyzeStack", analyze)
    watch_stack_configuration(state)
    pack.watch_stack_analysis(state)
    pack.watch_stack_analysis(state)  # idempotent: wrapped once
    servicer.AnalyzeStack(None, "preview", None)
    assert len(built) == 1
    servicer.AnalyzeStack(None, "update", None)
    assert len(built) == 2
    stack_policies[0].validate(StackValidationArgs(built[0]), lambda message, urn=None: None)  # outside a request
    assert len(built) == 3


def test_analyze_runs_only_the_policies_that_apply_and_answers_the_same(monkeypatch) -> None:
    """The real analyzer servicer, asked about each resource of a violating stack: the same
    response with and without the narrowing, from a fraction of the policy calls."""
    import govcloud.policy.pack as pack
    from google.protobuf import struct_pb2
    from policy_fixtures import _engine_value, fixture_context, violating_graph

    monkeypatch.delenv("GOVCLOUD_ENV", raising=False)
    servicer_type = sdk._PolicyAnalyzerServicer
    monkeypatch.setattr(servicer_type, "Analyze", servicer_type.Analyze)  # restored after the test
    context = fixture_context()
    policies, state = baseline_policies(ROOT, env=context.env)
    state._contexts[context.env] = context
    servicer = servicer_type("govcloud-baseline", "0.1.0", policies, EnforcementLevel.MANDATORY)
    calls = []
    deserialize = sdk.deserialize_properties
    monkeypatch.setattr(sdk, "deserialize_properties", lambda props: calls.append(1) or deserialize(props))
    graph = violating_graph()

    def answers() -> list[bytes]:
        found = []
        for spec in graph.resources:
            properties = struct_pb2.Struct()
            properties.update(_engine_value(dict(spec.inputs)))
            request = analyzer_pb2.AnalyzeRequest(type=spec.type, urn=graph.urn(spec), name=spec.name,
                                                  properties=properties)
            found.append(servicer_type.Analyze(servicer, request, None).SerializeToString(deterministic=True))
        return found

    plain = answers()
    calls_plain = len(calls)
    pack.watch_resource_analysis(state)
    pack.watch_resource_analysis(state)  # idempotent: wrapped once
    calls.clear()
    assert answers() == plain
    diagnostics = [analyzer_pb2.AnalyzeResponse.FromString(answer).diagnostics for answer in plain]
    assert {d.urn.rsplit("::", 1)[1] for found in diagnostics for d in found} >= {"ssh-world", "edu-router"}
    assert 0 < len(calls) < calls_plain / 2


def test_analyze_stack_reads_each_message_once_and_answers_the_same(monkeypatch) -> None:
    """The real analyzer servicer, asked about a violating stack: the same response with and
    without reading each resource's properties once per request, from a seventeenth of the reads."""
    import govcloud.policy.pack as pack
    from google.protobuf import struct_pb2
    from policy_fixtures import _engine_value, fixture_context, violating_graph

    monkeypatch.delenv("GOVCLOUD_ENV", raising=False)
    servicer_type = sdk._PolicyAnalyzerServicer
    monkeypatch.setattr(servicer_type, "AnalyzeStack", servicer_type.AnalyzeStack)  # restored after the test
    monkeypatch.setattr(sdk, "json_format", sdk.json_format)
    context = fixture_context()
    policies, state = baseline_policies(ROOT, env=context.env)
    state._contexts[context.env] = context
    servicer = servicer_type("govcloud-baseline", "0.1.0", policies, EnforcementLevel.MANDATORY)
    graph = violating_graph()
    urns = {spec.name: graph.urn(spec) for spec in graph.resources}
    resources = []
    for spec in graph.resources:
        properties = struct_pb2.Struct()
        properties.update(_engine_value(dict(spec.inputs)))
        resources.append(analyzer_pb2.AnalyzerResource(type=spec.type, urn=urns[spec.name], name=spec.name,
                                                       properties=properties, parent=urns.get(spec.parent, "")))
    request = analyzer_pb2.AnalyzeStackRequest(resources=resources)
    reads = []
    message_to_dict = sdk.json_format.MessageToDict
    monkeypatch.setattr(sdk.json_format, "MessageToDict", lambda m, *a, **k: reads.append(1) or message_to_dict(m, *a, **k))

    plain = servicer_type.AnalyzeStack(servicer, request, None).SerializeToString(deterministic=True)
    plain_reads = len(reads)
    pack.watch_stack_analysis(state)
    reads.clear()
    for _ in range(2):  # a second request (an up's update after its preview) reads anew
        assert servicer_type.AnalyzeStack(servicer, request, None).SerializeToString(deterministic=True) == plain
    assert len(reads) == 2 * len(resources) < plain_reads
    import gc

    assert gc.isenabled()  # the collector, held off during a request, runs again after it
    assert analyzer_pb2.AnalyzeResponse.FromString(plain).diagnostics  # the stack rules found something
