"""The harness the migration tests on the real lab share: a throw-away project holding the lab's
waves, `govcloud` run on it as the shell would, its run state, and the stacks its runs put up.

The project is the lab inventory, wave files, Pulumi project and stack settings copied into a
temporary folder, with its own empty state backend; the workload's data lives under the lab
instance's folder (the postgres user must be able to walk down to it, which tmp_path does not allow).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Self

from govcloud.engine.progress import parse_log_name
from govcloud.engine.automation import Operation, ordered, run
from govcloud.engine.settings import EngineSettings
from govcloud.errors import EngineError
from govcloud.lab.workload.drill import Ack
from govcloud.lab.workload.driver import layout_for
from govcloud.lab.workload.layout import Layout
from govcloud.migration.schema import WaveEntry
from govcloud.migration.store import LoadedWave, read_plan
from govcloud.model import load_environment
from govcloud.paths import current_instance
from govcloud.stackgraph import stack_names
from support.projects import copy_lab_project

ROOT = Path(__file__).resolve().parents[2]
GOVCLOUD = Path(sys.executable).parent / "govcloud"  # the entry point the user runs
#: A run that provisions waits for the engine's `up` of whole node stacks (minutes on the lab).
RUN_TIMEOUT_S = 3600


class WaveProject:
    """One throw-away project with the lab's waves, and the workload root its runs use."""

    def __init__(self, project: Path, root: Path, clouds_yaml: Path) -> None:
        self.project = project
        self.root = root
        self.clouds_yaml = clouds_yaml
        self.environment = load_environment("lab", project)
        self.plans = project / "migrations" / "lab"
        # The settings `migrate run` gives its provisioner in this project, with the lab's clouds.yaml.
        self.engine = EngineSettings(project, clouds_yaml=clouds_yaml)
        self.acks: dict[str, list[Ack]] = {}  # by system: the writes acknowledged so far, checked later

    @classmethod
    def prepare(cls, project: Path, name: str, clouds_yaml: Path) -> Self:
        """Install the workload's packages, copy the lab project and its waves into ``project``; the
        workload root is ``workload-<name>-<pid>`` in the lab instance's folder."""
        assert os.geteuid() == 0, "the workload creates network namespaces: run as root"
        done = subprocess.run([str(ROOT / "scripts" / "workload-install.sh")], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        copy_lab_project(project)
        shutil.copytree(ROOT / "migrations" / "lab", project / "migrations" / "lab",
                        ignore=shutil.ignore_patterns("runbooks"))
        return cls(project, current_instance().root / f"workload-{name}-{os.getpid()}", clouds_yaml)

    def wave(self, number: int) -> LoadedWave:
        return next(lw for lw in read_plan(self.plans) if lw.wave.wave == number)

    def entries(self, number: int) -> list[WaveEntry]:
        """The systems of wave ``number`` that land on the cloud, in cutover order."""
        return [e for e in self.wave(number).wave.systems if e.strategy.lands_on_cloud]

    def layout_of(self, entry: WaveEntry) -> Layout:
        """Where the lab workload runs ``entry`` (the places `migrate run` uses in this project)."""
        return layout_for(self.environment.province, entry, self.root)

    def govcloud(self, *args: str, kill_after: str | None = None) -> subprocess.CompletedProcess:
        """`govcloud *args` in the project; ``kill_after`` (``system:step``) makes a `migrate run`
        kill itself (SIGKILL) right after that step is recorded."""
        env = {**os.environ, "COLUMNS": "200", "OS_CLIENT_CONFIG_FILE": str(self.clouds_yaml)}
        env.pop("GOVCLOUD_MIGRATE_KILL_AFTER", None)
        if kill_after:
            env["GOVCLOUD_MIGRATE_KILL_AFTER"] = kill_after
        return subprocess.run([str(GOVCLOUD), *args], cwd=self.project, env=env, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT_S)

    def migrate(self, verb: str, wave: int, kill_after: str | None = None) -> subprocess.CompletedProcess:
        """`migrate run|rollback --wave N` of the lab on this project's workload root, as JSON."""
        return self.govcloud("migrate", verb, "--env", "lab", "--wave", str(wave), "--workload-root", str(self.root),
                             "--format", "json", kill_after=kill_after)

    def status(self) -> dict:
        done = self.govcloud("migrate", "status", "--env", "lab", "--format", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def run_state(self) -> dict:
        return json.loads((self.project / ".state" / "lab" / "migration-run.json").read_text())

    def steps(self, number: int, code: str) -> list[dict]:
        """The steps recorded for system ``code`` in wave ``number``, oldest first."""
        return self.run_state()["waves"][str(number)]["systems"][code]["steps"]

    def step(self, number: int, code: str, name: str) -> dict:
        return next(s for s in self.steps(number, code) if s["step"] == name)

    def engine_ups(self) -> list[str]:
        """The stack of every engine `up` run in the project, oldest first (one log per stack and
        run, named by :func:`govcloud.engine.progress.log_path`)."""
        return [parse_log_name(log.name)[1] for log in sorted(self.engine.logs.glob("*-up.log"))]

    def destroy_stacks(self) -> None:
        """Destroy every stack an `up` ran on (cities first), each even when another one fails."""
        failures = []
        for stack in ordered(Operation.DESTROY, set(self.engine_ups()),
                             stack_names(self.environment.province, self.environment.name)):
            try:
                run(Operation.DESTROY, self.environment, [stack], self.engine, quiet=True)
            except EngineError as exc:
                failures.append(str(exc))
        assert not failures, "\n".join(failures)


def epoch(text: str) -> float:
    """Seconds since the epoch of an ISO timestamp recorded in the run state."""
    return dt.datetime.fromisoformat(text).timestamp()
