"""The ledger file, by example: what `dump_ledger` writes byte for byte, that `load_ledger` reads it
back, and every hand edit `load_ledger` refuses, with the file, line and row it names; freeing
a released key and what lies under it."""

from __future__ import annotations

from pathlib import Path

import pytest
from netaddr import IPNetwork

from govcloud.errors import InputError, ModelError
from govcloud.ipam import Allocation, Ledger, Level, Status, dump_ledger, load_ledger, write_ledger
from govcloud.ipam.ledger import ledger_problems
from govcloud.paths import ledger_file

UNREADABLE = "restore it from version control, or delete it to plan from scratch"
WRITTEN_BY = " (the ledger is written by `govcloud ipam plan --write-ledger`; restore it from version control)"


def alloc(key: str, prefix: str, level: Level, parent: str | None = None,
          status: Status = Status.ACTIVE) -> Allocation:
    return Allocation(key, IPNetwork(prefix), level, parent, status)


SMALL = Ledger({Level.SUBNET: 64, Level.CITY: 48, Level.V4_SUBNET: 24}, {a.key: a for a in (
    alloc("site:c0", "2001:db8::/48", Level.CITY),
    alloc("subnet:c0/b", "2001:db8::/64", Level.SUBNET, "site:c0"),
    alloc("subnet:c0/a", "2001:db8:0:1::/64", Level.SUBNET, "site:c0", Status.RELEASED),
    alloc("v4:subnet:c0/a", "198.51.100.0/24", Level.V4_SUBNET),
)})

SMALL_TEXT = """\
# The address ledger. Written by `govcloud ipam plan --write-ledger`; do not edit by hand.
levels:
  city: 48
  subnet: 64
  v4-subnet: 24
allocations:
  - {key: 'site:c0', prefix: '2001:db8::/48', level: city, parent: null, status: active}
  - {key: 'subnet:c0/a', prefix: '2001:db8:0:1::/64', level: subnet, parent: 'site:c0', status: released}
  - {key: 'subnet:c0/b', prefix: '2001:db8::/64', level: subnet, parent: 'site:c0', status: active}
  - {key: 'v4:subnet:c0/a', prefix: '198.51.100.0/24', level: v4-subnet, parent: null, status: active}
"""


def write(env: Path, text: str | bytes) -> Path:
    path = ledger_file(env)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def refused(env: Path, text: str | bytes) -> ModelError:
    write(env, text)
    with pytest.raises(ModelError) as info:
        load_ledger(env)
    return info.value


def test_dump_writes_one_sorted_row_per_allocation_and_the_levels_sorted_by_name():
    assert dump_ledger(SMALL) == SMALL_TEXT


def test_an_empty_ledger_dumps_as_headings_only():
    assert dump_ledger(Ledger()).splitlines()[1:] == ["levels:", "allocations:"]


def test_what_is_written_is_read_back_the_same(tmp_path):
    path = write_ledger(tmp_path, SMALL)
    assert path == ledger_file(tmp_path) and path.read_text(encoding="utf-8") == SMALL_TEXT
    assert [p.name for p in tmp_path.iterdir()] == [path.name], "the temporary file was left behind"
    assert load_ledger(tmp_path) == SMALL


def test_no_file_is_an_empty_ledger_and_so_are_empty_sections(tmp_path):
    assert load_ledger(tmp_path) == Ledger()
    write(tmp_path, "levels:\nallocations:\n")
    assert load_ledger(tmp_path) == Ledger()


@pytest.mark.parametrize("text", ["", "# nothing\n", "---\n", "null\n"])
def test_an_emptied_ledger_is_refused_not_read_as_no_ledger(tmp_path, text):
    # Read as "no ledger", the next plan would renumber everything it had handed out.
    error = refused(tmp_path, text)
    assert (error.location.file, error.location.line) == (ledger_file(tmp_path), 1)
    assert "the ledger is empty" in error.message and error.fix == UNREADABLE


@pytest.mark.parametrize(("text", "line", "message"), [
    ("- levels\n", 1, "holds a list"),
    ("levels: {subnet: 64}\nnotes: hi\n", 2, "unknown section 'notes'"),
    ("levelz: {subnet: 64}\nallocations: []\n", 1, "unknown section 'levelz'"),
    ("allocations:\n  - {key: k, prefix: '2001:db8::/64', level: subnet}\n", 1, "without the levels"),
    ("levels: {subnet: 64}\nallocations:\n  - {key: k, prefix: '2001:db8::1/64', level: subnet}\n", 3,
     "host bits set (did you mean 2001:db8::/64?)"),
    ("levels: {subnet: 64, subnet: 60}\n", 1, "duplicate key 'subnet'"),
])
def test_a_ledger_of_the_wrong_shape_is_refused_at_its_line(tmp_path, text, line, message):
    error = refused(tmp_path, text)
    assert (error.location.file, error.location.line) == (ledger_file(tmp_path), line)
    assert message in error.message


