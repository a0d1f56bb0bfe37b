"""A throw-away lab project for the report (model, waves, stack settings, policy settings) with
progress recorded the way the commands record it: wave 1 done, wave 2 in progress with a system
rolled back, some sites dual-stack, an exit decommissioned, IPv6 probes and live usage measured."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from support.cli import Run, cli_runner  # noqa: F401 - Run: the runner's result, for type hints

ROOT = Path(__file__).resolve().parents[3]
from support.report_dates import AS_OF  # noqa: E402,F401 - shared with the tests


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(ROOT / "inventories" / "lab", root / "inventories" / "lab",
                    ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
    shutil.copytree(ROOT / "migrations" / "lab", root / "migrations" / "lab")
    shutil.copytree(ROOT / "stacks", root / "stacks", ignore=shutil.ignore_patterns("__pycache__", "*example*"))
    shutil.copytree(ROOT / "policies", root / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("COLUMNS", "200")
    return root


@pytest.fixture
def govcloud(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """``govcloud("report", ...)`` -> exit code, stdout, stderr, through the real entry point."""
    return cli_runner(monkeypatch, capsys)


@pytest.fixture
def progressed(project: Path, govcloud) -> Path:
    """The project with progress recorded; returns its state folder."""
    from govcloud.migration.execution.lifecycle import Phase
    from govcloud.migration.execution.run_state import load_run_state, save_run_state
    from govcloud.migration.schema import WaveStatus
    from govcloud.report.measurements import (CLOUD_USAGE_FILE, IPV6_QUALITY_FILE, CloudUsage, ExitCounters,
                                              FamilyResult, Ipv6Quality, NodeUsage, QuotaUse, SiteProbe,
                                              write_measurement)

    for wave, status in ((1, "in-progress"), (1, "done"), (2, "in-progress")):
        result = govcloud("migrate", "mark", "--env", "lab", "--wave", str(wave), "--status", status)
        assert result.code == 0, result.err
    state = project / ".state" / "lab"
    run = load_run_state(state, "lab")  # the marks above are in it: add a rolled-back wave 2
    run.system(2, "relief-payments").phase = Phase.ROLLED_BACK
    run.wave(2).status = WaveStatus.ROLLED_BACK
    save_run_state(state, run)
    (state / "rollout.json").write_text(json.dumps({"sites": {"core": "dual-stack", "city-a": "dual-stack",
                                                              "county-a1": "planned"}}), encoding="utf-8")
    (state / "exits.json").write_text(json.dumps({"exits": {"legacy-city-a": {"status": "decommissioned"}}}),
                                      encoding="utf-8")
    now = dt.datetime(2027, 2, 1, 8, tzinfo=dt.timezone.utc)
    good = FamilyResult(sent=5, received=5, rtt_ms=0.5, tcp_tries=3, tcp_ok=3)
    slower = FamilyResult(sent=5, received=4, rtt_ms=0.6, tcp_tries=3, tcp_ok=3)
    dead = FamilyResult(sent=5, received=0, rtt_ms=None, tcp_tries=3, tcp_ok=0)
    write_measurement(state / IPV6_QUALITY_FILE, Ipv6Quality(
        measured_at=now, probe_host="core",
        sites=(SiteProbe(site="core", tier="province", ipv4=good, ipv6=good),
               SiteProbe(site="city-a", tier="city", ipv4=good, ipv6=slower),
               SiteProbe(site="city-b", tier="city", ipv4=good, ipv6=dead)),
        exits=(ExitCounters(exit="unified-province", ipv4_octets=3000, ipv6_octets=1000),)))
    write_measurement(state / CLOUD_USAGE_FILE, CloudUsage(measured_at=now, nodes={
        "province": NodeUsage(projects={"prov-gov-office": {"cores": QuotaUse(limit=20, used=19),
                                                       "ram_mb": QuotaUse(limit=40960, used=8192),
                                                       "gigabytes": QuotaUse(limit=1000, used=100)}}),
        "city-a": NodeUsage(error="ConnectFailure: the node did not answer")}))
    return state
