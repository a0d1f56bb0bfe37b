"""Bad models: every case gets exit code 2 and errors that name file, line, field and fix, and
nothing is written (the ledger beside the model stays byte for byte the same)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from govcloud import cli

CASES = yaml.safe_load((Path(__file__).parents[2] / "data" / "bad_models" / "cases.yaml").read_text())
# Each case's whole error output, with the environment's folder written <env>: a changed message,
# line, field or fix shows here as a diff to review. Regenerate after a deliberate change with
# ``GOVCLOUD_UPDATE_GOLDEN=1 pytest <this file>`` and review the diff.
ERRORS = Path(__file__).parents[2] / "data" / "bad_models" / "errors"


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def apply_case(case: dict, env: Path) -> None:
    """One edit (``file`` with ``whole_file``, ``replace``, ``append`` or ``delete: true``), or several in ``edits``: a
    case whose model holds every problem of one check at once."""
    for edit in case.get("edits", [case]):
        file = env / edit["file"]
        if edit.get("delete"):
            file.unlink()
            continue
        if "whole_file" in edit:
            file.write_text(edit["whole_file"], encoding="utf-8")
            continue
        text = file.read_text(encoding="utf-8")
        if "replace" in edit:
            old, new = edit["replace"]
            assert old in text, f"case {case['id']}: {old!r} not found in {file.name}; update the case"
            text = text.replace(old, new, 1)
        text += edit.get("append", "")
        file.write_text(text, encoding="utf-8")


def test_there_are_at_least_25_cases():
    assert len(CASES) >= 25
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_model_is_rejected_with_a_precise_error(case, lab_copy, capsys):
    ledger = lab_copy / "ipam-ledger.yaml"
    if case.get("fresh"):
        ledger.unlink()
    before = ledger.read_bytes() if ledger.exists() else None
    apply_case(case, lab_copy)
    command = case.get("command", ["validate"])
    extra = ["--write-ledger"] if command == ["ipam", "plan"] else []
    code, out, err = run_cli([*command, "--env", str(lab_copy), *extra], capsys)
    assert code == 2, f"exit code {code}; stderr: {err}"
    lines = [line for line in err.splitlines() if line]
    assert lines, "no error printed"
    first = lines[0]
    for expected in case["expect"]:
        assert any(expected in line for line in lines), f"{expected!r} not in:\n{err}"
    assert "fix:" in first
    after = ledger.read_bytes() if ledger.exists() else None
    assert after == before, "the ledger changed although the model was rejected"
    golden = ERRORS / f"{case['id']}.txt"
    text = err.replace(str(lab_copy), "<env>")
    if os.environ.get("GOVCLOUD_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"the errors differ from {golden.name} (regenerate and review)"


def test_every_error_line_names_its_file(lab_copy, capsys):
    (lab_copy / "systems.yaml").write_text(
        (lab_copy / "systems.yaml").read_text().replace("owner: city-a-edu", "owner: nobody")
        .replace("owner: city-b-civil", "owner: nobody-else"))
    code, _, err = run_cli(["validate", "--env", str(lab_copy)], capsys)
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 2
    assert all("systems.yaml:" in line and "fix:" in line for line in lines)


@pytest.mark.parametrize("golden", sorted(ERRORS.glob("*.txt")), ids=lambda path: path.stem)
def test_no_error_says_its_fix_twice(golden):
    """A validator's "<what>: <fix>" gives the fix once, after "fix:", not also in the message."""
    for line in golden.read_text(encoding="utf-8").splitlines():
        if not line.startswith("error:") or " (fix: " not in line:
            continue
        message, fix = line.rsplit(" (fix: ", 1)
        assert fix.removesuffix(")") not in message, line
