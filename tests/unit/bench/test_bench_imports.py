"""Every benchmark under bench/ still imports: they run only on `make bench`, so a renamed module
or function would otherwise break one silently (bench/report.py once imported a function that
had gone). Both the module-level imports (by loading the module) and the imports inside
functions (the heavy ones, read from the source) are checked."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
SCRIPTS = sorted(BENCH.glob("*.py"))


def _imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) for every ``from module import name`` and (module, None) for ``import module``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
    return found


def test_there_are_benchmarks():
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_module_loads(script: Path, monkeypatch):
    # A benchmark runs as `python bench/<name>.py`: its folder is first on the path (siblings import).
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if 'if __name__ == "__main__":' in script.read_text(encoding="utf-8"):
        assert callable(getattr(module, "main", None)), f"{script.name} runs main() but has none"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_import_in_a_benchmark_resolves(script: Path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    missing = []
    for module_name, name in _imports(script):
        module = importlib.import_module(module_name)
        if name is not None and not hasattr(module, name):
            try:
                importlib.import_module(f"{module_name}.{name}")
            except ModuleNotFoundError:
                missing.append(f"from {module_name} import {name}")
    assert not missing, f"{script.name}: {missing}"
