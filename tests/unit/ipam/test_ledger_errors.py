"""A ledger that cannot be used, refused in full: the file, line and field, what is wrong and how
to recover (the ledger is written by `govcloud ipam plan`, so the fix is to restore or replan)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.errors import ModelError
from govcloud.ipam import load_ledger

UNREADABLE = "restore it from version control, or delete it to plan from scratch"

# name: (file bytes, line, field, message, fix)
CASES = {
    "an empty file": (b"", 1, "", "the ledger is empty", UNREADABLE),
    "a list": (b"- levels: {}\n", 1, "", "the ledger holds a list, not levels and allocations", UNREADABLE),
    "an unknown section": (b"levels: {}\nallocations: []\nnotes: x\n", 3, "notes", "unknown section 'notes'",
                           "a ledger holds levels and allocations only; " + UNREADABLE),
    "a syntax error": (b"levels: {subnet: 64\nallocations: []\n", 2, "",
                       "YAML syntax error: did not find expected ',' or '}'",
                       "correct the YAML syntax at that line (indentation, quotes, ':' after keys)"),
    "bytes that are not UTF-8": (b"levels: {}\nallocations: [\xff]\n", None, "", "the ledger is not UTF-8 text",
                                 "restore it from version control"),
    "a level that is no level": (b"allocations: []\nlevels: {planet: 64}\n", 2, "levels",
                                 "the ledger cannot be read: level 'planet' is not one of province, city, county, township, "
                                 "village, department, infra-province, infra-city, infra-county, infra-township, "
                                 "infra-village, subnet, v4-space, v4-node, v4-department, v4-subnet, v4-replication",
                                 UNREADABLE),
    "levels as a list": (b"allocations: []\nlevels: [subnet]\n", 2, "levels",
                         "the ledger cannot be read: levels is a list, not a mapping of level name to prefix length (such as `city: 20`)",
                         UNREADABLE),
    "a row that is no mapping": (b"levels: {subnet: 64}\nallocations:\n  - just-a-key\n", 3, "allocations[0]",
                                 "row cannot be read: it is a str, not a mapping of key, prefix, level, parent and status", UNREADABLE),
    "allocations without levels": (b"allocations:\n  - {key: 'a', prefix: '2001:db8::/64', level: subnet, parent: null}\n",
                                   1, "", "allocations without the levels that fix their prefix lengths", UNREADABLE),
    "a row that cannot be read": (b"levels: {subnet: 64}\nallocations:\n"
                                  b"  - {key: 'a', prefix: 'nope', level: subnet, parent: null}\n", 3,
                                  "allocations[0]", "row cannot be read: invalid IPNetwork nope", UNREADABLE),
    "a row whose parent is gone": (b"levels: {subnet: 64}\nallocations:\n"
                                   b"  - {key: 'a', prefix: '2001:db8::/64', level: subnet, parent: 'b'}\n", 3,
                                   "allocations[0]", "a: parent 'b' is not in the ledger",
                                   "restore the parent's row (the ledger is written by `govcloud ipam plan "
                                   "--write-ledger`; restore it from version control)"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_ledger_that_cannot_be_used_is_refused_with_where_what_and_how_to_recover(tmp_path: Path, name) -> None:
    data, line, field, message, fix = CASES[name]
    path = tmp_path / "ipam-ledger.yaml"
    path.write_bytes(data)
    with pytest.raises(ModelError) as info:
        load_ledger(tmp_path)
    error = info.value
    assert (error.location.file, error.location.line, error.location.field) == (path, line, field)
    where = f"{path}:{line}" if line else f"{path}"
    assert (error.message, error.fix) == (f"{where}: {field}: {message}" if field else f"{where}: {message}", fix)


def test_a_folder_in_the_ledger_s_place_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "ipam-ledger.yaml"
    path.mkdir()
    with pytest.raises(ModelError) as info:
        load_ledger(tmp_path)
    assert (info.value.location.file, info.value.message, info.value.fix) == (
        path, f"{path}: the ledger is not a readable file", UNREADABLE)


def test_the_fast_parser_s_reason_reaches_the_error_when_only_it_refuses_the_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ipam-ledger.yaml"
    path.write_text("levels: {}\nallocations: []\nnote:\t1\n", encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_ledger(tmp_path)
    assert (info.value.location.line, info.value.message) == (3, f"{path}:3: YAML error: YAML parse error at line 3, "
                                                                 "column 7")


def test_a_subnet_length_other_than_the_ledger_s_is_refused_at_the_model_s_field(lab_copy: Path) -> None:
    """Renumbering every IPv4 subnet is a deliberate step, never a side effect of an edit."""
    from govcloud.ipam import plan_environment
    from govcloud.model import load_folder
    from govcloud.model.loader import ModelErrors

    model = lab_copy / "province.yaml"
    model.write_text(model.read_text(encoding="utf-8").replace("ipv4_subnet_prefixlen: 24", "ipv4_subnet_prefixlen: 26"),
                     encoding="utf-8")
    with pytest.raises(ModelErrors) as info:
        plan_environment(load_folder(lab_copy))
    (error,) = info.value.errors
    assert (error.location.file, error.location.line, error.location.field) == (model, 13, "ipam.ipv4_subnet_prefixlen")
    assert (error.message, error.fix) == (
        f"{model}:13: ipam.ipv4_subnet_prefixlen: ipv4_subnet_prefixlen is 26 but the ledger's IPv4 subnets are /24",
        "restore ipv4_subnet_prefixlen: 24; renumbering is deliberate: move the ledger aside and plan from scratch")
