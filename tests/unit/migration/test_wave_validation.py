"""Bad plans are rejected with errors naming the file and the system, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import yaml


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file()}


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def entry(data: dict, code: str) -> dict:
    return next(e for e in data["systems"] if e["code"] == code)


def test_the_planned_lab_validates(govcloud, planned):
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 0, result.err
    assert "valid lab: 3 waves" in result.out


def test_a_cycle_is_rejected_naming_file_and_system(govcloud, planned):
    edit(planned / "0002-city-a.yaml", lambda d: entry(d, "e-licence")["depends_on"].append("health-records"))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "0002-city-a.yaml" in result.err and "system 'e-licence'" in result.err
    assert "dependency cycle: e-licence -> health-records -> e-licence" in result.err


def test_a_pair_in_one_node_is_rejected(govcloud, planned):
    edit(planned / "0001-province.yaml", lambda d: entry(d, "unified-identity")["dr"].update(node="province"))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "0001-province.yaml:" in result.err and "system 'unified-identity'" in result.err
    assert "both halves of the dual-active pair are in node 'province'" in result.err


def test_a_missing_system_is_rejected_with_a_suggestion(govcloud, planned):
    edit(planned / "0001-province.yaml", lambda d: entry(d, "unified-identity").update(code="unified-identty"))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "system 'unified-identty': no such system in the model (fix: did you mean 'unified-identity'?)" \
        in result.err
    assert "system 'unified-identity': is in the model but in no wave" in result.err


def test_a_capacity_overrun_is_rejected_naming_wave_and_node(govcloud, planned, project):
    model = project / "inventories" / "lab" / "province.yaml"
    model.write_text(model.read_text(encoding="utf-8").replace("{vcpu: 32, ram_gb: 128, storage_gb: 2000}",
                                                               "{vcpu: 32, ram_gb: 128, storage_gb: 550}", 1),
                     encoding="utf-8")
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    # unified-identity's dual-active half (500 GB) still fits city-a in wave 1; school-enrolment does not.
    assert "0002-city-a.yaml" in result.err and "system 'school-enrolment'" in result.err
    assert "capacity overrun in wave 2: node 'city-a' storage_gb would reach 600 of 550" in result.err


def test_plan_that_cannot_fit_writes_nothing(govcloud, project):
    model = project / "inventories" / "lab" / "province.yaml"
    model.write_text(model.read_text(encoding="utf-8").replace("{vcpu: 64, ram_gb: 256, storage_gb: 4000}",
                                                               "{vcpu: 4, ram_gb: 256, storage_gb: 4000}"),
                     encoding="utf-8")
    result = govcloud("migrate", "plan", "--env", "lab", "--start", "2027-01-09")
    assert result.code == 2
    assert "systems.yaml:10: systems[0].target_node: system 'unified-identity': does not fit: node 'province' " \
        "vcpu would reach 8 of 4" in result.err
    assert not (project / "migrations" / "lab").exists()


def test_rpo_rto_inconsistent_with_dr_mode_is_rejected(govcloud, planned):
    edit(planned / "0002-city-a.yaml", lambda d: entry(d, "e-licence")["dr"].update(rpo_s=0))
    edit(planned / "0002-city-a.yaml", lambda d: entry(d, "school-enrolment")["dr"].update(rto_s=600))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "system 'e-licence': an off-site backup is asynchronous and cannot promise rpo_s 0" in result.err
    assert "system 'school-enrolment': without a DR copy" in result.err


def test_moving_before_a_dependency_needs_an_interim_link(govcloud, planned):
    def move_health_records_first(data):
        data["systems"].insert(0, data["systems"].pop(0))

    w2, w3 = planned / "0002-city-a.yaml", planned / "0003-city-a.yaml"
    health = entry(yaml.safe_load(w3.read_text(encoding="utf-8")), "health-records")
    edit(w3, lambda d: d["systems"].remove(entry(d, "health-records")))
    edit(w2, lambda d: d["systems"].insert(0, health))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "0002-city-a.yaml" in result.err
    assert "system 'health-records': listed before its dependency 'e-licence' in the same wave" in result.err
    edit(w2, lambda d: entry(d, "health-records").update(interim_links=["e-licence"]))
    assert "was changed after it was sealed" in govcloud("migrate", "validate", "--env", "lab").err
    signed = govcloud("migrate", "seal", "--env", "lab", "--wave", "2", "--wave", "3")  # the reviewers' sign-off
    assert signed.code == 0, signed.err
    assert govcloud("migrate", "validate", "--env", "lab").code == 0


def test_an_edited_done_wave_is_rejected_and_replanning_writes_nothing(govcloud, planned):
    assert govcloud("migrate", "mark", "--env", "lab", "--wave", "1", "--status", "in-progress").code == 0
    assert govcloud("migrate", "mark", "--env", "lab", "--wave", "1", "--status", "done").code == 0
    assert govcloud("migrate", "validate", "--env", "lab").code == 0
    edit(planned / "0001-province.yaml", lambda d: entry(d, "unified-identity").update(downtime_budget_s=7200))
    before = snapshot(planned)
    result = govcloud("migrate", "plan", "--env", "lab")
    assert result.code == 2
    assert "0001-province.yaml:" in result.err
    assert "wave 1 was changed after it was sealed: systems[0].downtime_budget_s (60 -> 7200)" in result.err
    assert snapshot(planned) == before


def test_a_wave_file_claiming_progress_is_refused(govcloud, planned):
    edit(planned / "0001-province.yaml", lambda d: d.update(status="done"))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "0001-province.yaml" in result.err and "progress is not kept in wave files" in result.err


def test_yaml_and_schema_errors_name_file_line_and_field(govcloud, planned):
    path = planned / "0003-city-a.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("strategy: rehost", "strategy: lift-and-shift"),
                    encoding="utf-8")
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if "lift-and-shift" in text)
    assert f"0003-city-a.yaml:{line}: systems[1].strategy: system 'farm-subsidies'" in result.err
    assert "use one of 'rehost'" in result.err


def test_a_downtime_budget_longer_than_the_rto_is_rejected(govcloud, planned):
    edit(planned / "0001-province.yaml", lambda d: entry(d, "unified-identity").update(downtime_budget_s=600))
    result = govcloud("migrate", "validate", "--env", "lab")
    assert result.code == 2
    assert "system 'unified-identity': downtime budget 600 s is longer than the RTO (60 s)" in result.err


def test_the_reported_cycle_is_a_real_cycle_reached_from_the_source_and_started_at_its_first_member():
    import networkx as nx

    from govcloud.migration.validation import ordered_cycle

    # p <-> q is a cycle the source does not reach; s only leads into x -> y -> z -> x.
    graph = nx.DiGraph([("p", "q"), ("q", "p"), ("s", "x"), ("x", "y"), ("y", "z"), ("z", "x")])
    rank = {"y": 0, "z": 1, "x": 2}
    cycle = ordered_cycle(graph, "s", key=rank.__getitem__)
    assert cycle == ["y", "z", "x"]
    assert all(graph.has_edge(a, b) for a, b in zip(cycle, cycle[1:] + cycle[:1]))
    # the member that sorts first starts it, whichever member the search met first
    assert ordered_cycle(graph, "x", key=lambda c: -rank[c]) == ["x", "y", "z"]
    assert ordered_cycle(graph, "z", key=lambda c: rank[c] != 1) == ["z", "x", "y"]
