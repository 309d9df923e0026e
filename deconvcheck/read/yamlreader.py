"""YAML text to a document (`tree.TreeDocument`) through a tree of located values (`tree.Node`):
the fast reader for one-layer-a-line specs first, PyYAML's composer for everything else, with the
limits of hostile input applied before PyYAML sees the text."""

from __future__ import annotations

import re
from typing import Any

from deconvcheck.diagnostics import Code, Diagnostic, make
from deconvcheck.read.fastyaml import parse_fast, reread, resolve_plain
from deconvcheck.read.tree import (
    MAX_DEPTH,
    MAX_NODES,
    LoadError,
    Node,
    TreeDocument,
)

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# Tags PyYAML's resolver gives plain values (re-resolved here by YAML 1.2 rules). Any other tag
# was written by hand (`!!python/object`, `!custom`) and is refused.
_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "value")
}
_MAX_INT_DIGITS = 4300  # Python's own limit for int(str)


def _yaml_loader() -> Any:
    import yaml  # noqa: PLC0415 - lazy: not needed for JSON or --help

    # The C loader is several times faster and keeps line and column marks too. Implicit
    # types are not resolved by PyYAML at all (values are resolved here, by YAML 1.2 rules):
    # its resolver is Python code called once per value. Explicit tags are still recorded.
    base = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    kinds = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}

    class Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return kinds[kind]

    return Loader


MAX_INDENT = 1000  # columns of leading space; block nesting needs indentation


