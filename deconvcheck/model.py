"""The vocabulary of an inferred model: its graph, its layers with shapes and counts, and the
questions asked of it (inputs and outputs, where the size changes, whether it is an
encoder-decoder and what it must give back)."""

from __future__ import annotations

from collections.abc import Mapping

from deconvcheck.diagnostics import Diagnostic
from deconvcheck.layers.base import AnyLayer, Params, Role, Shape, Window
from deconvcheck.read.spec import LayerDecl, Pos
from deconvcheck.record import Record


def spatial(shape: Shape, fmt: str) -> tuple[int | None, ...]:
    """The spatial sizes of a (batch, ..., channels) or (batch, channels, ...) shape."""
    return tuple(shape[1:-1]) if fmt == "channels_last" else tuple(shape[2:])


class Ref(Record):
    """A tensor: output `output` of call `call` of layer `layer`, which Keras prints (and a
    spec writes) as `layer[call][output]`; a plain `layer` is `layer[0][0]`."""

    layer: str
    call: int = 0
    output: int = 0

    def __str__(self) -> str:
        return f"{self.layer}[{self.call}][{self.output}]"

    @property
    def written(self) -> str:
        """As a spec writes it: the plain name for the first output of the first call."""
        return self.layer if self.call == 0 and self.output == 0 else str(self)


class Call(Record):
    """One call of a layer: the tensors it takes, and where the spec declares it."""

    inputs: tuple[Ref, ...]
    pos: Pos


class GraphNode(Record):
    decl: LayerDecl
    layer: AnyLayer
    name: str
    inputs: list[str]  # the layers its first call takes
    # Every call, the declaration's first; None where a later call could not be connected
    # (its diagnostic says why), so that the others keep Keras's numbers.
    calls: tuple[Call | None, ...] = ()


class Graph(Record):
    path: str
    name: str
    nodes: dict[str, GraphNode]
    order: list[str]  # Keras's `model.layers` order: by depth from the inputs, then DFS index
    outputs: list[str]
    sequential_like: bool
    diagnostics: list[Diagnostic]
    layout: str  # the model's data format: channels_first as soon as one layer says so
    dangling: list[str]  # layers that lead to no output: inferred for refusals, not listed
    declared: int  # layers the spec declares, whether or not they could be built
    # Every call (layer, call number) in an order that has each call's inputs before it: the
    # calls that lead to the outputs first, then the others the code makes (inferred for
    # refusals, not listed).
    schedule: list[tuple[str, int]] = []  # noqa: RUF012 - a NamedTuple default, never mutated
    reached: frozenset[tuple[str, int]] = frozenset()  # the calls that lead to the outputs
    output_refs: tuple[Ref, ...] = ()  # the model's output tensors
    inputs: tuple[str, ...] = ()  # `inputs:` as given (the model's inputs, in call order)
    # The calls as Keras runs the model: by decreasing depth, in the order its map_graph met
    # them (which of two failing branches Keras names first); then the others the code makes.
    execution: tuple[tuple[str, int], ...] = ()
    # Everything the file says was read: false where model code holds what the reader did not
    # follow (a Layer subclass of its own, a value read from data): the model is partial.
    followed: bool = True


class InferredCall(Record):
    """One call of a layer in the model: the tensors it took and the shapes it gave."""

    number: int
    inputs: tuple[Ref, ...]
    outputs: tuple[Shape, ...]


class InferredLayer(Record):
    name: str
    type: str
    output_shape: Shape
    params: Params
    inputs: tuple[str, ...]
    pos: Pos  # where it is declared (worked out when read: see `Pos`)
    role: Role
    trainable: bool = True  # the layer's own flag (a frozen nested model is False as a whole)
    # Its calls in the model, in Keras's numbering; `output_shape` is the last call's (first)
    # output, as Keras prints a shared layer's row, and `inputs` the first call's layers.
    calls: tuple[InferredCall, ...] = ()

    @property
    def line(self) -> int:
        return self.pos.line

    @property
    def column(self) -> int:
        return self.pos.column

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        """The last call's outputs: several for an RNN with `return_state`, say."""
        return self.calls[-1].outputs if self.calls else (self.output_shape,)


class Model(Record):
    path: str
    name: str
    layers: list[InferredLayer]
    outputs: list[str]
    sequential_like: bool
    diagnostics: list[Diagnostic]
    graph: Graph  # what was propagated, for analyses that re-run it with other sizes
    expected: int  # the layers the summary lists when every one is inferred
    # Every call's output shapes, by (layer, call): what a tensor `layer[call][output]` is.
    tensors: Mapping[tuple[str, int], tuple[Shape, ...]] = {}

    @property
    def complete(self) -> bool:
        """Every declared layer was inferred, and the file was read whole: the totals are the
        model's."""
        return len(self.layers) == self.expected and self.graph.followed

    def tensor(self, ref: Ref) -> Shape | None:
        """A tensor's shape, None where it was not inferred."""
        outputs = self.tensors.get((ref.layer, ref.call))
        return outputs[ref.output] if outputs is not None and ref.output < len(outputs) else None

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
        """Something downsamples, and later an upsampling layer (transposed convolution,
        upsampling) makes it larger again. A model that failed to infer is judged by the
        layers that exist: a size lost, and an upsampling layer."""
        upsamples = any(layer.role is Role.UPSAMPLING for layer in self.layers)
        if not self.ok:
            return upsamples and any(s.lossy or s.shrinks() for s in steps(self).values())
        if not upsamples:  # squeeze-excite's 1x1 broadcast back is no decoder
            return False
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


