"""Namespaces and processes of the workload: create, start, kill, tear down; nothing else.

Each place is a network namespace with one veth to the switch namespace. Processes are started
with ``ip netns exec <ns> [setpriv …] <argv>`` in a session of their own (so they outlive a killed
``govcloud`` process, as a real node's services would) and their PIDs are recorded in
``workload.json``; only those PIDs, and the processes inside the workload's own namespaces, are
ever signalled. Like the network lab, the root namespace gets no address and no route.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from ...errors import LabError
from ..processes import alive, namespace_pids, signal_all, terminate, wait_gone
from .layout import SUBNET, Layout, Place, default_root, ns_prefix

INSTALL_FIX = "run scripts/workload-install.sh as root, then try again"


def run(argv: list[str], *, input: str | None = None, check: bool = True, timeout: float = 120,
        fix: str = INSTALL_FIX) -> subprocess.CompletedProcess:
    try:
        # From "/": commands run as the postgres user cannot enter the caller's (private) directory.
        result = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout, cwd="/")
    except subprocess.TimeoutExpired:
        raise LabError(f"{' '.join(argv[:8])} did not finish in {timeout:.0f} s", fix=fix) from None
    except FileNotFoundError as exc:
        raise LabError(f"{argv[0]} is not installed: {exc}", fix=INSTALL_FIX) from None
    if check and result.returncode != 0:
        raise LabError(f"{' '.join(argv[:8])} failed: {(result.stderr or result.stdout).strip()[-600:]}", fix=fix)
    return result


def as_postgres() -> list[str]:
    """A prefix that runs the rest of the command as the postgres user (exec, no extra process)."""
    return ["setpriv", "--reuid", "postgres", "--regid", "postgres", "--init-groups", "--"]


def in_namespace(place: Place, argv: list[str], user: str | None = None) -> list[str]:
    return ["ip", "netns", "exec", place.namespace, *(as_postgres() if user == "postgres" else []), *argv]


def namespaces() -> list[str]:
    out = run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(ns_prefix())]


def ensure_switch(layout: Layout) -> None:
    if layout.switch_namespace in namespaces():
        return
    ns = layout.switch_namespace
    run(["ip", "netns", "add", ns])
    run(["ip", "-n", ns, "-batch", "-"], input="link set lo up\nlink add br0 type bridge\nlink set br0 up\n")


def ensure_place(layout: Layout, place: Place) -> bool:
    """The place's namespace, wired to the switch; False when it already existed."""
    ensure_switch(layout)
    place.root.mkdir(parents=True, exist_ok=True)
    for folder in (place.root, *(p for p in place.root.parents if p.is_relative_to(layout.root))):
        folder.chmod(0o755)  # the postgres user walks down to its data folder
    if place.namespace in namespaces():
        return False
    sw = layout.switch_namespace
    run(["ip", "netns", "add", place.namespace])
    run(["ip", "-n", sw, "-batch", "-"], input=(
        f"link add {place.veth} type veth peer name eth0 netns {place.namespace}\n"
        f"link set {place.veth} master br0\nlink set {place.veth} up\n"))
    run(["ip", "-n", place.namespace, "-batch", "-"], input=(
        f"link set lo up\naddr add {place.address}/{SUBNET.prefixlen} dev eth0\nlink set eth0 up\n"))
    run(["ip", "netns", "exec", place.namespace, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"])
    return True


def chown_postgres(path: Path) -> None:
    entry = pwd.getpwnam("postgres")
    os.chown(path, entry.pw_uid, entry.pw_gid)


def spawn(layout: Layout, place: Place, role: str, argv: list[str], user: str | None = None) -> int:
    """Start ``argv`` in ``place`` as a daemon (own session, parent gone), log to ``<place>/log/<role>.log``;
    record and return its PID."""
    place.log.mkdir(parents=True, exist_ok=True)
    if user == "postgres":
        chown_postgres(place.log)
    pid_file = place.log / f"{role}.pid"
    pid_file.unlink(missing_ok=True)
    # setsid --fork detaches at once; the shell writes its PID and execs (ip netns exec and setpriv
    # exec too), so the PID recorded is the daemon's own.
    script = 'echo $$ > "$0"; exec "$@"'
    with (place.log / f"{role}.log").open("ab") as log:
        subprocess.run(["setsid", "--fork", "sh", "-c", script, str(pid_file), *in_namespace(place, argv, user)],
                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=True)
    deadline = time.monotonic() + 5
    while not (pid_file.is_file() and pid_file.read_text().strip()):
        if time.monotonic() > deadline:
            raise LabError(f"{place.name}/{role} did not start", fix=f"look at {place.log / (role + '.log')}")
        time.sleep(0.01)
    pid = int(pid_file.read_text())
    record_pid(layout, f"{place.name}/{role}", pid)
    return pid


def read_state(layout: Layout) -> dict:
    if not layout.state_file.is_file():
        return {"pids": {}}
    return json.loads(layout.state_file.read_text())


def write_state(layout: Layout, state: dict) -> None:
    temp = layout.state_file.with_suffix(".tmp")
    temp.write_text(json.dumps(state, indent=2))
    os.replace(temp, layout.state_file)


def record_pid(layout: Layout, key: str, pid: int | None) -> None:
    state = read_state(layout)
    if pid is None:
        state["pids"].pop(key, None)
    else:
        state["pids"][key] = pid
    write_state(layout, state)


def running(layout: Layout, key: str) -> int | None:
    """The recorded PID of ``place/role`` when that process still runs in one of our namespaces."""
    pid = read_state(layout)["pids"].get(key)
    if pid is None or not alive(pid):
        return None
    place = layout.place(key.split("/", 1)[0])
    return pid if pid in namespace_pids(place.namespace) else None


def stop(layout: Layout, key: str, timeout_s: float = 5) -> None:
    pid = running(layout, key)
    if pid is not None:
        terminate([pid], timeout_s)
    record_pid(layout, key, None)


def kill_namespace(ns: str) -> list[int]:
    """SIGKILL every process of a workload namespace (a node dying); returns the PIDs killed."""
    if not ns.startswith(ns_prefix()):
        raise LabError(f"{ns} is not a workload namespace", fix="only gcw-* namespaces belong to the workload")
    pids = namespace_pids(ns)
    signal_all(pids, signal.SIGKILL)
    wait_gone(pids, 5)
    return pids


def remove_place(layout: Layout, place: Place) -> None:
    """Stop everything in the place and delete its namespace and folder."""
    if place.namespace in namespaces():
        terminate(namespace_pids(place.namespace), 3)
        run(["ip", "netns", "del", place.namespace])
    state = read_state(layout)
    state["pids"] = {k: v for k, v in state["pids"].items() if not k.startswith(f"{place.name}/")}
    if layout.state_file.parent.is_dir():
        write_state(layout, state)
    shutil.rmtree(place.root, ignore_errors=True)


def teardown(layout: Layout) -> dict:
    """Every namespace, process and folder of the layout's system gone; the switch and the root go
    with the last system. A second call does nothing."""
    spaces = _remove_namespaces([ns for ns in namespaces() if ns in {p.namespace for p in layout.places}])
    existed = layout.slot_root.exists()
    shutil.rmtree(layout.slot_root / "places", ignore_errors=True)
    layout.state_file.unlink(missing_ok=True)
    if layout.slot_root != layout.root and layout.slot_root.is_dir() and not any(layout.slot_root.iterdir()):
        layout.slot_root.rmdir()
    if not [ns for ns in namespaces() if ns != layout.switch_namespace]:
        # No system left: the switch and the root go too.
        if layout.switch_namespace in namespaces():
            run(["ip", "netns", "del", layout.switch_namespace])
            spaces.append(layout.switch_namespace)
        if layout.root.is_dir() and not any(p.name.startswith("s") and p.is_dir() for p in layout.root.iterdir()):
            shutil.rmtree(layout.root, ignore_errors=True)
    return {"namespaces": len(spaces), "changed": bool(spaces) or existed}


def teardown_all(root: Path | None = None) -> dict:
    """The whole workload lab of the current instance gone: every process in its namespaces, the
    namespaces, and its folder (``root``, default :func:`default_root`). For a purge: the systems'
    data goes with the migration state that describes it. A second call does nothing."""
    spaces = _remove_namespaces(namespaces())
    folder = root or default_root()
    existed = folder.is_dir()
    shutil.rmtree(folder, ignore_errors=True)
    return {"namespaces": len(spaces), "changed": bool(spaces) or existed}


def _remove_namespaces(spaces: list[str]) -> list[str]:
    """Every process of ``spaces`` stopped first (none outlives its namespace), then the namespaces."""
    for ns in spaces:
        terminate(namespace_pids(ns), 3)
    for ns in spaces:
        run(["ip", "netns", "del", ns])
    return spaces
