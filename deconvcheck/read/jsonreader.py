"""JSON text to a document, at the `json` module's speed.

`json.loads` reads the text; nothing else walks it unless a diagnostic needs a position, which the
document then finds by scanning the text down to the value asked for (`JsonDocument`). Where the
text breaks a rule (a syntax error, NaN or Infinity, an integer too long, more values or levels
than a file may hold), the strict reader here (`JsonReader`), which records the line and column
of every value, reads it again and says where. Strings are decoded by `json`'s own `scanstring`,
numbers by the RFC 8259 grammar; NaN, Infinity and trailing commas are refused, as `json.loads`
would refuse them in strict mode.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from deconvcheck.diagnostics import Code, make
from deconvcheck.read.spec import KeyPath
from deconvcheck.read.tree import (
    MAX_DEPTH,
    MAX_NODES,
    Document,
    LoadError,
    Node,
    Pairs,
    TreeDocument,
)

# Compiled (through `re`'s own cache) where a position is wanted, not at every start-up.
_NUMBER = r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?"
_WS = r"[ \t\n\r]*"
_MAX_INT_DIGITS = 4300  # Python's own limit for int(str)


def read_json(text: str) -> Document:
    """The document of a JSON text; LoadError (DC004 where it is not JSON, DC009 where it holds
    more than MAX_NODES values or nests deeper than MAX_DEPTH) with the line and column."""
    if _most_values(text) <= MAX_NODES:
        try:
            value = json.loads(text, parse_constant=_not_json)
        except (ValueError, RecursionError):  # a JSONDecodeError is a ValueError
            pass  # said by the strict reader, where it is
        else:
            depth, keys = _measure(value)
            if depth <= MAX_DEPTH:
                # Each key written is followed by a ':' (and nothing else outside strings is):
                # as many ':' as the dicts hold keys, and none can have been written twice.
                return JsonDocument(text, value, repeats=text.count(":") != keys)
    return TreeDocument(JsonReader(text).document())  # raises, but for a text within limits


def _most_values(text: str) -> int:
    """At least as many as the values (keys included) of a JSON text: outside strings, a list
    of n items has n - 1 commas and one '[', a mapping of n pairs n - 1 commas, n colons and one
    '{'. Counted before `json` makes them all (8 million values under 16 MiB)."""
    return 1 + text.count(",") + text.count(":") + text.count("[") + text.count("{")


def _not_json(word: str) -> Any:
    raise ValueError(f"{word} is not JSON")


def _skip(text: str, at: int) -> int:
    """The first offset from `at` that is not JSON whitespace."""
    return re.compile(_WS).match(text, at).end()  # type: ignore[union-attr] # `*`: it always matches


def _measure(value: Any) -> tuple[int, int]:
    """The depth of a JSON value as the strict reader counts it (the root is 1, what a list or a
    mapping holds one more, keys included), up to MAX_DEPTH + 1, and how many keys its dicts
    hold. One pass a level, by a plain loop (faster here than comprehensions per container)."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth, keys = 1, 0
    while level:
        below: list[Any] = []
        full = False
        for container in level:
            if not container:
                continue
            full = True
            items: Iterable[Any] = container
            if type(container) is dict:
                keys += len(container)
                items = container.values()
            for item in items:
                kind = type(item)
                if kind is dict or kind is list:
                    below.append(item)
        if full:
            depth += 1
            if depth > MAX_DEPTH:
                break
        level = below
    return depth, keys


class JsonDocument(Document):
    """A JSON text read by `json.loads`: positions found by scanning the text to the value at a
    path, each list or mapping on the way read once (its items' offsets, by `json`'s scanner)
    and kept for the next lookup. `repeats`: whether a key may be written twice somewhere (then
    the pairs of a mapping are read from the text when asked for)."""

    def __init__(self, text: str, value: Any, *, repeats: bool) -> None:
        super().__init__(value)
        self.text = text
        self.repeats = repeats
        self._decoder = json.JSONDecoder()
        self._items: dict[int, list[tuple[str | None, int | None, int]]] = {}
        self._lines: list[int] | None = None

    def pairs(self, mapping: dict[Any, Any], path: KeyPath) -> Pairs | None:
        if not self.repeats:
            return None
        offset = self._offset(path, key=False)
        if offset is None or self.text[offset] != "{":
            return None
        items = self._children(offset)
        if len(items) == len(mapping):
            return None
        decode = self._decoder.raw_decode
        return [(name, decode(self.text, at)[0]) for name, _, at in items]

    def position(self, path: KeyPath, key: bool) -> tuple[int, int] | None:
        offset = self._offset(path, key)
        if offset is None:
            return None
        if self._lines is None:
            self._lines = [0] + [m.end() for m in re.finditer("\n", self.text)]
        from bisect import bisect_right  # noqa: PLC0415 - a position is rarely wanted

        line = bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def _offset(self, path: KeyPath, key: bool) -> int | None:
        """Where the value at `path` (or its key) starts in the text; None if it is not there.
        A string step is the first pair of that key; an int, a list's item or a mapping's pair
        by its index."""
        offset: int = _skip(self.text, 0)
        key_offset: int | None = None
        for step in path:
            items = self._children(offset)
            if type(step) is int:
                if not 0 <= step < len(items):
                    return None
                _, key_offset, offset = items[step]
            else:
                found = next((item for item in items if item[0] == step), None)
                if found is None:
                    return None
                _, key_offset, offset = found
        return key_offset if key else offset

    def _children(self, offset: int) -> list[tuple[str | None, int | None, int]]:
        """(key, key offset, value offset) of each item of the list or mapping at `offset` (a
        list's items have no key: None, None); [] for a scalar. Each item is skipped by `json`'s
        own scanner."""
        found = self._items.get(offset)
        if found is not None:
            return found
        text, scan = self.text, self._decoder.raw_decode
        opening = text[offset]
        found = []
        if opening in "[{":
            at = _skip(text, offset + 1)
            while text[at] not in "]}":
                name, key_at = None, None
                if opening == "{":
                    key_at = at
                    name, at = scanstring(text, at + 1)
                    at = _skip(text, _skip(text, at) + 1)  # past the ':'
                found.append((name, key_at, at))
                at = _skip(text, scan(text, at)[1])
                if text[at] == ",":
                    at = _skip(text, at + 1)
        self._items[offset] = found
        return found


