"""The ansible-runner wrapper: one typed request, outcomes from stats, statuses as exceptions."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from govcloud.errors import InputError, RunnerError
from govcloud.network import ansible as network_ansible
from govcloud.network.ansible import Connection, HostOutcome, PlaybookRequest, run_playbook


def _request(tmp_path: Path, **kwargs) -> PlaybookRequest:
    for name in ("play.yml", "hosts.yml", "known_hosts"):
        (tmp_path / name).write_text("---\n")
    return PlaybookRequest(tmp_path / "play.yml", tmp_path / "hosts.yml", tmp_path / "known_hosts",
                           work_dir=tmp_path / "runs", **kwargs)


class _FakeRunner:
    def __init__(self, status: str, stats: dict | None) -> None:
        self.status, self.rc, self.stats = status, 0 if status == "successful" else 2, stats
        self.stdout = None
        self.config = SimpleNamespace(command=["ansible-playbook"])


def _patch_run(monkeypatch, status: str, stats: dict | None, seen: list) -> None:
    import ansible_runner

    def fake_run(**kwargs):
        seen.append(kwargs)
        handler = kwargs["event_handler"]
        handler({"event": "runner_on_failed", "event_data": {"host": "r2", "task": "Verify", "res": {"msg": "boom"}}})
        return _FakeRunner(status, stats)

    monkeypatch.setattr(ansible_runner, "run", fake_run)


def test_outcomes_come_from_the_stats_and_the_run_dir_is_fresh_and_removed(tmp_path, monkeypatch):
    seen: list = []
    stats = {"ok": {"r1": 5, "r2": 3, "r3": 4}, "changed": {"r1": 2}, "failures": {"r2": 1}, "dark": {}}
    _patch_run(monkeypatch, "failed", stats, seen)
    result = run_playbook(_request(tmp_path, limit=("ipv6_wave_1",), connection=Connection.PARAMIKO))
    assert result.outcomes == {"r1": HostOutcome.CHANGED, "r2": HostOutcome.FAILED, "r3": HostOutcome.OK}
    assert result.failed_hosts == ["r2"] and result.failures == {"r2": "Verify: boom"}
    call = seen[0]
    assert call["limit"] == "ipv6_wave_1"
    assert call["extravars"]["ansible_connection"] == "paramiko"
    control = call["envvars"]["ANSIBLE_SSH_CONTROL_PATH_DIR"]
    assert not Path(call["private_data_dir"]).exists() and not Path(control).exists()
    with pytest.raises(RunnerError, match="r2: Verify: boom"):
        result.raise_for_status()


def test_ssh_control_sockets_get_a_short_path_however_deep_the_project(tmp_path, monkeypatch):
    # A socket path holds at most 107 bytes, and ssh adds a suffix of its own while it binds.
    seen: list = []
    _patch_run(monkeypatch, "successful", {"ok": {"r1": 1}}, seen)
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    run_playbook(_request(deep))
    control = seen[0]["envvars"]["ANSIBLE_SSH_CONTROL_PATH_DIR"]
    assert len(control) + len("/0123456789.0123456789abcdef") < 100 and not control.startswith(str(deep))


def test_two_runs_never_share_a_private_data_dir(tmp_path, monkeypatch):
    seen: list = []
    _patch_run(monkeypatch, "successful", {"ok": {"r1": 1}}, seen)
    run_playbook(_request(tmp_path))
    run_playbook(_request(tmp_path))
    assert seen[0]["private_data_dir"] != seen[1]["private_data_dir"]


def test_check_mode_passes_check_and_diff(tmp_path, monkeypatch):
    seen: list = []
    _patch_run(monkeypatch, "successful", {"ok": {"r1": 1}}, seen)
    run_playbook(_request(tmp_path, check=True))
    assert seen[0]["cmdline"] == "--check --diff"


def test_a_run_without_stats_is_a_runner_error(tmp_path, monkeypatch):
    _patch_run(monkeypatch, "timeout", None, [])
    with pytest.raises(RunnerError, match="timeout"):
        run_playbook(_request(tmp_path))


def test_missing_inventory_is_an_input_error(tmp_path):
    request = _request(tmp_path)
    (tmp_path / "hosts.yml").unlink()
    with pytest.raises(InputError, match="inventory"):
        run_playbook(request)


def test_roles_path_points_at_the_repository_roles():
    assert (network_ansible.ROLES_DIR / "ipv6_extranet" / "tasks" / "main.yml").is_file()
