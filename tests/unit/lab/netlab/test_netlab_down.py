"""`netlab down` returns only when the lab is really gone, so an `up` right after it starts clean.

The kernel here is a fake that behaves like the real one where it matters: `ip netns del` removes
the name at once, but the root end of a deleted namespace's veth stays until the kernel's
asynchronous cleanup has run (a few listings later), or for good while something holds the
namespace; deleting a veth end removes it at once. Every command goes to the fake, none to the
machine: an unknown one fails the test."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from govcloud.errors import LabError
from govcloud.lab.netlab import mgmt_links, runtime
from govcloud.paths import LabInstance

INSTANCE = LabInstance("unit", 99)  # names g99-…, g99mgmt0, g99m<N>: nobody's on a real machine
NODES = ["core", "city-a", "host-a"]


class FakeKernel:
    def __init__(self, cleanup_after: int | None) -> None:
        self.namespaces = {f"g99-{n}" for n in NODES}
        self.links = {"g99mgmt0", *(f"g99m{i}" for i in range(len(NODES))), "g98m0", "eth0"}
        self.dying: dict[str, int] = {}  # root veth end → listings left before the kernel removes it
        self.cleanup_after = cleanup_after  # None: something holds the namespaces, never cleaned up
        self.pids: dict[str, list[list[int]]] = {}  # namespace → pid lists answered in turn
        self.commands: list[list[str]] = []

    def run(self, argv, input=None, capture_output=False, text=False, **_):
        self.commands.append(list(argv))
        out = self._answer(list(argv), input or "")
        return subprocess.CompletedProcess(argv, 0, stdout=out, stderr="")

    def _answer(self, argv: list[str], stdin: str) -> str:
        if argv == ["ip", "netns", "list"]:
            return "".join(f"{ns} (id: 0)\n" for ns in sorted(self.namespaces))
        if argv[:3] == ["ip", "netns", "pids"]:
            answers = self.pids.get(argv[3], [])
            return " ".join(map(str, answers.pop(0) if len(answers) > 1 else (answers[0] if answers else [])))
        if argv == ["ip", "-batch", "-"]:
            for line in stdin.splitlines():
                assert line.startswith("netns del "), line
                ns = line.split()[-1]
                self.namespaces.discard(ns)
                index = NODES.index(ns.removeprefix("g99-"))
                self.dying[f"g99m{index}"] = 10**9 if self.cleanup_after is None else self.cleanup_after
            return ""
        if argv[:3] == ["ip", "link", "del"]:
            self.links.discard(argv[3])
            self.dying.pop(argv[3], None)
            return ""
        if argv == ["ip", "-j", "link", "show"]:
            for name in list(self.dying):  # the kernel's cleanup moves on between two looks
                self.dying[name] -= 1
                if self.dying[name] < 0:
                    self.links.discard(name)
                    del self.dying[name]
            return json.dumps([{"ifname": name} for name in sorted(self.links)])
        raise AssertionError(f"the fake kernel does not know {argv}")


@pytest.fixture
def kernel(monkeypatch, tmp_path):
    def build(cleanup_after: int | None) -> FakeKernel:
        fake = FakeKernel(cleanup_after)
        monkeypatch.setattr(subprocess, "run", fake.run)
        for module in (runtime, mgmt_links):
            monkeypatch.setattr(module, "current_instance", lambda: INSTANCE, raising=False)
        monkeypatch.setattr(mgmt_links.time, "sleep", lambda _s: None)
        return fake
    return build


def paths(tmp_path) -> runtime.NetlabPaths:
    root = tmp_path / "netlab"
    (root / "nodes").mkdir(parents=True)
    (root / "lab.json").write_text(json.dumps({"env": "lab", "nodes": []}))
    return runtime.NetlabPaths(root)


def root_veths(fake: FakeKernel) -> set[str]:
    return {name for name in fake.links if name.startswith("g99")}


def test_down_returns_only_when_the_management_veths_of_deleted_namespaces_are_gone(kernel, tmp_path):
    fake = kernel(cleanup_after=3)  # the kernel's own cleanup would take three more looks
    done = runtime.down(paths(tmp_path))
    assert done["namespaces"] == len(NODES)
    assert fake.namespaces == set() and root_veths(fake) == set()  # an `up` now finds nothing in its way
    assert {"g98m0", "eth0"} <= fake.links  # another instance's veth and the machine's own are untouched


def test_down_removes_the_veths_of_a_namespace_something_else_keeps_alive(kernel, tmp_path):
    fake = kernel(cleanup_after=None)
    runtime.down(paths(tmp_path))
    assert root_veths(fake) == set()
    assert ["ip", "link", "del", "g99m0"] in fake.commands


def test_down_stops_a_process_started_while_the_others_were_stopped(kernel, tmp_path):
    fake = kernel(cleanup_after=0)
    first, restarted = (subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) for _ in range(2))
    try:
        # watchfrr restarts a daemon it saw die: the second look finds a process the first did not
        fake.pids["g99-core"] = [[first.pid], [restarted.pid], []]
        runtime.down(paths(tmp_path))
        assert first.wait(timeout=5) < 0 and restarted.wait(timeout=5) < 0
    finally:
        for child in (first, restarted):
            child.kill()
            child.wait()


def test_up_clears_leftover_management_interfaces_before_it_builds(kernel, tmp_path, monkeypatch):
    fake = kernel(cleanup_after=0)
    fake.namespaces.clear()  # a down that stopped half-way: no namespace, no lab file, veths left
    cleared = []

    def down(lab_paths):
        cleared.append(root_veths(fake))
        raise SystemExit("stop before building")
    monkeypatch.setattr(runtime, "down", down)
    topology = SimpleNamespace(env="lab", nodes=[])
    with pytest.raises(SystemExit):
        runtime.up(topology, runtime.NetlabPaths(tmp_path / "netlab"))
    assert cleared == [{"g99mgmt0", "g99m0", "g99m1", "g99m2"}]


def test_a_veth_that_will_not_go_is_a_lab_error_naming_it(kernel, monkeypatch):
    fake = kernel(cleanup_after=None)
    monkeypatch.setattr(fake, "_answer", lambda argv, stdin: (
        json.dumps([{"ifname": "g99m1"}]) if argv == ["ip", "-j", "link", "show"] else ""))
    with pytest.raises(LabError) as error:
        mgmt_links.remove_mgmt_links(timeout_s=0)
    assert "g99m1" in str(error.value) and "ip link del" in error.value.fix