class JsonReader:
    """A strict JSON reader (RFC 8259: no NaN, no trailing commas) that records positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.count = 0
        # Offsets where each line starts, to turn an offset into (line, column).
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._ws, self._number = re.compile(_WS), re.compile(_NUMBER)

    def where(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_right  # noqa: PLC0415

        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def fail(self, offset: int, message: str) -> LoadError:
        line, column = self.where(offset)
        return LoadError(
            make(Code.JSON_SYNTAX, f"JSON syntax error: {message}", line=line, column=column)
        )

    def skip(self, offset: int) -> int:
        match = self._ws.match(self.text, offset)
        return match.end() if match else offset

    def document(self) -> Node:
        offset = self.skip(0)
        node, offset = self.value(offset, 1)
        offset = self.skip(offset)
        if offset != len(self.text):
            raise self.fail(offset, "extra data after the end of the document")
        return node

    def value(self, offset: int, depth: int) -> tuple[Node, int]:
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_NODES:
            line, column = self.where(offset)
            raise LoadError(
                make(
                    Code.INPUT_TOO_LARGE,
                    "the JSON is too large or too deeply nested",
                    line=line,
                    column=column,
                )
            )
        line, column = self.where(offset)
        char = self.text[offset : offset + 1]
        if char == "{":
            return self.mapping(offset + 1, depth, line, column)
        if char == "[":
            return self.sequence(offset + 1, depth, line, column)
        if char == '"':
            try:
                text, end = scanstring(self.text, offset + 1)
            except json.JSONDecodeError as exc:
                raise self.fail(exc.pos, exc.msg) from None
            return Node("scalar", text, line, column), end
        for word, literal in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, offset):
                return Node("scalar", literal, line, column), offset + len(word)
        match = self._number.match(self.text, offset)
        if not match:
            found = char or "the end of the file"
            if self.text.startswith(("NaN", "Infinity", "-Infinity"), offset):
                found = "NaN or Infinity, which JSON does not allow"
            raise self.fail(offset, f"expected a value, found {found}")
        integer, fraction, exponent = match.groups()
        if fraction or exponent:
            number: float | int = float(match.group())
        elif len(integer) > _MAX_INT_DIGITS:
            raise self.fail(offset, f"an integer of {len(integer):,} digits is too long")
        else:
            number = int(integer)
        return Node("scalar", number, line, column), match.end()

    def sequence(self, offset: int, depth: int, line: int, column: int) -> tuple[Node, int]:
        items: list[Node] = []
        offset = self.skip(offset)
        if self.text.startswith("]", offset):
            return Node("seq", items, line, column), offset + 1
        while True:
            item, offset = self.value(self.skip(offset), depth + 1)
            items.append(item)
            offset = self.skip(offset)
            char = self.text[offset : offset + 1]
            if char == "]":
                return Node("seq", items, line, column), offset + 1
            if char != ",":
                raise self.fail(offset, "expected ',' or ']' in a list")
            offset += 1

    def mapping(self, offset: int, depth: int, line: int, column: int) -> tuple[Node, int]:
        pairs: list[tuple[Node, Node]] = []
        offset = self.skip(offset)
        if self.text.startswith("}", offset):
            return Node("map", pairs, line, column), offset + 1
        while True:
            offset = self.skip(offset)
            if not self.text.startswith('"', offset):
                raise self.fail(offset, "expected a quoted key")
            key, offset = self.value(offset, depth + 1)
            offset = self.skip(offset)
            if not self.text.startswith(":", offset):
                raise self.fail(offset, "expected ':' after a key")
            val, offset = self.value(self.skip(offset + 1), depth + 1)
            pairs.append((key, val))
            offset = self.skip(offset)
            char = self.text[offset : offset + 1]
            if char == "}":
                return Node("map", pairs, line, column), offset + 1
            if char != ",":
                raise self.fail(offset, "expected ',' or '}' in an object")
            offset += 1
