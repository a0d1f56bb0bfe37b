"""Stacks in parallel: the province first, the cities concurrently, every result kept and the first
failure raised (a fake engine: ``run_one`` is a plain function)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from govcloud.engine import automation
from govcloud.engine.parallel import StacksFailed, run_stages, stages
from govcloud.engine.automation import Operation, StackResult, run
from govcloud.engine.settings import EngineSettings
from govcloud.errors import EngineError
from govcloud.model import load_environment

ROOT = Path(__file__).resolve().parents[3]
CITIES = ["c1", "c2", "c3"]


def test_stages_put_the_province_first_and_last_for_destroy():
    assert stages(["p", *CITIES], ["p"]) == [["p"], CITIES]
    assert stages([*CITIES, "p"], ["p"], reverse=True) == [CITIES, ["p"]]
    assert stages(["c2"], ["p"]) == [["c2"]]


def test_operated_stacks_run_after_their_bases_and_are_destroyed_before_them():
    names = ["p", "c1-base", "c2", "c1"]
    assert stages(names, ["p"], last=["c1"]) == [["p"], ["c1-base", "c2"], ["c1"]]
    assert stages(list(reversed(names)), ["p"], reverse=True, last=["c1"]) == [["c1"], ["c2", "c1-base"], ["p"]]
    assert stages(["c1"], ["p"], last=["c1"]) == [["c1"]]


def test_cities_run_concurrently_after_the_province():
    events: list[str] = []
    lock = threading.Lock()
    # Each city waits until all three are running: without concurrency the barrier breaks.
    barrier = threading.Barrier(len(CITIES), timeout=30)

    def run_one(stack: str) -> str:
        with lock:
            events.append(f"start {stack}")
        if stack != "p":
            assert "done p" in events  # the province finished before any city started
            barrier.wait()
        with lock:
            events.append(f"done {stack}")
        return stack.upper()

    assert run_stages(stages(["p", *CITIES], ["p"]), run_one, jobs=3) == ["P", "C1", "C2", "C3"]
    assert events[:2] == ["start p", "done p"]


def test_jobs_bounds_the_stacks_at_once():
    running, most = 0, 0
    lock = threading.Lock()
    pairs = threading.Barrier(2, timeout=30)  # passes only two stacks at once, again and again

    def run_one(stack: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        pairs.wait()
        with lock:
            running -= 1
        return stack

    assert run_stages([["c1", "c2", "c3", "c4"]], run_one, jobs=2) == ["c1", "c2", "c3", "c4"]
    assert most == 2


def test_a_failing_city_does_not_hide_the_others():
    reports: list[tuple[str, str]] = []

    def run_one(stack: str) -> str:
        if stack == "c2":
            raise EngineError("up of c2 failed: quota exceeded", fix="raise the quota")
        return stack

    with pytest.raises(StacksFailed) as caught:
        run_stages(stages(["p", *CITIES], ["p"]), run_one, jobs=2,
                   report=lambda stack, event, detail: reports.append((stack, event)))
    failed = caught.value
    assert failed.message.startswith("up of c2 failed: quota exceeded") and failed.fix == "raise the quota"
    assert failed.results == ["p", "c1", "c3"]  # everyone else finished and says so
    assert "c1" in failed.message and "c3" in failed.message
    assert ("c2", "failed") in reports and ("c3", "done") in reports
    assert failed.exit_code == 1


def test_the_first_failure_in_time_is_the_error_and_later_ones_are_named():
    second_may_fail = threading.Event()

    def run_one(stack: str) -> str:
        if stack == "c3":
            raise EngineError("c3 broke first")
        if stack == "c1":
            second_may_fail.wait(30)
            raise EngineError("c1 broke later")
        return stack

    def ordered_run(stack: str) -> str:
        try:
            return run_one(stack)
        finally:
            if stack == "c3":
                second_may_fail.set()

    with pytest.raises(StacksFailed) as caught:
        run_stages([CITIES], ordered_run, jobs=3)
    assert caught.value.first.stack == "c3"
    assert "also failed: c1" in caught.value.message


def test_a_failed_province_stops_the_cities():
    ran: list[str] = []

    def run_one(stack: str) -> str:
        ran.append(stack)
        if stack == "p":
            raise EngineError("province broke")
        return stack

    with pytest.raises(StacksFailed) as caught:
        run_stages(stages(["p", *CITIES], ["p"]), run_one, jobs=3)
    assert ran == ["p"]
    assert [o.not_run for o in caught.value.outcomes[1:]] == ["p failed first"] * 3
    assert "not run: c1, c2, c3" in caught.value.message


def test_the_runner_schedules_real_stacks_with_a_fake_engine(tmp_path, monkeypatch):
    """automation.run end to end with the engine calls replaced: province first, cities on threads,
    each stack with its own log file, a failing city reported with the other's result kept."""
    environment = load_environment("lab", ROOT)
    calls: list[tuple[str, str]] = []
    city_barrier = threading.Barrier(2, timeout=30)
    fake_install = automation.EngineInstall(cli=tmp_path / "bin" / "pulumi", bin_dir=tmp_path / "bin",
                                        pulumi_home=tmp_path / "home", source="path")

    def fake_execute(stack_run):
        stack = stack_run.stack_name
        calls.append((stack, threading.current_thread().name))
        assert stack_run.env["PULUMI_SKIP_CHECKPOINTS"] == "true"  # a preview never pays for checkpoints
        stack_run.printer.on_output(f"previewing {stack}")
        if stack != "lab-province":
            city_barrier.wait()  # both cities at once
        if stack == "lab-city-b":
            raise EngineError(f"preview of {stack} failed", fix="read the log")
        return StackResult(stack, stack_run.operation.value, {"create": 1}, 0.1, str(stack_run.log_file))

    monkeypatch.setattr(automation, "find_engine", lambda: fake_install)
    monkeypatch.setattr(automation, "load_credentials", lambda cloud, path: automation.CloudCredentials(cloud, None, {}, None))
    monkeypatch.setattr(automation, "check_login", lambda credentials, admin=False: None)
    monkeypatch.setattr(automation, "_stack_outputs", lambda *args: {"addressScopeV4Id": "x"})
    monkeypatch.setattr(automation.StackRun, "execute", fake_execute)
    monkeypatch.setenv("GOVCLOUD_PASSPHRASE_FILE", str(tmp_path / "passphrase"))
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: govcloud\nruntime: python\n")
    settings = EngineSettings(project, jobs=2, log_dir=tmp_path / "logs")

    with pytest.raises(StacksFailed) as caught:
        run(Operation.PREVIEW, environment, ["lab-city-b", "lab-city-a", "lab-province"], settings, quiet=True)
    assert calls[0][0] == "lab-province"
    assert {stack for stack, _ in calls[1:]} == {"lab-city-a", "lab-city-b"}
    assert [r.stack for r in caught.value.results] == ["lab-province", "lab-city-a"]
    assert "preview of lab-city-b failed" in caught.value.message
    logs = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert len(logs) == 3 and all(p.endswith("-preview.log") for p in logs)
    assert (tmp_path / "logs" / next(p for p in logs if "city-a" in p)).read_text() == "previewing lab-city-a\n"


def test_a_stop_signal_keeps_its_exit_code_through_the_summary():
    from govcloud.engine.parallel import StackOutcome, StacksFailed
    from govcloud.engine.signals import interrupted_error

    stopped = StacksFailed([StackOutcome("lab-province", error=interrupted_error(15, "destroy", "lab-province"))])
    assert stopped.exit_code == 143 and "stopped by SIGTERM" in stopped.message
