"""Write an inferred model back out: as a deconvcheck spec (`convert`) or as Keras code (`export`).

Both use the arguments as deconvcheck parsed them, and leave out those equal to Keras's
defaults and those that cannot change a shape or a count (initializers, dtype policies, ...),
so the result is short and its summary is the source's summary.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Callable, Sequence
from typing import Any

from deconvcheck import __version__
from deconvcheck.layers.base import Role
from deconvcheck.model import Graph, Model, Ref
from deconvcheck.read.spec import BUILD_SHAPE

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}
# What YAML may not hold raw or would read as a line break (YAML 1.1, as PyYAML reads it: also
# NEL, U+2028, U+2029), and what a reader of the file would act on (ESC, bidi controls).
_YAML_HIDDEN = (
    "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufeff\ufffe\uffff"
)
_YAML_QUOTED = re.compile(f'["\\\\{_YAML_HIDDEN}]')  # and what ends a quoted scalar
_YAML_COMMENT = re.compile(f"[{_YAML_HIDDEN}]")
_YAML_SHORT = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _yaml_escape(char: str, comment: bool = False) -> str:
    """One character as YAML's double-quoted escape (the same as Python's: `\\x1b`, `\\n`)."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF and not comment:
        # A lone surrogate (`"\ud800"` in JSON): YAML cannot hold one (libyaml refuses the
        # escape, UTF-8 cannot encode it), so a name keeps U+FFFD in its place; to_yaml says so.
        return "\ufffd"
    return _YAML_SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def yaml_string(text: str) -> str:
    r"""A string as a YAML scalar that reads back as the same string: plain where YAML cannot
    take it for anything else (`conv_1`), else double-quoted with escapes, so that no name can
    end its entry, add a key or start a comment.

    >>> yaml_string("up: 1\nencoder: x.keras  # \x1b")
    '"up: 1\\nencoder: x.keras  # \\x1b"'
    """
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return '"' + _YAML_QUOTED.sub(lambda match: _yaml_escape(match.group()), text) + '"'


def yaml_value(value: Any) -> str:
    """A value in YAML flow style: strings by yaml_string, lists and mappings as `[...]` and
    `{key: value}` (keys by yaml_string too)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return yaml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {yaml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def _key(key: object) -> str:
    """A mapping's key, made a string as JSON makes it (1 -> "1", True -> "true")."""
    return yaml_string(key if isinstance(key, str) else json.dumps(key))


