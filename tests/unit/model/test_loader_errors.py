"""The loader's refusals of a model file in full: the line, the message and the fix the operator
reads (test_bad_input checks a few words of each through the CLI; these pin what each says)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.model.loader import ModelErrors, load_folder

SYNTAX_FIX = "correct the YAML syntax at that line (indentation, quotes, ':' after keys)"
BOMB = ("a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n")
SECOND_DOCUMENT = ("a second YAML document starts here ('---'); a model file holds one",
                   "remove the '---' line and join the sections, or move the second document into a file of its own")

# name: (file, its new text, line, message, fix)
CASES = {
    "an unclosed bracket": ("systems.yaml", "systems:\n  - code: a\n    name: [x\n", 4,
                            "YAML syntax error: did not find expected ',' or ']'", SYNTAX_FIX),
    "a tab for indentation": ("systems.yaml", "systems:\n\t- code: a\n", 2,
                              "YAML syntax error: found character that cannot start any token", SYNTAX_FIX),
    "a key given twice": ("systems.yaml", "systems:\n  - code: a\n    name: x\n    name: y\n", 4,
                          "duplicate key 'name'", "a key may appear once per mapping: remove or rename one of them"),
    "a second document after a first marked one": ("exits.yaml", "---\nexits: []\n---\nfoo: 1\n", 3, *SECOND_DOCUMENT),
    "a second document after an unmarked one": ("exits.yaml", "# exits\nexits: []\n---\nfoo: 1\n", 3,
                                                *SECOND_DOCUMENT),
    "a second document after a directive and a marked first one": (
        "exits.yaml", "%YAML 1.1\n# exits\n---\nexits: []\n---\nfoo: 1\n", 5, *SECOND_DOCUMENT),
    "a tab after a colon": ("exits.yaml", "# exits\nexits: []\nnote:\t1\n", 3,
                            "YAML error: YAML parse error at line 3, column 7", "correct the YAML"),
    "a tag": ("exits.yaml", "# exits\nexits: !secret x\n", 2,
              "YAML tag '!secret' is not read by govcloud: its value would be taken as plain text",
              "remove the tag and write the value itself"),
    "aliases of aliases": ("exits.yaml", "# shared values\n" + BOMB, 3, "aliases expand 21 YAML nodes to 123461 nodes",
                           "write the values out instead of nesting aliases of aliases"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_model_file_that_cannot_be_read_is_refused_at_its_line_with_the_fix(lab_copy: Path, name: str) -> None:
    file, text, line, message, fix = CASES[name]
    (lab_copy / file).write_text(text, encoding="utf-8")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    (error,) = info.value.errors
    assert (error.location.file, error.location.line) == (lab_copy / file, line)
    assert (error.message, error.fix) == (f"{lab_copy / file}:{line}: {message}", fix)


def test_a_missing_section_is_placed_in_the_file_that_usually_holds_it(lab_copy: Path) -> None:
    model = lab_copy / "province.yaml"
    text = model.read_text(encoding="utf-8")
    start = text.index("\nipam:\n") + 1
    model.write_text(text[:start] + text[text.index("\nnodes:\n", start) + 1:], encoding="utf-8")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    (error,) = info.value.errors
    assert (error.location.file, error.location.line, error.location.field) == (model, None, "ipam")
    assert (error.message, error.fix) == (
        f"{model}: ipam: section 'ipam' is missing",
        "add a 'ipam:' section to province.yaml (or to another of province.yaml, departments.yaml, extranet.yaml, "
        "exits.yaml, systems.yaml)")


def test_a_field_missing_inside_an_entry_is_placed_at_the_entry_not_called_a_missing_section(lab_copy: Path) -> None:
    departments = lab_copy / "departments.yaml"
    text = departments.read_text(encoding="utf-8")
    departments.write_text(text.replace("    name: ", "    # name: ", 1), encoding="utf-8")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    (error,) = info.value.errors
    assert (error.location.file, error.location.line, error.location.field) == (departments, 3, "departments[0].name")
    assert (error.message, error.fix) == (f"{departments}:3: departments[0].name: Field required", "add the field 'name'")


def test_an_unknown_environment_names_both_places_looked_in_and_every_known_one(tmp_path: Path) -> None:
    from govcloud.errors import InputError
    from govcloud.model.loader import resolve_env

    for known in ("lab", "fx"):
        (tmp_path / "inventories" / known).mkdir(parents=True)
        (tmp_path / "inventories" / known / "province.yaml").write_text("province: {}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        resolve_env("nowhere", tmp_path)
    assert (info.value.message, info.value.fix) == (
        f"--env 'nowhere': no province.yaml in {tmp_path / 'inventories' / 'nowhere'} or nowhere",
        "use one of fx, lab or the path of a folder with province.yaml")
    with pytest.raises(InputError) as info:
        resolve_env("nowhere", tmp_path / "empty")
    assert info.value.fix == "use one of (none) or the path of a folder with province.yaml"


def test_one_document_marked_with_a_leading_separator_is_read(lab_copy: Path) -> None:
    exits = lab_copy / "exits.yaml"
    exits.write_text("# exits\n---\n" + exits.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_folder(lab_copy).province.exits


def test_a_yaml_error_without_a_mark_names_the_file_and_pyyaml_s_reason(tmp_path: Path) -> None:
    """The ledger is read without the model's character check: PyYAML's reader refuses a control
    character before it parses, with no line to give."""
    from govcloud.errors import ModelError
    from govcloud.model.loader import raise_marked_error

    path = tmp_path / "ipam-ledger.yaml"
    with pytest.raises(ModelError) as info:
        raise_marked_error(path, "levels: {}\nallocations: [\x01\n", "fast parser's message")
    assert (info.value.location.file, info.value.location.line, info.value.fix) == (path, None, "correct the YAML")
    assert info.value.message.startswith(f"{path}: YAML error: unacceptable character #x0001: control characters "
                                         "are not allowed")


def test_what_only_the_fast_parser_refuses_says_its_first_line_or_that_the_yaml_is_unreadable(tmp_path: Path) -> None:
    from govcloud.errors import ModelError
    from govcloud.model.loader import raise_marked_error

    path = tmp_path / "exits.yaml"
    for fast, said, line in (("bad thing at line 2, column 3\nmore detail", "bad thing at line 2, column 3", 2),
                             ("no position here", "no position here", None), ("", "unreadable YAML", None)):
        with pytest.raises(ModelError) as info:
            raise_marked_error(path, "exits: []\nnote:\t1\n", fast)
        assert (info.value.location.file, info.value.location.line) == (path, line)
        assert (info.value.message, info.value.fix) == (
            f"{path}:{line}: YAML error: {said}" if line else f"{path}: YAML error: {said}", "correct the YAML")


def test_a_missing_section_of_another_file_is_placed_in_that_file(lab_copy: Path) -> None:
    extranet = lab_copy / "extranet.yaml"
    text = extranet.read_text(encoding="utf-8")
    extranet.write_text(text[text.index("\nlinks:") + 1:], encoding="utf-8")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    (error,) = info.value.errors
    assert (error.location.file, error.location.line, error.location.field) == (extranet, None, "sites")
    assert (error.message, error.fix) == (
        f"{extranet}: sites: section 'sites' is missing",
        "add a 'sites:' section to extranet.yaml (or to another of province.yaml, departments.yaml, extranet.yaml, "
        "exits.yaml, systems.yaml)")


def test_a_section_of_the_wrong_kind_is_no_missing_section(lab_copy: Path) -> None:
    import re

    model = lab_copy / "province.yaml"
    model.write_text(re.sub(r"ipam:\n(  .*\n)*\n", "ipam: 5\n\n", model.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    (error,) = info.value.errors
    assert (error.location.line, error.location.field) == (8, "ipam")
    assert (error.message, error.fix) == (
        f"{model}:8: ipam: Input should be a valid dictionary or instance of IpamSettings",
        "write a mapping here (key: value lines)")
