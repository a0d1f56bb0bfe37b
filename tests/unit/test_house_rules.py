"""The house rules that can be checked by reading the source, checked on every module of
``src/govcloud`` (no imports: the lab's modules that need the lab's packages are read too).

* Names do not clash: no two modules share a base name unless they are one concept in different
  layers (listed below, each with its reason); no two public classes share a name.
* One error hierarchy: every exception govcloud defines derives from ``errors.GovcloudError``.
* One "problem at a field path" type: ``problems.Problem`` alone carries a message and a fix.
* One module knows where things live (``paths.py``): no other module finds the project from
  ``__file__``, joins a name of the project's layout or of an environment's state files into a
  path, reads the user's home or XDG folders, or spells a state file's name; and every file name
  govcloud spells is spelled by one module only.
* Imports at the top of modules: an import inside a function says why on its line (``# lazy:
  <reason>``: a heavy package a light command must not pay for, a cycle, code that runs in another
  process). ``commands/`` is exempt: the CLI loads each command's code only when it runs (test_cli).
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "govcloud"
PATHS = SRC / "paths.py"

# One concept in different layers: the model's part, its spec builder, its Pulumi component, its
# policy rules, its report view, its command. Each is imported by its package-qualified name.
SAME_CONCEPT = {
    "dr.py": {"components/dr.py", "policy/rules/dr.py", "stackgraph/dr.py"},
    "exit.py": {"components/exit.py", "stackgraph/exit.py"},
    "exits.py": {"model/exits.py", "network/exits.py", "policy/rules/exits.py"},
    "extranet.py": {"components/extranet.py", "model/extranet.py", "policy/rules/extranet.py", "report/extranet.py",
                    "stackgraph/extranet.py"},
    "tenant.py": {"components/tenant.py", "stackgraph/tenant.py"},
    "cloud.py": {"model/cloud.py", "drift/cloud.py"},  # the cloud in the model; the live cloud against it
    "kpi.py": {"migration/kpi.py", "commands/kpi.py"},  # the KPIs; the `govcloud kpi` command
}
# Command modules are named after the package whose commands they hold (commands/ipam.py: `govcloud ipam`).
COMMANDS = "commands"


@pytest.fixture
def planted(tmp_path, monkeypatch) -> Path:
    """A folder that stands in for src/govcloud while a test plants bad cases in it."""
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path)
    return tmp_path


def modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


@cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


# --- names ---------------------------------------------------------------------------------------

def module_name_clashes(files: list[Path]) -> dict[str, set[str]]:
    by_name: dict[str, set[str]] = defaultdict(set)
    for path in files:
        if path.name != "__init__.py":
            by_name[path.name].add(rel(path))
    packages = {p.parent.name for p in files if p.name == "__init__.py"}
    clashes = {name: places for name, places in by_name.items() if len(places) > 1 and SAME_CONCEPT.get(name) != places}
    for name, places in by_name.items():  # a module named like a package (drift/model.py beside govcloud.model)
        outside = {p for p in places if not p.startswith(COMMANDS + "/")}
        if name.removesuffix(".py") in packages and outside:
            clashes.setdefault(name, set()).update(outside)
    return clashes


def test_no_two_modules_share_a_name_unless_they_are_one_concept_in_different_layers():
    clashes = module_name_clashes(modules())
    assert not clashes, "rename one of each: " + "; ".join(f"{n}: {sorted(p)}" for n, p in sorted(clashes.items()))


def test_the_module_name_check_catches_a_second_state_py_and_a_module_named_like_a_package(tmp_path, planted):
    for name in ("network/state.py", "migration/state.py", "drift/model.py", "model/__init__.py",
                 "commands/model.py", "components/dr.py", "stackgraph/dr.py", "policy/rules/dr.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    clashes = module_name_clashes(sorted(tmp_path.rglob("*.py")))
    assert clashes == {"state.py": {"network/state.py", "migration/state.py"},
                       "model.py": {"commands/model.py", "drift/model.py"}}


def public_classes() -> Iterator[tuple[str, str]]:
    for path in modules():
        for node in parsed(path).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                yield node.name, rel(path)


def test_no_two_public_classes_share_a_name():
    where: dict[str, list[str]] = defaultdict(list)
    for name, module in public_classes():
        where[name].append(module)
    twice = {name: modules for name, modules in where.items() if len(modules) > 1}
    assert not twice, f"give each its own name: {twice}"


# --- errors and problems -------------------------------------------------------------------------

BUILTIN_EXCEPTIONS = {name for name in dir(__builtins__ if isinstance(__builtins__, dict) else __builtins__)
                      if name.endswith(("Error", "Exception"))} | {"Exception", "BaseException"}


def caught_here(tree: ast.Module, name: str) -> bool:
    return any(isinstance(node, ast.ExceptHandler) and isinstance(node.type, ast.Name) and node.type.id == name
               for node in ast.walk(tree))


def test_every_exception_govcloud_defines_belongs_to_the_one_hierarchy():
    """(A private signal raised and caught inside one module is control flow, not an error.)"""
    outside = []
    for path in modules():
        tree = parsed(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                         for b in node.bases}
                signal = node.name.startswith("_") and caught_here(tree, node.name)
                if bases & BUILTIN_EXCEPTIONS and not signal and \
                        not (path == SRC / "errors.py" and node.name == "GovcloudError"):
                    outside.append(f"{rel(path)}:{node.lineno} {node.name}")
    assert not outside, f"derive these from an error of govcloud/errors.py: {outside}"


def annotated_fields(node: ast.ClassDef) -> set[str]:
    return {item.target.id for item in node.body if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)}


def test_only_problem_carries_a_message_and_a_fix():
    shapes = []
    for path in modules():
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.ClassDef) and {"message", "fix"} <= annotated_fields(node):
                shapes.append(f"{rel(path)}:{node.name}")
    assert shapes == ["problems.py:Problem"], "report problems as govcloud.problems.Problem"


def test_no_error_carries_a_field_path_of_its_own():
    """A field path travels as a Problem (``InputError(..., at=path).problem``), not as ``.field``."""
    found = []
    for path in modules():
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Attribute) and node.attr == "field" and isinstance(node.ctx, ast.Store) \
                    and isinstance(node.value, ast.Name) and node.value.id == "self":
                found.append(f"{rel(path)}:{node.lineno}")
    assert not found


# --- paths ---------------------------------------------------------------------------------------

LAYOUT = {".state", "inventories", "migrations", "stacks", "policies", "build", "roles", "playbooks", "runs", "salts",
          "cleanup", "logs", "Pulumi.yaml", "ipam-ledger.yaml", "province.yaml", "hosts.yml", "clouds.yaml",
          "rollout.json", "exits.json", "drift.json", "migration-run.json", "seals", "ipv6-quality.json",
          "cloud-usage.json", "report-history.jsonl", ".cache", ".config", "govcloud", "/tmp", "/var/lib/govcloud"}
"""Names of the project's layout, of an environment's state and of the user's folders: paths.py's."""
SPELLED_ONCE = {".state", "inventories", "migrations", "Pulumi.yaml", "ipam-ledger.yaml", "hosts.yml",
                "clouds.yaml", "rollout.json", "exits.json", "drift.json", "migration-run.json", "ipv6-quality.json",
                "cloud-usage.json", "report-history.jsonl", "/var/lib/govcloud", "/tmp"}
"""Of those, the ones no other module may spell at all (the rest are also ordinary words and keys)."""
SPELLED_INSIDE = ("/var/lib/govcloud", ".state/", "~/.cache", "~/.config", ".cache/govcloud")
"""Nor inside a longer string (a help text that names a default place goes stale when paths.py moves it)."""
FILE_NAME = re.compile(r"^\.?[\w-]+(\.[\w-]+)*\.(json|jsonl|yaml|yml|lock|toml|ini|pickle|sqlite|db)$")


def strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)]
    return []


def layout_name(text: str) -> bool:
    return text in LAYOUT or text.startswith(tuple(f"{n}/" for n in LAYOUT)) or bool(re.fullmatch(r"Pulumi\.\{\}\.yaml", text))


def path_violations(path: Path) -> Iterator[str]:
    tree = parsed(path)
    docs = docstrings(tree)
    for node in ast.walk(tree):
        where = f"{rel(path)}:{getattr(node, 'lineno', 0)}"
        parts: list[ast.AST] = []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            parts = [node.left, node.right]
        elif isinstance(node, ast.Call) and (getattr(node.func, "id", None) == "Path"
                                             or getattr(node.func, "attr", None) in ("joinpath", "with_name")):
            parts = list(node.args)
        for part in parts:
            for text in strings(part):
                if layout_name(text):
                    yield f"{where}: joins {text!r} into a path"
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
            yield f"{where}: finds a folder from its own file (.parents[n])"
        if isinstance(node, ast.Attribute) and node.attr in ("home", "expanduser") or \
                isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("XDG_"):
            yield f"{where}: reads the user's folders"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                and (node.value in SPELLED_ONCE or any(root in node.value for root in SPELLED_INSIDE)):
            yield f"{where}: spells {node.value!r}"


def test_no_module_but_paths_knows_where_the_projects_files_and_state_live():
    found = [v for path in modules() if path != PATHS for v in path_violations(path)]
    assert not found, "ask govcloud.paths instead:\n" + "\n".join(found)


def test_the_path_check_catches_a_hard_coded_state_folder(tmp_path, planted):
    bad = tmp_path / "bad.py"
    bad.write_text('from pathlib import Path\n'
                   'ROOT = Path(__file__).resolve().parents[3]\n'
                   'def state(root):\n    return root / ".state" / "lab"\n'
                   'def settings(root, stack):\n    return root / "stacks" / f"Pulumi.{stack}.yaml"\n'
                   'LAB = Path("/var/lib/govcloud/openstack-lab")\n'
                   'RECORD = "rollout.json"\n'
                   'HELP = "default: under .state/pulumi"\n')
    found = list(path_violations(bad))
    joined = sorted(f.split("joins ")[1] for f in found if "joins" in f)
    assert joined == ["'.state' into a path", "'/var/lib/govcloud/openstack-lab' into a path",
                      "'Pulumi.{}.yaml' into a path", "'stacks' into a path"]
    assert any("parents" in f for f in found) and any("'rollout.json'" in f for f in found)
    assert any("/var/lib/govcloud/openstack-lab" in f for f in found)
    assert any("default: under .state/pulumi" in f for f in found)


def test_every_file_name_is_spelled_by_one_module():
    spelled: dict[str, set[str]] = defaultdict(set)
    for path in modules():
        tree = parsed(path)
        docs = docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                    and FILE_NAME.match(node.value):
                spelled[node.value].add(rel(path))
    twice = {name: sorted(places) for name, places in spelled.items() if len(places) > 1}
    assert not twice, f"name each file in one module and import the name: {twice}"


# --- imports at the top ---------------------------------------------------------------------------

LAZY = "# lazy:"


def unexplained_lazy_imports(path: Path) -> Iterator[str]:
    """Imports inside a function (at any depth) whose lines carry no ``# lazy:`` reason."""
    lines = path.read_text(encoding="utf-8").splitlines()

    def walk(node: ast.AST, in_function: bool) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, (ast.Import, ast.ImportFrom)) \
                    and not any(LAZY in line for line in lines[child.lineno - 1:child.end_lineno]):
                yield f"{rel(path)}:{child.lineno}: {lines[child.lineno - 1].strip()}"
            yield from walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    yield from walk(parsed(path), False)


