"""Issue 18 on the lab: runs that die half-way leave no mess.

One throw-away copy of the project and one file backend serve the whole module (the lab province
stack is the slowest part of CI, so it is brought up once, interrupted on the way, used by the
tests that need it deployed, and destroyed once, interrupted on the way). The tests run in file
order; each one that needs the stack deployed first runs a plain `up` (a no-op when it is). Kill points are chosen by resource events (the n-th resource line
govcloud prints), not by seconds, so they land at the same moments on a slow or a fast machine:

* ``engine``: the Pulumi CLI govcloud started gets SIGKILL (the engine dies, govcloud lives);
* ``sigterm``: govcloud gets SIGTERM (what a CI timeout sends);
* ``start``: govcloud gets SIGTERM as soon as its engine process exists, before any resource;
* ``neutron``: the lab's neutron-server is stopped (SIGTERM, then SIGKILL) mid-``up``: the run must
  fail naming Neutron; Neutron is started again before the next run, which finishes the job.

After every kill: no process the run started is left, committed files are unchanged, govcloud
exited with one clear message (no traceback, no KeyboardInterrupt). Every next run picks up
where the last stopped. At the end of `up`: every object of the state exists once in OpenStack
and nothing else of the stack's names does (0 orphans, 0 duplicates, counted by name and tags).
At the end of `destroy`: nothing of the stack is left, the projects' `default` security groups
included. The time each re-run took to recover (from its start to its last recovery line) is
printed per kill point.

``GOVCLOUD_TEST_CHECKPOINTS=skip`` runs every `up` and `destroy` with ``--skip-checkpoints``
(``keep``: ``--keep-checkpoints``; unset: govcloud's default, where only the stack's first `up`
skips them). Without checkpoints a killed engine saves nothing: the next run finds the killed
run's journal and takes over what it created (or refreshes after a killed destroy), and the same
checks hold.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from openstack.exceptions import SDKException

from govcloud.engine.cloudfind import FINDERS, CloudFinder
from govcloud.engine.locks import stack_locks
from govcloud.engine.progress import parse_log_name
from govcloud.ipam import plan_environment
from govcloud.lab.openstack import ADMIN_CLOUD, lab_up
from govcloud.lab.openstack.api import stop_service
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stack
from govcloud.stackgraph.options import read_stack_options
from govcloud.stackgraph import tokens as t
from support.projects import copy_lab_project

# About 33 min at load 12 on 2 cores (7 passed from a fresh instance), about half that on a quiet machine.
pytestmark = [pytest.mark.integration, pytest.mark.slow]

STACK = "lab-province"
RESOURCE_LINE = re.compile(rf"^\[{STACK}\]\s+(\+-|\+|-|~)\s+(create|delete|update|replace)\s")
RECOVERY_LINE = re.compile(rf"^\[{STACK}\]\s+\*\s")
# (mode, how many resource events of that run to let pass first): 10 kills over up and destroy. The
# counts add up to well under the stack's ~85 creates and deletes, so each kill point is reached
# with work left for the next (a SIGTERM lets the operations in flight finish: a few more events).
UP_KILLS = (("start", 0), ("engine", 2), ("sigterm", 4), ("neutron", 4), ("engine", 7), ("sigterm", 10))
DESTROY_KILLS = (("engine", 2), ("sigterm", 5), ("engine", 9), ("sigterm", 13))
# An update of a deployed stack, killed too: renamed departments and a renamed system change the
# descriptions of their projects, routers and volumes in place (7 updates).
RENAMES = {"省人民政府办公厅": "省人民政府办公厅（新）", "省卫生健康委员会": "省卫生健康委员会（新）",
           "统一身份认证平台": "统一身份认证平台（新）"}
UPDATE_KILL = ("engine", 2)
CHECKPOINTS = os.environ.get("GOVCLOUD_TEST_CHECKPOINTS", "")
CHECKPOINT_FLAGS = {"skip": ("--skip-checkpoints",), "keep": ("--keep-checkpoints",)}.get(CHECKPOINTS, ())


@dataclass
class Outcome:
    code: int
    stderr: str
    seconds: float
    killed: bool
    recovery_seconds: float | None
    events: int
    descendants: set[tuple[int, float]] = field(default_factory=set)


class Project:
    """The copied project, its backend and clouds.yaml, and a fingerprint of its committed files."""

    def __init__(self, tmp_path: Path, clouds_yaml: Path) -> None:
        self.root = copy_lab_project(tmp_path / "project")
        self.backend_dir = tmp_path / "state"
        self.backend_dir.mkdir()
        self.backend = self.backend_dir.as_uri()
        self.clouds_yaml = clouds_yaml
        self.fingerprint = self.committed_files()

    def committed_files(self) -> dict[str, str]:
        found = {}
        for path in [self.root / "Pulumi.yaml", *(self.root / "stacks").rglob("*"),
                     *(self.root / "inventories").rglob("*")]:
            if path.is_file() and "__pycache__" not in path.parts:
                found[str(path.relative_to(self.root))] = hashlib.sha256(path.read_bytes()).hexdigest()
        return found

    def command(self, operation: str, backend: str | None = None, *extra: str) -> list[str]:
        # --no-policy: the baseline pack is proven by the policy tests; here it would only add a
        # process start to each of the ~20 runs.
        return [str(Path(sys.executable).parent / "govcloud"), operation, "--env", "lab", "--stack", STACK,
                "--format", "json", "--backend", backend or self.backend, "--clouds-yaml", str(self.clouds_yaml),
                *(("--no-policy",) if operation == "up" else ()), *CHECKPOINT_FLAGS, *extra]

    def run(self, operation: str, kill: tuple[str, int] | None = None, backend: str | None = None,
            extra: tuple[str, ...] = ()) -> Outcome:
        started = time.monotonic()
        # `with`: the pipes are closed and the process waited for, whatever happens here.
        with subprocess.Popen(self.command(operation, backend, *extra), cwd=self.root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) as process:
            watcher = _Descendants(process.pid)
            watcher.start()
            lines: list[str] = []
            events, killed, recovered_at = 0, False, None
            stdout_chunks: list[str] = []
            reader = threading.Thread(target=lambda: stdout_chunks.append(process.stdout.read()), daemon=True)
            reader.start()
            if kill and kill[0] == "start":
                killed = _sigterm_when_engine_starts(process)
            for line in iter(process.stderr.readline, ""):
                lines.append(line)
                if RECOVERY_LINE.match(line):
                    recovered_at = time.monotonic() - started
                if RESOURCE_LINE.match(line):
                    events += 1
                    if kill and not killed and kill[0] != "start" and events >= kill[1]:
                        killed = _kill(process, kill[0])
            code = process.wait(timeout=3600)
            reader.join(timeout=60)
            watcher.stop()
        return Outcome(code, "".join(lines), time.monotonic() - started, killed, recovered_at, events,
                       watcher.seen)


class _Descendants(threading.Thread):
    """Every process the run started, seen by polling (pid and start time, against pid reuse)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root, self.seen, self._done = pid, set(), threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            try:
                for child in psutil.Process(self.root).children(recursive=True):
                    self.seen.add((child.pid, child.create_time()))
            except psutil.Error:
                pass
            time.sleep(0.1)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)


