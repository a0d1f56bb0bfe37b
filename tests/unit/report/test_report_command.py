"""`govcloud report` through the real entry point: JSON of the same data, snapshots appended,
bad input exits 2 naming the file and line; `govcloud kpi` piped is not cut at 80 columns."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from support.report_dates import AS_OF


def test_json_is_the_same_data_the_pages_get(progressed, govcloud):
    result = govcloud("report", "--env", "lab", "--format", "json", "--as-of", AS_OF, "--no-policy")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    kpi = json.loads(govcloud("kpi", "--env", "lab", "--format", "json", "--as-of", AS_OF).out)
    assert [row["kpi"] for row in data["kpis"]] == kpi["kpis"]
    assert data["ipv6_quality"]["ipv6_share"] == 0.25
    output = progressed.parents[1] / "site"
    assert govcloud("report", "--env", "lab", "--output", str(output), "--as-of", AS_OF, "--no-policy").code == 0
    written = json.loads((output / "report.json").read_text(encoding="utf-8"))
    assert written["kpis"] == data["kpis"] and written["trend"]["snapshots"] == 2


def test_each_run_appends_one_snapshot(progressed, govcloud):
    for _ in range(3):
        assert govcloud("report", "--env", "lab", "--format", "json", "--no-policy").code == 0
    lines = (progressed / "report-history.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(json.loads(line)["kpis"] for line in lines)


def test_html_needs_an_output_folder(project, govcloud):
    result = govcloud("report", "--env", "lab")
    assert result.code == 2 and "--output" in result.err


def test_a_damaged_snapshot_line_is_bad_input_naming_its_line(progressed, govcloud):
    (progressed / "report-history.jsonl").write_text('{"taken_at": "x"}\n', encoding="utf-8")
    result = govcloud("report", "--env", "lab", "--format", "json", "--no-policy")
    assert result.code == 2
    assert "report-history.jsonl:1" in result.err and "Traceback" not in result.err


def test_a_damaged_measurement_is_bad_input(progressed, govcloud):
    (progressed / "ipv6-quality.json").write_text('{"measured_at": ', encoding="utf-8")
    result = govcloud("report", "--env", "lab", "--format", "json", "--no-policy")
    assert result.code == 2 and "ipv6-quality.json" in result.err


def test_kpi_table_piped_is_not_cut_at_80_columns(project):
    """A real process whose stdout is a pipe and whose environment names no width."""
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    done = subprocess.run([sys.executable, "-c", "from govcloud.cli import main; main()", "kpi", "--env", "lab",
                           "--as-of", AS_OF], cwd=project, env=environ, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    assert "cloud adoption" in done.stdout and "by deadline (plan)" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) > 80


def test_probing_from_a_host_the_network_lacks_is_bad_input(project, govcloud):
    result = govcloud("report", "--env", "lab", "--format", "json", "--no-policy", "--measure-ipv6",
                      "--probe-from", "no-such-host")
    assert result.code == 2 and "no-such-host" in result.err and "Traceback" not in result.err
    assert not (project / ".state" / "lab" / "ipv6-quality.json").exists()


def test_an_output_that_is_a_file_is_bad_input_and_nothing_is_recorded(progressed, govcloud):
    taken = (progressed / "report-history.jsonl").read_text(encoding="utf-8") \
        if (progressed / "report-history.jsonl").exists() else ""
    result = govcloud("report", "--env", "lab", "--no-policy", "--output", "Pulumi.yaml")
    assert result.code == 2 and "--output Pulumi.yaml" in result.err and "folder" in result.err
    after = progressed / "report-history.jsonl"
    assert (after.read_text(encoding="utf-8") if after.exists() else "") == taken


def test_a_clouds_yaml_that_is_not_there_or_lacks_a_nodes_cloud_is_bad_input(project, govcloud, tmp_path):
    missing = govcloud("report", "--env", "lab", "--format", "json", "--no-policy", "--measure-cloud",
                       "--clouds-yaml", str(tmp_path / "none.yaml"))
    assert missing.code == 2 and "none.yaml: no such file" in missing.err
    broken = tmp_path / "broken.yaml"
    broken.write_text("clouds:\n  a: [1\n", encoding="utf-8")
    result = govcloud("report", "--env", "lab", "--format", "json", "--no-policy", "--measure-cloud",
                      "--clouds-yaml", str(broken))
    assert result.code == 2 and "broken.yaml:" in result.err and "not valid YAML" in result.err
    partial = tmp_path / "partial.yaml"
    partial.write_text("clouds:\n  somewhere-else:\n    auth: {auth_url: 'http://192.0.2.1:5000'}\n", encoding="utf-8")
    result = govcloud("report", "--env", "lab", "--format", "json", "--no-policy", "--measure-cloud",
                      "--clouds-yaml", str(partial))
    assert result.code == 2 and "province (" in result.err and "somewhere-else" in result.err
    assert "Traceback" not in result.err
    assert not (project / ".state" / "lab" / "cloud-usage.json").exists()  # nothing measured, nothing recorded


def test_a_missing_ssh_key_is_bad_input_before_any_login(project, govcloud, tmp_path):
    result = govcloud("report", "--env", "lab", "--format", "json", "--no-policy", "--measure-ipv6",
                      "--state-dir", str(tmp_path / "nowhere"))
    assert result.code == 2 and "id_ed25519: no such file" in result.err and "--state-dir" in result.err
    assert not (project / ".state" / "lab" / "ipv6-quality.json").exists()


def test_the_wave_timeline_is_what_migrate_status_says(progressed, govcloud):
    status = govcloud("migrate", "status", "--env", "lab", "--format", "json")
    assert status.code == 0, status.err
    expected = {int(number): value for number, value in json.loads(status.out)["status"].items()}
    report = govcloud("report", "--env", "lab", "--format", "json", "--no-policy")
    timeline = {w["wave"]: w["status"] for w in json.loads(report.out)["adoption"]["waves"]}
    assert timeline == expected
    assert set(timeline.values()) == {"done", "rolled-back", "planned"}  # the fixture's progress, all three kinds


@pytest.mark.parametrize("option", [["--probe-from", "core"], ["--probe-tcp-port", "80"],
                                    ["--clouds-yaml", "clouds.yaml"]])
def test_a_measurement_option_without_its_measurement_is_bad_input(project, govcloud, option):
    result = govcloud("report", "--env", "lab", "--format", "json", "--no-policy", *option)
    assert result.code == 2 and f"{option[0]} is only read by --measure-" in result.err