def lazy_import_violations(files: list[Path]) -> list[str]:
    return [v for path in files if not rel(path).startswith(COMMANDS + "/") for v in unexplained_lazy_imports(path)]


def test_every_import_inside_a_function_says_why_it_is_not_at_the_top():
    found = lazy_import_violations(modules())
    assert not found, ("move each to the top of its module, or end its line with `# lazy: <reason>` "
                       "(measured: `python -X importtime`):\n" + "\n".join(found))


def test_the_import_check_catches_an_unexplained_import_in_a_function(tmp_path, planted):
    (tmp_path / "commands").mkdir()
    (tmp_path / "commands" / "cmd.py").write_text("def run():\n    from ..engine import automation\n")
    (tmp_path / "bad.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .context import Context\n"
        "import json\n"
        "def ok():\n    import openstack  # lazy: openstacksdk (2 s)\n"
        "    from pulumi import (automation,  # lazy: pulumi (1 s)\n                        runtime)\n"
        "def bad():\n    import yaml\n"
        "class Holder:\n    def method(self):\n        def inner():\n            from . import paths\n")
    found = lazy_import_violations(sorted(tmp_path.rglob("*.py")))
    assert found == ["bad.py:10: import yaml", "bad.py:14: from . import paths"]


# --- Production code knows no lab ------------------------------------------------------------

