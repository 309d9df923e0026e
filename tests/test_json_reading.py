"""JSON is read by the `json` module and its positions found only when asked for: every value's
and key's line and column must be those the strict reader (which records them all) gives, and
every text that breaks a rule must get the strict reader's own finding, at the same place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconvcheck.read import jsonreader
from deconvcheck.read.jsonreader import JsonDocument, JsonReader, read_json
from deconvcheck.read.loader import load
from deconvcheck.read.spec import KeyPath
from deconvcheck.read.tree import MAX_DEPTH, LoadError, Node, TreeDocument

# ---------------------------------------------------------------- generated texts

space = st.sampled_from(["", " ", "  ", "\n", "\n  ", "\t", "\r\n", " \n\t "])
scalar = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr).filter(lambda t: "e" not in t),
    st.sampled_from(["0", "-0", "1e3", "-2.5E-2", "true", "false", "null", "0.0"]),
    st.text(max_size=5).map(json.dumps),
    st.text(alphabet='ab"\\/:,[]{}\n\u00e9\U0001f600', max_size=5).map(
        lambda t: json.dumps(t, ensure_ascii=False)
    ),
)
keys = st.sampled_from(["a", "b", "type", "layers", "é", "a:b", "[", ""]).map(json.dumps)


@st.composite
def texts(draw: st.DrawFn, depth: int = 0) -> str:
    """A JSON value as text, with any whitespace between tokens and keys that may repeat."""
    kind = draw(st.integers(0, 4)) if depth < 4 else 0
    if kind <= 1:
        return draw(scalar)
    if kind == 2:
        items = draw(st.lists(texts(depth + 1), max_size=4))
        inner = ",".join(f"{draw(space)}{item}{draw(space)}" for item in items)
        return f"[{inner or draw(space)}]"
    pairs = draw(st.lists(st.tuples(keys, texts(depth + 1)), max_size=4))
    inner = ",".join(
        f"{draw(space)}{k}{draw(space)}:{draw(space)}{v}{draw(space)}" for k, v in pairs
    )
    return "{" + (inner or draw(space)) + "}"


def paths(node: Node, path: KeyPath = ()) -> list[tuple[KeyPath, Node, Node | None]]:
    """Every value of a tree with its path (a mapping's pairs by index, and by key for the
    first of each key) and its key node."""
    found: list[tuple[KeyPath, Node, Node | None]] = [(path, node, None)]
    if node.kind == "seq":
        for index, item in enumerate(node.value):
            found += paths(item, (*path, index))
    elif node.kind == "map":
        seen = set()
        for index, (key, value) in enumerate(node.value):
            below = paths(value, (*path, index))
            found += [(below[0][0], below[0][1], key), *below[1:]]
            if key.value not in seen:
                seen.add(key.value)
                found.append(((*path, key.value), value, key))
    return found


@settings(max_examples=400, deadline=None)
@given(body=texts(), before=space, after=space)
def test_every_position_is_the_strict_readers(body: str, before: str, after: str) -> None:
    text = before + body + after
    tree = JsonReader(text).document()
    document = read_json(text)
    assert isinstance(document, JsonDocument)
    assert repr(document.value) == repr(TreeDocument(tree).value)
    for path, node, key in paths(tree):
        assert document.position(path, False) == (node.line, node.column), path
        found = document.position(path, True)
        assert found == (None if key is None else (key.line, key.column)), path
    assert document.position((*paths(tree)[-1][0], 10**6), False) is None  # not there


@settings(max_examples=300, deadline=None)
@given(body=texts())
def test_a_repeated_key_is_seen_as_the_strict_reader_sees_it(body: str) -> None:
    """Where a mapping repeats a key, its pairs are read from the text in order; a mapping that
    does not needs no pairs (its dict says it all). Walked as the spec reader walks: the first
    of a repeated key is the one read."""
    tree = TreeDocument(JsonReader(body).document())
    document = read_json(body)

    def first(value: dict[Any, Any], pairs: list[tuple[Any, Any]] | None) -> dict[Any, Any]:
        return value if pairs is None else dict(reversed(pairs))

    def walk(mine: Any, strict: Any, path: KeyPath) -> None:
        if isinstance(mine, dict):
            pairs, strict_pairs = document.pairs(mine, path), tree.pairs(strict, path)
            assert repr(pairs) == repr(strict_pairs), path
            mine, strict = first(mine, pairs), first(strict, strict_pairs)
            for key in mine:
                walk(mine[key], strict[key], (*path, key))
        elif isinstance(mine, list):
            for index, (item, strict_item) in enumerate(zip(mine, strict, strict=True)):
                walk(item, strict_item, (*path, index))

    walk(document.value, tree.value, ())


# ---------------------------------------------------------------- what breaks a rule

DEEP = MAX_DEPTH  # levels the strict reader allows: the root is level 1


def nested(levels: int, inner: str = "") -> str:
    return "[" * levels + inner + "]" * levels


# Texts the `json` module cannot read or must not be trusted with: each gets the strict
# reader's finding (code, message, line, column) and no other.
BROKEN = [
    ("syntax", '{"a": [1, 2}'),
    ("trailing_comma", '{"a": [1, 2,]}'),
    ("empty", ""),
    ("only_space", " \n "),
    ("extra_data", '{"a": 1} {"b": 2}'),
    ("nan", '{"a": [1, NaN]}'),
    ("infinity", '{"a": Infinity}'),
    ("minus_infinity", '{"a": -Infinity}'),
    ("single_quotes", "{'a': 1}"),
    ("control_character", '{"a": "x\ty"}'),
    ("bad_escape", '{"a": "\\q"}'),
    ("huge_integer", '{"a": 1' + "0" * 5000 + "}"),
    ("unclosed_string", '{"a": "b'),
    ("deep_scalar", nested(DEEP, "1")),  # the scalar is level 201
    ("deep_empty", nested(DEEP + 1)),
    ("deep_key", nested(DEEP - 1, '{"k": 1}')),  # the key is level 201
    ("thirty_thousand_levels", '{"a": ' + nested(30_000) + "}"),
    ("deep_then_broken", nested(DEEP + 5) + ","),
    ("broken_then_deep", "[1,," + nested(DEEP + 5) + "]"),
]


@pytest.mark.parametrize("text", [row[1] for row in BROKEN], ids=[row[0] for row in BROKEN])
def test_a_broken_text_gets_the_strict_readers_finding(text: str) -> None:
    with pytest.raises(LoadError) as strict:
        JsonReader(text).document()
    with pytest.raises(LoadError) as read:
        read_json(text)
    assert read.value.diagnostic == strict.value.diagnostic


@pytest.mark.parametrize(
    "text",
    [
        nested(DEEP - 1, "1"),
        nested(DEEP),
        nested(DEEP - 2, '{"k": 1}'),
        '{"a": ' + nested(20) + "}",
    ],
    ids=["scalar_at_200", "empty_at_200", "key_at_200", "twenty_levels"],
)
def test_a_text_within_the_levels_is_read(text: str) -> None:
    JsonReader(text).document()  # the strict reader allows it too
    assert repr(read_json(text).value) == repr(json.loads(text))


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("[" + ",".join(["1"] * 49) + "]", False),  # 50 values
        ("[" + ",".join(["1"] * 50) + "]", True),  # 51
        ('{"a": [1, 2], "b": {"c": null}}', False),  # 7 values (keys count)
        ('{"a": [1, 2], "b": {"c": null}, "d": [[[]]]}', True),  # 11
        ('["' + "," * 100 + '"]', False),  # commas in a string: counted, then read exactly
    ],
)
def test_the_values_of_a_file_are_bounded(
    monkeypatch: pytest.MonkeyPatch, text: str, refused: bool
) -> None:
    """More than MAX_NODES values (keys included): the strict reader's DC009, where the last
    one is; within it, read (a text that only seems to hold too many is read exactly)."""
    limit = 50 if text.startswith("[") else 10
    monkeypatch.setattr(jsonreader, "MAX_NODES", limit)
    if refused:
        with pytest.raises(LoadError) as strict:
            JsonReader(text).document()
        with pytest.raises(LoadError) as read:
            read_json(text)
        assert read.value.diagnostic == strict.value.diagnostic
        assert read.value.diagnostic.code == "DC009"
    else:
        assert repr(read_json(text).value) == repr(json.loads(text))


# ---------------------------------------------------------------- only when asked for

KERAS = {
    "class_name": "Functional",
    "config": {
        "name": "m",
        "layers": [
            {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [None, 8]},
             "inbound_nodes": []},
            {"class_name": "Dense", "name": "d", "config": {"units": 0},
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                          "config": {"keras_history": ["x", 0, 0]}}],
                                "kwargs": {}}]},
        ],
        "input_layers": [["x", 0, 0]],
        "output_layers": [["d", 0, 0]],
    },
}  # fmt: skip


def test_a_clean_file_is_read_without_a_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither the strict reader nor a scan of the text runs for a file that reads cleanly;
    a finding's position is found when it is made, and is the strict reader's."""
    path = tmp_path / "model.json"
    good = json.loads(json.dumps(KERAS))
    good["config"]["layers"][1]["config"]["units"] = 4
    path.write_text(json.dumps(good, indent=2))

    def refused(*args: object) -> None:
        raise AssertionError("a position was worked out")

    with monkeypatch.context() as patched:
        patched.setattr(JsonReader, "document", refused)
        patched.setattr(JsonDocument, "_offset", refused)
        spec = load(str(path))
    assert [d.type_name for d in spec.layers] == ["InputLayer", "Dense"]
    text = json.dumps(KERAS, indent=2)
    path.write_text(text)
    with monkeypatch.context() as patched:
        patched.setattr(JsonReader, "document", refused)
        spec = load(str(path))
    dense = spec.layers[1]
    tree = JsonReader(text).document()
    node = tree.value[1][1].value[1][1].value[1]  # config.layers[1]
    assert (dense.pos.line, dense.pos.column, dense.pos.where) == (
        node.line, node.column, "config.layers[1]",
    )  # fmt: skip
