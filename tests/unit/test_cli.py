"""cli.py registers every command group one way and maps every failure to its exit code."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
from pathlib import Path

import networkx as nx

import pytest
import typer

from govcloud import cli, commands, diagnostics
from govcloud.diagnostics import Check

# Helpers, not command groups: `migrate_exec` adds its commands to the `migrate` group, `migration_plan` is what both share.
NOT_GROUPS = {"common", "migrate_exec", "migration_plan"}


def _top_level_names(app: typer.Typer) -> set[str]:
    return ({c.name for c in app.registered_commands} | {g.name for g in app.registered_groups})


def test_every_command_module_registers_itself_through_register():
    modules = [m.name for m in pkgutil.iter_modules(commands.__path__) if m.name not in NOT_GROUPS]
    for name in modules:
        module = importlib.import_module(f"govcloud.commands.{name}")
        assert callable(getattr(module, "register", None)), f"govcloud.commands.{name} has no register(app)"
        app = typer.Typer()
        module.register(app)
        assert _top_level_names(app), f"govcloud.commands.{name}.register adds no command"
        assert _top_level_names(app) <= _top_level_names(cli.app), f"govcloud.commands.{name} is not registered"


def _command_imports() -> nx.DiGraph:
    """Which command module imports which (``from .x import`` and ``from . import x``, at any depth)."""
    folder = Path(commands.__path__[0])
    graph = nx.DiGraph()
    for path in folder.glob("*.py"):
        graph.add_node(path.stem)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                targets = [node.module] if node.module else [a.name for a in node.names]
                graph.add_edges_from((path.stem, t.split(".")[0]) for t in targets)
    return graph


def test_command_modules_do_not_import_each_other_in_a_circle():
    graph = _command_imports()
    assert graph.has_edge("migrate", "migrate_exec")  # the graph is read, not empty
    assert nx.is_directed_acyclic_graph(graph), f"import cycle: {nx.find_cycle(graph)}"


def test_the_migrate_group_holds_planning_and_execution_commands_once():
    group = next(g.typer_instance for g in cli.app.registered_groups if g.name == "migrate")
    names = [c.name for c in group.registered_commands]
    assert sorted(names) == ["mark", "plan", "rollback", "run", "runbook", "seal", "status", "validate"]


def test_the_top_level_commands():
    assert {"validate", "ipam", "plan", "doctor", "kpi", "report", "lab", "policy", "netlab", "migrate",
            "preview", "up", "destroy", "refresh"} <= _top_level_names(cli.app)


def test_doctor_problems_fail_through_the_error_mapping_and_are_named(monkeypatch, capsys):
    monkeypatch.setattr(diagnostics, "run_checks",
                        lambda: [Check("engine", "pulumi", False, "?", "do this"), Check("lab", "ip", False, "?", "x")])
    with pytest.raises(SystemExit) as info:
        cli.main(["doctor", "--format", "json"])
    assert info.value.code == 1
    captured = capsys.readouterr()
    assert [c["ok"] for c in json.loads(captured.out)] == [False, False]
    assert captured.err.startswith("error: doctor found 2 problem(s): engine/pulumi, lab/ip")