def _lost(counts: tuple[int, ...], one: str, several: str) -> str:
    """`one row and column`, `2 rows and columns`, or per axis: `1, 0`."""
    if len(set(counts)) == 1 and len(counts) == 2:
        return f"one {one}" if counts[0] == 1 else f"{counts[0]} {several}"
    if len(counts) == 1:
        return "one position" if counts[0] == 1 else f"{counts[0]} positions"
    return f"{', '.join(str(c) for c in counts)} per axis"


class Step(Record):
    """A layer that changed the spatial size, and how."""

    layer: str
    type: str
    before: tuple[int | None, ...]
    after: tuple[int | None, ...]
    stride: tuple[int, ...]
    lossy: bool  # the size is not the input's exactly divided or multiplied by the stride
    role: Role
    windows: tuple[Window, ...] | None = None

    def shrinks(self) -> bool:
        """Some axis got smaller. An axis unknown on either side says nothing: a Reshape takes
        an unknown length to 1, and `(1,) < (None,)` is no comparison."""
        pairs = zip(self.after, self.before, strict=True)
        return any(a < b for a, b in pairs if a is not None and b is not None)

    def _downsampling(self) -> list[tuple[int, Window]]:
        if not self.windows or self.role is Role.UPSAMPLING:
            return []
        return [(n, w) for n, w in zip(self.before, self.windows, strict=False) if n is not None]

    def dropped(self) -> tuple[int, ...]:
        """Per axis, the last input rows a 'valid' strided window never reaches:
        (n − effective kernel) mod stride; none for 'same' (it pads instead)."""
        return tuple(
            (n - w.effective) % w.stride if w.padding == "valid" and n >= w.effective else 0
            for n, w in self._downsampling()
        )

    def skipped(self) -> tuple[int, ...]:
        """Per axis, the rows between two windows that no window reads (a window narrower than
        its stride)."""
        return tuple(max(0, w.stride - w.effective) for _, w in self._downsampling())

    def describe(self) -> str:
        """One sentence: what the layer did to the size, in the user's words."""
        before, after = sizes_text(self.before), sizes_text(self.after)
        name = f"{self.type} '{self.layer}'"
        if self.role is Role.UPSAMPLING:
            known = [
                (b, st)
                for b, a, st in zip(self.before, self.after, self.stride, strict=True)
                if a is not None and b is not None
            ]
            if not self.lossy or not known:
                return f"{name} takes {before} to {after}"
            exact = sizes_text(tuple(b * st for b, st in known))
            return f"{name} takes {before} to {after}, not {exact}"
        dropped, skipped = self.dropped(), self.skipped()
        reading = ""
        if any(skipped):
            w = next(w for w in self.windows or () if w.stride > w.effective)
            reading = (
                f"reading {w.effective} of every {w.stride} positions "
                f"(window {w.effective} < stride {w.stride})"
            )
        if any(dropped):
            lost = _lost(dropped, "row and column", "rows and columns")
            floored = f"{name} floored {before} to {after} ({lost} dropped)"
            return f"{floored}, {reading}" if reading else floored
        if reading:
            return f"{name} takes {before} to {after}, {reading}"
        downsampling = self._downsampling()
        if not self.lossy or not downsampling:
            return f"{name} takes {before} to {after}"
        if all(w.stride == 1 for _, w in downsampling):
            return f"{name} trims {before} to {after} (padding 'valid')"
        if any(w.padding != "valid" and n % w.stride for n, w in downsampling):
            return f"{name} rounded {before} up to {after} (padding '{downsampling[0][1].padding}')"
        return f"{name} takes {before} to {after} (stride {max(self.stride)}, nothing dropped)"


def steps(model: Model) -> dict[str, Step]:
    """Every layer whose output spatial size differs from its (first) input's, each read in the
    layer's own data format, at its first call."""
    graph = model.graph
    result = {}
    for layer in model.layers:
        first = layer.calls[0] if layer.calls else None
        if first is None or not first.inputs or model.tensor(first.inputs[0]) is None:
            continue
        kind = graph.nodes[layer.name].layer
        fmt = kind.layout() or graph.layout
        before = spatial(model.tensor(first.inputs[0]) or (), fmt)
        after = spatial(first.outputs[0], fmt)
        if before == after or len(before) != len(after):
            continue
        windows = kind.windows()
        stride = tuple(w.stride for w in windows) if windows else (1,)
        if len(stride) != len(before):
            stride = (stride[0],) * len(before)
        exact = all(
            b is None or a is None or a * s == b or b * s == a
            for a, b, s in zip(after, before, stride, strict=True)
        )
        if windows is not None and len(windows) != len(before):
            windows = None
        result[layer.name] = Step(
            layer.name, layer.type, before, after, stride, not exact, layer.role, windows
        )
    return result
