"""Text to a tree of located values, for YAML and JSON alike.

PyYAML's composer gives nodes with line and column marks; a small JSON reader here gives the same
for JSON (the `json` module keeps no positions). Both produce `Node`s, so everything after this
module sees one kind of tree and can point at the line and column of any value.

Plain YAML scalars are resolved by the YAML 1.2 core schema, not PyYAML's YAML 1.1 rules, so
`yes` and `on` stay strings, `010` is ten, `1e3` is a number and `1:20` is not 80.
"""

from __future__ import annotations

import math
import re
from typing import Any

from deconvcheck.diagnostics import Diagnostic

MAX_NODES = 2_000_000  # values in one file (100,000 layers need ~800,000); alias bombs stop here
MAX_DEPTH = 200  # nesting levels; a real spec needs about 5


# One pair of a "flat" mapping: key, its column, the plain value, its column, and for a list
# the column of each item (None for a scalar). The line is the mapping's.
FlatPair = tuple[str, int, Any, int, "tuple[int, ...] | None"]


class Node:
    """A value with the 1-based line and column where it starts.

    `value` is a scalar for scalars, a list of Nodes for sequences, and a list of (key, value)
    Node pairs for mappings (kept in file order, duplicates included, so they can be reported).
    A "flat" node is a mapping written on one line whose values are scalars or lists of them, as
    the fast reader takes most layers: its `value` is a list of `FlatPair`s (no node per key and
    value; `expanded()` gives the mapping node it stands for).
    """

    __slots__ = ("column", "kind", "line", "value")

    def __init__(self, kind: str, value: Any, line: int, column: int) -> None:
        self.kind = kind  # "scalar" | "seq" | "map" | "flat"
        self.value = value
        self.line = line
        self.column = column

    def plain(self) -> Any:
        """The Python value of this subtree (mappings become dicts, last duplicate wins)."""
        if self.kind == "scalar":
            return self.value
        if self.kind == "seq":
            return [item.plain() for item in self.value]
        if self.kind == "flat":
            return {k: v if c is None else list(v) for k, _, v, _, c in self.value}
        return {key.plain(): val.plain() for key, val in self.value}

    def expanded(self) -> Node:
        """A "flat" node as the mapping node it stands for (any other node as it is)."""
        if self.kind != "flat":
            return self
        line, pairs = self.line, []
        for key, key_column, value, value_column, columns in self.value:
            if columns is None:
                node = Node("scalar", value, line, value_column)
            else:
                items = [Node("scalar", v, line, c) for v, c in zip(value, columns, strict=True)]
                node = Node("seq", items, line, value_column)
            pairs.append((Node("scalar", key, line, key_column), node))
        return Node("map", pairs, line, self.column)


class LoadError(Exception):
    """The text cannot be turned into a tree; carries the diagnostic to report."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class NotAModel(LoadError):
    """A readable binary file that holds no model (an HDF5 file of weights or other data):
    `check` leaves it alone, as it does a JSON file that is not a spec."""


# ---------------------------------------------------------------- YAML

_INT = re.compile(r"[-+]?[0-9]+$")
_OCT = re.compile(r"0o[0-7]+$")
_HEX = re.compile(r"0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)$")
_NAN = re.compile(r"\.(nan|NaN|NAN)$")


_WORDS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_NUMERIC_START = frozenset("0123456789+-.")


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) YAML scalar by the YAML 1.2 core schema."""
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMERIC_START:
        return text  # the common case, names and keys: no pattern can match
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


# Tags PyYAML's resolver gives plain values (re-resolved here by YAML 1.2 rules). Any other tag
# was written by hand (`!!python/object`, `!custom`) and is refused.


def looks_like_json(text: str) -> bool:
    """Chosen by content: a document that opens with '{' or '[' is read as JSON."""
    stripped = text.lstrip()
    return stripped.startswith(("{", "["))
