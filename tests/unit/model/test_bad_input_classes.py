"""Bad input by class (issue 13): every case is refused by `govcloud validate` with exit code 2 and
a first error line `file:line: field: message (fix: …)`, and no file of the environment changes.

The cases live in tests/data/bad_models/classes.yaml, several per class, so that a class is fixed
rather than one example of it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from govcloud import cli
from support.model_edits import apply_edits, snapshot

CASES = yaml.safe_load((Path(__file__).parents[2] / "data" / "bad_models" / "classes.yaml").read_text())
OLD_CASES = yaml.safe_load((Path(__file__).parents[2] / "data" / "bad_models" / "cases.yaml").read_text())


def run_valid(args: list[str]) -> None:
    """The CLI on input that must be valid: exit code 0."""
    try:
        cli.main(args)
    except SystemExit as exc:
        assert exc.code in (0, None), f"exit code {exc.code}"


def validate(env: Path, capsys) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", "--env", str(env)])
    err = capsys.readouterr().err
    return exit_info.value.code, [line for line in err.splitlines() if line.strip()]


def test_the_corpus_covers_every_class_with_several_cases():
    classes = Counter(c["class"] for c in CASES)
    assert set(classes) == {"space", "ipv6", "api", "types", "graph", "dr", "duplicates", "files", "ledger", "yaml",
                            "several"}
    assert min(classes.values()) >= 4, classes
    assert len(CASES) + len(OLD_CASES) >= 60
    assert len({c["id"] for c in CASES + OLD_CASES}) == len(CASES) + len(OLD_CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_is_refused_at_validate_with_file_line_field_and_fix(case, lab_copy, capsys):
    apply_edits(case, lab_copy)
    before = snapshot(lab_copy)
    code, lines = validate(lab_copy, capsys)
    assert code == 2, f"exit code {code}: {lines}"
    assert lines and "Traceback" not in "\n".join(lines)
    for expected in [case, *case.get("also", [])]:  # "several": every error of one run, each located
        assert_located(expected, lines, lab_copy)
    assert snapshot(lab_copy) == before, "a file of the environment changed although the input was refused"


def assert_located(expected: dict, lines: list[str], env: Path) -> None:
    first = next((line for line in lines if expected["message"] in line), None)
    assert first is not None, f"{expected['message']!r} not in:\n" + "\n".join(lines)
    file = re.escape(str(env / expected["file"]))
    line = r":\d+" if expected.get("line", True) else ""
    field = f": {re.escape(expected['field'])}" if expected["field"] else ""
    assert re.search(f"{file}{line}{field}", first), f"expected {expected['file']}{line}{field} in {first!r}"
    assert re.search(r"\(fix: .*" + re.escape(expected["fix"]), first), f"fix {expected['fix']!r} not in {first!r}"


def test_a_byte_order_mark_is_valid_yaml(lab_copy, capsys):
    for name in ("province.yaml", "systems.yaml", "ipam-ledger.yaml"):
        path = lab_copy / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    run_valid(["validate", "--env", str(lab_copy)])
    assert "valid lab" in capsys.readouterr().out


def test_a_model_file_saved_as_yml_is_read(lab_copy, capsys):
    (lab_copy / "systems.yaml").rename(lab_copy / "systems.yml")
    run_valid(["validate", "--env", str(lab_copy), "--format", "json"])
    assert '"systems": 7' in capsys.readouterr().out


def test_unlimited_quota_is_accepted(lab_copy, capsys):
    path = lab_copy / "departments.yaml"
    path.write_text(path.read_text().replace("instances: 20,", "instances: -1,", 1))
    run_valid(["validate", "--env", str(lab_copy)])
    assert "valid lab" in capsys.readouterr().out


@pytest.mark.parametrize("replace_with", ["folder", "broken link", "link to itself"])
def test_a_model_file_that_cannot_be_read_is_refused_not_skipped(lab_copy, capsys, replace_with):
    # Skipped, a systems.yaml that is a folder or a broken link would be "no systems" and release
    # every replication prefix the ledger holds for them.
    path = lab_copy / "systems.yaml"
    path.unlink()
    if replace_with == "folder":
        path.mkdir()
    else:
        path.symlink_to(lab_copy / "nowhere.yaml" if replace_with == "broken link" else path)
    before = snapshot(lab_copy)
    code, lines = validate(lab_copy, capsys)
    assert code == 2, lines
    assert lines[0].startswith(f"error: {path}: the file cannot be read") and "(fix: make it a regular YAML file" in lines[0]
    assert snapshot(lab_copy) == before


def test_a_folder_in_the_ledger_s_place_is_refused_at_validate(lab_copy, capsys):
    ledger = lab_copy / "ipam-ledger.yaml"
    ledger.unlink()
    ledger.mkdir()
    code, lines = validate(lab_copy, capsys)
    assert code == 2 and lines[0].startswith(f"error: {ledger}: the ledger is not a readable file"), lines


def test_other_yaml_beside_the_model_is_left_alone(lab_copy, capsys):
    (lab_copy / "hosts.yml").write_text("all:\n  hosts: {r1: {ansible_host: 192.0.2.1}}\n", encoding="utf-8")
    (lab_copy / "notes.yaml").write_text("- not a mapping\n", encoding="utf-8")
    run_valid(["validate", "--env", str(lab_copy)])
    assert "valid lab" in capsys.readouterr().out


@pytest.mark.parametrize("edit", [
    ("extranet.yaml", "    ipv4_in_use: [198.18.16.0/20]\n", "    ipv4_in_use: 198.18.16.0/20\n"),
    ("extranet.yaml", "name: 甲市中级人民法院}", "name: " + "长" * 70 + "}"),
])
def test_a_refused_city_entry_is_not_also_reported_as_unknown_in_targets(lab_copy, capsys, edit):
    # The city's own error says what is wrong; "'city-a' is no site" in the targets would send the
    # operator to the wrong file.
    path = lab_copy / edit[0]
    path.write_text(path.read_text(encoding="utf-8").replace(edit[1], edit[2], 1), encoding="utf-8")
    code, lines = validate(lab_copy, capsys)
    assert code == 2 and len(lines) == 1 and "extranet.yaml" in lines[0], lines


def test_printable_characters_near_the_controls_are_read(lab_copy, capsys):
    # U+00B7 and U+FFE5 share their first UTF-8 bytes with C1 controls and U+FFFE: read, not refused.
    path = lab_copy / "systems.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("乙市社会救助系统", "乙市·社会救助￥系统"), encoding="utf-8")
    run_valid(["validate", "--env", str(lab_copy)])
    assert "valid lab" in capsys.readouterr().out
