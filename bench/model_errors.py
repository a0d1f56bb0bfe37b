"""Benchmark: how fast a model with many errors is reported, every error with file and line.

    .venv/bin/python bench/model_errors.py [--errors 100]

Goal (issue 13): 100 errors in the example's systems.yaml reported in < 2 s in total. The errors
are located with one parse per file; the baseline in the same run locates a few errors the old
way (one parse of the file per error) and scales its per-error cost to the same count.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

from govcloud.model import ModelErrors, load_folder
from govcloud.yamlpaths import line_of

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inventories" / "example"


def broken_copy(target: Path, errors: int) -> Path:
    """The example with ``errors`` systems owned by departments that do not exist."""
    shutil.copytree(EXAMPLE, target)
    systems = target / "systems.yaml"
    count = 0

    def unknown_owner(match: re.Match) -> str:
        nonlocal count
        count += 1
        return f"{match.group(1)}nobody-{count}" if count <= errors else match.group(0)

    systems.write_text(re.sub(r"(\n  owner: )[a-z0-9-]+", unknown_owner, systems.read_text(encoding="utf-8"),
                              count=errors), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", type=int, default=100)
    parser.add_argument("--baseline-errors", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = broken_copy(Path(tmp) / "example", args.errors)
        start = time.perf_counter()
        try:
            load_folder(env)
            raise SystemExit("the broken model loaded: the benchmark is wrong")
        except ModelErrors as exc:
            total = time.perf_counter() - start
            found = exc.errors
        located = sum(1 for e in found if e.location.line)
        text = (env / "systems.yaml").read_text(encoding="utf-8")
        paths = [("systems", i, "owner") for i in range(args.baseline_errors)]
        start = time.perf_counter()
        for path in paths:
            line_of(text, path)  # the old way: one parse per error
        per_error = (time.perf_counter() - start) / len(paths)
    size = (EXAMPLE / "systems.yaml").stat().st_size
    print(f"example systems.yaml: {size / 1e6:.2f} MB, {len(found)} errors reported, {located} with a line")
    print(f"load + validate + locate all   {total * 1000:8.1f} ms   (goal < 2000 ms)")
    print(f"baseline: one parse per error  {per_error * 1000:8.1f} ms per error, "
          f"{per_error * len(found):8.1f} s for {len(found)} errors (measured on {len(paths)})")
    print(f"ratio                          {per_error * len(found) / total:8.1f}x faster")


if __name__ == "__main__":
    main()
