"""Benchmark: the dual-active DR drill of the lab's first wave, measured (issue 8).

In a throw-away project copy and workload root: the legacy site starts; a client writes
continuously through HAProxy while the wave runs (provision, replicate, test, cutover, finalize);
then the standby node is killed and rebuilt; then the primary node is killed; then the wave is
rolled back. Prints, per round, the cutover
downtime (longest gap between acknowledged writes during the cutover step), the failover RTO (kill
to the first acknowledged write after it), the longest gap in answered reads, and the acknowledged
writes checked on the database after each stage (zero loss means every one of them is there).
Everything it creates (namespaces gcw-*, processes, data) is removed at the end. Run as root:

    .venv/bin/python bench/dr_drill.py [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from govcloud.lab.workload import backup, namespaces
from govcloud.lab.workload.drill import Client, kill_node, longest_gap, missing, recovery_time
from govcloud.lab.workload.driver import LabWorkloadDriver, rebuild_standby, start_legacy
from govcloud.migration.execution.executor import Executor
from govcloud.migration.execution.providers import PlannedSpecProvisioner
from govcloud.migration.execution.run_state import load_run_state
from govcloud.migration.store import read_plan
from govcloud.model import load_environment

ROOT = Path(__file__).resolve().parents[1]
CODE = "unified-identity"


def project_copy(folder: Path) -> Path:
    (folder / "Pulumi.yaml").write_text("name: govcloud\nruntime: python\n")
    shutil.copytree(ROOT / "inventories" / "lab", folder / "inventories" / "lab",
                    ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
    plans = folder / "migrations" / "lab"
    shutil.copytree(ROOT / "migrations" / "lab", plans, ignore=shutil.ignore_patterns("runbooks"))
    return folder


def one_round(project: Path, root: Path) -> dict:
    environment = load_environment("lab", project)
    state_dir = project / ".state" / "lab"
    driver = LabWorkloadDriver(environment.province, root)

    def executor() -> Executor:
        loaded = read_plan(project / "migrations" / "lab")[0]
        return Executor("lab", loaded, state_dir, PlannedSpecProvisioner(environment), driver)

    entry = next(e for e in read_plan(project / "migrations" / "lab")[0].wave.systems if e.code == CODE)
    layout = driver.layout(entry)
    start_legacy(layout)
    client = Client(layout, "cutover").start()
    client.wait_acks(200)
    started = time.monotonic()
    executor().run()
    wave_s = time.monotonic() - started
    client.wait_acks(len(client.acks()) + 200)
    client.stop()
    cutover = next(s for s in load_run_state(state_dir, "lab").system(1, CODE).steps if s.step == "cutover")
    acks = client.acks()
    downtime = longest_gap([a.at for a in acks], cutover.started.timestamp(), cutover.finished.timestamp() + 1)
    lost = len(missing(layout.place(layout.primary), acks))

    standby = Client(layout, "standby").start()
    standby.wait_acks(200)
    killed_at, _ = kill_node(layout, layout.secondary)
    deadline = time.monotonic() + entry.dr.rto_s
    while len([a for a in standby.acks() if a.at > killed_at]) < 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    rebuild_started = time.time()
    rebuild_s = rebuild_standby(layout, layout.secondary)
    standby.wait_acks(len(standby.acks()) + 100)
    standby.stop()
    standby_acks = standby.acks()
    standby_pause = recovery_time([a for a in standby_acks if a.at < rebuild_started], killed_at)
    rebuild_gap = longest_gap([a.at for a in standby_acks], rebuild_started, rebuild_started + rebuild_s)
    acks += standby_acks

    failover = Client(layout, "failover").start()
    failover.wait_acks(300)
    killed_at, _ = kill_node(layout, layout.primary)
    deadline = time.monotonic() + entry.dr.rto_s
    while len([a for a in failover.acks() if a.at > killed_at]) < 300 and time.monotonic() < deadline:
        time.sleep(0.1)
    failover.stop()
    fail_acks = failover.acks()
    reads = [t for t, status in failover.reads() if status == 200]
    rto = recovery_time(fail_acks, killed_at)
    lost += len(missing(layout.place(layout.secondary), acks + fail_acks))

    finalize = next(s for s in load_run_state(state_dir, "lab").system(1, CODE).steps if s.step == "finalize")
    restored = backup.verify(layout.place(layout.backup), finalize.details["backup"])

    rollback_started = time.monotonic()
    executor().rollback()
    rollback_s = time.monotonic() - rollback_started
    lost += len(missing(layout.place("legacy"), acks + fail_acks))
    return {"wave_s": wave_s, "cutover_downtime_s": downtime, "failover_rto_s": rto,
            "read_gap_s": longest_gap(reads, killed_at, max(reads)), "rollback_s": rollback_s,
            "standby_pause_s": standby_pause, "rebuild_s": rebuild_s, "rebuild_gap_s": rebuild_gap,
            "rows_checked": len(acks) + len(fail_acks), "cutover_marks": cutover.details.get("marks_s", {}), "backup_rows": restored["rows"], "lost": lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the drill creates network namespaces")
    results = []
    for number in range(args.rounds):
        root = Path(f"/var/lib/govcloud/workload-bench-{os.getpid()}")
        with tempfile.TemporaryDirectory() as folder:
            project = project_copy(Path(folder))
            environment = load_environment("lab", project)
            entry = next(e for e in read_plan(project / "migrations" / "lab")[0].wave.systems if e.code == CODE)
            layout = LabWorkloadDriver(environment.province, root).layout(entry)
            try:
                results.append(one_round(project, root))
            finally:
                namespaces.teardown(layout)
        r = results[-1]
        print(f"round {number + 1}: wave {r['wave_s']:.1f} s, cutover downtime {r['cutover_downtime_s']:.3f} s, "
              f"standby lost: writes paused {r['standby_pause_s']:.3f} s, rebuilt in {r['rebuild_s']:.1f} s "
              f"(longest write gap meanwhile {r['rebuild_gap_s']:.3f} s); "
              f"primary lost: failover RTO {r['failover_rto_s']:.3f} s (reads: longest gap {r['read_gap_s']:.3f} s), rollback "
              f"{r['rollback_s']:.1f} s, acknowledged writes checked {r['rows_checked']}, lost {r['lost']}, "
              f"backup rows restored {r['backup_rows']}")
        print(f"  cutover steps (s since the legacy froze): {r['cutover_marks']}")
    if len(results) > 1:
        for key in ("cutover_downtime_s", "standby_pause_s", "failover_rto_s", "read_gap_s"):
            values = [r[key] for r in results]
            print(f"{key}: median {statistics.median(values):.3f} s, max {max(values):.3f} s")
    if any(r["lost"] for r in results):
        raise SystemExit("acknowledged writes were lost")


if __name__ == "__main__":
    main()
