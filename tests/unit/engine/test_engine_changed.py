"""`--changed` through the runner: the stack's exported state in, the engine called with the
targets and ``target_dependents`` (a fake Automation API stack records the call)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from engine_states import applied, with_cloud_router_exit

from govcloud.engine import automation, stackrun
from govcloud.engine.parallel import StacksFailed
from govcloud.engine.automation import Operation, run
from govcloud.engine.bgpplacement import SpeakerPlacement
from govcloud.engine.settings import EngineSettings
from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stack
from govcloud.stackgraph.scope import CONFIG_KEY, RegistrationScope

ROOT = Path(__file__).resolve().parents[3]


class FakeStack:
    """What a StackRun uses of auto.Stack (preview()/up()) and of the scratch workspace (export_stack)."""

    def __init__(self, deployment: dict) -> None:
        self.deployment = deployment
        self.calls: list[tuple[str, dict]] = []
        self.workspace = SimpleNamespace(env_vars={})  # where a run sets PULUMI_SKIP_CHECKPOINTS

    def export_stack(self, name: str = ""):
        return SimpleNamespace(version=3, deployment=self.deployment["deployment"])

    def preview(self, **kwargs):
        # The run's private settings file is gone once the run ends: keep what the program would read.
        kwargs["settings"] = yaml.safe_load(Path(kwargs["config_file"]).read_text(encoding="utf-8"))
        self.calls.append(("preview", kwargs))
        return SimpleNamespace(change_summary={"create": len(kwargs.get("target", [])), "same": 1})

    def up(self, **kwargs):
        self.calls.append(("up", kwargs))
        return SimpleNamespace(summary=SimpleNamespace(resource_changes={"create": 1}), outputs={})

    destroy = refresh = up  # never called here: the runner only looks them up


@pytest.fixture
def lab_province():
    # With a cloud-router exit: its router's external network is read at run time (undecided).
    loaded = load_environment("lab", ROOT)
    environment = dataclasses.replace(loaded, province=with_cloud_router_exit(loaded.province))
    return environment, plan_stack(environment.province, plan_environment(environment), "lab", "lab-province")


@pytest.fixture
def fake_engine(tmp_path, monkeypatch):
    """Everything but the Automation API stack replaced; returns a setter for the stack's state."""
    from pulumi import automation as auto

    stack_holder: dict[str, FakeStack] = {}
    install = automation.EngineInstall(cli=tmp_path / "bin" / "pulumi", bin_dir=tmp_path / "bin",
                                   pulumi_home=tmp_path / "home", source="path")
    monkeypatch.setattr(automation, "find_engine", lambda: install)
    monkeypatch.setattr(automation, "load_credentials", lambda cloud, path: automation.CloudCredentials(cloud, None, {}, None))
    monkeypatch.setattr(automation, "check_login", lambda credentials, admin=False: None)
    # The scratch workspace exports the state; the cloud is never asked (no services to check,
    # no dead run's lock, no objects of the stack already there).
    monkeypatch.setattr(stackrun, "engine_workspace", lambda *args: stack_holder["stack"])
    monkeypatch.setattr(stackrun.CloudAccess, "check", lambda self, types, during="": None)
    monkeypatch.setattr(stackrun, "release_stale_locks", lambda *args: [])
    monkeypatch.setattr(stackrun, "existing_objects", lambda graph, finder: [])
    monkeypatch.setattr(stackrun.CloudAccess, "finder", lambda self: None)
    # The stack's BGP speakers are all on agents (bgpplacement asks the cloud otherwise).
    monkeypatch.setattr(stackrun, "settle", lambda conn, names: SpeakerPlacement())
    monkeypatch.setattr(stackrun.CloudAccess, "connection", lambda self, region=None: None)
    monkeypatch.setattr(auto.Stack, "create_or_select", staticmethod(lambda name, workspace: stack_holder["stack"]))
    monkeypatch.setattr(auto.Stack, "select", staticmethod(lambda name, workspace: stack_holder["stack"]))
    monkeypatch.setenv("GOVCLOUD_PASSPHRASE_FILE", str(tmp_path / "passphrase"))
    (tmp_path / "project" / "stacks").mkdir(parents=True)
    (tmp_path / "project" / "Pulumi.yaml").write_text("name: govcloud\nruntime: python\nstackConfigDir: stacks\n")

    def use(deployment: dict) -> FakeStack:
        stack_holder["stack"] = FakeStack(deployment)
        return stack_holder["stack"]

    return use


def _settings(tmp_path: Path) -> EngineSettings:
    return EngineSettings(tmp_path / "project", changed_only=True, log_dir=tmp_path / "logs")