# Possessive (`*+`): a repetition of alternatives keeps state per step otherwise, and one
# quoted string of three million escapes took over 1 GiB to skip.
_QUOTED_OR_COMMENT = re.compile(r'"(?:[^"\\\n]++|\\.)*+"|\'[^\'\n]*+\'|(?:^|(?<=\s))#[^\n]*', re.M)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """Deepest bracket nesting outside quoted strings and comments: checked before parsing,
    because PyYAML's C loader crashes (SIGSEGV) on tens of thousands of levels."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_QUOTED_OR_COMMENT.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def _too_deep(text: str) -> Diagnostic | None:
    if nesting_depth(text) > MAX_DEPTH:
        return make(
            Code.INPUT_TOO_LARGE, f"the file nests brackets more than {MAX_DEPTH} levels deep"
        )
    widest = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    if widest > MAX_INDENT:
        return make(Code.INPUT_TOO_LARGE, f"a line is indented by more than {MAX_INDENT} spaces")
    return None


def parse_yaml(text: str) -> TreeDocument:
    """The document of a YAML text: the fast reader for the usual one-layer-a-line spec, PyYAML
    for everything else; an empty document for an empty or comment-only file."""
    fast = parse_fast(text)
    if fast is not None:
        return TreeDocument(fast, reread)
    return TreeDocument(parse_yaml_full(text))


def parse_yaml_full(text: str) -> Node | None:
    """Compose the first YAML document with PyYAML (C loader where available)."""
    import yaml  # noqa: PLC0415

    deep = _too_deep(text)
    if deep is not None:
        raise LoadError(deep)
    if len(text) > MAX_NODES:  # it may hold more values than PyYAML should compose
        _count_values(text)

    loader = _yaml_loader()(text)
    try:
        root = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark
        if "expected a single document" in str(exc):
            raise LoadError(
                make(
                    Code.WRONG_STRUCTURE,
                    "the file holds several YAML documents ('---'); a spec is one document",
                    line=mark.line + 1 if mark else 0,
                    column=mark.column + 1 if mark else 0,
                    hint="keep one model per file",
                )
            ) from None
        raise _yaml_syntax(exc) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_syntax(exc) from None
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        raise LoadError(make(Code.YAML_SYNTAX, f"YAML cannot be read: {exc}")) from None
    except RecursionError:
        raise LoadError(
            make(
                Code.INPUT_TOO_LARGE,
                "the YAML is nested too deeply to be read (a spec needs a few levels)",
            )
        ) from None
    finally:
        loader.dispose()
    if root is None:
        return None
    return _Converter().convert(root, 1)


def _count_values(text: str) -> None:
    """LoadError (DC009) when the text holds more than MAX_NODES values, counted on PyYAML's
    event stream (constant memory, about 0.7 µs a value) before its composer builds them all
    (8.3 million values under 16 MiB: over 1 GiB). Only a text longer than MAX_NODES characters
    can hold that many: a value takes at least one (`{a,b}` is four values)."""
    import yaml  # noqa: PLC0415

    values = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
    loader = _yaml_loader()(text)
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, values):
                count += 1
                if count > MAX_NODES:
                    mark = event.start_mark
                    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
                    message = f"the file holds more than {MAX_NODES:,} values"
                    raise LoadError(make(Code.INPUT_TOO_LARGE, message, line=line, column=column))
    except yaml.YAMLError:
        pass  # the composer reports it, where it is
    finally:
        loader.dispose()


def _yaml_syntax(exc: Any) -> LoadError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or str(exc)
    context = f" {exc.context}" if exc.context else ""
    return LoadError(
        make(
            Code.YAML_SYNTAX,
            f"YAML syntax error: {problem}{context}",
            line=mark.line + 1 if mark else 0,
            column=mark.column + 1 if mark else 0,
            hint="check the indentation (spaces, not tabs) and that brackets and quotes close",
        )
    )


class _Converter:
    """PyYAML nodes to Nodes, refusing unknown tags, alias bombs and self-references."""

    def __init__(self) -> None:
        self.count = 0  # values as if every alias were expanded
        self.active: set[int] = set()
        # An alias is the same composed node again: it is converted once, and counted at its
        # expanded size each time it is used, so a billion-laughs file is refused after a few
        # thousand steps instead of being expanded.
        self.done: dict[int, tuple[Node, int]] = {}

    def convert(self, node: Any, depth: int) -> Node:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if node.id == "scalar" and node.tag == _STR:  # the common case, kept short
            self.count += 1
            if self.count > MAX_NODES:
                self._limits(depth, line, column)
            return self._scalar(node, line, column)
        again = self.done.get(id(node))
        if again is not None:
            converted, size = again
            self.count += size
            self._limits(depth, line, column)
            return converted
        before = self.count
        self.count += 1
        converted = self._collection(node, depth, line, column)
        self.done[id(node)] = (converted, self.count - before)
        return converted

    def _limits(self, depth: int, line: int, column: int) -> None:
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            what = "values" if self.count > MAX_NODES else "levels of nesting"
            limit = MAX_NODES if self.count > MAX_NODES else MAX_DEPTH
            raise LoadError(
                make(
                    Code.INPUT_TOO_LARGE,
                    f"the file expands to more than {limit:,} {what} "
                    "(YAML aliases can multiply a small file)",
                    line=line,
                    column=column,
                )
            )

    def _collection(self, node: Any, depth: int, line: int, column: int) -> Node:
        self._limits(depth, line, column)
        if node.tag not in _STANDARD_TAGS and node.tag != "tag:yaml.org,2002:merge":
            raise LoadError(
                make(
                    Code.WRONG_STRUCTURE,
                    f"unsupported YAML tag {node.tag!r}; a spec holds plain values only",
                    line=line,
                    column=column,
                    hint="remove the tag",
                )
            )
        if id(node) in self.active:
            raise LoadError(
                make(
                    Code.INPUT_TOO_LARGE, "a YAML alias refers to itself", line=line, column=column
                )
            )
        self.active.add(id(node))
        try:
            return self._convert(node, depth, line, column)
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: Any, line: int, column: int) -> Node:
        # The C loader marks a plain scalar with style '', the Python one with None.
        if node.style:
            return Node("scalar", node.value, line, column)
        if len(node.value) > _MAX_INT_DIGITS and node.value.lstrip("+-").isdigit():
            raise LoadError(
                make(
                    Code.INPUT_TOO_LARGE,
                    f"a number of {len(node.value):,} digits is too long",
                    line=line,
                    column=column,
                )
            )
        return Node("scalar", resolve_plain(node.value), line, column)

    def _convert(self, node: Any, depth: int, line: int, column: int) -> Node:
        if node.id == "scalar":
            return self._scalar(node, line, column)
        if node.id == "sequence":
            return Node("seq", [self.convert(n, depth + 1) for n in node.value], line, column)
        pairs = []
        for key, val in node.value:
            if key.tag == "tag:yaml.org,2002:merge" or (key.value == "<<" and not key.style):
                raise LoadError(
                    make(
                        Code.WRONG_STRUCTURE,
                        "YAML merge keys ('<<') are not supported in specs",
                        line=key.start_mark.line + 1,
                        column=key.start_mark.column + 1,
                    )
                )
            pairs.append((self.convert(key, depth + 1), self.convert(val, depth + 1)))
        return Node("map", pairs, line, column)
