"""Follow spatial sizes through a model: where each layer changes them, and which change lost
information (a floor or a ceiling instead of an exact division)."""

from __future__ import annotations

from typing import NamedTuple

from deconvcheck.infer import Graph, Model
from deconvcheck.layers.base import Shape


def data_format(graph: Graph) -> str:
    """The model's layout: channels_first as soon as one layer says so."""
    for node in graph.nodes.values():
        if node.layer.cfg.get("data_format") == "channels_first":
            return "channels_first"
    return "channels_last"


def spatial(shape: Shape, fmt: str) -> tuple[int | None, ...]:
    return tuple(shape[1:-1]) if fmt == "channels_last" else tuple(shape[2:])


def _sizes(values: tuple[int | None, ...]) -> str:
    """`25`, `7x5`, or `-` for a shape with no spatial axes left (after global pooling)."""
    if not values:
        return "-"
    return "x".join(str(v) for v in values) if len(set(values)) > 1 else str(values[0])


class Step(NamedTuple):
    """A layer that changed the spatial size, and how."""

    layer: str
    type: str
    before: tuple[int | None, ...]
    after: tuple[int | None, ...]
    stride: tuple[int, ...]
    lossy: bool  # the size is not the input's exactly divided or multiplied by the stride

    def describe(self) -> str:
        """One sentence: what the layer did to the size, in the user's words."""
        before, after = _sizes(self.before), _sizes(self.after)
        known = [
            (b, a, st)
            for a, b, st in zip(self.after, self.before, self.stride, strict=True)
            if a is not None and b is not None
        ]
        if not self.lossy:
            return f"{self.type} '{self.layer}' takes {before} to {after}"
        if all(a > b for b, a, _ in known):
            exact = _sizes(tuple(b * st for b, _, st in known))
            return f"{self.type} '{self.layer}' takes {before} to {after}, not {exact}"
        if all(st == 1 for _, _, st in known):
            return f"{self.type} '{self.layer}' trims {before} to {after} (padding 'valid')"
        dropped = max(b - a * st for b, a, st in known)
        if dropped > 0:
            what = "one row and column" if dropped == 1 else f"{dropped} rows and columns"
            return f"{self.type} '{self.layer}' floored {before} to {after} ({what} dropped)"
        return f"{self.type} '{self.layer}' rounded {before} up to {after} (padding 'same')"


def stride_of(graph: Graph, name: str) -> tuple[int, ...]:
    cfg = graph.nodes[name].layer.cfg
    strides = cfg.get("strides") or cfg.get("pool_size") or cfg.get("size") or (1,)
    return (strides,) if isinstance(strides, int) else tuple(strides)


def steps(model: Model) -> dict[str, Step]:
    """Every layer whose output spatial size differs from its (first) input's."""
    graph, shapes = model.graph, model.shapes
    fmt = data_format(graph)
    result = {}
    for layer in model.layers:
        if not layer.inputs or layer.inputs[0] not in shapes:
            continue
        before = spatial(shapes[layer.inputs[0]], fmt)
        after = spatial(layer.output_shape, fmt)
        if before == after or len(before) != len(after):
            continue
        stride = stride_of(graph, layer.name)
        if len(stride) != len(before):
            stride = (stride[0],) * len(before)
        exact = all(
            b is None or a is None or a * s == b or b * s == a
            for a, b, s in zip(after, before, stride, strict=True)
        )
        result[layer.name] = Step(layer.name, layer.type, before, after, stride, not exact)
    return result


def ancestors(graph: Graph, name: str) -> list[str]:
    """Every layer `name` depends on, nearest first (breadth-first), itself included."""
    seen: list[str] = []
    queue = [name]
    while queue:
        current = queue.pop(0)
        if current in seen or current not in graph.nodes:
            continue
        seen.append(current)
        queue.extend(graph.nodes[current].inputs)
    return seen


def first_lossy(model: Model, names: list[str]) -> Step | None:
    """The lossy step closest to the model's inputs among `names` (in graph order)."""
    found = steps(model)
    ordered = [n for n in model.graph.order if n in names and n in found and found[n].lossy]
    return found[ordered[0]] if ordered else None


def path_sizes(model: Model, output: str) -> str:
    """`160 → 80 → ... → 160` along the first-input chain ending at `output`."""
    graph, shapes = model.graph, model.shapes
    fmt = data_format(graph)
    chain = []
    name: str | None = output
    while name is not None and name in shapes:
        chain.append(_sizes(spatial(shapes[name], fmt)))
        inputs = graph.nodes[name].inputs
        name = inputs[0] if inputs else None
    collapsed = [
        s for i, s in enumerate(reversed(chain)) if i == 0 or s != list(reversed(chain))[i - 1]
    ]
    return " → ".join(collapsed)


def restored(model: Model, mode: str) -> bool | None:
    """Does the single output give back the single input (None: not applicable)?"""
    inputs = [layer for layer in model.layers if layer.type == "InputLayer"]
    outputs = [layer for layer in model.layers if layer.name in model.outputs]
    if len(inputs) != 1 or len(outputs) != 1:
        return None
    fmt = data_format(model.graph)
    src, dst = inputs[0].output_shape, outputs[0].output_shape
    if None in src[1:] or None in dst[1:]:
        return None  # an unknown size cannot be compared
    if mode == "shape":
        return src[1:] == dst[1:]
    return spatial(src, fmt) == spatial(dst, fmt)


def works(model: Model, mode: str | None) -> bool:
    return model.ok and (mode is None or restored(model, mode) is not False)