def _engine_of(process: subprocess.Popen) -> psutil.Process | None:
    try:
        return next((c for c in psutil.Process(process.pid).children(recursive=True) if c.name() == "pulumi"), None)
    except psutil.Error:
        return None


def _kill(process: subprocess.Popen, mode: str) -> bool:
    if mode == "neutron":  # in the background: the run's output must keep being read
        threading.Thread(target=stop_service, args=("neutron-server",), daemon=True).start()
        return True
    if mode == "sigterm":
        process.send_signal(signal.SIGTERM)
        return True
    engine = _engine_of(process)
    if engine is None:
        return False
    engine.kill()
    return True


def _sigterm_when_engine_starts(process: subprocess.Popen) -> bool:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        if _engine_of(process) is not None:
            process.send_signal(signal.SIGTERM)
            return True
        time.sleep(0.05)
    return False


def _alive(descendants: set[tuple[int, float]]) -> list[str]:
    left = []
    for pid, started in descendants:
        try:
            process = psutil.Process(pid)
            if process.create_time() == started and process.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{pid} {' '.join(process.cmdline())[:120]}")
        except psutil.Error:
            continue
    return left


def _after_kill(project: Project, outcome: Outcome, label: str) -> None:
    time.sleep(1)  # a process on its way out
    assert _alive(outcome.descendants) == [], f"{label}: processes left behind"
    assert project.committed_files() == project.fingerprint, f"{label}: committed files changed"
    assert "Traceback" not in outcome.stderr and "KeyboardInterrupt" not in outcome.stderr, outcome.stderr[-3000:]
    assert "pulumi cancel" not in outcome.stderr
    if outcome.killed:
        assert outcome.code != 0, f"{label}: a killed run reported success"
        assert "error:" in outcome.stderr, outcome.stderr[-3000:]


