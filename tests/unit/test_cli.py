"""cli.py registers every command group one way and maps every failure to its exit code."""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import click

import networkx as nx

import pytest
import typer
import typer.main

from govcloud import cli, commands, diagnostics
from govcloud.diagnostics import Check

# Helpers, not command groups: `migrate_exec` adds its commands to the `migrate` group, `migration_plan` is what both
# share, `lazy` is the root group that imports the others.
NOT_GROUPS = {"common", "lazy", "migrate_exec", "migration_plan"}


def _top_level_names(app: typer.Typer) -> set[str]:
    return ({c.name for c in app.registered_commands} | {g.name for g in app.registered_groups})


def test_every_command_module_registers_exactly_the_commands_the_root_table_names_for_it():
    modules = [m.name for m in pkgutil.iter_modules(commands.__path__) if m.name not in NOT_GROUPS]
    assert {entry.module for entry in cli.COMMANDS.values()} == set(modules)
    for name in modules:
        module = importlib.import_module(f"govcloud.commands.{name}")
        assert callable(getattr(module, "register", None)), f"govcloud.commands.{name} has no register(app)"
        app = typer.Typer()
        module.register(app)
        assert _top_level_names(app), f"govcloud.commands.{name}.register adds no command"
        assert _top_level_names(app) == {n for n, e in cli.COMMANDS.items() if e.module == name}, name


def _root_help(load_all: bool) -> str:
    group = typer.main.get_command(cli.app)
    if load_all:
        group.load_all()
    with click.Context(group, info_name="govcloud", terminal_width=100) as ctx:
        formatter = ctx.make_formatter()
        with contextlib.redirect_stdout(io.StringIO()) as out:
            group.format_help(ctx, formatter)
    return out.getvalue() + formatter.getvalue()


def test_the_root_help_lists_every_command_with_its_summary_loaded_or_not():
    lazy = _root_help(load_all=False)
    for name, entry in cli.COMMANDS.items():
        assert f" {name} " in lazy and entry.summary.split()[0] in lazy, name
    assert lazy == _root_help(load_all=True)


def test_a_loaded_command_keeps_its_own_help():
    group = typer.main.get_command(cli.app)
    command = group.get_command(click.Context(group), "kpi")
    assert "per node" in command.help and command.short_help == cli.COMMANDS["kpi"].summary


@pytest.mark.parametrize("args", [["validate", "--env", "lab"], ["ipam", "plan", "--env", "lab"], ["--help"]])
def test_validate_and_ipam_plan_import_neither_the_engine_nor_ansible_nor_the_labs(args):
    probe = ("import sys\nfrom govcloud.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n"
             "    code = e.code\nprint(code, sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', "
             "'ansible_runner', 'paramiko') or m.startswith(('govcloud.engine', 'govcloud.lab', 'govcloud.report', "
             "'govcloud.network', 'govcloud.migration', 'govcloud.policy', 'govcloud.stackgraph'))))")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(cli.__file__).parents[1])})
    assert done.stdout.splitlines()[-1] == "0 []", done.stderr[-2000:]


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
    from govcloud.commands import migrate

    migrate.register(typer.Typer())
    names = [c.name for c in migrate.app.registered_commands]
    assert sorted(names) == ["mark", "plan", "rollback", "run", "runbook", "seal", "status", "validate"]


def test_the_top_level_commands():
    assert {"validate", "ipam", "plan", "doctor", "kpi", "report", "lab", "policy", "netlab", "migrate",
            "preview", "up", "destroy", "refresh"} <= set(cli.COMMANDS)


def test_doctor_problems_fail_through_the_error_mapping_and_are_named(monkeypatch, capsys):
    monkeypatch.setattr(diagnostics, "run_checks",
                        lambda *more: [Check("engine", "pulumi", False, "?", "do this"), Check("lab", "ip", False, "?", "x")])
    with pytest.raises(SystemExit) as info:
        cli.main(["doctor", "--format", "json"])
    assert info.value.code == 1
    captured = capsys.readouterr()
    assert [c["ok"] for c in json.loads(captured.out)] == [False, False]
    assert captured.err.startswith("error: doctor found 2 problem(s): engine/pulumi, lab/ip")
