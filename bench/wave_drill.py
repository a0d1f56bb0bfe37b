"""Benchmark: every wave of the lab run for real by the workload drivers, measured per system.

For each wave asked for (default: all of migrations/lab), in a throw-away project copy and a
throw-away workload root of the current lab instance (``GOVCLOUD_LAB_INSTANCE``): each system's
legacy site starts and a client writes continuously through its front end while the wave runs
(provision, copy, verify, cutover, finalize); then the wave is rolled back while the clients write
again. Prints, per system: its DR mode, the provision and copy times, the rows copied, the cutover
downtime (longest gap between acknowledged writes during the cutover) against the wave's downtime
budget, the off-site backup's rows restored on the DR node, the rollback time, and the
acknowledged writes checked and lost (must be 0). The ratios are against figures of the same run
(the budget, the copy). Everything it creates is removed at the end. Run as root:

    GOVCLOUD_LAB_INSTANCE=bench .venv/bin/python bench/wave_drill.py [--wave 2 --wave 3] [--provisioner planned]

``--provisioner engine`` also puts each system's stacks up through the engine (needs the instance's
OpenStack lab up and its clouds.yaml in OS_CLIENT_CONFIG_FILE); ``planned`` (default) records the
planned resources only, so the figures are the workload's own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from govcloud.lab.workload import namespaces
from govcloud.lab.workload.drill import Client, longest_gap, missing
from govcloud.lab.workload.driver import LabWorkloadDriver, start_legacy
from govcloud.migration.execution.executor import Executor
from govcloud.migration.execution.providers import EngineProvisioner, PlannedSpecProvisioner
from govcloud.migration.execution.run_state import load_run_state
from govcloud.migration.store import read_plan
from govcloud.model import load_environment
from govcloud.paths import current_instance

ROOT = Path(__file__).resolve().parents[1]


def project_copy(folder: Path) -> Path:
    (folder / "Pulumi.yaml").write_text("name: govcloud\nruntime: python\n")
    shutil.copytree(ROOT / "inventories" / "lab", folder / "inventories" / "lab",
                    ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
    shutil.copytree(ROOT / "migrations" / "lab", folder / "migrations" / "lab", ignore=shutil.ignore_patterns("runbooks"))
    return folder


def run_wave(project: Path, root: Path, number: int, provisioner_name: str) -> list[dict]:
    environment = load_environment("lab", project)
    state_dir = project / ".state" / "lab"
    driver = LabWorkloadDriver(environment.province, root)
    loaded = next(lw for lw in read_plan(project / "migrations" / "lab") if lw.wave.wave == number)
    entries = [e for e in loaded.wave.systems if e.strategy.lands_on_cloud]
    if provisioner_name == "engine":
        from govcloud.engine.settings import EngineSettings

        provisioner = EngineProvisioner(environment, EngineSettings(project))
    else:
        provisioner = PlannedSpecProvisioner(environment)
    executor = Executor("lab", loaded, state_dir, provisioner, driver)
    clients = {}
    for entry in entries:
        start_legacy(driver.layout(entry))
        clients[entry.code] = Client(driver.layout(entry), f"bench{number}").start()
    for client in clients.values():
        client.wait_acks(100)
    executor.run()
    acks = {}
    for code, client in clients.items():
        client.wait_acks(len(client.acks()) + 100)
        client.stop()
        acks[code] = client.acks()
    rows = {}
    for entry in entries:
        layout = driver.layout(entry)
        steps = {s.step: s for s in load_run_state(state_dir, "lab").system(number, entry.code).steps}
        cutover = steps["cutover"]
        times = [a.at for a in acks[entry.code]]
        rows[entry.code] = {
            "system": entry.code, "dr": entry.dr.mode.value, "budget_s": entry.downtime_budget_s,
            "provision_s": steps["provision"].seconds, "copy_s": steps["replicate"].seconds,
            "rows_copied": steps["replicate"].details.get("rows_copied", 0),
            "cutover_downtime_s": longest_gap(times, cutover.started.timestamp(), cutover.finished.timestamp() + 1),
            "backup_rows": steps["finalize"].details.get("backup_drill", {}).get("rows"),
            "rows_checked": len(acks[entry.code]),
            "lost": len(missing(layout.place(layout.primary), acks[entry.code]))}
    clients = {e.code: Client(driver.layout(e), f"bench{number}-rollback").start() for e in entries}
    for client in clients.values():
        client.wait_acks(50)
    started = time.monotonic()
    executor.rollback()
    rows_total_s = time.monotonic() - started
    for entry in entries:
        client = clients[entry.code]
        client.wait_acks(len(client.acks()) + 50)
        client.stop()
        layout = driver.layout(entry)
        steps = {s.step: s for s in load_run_state(state_dir, "lab").system(number, entry.code).steps}
        checked = acks[entry.code] + client.acks()
        rows[entry.code].update(rollback_s=steps["rollback"].seconds, rows_checked=len(checked),
                                lost=rows[entry.code]["lost"] + len(missing(layout.place("legacy"), checked)))
    print(f"wave {number}: rolled back in {rows_total_s:.1f} s")
    return list(rows.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wave", type=int, action="append", help="wave number (repeatable); default: every wave")
    parser.add_argument("--provisioner", choices=("planned", "engine"), default="planned")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the drill creates network namespaces")
    waves = args.wave or [lw.wave.wave for lw in read_plan(ROOT / "migrations" / "lab")]
    root = current_instance().root / f"workload-bench-{os.getpid()}"
    results = []
    with tempfile.TemporaryDirectory() as folder:
        project = project_copy(Path(folder))
        environment = load_environment("lab", project)
        driver = LabWorkloadDriver(environment.province, root)
        layouts = [driver.layout(e) for lw in read_plan(project / "migrations" / "lab") if lw.wave.wave in waves
                   for e in lw.wave.systems if e.strategy.lands_on_cloud]
        try:
            for number in waves:
                results.extend(run_wave(project, root, number, args.provisioner))
        finally:
            for layout in layouts:
                namespaces.teardown(layout)
    for r in results:
        backup = f", backup rows restored on the DR node {r['backup_rows']}" if r["backup_rows"] is not None else ""
        print(f"{r['system']} ({r['dr']}): provision {r['provision_s']:.1f} s, copy {r['copy_s']:.1f} s "
              f"({r['rows_copied']} rows), cutover downtime {r['cutover_downtime_s']:.3f} s "
              f"({r['cutover_downtime_s'] / r['budget_s']:.2%} of its {r['budget_s']} s budget), "
              f"rollback {r['rollback_s']:.1f} s ({r['rollback_s'] / max(r['copy_s'], 0.001):.1f}x the copy){backup}; "
              f"acknowledged writes checked {r['rows_checked']}, lost {r['lost']}")
    if any(r["lost"] for r in results):
        raise SystemExit("acknowledged writes were lost")


if __name__ == "__main__":
    main()
