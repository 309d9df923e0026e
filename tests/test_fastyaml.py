"""The fast reader for one-layer-a-line specs must give exactly PyYAML's tree (values, lines,
columns) and document whenever it accepts a text, and must leave everything else to PyYAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconvcheck.read import fastyaml
from deconvcheck.read.fastyaml import parse_fast, reread
from deconvcheck.read.loader import load
from deconvcheck.read.tree import Node, TreeDocument
from deconvcheck.read.yamlreader import parse_yaml_full
from tests.conftest import ROOT


def dump(node: Node | None) -> Any:
    if node is None:
        return None
    if node.kind == "line":  # a one-line mapping kept as its dict: the nodes it stands for
        node = reread(node)
    if node.kind == "scalar":
        return ("s", type(node.value).__name__, repr(node.value), node.line, node.column)
    if node.kind == "seq":
        return ("q", node.line, node.column, [dump(n) for n in node.value])
    return ("m", node.line, node.column, [(dump(k), dump(v)) for k, v in node.value])


def plain(node: Node | None) -> Any:
    """The document's value, and the pairs of each mapping a dict cannot stand for, in order."""
    document = TreeDocument(node, reread)
    pairs = sorted(repr(p) for p in document.irregular.values())
    return repr(document.value), pairs, document.empty


YAML_FILES = sorted(
    p for p in ROOT.glob("**/*.y*ml") if ".git" not in p.parts and "bad_inputs" not in p.parts
)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_tree_as_pyyaml_on_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    fast = parse_fast(text)
    if fast is not None:
        slow = parse_yaml_full(text)
        assert dump(fast) == dump(slow)
        assert plain(fast) == plain(slow)


def test_accepts_the_usual_specs() -> None:
    accepted = [p.name for p in (ROOT / "sample_specs").glob("*.yaml") if parse_fast(p.read_text())]
    assert {"unet.yaml", "vgg16_encoder.yaml", "dilated_decoder.yaml"} <= set(accepted)


scalar_text = st.one_of(
    st.integers(-50, 5000).map(str),
    st.sampled_from(["same", "valid", "relu", "null", "~", "true", "false", "yes", "no", "on",
                     "010", "0o17", "0x1F", "1e3", "1.5", ".5", "-0", "+3", ".inf", "-.inf", ".nan",
                     "NULL", "True", "a-b", "x_1", "1:20", "-", "5.", "1_000", "0.1e-2"]),
    st.text(alphabet="abc XYZ09_-.:/[]{},", min_size=0, max_size=6).map(lambda t: f'"{t}"'),
    st.text(alphabet="abc XYZ09_-.[]{},", min_size=0, max_size=6).map(lambda t: f"'{t}'"),
)  # fmt: skip
spaces = st.sampled_from(["", " ", "  "])


@st.composite
def flow(draw: st.DrawFn, depth: int = 0) -> str:
    if depth < 2 and draw(st.integers(0, 4)) == 0:
        items = draw(st.lists(flow(depth + 1), max_size=3))
        sep = "," + draw(spaces)
        return "[" + draw(spaces) + sep.join(items) + draw(spaces) + "]"
    return draw(scalar_text)


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = ["deconvcheck: 1"]
    if draw(st.booleans()):
        lines.append(f"name: {draw(scalar_text)}{draw(st.sampled_from(['', ' # the name']))}")
    lines.append("layers:")
    indent = " " * draw(st.integers(0, 4))
    for _ in range(draw(st.integers(1, 6))):
        keys = draw(
            st.lists(
                st.sampled_from(["type", "name", "filters", "kernel_size", "x1", "_k"]), max_size=4
            )
        )
        pairs = [f"{k}:{draw(st.sampled_from([' ', '  ']))}{draw(flow())}" for k in keys]
        sep = "," + draw(spaces)
        comment = draw(st.sampled_from(["", "", " # note", "  # deconvcheck: ignore[DC303]", "#x"]))
        item = f"{{{draw(spaces)}{sep.join(pairs)}{draw(spaces)}}}"
        if draw(st.integers(0, 5)) == 0:  # not a layer: a scalar or a list, as hostile files have
            item = draw(flow())
        lines.append(f"{indent}- {item}{draw(spaces)}{comment}")
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# a comment", "  # indented comment"])))
    if draw(st.booleans()):
        lines.append(f"outputs: {draw(flow())}")
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=300, deadline=None)
@given(text=documents())
def test_same_tree_as_pyyaml_on_generated_specs(text: str) -> None:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(fastyaml, "FLAT_AFTER", 1)  # the one-pattern lines too
        fast = parse_fast(text)
    if fast is None:
        return
    try:
        slow = parse_yaml_full(text)
    except Exception as exc:  # PyYAML refusing what we accepted is a failure
        raise AssertionError(f"accepted text PyYAML refuses: {exc}\n{text}") from exc
    assert dump(fast) == dump(slow), text
    assert plain(fast) == plain(slow), text


