"""Write an inferred model back out: as a deconvcheck spec (`convert`) or as Keras code (`export`).

Both use the arguments as deconvcheck parsed them, and leave out those equal to Keras's
defaults and those that cannot change a shape or a count (initializers, dtype policies, ...),
so the result is short and its summary is the source's summary.
"""

from __future__ import annotations

import json
import keyword
import re
from typing import Any

from deconvcheck import __version__
from deconvcheck.infer import GraphNode, Model
from deconvcheck.layers.base import anything
from deconvcheck.layers.resampling import one_pair

KEPT_EVEN_IF_IGNORED = ("activation",)  # no effect on shapes, but a model without it is wrong
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def _arguments(node: GraphNode) -> dict[str, Any]:
    """Arguments that differ from the defaults, in Keras's terms."""
    layer = node.layer
    defaults = type(layer)._defaults()
    result = {}
    for arg in type(layer).all_args():
        value = layer.cfg.get(arg.name)
        if arg.parse is anything and arg.name not in KEPT_EVEN_IF_IGNORED:
            continue
        if arg.name == "activation" and value in (None, "linear"):
            continue
        if not arg.required and value == defaults.get(arg.name):
            continue
        if arg.parse is one_pair and value is not None:  # held as ((before, after),)
            value = value[0]
        result[arg.name] = value
    return result


def _short(value: Any) -> Any:
    """(3, 3) -> 3 where Keras takes an int for every axis; tuples become lists."""
    if isinstance(value, tuple | list):
        items = [_short(v) for v in value]
        if (
            items
            and all(isinstance(i, int) and not isinstance(i, bool) for i in items)
            and len(set(items)) == 1
        ):
            return items[0]
        return items
    return value


def _yaml(value: Any) -> str:
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
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    return json.dumps(value)


def to_yaml(model: Model, source: str) -> str:
    """A deconvcheck spec equivalent to the model (layers in the order they are listed)."""
    lines = [
        f"# Converted by deconvcheck {__version__} from {source}",
        "deconvcheck: 1",
        f"name: {_yaml(model.name)}",
        *(
            ["sequential: true"]
            if model.sequential_like and model.layers[0].type != "InputLayer"
            else []
        ),
        "layers:",
    ]
    order = [layer.name for layer in model.graph.nodes.values()]
    for index, name in enumerate(order):
        node = model.graph.nodes[name]
        fields = [
            f"type: {type(node.layer).keras_name().replace('InputLayer', 'Input')}",
            f"name: {_yaml(name)}",
        ]
        for key, value in _arguments(node).items():
            shown = list(value) if key == "shape" else _short(value)
            fields.append(f"{key}: {_yaml(shown)}")
        chain = index > 0 and node.inputs == [order[index - 1]]
        if node.inputs and not chain:
            fields.append(f"inputs: {_yaml(node.inputs)}")
        lines.append("  - {" + ", ".join(fields) + "}")
    if model.outputs != order[-1:]:
        lines.append(f"outputs: {_yaml(model.outputs)}")
    return "\n".join(lines) + "\n"


def _python(value: Any) -> str:
    if isinstance(value, list):
        value = tuple(value)
    return repr(value)


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
        var = variables[name]
        args = {k: v for k, v in _arguments(node).items() if k != "output_shape"}
        if type(node.layer).keras_name() == "InputLayer":
            call = ", ".join(
                [f"shape={_python(args.pop('shape'))}"]
                + [f"{k}={_python(v)}" for k, v in args.items()]
            )
            body.append(f"    {var} = keras.Input({call}, name={name!r})")
            inputs.append(var)
            continue
        call = ", ".join([f"{k}={_python(v)}" for k, v in args.items()] + [f"name={name!r}"])
        sources = [variables[i] for i in node.inputs]
        feed = f"[{', '.join(sources)}]" if type(node.layer).MAX_INPUTS is None else sources[0]
        body.append(f"    {var} = layers.{type(node.layer).keras_name()}({call})({feed})")
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
