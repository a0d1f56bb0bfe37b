"""Benchmark: `govcloud ipam plan` end to end (a new process, as an operator runs it) on the example
province grown by one county, incremental (the default) against `--full`, in one run.

    .venv/bin/python bench/ipam_cli.py [--repeat 3]

The incremental path allocates only what the ledger lacks; the full plan re-derives every level
and walks every allocation. Both must report the same additions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inventories" / "example"
GOVCLOUD = [str(Path(sys.executable).parent / "govcloud")]


def grown_copy(target: Path) -> Path:
    """The example with one more county (three townships) under its first city."""
    shutil.copytree(EXAMPLE, target)
    extranet = target / "extranet.yaml"
    text = extranet.read_text(encoding="utf-8")
    sites = "".join(f"- code: c01-xnew-t{i}\n  name: 新镇{i}\n  tier: township\n  parent: c01-xnew\n" for i in range(3))
    sites = "- code: c01-xnew\n  name: 新县\n  tier: county\n  parent: c01\n" + sites
    links = "- {a: c01, b: c01-xnew}\n" + "".join(f"- {{a: c01-xnew, b: c01-xnew-t{i}}}\n" for i in range(3))
    assert "\nlinks:\n" in text, "extranet.yaml changed shape; update the benchmark"
    text = text.replace("\nlinks:\n", "\n" + sites + "links:\n" + links, 1)
    extranet.write_text(text, encoding="utf-8")
    return target


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(env: Path, extra: list[str]) -> tuple[float, float, dict]:
    start, start_cpu = time.perf_counter(), children_cpu()
    out = subprocess.run([*GOVCLOUD, "ipam", "plan", "--env", str(env), "--format", "json", *extra],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    elapsed, cpu = time.perf_counter() - start, children_cpu() - start_cpu
    if out.returncode != 0:
        raise SystemExit(f"govcloud ipam plan failed: {out.stderr}")
    return elapsed, cpu, json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = grown_copy(Path(tmp) / "example")
        times: dict[str, list[float]] = {"incremental": [], "full": []}
        cpus: dict[str, list[float]] = {"incremental": [], "full": []}
        results = {}
        for _ in range(args.repeat):  # interleaved, so machine load falls on both alike
            for label, extra in (("incremental", []), ("full", ["--full"])):
                elapsed, cpu, results[label] = run(env, extra)
                times[label].append(elapsed)
                cpus[label].append(cpu)
        assert sorted(results["incremental"]["added"]) == sorted(results["full"]["added"])
        added = len(results["incremental"]["added"])
    inc, full = statistics.median(times["incremental"]), statistics.median(times["full"])
    print(f"example + 1 county (3 townships): {added} new prefixes, median of {args.repeat} CLI runs each")
    print(f"govcloud ipam plan --full   {full * 1000:8.0f} ms   (baseline)")
    print(f"govcloud ipam plan          {inc * 1000:8.0f} ms   {full / inc:5.2f}x, saves {(full - inc) * 1000:.0f} ms")
    inc_cpu, full_cpu = statistics.median(cpus["incremental"]), statistics.median(cpus["full"])
    print(f"cpu time (steadier on a shared machine): --full {full_cpu * 1000:.0f} ms, incremental "
          f"{inc_cpu * 1000:.0f} ms ({full_cpu / inc_cpu:.2f}x)")


if __name__ == "__main__":
    main()
