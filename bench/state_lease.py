"""Benchmark: the stack lease (govcloud.engine.lease) in a folder, alone and under contention.

    .venv/bin/python bench/state_lease.py [--rounds 200] [--contenders 4] [--folder /shared/dir]

Prints, for a folder (default: a temporary one; give one on a shared filesystem to measure that):
* take + release of a free lease, median and p95, against the baseline of writing the same bytes
  to a file in the same folder (the ratio says what create-if-absent costs over a plain write);
* contended rounds: ``contenders`` processes released by one barrier try to take the same lease;
  how many rounds had exactly one winner (every other round is a failure of the lock), and the
  time a refused run waits to be told who holds the lease (median, p95).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

from govcloud.engine.lease import FileLeaseStore, Holder, StackLeased, acquire, lease_key, release

STACK = "lab-province"
KEY = lease_key("govcloud", STACK)


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def uncontended(folder: Path, rounds: int) -> tuple[list[float], list[float]]:
    store, holder = FileLeaseStore(folder), Holder.me("bench", folder)
    lease, plain = [], []
    for i in range(rounds):
        started = time.perf_counter()
        token = acquire(store, KEY, STACK, holder, lambda _: False)
        release(store, KEY, token)
        lease.append(time.perf_counter() - started)
        started = time.perf_counter()
        (folder / f"plain-{i}.json").write_bytes(holder.to_bytes())
        plain.append(time.perf_counter() - started)
    return lease, plain


def _contend(folder: str, name: str, barrier, results) -> None:
    store = FileLeaseStore(Path(folder))
    holder = Holder.me(f"bench {name}", Path(folder))
    barrier.wait()
    started = time.perf_counter()
    try:
        acquire(store, KEY, STACK, holder, lambda _: False)
        results.put(("took", time.perf_counter() - started))
    except StackLeased:
        results.put(("refused", time.perf_counter() - started))


def contended(folder: Path, rounds: int, contenders: int) -> tuple[int, list[float], list[float]]:
    context = multiprocessing.get_context("fork")
    exactly_one, took, refused = 0, [], []
    for round_ in range(rounds):
        place = folder / f"round-{round_}"
        barrier, results = context.Barrier(contenders), context.Queue()
        processes = [context.Process(target=_contend, args=(str(place), f"op{i}", barrier, results))
                     for i in range(contenders)]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(60)
        winners = [seconds for outcome, seconds in outcomes if outcome == "took"]
        exactly_one += len(winners) == 1
        took += winners
        refused += [seconds for outcome, seconds in outcomes if outcome == "refused"]
    return exactly_one, took, refused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--contenders", type=int, default=4)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as scratch:
        folder = Path(scratch)
        (folder / "alone").mkdir()
        lease, plain = uncontended(folder / "alone", args.rounds)
        (lease_med, lease_p95), (plain_med, plain_p95) = _quantiles(lease), _quantiles(plain)
        print(f"folder: {folder}")
        print(f"free lease, take + release: median {lease_med * 1e3:.3f} ms, p95 {lease_p95 * 1e3:.3f} ms "
              f"({args.rounds} rounds)")
        print(f"baseline, plain write of the same bytes: median {plain_med * 1e3:.3f} ms, "
              f"p95 {plain_p95 * 1e3:.3f} ms; "
              f"ratio {lease_med / plain_med:.1f}x")
        rounds = max(1, args.rounds // 4)
        exactly_one, took, refused = contended(folder / "contended", rounds, args.contenders)
        print(f"contended: {args.contenders} processes per round, {rounds} rounds, exactly one winner in "
              f"{exactly_one}/{rounds}")
        (took_med, took_p95), (ref_med, ref_p95) = _quantiles(took), _quantiles(refused)
        print(f"  winner took the lease in: median {took_med * 1e3:.3f} ms, p95 {took_p95 * 1e3:.3f} ms")
        print(f"  a refused run was told who holds it in: median {ref_med * 1e3:.3f} ms, p95 {ref_p95 * 1e3:.3f} ms")
        return 0 if exactly_one == rounds else 1


if __name__ == "__main__":
    sys.exit(main())
