"""Benchmark: `govcloud ipam plan` end to end (a new process, as an operator runs it) on the example
province grown by one county, incremental (the default) against `--full`, with and without the
cache of parsed files, in one run.

    .venv/bin/python bench/ipam_cli.py [--repeat 3]

The incremental path allocates only what the ledger lacks; the full plan re-derives every level
and walks every allocation. All variants must report the same additions.
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


def run(env: Path, extra: list[str], cache: str) -> tuple[float, float, dict]:
    start, start_cpu = time.perf_counter(), children_cpu()
    out = subprocess.run([*GOVCLOUD, "ipam", "plan", "--env", str(env), "--format", "json", *extra],
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "GOVCLOUD_PARSE_CACHE": cache})
    elapsed, cpu = time.perf_counter() - start, children_cpu() - start_cpu
    if out.returncode != 0:
        raise SystemExit(f"govcloud ipam plan failed: {out.stderr}")
    return elapsed, cpu, json.loads(out.stdout)


def import_time() -> float:
    """What every run pays before it reads a file: starting Python and importing the CLI."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import govcloud.cli"], check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    return time.perf_counter() - start


VARIANTS = (
    ("--full, nothing cached", ["--full"], False),
    ("incremental, nothing cached", [], False),
    ("--full, parsed files cached", ["--full"], True),
    ("incremental, parsed files cached", [], True),
)
"""The first is the baseline: every file parsed and every level re-derived. The cache holds the
parsed model and ledger by content hash (govcloud.parsecache): the operator's second run on
unchanged files, which is every run after an edit of the model's first run."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = grown_copy(Path(tmp) / "example")
        cache = str(Path(tmp) / "parse-cache")
        run(env, [], cache)  # fills the cache, as the first run after an edit does
        times: dict[str, list[float]] = {label: [] for label, _, _ in VARIANTS}
        cpus: dict[str, list[float]] = {label: [] for label, _, _ in VARIANTS}
        imports = []
        results = {}
        for _ in range(args.repeat):  # interleaved, so machine load falls on all alike
            for label, extra, cached in VARIANTS:
                elapsed, cpu, results[label] = run(env, extra, cache if cached else "off")
                times[label].append(elapsed)
                cpus[label].append(cpu)
            imports.append(import_time())
        added = {label: sorted(r["added"]) for label, r in results.items()}
        assert all(a == added[VARIANTS[0][0]] for a in added.values()), "the variants disagree"
    base = statistics.median(times[VARIANTS[0][0]])
    base_cpu = statistics.median(cpus[VARIANTS[0][0]])
    print(f"example + 1 county (3 townships): {len(added[VARIANTS[0][0]])} new prefixes, "
          f"median of {args.repeat} CLI runs each")
    for label, _, _ in VARIANTS:
        wall, cpu = statistics.median(times[label]), statistics.median(cpus[label])
        print(f"{label:34s} {wall * 1000:8.0f} ms  {base / wall:5.2f}x   cpu {cpu * 1000:6.0f} ms "
              f"{base_cpu / cpu:5.2f}x")
    print(f"of which starting Python and importing govcloud.cli: {statistics.median(imports) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
