"""Issue 15: what was reviewed is what runs, and nothing rewrites it.

* `migrate run` validates the plan first and refuses a wave changed after it was sealed (exit 2,
  naming the file, the wave and the field), before any step runs.
* Every wave that carries a seal is checked (planned and in-progress ones too), and the window is
  part of what is sealed.
* An environment given by path keeps its waves beside it; the project's own are never written.
* A wave's DR node and the model's ``dr_node`` agree, or validation names both.
* Progress has one source, the run state: `mark`, `status` and `kpi` agree, and wave files stay as
  they were committed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from govcloud.commands import migrate, migrate_exec
from govcloud.commands.migrate_exec import register_into
from govcloud.migration.execution.executor import WaveRunReport


@pytest.fixture(autouse=True)
def wired():
    register_into(migrate.app)


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def entry(data: dict, code: str) -> dict:
    return next(e for e in data["systems"] if e["code"] == code)


def texts(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def executors(monkeypatch) -> list:
    """Stands in for the executor at the point of use: records that a run would have started."""
    made = []

    class Recording:
        def __init__(self, env_name, loaded, state_dir, provisioner, driver, after_step=None):
            made.append(loaded)

        def run(self):
            return WaveRunReport(loaded_wave(made))

    monkeypatch.setattr(migrate_exec, "Executor", Recording)
    return made


def loaded_wave(made: list) -> int:
    return made[-1].wave.wave


# -- migrate run validates first ----------------------------------------------------------------
def test_run_refuses_a_wave_changed_after_it_was_sealed_naming_file_wave_and_field(govcloud, planned, project,
                                                                                    executors):
    edit(planned / "0002-city-a.yaml", lambda d: entry(d, "relief-payments")["dr"].update(rto_s=172800))
    before = texts(planned)
    result = govcloud("migrate", "run", "--env", "lab", "--wave", "2", "--provisioner", "planned")
    assert result.code == 2, result.err
    assert "0002-city-a.yaml:" in result.err and "wave 2 was changed after it was sealed" in result.err
    assert "systems[1].dr.rto_s (86400 -> 172800)" in result.err
    assert executors == [], "no step may run"
    assert texts(planned) == before and not (project / ".state" / "lab" / "migration-run.json").exists()


def test_run_refuses_a_plan_that_does_not_validate_even_when_another_wave_is_at_fault(govcloud, planned, executors):
    edit(planned / "0003-city-a.yaml", lambda d: d["systems"].append({**entry(d, "farm-subsidies"),
                                                                       "code": "no-such-system"}))
    result = govcloud("migrate", "run", "--env", "lab", "--wave", "1", "--provisioner", "planned")
    assert result.code == 2 and "no-such-system" in result.err
    assert executors == []


def test_run_refuses_a_wave_that_was_never_sealed(govcloud, planned, executors):
    edit(planned / "0001-province.yaml", lambda d: d.pop("content_hash"))
    result = govcloud("migrate", "run", "--env", "lab", "--wave", "1", "--provisioner", "planned")
    assert result.code == 2 and "never sealed" in result.err and "migrate seal --wave 1" in result.err
    assert executors == []


@pytest.mark.parametrize("number", [1, 2, 3])
def test_run_of_every_sealed_wave_of_the_lab_goes_ahead(govcloud, planned, executors, number):
    result = govcloud("migrate", "run", "--env", "lab", "--wave", str(number), "--provisioner", "planned")
    assert result.code == 0, result.err
    assert [lw.wave.wave for lw in executors] == [number]


# -- every seal is checked ----------------------------------------------------------------------
@pytest.mark.parametrize("progress", [None, "in-progress", "done"])
def test_every_sealed_wave_is_checked_whatever_its_progress(govcloud, planned, progress):
    for status in {None: [], "in-progress": ["in-progress"], "done": ["in-progress", "done"]}[progress]:
        assert govcloud("migrate", "mark", "--env", "lab", "--wave", "1", "--status", status).code == 0
    edit(planned / "0001-province.yaml", lambda d: entry(d, "unified-identity").update(name="renamed"))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "wave 1 was changed after it was sealed: systems[0].name" in result.err
    fix = "put changes in a new wave" if progress else "govcloud migrate seal --wave 1"
    assert fix in result.err


def test_a_rescheduled_wave_is_a_changed_wave(govcloud, planned):
    edit(planned / "0002-city-a.yaml", lambda d: d["window"].update(end="2027-01-17T07:00:00+08:00"))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2 and "window.end" in result.err


def test_the_changed_field_is_named_from_version_control_when_no_seal_is_archived(govcloud, planned, project):
    shutil.rmtree(project / ".state" / "lab" / "seals")
    git = ["git", "-C", str(planned), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "reviewed"], check=True)
    edit(planned / "0001-province.yaml", lambda d: entry(d, "unified-identity")["dr"].update(node="city-b"))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "systems[0].dr.node (\"city-a\" -> \"city-b\")" in result.err


def test_a_started_wave_cannot_be_sealed_again(govcloud, planned):
    assert govcloud("migrate", "mark", "--env", "lab", "--wave", "1", "--status", "in-progress").code == 0
    edit(planned / "0001-province.yaml", lambda d: entry(d, "unified-identity").update(name="renamed"))
    result = govcloud("migrate", "seal", "--env", "lab", "--wave", "1")
    assert result.code == 2 and "wave 1 is in-progress" in result.err


# -- an environment given by path ---------------------------------------------------------------
def test_plan_of_an_environment_given_by_path_writes_beside_it_only(govcloud, planned, project, tmp_path_factory):
    copy = tmp_path_factory.mktemp("elsewhere") / "lab"  # the same name as the project's environment
    shutil.copytree(project / "inventories" / "lab", copy)
    before = texts(project)
    result = govcloud("migrate", "plan", "--env", str(copy), "--start", "2027-03-06")
    assert result.code == 0, result.err
    assert texts(project) == before, "nothing of the project may change"
    assert sorted(p.name for p in (copy / "migrations").glob("*.yaml")) == \
        ["0001-province.yaml", "0002-city-a.yaml", "0003-city-a.yaml"]
    assert "2027-03-06" in (copy / "migrations" / "0001-province.yaml").read_text(encoding="utf-8")
    assert govcloud("migrate", "validate", "--env", str(copy)).code == 0


def test_plan_writes_where_migrations_says(govcloud, project, tmp_path_factory):
    before = texts(project)
    folder = tmp_path_factory.mktemp("waves")
    result = govcloud("migrate", "plan", "--env", "lab", "--migrations", str(folder), "--start", "2027-01-09")
    assert result.code == 0, result.err
    assert len(list(folder.glob("*.yaml"))) == 3
    assert not (project / "migrations").exists()
    assert {k: v for k, v in texts(project).items() if not k.startswith(".state/")} == before


# -- the DR node is the model's ---------------------------------------------------------------------
def test_a_wave_dr_node_other_than_the_models_is_refused_naming_both(govcloud, planned):
    edit(planned / "0002-city-a.yaml", lambda d: entry(d, "e-licence")["dr"].update(node="city-a"))
    edit(planned / "0002-city-a.yaml", lambda d: entry(d, "e-licence")["owners"].update(dr="city-a"))
    edit(planned / "0002-city-a.yaml", lambda d: d.pop("content_hash"))  # a draft: only the DR rule speaks
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "system 'e-licence': dr.node is 'city-a' but the model's dr_node is 'city-b'" in result.err
    assert "0002-city-a.yaml:" in result.err and "systems[0].dr.node" in result.err


# -- one source of truth for progress ---------------------------------------------------------------
def test_mark_records_progress_in_the_state_and_status_and_kpi_read_it(govcloud, planned, project):
    before = texts(planned)
    for status in ("in-progress", "done"):
        assert govcloud("migrate", "mark", "--env", "lab", "--wave", "1", "--status", status).code == 0
    assert texts(planned) == before, "the reviewed wave files do not change"
    shown = json.loads(govcloud("migrate", "status", "--env", "lab", "--format", "json").out)
    assert shown["status"] == {"1": "done", "2": "planned", "3": "planned"}
    kpis = json.loads(govcloud("kpi", "--env", "lab", "--format", "json", "--as-of", "2027-01-31").out)["kpis"]
    adoption = next(k for k in kpis if (k["kpi"], k["scope"]) == ("cloud adoption", "province"))
    assert adoption["achieved"] == 1
    (project / ".state" / "lab" / "migration-run.json").unlink()  # the state is the only place it was
    kpis = json.loads(govcloud("kpi", "--env", "lab", "--format", "json", "--as-of", "2027-01-31").out)["kpis"]
    assert next(k for k in kpis if (k["kpi"], k["scope"]) == ("cloud adoption", "province"))["achieved"] == 0


def test_replanning_keeps_a_wave_the_state_says_started(govcloud, planned, project):
    assert govcloud("migrate", "mark", "--env", "lab", "--wave", "1", "--status", "in-progress").code == 0
    result = govcloud("migrate", "plan", "--env", "lab", "--start", "2027-06-05", "--format", "json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["kept"] == ["0001-province.yaml"]
    assert "2027-01-09" in (planned / "0001-province.yaml").read_text(encoding="utf-8")
    assert "2027-06-05" in (planned / summary["planned"][0]).read_text(encoding="utf-8")


def test_a_wave_that_ran_names_its_changed_field_even_without_version_control(govcloud, planned, project,
                                                                               executors):
    shutil.rmtree(project / ".state" / "lab" / "seals")  # nothing archived by the plan, and no git here
    assert govcloud("migrate", "run", "--env", "lab", "--wave", "1", "--provisioner", "planned").code == 0
    edit(planned / "0001-province.yaml", lambda d: entry(d, "unified-identity").update(downtime_budget_s=30))
    result = govcloud("migrate", "run", "--env", "lab", "--wave", "1", "--provisioner", "planned")
    assert result.code == 2 and "systems[0].downtime_budget_s (60 -> 30)" in result.err
