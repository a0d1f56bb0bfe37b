"""Stop signals reach the engine once, cleanly; nothing the engine started outlives the run.

A stand-in ``pulumi`` (a script of that name) behaves like the CLI: it starts a "plugin"
grandchild, and on SIGTERM exits at once, orphaning the plugin, as a killed engine does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from govcloud.engine.signals import EngineGuard, engine_command_root
from govcloud.errors import EngineInterrupted

FAKE_ENGINE = f"""#!{sys.executable}
import os, signal, subprocess, sys, time
plugin = subprocess.Popen([{sys.executable!r}, "-c", "import time; time.sleep(600)"])
open(sys.argv[1], "w").write(f"{{os.getpid()}} {{os.getsid(0)}} {{plugin.pid}}")
signal.signal(signal.SIGTERM, lambda *_: os._exit(3))
time.sleep(600)
"""


@pytest.fixture
def fake_cli(tmp_path) -> Path:
    cli = tmp_path / "engine" / "pulumi"
    cli.parent.mkdir()
    cli.write_text(FAKE_ENGINE)
    cli.chmod(0o755)
    return cli


def _wait_for(path: Path) -> list[int]:
    for _ in range(200):
        if path.is_file() and path.read_text():
            return [int(x) for x in path.read_text().split()]
        time.sleep(0.05)
    raise AssertionError(f"the stand-in engine never wrote {path}")


def test_the_engine_runs_in_a_session_of_its_own(tmp_path, fake_cli):
    root = engine_command_root(fake_cli, tmp_path / "wrapper")
    started = subprocess.Popen([str(root / "bin" / "pulumi"), str(tmp_path / "ids")])
    try:
        pid, sid, plugin = _wait_for(tmp_path / "ids")
        assert pid == started.pid  # setsid exec'd in place: the pid govcloud knows is the engine's
        assert sid == pid != os.getsid(0)
    finally:
        started.kill()
        started.wait()
        psutil.Process(plugin).kill()


def test_sigterm_is_forwarded_once_and_orphaned_plugins_are_stopped(tmp_path, fake_cli):
    root = engine_command_root(fake_cli, tmp_path / "wrapper")
    with EngineGuard(grace=2) as guard:
        engine = subprocess.Popen([str(root / "bin" / "pulumi"), str(tmp_path / "ids")])
        _, _, plugin = _wait_for(tmp_path / "ids")
        os.kill(os.getpid(), signal.SIGTERM)  # what a CI timeout sends govcloud
        assert engine.wait(timeout=10) == 3  # the engine got exactly one SIGTERM from the guard
        assert psutil.pid_exists(plugin)  # orphaned, but adopted by us (the subreaper)
    assert guard.received == [signal.SIGTERM]
    assert any(str(plugin) in line for line in guard.strays)
    assert not psutil.pid_exists(plugin) or psutil.Process(plugin).status() == psutil.STATUS_ZOMBIE
    with pytest.raises(EngineInterrupted) as caught:
        guard.check("up", "lab-province")
    assert caught.value.exit_code == 143
    assert "SIGTERM" in caught.value.message and "govcloud up" in caught.value.fix


HANGING_ENGINE = f"""#!{sys.executable}
import os, signal, sys, time
terms = []
def on_term(*_):
    terms.append(1)
    if len(terms) == 2:
        os._exit(4)  # the CLI's "terminate immediately"
signal.signal(signal.SIGTERM, on_term)
open(sys.argv[1], "w").write(str(os.getpid()))
while True:
    time.sleep(0.05)
"""


def test_an_engine_that_never_finishes_its_cancel_gets_the_second_sigterm(tmp_path):
    cli = tmp_path / "engine" / "pulumi"
    cli.parent.mkdir()
    cli.write_text(HANGING_ENGINE)
    cli.chmod(0o755)
    root = engine_command_root(cli, tmp_path / "wrapper")
    with EngineGuard(grace=1, cancel=1.5) as guard:
        engine = subprocess.Popen([str(root / "bin" / "pulumi"), str(tmp_path / "ids")])
        _wait_for(tmp_path / "ids")
        os.kill(os.getpid(), signal.SIGTERM)
        assert engine.wait(timeout=30) == 4  # cancelled, hung, then terminated by the watchdog
    assert guard.received == [signal.SIGTERM]


def test_sigint_does_not_raise_keyboardinterrupt_inside_the_guard():
    with EngineGuard(grace=1) as guard:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs here; a KeyboardInterrupt would fail the test
    assert guard.received == [signal.SIGINT]
    with pytest.raises(EngineInterrupted) as caught:
        guard.check("destroy", "lab-city-a")
    assert caught.value.exit_code == 130


def test_handlers_are_restored_after_the_run():
    before = signal.getsignal(signal.SIGTERM)
    with EngineGuard(grace=1):
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_stop_signal_before_the_engine_answered_its_version_is_one_clean_interruption(tmp_path, monkeypatch):
    """`PulumiCommand` runs `pulumi version` itself; SIGTERM forwarded to it must not be a traceback."""
    from types import SimpleNamespace

    from govcloud.engine.outcome import Operation
    from govcloud.engine.stackrun import StackRun

    guard = EngineGuard(grace=1)

    def version_killed(*_args, **_kwargs):
        guard.received.append(signal.SIGTERM)  # arrived while `pulumi version` ran
        raise subprocess.CalledProcessError(-15, ["pulumi", "version"])

    monkeypatch.setattr("govcloud.engine.stackrun.release_stale_locks", lambda *a: [])
    monkeypatch.setattr("govcloud.engine.stackrun.engine_workspace", version_killed)
    run = StackRun(Operation.UP, "lab-province", None, None, {"PULUMI_BACKEND_URL": "file:///x"}, None,
                   tmp_path / "log", SimpleNamespace(project_root=tmp_path, scratch_project=tmp_path), guard, None)
    with pytest.raises(EngineInterrupted) as caught:
        run.execute()
    assert caught.value.exit_code == 143


GUARD_STATES = """
from govcloud.engine.signals import EngineGuard, become_subreaper, is_subreaper
import sys
if sys.argv[1] == "already":
    become_subreaper()
before = is_subreaper()
with EngineGuard():
    inside = is_subreaper()
print(before, inside, is_subreaper())
"""


@pytest.mark.parametrize(("start", "expected"), [("plain", "False True False"), ("already", "True True True")])
def test_the_guard_adopts_orphans_only_while_it_runs(start, expected):
    # A process that goes on after the run (a test session) must not keep adopting orphans it never
    # reaps: their zombies look alive to pg_ctl. Run in a child so this process's state is untouched.
    done = subprocess.run([sys.executable, "-c", GUARD_STATES, start], capture_output=True, text=True, check=True)
    assert done.stdout.split() == expected.split()