def _state(project: Project, backend_dir: Path | None = None) -> dict:
    """The stack's latest checkpoint in the file backend ({} before the first run)."""
    path = (backend_dir or project.backend_dir) / ".pulumi" / "stacks" / "govcloud" / f"{STACK}.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["checkpoint"]["latest"] or {}


def _check_state_against_cloud(finder: CloudFinder, state: dict) -> None:
    """0 duplicates, 0 orphans: every findable object of the state is found once, as itself."""
    assert not state.get("pending_operations"), state.get("pending_operations")
    wrong = []
    for resource in state.get("resources") or ():
        if resource.get("type") in FINDERS and resource.get("id"):
            found = finder.find(resource["type"], resource.get("inputs") or {})
            if found != [resource["id"]]:
                wrong.append(f"{resource['urn'].rsplit('::', 1)[-1]}: state {resource['id']}, cloud {found}")
    assert wrong == []


def _leftovers(finder: CloudFinder, graph, conn, projects: set[str]) -> list[str]:
    left = [f"{spec.name}: {ids}" for spec in graph.resources if spec.type in FINDERS
            and isinstance(spec.inputs.get("name"), str) and (ids := finder.find(spec.type, spec.inputs))]
    # Unfiltered: a list filtered by project makes Neutron create that project's `default` group.
    left += [f"security group {g.name} of project {g.project_id}" for g in conn.network.security_groups()
             if g.project_id in projects]
    return left


@dataclass
class Journey:
    """What the module's tests share: the project and its backend, the figures, the projects seen."""

    project: Project
    figures: list = field(default_factory=list)
    project_ids: set[str] = field(default_factory=set)
    converged: bool = False  # the last `up` finished and a second one changed nothing

    def run(self, phase: str, kill: tuple[str, int] | None = None, **kwargs) -> Outcome:
        outcome = self.project.run(phase, kill, **kwargs)
        self.figures.append((phase, kill[0] if kill else "-", kill[1] if kill else 0, outcome))
        self.project_ids |= {r["id"] for r in _state(self.project).get("resources") or () if r["type"] == t.PROJECT}
        return outcome

    def killed_runs(self, phase: str, plan) -> int:
        """Each kill point of ``plan`` in turn, checked after the kill; how many were reached."""
        kills = 0
        for mode, after in plan:
            outcome = self.run(phase, (mode, after))
            if mode == "neutron":
                assert lab_up().up, "Neutron did not come back"
            _after_kill(self.project, outcome, f"{phase} {mode}@{after}")
            kills += outcome.killed
            if mode == "sigterm" and outcome.killed:
                assert outcome.code == 128 + signal.SIGTERM and "stopped by SIGTERM" in outcome.stderr
            if mode == "neutron":
                assert outcome.code == 1 and "Neutron (network service)" in outcome.stderr, outcome.stderr[-3000:]
        return kills

    def deployed(self) -> None:
        """The stack fully deployed (a plain `up` unless an earlier test left it converged)."""
        if not self.converged:
            finished = self.run("up")
            assert finished.code == 0, finished.stderr[-4000:]
            self.converged = True


