"""One `validate` reports every error: a schema error in one file does not hide the cross-reference
problems of the others (or of the valid entries of the same file), and the entries pydantic rejected
cause no follow-on noise (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govcloud import cli
from govcloud.model import ModelErrors, load_folder


def edit(env: Path, name: str, old: str, new: str) -> None:
    path = env / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(env: Path, name: str, needle: str) -> int:
    for number, line in enumerate((env / name).read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {name}")


def validate(env: Path, capsys) -> tuple[int, list[str]]:
    before = {p.name: p.read_bytes() for p in env.iterdir() if p.is_file()}
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", "--env", str(env)])
    assert {p.name: p.read_bytes() for p in env.iterdir() if p.is_file()} == before
    return exit_info.value.code, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def errors_of(env: Path) -> list[str]:
    with pytest.raises(ModelErrors) as info:
        load_folder(env)
    return [str(e) for e in info.value.errors]


def test_a_typo_in_systems_and_a_dangling_node_site_are_reported_in_one_run(lab_copy, capsys):
    edit(lab_copy, "systems.yaml", "dr: dual-active", "dr: dual-activ")
    edit(lab_copy, "province.yaml", "    site: city-b\n", "    site: city-bb\n")
    code, lines = validate(lab_copy, capsys)
    assert code == 2 and len(lines) == 2, lines
    typo = line_of(lab_copy, "systems.yaml", "dual-activ")
    dangling = line_of(lab_copy, "province.yaml", "site: city-bb")
    assert any(re.search(rf"systems.yaml:{typo}: systems\[0\]\.dr: .*\(fix: use one of", x) for x in lines), lines
    assert any(re.search(rf"province.yaml:{dangling}: nodes\[2\]\.site: unknown site 'city-bb' "
                         r"\(fix: did you mean 'city-b'\?\)", x) for x in lines), lines


def test_problems_of_valid_entries_after_a_rejected_one_name_their_own_line(lab_copy):
    """The rejected entry is set aside for the checks; positions still count it."""
    edit(lab_copy, "systems.yaml", "    rto_s: 60\n", "    rto_s: sixty\n")  # systems[0]
    edit(lab_copy, "systems.yaml", "owner: city-a-edu", "owner: city-a-edux")  # systems[3]
    errors = errors_of(lab_copy)
    assert len(errors) == 2, errors
    owner_line = line_of(lab_copy, "systems.yaml", "city-a-edux")
    assert any(f"systems.yaml:{owner_line}: systems[3].owner: unknown department 'city-a-edux'" in e for e in errors)
    assert any("systems[0].rto_s" in e for e in errors)


def test_references_to_a_rejected_entry_are_not_reported_as_unknown(lab_copy):
    """prov-gov-office is only wrong, not missing: the systems it owns and the units attached to it
    stay quiet, and the one real error is the department's own."""
    edit(lab_copy, "departments.yaml", "  - code: prov-gov-office\n", "  - code: prov-gov-office\n    colour: red\n")
    errors = errors_of(lab_copy)
    assert len(errors) == 1, errors
    assert "departments[0].colour" in errors[0] and "remove 'colour'" in errors[0]


def test_a_file_that_does_not_parse_still_lets_the_other_files_be_checked(lab_copy, capsys):
    edit(lab_copy, "exits.yaml", "exits:\n", "exits:\n  - [unclosed\n")
    edit(lab_copy, "systems.yaml", "owner: city-b-civil", "owner: city-b-civic")
    code, lines = validate(lab_copy, capsys)
    assert code == 2 and len(lines) == 2, lines
    assert any("exits.yaml:" in x and "YAML syntax error" in x for x in lines), lines
    assert any("systems.yaml:" in x and "unknown department 'city-b-civic'" in x for x in lines), lines


def test_a_section_that_does_not_parse_silences_the_checks_that_read_it(lab_copy):
    """departments.yaml unreadable: the systems that name their owners are not all 'unknown'."""
    (lab_copy / "departments.yaml").write_text("departments:\n  - code: x\n   bad: indent\n", encoding="utf-8")
    edit(lab_copy, "province.yaml", "    site: city-b\n", "    site: city-bb\n")
    errors = errors_of(lab_copy)
    assert len(errors) == 2, errors
    assert "departments.yaml:" in errors[0] and "unknown site 'city-bb'" in errors[1]


def test_a_misspelled_section_name_does_not_make_its_references_unknown(lab_copy):
    edit(lab_copy, "departments.yaml", "departments:", "departmnts:")
    errors = errors_of(lab_copy)
    assert len(errors) == 1 and "unknown section 'departmnts'" in errors[0] and "'departments'" in errors[0]


def test_a_rejected_ipam_section_skips_the_address_checks_and_keeps_the_others(lab_copy):
    edit(lab_copy, "province.yaml", "ipv6_block: 2001:db8::/32", "ipv6_block: 2001:db8::1/32")
    edit(lab_copy, "systems.yaml", "owner: city-b-civil", "owner: city-b-civic")
    errors = errors_of(lab_copy)
    assert len(errors) == 2, errors
    assert "ipam.ipv6_block" in errors[0] and "did you mean 2001:db8::/32" in errors[0]
    assert "unknown department 'city-b-civic'" in errors[1]


def test_duplicate_codes_count_rejected_entries_at_their_own_position(lab_copy):
    edit(lab_copy, "systems.yaml", "    rto_s: 60\n", "    rto_s: -5\n")  # systems[0] rejected
    edit(lab_copy, "systems.yaml", "  - code: e-licence\n", "  - code: unified-identity\n")  # systems[1]
    errors = errors_of(lab_copy)
    duplicate = [e for e in errors if "duplicate code" in e]
    assert len(duplicate) == 1 and "systems[1].code" in duplicate[0] and "first at index 0" in duplicate[0]
    # The dependants of e-licence name a code no entry holds any more: that is real.
    assert any("unknown system 'e-licence'" in e for e in errors)


def test_every_error_of_a_model_with_many_kinds_of_mistake_is_reported_once(lab_copy):
    edit(lab_copy, "systems.yaml", "criticality: key", "criticality: keyy")
    edit(lab_copy, "departments.yaml", "    site: city-a\n", "    site: city-q\n")
    edit(lab_copy, "province.yaml", "    site: city-b\n", "    site: city-bb\n")
    edit(lab_copy, "exits.yaml", "exits:\n", "exits:\n  - {code: x, colour: red}\n")
    errors = errors_of(lab_copy)
    assert len(errors) == len(set(errors)) >= 4, errors
    for expected in ("criticality", "unknown site 'city-q'", "unknown site 'city-bb'", "exits[0]"):
        assert any(expected in e for e in errors), (expected, errors)


def test_a_section_that_could_not_be_read_stops_a_check_but_not_a_probe_for_dunders():
    """copy, pickle and friends ask an object for ``__deepcopy__`` and the like: the stand-in answers
    that it has none, as any object would; every other use stops the check (``_Unavailable``)."""
    import copy

    from govcloud.model.partial import _Unavailable, _UnavailableSection

    section = _UnavailableSection()
    assert copy.deepcopy(section) is not section
    with pytest.raises(AttributeError, match="__deepcopy__"):
        section.__getattr__("__deepcopy__")
    with pytest.raises(_Unavailable):
        section.designations