def test_a_folder_in_the_ledger_s_place_is_refused_not_read_as_no_ledger(tmp_path):
    ledger_file(tmp_path).mkdir()
    with pytest.raises(ModelError, match="not a readable file"):
        load_ledger(tmp_path)


def test_a_byte_order_mark_is_read_past_and_status_defaults_to_active(tmp_path):
    write(tmp_path, "\ufefflevels: {subnet: 64}\nallocations:\n  - {key: k, prefix: '2001:db8::/64', level: subnet}\n")
    ledger = load_ledger(tmp_path)
    assert ledger.levels == {Level.SUBNET: 64}
    assert ledger.allocations == {"k": alloc("k", "2001:db8::/64", Level.SUBNET)}


def test_a_ledger_that_is_not_utf8_is_refused_with_its_path(tmp_path):
    error = refused(tmp_path, b"levels:\n  subnet: \xff\n")
    assert error.location.file == ledger_file(tmp_path) and error.location.line is None
    assert error.message == f"{ledger_file(tmp_path)}: the ledger is not UTF-8 text"
    assert error.fix == "restore it from version control"


@pytest.mark.parametrize("text", ["levels: {planet: 64}\n", "levels: {subnet: many}\n", "levels: [subnet]\n"])
def test_unreadable_levels_are_refused_naming_the_file_and_line(tmp_path, text):
    error = refused(tmp_path, text)
    assert error.location.file == ledger_file(tmp_path) and error.location.line == 1
    assert "the ledger cannot be read: " in error.message and error.fix == UNREADABLE


def test_a_ledger_s_syntax_error_names_its_line(tmp_path):
    error = refused(tmp_path, "levels: {subnet: 64}\nallocations: a: b\n")
    assert error.location.file == ledger_file(tmp_path) and error.location.line == 2
    assert "YAML syntax error" in error.message


@pytest.mark.parametrize(("row", "detail"), [
    ("{prefix: '2001:db8::/64', level: subnet}", "missing 'key'"),
    ("{key: k, level: subnet}", "missing 'prefix'"),
    ("{key: k, prefix: '2001:db8::/64'}", "missing 'level'"),
    ("{key: k, prefix: 'not an address', level: subnet}", ""),
    ("{key: k, prefix: '2001:db8::/64', level: planet}", "level 'planet' is not one of province, city, county"),
    ("{key: k, prefix: '2001:db8::/64', level: subnet, status: lost}", "status 'lost' is not one of active, released"),
    ("just text", ""),
])
def test_an_unreadable_row_is_refused_with_its_line_and_index(tmp_path, row, detail):
    text = ("levels: {subnet: 64}\nallocations:\n"
            "  - {key: ok, prefix: '2001:db8:1::/64', level: subnet}\n"
            f"  - {row}\n")
    error = refused(tmp_path, text)
    assert error.location.file == ledger_file(tmp_path)
    assert (error.location.line, error.location.field) == (4, "allocations[1]")
    assert f"allocations[1]: row cannot be read: {detail}" in error.message and error.fix == UNREADABLE


def test_a_hand_edit_that_breaks_the_plan_is_refused_at_its_first_bad_row(tmp_path):
    text = ("levels: {subnet: 64, city: 48}\nallocations:\n"
            "  - {key: 'site:c0', prefix: '2001:db8::/48', level: city, parent: null}\n"
            "  - {key: 'subnet:x', prefix: '2001:db8:0:1::/64', level: subnet, parent: 'site:c0'}\n"
            "  - {key: 'subnet:y', prefix: '2001:db8:0:100::/56', level: subnet, parent: 'site:c0'}\n"
            "  - {key: 'subnet:z', prefix: '2001:db8:0:10::/60', level: subnet, parent: 'site:c0'}\n")
    error = refused(tmp_path, text)
    assert (error.location.file, error.location.line, error.location.field) == \
        (ledger_file(tmp_path), 5, "allocations[2]")
    assert error.message.endswith("allocations[2]: subnet:y: 2001:db8:0:100::/56 is not a /64 as its level "
                                  "'subnet' fixes")
    assert error.fix == "give it a /64" + WRITTEN_BY


ROOT = alloc("site:c0", "2001:db8::/48", Level.CITY)


def problems(*rows: Allocation, levels: dict[Level, int] | None = None) -> list[tuple[int, str, str]]:
    return [(p.path[1], p.message, p.fix) for p in ledger_problems(list(rows), levels or {})]


