"""The vocabulary of an inferred model: its graph, its layers with shapes and counts, and the
questions asked of it (inputs and outputs, where the size changes, whether it is an
encoder-decoder and what it must give back)."""

from __future__ import annotations

from typing import NamedTuple

from deconvcheck.diagnostics import Diagnostic
from deconvcheck.layers.base import AnyLayer, Params, Role, Shape
from deconvcheck.read.spec import LayerDecl


def spatial(shape: Shape, fmt: str) -> tuple[int | None, ...]:
    """The spatial sizes of a (batch, ..., channels) or (batch, channels, ...) shape."""
    return tuple(shape[1:-1]) if fmt == "channels_last" else tuple(shape[2:])


class GraphNode(NamedTuple):
    decl: LayerDecl
    layer: AnyLayer
    name: str
    inputs: list[str]


class Graph(NamedTuple):
    path: str
    name: str
    nodes: dict[str, GraphNode]
    order: list[str]  # Keras's `model.layers` order: by depth from the inputs, then DFS index
    outputs: list[str]
    sequential_like: bool
    diagnostics: list[Diagnostic]

    @property
    def layout(self) -> str:
        """The model's data format: channels_first as soon as one layer says so."""
        for node in self.nodes.values():
            if node.layer.layout() == "channels_first":
                return "channels_first"
        return "channels_last"


class InferredLayer(NamedTuple):
    name: str
    type: str
    output_shape: Shape
    params: Params
    inputs: tuple[str, ...]
    line: int
    column: int
    role: Role


class Model(NamedTuple):
    path: str
    name: str
    layers: list[InferredLayer]
    outputs: list[str]
    sequential_like: bool
    diagnostics: list[Diagnostic]
    graph: Graph  # what was propagated, for analyses that re-run it with other sizes

    @property
    def shapes(self) -> dict[str, Shape]:
        return {layer.name: layer.output_shape for layer in self.layers}

    @property
    def totals(self) -> Params:
        return Params(
            sum(layer.params.trainable for layer in self.layers),
            sum(layer.params.non_trainable for layer in self.layers),
        )

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def input_layers(self) -> list[InferredLayer]:
        return [layer for layer in self.layers if layer.role is Role.INPUT]

    @property
    def output_layers(self) -> list[InferredLayer]:
        return [layer for layer in self.layers if layer.name in self.outputs]

    def spatial(self, shape: Shape) -> tuple[int | None, ...]:
        return spatial(shape, self.graph.layout)

    def ends(self) -> tuple[InferredLayer, InferredLayer] | None:
        """The single input and the single output, or None when there are several or none."""
        inputs, outputs = self.input_layers, self.output_layers
        return (inputs[0], outputs[0]) if len(inputs) == 1 and len(outputs) == 1 else None

    def is_encoder_decoder(self) -> bool:
        """Something downsamples, and later something upsamples again. A model that failed to
        infer is judged by the layers that exist: a size lost, and an upsampling layer."""
        if not self.ok:
            return any(s.lossy or s.after < s.before for s in steps(self).values()) and any(
                layer.role is Role.UPSAMPLING for layer in self.layers
            )
        ends = self.ends()
        if ends is None:
            return False
        start = self.spatial(ends[0].output_shape)
        sizes = [self.spatial(layer.output_shape) for layer in self.layers]
        sizes = [s for s in sizes if len(s) == len(start) and None not in s]
        if not sizes or None in start:
            return False
        smallest = min(sizes)
        end = self.spatial(ends[1].output_shape)
        return smallest < start and len(end) == len(start) and end > smallest

    def restore_mode(self, declared: str | None) -> str | None:
        """What the output must give back of the input: the spec's `restore:` when it says,
        else the spatial size for an encoder-decoder; None when nothing is to be restored."""
        mode = declared or ("spatial" if self.is_encoder_decoder() else None)
        return None if mode == "none" else mode


def sizes_text(values: tuple[int | None, ...]) -> str:
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
    role: Role

    def describe(self) -> str:
        """One sentence: what the layer did to the size, in the user's words."""
        before, after = sizes_text(self.before), sizes_text(self.after)
        known = [
            (b, a, st)
            for a, b, st in zip(self.after, self.before, self.stride, strict=True)
            if a is not None and b is not None
        ]
        if not self.lossy:
            return f"{self.type} '{self.layer}' takes {before} to {after}"
        if all(a > b for b, a, _ in known):
            exact = sizes_text(tuple(b * st for b, _, st in known))
            return f"{self.type} '{self.layer}' takes {before} to {after}, not {exact}"
        if all(st == 1 for _, _, st in known):
            return f"{self.type} '{self.layer}' trims {before} to {after} (padding 'valid')"
        dropped = max(b - a * st for b, a, st in known)
        if dropped > 0:
            what = "one row and column" if dropped == 1 else f"{dropped} rows and columns"
            return f"{self.type} '{self.layer}' floored {before} to {after} ({what} dropped)"
        return f"{self.type} '{self.layer}' rounded {before} up to {after} (padding 'same')"


def steps(model: Model) -> dict[str, Step]:
    """Every layer whose output spatial size differs from its (first) input's."""
    graph, shapes = model.graph, model.shapes
    result = {}
    for layer in model.layers:
        if not layer.inputs or layer.inputs[0] not in shapes:
            continue
        before = model.spatial(shapes[layer.inputs[0]])
        after = model.spatial(layer.output_shape)
        if before == after or len(before) != len(after):
            continue
        windows = graph.nodes[layer.name].layer.windows()
        stride = tuple(w.stride for w in windows) if windows else (1,)
        if len(stride) != len(before):
            stride = (stride[0],) * len(before)
        exact = all(
            b is None or a is None or a * s == b or b * s == a
            for a, b, s in zip(after, before, stride, strict=True)
        )
        result[layer.name] = Step(
            layer.name, layer.type, before, after, stride, not exact, layer.role
        )
    return result
