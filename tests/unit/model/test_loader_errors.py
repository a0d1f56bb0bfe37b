"""The loader's refusals of a model file in full: the line, the message and the fix the operator
reads (test_bad_input checks a few words of each through the CLI; these pin what each says)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.errors import ModelError
from govcloud.model.loader import SECTIONS, ModelErrors, load_folder

SYNTAX_FIX = "correct the YAML syntax at that line (indentation, quotes, ':' after keys)"
BOMB = ("a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n")
PASTED = "delete it (invisible characters come in with text pasted from other documents)"
SECOND_DOCUMENT = ("a second YAML document starts here ('---'); a model file holds one",
                   "remove the '---' line and join the sections, or move the second document into a file of its own")


def _the_only_error(folder: Path) -> ModelError:
    """The one error the loader refuses ``folder`` with (more than one fails the test)."""
    with pytest.raises(ModelErrors) as info:
        load_folder(folder)
    (error,) = info.value.errors
    return error


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
    # The line of the first alias, not of a comment that names one (after its first '#', or between two).
    "aliases of aliases after comments that name one": (
        "exits.yaml", "# see *a # here\n# like *a\n" + BOMB, 4, "aliases expand 21 YAML nodes to 123461 nodes",
        "write the values out instead of nesting aliases of aliases"),
    # At most four times the nodes written, counted from 1000 for a small file: 4002 expanded nodes are
    # refused (4000, below, are read).
    "aliases that expand past four times 1000 nodes": (
        "exits.yaml", "a: &a [" + "1," * 26 + "]\nb: [" + "*a," * 147 + "]\nc: 1\n", 2,
        "aliases expand 33 YAML nodes to 4002 nodes", "write the values out instead of nesting aliases of aliases"),
    "an alias inside its own anchor": ("exits.yaml", "# loops\na: &a [1, *a]\n", 2,
                                       "aliases expand 2 YAML nodes without end (an alias inside its own anchor)",
                                       "write the values out instead of nesting aliases of aliases"),
    # Each node is walked once however many aliases name it, and the walk goes on past them.
    "a tag after a value two aliases share": ("exits.yaml", "c: !secret s\na: &x {k: v}\nb: *x\n", 1,
                                             "YAML tag '!secret' is not read by govcloud: its value would be taken "
                                             "as plain text", "remove the tag and write the value itself"),
    "a key given twice after a value two aliases share": (
        "exits.yaml", "d: {e: 1, e: 2}\na: &x [1]\nb: *x\n", 1, "duplicate key 'e'",
        "a key may appear once per mapping: remove or rename one of them"),
    # A blank first line and an indented comment are no content: the second '---' is the second document.
    "a second document after a blank line and a marked first one": (
        "exits.yaml", "\n---\nexits: []\n---\nfoo: 1\n", 4, *SECOND_DOCUMENT),
    "a second document after an indented comment and a marked first one": (
        "exits.yaml", "  # exits\n---\nexits: []\n---\nfoo: 1\n", 4, *SECOND_DOCUMENT),
    "one marked document that is a list": ("exits.yaml", "---\n- exits\n", 1,
                                           "the file holds a list, not a mapping of sections",
                                           "start the file with one of: " + ", ".join(SECTIONS)),
    "a file of comments": ("exits.yaml", "# no exits yet\n# TODO !important\n", 1,
                           "the file is empty: it holds no section",
                           "write its sections (e.g. a 'exits:' section), or delete the file"),
    "an emptied departments file": ("departments.yaml", "", 1, "the file is empty: it holds no section",
                                    "write its sections (e.g. a 'departments:' section), or delete the file"),
    "a C0 control character": ("exits.yaml", "exits: []\n\n# a\x01b\n", 3,
                               "the file holds the control character U+0001, which YAML does not allow", PASTED),
    "a C0 control character after a blank first line": (
        "exits.yaml", "\nexits: []\n# a\x01b\n", 3,
        "the file holds the control character U+0001, which YAML does not allow", PASTED),
    "a C1 control character": ("exits.yaml", "exits: []\n# a\x80b\n", 2,
                               "the file holds the control character U+0080, which YAML does not allow", PASTED),
    "a noncharacter": ("exits.yaml", "exits: []\n\n\n# a\ufffeb\n", 4,
                       "the file holds the control character U+FFFE, which YAML does not allow", PASTED),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_model_file_that_cannot_be_read_is_refused_at_its_line_with_the_fix(lab_copy: Path, name: str) -> None:
    file, text, line, message, fix = CASES[name]
    (lab_copy / file).write_text(text, encoding="utf-8")
    error = _the_only_error(lab_copy)
    assert (error.location.file, error.location.line) == (lab_copy / file, line)
    assert (error.message, error.fix) == (f"{lab_copy / file}:{line}: {message}", fix)


def test_a_missing_section_is_placed_in_the_file_that_usually_holds_it(lab_copy: Path) -> None:
    model = lab_copy / "province.yaml"
    text = model.read_text(encoding="utf-8")
    start = text.index("\nipam:\n") + 1
    model.write_text(text[:start] + text[text.index("\nnodes:\n", start) + 1:], encoding="utf-8")
    error = _the_only_error(lab_copy)
    assert (error.location.file, error.location.line, error.location.field) == (model, None, "ipam")
    assert (error.message, error.fix) == (
        f"{model}: ipam: section 'ipam' is missing",
        "add a 'ipam:' section to province.yaml (or to another of province.yaml, departments.yaml, extranet.yaml, "
        "exits.yaml, systems.yaml)")


def test_a_field_missing_inside_an_entry_is_placed_at_the_entry_not_called_a_missing_section(lab_copy: Path) -> None:
    departments = lab_copy / "departments.yaml"
    text = departments.read_text(encoding="utf-8")
    departments.write_text(text.replace("    name: ", "    # name: ", 1), encoding="utf-8")
    error = _the_only_error(lab_copy)
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
    error = _the_only_error(lab_copy)
    assert (error.location.file, error.location.line, error.location.field) == (extranet, None, "sites")
    assert (error.message, error.fix) == (
        f"{extranet}: sites: section 'sites' is missing",
        "add a 'sites:' section to extranet.yaml (or to another of province.yaml, departments.yaml, extranet.yaml, "
        "exits.yaml, systems.yaml)")


def test_a_section_of_the_wrong_kind_is_no_missing_section(lab_copy: Path) -> None:
    import re

    model = lab_copy / "province.yaml"
    model.write_text(re.sub(r"ipam:\n(  .*\n)*\n", "ipam: 5\n\n", model.read_text(encoding="utf-8")), encoding="utf-8")
    error = _the_only_error(lab_copy)
    assert (error.location.line, error.location.field) == (8, "ipam")
    assert (error.message, error.fix) == (
        f"{model}:8: ipam: Input should be a valid dictionary or instance of IpamSettings",
        "write a mapping here (key: value lines)")


def test_an_unknown_section_before_a_known_one_leaves_the_known_one_read(lab_copy: Path) -> None:
    exits = lab_copy / "exits.yaml"
    exits.write_text("exit_points: []\n" + exits.read_text(encoding="utf-8"), encoding="utf-8")
    error = _the_only_error(lab_copy)
    assert (error.message, error.fix) == (f"{exits}:1: exit_points: unknown section 'exit_points'",
                                          "did you mean 'exits'?")


def test_an_unknown_section_like_no_other_is_told_every_known_one(lab_copy: Path) -> None:
    exits = lab_copy / "exits.yaml"
    text = exits.read_text(encoding="utf-8") + "zzz: 1\n"
    exits.write_text(text, encoding="utf-8")
    error = _the_only_error(lab_copy)
    assert (error.location.line, error.message.split(": ", 2)[-1], error.fix) == (
        text.count("\n"), "unknown section 'zzz'", "known sections: " + ", ".join(SECTIONS))


def test_a_misspelt_section_stands_for_its_best_match_only(lab_copy: Path) -> None:
    """'xits' is close to exits and to sites: only exits, the best match, is taken as the section it
    meant (not reported missing); sites, when it is missing, still is."""
    extranet, exits = lab_copy / "extranet.yaml", lab_copy / "exits.yaml"
    text = extranet.read_text(encoding="utf-8")
    extranet.write_text(text[text.index("\nlinks:") + 1:], encoding="utf-8")
    exits.write_text(exits.read_text(encoding="utf-8").replace("exits:\n", "xits:\n", 1), encoding="utf-8")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    assert [(e.location.field, e.message.split(": ", 2)[-1], e.fix) for e in info.value.errors] == [
        ("xits", "unknown section 'xits'", "did you mean 'exits'?"),
        ("sites", "section 'sites' is missing", "add a 'sites:' section to extranet.yaml (or to another of "
         "province.yaml, departments.yaml, extranet.yaml, exits.yaml, systems.yaml)")]


def test_aliases_that_expand_to_four_times_1000_nodes_are_read(lab_copy: Path) -> None:
    (lab_copy / "exits.yaml").write_text("a: &a [" + "1," * 26 + "]\nb: [" + "*a," * 147 + "]\n", encoding="utf-8")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    assert [e.message.split(": ", 2)[-1] for e in info.value.errors
            if e.location.file == lab_copy / "exits.yaml"] == ["unknown section 'a'", "unknown section 'b'"]


def test_values_shared_by_aliases_are_read(lab_copy: Path) -> None:
    departments = lab_copy / "departments.yaml"
    text = departments.read_text(encoding="utf-8")
    text = text.replace("quotas: {instances: 10, cores: 20}", "quotas: &small {instances: 10, cores: 20}", 1)
    departments.write_text(text.replace("    site: city-b\n", "    site: city-b\n    quotas: *small\n", 1), encoding="utf-8")
    province = load_folder(lab_copy).province
    assert province.department_by_code["city-b-civil"].quotas == province.department_by_code["city-a-edu"].quotas
    assert province.department_by_code["city-b-civil"].quotas.instances == 10


def test_a_file_that_is_not_utf8_or_cannot_be_read_is_refused_with_the_reason(lab_copy: Path) -> None:
    exits = lab_copy / "exits.yaml"
    exits.write_bytes(b"exits: []\n# caf\xe9\n")
    error = _the_only_error(lab_copy)
    assert (error.message, error.fix) == (f"{exits}: the file is not UTF-8 text", "save it as UTF-8")
    exits.unlink()
    exits.mkdir()
    error = _the_only_error(lab_copy)
    assert (error.message, error.fix) == (f"{exits}: the file cannot be read: Is a directory",
                                          "make it a regular YAML file, or remove it")


def test_a_byte_order_mark_is_no_character_of_the_model(lab_copy: Path) -> None:
    exits = lab_copy / "exits.yaml"
    exits.write_bytes(b"\xef\xbb\xbf" + exits.read_bytes())
    assert [e.code for e in load_folder(lab_copy).province.exits][0] == "unified-province"


# A file beside the model: its name, or the sections it holds, say whether it is a model file under
# another name (then refused with the name to give it) or not the model's (then left alone).
BESIDE = {
    "more.yaml": ("unified_exit_plan:\n  designations: []\n", "exits.yaml"),
    "more.yml": ("\ufeffsystems: []\n", "systems.yaml"),
    "system.yaml": ("systems: [\n", "systems.yaml"),  # YAML that does not read: judged by its name
    "exits.yaml.bak": ("exits: []\n", "exits.yaml"),
    "unified_exit_plan.txt": ("", "exits.yaml"),
    "inventory.yaml": ("- systems\n- nodes\n", None),  # a list names no section
    "notes.yaml": ("nodes are listed in province.yaml\n", None),
    "system-notes.txt": ("", None),  # close to 'systems', not close enough to be meant as it
}


@pytest.mark.parametrize("name", sorted(BESIDE))
def test_a_file_beside_the_model_is_refused_when_it_looks_like_a_model_file(lab_copy: Path, name: str) -> None:
    text, meant = BESIDE[name]
    (lab_copy / name).write_text(text, encoding="utf-8")
    if meant is None:
        assert load_folder(lab_copy).province.exits
        return
    with pytest.raises(ModelError) as info:
        load_folder(lab_copy)
    assert (info.value.message, info.value.fix) == (
        f"{lab_copy / name}: this file would be ignored: it looks like a model file but is not named like one",
        f"rename it to {meant} (or move it out of the folder)")


@pytest.mark.parametrize("entry", [".systems.yaml", "systems.d"])
def test_a_hidden_file_or_a_folder_beside_the_model_is_left_alone_whatever_it_is_called(lab_copy: Path,
                                                                                      entry: str) -> None:
    """An editor's or a sync tool's hidden copy holding a section, a folder named after one: neither is
    a model file under another name (each would be, as a visible file)."""
    if entry.startswith("."):
        (lab_copy / entry).write_text("systems: []\n", encoding="utf-8")
    else:
        (lab_copy / entry).mkdir()
    assert len(load_folder(lab_copy).province.systems) == 7


def test_every_error_of_a_model_is_one_line_and_the_first_one_s_fix_is_the_fix(lab_copy: Path) -> None:
    systems = lab_copy / "systems.yaml"
    systems.write_text(systems.read_text(encoding="utf-8").replace("owner: city-a-edu", "owner: nobody")
                       .replace("current_site: city-b", "current_site: nowhere"), encoding="utf-8")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    errors = info.value.errors
    assert len(errors) == 2
    assert str(info.value) == "\n".join(str(e) for e in errors)
    assert info.value.fix == errors[0].fix == "define a department 'nobody' or use an existing code"