@pytest.fixture(scope="module")
def journey(tmp_path_factory, engine, clouds_yaml, connector):
    shared = Journey(Project(tmp_path_factory.mktemp("interrupted"), clouds_yaml))
    yield shared
    final = shared.run("destroy")
    _print_figures(shared.figures)
    assert final.code == 0, final.stderr[-4000:]


@pytest.fixture(scope="module")
def province_graph(journey):
    environment = load_environment("lab", journey.project.root)
    # The copy's own stack settings (its stacks make no BGP speakers: this lab runs no BGP agent).
    return plan_stack(environment.province, plan_environment(environment), "lab", STACK,
                      read_stack_options(journey.project.root, STACK))


def test_killed_ups_converge_with_nothing_orphaned_or_doubled(journey, connector):
    journey.converged = False
    kills = journey.killed_runs("up", UP_KILLS)
    finished = journey.run("up")
    assert finished.code == 0, finished.stderr[-4000:]
    _after_kill(journey.project, finished, "up to the end")
    _check_state_against_cloud(CloudFinder(connector(ADMIN_CLOUD)), _state(journey.project))
    again = journey.run("up")  # converged: a second run changes nothing
    assert again.code == 0 and again.events == 0, again.stderr[-3000:]
    journey.converged = True
    assert kills == len(UP_KILLS), f"only {kills} of the {len(UP_KILLS)} kill points of up were reached"
    if CHECKPOINTS == "skip":  # a killed engine saved nothing: a next run took over what it had created
        assert any("the killed run had created it" in outcome.stderr for *_, outcome in journey.figures)


def test_a_killed_update_converges_to_the_changed_model(journey, connector):
    journey.deployed()
    project = journey.project
    for name in ("departments.yaml", "systems.yaml"):  # the operator's edit of the model
        path = project.root / "inventories" / "lab" / name
        text = path.read_text(encoding="utf-8")
        for old, new in RENAMES.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    project.fingerprint = project.committed_files()
    journey.converged = False
    killed = journey.run("up", UPDATE_KILL)
    _after_kill(project, killed, "update engine@2")
    assert killed.killed, f"the update never reached {UPDATE_KILL[1]} resource events"
    finished = journey.run("up")
    assert finished.code == 0, finished.stderr[-4000:]
    _after_kill(project, finished, "update to the end")
    admin = connector(ADMIN_CLOUD)
    _check_state_against_cloud(CloudFinder(admin), _state(project))
    again = journey.run("up")
    assert again.code == 0 and again.events == 0, again.stderr[-3000:]
    journey.converged = True
    described = {p.description.split(" (")[0] for p in admin.identity.projects() if p.id in journey.project_ids}
    assert described == {"省人民政府办公厅（新）", "省卫生健康委员会（新）"}
    volumes = [v for v in admin.block_storage.volumes(all_projects=True) if v.name.startswith("unified-identity-")]
    assert len(volumes) == 2 and all(v.description.startswith("统一身份认证平台（新）:") for v in volumes)


