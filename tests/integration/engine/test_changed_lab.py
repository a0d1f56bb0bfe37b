"""`up --changed` on the lab: one more department applied by a targeted run whose program
registers only its scope (govcloud.engine.registration) leaves the state a full run would: every
resource of the plan recorded, the new ones with the full program's dependencies, and a full
preview afterwards finds nothing to do.

The stack runs from a throw-away copy of the project (support.projects) against a throw-away
file backend in tmp_path; the extra department goes into the copy's departments.yaml."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stack
from govcloud.stackgraph.options import read_stack_options
from support.projects import copy_lab_project

# Passed twice on a warm lab instance (939 s at load 20); `make test-long` runs it: CI's budget
# already holds the kill test's 20-30 min.
pytestmark = [pytest.mark.integration, pytest.mark.long]

STACK = "lab-province"
EXTRA = {"code": "prov-water", "name": "省水利厅", "tier": "province", "node": "province", "site": "core",
         "quotas": {"routers": 3}}


def govcloud(*args: str, project: Path, backend: str, clouds_yaml: Path | None = None, json_output: bool = True):
    command = [str(Path(sys.executable).parent / "govcloud"), *args, "--env", "lab", "--backend", backend]
    command += ["--format", "json", "--clouds-yaml", str(clouds_yaml)] if json_output else []
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return json.loads(done.stdout) if json_output else done.stdout


def _changes(result: dict) -> dict[str, int]:
    (stack,) = result["stacks"]
    return {k: n for k, n in stack["changes"].items() if k != "same" and n}


def test_a_department_added_with_changed_leaves_the_state_a_full_run_would(tmp_path, engine, clouds_yaml):
    project = copy_lab_project(tmp_path / "project")
    backend = (tmp_path / "state").as_uri()
    (tmp_path / "state").mkdir()
    run = lambda *args: govcloud(*args, project=project, backend=backend, clouds_yaml=clouds_yaml)  # noqa: E731
    try:
        run("up", "--stack", STACK)
        departments = project / "inventories" / "lab" / "departments.yaml"
        data = yaml.safe_load(departments.read_text(encoding="utf-8"))
        data["departments"].append(EXTRA)
        departments.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        environment = load_environment("lab", project)
        graph = plan_stack(environment.province, plan_environment(environment), "lab", STACK,
                           read_stack_options(project, STACK))  # the stack settings' options (no BGP in the lab)
        new = [spec for spec in graph.resources if spec.name == EXTRA["code"] or spec.parent == EXTRA["code"]]

        grown = run("up", "--stack", STACK, "--changed")
        assert _changes(grown) == {"create": len(new)}
        log = Path(grown["stacks"][0]["log"]).read_text(encoding="utf-8")
        registered = int(log.split("the program registers ")[1].split()[0])
        assert len(new) <= registered < len(graph.resources) // 2, log[:2000]

        exported = tmp_path / "export.json"
        govcloud("state", "export", "--stack", STACK, "--output", str(exported), project=project, backend=backend,
                 json_output=False)
        state = {r["urn"]: r for r in json.loads(exported.read_text(encoding="utf-8"))["deployment"]["resources"]}
        assert {graph.urn(spec) for spec in graph.resources} <= set(state)
        by_name = graph.by_name()
        for spec in new:
            if spec.is_component:
                continue
            wanted = {graph.urn(by_name[ref.name]) for ref in spec.refs()} | {graph.urn(by_name[name])
                                                                             for name in spec.depends_on}
            recorded = set(state[graph.urn(spec)].get("dependencies") or ())
            assert recorded == wanted, spec.name

        assert _changes(run("preview", "--stack", STACK)) == {}
    finally:
        run("destroy", "--stack", STACK)
