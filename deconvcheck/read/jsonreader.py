"""A strict JSON reader that records the line and column of every value.

The `json` module keeps no positions, and diagnostics must point at them. Strings are decoded by
`json`'s own `scanstring`, numbers by the RFC 8259 grammar; NaN, Infinity and trailing commas
are refused, as `json.loads` would refuse them in strict mode.
"""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]

from deconvcheck.diagnostics import Code, make
from deconvcheck.read.tree import MAX_DEPTH, MAX_NODES, LoadError, Node

_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WS = re.compile(r"[ \t\n\r]*")
_MAX_INT_DIGITS = 4300  # Python's own limit for int(str)


class JsonReader:
    """A strict JSON reader (RFC 8259: no NaN, no trailing commas) that records positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.count = 0
        # Offsets where each line starts, to turn an offset into (line, column).
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def fail(self, offset: int, message: str) -> LoadError:
        line, column = self.where(offset)
        return LoadError(
            make(Code.JSON_SYNTAX, f"JSON syntax error: {message}", line=line, column=column)
        )

    def skip(self, offset: int) -> int:
        match = _WS.match(self.text, offset)
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
        match = _NUMBER.match(self.text, offset)
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


def parse_json(text: str) -> Node:
    return JsonReader(text).document()
