"""`govcloud policy check|list`: formats, exit codes, and the generated docs page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcloud import cli
from govcloud.policy.registry import all_rules

ROOT = Path(__file__).resolve().parents[3]


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def settle_levels(project: Path, levels: dict[str, str]) -> None:
    path = project / "policies" / "govcloud-baseline" / "environments" / "fx.yaml"
    text = path.read_text(encoding="utf-8").replace("enforcement: {}", f"enforcement: {json.dumps(levels)}")
    path.write_text(text, encoding="utf-8")


def test_mandatory_findings_exit_1_and_name_rule_clause_stack_urn_level_fix(project, capsys) -> None:
    code, out, err = run(["policy", "check", "--env", "fx", "--all", "--format", "json"], capsys)
    assert code == 1
    assert "mandatory finding(s)" in err
    data = json.loads(out)
    assert data["stacks"] == ["fx-province", "fx-city-a", "fx-city-b"]
    mandatory = [f for f in data["findings"] if f["level"] == "mandatory"]
    assert mandatory
    for finding in mandatory:
        assert finding["rule"].startswith("GOV-") and finding["clauses"] and finding["fix"]
        assert finding["urn"].startswith(f"urn:pulumi:{finding['stack']}::govcloud::")


def test_no_mandatory_finding_exits_0(project, capsys) -> None:
    settle_levels(project, {rule.id: "advisory" for rule in all_rules()})
    code, out, _ = run(["policy", "check", "--env", "fx", "--stack", "fx-province", "--format", "table"], capsys)
    assert code == 0, out
    assert "passed: 0 mandatory" in out


def test_a_disabled_rule_reports_nothing(project, capsys) -> None:
    settle_levels(project, {"GOV-CMP-001": "disabled", "GOV-CRY-001": "disabled"})
    _, out, _ = run(["policy", "check", "--env", "fx", "--all", "--format", "json"], capsys)
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert not rules & {"GOV-CMP-001", "GOV-CRY-001"}


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_reports_go_to_the_output_file(project, capsys, fmt) -> None:
    target = project / "out" / f"policy.{fmt}"
    code, _, _ = run(["policy", "check", "--env", "fx", "--all", "--format", fmt, "--output", str(target)], capsys)
    assert code == 1
    text = target.read_text(encoding="utf-8")
    assert ('"version": "2.1.0"' in text) if fmt == "sarif" else text.startswith("<?xml")


def test_stack_or_all_is_required(project, capsys) -> None:
    code, _, err = run(["policy", "check", "--env", "fx"], capsys)
    assert code == 2 and "--all" in err
    code, _, err = run(["policy", "check", "--env", "fx", "--stack", "fx-nowhere"], capsys)
    assert code == 2 and "fx-province" in err


def test_bad_settings_are_bad_input(project, capsys) -> None:
    settle_levels(project, {"GOV-NOPE-001": "mandatory"})
    code, _, err = run(["policy", "check", "--env", "fx", "--all"], capsys)
    assert code == 2 and "GOV-NOPE-001" in err


def test_list_shows_every_rule_with_the_environment_levels(project, capsys) -> None:
    settle_levels(project, {"GOV-TAG-004": "disabled"})
    code, out, _ = run(["policy", "list", "--env", "fx", "--format", "json"], capsys)
    assert code == 0
    rules = {r["id"]: r for r in json.loads(out)}
    assert len(rules) >= 30
    assert rules["GOV-TAG-004"]["level"] == "disabled"
    assert rules["GOV-NET-001"]["level"] == "mandatory"


def test_docs_rule_table_is_generated_from_the_code(capsys) -> None:
    code, out, _ = run(["policy", "list", "--format", "markdown"], capsys)
    assert code == 0
    committed = (ROOT / "docs" / "policy-rules.md").read_text(encoding="utf-8")
    assert committed == out, "regenerate: govcloud policy list --format markdown > docs/policy-rules.md"
