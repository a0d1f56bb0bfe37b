"""Waivers as reviewed data: a live waiver moves its finding out of the verdict and into every
report; an expired one fails the check; a malformed file is located bad input."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml
from rich.console import Console

from govcloud import cli
from govcloud.errors import ModelError
from govcloud.policy import check_graphs
from govcloud.policy.reports import print_findings, to_codequality, to_json, to_junit, to_sarif
from govcloud.policy.waivers import apply_waivers, load_waivers
from policy_fixtures import violating_graph
from test_reports import sarif_schema

TODAY = date(2026, 12, 6)


@pytest.fixture
def result(context):
    return check_graphs([violating_graph("fx-city-a")], context)


def _ssh(result):
    return next(f for f in result.findings if f.rule_id == "GOV-SG-001")


def _write(path: Path, entries: list[dict]) -> Path:
    lines = ["# Reviewed waivers (test).", "waivers:"]
    for entry in entries:
        lines.append(f"  - fingerprint: {entry['fingerprint']}")
        for key in ("rule", "owner", "reason", "expires"):
            lines.append(f"    {key}: {entry[key]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _entry(finding, expires: str = "2027-06-30", **extra) -> dict:
    return {"fingerprint": finding.fingerprint, "rule": finding.rule_id, "owner": "ops@example.gov.cn",
            "reason": "bastion migration, tracked in OPS-42", "expires": expires, **extra}


def test_a_live_waiver_takes_its_finding_out_of_the_verdict(result, tmp_path) -> None:
    ssh = _ssh(result)
    waivers = load_waivers(_write(tmp_path / "w.yaml", [_entry(ssh)]))
    assert waivers[0].line == 3 and waivers[0].expires == date(2027, 6, 30)
    waived = apply_waivers(result, waivers, TODAY)
    assert ssh not in waived.findings and [w.finding for w in waived.waived] == [ssh]
    assert len(waived.findings) == len(result.findings) - 1
    assert not waived.expired_waivers and not waived.unused_waivers


def test_an_expired_waiver_waives_nothing_and_fails_the_check(result, tmp_path, context) -> None:
    ssh = _ssh(result)
    waivers = load_waivers(_write(tmp_path / "w.yaml", [_entry(ssh, expires="2026-12-05")]))
    checked = apply_waivers(result, waivers, TODAY)
    assert ssh in checked.findings and not checked.waived
    assert checked.expired_waivers == waivers and not checked.passed
    # Even when nothing else is wrong: an advisory-only result fails with an expired waiver.
    advisory = check_graphs([violating_graph("fx-city-a")], context)
    advisory_only = apply_waivers(advisory.__class__(tuple(f for f in advisory.findings if not f.blocking),
                                                     advisory.stacks, advisory.resources, advisory.rules),
                                  waivers, TODAY)
    assert advisory_only.mandatory == [] and not advisory_only.passed


def test_a_waiver_for_another_rule_or_a_fixed_finding_is_unused(result, tmp_path) -> None:
    ssh = _ssh(result)
    other = _entry(ssh, rule="GOV-SG-002")
    gone = _entry(ssh, fingerprint="f" * 64)
    checked = apply_waivers(result, load_waivers(_write(tmp_path / "w.yaml", [other])), TODAY)
    assert ssh in checked.findings and len(checked.unused_waivers) == 1
    checked = apply_waivers(result, load_waivers(_write(tmp_path / "w.yaml", [gone])), TODAY)
    assert [w.fingerprint for w in checked.unused_waivers] == ["f" * 64]


def test_waivers_appear_in_every_report(result, tmp_path) -> None:
    ssh = _ssh(result)
    rdp_like = next(f for f in result.findings if f.rule_id == "GOV-EXIT-001")
    waivers = load_waivers(_write(tmp_path / "w.yaml", [_entry(ssh), _entry(rdp_like, expires="2026-01-01")]),
                           "policies/govcloud-baseline/waivers/fx.yaml")
    checked = apply_waivers(result, waivers, TODAY)

    data = to_json(checked, "fx")
    assert data["summary"]["waived"] == 1 and data["summary"]["expired_waivers"] == 1
    assert data["waivers"]["waived"][0]["fingerprint"] == ssh.fingerprint
    assert data["waivers"]["waived"][0]["waiver"]["owner"] == "ops@example.gov.cn"
    assert data["waivers"]["expired"][0]["fingerprint"] == rdp_like.fingerprint

    log = to_sarif(checked, "fx")
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    run = log["runs"][0]
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert [r["partialFingerprints"]["govcloudFinding/v1"] for r in suppressed] == [ssh.fingerprint]
    assert suppressed[0]["suppressions"][0]["justification"] == "bastion migration, tracked in OPS-42"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["expired-waiver"] and notes[0]["level"] == "error"

    xml = JUnitXml.fromstring(to_junit(checked, "fx").split("\n", 1)[1].encode())
    suites = {suite.name: suite for suite in xml}
    cases = list(suites["waivers"])
    failed = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]
    assert len(cases) == 2 and [c.name.split()[1] for c in failed] == [rdp_like.fingerprint]
    ssh_case = next(c for c in suites["fx-city-a"] if c.name.startswith("GOV-SG-001"))
    assert "[waived]" in ssh_case.system_out and not ssh_case.result

    # GitLab's code quality report: the waived finding as info naming its waiver, the expired
    # waiver as a blocker at its line in the waivers file (left out before).
    issues = to_codequality(checked, "fx")
    waived_issue = next(i for i in issues if i["fingerprint"] == ssh.fingerprint)
    assert waived_issue["severity"] == "info" and "waived by ops@example.gov.cn until 2027-06-30" in \
        waived_issue["description"]
    expired = [i for i in issues if i["check_name"] == "expired-waiver"]
    assert len(expired) == 1 and expired[0]["severity"] == "blocker"
    assert expired[0]["location"] == {"path": "policies/govcloud-baseline/waivers/fx.yaml", "lines": {"begin": 8}}
    assert len({i["fingerprint"] for i in issues}) == len(issues)

    out = io.StringIO()
    print_findings(checked, "fx", Console(file=out, width=300))
    text = out.getvalue()
    assert "WAIVED GOV-SG-001" in text and "EXPIRED WAIVER GOV-EXIT-001" in text and "FAILED" in text


@pytest.mark.parametrize(("text", "line", "message"), [
    ("- fingerprint: x\n", 1, "holds a list"),
    ("waivers:\n  - fingerprint: abc\n    rule: R\n    owner: o\n    reason: r\n    expires: 2027-01-01\n", 2,
     "not a finding's fingerprint"),
    ("waivers:\n  - fingerprint: " + "a" * 64 + "\n    rule: R\n    owner: o\n    reason: r\n", 2, "has no expires"),
    ("waivers:\n  - fingerprint: " + "a" * 64 + "\n    rule: R\n    owner: o\n    reason: r\n    expires: soon\n",
     6, "is not a date"),
    ("waivers:\n  - fingerprint: " + "a" * 64 + "\n    rule: R\n    owner: o\n    reason: r\n    expires: 2027-01-01\n"
     "    approver: me\n", 7, "is not a field"),
    ("waivers: [\n", 2, "YAML syntax error"),
    # Held out before: a day that does not exist and a date with a time were tracebacks.
    ("waivers:\n  - fingerprint: " + "a" * 64 + "\n    rule: R\n    owner: o\n    reason: r\n    expires: 2027-02-30\n",
     6, "is not a date"),
    ("waivers:\n  - fingerprint: " + "a" * 64 + "\n    rule: R\n    owner: o\n    reason: r\n"
     "    expires: 2027-06-30 10:00:00\n", 6, "is not a date"),
    ("waivers:\n  - fingerprint: " + "a" * 64 + "\n    rule: R\n    reason: r\n    expires: 2027-01-01\n", 2,
     "has no owner"),
    ("waivers:\n  - fingerprint: " + "a" * 64 + "\n    rule: R\n    owner: o\n    reason: ' '\n    expires: 2027-01-01\n",
     2, "has no reason"),
    ("waivers:\n  - fingerprint: " + "a" * 64 + "\n    rule: R\n    owner: o\n    owner: p\n    reason: r\n"
     "    expires: 2027-01-01\n", 5, "given twice"),
])
def test_a_malformed_waivers_file_is_located_bad_input(tmp_path, text, line, message) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_waivers(path)
    assert info.value.location.line == line and message in str(info.value) and info.value.fix


def test_a_waiver_of_a_rule_that_does_not_exist_is_located_bad_input(tmp_path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - fingerprint: " + "a" * 64 + "\n    rule: GOV-SG-01\n    owner: o\n    reason: r\n"
                    "    expires: 2027-01-01\n", encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_waivers(path, known_rules={"GOV-SG-001"})
    assert info.value.location.line == 3 and "names no rule" in str(info.value)


def test_the_cli_applies_the_default_waivers_file(project, capsys) -> None:
    def run():
        with pytest.raises(SystemExit) as info:
            cli.main(["policy", "check", "--env", "fx", "--all", "--format", "json"])
        return info.value.code, json.loads(capsys.readouterr().out)

    code, before = run()
    assert code == 1
    mandatory = [f for f in before["findings"] if f["level"] == "mandatory"]
    folder = project / "policies" / "govcloud-baseline" / "waivers"
    folder.mkdir()
    _write(folder / "fx.yaml", [{"fingerprint": f["fingerprint"], "rule": f["rule"], "owner": "ops",
                                 "reason": "accepted for the test", "expires": "2999-01-01"} for f in mandatory])
    code, after = run()
    assert code == 0 and after["summary"]["mandatory"] == 0 and after["summary"]["waived"] == len(mandatory)
    assert after["waivers"]["waived"][0]["waiver"]["file"] == "policies/govcloud-baseline/waivers/fx.yaml"
    text = (folder / "fx.yaml").read_text(encoding="utf-8").replace("2999-01-01", "2000-01-01", 1)
    (folder / "fx.yaml").write_text(text, encoding="utf-8")
    code, expired = run()
    assert code == 1 and expired["summary"]["expired_waivers"] == 1


def test_the_engine_pack_skips_what_a_live_waiver_accepts(result, tmp_path, monkeypatch, context) -> None:
    from govcloud.policy import rule_by_id
    from govcloud.policy import waivers as waivers_module
    from policy_fixtures import engine_names

    ssh = _ssh(result)
    graph = violating_graph("fx-city-a")
    rule = rule_by_id("GOV-SG-001")
    assert engine_names(rule, graph, context) == ["ssh-world"]
    path = _write(tmp_path / "fx.yaml", [_entry(ssh, expires="2999-01-01")])
    monkeypatch.setattr(waivers_module, "waivers_path", lambda root, env: path)
    assert engine_names(rule, graph, context) == []
    _write(path, [_entry(ssh, expires="2000-01-01")])
    assert engine_names(rule, graph, context) == ["ssh-world"], "an expired waiver waives nothing in the engine"