def test_a_sound_ledger_has_no_problem_whatever_its_families_and_nesting():
    assert problems(ROOT,
                    alloc("dept:d", "2001:db8::/60", Level.DEPARTMENT, "site:c0"),
                    alloc("subnet:d/a", "2001:db8::/64", Level.SUBNET, "dept:d"),  # nests in an ancestor's ancestor
                    alloc("subnet:d/b", "2001:db8:0:f::/64", Level.SUBNET, "dept:d"),  # its parent's last /64
                    alloc("site:c1", "2001:db8:1::/48", Level.CITY),  # adjacent, not overlapping
                    alloc("v4", "0.0.0.0/8", Level.V4_SPACE),  # same integers as 2001:db8::/48's start? other family
                    alloc("v4:x", "0.0.0.0/24", Level.V4_SUBNET, "v4"),
                    levels={Level.CITY: 48, Level.SUBNET: 64}) == []


def test_a_key_twice_is_a_problem_at_its_second_row():
    assert problems(ROOT, alloc("site:c0", "2001:db8:1::/48", Level.CITY)) == [
        (1, "key 'site:c0' appears twice (first in allocations[0])", "keep one row per key")]


def test_a_missing_parent_is_a_problem():
    assert problems(alloc("subnet:x", "2001:db8::/64", Level.SUBNET, "site:gone")) == [
        (0, "subnet:x: parent 'site:gone' is not in the ledger", "restore the parent's row")]


@pytest.mark.parametrize("prefix", ["2001:db8:1::/64", "2001:db8::/48", "2001:db8::/47", "198.51.100.0/24"])
def test_a_prefix_outside_its_parent_or_equal_to_it_is_a_problem(prefix):
    found = problems(ROOT, alloc("subnet:x", prefix, Level.SUBNET, "site:c0"))
    assert found[0] == (1, f"subnet:x: {prefix} lies outside its parent site:c0 (2001:db8::/48)",
                        f"give it a prefix inside 2001:db8::/48")


def test_a_prefix_touching_its_parents_last_address_from_outside_is_a_problem():
    found = problems(alloc("site:c0", "2001:db8::/64", Level.CITY),
                     alloc("x", "2001:db8:0:1::/64", Level.SUBNET, "site:c0"))
    assert [p[0] for p in found] == [1]


def test_two_keys_on_overlapping_prefixes_are_a_problem_at_the_later_row():
    fix = "every prefix belongs to one key: restore the row that was changed"
    assert problems(ROOT, alloc("site:c1", "2001:db8::/48", Level.CITY)) == [
        (1, "site:c1 and site:c0 hold the same prefix", fix)]
    assert problems(alloc("site:c1", "2001:db8::/56", Level.CITY), ROOT) == [
        (1, "site:c1 and site:c0 hold 2001:db8::/56, inside 2001:db8::/48", fix)]
    # a prefix inside a sibling of its parent, still inside the parent's parent
    assert problems(ROOT, alloc("dept:a", "2001:db8::/60", Level.DEPARTMENT, "site:c0"),
                    alloc("dept:b", "2001:db8:0:10::/60", Level.DEPARTMENT, "site:c0"),
                    alloc("subnet:b/x", "2001:db8::/64", Level.SUBNET, "dept:b"))[-1] == \
        (3, "subnet:b/x and dept:a hold 2001:db8::/64, inside 2001:db8::/60", fix)


def test_problems_come_sorted_by_row():
    found = problems(alloc("a", "2001:db8::/64", Level.SUBNET, "gone"), ROOT,
                     alloc("site:c0", "2001:db8:5::/48", Level.CITY), levels={Level.SUBNET: 60})
    assert [p[0] for p in found] == sorted(p[0] for p in found) and len(found) == 4


def test_a_cycle_of_parents_ends():
    rows = (alloc("a", "2001:db8::/48", Level.CITY, "b"), alloc("b", "2001:db8::/48", Level.CITY, "a"))
    assert [p[0] for p in problems(*rows)] == [0, 1]


def test_freeing_takes_a_released_key_and_everything_under_it():
    ledger = Ledger({Level.CITY: 48}, {a.key: a for a in (
        ROOT._replace(status=Status.RELEASED),
        alloc("dept:d", "2001:db8::/60", Level.DEPARTMENT, "site:c0"),
        alloc("subnet:d/a", "2001:db8::/64", Level.SUBNET, "dept:d"),
        alloc("site:c1", "2001:db8:1::/48", Level.CITY),
    )})
    freed = ledger.free("site:c0")
    assert list(freed.allocations) == ["site:c1"] and freed.levels == ledger.levels
    assert freed.levels is not ledger.levels and len(ledger.allocations) == 4, "the old ledger changed"


