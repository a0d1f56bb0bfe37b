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
    """Lines of many field paths of one YAML text, from at most one full parse.

    Large model files are top-level sections holding block sequences (``systems:`` then ``- code:``
    items). For those, the items' first lines are found by scanning indentation once, and only the
    one item a path names is composed: locating a hundred errors in a 1 MB file composes a hundred
    small snippets instead of the whole file (composing 1 MB takes seconds on a busy machine). Any
    other shape, or a snippet that does not compose on its own (an alias to an anchor elsewhere),
    falls back to one full parse.
    """

    #: Below this size one full parse is cheap; the item scan only pays off for large files.
    SCAN_THRESHOLD = 64 * 1024

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None
        self._items: dict[str, list[int] | None] = {}
        self._root: yaml.Node | None = None
        self._composed = False

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        if len(self._text) >= self.SCAN_THRESHOLD and len(path) >= 2 and isinstance(path[1], int):
            line = self._item_line(str(path[0]), path[1], path[2:])
            if line is not None:
                return line
        if not self._composed:
            self._root, self._composed = compose(self._text), True
        return node_line(self._root, path)

    def _item_line(self, section: str, index: int, rest: tuple[str | int, ...]) -> int | None:
        starts = self._item_starts(section)
        if starts is None or not 0 <= index < len(starts) - 1:
            return None
        first, end = starts[index], starts[index + 1]
        snippet = "\n".join(self._lines[first:end])
        node = compose(snippet)
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != 1:
            return None
        line = node_line(node.value[0], rest)
        return first + line if line is not None else None

    def _item_starts(self, section: str) -> list[int] | None:
        """0-based first lines of the items of a top-level block sequence, and the end line; None
        when the section is not written that way."""
        if section in self._items:
            return self._items[section]
        self._lines = self._lines or self._text.split("\n")
        self._items[section] = starts = _scan_items(self._lines, section)
        return starts


def _scan_items(lines: list[str], section: str) -> list[int] | None:
    header = f"{section}:"
    try:
        at = next(i for i, line in enumerate(lines) if line.rstrip() == header or line.startswith(header + " #"))
    except StopIteration:
        return None
    starts: list[int] = []
    indent = None
    end = len(lines)
    for number in range(at + 1, len(lines)):
        line = lines[number]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(("---", "...")) and len(line) == len(stripped) or "\t" in line[: len(line) - len(stripped) + 1]:
            return None  # another document or tab indentation: let the full parse decide
        depth = len(line) - len(stripped)
        if indent is None:
            if not stripped.startswith("- "):
                return None  # not a block sequence
            indent = depth
        if depth < indent or (depth == indent and not stripped.startswith("- ")):
            end = number
            break
        if depth == indent:
            starts.append(number)
    while end > at + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1  # trailing comments belong to no item
    return starts + [end] if starts else None


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