def _comment(text: str) -> str:
    """Text in a `#` comment: nothing YAML reads as a line break can end it."""
    return _YAML_COMMENT.sub(lambda match: _yaml_escape(match.group(), comment=True), text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogates(graph: Graph) -> bool:
    """Whether a name in the model or a nested one holds a lone surrogate."""
    names = [graph.name, *graph.nodes]
    if any(_SURROGATE.search(name) for name in names):
        return True
    inners = (node.layer.inner() for node in graph.nodes.values())
    return any(_lone_surrogates(inner.graph) for inner in inners if inner is not None)


def _sequential(model: Model) -> bool:
    """A Keras Sequential model: its summary lists no InputLayer."""
    return model.sequential_like and model.layers[0].role is not Role.INPUT


def to_yaml(model: Model, source: str) -> str:
    """A deconvcheck spec equivalent to the model (layers in the order they are listed); a
    nested model is written inline, under its layer's `model:`."""
    lines = [f"# Converted by deconvcheck {__version__} from {_comment(source)}"]
    if _lone_surrogates(model.graph):
        lines.append("# A name held a lone surrogate, which YAML cannot hold: written as U+FFFD.")
    lines += ["deconvcheck: 1", *_spec_lines(model, _sequential(model), "")]
    return "\n".join(lines) + "\n"


def unwritable(graph: Graph) -> list[tuple[str, str]]:
    """(name, class) of the layers that cannot be written out, nested models' own layers
    included."""
    found = []
    for name in graph.order:
        layer = graph.nodes[name].layer
        inner = layer.inner()
        if inner is not None:
            found += unwritable(inner.graph)
        elif not layer.writable():
            found.append((name, layer.keras_name()))
    return found


def _written(refs: Sequence[Ref]) -> str:
    return yaml_value([ref.written for ref in refs])


def _spec_lines(model: Model, sequential: bool, indent: str) -> list[str]:
    """A spec's keys for a model: each layer, then its later calls (`call:` entries); inputs
    named where they are not the entry above, outputs where they are not the last entry; the
    shapes a layer's weights are made for where they are not its first call's."""
    graph = model.graph
    lines = [f"{indent}name: {yaml_value(graph.name)}"]
    lines += [f"{indent}sequential: true"] if sequential else []
    lines.append(f"{indent}layers:")
    above: Ref | None = None  # the tensor of the entry above
    for name, node in graph.nodes.items():
        fields = [f"type: {yaml_string(node.layer.spec_name())}", f"name: {yaml_string(name)}"]
        inner = node.layer.inner()
        fields += [
            f"{yaml_string(key)}: {yaml_value(node.layer.written(key, value))}"
            for key, value in node.layer.arguments().items()
            if not (inner is not None and key == "model")
        ]
        first = node.calls[0]
        refs = list(first.inputs) if first is not None else []
        built_on = node.decl.built_on
        if built_on is not None and inner is None and built_on != [model.tensor(r) for r in refs]:
            fields.append(f"{BUILD_SHAPE}: {yaml_value([list(shape) for shape in built_on])}")
        # A merge always names its inputs (a spec requires it), even a single one.
        chain = above is not None and refs == [above] and node.layer.ROLE != Role.MERGE
        if refs and not chain:
            fields.append(f"inputs: {_written(refs)}")
        if inner is None:
            lines.append(f"{indent}  - {{" + ", ".join(fields) + "}")
        else:  # a model used as a layer: a block mapping, its model inline with a spec's keys
            lines.append(f"{indent}  - {fields[0]}")
            lines += [f"{indent}    {field}" for field in fields[1:]]
            lines.append(f"{indent}    model:")
            lines += _spec_lines(inner.standalone(), inner.spec.sequential, indent + "      ")
        above = Ref(name)
        for number, call in enumerate(node.calls[1:], 1):
            if call is not None:
                lines.append(
                    f"{indent}  - {{call: {yaml_value(name)}, inputs: {_written(call.inputs)}}}"
                )
                above = Ref(name, number)
    # `inputs:` where the model's inputs are not its Input layers that feed a layer, in order
    # (an input no output uses, or inputs a call of the model takes in another order)
    fed = {ref.layer for node in graph.nodes.values() for c in node.calls if c for ref in c.inputs}
    declared = [n for n, node in graph.nodes.items() if node.layer.MAX_INPUTS == 0 and n in fed]
    if graph.inputs and list(graph.inputs) != declared:
        lines.append(f"{indent}inputs: {yaml_value(list(graph.inputs))}")
    if list(graph.output_refs) != [above]:
        lines.append(f"{indent}outputs: {_written(graph.output_refs)}")
    return lines


class _Names:
    """Python names for the layers and tensors of generated code: a layer's name made an
    identifier (never a keyword, never shadowing `keras` or `layers`), unique in its module."""

    def __init__(self) -> None:
        self.used: set[str] = {"keras", "layers"}

    def new(self, wanted: str) -> str:
        base = re.sub(r"\W", "_", wanted, flags=re.ASCII) or "layer"
        if base[0].isdigit() or keyword.iskeyword(base) or base in ("keras", "layers"):
            base = f"l_{base}"
        candidate, i = base, 1
        while candidate in self.used:
            candidate, i = f"{base}_{i}", i + 1
        self.used.add(candidate)
        return candidate


def _made(layer: Any, name: str, names: _Names, out: list[str]) -> str:
    """The expression that makes a layer (a nested model: its builder, written to `out`)."""
    inner = layer.inner()
    if inner is None:
        return str(layer.keras_code(name, layer.arguments()))
    built = names.new(f"build_{name}")
    _builder(inner.graph, built, names, out, sequential=inner.spec.sequential)
    return f"{built}()"


def _builder(graph: Graph, function: str, names: _Names, out: list[str], sequential: bool) -> None:
    """`def function() -> keras.Model` building the graph (nested models first, each by its
    own builder), appended to `out`: a Sequential model as `keras.Sequential([...])`."""
    if sequential:  # one chain: its layers in order (its Input first, where it has one)
        made = [_made(graph.nodes[name].layer, name, names, out) for name in graph.nodes]
        out += [
            f"def {function}() -> keras.Model:",
            f"    return keras.Sequential([{', '.join(made)}], name={graph.name!r})",
            "",
            "",
        ]
        return
    body: list[str] = []
    # A layer made before it is called: called several times, frozen, or a nested model.
    objects: dict[str, str] = {}
    tensors: dict[tuple[str, int, int], str] = {}
    for name, number in graph.schedule:
        node = graph.nodes[name]
        layer, call = node.layer, node.calls[number]
        assert call is not None  # a model that infers has every call connected
        make = _made(layer, name, names, out) if number == 0 else None
        kept = layer.inner() is not None or len(node.calls) > 1 or not layer.trainable
        if make is not None and kept:
            objects[name] = names.new(name if layer.inner() is not None else f"{name}_layer")
            body.append(f"    {objects[name]} = {make}")
            if not layer.trainable:
                body.append(f"    {objects[name]}.trainable = False")
        feeds = [tensors[ref.layer, ref.call, ref.output] for ref in call.inputs]
        targets = [
            names.new(name if number == 0 else f"{name}_{number}")
            for _ in range(layer.output_count())
        ]
        tensors.update({(name, number, i): target for i, target in enumerate(targets)})
        expression = layer.keras_call(objects.get(name, make), feeds)
        body.append(f"    {', '.join(targets)} = {expression}")
    inputs = [tensors[n, 0, 0] for n, node in graph.nodes.items() if node.layer.MAX_INPUTS == 0]
    outputs = [tensors[r.layer, r.call, r.output] for r in graph.output_refs]
    out += [
        f"def {function}() -> keras.Model:",
        *body,
        f"    return keras.Model(inputs={_one_or_list(inputs)}, "
        f"outputs={_one_or_list(outputs)}, name={graph.name!r})",
        "",
        "",
    ]


def _one_or_list(names: list[str]) -> str:
    """One tensor as itself (a model of one output gives a tensor, not a list of one)."""
    return names[0] if len(names) == 1 else f"[{', '.join(names)}]"


def to_keras(model: Model, source: str) -> str:
    """A Python module that builds the model with the Keras functional API: each layer made
    once, then called on its tensors (a shared layer once per call), nested models by builders
    of their own. Names from the file reach the code only as string literals (`repr`) or made
    into identifiers."""
    out: list[str] = []
    _builder(model.graph, "build_model", _Names(), out, sequential=_sequential(model))
    lines = [
        f'"""A Keras model built by deconvcheck {__version__} from the file named in SOURCE.',
        "",
        "Run it (with Keras installed) to print Keras's own summary.",
        '"""',
        "",
        "import keras",
        "from keras import layers",
        "",
        f"SOURCE = {source!r}",
        "",
        "",
        *out,
        'if __name__ == "__main__":',
        "    build_model().summary()",
    ]
    return "\n".join(lines) + "\n"


# `export --to NAME`: one writer per target.
EXPORTERS: dict[str, Callable[[Model, str], str]] = {"keras": to_keras}
