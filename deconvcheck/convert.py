"""Write an inferred model back out: as a deconvcheck spec (`convert`) or as Keras code (`export`).

Both use the arguments as deconvcheck parsed them, and leave out those equal to Keras's
defaults and those that cannot change a shape or a count (initializers, dtype policies, ...),
so the result is short and its summary is the source's summary.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Callable
from typing import Any

from deconvcheck import __version__
from deconvcheck.layers.base import Role
from deconvcheck.model import Graph, Model

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def yaml_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        plain = _PLAIN.match(value) and value.lower() not in _YAML_WORDS
        return value if plain else json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    return json.dumps(value)


def to_yaml(model: Model, source: str) -> str:
    """A deconvcheck spec equivalent to the model (layers in the order they are listed); a
    nested model is written inline, under its layer's `model:`."""
    sequential = model.sequential_like and model.layers[0].role is not Role.INPUT
    lines = [
        f"# Converted by deconvcheck {__version__} from {source}",
        "deconvcheck: 1",
        *_spec_lines(model.graph, sequential, ""),
    ]
    return "\n".join(lines) + "\n"


def unwritable(graph: Graph, nested: bool) -> list[tuple[str, str]]:
    """(name, class) of the layers that cannot be written out, nested models' own layers
    included; `nested`: whether nested models themselves can be (`convert` writes them inline,
    `export` does not write them yet)."""
    found = []
    for name in graph.order:
        layer = graph.nodes[name].layer
        inner = layer.inner()
        if inner is not None and nested:
            found += unwritable(inner.graph, nested)
        elif inner is not None or not layer.writable():
            found.append((name, layer.keras_name()))
    return found


def _spec_lines(graph: Graph, sequential: bool, indent: str) -> list[str]:
    lines = [f"{indent}name: {yaml_value(graph.name)}"]
    lines += [f"{indent}sequential: true"] if sequential else []
    lines.append(f"{indent}layers:")
    order = [layer.name for layer in graph.nodes.values()]
    for index, name in enumerate(order):
        node = graph.nodes[name]
        fields = [f"type: {node.layer.spec_name()}", f"name: {yaml_value(name)}"]
        inner = node.layer.inner()
        fields += [
            f"{key}: {yaml_value(node.layer.written(key, value))}"
            for key, value in node.layer.arguments().items()
            if not (inner is not None and key == "model")
        ]
        # A merge always names its inputs (a spec requires it), even a single one.
        chain = index > 0 and node.inputs == [order[index - 1]] and node.layer.ROLE != Role.MERGE
        if node.inputs and not chain:
            fields.append(f"inputs: {yaml_value(node.inputs)}")
        if inner is None:
            lines.append(f"{indent}  - {{" + ", ".join(fields) + "}")
            continue
        # a model used as a layer: a block mapping, its model inline with a spec's keys
        lines.append(f"{indent}  - {fields[0]}")
        lines += [f"{indent}    {field}" for field in fields[1:]]
        lines.append(f"{indent}    model:")
        lines += _spec_lines(inner.graph, inner.spec.sequential, indent + "      ")
    if graph.outputs != order[-1:]:
        lines.append(f"{indent}outputs: {yaml_value(graph.outputs)}")
    return lines


def _variables(names: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for name in names:
        base = re.sub(r"\W", "_", name) or "layer"
        if base[0].isdigit() or keyword.iskeyword(base) or base in ("keras", "layers"):
            base = f"l_{base}"
        candidate, i = base, 1
        while candidate in result.values():
            candidate, i = f"{base}_{i}", i + 1
        result[name] = candidate
    return result


def to_keras(model: Model, source: str) -> str:
    """A Python module that builds the model with the Keras functional API."""
    graph = model.graph
    variables = _variables(graph.order)
    body = []
    inputs = []
    for name in graph.order:
        node = graph.nodes[name]
        feed = ", ".join(variables[i] for i in node.inputs)
        code = node.layer.keras_code(name, node.layer.arguments(), feed)
        body.append(f"    {variables[name]} = {code}")
        if not node.inputs:
            inputs.append(variables[name])
    outputs = [variables[o] for o in model.outputs]
    lines = [
        f'"""Keras model built from {source} by deconvcheck {__version__}.',
        "",
        "Run it (with Keras installed) to print Keras's own summary.",
        '"""',
        "",
        "import keras",
        "from keras import layers",
        "",
        "",
        "def build_model() -> keras.Model:",
        *body,
        f"    return keras.Model(inputs=[{', '.join(inputs)}], outputs=[{', '.join(outputs)}], "
        f"name={model.name!r})",
        "",
        "",
        'if __name__ == "__main__":',
        "    build_model().summary()",
    ]
    return "\n".join(lines) + "\n"


# `export --to NAME`: one writer per target.
EXPORTERS: dict[str, Callable[[Model, str], str]] = {"keras": to_keras}
