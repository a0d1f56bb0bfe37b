"""Agreement: for the lab province, the offline plan and the engine's `pulumi preview --json`
give the same set of URNs with the same inputs.

The preview runs against an empty file backend, so every resource is a create and the engine
reports the inputs it would send. It runs on a copy of the project whose stack settings turn the
nodes' BGP speakers on (the lab's own settings leave them out until its Neutron runs
neutron-dynamic-routing), so the one-network resources are compared too: a preview sends nothing
to Neutron. Values the plan leaves to references (Ref, Lookup) are unknown
in a preview too; they are compared only for presence. The engine adds the stack resource and the
default provider, which the plan does not model.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from govcloud.engine.credentials import load_credentials
from govcloud.engine.discovery import engine_env
from govcloud.engine.salt import salt_outside_config
from govcloud.engine.settings import default_passphrase_file, ensure_passphrase_file
from govcloud.ipam import plan_environment
from govcloud.lab.openstack import ADMIN_CLOUD
from govcloud.model import load_environment
from govcloud.stackgraph import Lookup, Ref, StackOutputRef, plan_stack
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.options import read_stack_options
from support.projects import copy_lab_project

pytestmark = pytest.mark.integration

STACK = "lab-province"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's marker for an unknown value


def _project_with_speakers(project: Path) -> Path:
    """The lab with its BGP speakers on and its unified exit built as a cloud router, so that the
    comparison covers the speakers and the exit's router, ports and gateway (the lab's own exit is
    an appliance, which no stack builds)."""
    copy_lab_project(project, speakers=True)
    exits = project / "inventories" / "lab" / "exits.yaml"
    text = exits.read_text(encoding="utf-8")
    assert text.count("kind: appliance") == 1, "the lab's exits changed; update this test"
    exits.write_text(text.replace("kind: appliance", "kind: cloud-router"), encoding="utf-8")
    return project


def _engine_preview(engine, clouds_yaml: Path, state: Path, project: Path) -> list[dict]:
    env = engine_env(engine, state)
    env["PULUMI_BACKEND_URL"] = state.as_uri()
    env.pop("PULUMI_CONFIG_PASSPHRASE", None)
    env["PULUMI_CONFIG_PASSPHRASE_FILE"] = str(ensure_passphrase_file(default_passphrase_file()))
    env.update(load_credentials(ADMIN_CLOUD, clouds_yaml).engine_env("RegionOne"))
    cli = str(engine.cli)
    # `stack init` writes this backend's salt into the committed stack config: keep it aside.
    with salt_outside_config(project / "stacks" / f"Pulumi.{STACK}.yaml", state / "salt"):
        subprocess.run([cli, "stack", "init", STACK, "--secrets-provider", "passphrase", "--non-interactive"],
                       cwd=project, env=env, check=True, capture_output=True, text=True)
        done = subprocess.run([cli, "preview", "--json", "--stack", STACK, "--non-interactive"], cwd=project,
                              env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-4000:] + done.stdout[-4000:]
    return json.loads(done.stdout)["steps"]


def _comparable(value):
    if isinstance(value, (Ref, Lookup, StackOutputRef)):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    return value


def _same(expected, actual) -> bool:
    if expected == UNKNOWN:
        return True  # a reference: unknown in the preview, or already known (e.g. a lookup)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return set(expected) <= set(actual) and all(_same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(_same(e, a) for e, a in zip(expected, actual))
    return expected == actual


def test_offline_plan_agrees_with_engine_preview(tmp_path, engine, clouds_yaml):
    project = _project_with_speakers(tmp_path / "project")
    state = tmp_path / "state"
    state.mkdir()
    environment = load_environment("lab", project)
    graph = plan_stack(environment.province, plan_environment(environment), "lab", STACK,
                       read_stack_options(project, STACK))  # as `govcloud plan` does
    # The one-network resources and a cloud-router exit are part of what is compared.
    assert {t.BGP_SPEAKER, t.BGP_PEER, t.PORT, t.SUBNET_POOL, t.ROUTER} <= {r.type for r in graph.resources}
    assert any(r.type == t.ROUTER and r.name.startswith("unified-") for r in graph.resources)
    steps = _engine_preview(engine, clouds_yaml, state, project)
    engine_urns = {s["urn"]: s for s in steps
                   if not s["urn"].split("::")[2].startswith(("pulumi:pulumi:Stack", "pulumi:providers:"))}
    offline = graph.urns()
    assert set(engine_urns) == set(offline)
    problems = []
    for urn, spec in offline.items():
        step = engine_urns[urn]
        inputs = (step.get("newState") or {}).get("inputs", {})
        expected = _comparable(dict(spec.inputs))
        extra = set(inputs) - set(expected) - {"__defaults"} - set(inputs.get("__defaults", []))
        if step["op"] != "create":
            problems.append(f"{urn}: op {step['op']}")
        if not _same(expected, inputs):
            problems.append(f"{urn}: plan {expected} != engine {inputs}")
        if extra:
            problems.append(f"{urn}: the engine adds inputs {sorted(extra)}")
    assert not problems, "\n".join(problems)
