"""A cluster whose postmaster is dead or a zombie is not running (pg_ctl would wait for it)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from netaddr import IPAddress

from govcloud.lab.workload import postgres
from govcloud.lab.workload.layout import Place


def _place_with_pid(tmp_path: Path, pid: int) -> Place:
    place = Place("city-a", IPAddress("192.0.2.10"), tmp_path)
    place.data.mkdir(exist_ok=True)
    (place.data / "postmaster.pid").write_text(f"{pid}\n{place.data}\n", encoding="utf-8")
    return place


def test_a_zombie_postmaster_is_not_a_running_server(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(postgres, "run", lambda *a, **k: asked.append(a) or subprocess.CompletedProcess(a, 0))
    child = subprocess.Popen(["true"])  # exits at once; not waited for, so it stays a zombie
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child.pid}/stat").read_text().split(") ")[1][0] != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert postgres.is_running(_place_with_pid(tmp_path, child.pid)) is False
        assert asked == [], "pg_ctl is not asked about a zombie"
    finally:
        child.wait()


def test_a_live_postmaster_is_left_to_pg_ctl_to_judge(tmp_path, monkeypatch):
    monkeypatch.setattr(postgres, "run", lambda argv, **k: subprocess.CompletedProcess(argv, 0))
    assert postgres.is_running(_place_with_pid(tmp_path, 1)) is True
    monkeypatch.setattr(postgres, "run", lambda argv, **k: subprocess.CompletedProcess(argv, 3))
    assert postgres.is_running(_place_with_pid(tmp_path, 1)) is False