# Where the labs may be named: the labs themselves, and the commands that assemble (`lab`, `netlab`,
# `doctor` adding the labs' checks, a command given the lab's overlay when an environment has none).
MAY_KNOW_THE_LAB = ("lab/", f"{COMMANDS}/")


def imported_modules(where: str, tree: ast.Module) -> Iterator[str]:
    """The absolute names of the modules the module at ``where`` (relative to src/govcloud)
    imports, relative imports resolved."""
    package = ["govcloud", *where.split("/")[:-1]]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            name = ".".join([*base, *(node.module.split(".") if node.module else [])])
            yield name
            yield from (f"{name}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def lab_imports(sources: list[tuple[str, ast.Module]]) -> list[str]:
    return [f"{where} imports {name}" for where, tree in sources if not where.startswith(MAY_KNOW_THE_LAB)
            for name in sorted(set(imported_modules(where, tree)))
            if name == "govcloud.lab" or name.startswith("govcloud.lab.")]


def test_production_code_imports_no_lab_module():
    found = lab_imports([(rel(p), parsed(p)) for p in modules()])
    assert not found, "the labs supply their values through their overlays and the commands"


def test_the_lab_import_check_catches_a_relative_and_an_absolute_import():
    tree = ast.parse("from ..lab.openstack import api\nimport govcloud.lab.netlab\nfrom ..paths import state_root\n")
    assert lab_imports([("engine/planted.py", tree)]) == [
        "engine/planted.py imports govcloud.lab.netlab", "engine/planted.py imports govcloud.lab.openstack",
        "engine/planted.py imports govcloud.lab.openstack.api"]
    assert lab_imports([("lab/planted.py", tree), ("commands/planted.py", tree)]) == []
