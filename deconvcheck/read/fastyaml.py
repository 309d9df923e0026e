"""A fast reader for the usual shape of a spec: top-level `key: value` lines and a `layers:` list
with one flow mapping per line (`  - {type: Conv2D, filters: 8, kernel_size: [3, 3]}`).

It produces exactly the tree PyYAML's composer gives (kinds, values, lines, columns), about three
times faster for long stacks, and gives up (returns None) on anything outside that strict subset
(escapes, anchors, tags, block values, multi-line flows), in which case the full YAML parser reads
the file. tests/test_fastyaml.py checks the two agree. More than MAX_NODES values it refuses
itself (DC009), as soon as it has counted them: handing such a file to PyYAML would compose all
of it first (8.3 million values under 16 MiB: 0.9 GB).

Once a `layers:` list is long, a line in the usual shape is matched whole by one pattern and kept
as its dict (a "line" node): its nodes, with their columns, are made from the line only when a
position in it is asked for (`reread`).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from typing import Any

from deconvcheck.diagnostics import Code, make
from deconvcheck.memo import MEMO
from deconvcheck.read.tree import MAX_DEPTH, MAX_NODES, LoadError, Node

# ---------------------------------------------------------------- plain scalars
# Resolved by the YAML 1.2 core schema, not PyYAML's YAML 1.1 rules (for this reader and the
# full one alike), so `yes` and `on` stay strings, `010` is ten, `1e3` is a number and `1:20` is
# not 80.

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


# ---------------------------------------------------------------- the usual spec

_KEY = r"[A-Za-z_][A-Za-z0-9_]*+"  # possessive: nothing after a key can be part of it
_KEY_RE = re.compile(_KEY)
_TOP = re.compile(rf"({_KEY}):(?: +(\S.*?))? *$")
_ITEM = re.compile(r"( *)- (\S.*?) *$")
# A plain scalar: a name or a number (a '-' only before a digit or a point, tried second).
_PLAIN_FIRST, _PLAIN_REST = r"(?:[A-Za-z0-9_+.~]|-(?=[0-9.]))", r"[A-Za-z0-9_+.~-]"
_PLAIN = re.compile(rf"{_PLAIN_FIRST}{_PLAIN_REST}*")
_SPACE = re.compile(r" *")
_WORDS_OUT = frozenset(("-", "?", ":"))

# The most usual line of all, matched whole by one pattern: a flow mapping whose values are
# scalars or flat lists of scalars (`  - {type: Conv2D, filters: 8, kernel_size: [3, 3]}`).
# Its pieces are then picked out by the grouped patterns below, which can only meet them in
# order. A line that does not match is read by `_Line`, character by character.
# The repetitions are possessive (`*+`): what one step takes, the next can never use (a comma
# starts each step, a scalar ends at a space, a comma or a bracket), so giving it back could not
# make a match, and the matcher keeps no state per step: a line of two million list items
# took 965 MB to match with plain `*`, 30 MB with `*+`. The spaces are possessive too (what
# follows them is never a space): a fifth less time to match a line.
_SCALAR = (
    rf"{_PLAIN_FIRST}{_PLAIN_REST}{{0,999}}+"  # plain, at most 1000 long (as `_Line` takes)
    r'|"[^"\\]*+"(?!")'  # double-quoted, no escapes
    r"|'[^'\\]*+'(?!')"  # single-quoted, no doubled quotes
)
_FLAT = rf"(?:{_SCALAR}|\[ *+(?:(?:{_SCALAR})(?: *+, *+(?:{_SCALAR}))*+ *+)?\])"
_PAIR = rf"{_KEY}: ++{_FLAT}"
_FLAT_ITEM = rf"( *+)- (\{{ *+(?:{_PAIR}(?: *+, *+{_PAIR})*+ *+)?\}}) *+"
_GROUPED = (  # 1 plain, 2 double-quoted text, 3 single-quoted text
    rf"({_PLAIN_FIRST}{_PLAIN_REST}*)" r'|"([^"]*)"' r"|'([^']*)'"
)
_LIST = r"""(\[(?:[^]'"]++|'[^']*+'|"[^"]*+")*+\])"""  # 5: a flat list; quoted items may hold ']'
_PAIR_PARTS = rf"({_KEY}): +(?:{_GROUPED}|{_LIST})"
# Items read by the cursor before the patterns are compiled (about 2.5 ms, which a short spec
# would spend for nothing).
FLAT_AFTER = 32


class _Patterns:
    """The patterns of one-pattern lines, each compiled when first used: a spec without quotes
    needs only `item` (the others took 0.3 ms more)."""

    @functools.cached_property
    def item(self) -> re.Pattern[str]:
        return re.compile(_FLAT_ITEM)

    @functools.cached_property
    def pair(self) -> re.Pattern[str]:
        return re.compile(_PAIR_PARTS)

    @functools.cached_property
    def scalar(self) -> re.Pattern[str]:
        return re.compile(_GROUPED)


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


# Plain scalars' values (`same`, `3`, `Conv2D` recur on every line), kept in deconvcheck.memo.
_RESOLVED = MEMO.scalars.entries


def _plain(text: str) -> Any:
    return MEMO.scalars.keep(text, resolve_plain(text))


def _scalars(line: str, number: int, start: int, end: int, room: int) -> list[Any]:
    """The values of a flat list's items between `start` and `end`; LoadError (DC009) past
    `room` values, before they are all made."""
    values = []
    items = _patterns().scalar.finditer(line, start, end)
    if line.count(",", start, end) >= room:  # perhaps too many (a quoted item may hold commas)
        items = _counted(items, room, number)
    for item in items:
        group = item.lastindex
        if group == 1:
            text = item[1]
            values.append(_RESOLVED[text] if text in _RESOLVED else _plain(text))
        else:
            assert group is not None
            values.append(item[group])
    return values


def _counted(items: Iterator[re.Match[str]], room: int, number: int) -> Iterator[re.Match[str]]:
    for count, item in enumerate(items, 1):
        if count > room:
            raise _too_many(number, item.start() + 1)
        yield item


def _too_many(line: int, column: int) -> LoadError:
    """The fast reader's DC009, where the values pass MAX_NODES: it counts as the full parser
    does, so a file it refuses the full parser would refuse too (after composing all of it)."""
    message = f"the file holds more than {MAX_NODES:,} values"
    return LoadError(make(Code.INPUT_TOO_LARGE, message, line=line, column=column))


def _flat_mapping(
    line: str, number: int, start: int, end: int, room: int, keys: dict[str, str], quoted: bool
) -> tuple[Node, int]:
    """The mapping of a line `_FLAT_ITEM` matched (between `start` and `end`), as a "line" node
    (its dict; its pairs too where a key is repeated), and the nodes it stands for; LoadError
    (DC009) when they would be more than `room`. `keys` gives each key's text once made (as
    `json` shares a document's keys): 10,000 layers' copies of `filters` took 2 MB. `quoted`:
    whether the text holds a quote anywhere (if not, no line is looked at for one)."""
    inner = line[start + 1 : end - 1]
    # Every value takes at least one character of the mapping's text (`{a: b}` is 3 values in
    # 6): a mapping shorter than `room` cannot pass the limit, and is read without counting.
    if end - start >= room or (quoted and ('"' in inner or "'" in inner)):
        return _mapping_by_pattern(line, number, start, end, room)
    # Without quotes, a line `_FLAT_ITEM` matched has no separators but `:` after a key and `,`
    # between pairs and list items, and no space but around them: no key, name or number
    # holds any. Cut by `str.split` it gives the pairs the pair pattern finds, in a third of
    # its time (a third of the whole reading of a line).
    inner = inner.replace(" ", "")
    mapping: dict[str, Any] = {}
    count = 1  # the mapping and its lists' items; its keys and values are added below
    if "[" not in inner:  # "key", "value", "key", "value", ...
        words = inner.replace(",", ":").split(":")
        pairs = len(words) // 2
        each = iter(words)
        for key, text in zip(each, each, strict=False):  # `{}`: one word, "", left over
            value = _RESOLVED[text] if text in _RESOLVED else _plain(text)
            mapping[keys.setdefault(key, key)] = value
    else:  # "key", "value,key", ..., "value,": a list's commas stay in its value
        pieces = (inner + ",").split(":")
        pairs = len(pieces) - 1
        key = pieces[0]
        for piece in pieces[1:]:
            text, _, after = piece.rpartition(",")
            if text[0] == "[":  # a flat list of plain scalars
                items = text[1:-1].split(",") if text != "[]" else []
                values = [_RESOLVED[item] if item in _RESOLVED else _plain(item) for item in items]
                mapping[keys.setdefault(key, key)] = values
                count += len(values)
            else:
                value = _RESOLVED[text] if text in _RESOLVED else _plain(text)
                mapping[keys.setdefault(key, key)] = value
            key = after
    if len(mapping) != pairs:  # a repeated key: read with its pairs (rare)
        return _mapping_by_pattern(line, number, start, end, room)
    if not _WORDS.keys().isdisjoint(mapping):
        raise _GiveUp  # a key `null` or `true` is None or True to YAML: the full parser
    return Node("line", (mapping, None, line, start), number, start + 1), count + 2 * pairs


def _mapping_by_pattern(
    line: str, number: int, start: int, end: int, room: int
) -> tuple[Node, int]:
    """`_flat_mapping` of any line (quoted values, a repeated key, near the limit), by the pair
    pattern: a list's items are counted as they are read, and DC009 is raised at the first one
    past `room`, before they are all made."""
    pattern = _patterns().pair
    pairs: list[tuple[str, Any]] = []
    count = 1
    for pair in pattern.finditer(line, start + 1, end - 1):
        group = pair.lastindex
        if group == 2:  # a plain scalar, by far the most usual
            text = pair[2]
            pairs.append((pair[1], _RESOLVED[text] if text in _RESOLVED else _plain(text)))
        elif group == 5:  # a flat list
            values = _scalars(line, number, pair.start(5) + 1, pair.end(5) - 1, room)
            pairs.append((pair[1], values))
            count += len(values)
            room -= len(values)
        else:  # quoted
            assert group is not None
            pairs.append((pair[1], pair[group]))
    mapping = dict(pairs)
    if not _WORDS.keys().isdisjoint(mapping):
        raise _GiveUp  # a key `null` or `true` is None or True to YAML: the full parser
    written = (mapping, pairs if len(mapping) != len(pairs) else None, line, start)
    return Node("line", written, number, start + 1), count + 2 * len(pairs)


def reread(node: Node) -> Node:
    """The mapping node a "line" node stands for, made from its line by the cursor."""
    _, _, line, start = node.value
    cursor = _Line(line, node.line, MAX_NODES)
    cursor.at = start
    return cursor.value()


class _GiveUp(Exception):
    """Control flow: the text is outside the subset."""


class _Line:
    """A cursor over one line of flow-style text."""

    def __init__(self, text: str, number: int, room: int) -> None:
        self.text = text
        self.number = number
        self.at = 0
        self.room = room  # values it may still read (MAX_NODES in all)

    def skip(self) -> None:
        match = _SPACE.match(self.text, self.at)
        self.at = match.end() if match else self.at

    def expect(self, char: str) -> None:
        if not self.text.startswith(char, self.at):
            raise _GiveUp
        self.at += 1

    def value(self, depth: int = 1) -> Node:
        if depth > MAX_DEPTH:
            raise _GiveUp  # the full parser reports it (DC009)
        column = self.at + 1
        self.room -= 1
        if self.room < 0:
            raise _too_many(self.number, column)
        char = self.text[self.at : self.at + 1]
        if char == "[":
            return self.sequence(depth)
        if char == "{":
            return self.mapping(depth)
        if char in ('"', "'"):
            start = self.at
            end = self.text.find(char, start + 1)
            if end < 0 or "\\" in self.text[start:end] or self.text[end + 1 : end + 2] == char:
                raise _GiveUp  # escapes and doubled quotes: the full parser
            self.at = end + 1
            return Node("scalar", self.text[start + 1 : end], self.number, column)
        match = _PLAIN.match(self.text, self.at)
        if match is None or match.group() in _WORDS_OUT or match.end() - match.start() > 1000:
            raise _GiveUp  # (a number thousands of digits long: the full parser reports it)
        self.at = match.end()
        return Node("scalar", resolve_plain(match.group()), self.number, column)

    def sequence(self, depth: int = 1) -> Node:
        node = Node("seq", [], self.number, self.at + 1)
        self.expect("[")
        self.skip()
        if self.text.startswith("]", self.at):
            self.at += 1
            return node
        while True:
            node.value.append(self.value(depth + 1))
            self.skip()
            if self.text.startswith("]", self.at):
                self.at += 1
                return node
            self.expect(",")
            self.skip()

    def mapping(self, depth: int = 1) -> Node:
        node = Node("map", [], self.number, self.at + 1)
        self.expect("{")
        self.skip()
        if self.text.startswith("}", self.at):
            self.at += 1
            return node
        while True:
            match = _KEY_RE.match(self.text, self.at)
            if match is None or match.group() in _WORDS:  # `null:` is None's key: the parser
                raise _GiveUp
            key = Node("scalar", match.group(), self.number, self.at + 1)
            self.room -= 1  # a key is a value too
            self.at = match.end()
            if not self.text.startswith(": ", self.at):
                raise _GiveUp
            self.at += 2
            self.skip()
            node.value.append((key, self.value(depth + 1)))
            self.skip()
            if self.text.startswith("}", self.at):
                self.at += 1
                return node
            self.expect(",")
            self.skip()


def parse_fast(text: str) -> Node | None:
    """The tree of a spec in the usual shape, or None when the full YAML parser is needed."""
    try:
        return _document(text)
    except (_GiveUp, IndexError, RecursionError, ValueError):
        return None


class _Document:
    """The top-level mapping being read, and the `layers:` list under way, if any."""

    def __init__(self) -> None:
        self.pairs: list[tuple[Node, Node]] = []
        self.root: Node | None = None
        self.sequence: Node | None = None
        self.indent: int | None = None
        self.count = 0
        self.flat: re.Pattern[str] | None = None  # once the list is long: `_patterns().item`
        self.keys: dict[str, str] = {}  # the keys of the lines it matched, each text once
        self.quoted = True  # whether a line may hold a quote (`_document` looks once)

    def item(self, line: str, number: int, match: re.Match[str]) -> None:
        """`  - {type: ..., ...}`: one layer; or any other flow value (`- 1`, `- [1, 2]`), which
        the loader then reports as not a layer: a hostile list of a million scalars is read in
        one pass here instead of by the full parser."""
        sequence = self.sequence
        assert sequence is not None
        if self.indent is None:
            self.indent = len(match.group(1))
            sequence.line, sequence.column = number, self.indent + 1
        elif len(match.group(1)) != self.indent:
            raise _GiveUp
        cursor = _Line(line, number, MAX_NODES - self.count)
        cursor.at = match.start(2)
        value = cursor.value()
        cursor.skip()
        if cursor.at != len(line):
            raise _GiveUp
        self.count = MAX_NODES - cursor.room
        sequence.value.append(value)
        if self.flat is None and len(sequence.value) >= FLAT_AFTER:  # a long list: by pattern
            self.flat = _patterns().item

    def flat_item(self, line: str, number: int, match: re.Match[str]) -> bool:
        """A flat one-layer line `self.flat` matched, at the list's indentation: read from the
        match's pieces (as `item` would read it, several times faster)."""
        start, end = match.span(2)
        if self.sequence is None or start - 2 != self.indent:  # `( *)- ` before the mapping
            return False
        room = MAX_NODES - self.count
        value, count = _flat_mapping(line, number, start, end, room, self.keys, self.quoted)
        self.count += count
        if self.count > MAX_NODES:
            raise _too_many(number, start + 1)
        self.sequence.value.append(value)
        return True

    def top(self, line: str, number: int) -> None:
        """`key: value` at the top level, or `layers:` opening the list."""
        match = _TOP.match(line)
        if match is None or (self.sequence is not None and not self.sequence.value):
            raise _GiveUp
        if match.group(1) in _WORDS:  # `true: 1` has the key True to YAML: the full parser
            raise _GiveUp
        if self.root is None:
            self.root = Node("map", self.pairs, number, 1)
        key = Node("scalar", match.group(1), number, 1)
        if match.group(2) is None:
            if match.group(1) != "layers":
                raise _GiveUp  # an empty value or a block mapping
            self.sequence = Node("seq", [], number, 1)
            self.indent = None
            self.flat = None
            self.pairs.append((key, self.sequence))
            return
        self.sequence = None
        self.flat = None  # the list has ended
        cursor = _Line(line, number, MAX_NODES - self.count)
        cursor.at = match.start(2)
        value = cursor.value()
        cursor.skip()
        if cursor.at != len(line):
            raise _GiveUp
        self.count = MAX_NODES - cursor.room
        self.pairs.append((key, value))


def _without_comment(line: str) -> str:
    """`  - {type: Dense}  # note` without its comment: only where no quote could hide a '#'."""
    at = line.find(" #")
    if at < 0 or "'" in line or '"' in line:
        raise _GiveUp
    return line[:at].rstrip(" ")


# What a line may hold that `_significant` must look at: a carriage return, a tab, a comment,
# an anchor, an alias or a tag.
_SPECIAL = "\r\t#&*!"


def _significant(line: str) -> str | None:
    """The line as the reader takes it (without a carriage return or a comment), None for a
    blank or comment line; _GiveUp for what only the full parser reads."""
    line = line[:-1] if line.endswith("\r") else line
    stripped = line.strip()
    if not stripped or (stripped.startswith("#") and line.lstrip(" ") == stripped):
        return None
    if "#" in line:
        line = _without_comment(line)
    if "\t" in line or "&" in line or "*" in line or "!" in line or "#" in line:
        raise _GiveUp  # tabs, anchors, aliases, tags, a '#' that is not a comment
    return line


def _document(text: str) -> Node | None:
    document = _Document()
    # Six scans of the whole text (`in`: 0.05 ms for 10,000 lines, where a pattern's character
    # class took 2 ms): where none of `_SPECIAL` is in it (a generated spec, most long ones),
    # no line needs `_significant`'s six scans of its own (1.5 ms).
    plain = not any(char in text for char in _SPECIAL)
    document.quoted = '"' in text or "'" in text
    flat = None  # document.flat's fullmatch, once the list is long
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw if plain else _significant(raw)
        if flat is not None and line is not None:  # (a line it matches is not blank)
            match = flat(line)
            if match is not None and document.flat_item(line, number, match):
                continue
        if not line or line.isspace():  # `not line.strip()`, without making a string
            continue
        item = _ITEM.match(line)
        if item is not None and document.sequence is not None:
            document.item(line, number, item)
        elif line.startswith(" "):
            raise _GiveUp  # a block value or an indented key: the full parser
        else:
            document.top(line, number)
        flat = None if document.flat is None else document.flat.fullmatch
    unfinished = document.sequence is not None and not document.sequence.value
    if document.root is None or unfinished:
        return None
    return document.root
