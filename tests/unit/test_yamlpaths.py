"""Locating field paths in YAML: the item scan of large files answers exactly what a full parse
answers, many errors cost one parse at most, and aliases are measured without being expanded."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from govcloud.yamlpaths import LineIndex, compose, expanded_size, node_line

EXAMPLE = Path(__file__).parents[2] / "inventories" / "example"


def _paths(node: yaml.Node, section: str, rng: random.Random, count: int) -> list[tuple]:
    """Random existing (and a few missing) paths under a top-level section."""
    items = next(v for k, v in node.value if k.value == section).value
    paths = []
    for _ in range(count):
        index = rng.randrange(len(items) + 2)  # sometimes past the end
        path: tuple = (section, index)
        item = items[index] if index < len(items) else None
        if isinstance(item, yaml.MappingNode) and rng.random() < 0.8:
            key, value = rng.choice(item.value)
            path += (key.value,)
            if isinstance(value, yaml.SequenceNode) and value.value and rng.random() < 0.5:
                path += (rng.randrange(len(value.value)),)
        if rng.random() < 0.1:
            path += ("no-such-field",)
        paths.append(path)
    return paths


def test_the_item_scan_finds_the_lines_a_full_parse_finds():
    rng = random.Random(13)
    for name, section in (("systems.yaml", "systems"), ("departments.yaml", "departments"),
                          ("extranet.yaml", "sites"), ("extranet.yaml", "links")):
        text = (EXAMPLE / name).read_text(encoding="utf-8")
        assert len(text) > LineIndex.SCAN_THRESHOLD, f"{name} is too small to exercise the scan"
        root = compose(text)
        index = LineIndex(text)
        for path in _paths(root, section, rng, 60):
            assert index.line_of(path) == node_line(root, path), path
        assert not index._composed, "the scan fell back to a full parse on a plain block sequence"


def test_a_large_file_in_another_shape_falls_back_to_one_full_parse():
    text = "systems: [" + ", ".join(f"{{code: s{i}, owner: d{i}}}" for i in range(5000)) + "]\n"
    index = LineIndex(text)
    assert index.line_of(("systems", 4999, "owner")) == 1
    assert index._composed


def test_items_after_comments_and_before_the_next_section():
    body = "".join(f"- code: s{i}\n  # a comment\n\n  owner: d{i}\n" for i in range(3000))
    text = "# header\nsystems:\n" + body + "# trailing\nlinks:\n- {a: x, b: y}\n"
    index = LineIndex(text)
    root = compose(text)
    for path in (("systems", 0, "owner"), ("systems", 2999, "owner"), ("systems", 2999), ("links", 0, "b")):
        assert index.line_of(path) == node_line(root, path)


def test_a_billion_laughs_is_measured_without_expanding_it():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    levels += [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
    distinct, expanded = expanded_size(compose("\n".join(levels)))
    assert distinct < 100
    assert expanded > 10 ** 8


def test_a_recursive_alias_expands_without_end():
    assert expanded_size(compose("a: &s [1, *s]"))[1] == float("inf")
