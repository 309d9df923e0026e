"""`summary --explain`: for each layer, the formula with the numbers put in, and one line of
plain words. Each layer type writes its own lines (`Layer.explain`), with the numbers from
`arith`, the functions inference uses."""

from __future__ import annotations

from deconvcheck.model import Model


def explain(model: Model) -> dict[str, list[str]]:
    """Per layer name, the lines to print under it."""
    shapes = model.shapes
    result: dict[str, list[str]] = {}
    for layer in model.layers:
        node = model.graph.nodes[layer.name]
        ins = [shapes[i] for i in layer.inputs if i in shapes]
        if layer.inputs and not ins:
            continue  # a Sequential model's input is not one of its layers
        lines = node.layer.explain(ins, layer.output_shape)
        if lines:
            result[layer.name] = lines
    return result