def test_of_two_ups_at_once_the_loser_stops_at_once_naming_the_winner(journey):
    journey.deployed()
    project = journey.project
    up = {"cwd": project.root, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    with subprocess.Popen(project.command("up"), **up) as first:
        try:
            _wait_for_lock(project, first)
            with subprocess.Popen(project.command("up"), **up) as second:
                results = [(run.returncode, out, err) for run in (first, second)
                           for out, err in [run.communicate(timeout=3600)]]
        finally:
            if first.poll() is None:  # the test failed before the race was run: stop the first cleanly
                first.send_signal(signal.SIGTERM)
                first.communicate(timeout=3600)
    assert [code for code, _, _ in results] == [0, 1], [err[-2000:] for _, _, err in results]
    loser = results[1][2]
    # Told by the stack's lease (taken before the engine starts): who holds it and since when.
    assert "is locked by" in loser and "govcloud up" in loser and "since" in loser and "pulumi cancel" not in loser
    winner = json.loads(results[0][1])
    logs = [path for path in (project.root / ".state" / "logs").glob("*.log")
            if parse_log_name(path.name)[1:] == (STACK, "up")]
    run_ids = {parse_log_name(path.name)[0] for path in logs}
    assert len(run_ids) == len(logs) and winner["stacks"][0]["log"] in map(str, logs)
    assert project.committed_files() == project.fingerprint


def _wait_for_lock(project: Project, run: subprocess.Popen) -> None:
    """Until ``run``'s engine holds the stack's lock (the race this test is about starts there)."""
    deadline = time.monotonic() + 1800  # minutes on a machine at load 40, seconds on a quiet one
    while not stack_locks(project.backend_dir, "govcloud", STACK):
        assert run.poll() is None and time.monotonic() < deadline, "the first up never took the lock"
        time.sleep(0.05)


def test_an_empty_backend_over_existing_objects_refuses_naming_them(journey, tmp_path):
    journey.deployed()
    other = tmp_path / "typo"
    other.mkdir()
    refused = journey.project.run("up", backend=other.as_uri())
    assert refused.code == 1, refused.stderr[-3000:]
    assert "already exist in OpenStack" in refused.stderr and "--backend" in refused.stderr
    assert refused.events == 0  # nothing was created


def test_up_adopt_takes_the_existing_objects_into_an_empty_state_unchanged(journey, tmp_path, connector):
    journey.deployed()
    lost = tmp_path / "lost-state"
    lost.mkdir()
    adopted = journey.project.run("up", backend=lost.as_uri(), extra=("--adopt",))
    journey.figures.append(("adopt", "-", 0, adopted))
    assert adopted.code == 0, adopted.stderr[-4000:]
    assert "existing objects found by name and tags" in adopted.stderr
    ours = {r["urn"]: r["id"] for r in _state(journey.project).get("resources") or () if r["type"] in FINDERS}
    theirs = {r["urn"]: r.get("id") for r in _state(journey.project, lost).get("resources") or ()
              if r["type"] in FINDERS}
    assert theirs == ours  # every object imported as itself: nothing created anew, nothing left out
    _check_state_against_cloud(CloudFinder(connector(ADMIN_CLOUD)), _state(journey.project))


def test_a_tenant_cannot_put_a_pool_into_an_extranet_scope(journey, connector):
    from govcloud.lab.openstack.clouds import TENANT_CLOUD

    journey.deployed()
    province = load_environment("lab", journey.project.root).province.province.code
    scope = connector(ADMIN_CLOUD).network.find_address_scope(f"{province}-extranet-v4")
    assert scope is not None and not scope.is_shared
    tenant = connector(TENANT_CLOUD)
    # The lab's own incident: a /24 inside a department's block, in the extranet's scope.
    with pytest.raises(SDKException) as refused:
        tenant.network.create_subnet_pool(name="intruder", prefixes=["198.19.8.0/24"], address_scope_id=scope.id,
                                          min_prefixlen=24)
    assert getattr(refused.value, "status_code", None) in (403, 404), refused.value
    assert not list(tenant.network.subnet_pools(name="intruder"))


def test_killed_destroys_leave_nothing_behind(journey, connector, province_graph):
    journey.deployed()
    journey.converged = False
    kills = journey.killed_runs("destroy", DESTROY_KILLS)
    finished = journey.run("destroy")
    assert finished.code == 0, finished.stderr[-4000:]
    _after_kill(journey.project, finished, "destroy to the end")
    conn = connector(ADMIN_CLOUD)
    assert _leftovers(CloudFinder(conn), province_graph, conn, journey.project_ids) == []
    assert kills == len(DESTROY_KILLS), f"only {kills} of the {len(DESTROY_KILLS)} kill points of destroy were reached"


def _print_figures(figures) -> None:
    print("\nrun (kill point)           exit  events  run s  recovery s (of the run after it)")
    for index, (phase, mode, after, outcome) in enumerate(figures):
        following = figures[index + 1][3] if index + 1 < len(figures) else None
        recovery = following.recovery_seconds if following else None
        print(f"{phase:>7} {mode:>7} @{after:<4}       {outcome.code:>4}  {outcome.events:>6}  "
              f"{outcome.seconds:5.1f}  {'-' if recovery is None else f'{recovery:.1f}'}")
