"""The real engine, killed and stopped mid-create, with a stand-in "cloud" (a folder) so that no
OpenStack is needed: a dynamic provider whose create takes a while and leaves a file named after
the object. Held: the committed settings file is never written (the salt lives in the state);
a SIGKILLed engine's lock is released and its pending create is imported when the object exists
and cleared when it does not (never created twice); a create that failed part-way is finished by
the next run; SIGTERM to the run stops the engine cleanly; no process outlives a run.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from govcloud.engine.discovery import engine_dir
from govcloud.engine.journal import journal_path, read_journal
from govcloud.engine.locks import stack_locks
from govcloud.engine.outcome import Operation
from govcloud.engine.progress import Progress
from govcloud.engine.settings import EngineSettings, ensure_passphrase_file
from govcloud.engine.signals import EngineGuard
from govcloud.engine.stackfiles import RunFiles, new_run_id
from govcloud.engine.stackrun import StackRun
from govcloud.errors import EngineError, EngineInterrupted

pytestmark = pytest.mark.integration

TYPE = "pulumi-python:dynamic:Resource"
PROVIDER = textwrap.dedent('''
    import os, time
    import pulumi
    from pulumi.dynamic import CreateResult, ReadResult, Resource, ResourceProvider

    CLOUD = os.environ["STANDIN_CLOUD"]

    class Slow(ResourceProvider):
        def create(self, inputs):
            if inputs["refuse"]:
                raise Exception(f"the cloud refused {inputs['name']}: quota exceeded")
            time.sleep(float(inputs["seconds"]))
            with open(os.path.join(CLOUD, inputs["name"]), "a") as f:  # "a": a second create shows
                f.write("created\\n")
            time.sleep(float(inputs["after"]))  # the object exists; the engine does not know yet
            return CreateResult(inputs["name"], dict(inputs))

        def read(self, id_, props):
            return ReadResult(id_, props) if os.path.exists(os.path.join(CLOUD, id_)) else ReadResult(None, {})

        def delete(self, id_, props):
            os.remove(os.path.join(CLOUD, id_))

    class Thing(Resource):
        def __init__(self, name, seconds, after=0, opts=None, refuse=False):
            super().__init__(Slow(), name, {"name": name, "seconds": seconds, "after": after, "refuse": refuse}, opts)
''')
PROGRAM = PROVIDER + textwrap.dedent('''
    first = Thing("thing-a", 0.1)
    second = Thing("thing-b", 8, 4, pulumi.ResourceOptions(depends_on=[first]))
    Thing("thing-c", 0.1, 0, pulumi.ResourceOptions(depends_on=[second]))
''')
SETTINGS = "config:\n  mech:note: committed\n"


class FolderCloud:
    """The stand-in cloud as StackRun sees it: an ObjectFinder over its folder, by the name the program gives."""

    def __init__(self, cloud: Path) -> None:
        self.cloud = cloud

    def can_find(self, type_):
        return True

    def find(self, type_, inputs):
        return [inputs["name"]] if (self.cloud / inputs["name"]).exists() else []

    def find_created(self, type_, inputs):
        return self.find(type_, inputs), False

    def check(self, types, during=""):
        """The folder always answers."""


@pytest.fixture
def project(tmp_path, monkeypatch):
    bin_dir = engine_dir(os.environ) / "bin"
    if not (bin_dir / "pulumi").is_file():
        pytest.fail(f"no engine at {bin_dir}: run `make setup`")
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: mech\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
                                      f"    virtualenv: {sys.prefix}\nmain: .\nstackConfigDir: stacks/\n")
    (root / "__main__.py").write_text(PROGRAM)
    (root / "stacks" / "Pulumi.dev.yaml").write_text(SETTINGS)
    cloud = tmp_path / "cloud"
    cloud.mkdir()
    monkeypatch.setenv("STANDIN_CLOUD", str(cloud))
    install = SimpleNamespace(cli=bin_dir / "pulumi", bin_dir=bin_dir, pulumi_home=tmp_path / "home")
    settings = EngineSettings(root, backend_url=(tmp_path / "state").as_uri(),
                              passphrase_file=tmp_path / "passphrase")
    (tmp_path / "state").mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PULUMI_HOME": str(install.pulumi_home),
           "PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
           "PULUMI_BACKEND_URL": settings.backend(), "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER": "true",
           "PULUMI_CONFIG_PASSPHRASE_FILE": str(ensure_passphrase_file(settings.passphrase_file))}
    return SimpleNamespace(root=root, cloud=cloud, install=install, settings=settings, env=env,
                           backend=tmp_path / "state", digest=_digest(root))


def _digest(root: Path) -> str:
    """Of the files a repository would commit (.state is git-ignored run state)."""
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
                                   and not {"__pycache__", ".state"} & set(p.parts))).hexdigest()


def _run(project, operation: Operation, guard: EngineGuard, printer_lines: list[str]):
    files = RunFiles.create(project.root, project.settings.state_dir.parent / "runs", new_run_id())
    cloud = FolderCloud(project.cloud)
    log = (project.root.parent / f"{files.run_dir.name}.log").open("w")
    printer = Progress("dev", operation.value, log, quiet=True)
    printer.note = printer_lines.append
    try:
        return StackRun(operation, "dev", project.install, project.settings, project.env, printer,
                        Path(log.name), files, guard, cloud).execute()
    finally:
        files.remove()
        log.close()


def _kill_engine_when(condition, signum=signal.SIGKILL, to_us: bool = False, delay: float = 0.0) -> threading.Thread:
    """Once ``condition()`` holds (and ``delay`` later), send ``signum`` to the engine (or to us)."""
    def watch():
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not condition():
            time.sleep(0.05)
        time.sleep(delay)
        if to_us:
            os.kill(os.getpid(), signum)
            return
        for process in psutil.Process().children(recursive=True):
            if process.name() == "pulumi" and "up" in process.cmdline():
                process.send_signal(signum)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def _creating(project) -> bool:
    return (project.cloud / "thing-a").exists() and not (project.cloud / "thing-b").exists()


def test_a_killed_engine_is_finished_by_the_next_run_without_doubles(project):
    notes: list[str] = []
    # Killed while thing-b is being created (it sleeps 8 s): a lock and a pending create stay.
    killer = _kill_engine_when(lambda: _creating(project), delay=2)
    with EngineGuard(grace=5) as guard, pytest.raises(EngineError):
        _run(project, Operation.UP, guard, notes)
    killer.join()
    assert stack_locks(project.backend, "mech", "dev"), "a SIGKILLed engine leaves its lock"
    assert not (project.cloud / "thing-b").exists()
    started = time.monotonic()
    with EngineGuard(grace=5) as guard:
        result = _run(project, Operation.UP, guard, notes)
    recovery = time.monotonic() - started
    assert any("released the lock" in n for n in notes), notes
    assert any("thing-b" in n and "cleared" in n for n in notes), notes
    assert result.changes["create"] == 2  # thing-b and thing-c, once each
    assert all((project.cloud / n).read_text() == "created\n" for n in ("thing-a", "thing-b", "thing-c"))
    assert _digest(project.root) == project.digest, "a committed file changed"
    assert not (project.root / "stacks" / "Pulumi.dev.yaml").read_text().count("encryptionsalt")
    print(f"\nrecovery + rest of the up after a kill mid-create: {recovery:.1f} s")


def test_a_create_that_finished_before_the_kill_is_imported_not_repeated(project):
    notes: list[str] = []
    # thing-b's object exists for 4 s before its create returns: killed then, the create is pending.
    killer = _kill_engine_when(lambda: (project.cloud / "thing-b").exists())
    with EngineGuard(grace=5) as guard, pytest.raises(EngineError):
        _run(project, Operation.UP, guard, notes)
    killer.join()
    with EngineGuard(grace=5) as guard:
        result = _run(project, Operation.UP, guard, notes)
    assert any("thing-b" in n and "imported" in n for n in notes), notes
    assert result.changes["create"] == 1  # only thing-c
    assert (project.cloud / "thing-b").read_text() == "created\n", "thing-b was created twice"
    assert _digest(project.root) == project.digest


def test_sigterm_stops_the_engine_cleanly_and_leaves_no_process(project):
    notes: list[str] = []
    killer = _kill_engine_when(lambda: _creating(project), signum=signal.SIGTERM, to_us=True, delay=1)
    with EngineGuard(grace=5) as guard, pytest.raises(EngineInterrupted) as caught:
        _run(project, Operation.UP, guard, notes)
    killer.join()
    assert caught.value.exit_code == 143
    assert not stack_locks(project.backend, "mech", "dev"), "a cleanly stopped engine releases its lock"
    left = [p for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
    assert left == [], [p.cmdline() for p in left]
    with EngineGuard(grace=5) as guard:
        _run(project, Operation.UP, guard, notes)
        _run(project, Operation.DESTROY, guard, notes)
    assert sorted(p.name for p in project.cloud.iterdir()) == []
    assert _digest(project.root) == project.digest


# The stand-in cloud refuses thing-r: the engine fails by itself (no signal) after thing-a exists.
REFUSED = PROVIDER + textwrap.dedent('''
    first = Thing("thing-a", 0.1)
    Thing("thing-r", 0.1, refuse=True, opts=pulumi.ResourceOptions(depends_on=[first]))
''')


def test_a_first_up_that_fails_by_itself_owes_nothing_and_can_be_destroyed(project):
    """Without checkpoints, an engine that fails on its own (the cloud refuses a create) still saves
    its final state: its journal entry goes, so the next destroy is not refused for a take-over
    that has nothing to take (a killed run's entry stays: test_interrupted_runs)."""
    (project.root / "__main__.py").write_text(REFUSED)
    project.settings = replace(project.settings, skip_checkpoints=True)
    entry = journal_path(project.settings.journal_dir, project.env["PULUMI_BACKEND_URL"], "mech", "dev")
    notes: list[str] = []
    with EngineGuard(grace=5) as guard, pytest.raises(EngineError, match="quota exceeded"):
        _run(project, Operation.UP, guard, notes)
    assert read_journal(entry) is None, "the failed run's entry stayed"
    assert any("saved its final state" in n for n in notes), notes
    assert sorted(p.name for p in project.cloud.iterdir()) == ["thing-a"]
    with EngineGuard(grace=5) as guard:
        result = _run(project, Operation.DESTROY, guard, notes)
    assert result.changes.get("delete") == 2 and list(project.cloud.iterdir()) == []  # thing-a and the stack


TAGGED = textwrap.dedent('''
    import json, os
    import pulumi
    from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

    CLOUD = os.environ["STANDIN_CLOUD"]

    def _write(name, tags):
        with open(os.path.join(CLOUD, name), "w") as f:
            json.dump({"tags": tags}, f)

    class Tagged(ResourceProvider):
        def create(self, inputs):
            _write(inputs["name"], inputs["tags"])
            return CreateResult(inputs["name"], dict(inputs))

        def read(self, id_, props):
            path = os.path.join(CLOUD, id_)
            if not os.path.exists(path):
                return ReadResult(None, {})
            with open(path) as f:
                return ReadResult(id_, {**props, **json.load(f)})

        def diff(self, id_, olds, news):
            return DiffResult(changes=olds.get("tags") != news.get("tags"))

        def update(self, id_, olds, news):
            if olds.get("tags") != news.get("tags"):  # like a real provider: it sets what changed
                _write(id_, news["tags"])
            return UpdateResult(dict(news))

        def delete(self, id_, props):
            os.remove(os.path.join(CLOUD, id_))

    class Thing(Resource):
        def __init__(self, name, tags):
            super().__init__(Tagged(), name, {"name": name, "tags": tags})

    Thing("thing-t", ["dept:d1", "govcloud:managed"])
''')


def _edit_state(project, tmp_path: Path, edit) -> None:
    """Export, edit and import the stack's state from a scratch project (nothing committed is written)."""
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    (scratch / "Pulumi.yaml").write_text("name: mech\nruntime: python\n")
    cli = str(project.install.cli)
    exported = subprocess.run([cli, "stack", "export", "--stack", "dev"], cwd=scratch, env=project.env,
                              check=True, capture_output=True, text=True).stdout
    state = json.loads(exported)
    edit(state["deployment"])
    (scratch / "state.json").write_text(json.dumps(state))
    subprocess.run([cli, "stack", "import", "--stack", "dev", "--file", "state.json"], cwd=scratch,
                   env=project.env, check=True, capture_output=True, text=True)


def test_a_create_that_failed_part_way_is_finished_by_the_next_up(project, tmp_path):
    """The engine's record of a create that failed after the object was made (``initErrors``)
    holds what was asked, e.g. tags the service never set. The next up reads the object first,
    so its update sets them; without the read it compares the asked with the asked and sets nothing."""
    (project.root / "__main__.py").write_text(TAGGED)
    committed = _digest(project.root)
    notes: list[str] = []
    with EngineGuard(grace=5) as guard:
        _run(project, Operation.UP, guard, notes)
    made = project.cloud / "thing-t"
    wanted = json.loads(made.read_text())["tags"]
    made.write_text(json.dumps({"tags": []}))  # the object was made; setting its tags failed

    def partly_created(deployment):
        [thing] = [r for r in deployment["resources"] if r["urn"].endswith("::thing-t")]
        thing["initErrors"] = ["setting tags: EOF"]
    _edit_state(project, tmp_path, partly_created)

    with EngineGuard(grace=5) as guard:
        result = _run(project, Operation.UP, guard, notes)
    assert any("thing-t" in n and "part-way" in n for n in notes), notes
    assert result.changes.get("create", 0) == 0, "the object was made again"
    assert json.loads(made.read_text())["tags"] == wanted, "the tags the failed create did not set are still unset"
    assert _digest(project.root) == committed
