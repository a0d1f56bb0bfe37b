"""State a team shares: two operators, two working copies, one state backend they both use:
a folder (``file://``), or the lab's object store (Swift's S3 API, each operator with their own
access key) with the leases in a folder both share (the store has no create-if-absent).

Each round starts `govcloud up` of lab-province from both working copies at the same moment:
exactly one runs, the other fails at once (exit 1) naming who holds the stack's lease and since
when; after every round the state exports and verifies (digest, structure, references). The
stack is destroyed at the end. How long the loser took to be told is printed (a figure, not an
assertion); the race at the very same instant is the unit test's (a barrier, many rounds).
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from govcloud.lab import objectstore
from support.projects import copy_lab_project

pytestmark = pytest.mark.integration
STACK = "lab-province"
ROUNDS = 2
OPERATORS = ("alice", "bob")


def govcloud(project: Path, *args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "govcloud"), *args]


@pytest.fixture(scope="module", params=["folder", "swift-s3"])
def operators(request, engine, clouds_yaml, tmp_path_factory):
    base = tmp_path_factory.mktemp(request.param)
    shared = base / "shared"  # what both operators reach: the state folder, or the leases' folder
    shared.mkdir()
    envs = {name: dict(os.environ) for name in OPERATORS}
    if request.param == "folder":
        common = ["--backend", shared.as_uri()]
    else:
        store = objectstore.ObjectStorePaths.of()
        print(f"object store up in {objectstore.up(store, OPERATORS)} s")  # LabError when it cannot start
        common = ["--backend", objectstore.backend_url(store, bucket=f"govcloud-{base.name}"[:60].lower()),
                  "--lock-url", shared.as_uri()]
        objectstore.create_bucket(store, OPERATORS[0], f"govcloud-{base.name}"[:60].lower())
        for name in OPERATORS:
            envs[name].update(objectstore.operator_env(store, name))
    copies = {name: copy_lab_project(base / name) for name in OPERATORS}
    common += ["--clouds-yaml", str(clouds_yaml)]
    try:
        yield copies, envs, common
        first = OPERATORS[0]
        done = subprocess.run(govcloud(copies[first], "destroy", "--env", "lab", "--stack", STACK, *common),
                              cwd=copies[first], env=envs[first], capture_output=True, text=True, timeout=3600)
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        if request.param != "folder":
            objectstore.down(objectstore.ObjectStorePaths.of())  # the test started it: it stops it


def contended_up(copies: dict[str, Path], envs: dict[str, dict], common: list[str]
                 ) -> list[tuple[Path, subprocess.CompletedProcess, float]]:
    """Start `up` from every working copy at once; each run's result and how long it took."""
    command = ["up", "--env", "lab", "--stack", STACK, "--format", "json", *common]
    started = time.monotonic()
    running = {copy: subprocess.Popen(govcloud(copy, *command), cwd=copy, env=envs[name], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for name, copy in copies.items()}
    threads = {copy: ThreadPoolExecutor(1).submit(_finish, process, started) for copy, process in running.items()}
    return [(copy, *threads[copy].result(timeout=3600)) for copy in copies.values()]


def _finish(process: subprocess.Popen, started: float) -> tuple[subprocess.CompletedProcess, float]:
    out, err = process.communicate(timeout=3600)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), time.monotonic() - started


def test_of_two_ups_at_the_same_moment_exactly_one_runs_and_the_other_is_told_who_and_since_when(operators,
                                                                                                   tmp_path):
    copies, envs, common = operators
    for round_ in range(1, ROUNDS + 1):
        results = contended_up(copies, envs, common)
        winners = [(copy, done) for copy, done, _ in results if done.returncode == 0]
        losers = [(copy, done, seconds) for copy, done, seconds in results if done.returncode != 0]
        assert len(winners) == 1 and len(losers) == 1, [(d.returncode, d.stderr[-1500:]) for _, d, _ in results]
        (winner, won), (loser, lost, lost_after) = winners[0], losers[0]
        assert lost.returncode == 1, lost.stderr[-2000:]
        told = " ".join(lost.stderr.split())  # the console wraps long lines
        assert f"stack {STACK} is locked by {getpass.getuser()}@{socket.gethostname()} (pid " in told, told
        assert f"govcloud up, working copy {winner}) since " in told and "lease until" in told, told
        changes = json.loads(won.stdout)["stacks"][0]["changes"]
        won_after = next(seconds for copy, _, seconds in results if copy == winner)
        print(f"round {round_}: {winner.name} ran ({won_after:.1f} s, changes {changes}); {loser.name} was "
              f"refused after {lost_after:.1f} s (its whole process: start, model, lease)")

        backup = tmp_path / f"round-{round_}.json"
        exported = subprocess.run(govcloud(winner, "state", "export", "--env", "lab", "--stack", STACK,
                                           "--output", str(backup), *common[:2]),
                                  cwd=winner, env=envs[winner.name], capture_output=True, text=True, timeout=600)
        assert exported.returncode == 0, exported.stderr[-2000:]
        verified = subprocess.run(govcloud(winner, "state", "verify", str(backup), "--json"),
                                  cwd=winner, capture_output=True, text=True, timeout=600)
        assert verified.returncode == 0, verified.stderr[-2000:]
        summary = json.loads(verified.stdout)
        assert summary["stack"] == STACK and summary["resources"] > 50 and summary["pending_operations"] == 0
