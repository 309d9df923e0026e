"""Text to a document: the file's value as plain Python, and where each part of it is written.

Readers parse to plain values (dicts, lists, strings, numbers, booleans, None) as fast as they can:
JSON with the `json` module, a usual YAML spec with the fast reader, anything else with PyYAML.
Positions are worked out only when a diagnostic needs one (`Document.position`), from what the
reader kept: a tree of located `Node`s (PyYAML's marks, the fast reader's lines), or the text
itself (JSON, scanned to the value asked for). Everything after this module sees one kind of
document and can point at the line and column of any value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deconvcheck.diagnostics import Diagnostic
from deconvcheck.read.spec import KeyPath, Pos

MAX_NODES = 2_000_000  # values in one file (100,000 layers need ~800,000); alias bombs stop here
MAX_DEPTH = 200  # nesting levels; a real spec needs about 5

# A mapping as written, where a dict cannot say it: every (key, value) pair in file order.
Pairs = list[tuple[Any, Any]]


class Document:
    """A file's value as plain Python, and where each part of it is written.

    `value` is the document's value: dicts (the last of a repeated key wins, as in `json`),
    lists and scalars; None for an empty file (`empty`). A mapping a dict cannot stand for (a
    key written twice, a key that is not a string) also has its pairs as written (`pairs`), for
    the reader that must report them. A value's place is a path of keys and indices from the
    root (`spec.KeyPath`)."""

    def __init__(self, value: Any, *, empty: bool = False) -> None:
        self.value = value
        self.empty = empty

    def position(self, path: KeyPath, key: bool) -> tuple[int, int] | None:
        """(line, column) of the value at `path`, or of its key; None where there is none."""
        raise NotImplementedError

    def pairs(self, mapping: dict[Any, Any], path: KeyPath) -> Pairs | None:
        """The pairs of the mapping at `path` as written, where its dict cannot say them (a
        repeated key, a key that is not a string); None for every other mapping."""
        raise NotImplementedError

    def at(self, path: KeyPath, key: bool = False, where: str = "") -> Pos:
        """The position of the value at `path` (of its key if `key`), worked out when read."""
        return Pos.of(self, path, key, where)

    def __deepcopy__(self, memo: dict[int, Any]) -> Document:
        return self  # read, never changed: a copy of a spec points into the same file


class Node:
    """A value with the 1-based line and column where it starts, as a YAML reader (or the JSON
    reader that records positions) gives it.

    `value` is a scalar for scalars, a list of Nodes for sequences, and a list of (key, value)
    Node pairs for mappings (kept in file order, duplicates included, so they can be reported).
    A "line" node is a mapping the fast YAML reader took whole from one line (its `value`: the
    dict, its pairs if a dict cannot say them, and the line's text); the nodes it stands for are
    made from the line when a position in it is asked for (`TreeDocument`).
    """

    __slots__ = ("column", "kind", "line", "value")

    def __init__(self, kind: str, value: Any, line: int, column: int) -> None:
        self.kind = kind  # "scalar" | "seq" | "map" | "line"
        self.value = value
        self.line = line
        self.column = column


class CollectionKey:
    """A YAML mapping key that is a list or a mapping (`{[a, b]: 1}`): no dict key can be one,
    so it stands in for it, to be reported (in a spec's structure) or shown (in a value)."""

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind  # "a list" | "a mapping"
        self.text = text

    def __repr__(self) -> str:
        return self.text


class TreeDocument(Document):
    """A document read into located nodes: its value made from them once, positions looked up
    in them. `reread` makes the nodes of a "line" node (the fast YAML reader's)."""

    def __init__(self, root: Node | None, reread: Callable[[Node], Node] | None = None) -> None:
        self.root = root
        self.reread = reread
        self.irregular: dict[int, Pairs] = {}  # id of a dict -> its pairs, where it needs them
        self._made: dict[int, Any] = {}  # id of a node -> its value: an alias is made once
        super().__init__(None if root is None else self._plain(root), empty=root is None)
        self._made = {}

    def _plain(self, node: Node) -> Any:
        kind = node.kind
        if kind == "scalar":
            return node.value
        made = self._made.get(id(node))
        if made is not None:
            return made
        if kind == "seq":
            # A list's lines (the fast reader's) are taken here directly, not through this
            # table of values made: it makes no aliases, and 10,000 layers' entries cost 2 ms.
            made = [
                item.value[0]
                if item.kind == "line" and item.value[1] is None
                else self._plain(item)
                for item in node.value
            ]
        elif kind == "line":  # its dict, and its pairs where a dict cannot say them
            made, pairs, _, _ = node.value
            if pairs is not None:
                self.irregular[id(made)] = pairs
        else:
            pairs = [(self._key(key), self._plain(value)) for key, value in node.value]
            made = dict(pairs)
            if len(made) != len(pairs) or any(type(key) is not str for key in made):
                self.irregular[id(made)] = pairs
        self._made[id(node)] = made
        return made

    def _key(self, node: Node) -> Any:
        if node.kind == "scalar":
            return node.value
        kind = "a list" if node.kind == "seq" else "a mapping"
        return CollectionKey(kind, repr(self._plain(node)))

    def pairs(self, mapping: dict[Any, Any], path: KeyPath) -> Pairs | None:
        return self.irregular.get(id(mapping))

    def position(self, path: KeyPath, key: bool) -> tuple[int, int] | None:
        node, key_node = self.root, None
        for step in path:
            if node is None:
                return None
            if node.kind == "line" and self.reread is not None:
                node.kind, node.value = "map", self.reread(node).value  # made once, kept
            node, key_node = _step(node, step)
        found = key_node if key else node
        return None if found is None else (found.line, found.column)


def _step(node: Node, step: str | int) -> tuple[Node | None, Node | None]:
    """The child of `node` at `step`, and its key node in a mapping."""
    if node.kind == "seq":
        inside = type(step) is int and 0 <= step < len(node.value)
        return (node.value[step] if inside else None), None
    if node.kind != "map":
        return None, None
    if type(step) is int:
        if 0 <= step < len(node.value):
            key, value = node.value[step]
            return value, key
        return None, None
    for key, value in node.value:
        if key.kind == "scalar" and key.value == step:
            return value, key
    return None, None


class LoadError(Exception):
    """The text cannot be turned into a tree; carries the diagnostic to report."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class NotAModel(LoadError):
    """A readable binary file that holds no model (an HDF5 file of weights or other data):
    `check` leaves it alone, as it does a JSON file that is not a spec."""


def looks_like_json(text: str) -> bool:
    """Chosen by content: a document that opens with '{' or '[' is read as JSON."""
    stripped = text.lstrip()
    return stripped.startswith(("{", "["))