@settings(max_examples=300, deadline=None)
@given(text=documents())
def test_one_pattern_lines_read_as_the_cursor_reads_them(text: str) -> None:
    """A flat one-layer line is matched whole by one pattern; the character-by-character reader
    must give the same tree (and accept and refuse the same lines)."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(fastyaml, "FLAT_AFTER", 1)  # every line after the first by pattern
        fast = parse_fast(text)
        patched.setattr(fastyaml, "FLAT_AFTER", 10**9)  # none
        by_cursor = parse_fast(text)
    assert dump(fast) == dump(by_cursor), text
    assert plain(fast) == plain(by_cursor), text


def declared(text: str, flat_after: int) -> Any:
    """What the loader declares from a text, read with the one-pattern lines after
    `flat_after` items: every layer's fields, its arguments' positions, the diagnostics."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(fastyaml, "FLAT_AFTER", flat_after)
        spec = load("spec.yaml", text)
    layers = [
        (
            d.index, d.type_name, d.name, d.inputs, repr(d.args), d.pos,
            [(d.key_at(k), d.value_at(k)) for k in d.args],
        )
        for d in spec.layers
    ]  # fmt: skip
    return layers, spec.diagnostics


@settings(max_examples=300, deadline=None)
@given(text=documents())
def test_one_pattern_lines_declare_what_the_tree_declares(text: str) -> None:
    """The loader declares a one-pattern line without a node per value; the layers, their
    arguments' positions and the findings (a repeated key, a type that is not a name, odd
    inputs) must be those the full tree gives."""
    assert declared(text, 1) == declared(text, 10**9), text


@pytest.mark.parametrize(
    "line",
    [
        "{type: Dense, units: 2, units: 3}",
        "{type: null, units: 2}",
        "{units: 2}",
        "{type: Dense, name: '', units: 2}",
        "{type: Dense, name: [a], units: 2}",
        "{type: Dense, units: 2, inputs: []}",
        "{type: Dense, units: 2, inputs: [a, 1]}",
        "{type: Dense, units: 2, inputs: a}",
        "{type: Dense, units: 2, inputs: [a, 'b']}",
        "{type: Dense, model: inner.yaml}",
        "{type: Dense, units: [1, 2], use_bias: true}",
    ],
)
def test_unusual_one_pattern_lines_are_declared_as_the_tree_declares(line: str) -> None:
    text = "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [4], name: a}\n"
    text += "  - {type: Input, shape: [4], name: b}\n" + f"  - {line}\n"
    assert declared(text, 1) == declared(text, 10**9)


def test_one_pattern_lines_are_the_usual_ones() -> None:
    """The pattern takes what specs are made of (scalars, flat lists, quotes holding brackets),
    and its node count is the full parser's."""
    line = "  - {type: Conv2D, name: 'a, [b]', filters: 8, kernel_size: [3, 3], x: [\"]\", -1.5]}"
    pattern = fastyaml._patterns().item
    assert not pattern.fullmatch("  - {type: ZeroPadding2D, padding: [[1, 1], [2, 2]]}")
    match = pattern.fullmatch(line)
    assert match is not None
    document = fastyaml._Document()
    document.sequence = Node("seq", [], 1, 1)
    document.indent = 2
    assert document.flat_item(line, 3, match)
    assert document.count == 1 + 2 * 5 + 2 + 2  # the mapping, 5 pairs, 2 + 2 list items
    assert dump(document.sequence.value[0])[3][1] == (
        ("s", "str", "'name'", 3, 20),  # `name` at index 19 of the line
        ("s", "str", "'a, [b]'", 3, 26),  # its quote at index 25
    )


def test_deep_flow_nesting_is_left_to_the_full_parser() -> None:
    """The full parser refuses over 200 levels (DC009); the fast reader must not accept them."""
    text = "deconvcheck: 1\nlayers:\n  - {type: Input, shape: " + "[" * 300 + "]" * 300 + "}\n"
    assert parse_fast(text) is None
    shallow = "deconvcheck: 1\nlayers:\n  - {type: Input, shape: " + "[" * 50 + "]" * 50 + "}\n"
    assert dump(parse_fast(shallow)) == dump(parse_yaml_full(shallow))


@pytest.mark.parametrize("key", ["null", "Null", "true", "True", "FALSE"])
@pytest.mark.parametrize(
    "template",
    [
        "deconvcheck: 1\nlayers:\n  - {{type: Input, shape: [8, 8, 3]}}\n"
        "  - {{type: Dense, units: 4, {key}: 3}}\n",
        "deconvcheck: 1\n{key}: 2\nlayers:\n  - {{type: Input, shape: [8, 8, 3]}}\n",
        "deconvcheck: 1\nlayers:\n  - {{type: Input, shape: [8, 8, 3], {key}: {{a: 1}}}}\n",
    ],
    ids=["layer line", "top level", "nested mapping"],
)
def test_a_key_that_is_a_yaml_word_is_left_to_the_full_parser(key: str, template: str) -> None:
    """To YAML a key `null` is None and `true` is True, not a name: the fast reader, which
    takes every key as its text, leaves such a text to PyYAML (the same finding either way)."""
    text = template.format(key=key)
    assert parse_fast(text) is None
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(fastyaml, "FLAT_AFTER", 1)  # the one-pattern lines too
        assert parse_fast(text) is None
    assert parse_yaml_full(text) is not None


def test_a_key_that_is_a_yaml_word_says_how_to_write_a_name(tmp_path: Path) -> None:
    path = tmp_path / "null_key.yaml"
    path.write_text(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [8, 8, 3]}\n"
        "  - {type: Dense, units: 4, null: 3}\n"
    )
    (finding,) = load(str(path)).diagnostics
    assert (finding.code, finding.line, finding.column) == ("DC006", 4, 29)
    assert finding.message == "keys of layer 2 must be names; found None"
    assert finding.hint is not None and finding.hint.startswith("write the key in quotes")
