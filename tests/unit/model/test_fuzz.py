"""A fuzzer over the lab model: random edits of the kind an operator makes by mistake (a key
deleted, an entry duplicated, a value of the wrong type, keys reordered, two codes swapped, two
ranges made to overlap) never produce a traceback or a hang and never change a file; when the
model is refused, the exit code is 2 and every error line names a file of the model and a field.

Example counts are modest: the machine is shared; the seed is fixed by hypothesis' database-less
derandomised run so a failure reproduces."""

from __future__ import annotations

import contextlib
import io
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcloud import cli

LAB = Path(__file__).parents[3] / "inventories" / "lab"
MODEL_FILES = ("province.yaml", "departments.yaml", "extranet.yaml", "exits.yaml", "systems.yaml")
ORIGINAL = {name: yaml.safe_load((LAB / name).read_text(encoding="utf-8")) for name in MODEL_FILES}
HANG_LIMIT_S = 120  # a guard against hangs, not a speed goal: a validate of the lab takes well under a second

RETYPES = st.sampled_from([None, 0, -1, 3.5, True, "", "x", "不存在", [], {}, ["a"], {"k": 1},
                           "198.19.0.0/16", "2001:db8::/32", "ff02::/16", 2**40])


def containers(value, path=()):
    """Every mapping and list in the tree, with its path."""
    if isinstance(value, (dict, list)):
        yield path, value
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            yield from containers(child, (*path, key))


def codes(data):
    return [(path, value) for path, value in containers(data)
            if isinstance(value, dict) and isinstance(value.get("code"), str)]


@st.composite
def mutated_model(draw):
    files = {name: yaml.safe_load(yaml.safe_dump(data)) for name, data in ORIGINAL.items()}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(MODEL_FILES))
        spots = list(containers(files[name]))
        _, target = spots[draw(st.integers(0, len(spots) - 1))]
        kind = draw(st.sampled_from(["delete", "duplicate", "retype", "reorder", "swap-codes", "overlap"]))
        keys = list(target.keys()) if isinstance(target, dict) else list(range(len(target)))
        if kind == "swap-codes":
            entries = codes(files[name])
            if len(entries) >= 2:
                a, b = draw(st.lists(st.sampled_from(range(len(entries))), min_size=2, max_size=2, unique=True))
                (_, first), (_, second) = entries[a], entries[b]
                first["code"], second["code"] = second["code"], first["code"]
            continue
        if kind == "overlap":
            _inject_overlap(files, draw)
            continue
        if not keys:
            continue
        key = keys[draw(st.integers(0, len(keys) - 1))]
        if kind == "delete":
            del target[key]
        elif kind == "duplicate":
            if isinstance(target, list):
                target.append(yaml.safe_load(yaml.safe_dump(target[key])))
            else:
                target[f"{key}"] = target[key]  # same key: YAML keeps one; retype instead
                target[key] = draw(RETYPES)
        elif kind == "retype":
            target[key] = draw(RETYPES)
        elif kind == "reorder":
            if isinstance(target, list):
                target[:] = draw(st.permutations(target))
            else:
                order = draw(st.permutations(keys))
                items = [(k, target[k]) for k in order]
                target.clear()
                target.update(items)
    return files


def _inject_overlap(files, draw) -> None:
    """Make one range of the model overlap another (in-use ranges, cloud blocks, exit ranges)."""
    ranges = []
    for name in MODEL_FILES:
        for _, value in containers(files[name]):
            if isinstance(value, dict):
                for key in ("ipv4", "ipv6", "ipv4_in_use", "cloud_ipv4"):
                    if key in value:
                        ranges.append((value, key))
    if len(ranges) >= 2:
        a, b = draw(st.lists(st.sampled_from(range(len(ranges))), min_size=2, max_size=2, unique=True))
        (target, key), (source, source_key) = ranges[a], ranges[b]
        target[key] = source[source_key]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@contextlib.contextmanager
def hang_guard():
    def hung(signum, frame):
        raise AssertionError(f"validate did not finish within {HANG_LIMIT_S} s: a hang")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_LIMIT_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_model())
def test_random_edits_are_refused_cleanly_or_accepted(files):
    with tempfile.TemporaryDirectory() as tmp:
        env = Path(tmp) / "lab"
        shutil.copytree(LAB, env, ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
        for name, data in files.items():
            (env / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        before = snapshot(env)
        err = io.StringIO()
        code = 0
        with hang_guard(), contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                cli.main(["validate", "--env", str(env)])
            except SystemExit as exc:
                code = exc.code or 0
        lines = [line for line in err.getvalue().splitlines() if line.strip()]
        assert snapshot(env) == before, "validate changed a file"
        assert code in (0, 2), f"exit code {code}: {lines}"
        if code == 2:
            assert lines
            for line in lines:
                assert line.startswith(f"error: {env}/"), f"no file in {line!r}"
                assert "(fix: " in line, f"no fix in {line!r}"
                location = line.removeprefix("error: ").split(" ", 1)[0]
                assert location.count(":") >= 1, f"no field or line in {line!r}"