def test_freeing_an_unknown_or_active_key_is_refused():
    ledger = Ledger({}, {ROOT.key: ROOT})
    with pytest.raises(InputError) as info:
        ledger.free("site:gone")
    assert (info.value.message, info.value.fix) == ("no allocation with key 'site:gone' in the ledger",
                                                    "see `govcloud ipam show`")
    with pytest.raises(InputError) as info:
        ledger.free("site:c0")
    assert (info.value.message, info.value.fix) == ("'site:c0' is still in use by the model",
                                                    "remove it from the model first")


def test_a_prefix_holding_its_parent_is_outside_it_even_when_they_end_together():
    parent = alloc("site:c1", "2001:db8:1::/48", Level.CITY)
    found = problems(parent, alloc("x", "2001:db8::/47", Level.DEPARTMENT, "site:c1"))
    assert found[0][:2] == (1, "x: 2001:db8::/47 lies outside its parent site:c1 (2001:db8:1::/48)")


def test_a_prefix_outside_its_parent_but_inside_its_grandparent_is_one_problem_not_two():
    found = problems(ROOT, alloc("dept:d", "2001:db8::/60", Level.DEPARTMENT, "site:c0"),
                     alloc("subnet:x", "2001:db8:0:100::/64", Level.SUBNET, "dept:d"))
    assert [p[:2] for p in found] == [(2, "subnet:x: 2001:db8:0:100::/64 lies outside its parent dept:d "
                                          "(2001:db8::/60)")]


def test_a_cycle_of_parents_inside_another_key_ends_and_is_reported():
    rows = (alloc("wide", "2001:db8::/40", Level.PROVINCE), alloc("a", "2001:db8::/48", Level.CITY, "b"),
            alloc("b", "2001:db8:1::/48", Level.CITY, "a"))
    found = problems(*rows)
    assert {p[1] for p in found} >= {"a and wide hold 2001:db8::/48, inside 2001:db8::/40",
                                     "b and wide hold 2001:db8:1::/48, inside 2001:db8::/40"}


def test_an_overlap_is_found_when_the_other_family_holds_the_same_integers_in_between():
    # ::c633:6400 is 198.51.100.0 as an integer: ordered by first address alone, the IPv6 row would
    # sort between the two IPv4 rows and close the wider one before the narrower one is compared.
    assert problems(alloc("v4:a", "198.51.100.0/24", Level.V4_SPACE),
                    alloc("v6", "::c633:6400/120", Level.SUBNET),
                    alloc("v4:b", "198.51.100.0/25", Level.V4_SUBNET)) == [
        (2, "v4:b and v4:a hold 198.51.100.0/25, inside 198.51.100.0/24",
         "every prefix belongs to one key: restore the row that was changed")]


def test_a_single_address_is_an_overlap_at_its_wider_neighbours_last_address_or_on_its_own():
    fix = "every prefix belongs to one key: restore the row that was changed"
    # The wider prefix ends on the very address the next one starts at: still open, still overlapping.
    assert problems(alloc("v4:a", "198.51.100.0/24", Level.V4_SPACE),
                    alloc("v4:b", "198.51.100.255/32", Level.V4_SUBNET)) == [
        (1, "v4:b and v4:a hold 198.51.100.255/32, inside 198.51.100.0/24", fix)]
    assert problems(alloc("host:a", "2001:db8::1/128", Level.SUBNET),
                    alloc("host:b", "2001:db8::1/128", Level.SUBNET)) == [
        (1, "host:b and host:a hold the same prefix", fix)]


def test_a_write_cut_short_leaves_only_the_temporary_file_the_model_ignores(lab_copy, monkeypatch):
    """The ledger is written to ipam-ledger.yaml.tmp and renamed: a write that stops before the
    rename leaves the old ledger whole and a file the model's loader knows is not the model's."""
    from govcloud.model import load_folder

    before = (lab_copy / "ipam-ledger.yaml").read_bytes()

    def cut(self, target):
        raise OSError("cut short")

    monkeypatch.setattr(Path, "replace", cut)
    with pytest.raises(OSError, match="cut short"):
        write_ledger(lab_copy, load_ledger(lab_copy))
    monkeypatch.undo()
    assert sorted(p.name for p in lab_copy.iterdir() if "ledger" in p.name) == ["ipam-ledger.yaml", "ipam-ledger.yaml.tmp"]
    assert (lab_copy / "ipam-ledger.yaml").read_bytes() == before
    assert load_folder(lab_copy).province.province.code == "lab"
