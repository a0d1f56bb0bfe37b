"""Findings name the lines to edit: the model entry, and the stack setting that caused the value,
in every report format; fingerprints keep a finding's identity when its line moves."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
from junitparser import JUnitXml
from rich.console import Console

from govcloud.policy import check_environment
from govcloud.policy.locate import Locator, _Document
from govcloud.policy.reports import print_findings, to_json, to_junit, to_sarif
from test_reports import sarif_schema

SETTINGS = """# Stack settings of fx-province (test).
config:
  govcloud:env: fx
  govcloud:drImage: rogue-image
  openstack:region: region-one
"""


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def _with_settings(project: Path) -> Path:
    stacks = project / "stacks"
    stacks.mkdir()
    path = stacks / "Pulumi.fx-province.yaml"
    path.write_text(SETTINGS, encoding="utf-8")
    return path


def _image_findings(project: Path):
    context, result, _ = check_environment("fx", project, ["fx-province"])
    return context, result, [f for f in result.findings if f.rule_id == "GOV-CMP-001"]


def test_a_setting_that_causes_a_finding_is_named_first_with_its_line(project) -> None:
    _with_settings(project)
    _, _, findings = _image_findings(project)
    assert findings, "the unapproved drImage should break GOV-CMP-001 on the DR instances"
    systems = project / "inventories" / "fx" / "systems.yaml"
    for finding in findings:
        setting, model = finding.locations
        assert (setting.kind, setting.file, setting.line) == ("settings", "stacks/Pulumi.fx-province.yaml", 4)
        assert setting.field == "config.govcloud:drImage"
        assert (model.kind, model.file) == ("model", "inventories/fx/systems.yaml")
        assert model.line == _line(systems, "code: unified-identity")
        assert model.field == "systems[0]"


def test_a_default_setting_points_at_the_config_section(project) -> None:
    _, _, findings = _image_findings(project)  # no settings file: drImage defaults to cirros
    setting = findings[0].locations[0]
    assert setting.kind == "settings" and setting.line == 1 and "default applies" in setting.field


def test_findings_without_a_cause_in_settings_point_at_the_model_only(project) -> None:
    _with_settings(project)
    context, result, _ = check_environment("fx", project)
    assert result.findings
    assert all(f.locations for f in result.findings), [f for f in result.findings if not f.locations]
    model_only = [f for f in result.findings if f.rule_id == "GOV-DR-003" or f.rule_id.startswith("GOV-TEN")]
    for finding in model_only:
        assert [loc.kind for loc in finding.locations] == ["model"]


def test_a_stack_rule_names_the_system_entry_it_judges(tmp_path) -> None:
    (tmp_path / "systems.yaml").write_text(
        "systems:\n  - code: a\n    name: A\n  - code: b\n    name: B\n    dr: none\n", encoding="utf-8")
    locator = Locator(tmp_path, {"systems": tmp_path / "systems.yaml"})
    assert str(locator.model(("systems", "b", "dr"))) == "systems.yaml:6 (systems[1].dr)"
    assert str(locator.model(("systems", "a", "dr"))) == "systems.yaml:2 (systems[0])"
    assert locator.model(("systems", "ghost")) is None


def test_a_field_holding_a_mapping_has_its_key_line(tmp_path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("departments:\n- code: x\n  quotas:\n    cores: 8\n  tags: [a, b]\n", encoding="utf-8")
    document = _Document(path)
    assert document.line(("departments", 0, "quotas")) == (3, ("departments", 0, "quotas"))
    assert document.line(("departments", 0, "tags")) == (5, ("departments", 0, "tags"))
    assert document.codes == {"departments": {"x": 0}}


def test_every_format_carries_the_locations(project) -> None:
    _with_settings(project)
    context, result, findings = _image_findings(project)
    first = findings[0]
    data = to_json(result, "fx")
    item = next(i for i in data["findings"] if i["fingerprint"] == first.fingerprint)
    assert item["locations"][0] == {"file": "stacks/Pulumi.fx-province.yaml", "line": 4,
                                    "field": "config.govcloud:drImage", "kind": "settings"}

    log = to_sarif(result, "fx")
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    results = log["runs"][0]["results"]
    assert all("physicalLocation" in r["locations"][0] for r in results)
    sarif = next(r for r in results if r["partialFingerprints"]["govcloudFinding/v1"] == first.fingerprint)
    physical = sarif["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "stacks/Pulumi.fx-province.yaml", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 4}
    assert sarif["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "inventories/fx/systems.yaml"

    xml = JUnitXml.fromstring(to_junit(result, "fx").split("\n", 1)[1].encode())
    case = next(c for suite in xml for c in suite if c.name.startswith("GOV-CMP-001"))
    assert (case._elem.get("file"), case._elem.get("line")) == ("stacks/Pulumi.fx-province.yaml", "4")
    assert "settings: stacks/Pulumi.fx-province.yaml:4 (config.govcloud:drImage)" in case.result[0].text

    out = io.StringIO()
    print_findings(result, "fx", Console(file=out, width=300))
    assert "settings: stacks/Pulumi.fx-province.yaml:4 (config.govcloud:drImage)" in out.getvalue()
    assert "model:    inventories/fx/systems.yaml:" in out.getvalue()


def test_fingerprints_hold_when_lines_move(project) -> None:
    _with_settings(project)
    _, before, _ = check_environment("fx", project)
    systems = project / "inventories" / "fx" / "systems.yaml"
    systems.write_text("# a comment moves every entry one line down\n" + systems.read_text(encoding="utf-8"),
                       encoding="utf-8")
    _, after, _ = check_environment("fx", project)
    assert [f.fingerprint for f in before.findings] == [f.fingerprint for f in after.findings]
    moved = [(b.locations[-1].line, a.locations[-1].line) for b, a in zip(before.findings, after.findings)
             if b.locations[-1].file.endswith("systems.yaml")]
    assert moved and all(a == b + 1 for b, a in moved)


def test_the_cli_json_report_has_locations(project, capsys) -> None:
    from govcloud import cli
    import pytest

    _with_settings(project)
    with pytest.raises(SystemExit):
        cli.main(["policy", "check", "--env", "fx", "--all", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert all(f["locations"] and f["locations"][0]["line"] >= 1 for f in data["findings"])


def _declare_unified(exits: Path) -> None:
    """prov-health and city-a declare their own exits unified; the plan designates neither.
    (prov-health's serves city-b as its cloud's router: the provincial node has its appliance,
    and validate refuses a second unified exit, and an appliance away from its node's site.)"""
    text = exits.read_text(encoding="utf-8")
    for bandwidth, node in (("200", "city-b\n    kind: cloud-router"), ("1000", "city-a")):
        text = text.replace(f"    status: legacy\n    uplink: {{isp: lab-isp, bandwidth_mbps: {bandwidth}",
                            f"    status: unified\n    node: {node}\n    uplink: {{isp: lab-isp, bandwidth_mbps: "
                            f"{bandwidth}", 1)
    exits.write_text(text, encoding="utf-8")


def _sarif_by_fingerprint(result) -> dict[str, dict]:
    return {r["partialFingerprints"]["govcloudFinding/v1"]: r for r in to_sarif(result, "fx")["runs"][0]["results"]}


def test_a_finding_keeps_its_identity_across_unrelated_edits(project) -> None:
    exits = project / "inventories" / "fx" / "exits.yaml"
    _declare_unified(exits)
    _, before, _ = check_environment("fx", project)
    health = next(f for f in before.findings if f.rule_id == "GOV-EXIT-005" and "prov-health" in f.resource_name)
    line = health.locations[0].line
    assert health.locations[0].file == "inventories/fx/exits.yaml"
    assert exits.read_text(encoding="utf-8").splitlines()[line - 1] == "    status: unified"
    # The plan designates city-a's exit (an edit about another finding), and a comment moves every line.
    exits.write_text("# reviewed 2026-12\n" + exits.read_text(encoding="utf-8").replace(
        "      decision: 实验省电子政务外网互联网出口整合方案\n",
        "      decision: 实验省电子政务外网互联网出口整合方案\n    - exit: legacy-city-a\n      designated_by: lab\n"
        "      decision: 甲市出口纳入统一出口\n"), encoding="utf-8")
    _, after, _ = check_environment("fx", project)
    again = next(f for f in after.findings if f.rule_id == "GOV-EXIT-005" and "prov-health" in f.resource_name)
    assert again.message != health.message  # it names the designated exits, which changed
    assert again.fingerprint == health.fingerprint
    sarif = _sarif_by_fingerprint(after)[health.fingerprint]
    assert sarif["locations"][0]["physicalLocation"]["region"] == {"startLine": line + 1}
    assert not [f for f in after.findings if "legacy-city-a" in f.resource_name and f.rule_id == "GOV-EXIT-005"]


def test_an_environment_outside_the_project_is_located_by_file_uri(project, tmp_path_factory) -> None:
    import shutil

    elsewhere = tmp_path_factory.mktemp("copies") / "fx"
    shutil.copytree(project / "inventories" / "fx", elsewhere)
    _declare_unified(elsewhere / "exits.yaml")
    _, result, _ = check_environment(str(elsewhere), project)
    found = next(f for f in result.findings if f.rule_id == "GOV-EXIT-005")
    assert found.locations[0].file == str((elsewhere / "exits.yaml").resolve())
    log = to_sarif(result, "fx")
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    artifact = _sarif_by_fingerprint(result)[found.fingerprint]["locations"][0]["physicalLocation"]["artifactLocation"]
    # Not a path from %SRCROOT% (which it is not under): an absolute file URI.
    assert artifact == {"uri": (elsewhere / "exits.yaml").resolve().as_uri()}
