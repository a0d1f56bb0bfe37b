"""The validate and ipam commands: output formats, exit codes, ledger writing."""

from __future__ import annotations

import csv
import io
import json

import pytest

from govcloud import cli


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_validate_json_summarises_the_model(capsys):
    code, out, _ = run(["validate", "--env", "lab", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["valid"] and data["nodes"] == 3 and data["sites"]["county"] == 3


def test_plan_without_write_leaves_the_ledger_alone_and_reports_new_keys(lab_copy, capsys):
    with open(lab_copy / "departments.yaml", "a", encoding="utf-8") as f:
        f.write("  - {code: city-b-water, name: 乙市水利局, tier: city, node: city-b, site: city-b}\n")
    before = (lab_copy / "ipam-ledger.yaml").read_bytes()
    code, out, _ = run(["ipam", "plan", "--env", str(lab_copy), "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data["added"]) == {"dept:city-b-water", "subnet:city-b-water/business", "v4:dept:city-b-water",
                                  "v4:subnet:city-b-water/business"}
    assert (lab_copy / "ipam-ledger.yaml").read_bytes() == before
    code, out, _ = run(["ipam", "plan", "--env", str(lab_copy), "--write-ledger", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["ledger_written"]
    code, out, _ = run(["ipam", "plan", "--env", str(lab_copy), "--format", "json"], capsys)
    assert json.loads(out)["added"] == []


def test_show_filters_by_level_and_rejects_an_unknown_one(capsys):
    code, out, _ = run(["ipam", "show", "--env", "lab", "--level", "city", "--format", "json"], capsys)
    assert code == 0
    assert {a["key"] for a in json.loads(out)} == {"site:city-a", "site:city-b"}
    code, _, err = run(["ipam", "show", "--env", "lab", "--level", "metro"], capsys)
    assert code == 2 and "use one of" in err


def test_export_csv_parses(capsys):
    code, out, _ = run(["ipam", "export", "--env", "lab", "--format", "csv"], capsys)
    assert code == 0
    assert len(list(csv.DictReader(io.StringIO(out)))) > 50


def test_bad_arguments_exit_2(capsys):
    code, _, _ = run(["ipam", "export", "--env", "lab", "--format", "xml"], capsys)
    assert code == 2
    code, _, _ = run(["validate"], capsys)
    assert code == 2


def test_free_refuses_a_key_still_in_use(lab_copy, capsys):
    code, _, err = run(["ipam", "free", "--env", str(lab_copy), "dept:city-a-edu"], capsys)
    assert code == 2 and "still in use" in err
