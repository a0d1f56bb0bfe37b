"""`govcloud migrate` and `govcloud kpi` end to end in a throw-away project."""

from __future__ import annotations

import json
from pathlib import Path


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}


def test_replanning_an_unchanged_model_changes_nothing(govcloud, planned):
    before = texts(planned)
    result = govcloud("migrate", "plan", "--env", "lab")
    assert result.code == 0, result.err
    assert "plan unchanged, nothing written" in result.out
    assert texts(planned) == before


def test_replanning_keeps_waves_under_way_or_done(govcloud, planned, project):
    assert govcloud("migrate", "mark", "--env", "lab", "--wave", "1", "--status", "in-progress").code == 0
    assert govcloud("migrate", "mark", "--env", "lab", "--wave", "1", "--status", "done").code == 0
    done = (planned / "0001-province.yaml").read_text(encoding="utf-8")
    assert "status:" not in done and "content_hash: sha256:" in done, "progress is the state's, not the file's"
    recorded = json.loads((project / ".state" / "lab" / "migration-run.json").read_text(encoding="utf-8"))
    assert recorded["waves"]["1"]["status"] == "done"
    systems = project / "inventories" / "lab" / "systems.yaml"
    systems.write_text(systems.read_text(encoding="utf-8") + (
        "  - code: open-data\n    name: 开放数据平台\n    owner: prov-gov-office\n    current_site: core\n"
        "    depends_on: [unified-identity]\n    target_node: province\n"), encoding="utf-8")
    result = govcloud("migrate", "plan", "--env", "lab", "--format", "json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["kept"] == ["0001-province.yaml"] and summary["changed"]
    assert (planned / "0001-province.yaml").read_text(encoding="utf-8") == done
    assert "open-data" in (planned / summary["planned"][0]).read_text(encoding="utf-8")
    assert govcloud("migrate", "validate", "--env", "lab").code == 0


def test_mark_refuses_skipping_a_step(govcloud, planned):
    result = govcloud("migrate", "mark", "--env", "lab", "--wave", "2", "--status", "done")
    assert result.code == 2
    assert "wave 2 is planned; it cannot become done" in result.err


def test_runbook_writes_markdown_and_html(govcloud, planned, project):
    result = govcloud("migrate", "runbook", "--env", "lab", "--wave", "2")
    assert result.code == 0, result.err
    folder = project / "build" / "runbooks" / "lab"
    markdown = (folder / "0002-city-a.md").read_text(encoding="utf-8")
    html = (folder / "0002-city-a.html").read_text(encoding="utf-8")
    assert markdown.startswith("# Runbook: wave 2 (city-a) of lab")
    assert "<h2>Go/no-go gate</h2>" in html and "<td>电子证照库</td>" in html


def test_runbook_of_an_unknown_wave_says_which_exist(govcloud, planned):
    result = govcloud("migrate", "runbook", "--env", "lab", "--wave", "9")
    assert result.code == 2
    assert "--wave 9: no such wave (fix: use one of: 1, 2, 3)" in result.err


def test_kpi_counts_done_waves_and_state_files(govcloud, planned, project):
    for status in ("in-progress", "done"):
        assert govcloud("migrate", "mark", "--env", "lab", "--wave", "1", "--status", status).code == 0
    state = project / ".state" / "lab"
    state.mkdir(parents=True, exist_ok=True)
    (state / "rollout.json").write_text(json.dumps({"sites": {"core": "dual-stack"}}), encoding="utf-8")
    (state / "exits.json").write_text(json.dumps({"exits": {"legacy-city-a": {"status": "decommissioned"}}}), encoding="utf-8")
    result = govcloud("kpi", "--env", "lab", "--format", "json", "--as-of", "2027-01-31")
    assert result.code == 0, result.err
    rows = {(r["kpi"], r["scope"]): r for r in json.loads(result.out)["kpis"]}
    assert rows["cloud adoption", "province"]["achieved"] == 1 and rows["cloud adoption", "province"]["total"] == 6
    assert rows["ipv6 coverage", "province tier"]["status"] == "met"
    assert rows["exits consolidated", "province"]["achieved"] == 1
    assert rows["dr coverage", "key systems"]["achieved"] == 1
    table = govcloud("kpi", "--env", "lab", "--as-of", "2027-01-31")
    assert table.code == 0 and "cloud adoption" in table.out


def test_kpi_says_by_how_much_a_row_is_behind_or_missed(govcloud, planned, project):
    """The lab's network plan dates the county wave after its target's deadline: behind, with the
    whole gap; after the deadline the undone province-tier wave is missed by its one site."""
    result = govcloud("kpi", "--env", "lab", "--format", "json", "--as-of", "2027-01-31")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    county = {(r["kpi"], r["scope"]): r for r in data["kpis"]}["ipv6 coverage", "county tier"]
    assert (county["status"], county["projected"], county["gap"], county["gap_points"], county["unit"]) == (
        "behind", 0, 3, 90.0, "sites")
    city = {(r["kpi"], r["scope"]): r for r in data["cities"]}["ipv6 coverage", "city-a, county tier"]
    assert (city["status"], city["gap"], city["gap_points"]) == ("behind", 2, 90.0)
    table = govcloud("kpi", "--env", "lab", "--as-of", "2027-01-31")
    assert table.code == 0, table.err
    assert "gap to target" in table.out and "3 sites, 90.0 pp" in table.out and "2 sites, 90.0 pp" in table.out
    assert "1 site, 100.0 pp" in table.out  # the province tier's wave was due by 2026-12-31


def test_a_malformed_state_file_names_itself(govcloud, planned, project):
    state = project / ".state" / "lab"
    state.mkdir(parents=True, exist_ok=True)
    (state / "rollout.json").write_text(json.dumps({"sites": {"core": "yes"}}), encoding="utf-8")
    result = govcloud("kpi", "--env", "lab")
    assert result.code == 2
    assert "rollout.json:1: sites.core: Input should be 'none', 'planned' or 'dual-stack'" in result.err