def test_a_new_department_is_previewed_alone(tmp_path, fake_engine, lab_province):
    environment, graph = lab_province
    state = applied(graph)
    department = {graph.urn(s) for s in graph.resources if s.name == "prov-health" or s.parent == "prov-health"}
    state["deployment"]["resources"] = [r for r in state["deployment"]["resources"] if r["urn"] not in department]
    stack = fake_engine(state)
    [result] = run(Operation.PREVIEW, environment, ["lab-province"], _settings(tmp_path), quiet=True)
    [(operation, kwargs)] = stack.calls
    assert operation == "preview" and kwargs["target_dependents"] is True
    assert department <= set(kwargs["target"])
    assert len(kwargs["target"]) == len(department) + 1  # + the exit router's external-network lookup
    assert result.targeted == len(kwargs["target"])
    log = Path(result.log).read_text()
    assert f"{len(department)} new" in log and "undecided" in log


def test_the_program_of_a_targeted_run_registers_its_scope_only(tmp_path, fake_engine, lab_province):
    environment, graph = lab_province
    state = applied(graph)
    department = {s.name for s in graph.resources if s.name == "prov-health" or s.parent == "prov-health"}
    urns = {graph.urn(graph.by_name()[name]) for name in department}
    state["deployment"]["resources"] = [r for r in state["deployment"]["resources"] if r["urn"] not in urns]
    stack = fake_engine(state)
    [result] = run(Operation.PREVIEW, environment, ["lab-province"], _settings(tmp_path), quiet=True)
    [(_, kwargs)] = stack.calls
    scope = RegistrationScope.from_json(kwargs["settings"]["config"][f"govcloud:{CONFIG_KEY}"])
    assert department <= scope.names and len(scope.names) < len(graph.resources) / 2
    assert "prov-gov-office-project" not in scope.names and "prov-gov-office-project" in scope.known
    assert f"the program registers {len(scope.names)}" in Path(result.log).read_text()


def test_a_stack_without_state_runs_in_full(tmp_path, fake_engine, lab_province):
    environment, _ = lab_province
    stack = fake_engine({"version": 3, "deployment": {"resources": []}})
    [result] = run(Operation.UP, environment, ["lab-province"], _settings(tmp_path), quiet=True)
    [(operation, kwargs)] = stack.calls
    assert operation == "up" and "target" not in kwargs and result.targeted is None


def test_a_refused_targeting_runs_nothing_and_says_why(tmp_path, fake_engine, lab_province):
    environment, graph = lab_province
    state = applied(graph)
    state["deployment"]["pending_operations"] = [{"type": "creating", "resource": {"urn": graph.urn(graph.resources[1])}}]
    stack = fake_engine(state)
    # A preview: an `up` resolves a killed run's pending operations first (see engine/resume.py).
    with pytest.raises(StacksFailed) as caught:
        run(Operation.PREVIEW, environment, ["lab-province"], _settings(tmp_path), quiet=True)
    assert stack.calls == []
    assert "--changed refused for lab-province" in caught.value.message
    assert "without --changed" in caught.value.fix


def test_a_targeted_run_checks_policies_offline_instead_of_in_the_engine(tmp_path, fake_engine, lab_province,
                                                                          monkeypatch):
    """The engine's stack policies would see only the targeted part of the stack (measured: a
    tenant network whose subnets were not targeted read as having none, and the preview failed)."""
    from govcloud.engine import changed

    environment, graph = lab_province
    state = applied(graph)
    state["deployment"]["resources"] = [r for r in state["deployment"]["resources"]
                                        if not r["urn"].endswith("::prov-health-compute-quota")]
    stack = fake_engine(state)
    checked: list[tuple[str, str]] = []
    monkeypatch.setattr(changed, "offline_policy_gate", lambda env, root, name: checked.append((env, name)))
    settings = EngineSettings(tmp_path / "project", changed_only=True, log_dir=tmp_path / "logs",
                              policy_packs=(tmp_path / "pack",))
    run(Operation.UP, environment, ["lab-province"], settings, quiet=True)
    [(_, kwargs)] = stack.calls
    assert "policy_packs" not in kwargs and kwargs["target"]
    assert checked == [("lab", "lab-province")]


def test_the_offline_gate_refuses_a_stack_with_mandatory_findings(monkeypatch):
    from govcloud.engine import changed
    from govcloud.errors import PolicyViolation
    from govcloud.policy import offline

    finding = SimpleNamespace(rule_id="GOV-NET-001", message="network n has no IPv4 and no IPv6 subnet")
    result = SimpleNamespace(passed=False, mandatory=[finding])
    monkeypatch.setattr(offline, "check_environment",
                        lambda env, root, stacks: (SimpleNamespace(env=env), result, None))
    with pytest.raises(PolicyViolation) as caught:
        changed.offline_policy_gate("lab", ROOT, "lab-province")
    assert "GOV-NET-001" in caught.value.message and caught.value.findings == [finding]
