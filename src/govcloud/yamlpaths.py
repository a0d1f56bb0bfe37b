"""Where a field is in a YAML text: the line of a field path such as ('systems', 12, 'owner'), and
the path written the way errors show it (``systems[12].owner``). Used only when reporting an error,
so valid input never pays for the node parse.

Many errors in one file are located with one parse: :class:`LineIndex` composes the text once and
answers every path from the same node tree. Walking follows one path only (never the whole graph),
so a document with aliases cannot make it walk an exponential number of nodes.
"""

from __future__ import annotations

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def format_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def compose(text: str) -> yaml.Node | None:
    """The node tree of ``text`` (aliases stay shared nodes, nothing is expanded); None if unparsable."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None


class LineIndex:
    """Lines of many field paths of one YAML text, from one parse."""

    def __init__(self, text: str) -> None:
        self._root = compose(text)

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        return node_line(self._root, path)


def line_of(text: str, path: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest node of ``path`` present in the YAML ``text``."""
    return node_line(compose(text), path)


def node_line(node: yaml.Node | None, path: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest node of ``path`` under ``node``: at most len(path) steps."""
    line = None
    for key in path:
        if node is None:
            break
        line = node.start_mark.line + 1
        node = _child(node, key)
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == str(key):
                return v
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def expanded_size(node: yaml.Node | None) -> tuple[int, int]:
    """(distinct nodes, nodes after alias expansion) of a composed document, in time linear in the
    distinct nodes: a shared node's expanded size is computed once (a "billion laughs" document
    has a few dozen distinct nodes and 10^9 expanded ones). A node that contains itself expands
    without end: its size is reported as infinite."""
    if node is None:
        return 0, 0
    sizes: dict[int, float] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:  # iterative post-order (no recursion limit on deep documents)
        current, children_done = stack.pop()
        key = id(current)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(current))
            continue
        if key in sizes:
            continue
        if key in open_nodes:  # an alias to an enclosing node: a recursive structure
            return len(sizes) + len(open_nodes), float("inf")
        open_nodes.add(key)
        stack.append((current, True))
        stack.extend((c, False) for c in _children(current) if id(c) not in sizes)
    return len(sizes), sizes[id(node)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
