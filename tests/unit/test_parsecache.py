"""Parsed models and ledgers kept by content hash (govcloud.parsecache): a hit gives what a parse
gives, any change of the files is a miss, errors are never kept, a damaged entry is parsed again."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud import parsecache
from govcloud.ipam import load_ledger
from govcloud.model import ModelErrors, load_folder
from govcloud.model.loader import model_files
from govcloud.paths import parse_cache_dir


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GOVCLOUD_PARSE_CACHE", str(folder))
    return folder


def entries(cache: Path, kind: str) -> list[Path]:
    return sorted(cache.glob(f"{kind}-*.pickle"))


def test_a_second_load_of_the_same_files_is_a_hit_equal_to_a_parse(cache, lab_copy):
    first = load_folder(lab_copy)
    assert len(entries(cache, "model")) == 1
    second = load_folder(lab_copy)
    assert second.province == first.province and second.province is not first.province
    assert second.section_files == first.section_files and second.path == lab_copy
    assert load_ledger(lab_copy) == load_ledger(lab_copy) and len(entries(cache, "ledger")) == 1


def test_the_hit_is_what_is_read(cache, lab_copy):
    """Poison the entry: a hit returns it, which proves the second load did not parse."""
    load_folder(lab_copy)
    inputs = [(f.name, f.read_bytes()) for f in model_files(lab_copy)]
    province, homes = parsecache.get("model", inputs) or (None, None)
    assert province is not None, "the key is not the model files' names and bytes"
    parsecache.put("model", inputs, (province.model_copy(update={"systems": ()}), homes))
    assert load_folder(lab_copy).province.systems == ()


def test_an_edit_of_any_model_file_is_a_miss(cache, lab_copy):
    load_folder(lab_copy)
    systems = lab_copy / "systems.yaml"
    systems.write_text(systems.read_text(encoding="utf-8").replace("电子证照库", "电子证照平台"), encoding="utf-8")
    assert any(s.name == "电子证照平台" for s in load_folder(lab_copy).province.systems)
    assert len(entries(cache, "model")) == 2


def test_an_invalid_model_is_never_kept_and_reports_every_time(cache, lab_copy):
    systems = lab_copy / "systems.yaml"
    systems.write_text(systems.read_text(encoding="utf-8").replace("owner: city-a-edu", "owner: nobody"),
                       encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ModelErrors, match="unknown department 'nobody'"):
            load_folder(lab_copy)
    assert entries(cache, "model") == []


def test_a_damaged_entry_is_parsed_again_and_replaced(cache, lab_copy):
    expected = load_ledger(lab_copy)
    [entry] = entries(cache, "ledger")
    entry.write_bytes(b"not a pickle")
    assert load_ledger(lab_copy) == expected
    assert entry.read_bytes() != b"not a pickle"


def test_off_turns_it_off_and_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch, lab_copy):
    monkeypatch.setenv("GOVCLOUD_PARSE_CACHE", "off")
    assert parse_cache_dir() is None
    load_folder(lab_copy)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("GOVCLOUD_PARSE_CACHE", str(blocker / "cache"))  # cannot be created
    assert load_folder(lab_copy).province.province.code


def test_the_oldest_entries_go(cache, monkeypatch):
    monkeypatch.setattr(parsecache, "MAX_ENTRIES", 3)
    for n in range(5):
        parsecache.put("x", [("f", bytes([n]))], n)
    assert len(entries(cache, "x")) == 3
    assert parsecache.get("x", [("f", bytes([4]))]) == 4 and parsecache.get("x", [("f", bytes([0]))]) is None


def test_the_cache_lives_under_the_govcloud_cache_root(monkeypatch):
    monkeypatch.delenv("GOVCLOUD_PARSE_CACHE", raising=False)
    monkeypatch.setenv("GOVCLOUD_CACHE", "/somewhere")
    assert parse_cache_dir() == Path("/somewhere/parsed")
