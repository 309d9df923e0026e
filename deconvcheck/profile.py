"""The network's size profile, for `draw`: layers in Keras's order folded into blocks that keep
one spatial size, the skip connections between blocks, and the findings marked where they are.

An encoder-decoder draws as a U: blocks of 160, 80, 40, 20, 10, 5 going down and 10, 20, 40,
80, 160 coming back, each decoder block joined by a skip from the encoder block of its size. A
classifier draws as a staircase. Layers that could not be inferred (after a refusal) are kept,
without a shape, so that every declared layer is on the picture.
"""

from __future__ import annotations

from deconvcheck.diagnostics import Diagnostic
from deconvcheck.layers.base import Role, Shape
from deconvcheck.model import InferredLayer, Model
from deconvcheck.record import Record


class Node(Record):
    """One layer on the picture; `shape` is None when it could not be inferred."""

    name: str
    type: str
    shape: Shape | None
    params: int
    inputs: tuple[str, ...]
    role: Role


class Block(Record):
    """A run of layers, in order, at one spatial scale (one layer with `expand`): the sizes
    within stay within a factor of LEVEL of the first, so that padding before a valid
    convolution (ResNet50V2's 56 -> 58 -> 56) stays on its row while a stride starts a new one;
    an upsampling layer that changes the size always starts one."""

    nodes: list[Node]
    size: tuple[int | None, ...] | None  # spatial sizes; () for a flat tensor; None: unknown
    channels: int | None
    marks: list[Diagnostic]
    low: tuple[int | None, ...] | None  # per axis, the smallest and largest size in the block
    high: tuple[int | None, ...] | None

    @property
    def names(self) -> list[str]:
        return [n.name for n in self.nodes]

    @property
    def extent(self) -> int | None:
        """The largest known spatial size in the row (what its bar is drawn to), or None."""
        return max((s for s in self.high or () if s is not None), default=None)


class Skip(Record):
    """A merge input that comes from an earlier block than the merge's own path."""

    source: str
    target: str
    start: int  # block index of the source
    end: int  # block index of the merge


class Profile(Record):
    name: str
    path: str
    nodes: list[Node]
    blocks: list[Block]
    skips: list[Skip]
    diagnostics: list[Diagnostic]

    @property
    def marked(self) -> dict[str, list[Diagnostic]]:
        """The findings by the layer they name."""
        found: dict[str, list[Diagnostic]] = {}
        for d in self.diagnostics:
            if d.layer is not None:
                found.setdefault(d.layer, []).append(d)
        return found

    @property
    def largest(self) -> int:
        """The largest spatial size drawn (for scaling the bars), at least 1."""
        return max((b.extent for b in self.blocks if b.extent), default=1)


def _nodes(model: Model) -> list[Node]:
    inferred = {layer.name: layer for layer in model.layers}
    nodes = []
    for name in model.graph.order:
        layer = inferred.get(name)
        graph_node = model.graph.nodes[name]
        if name in model.graph.dangling or (layer is None and graph_node.layer.ROLE == Role.INPUT):
            continue  # not in Keras's model.layers (a Sequential model's input is not listed)
        nodes.append(
            Node(
                name=name,
                type=layer.type if layer else type(graph_node.layer).keras_name(),
                shape=layer.output_shape if layer else None,
                params=layer.params.total if layer else 0,
                inputs=_sources(layer) if layer else tuple(graph_node.inputs),
                role=graph_node.layer.ROLE,
            )
        )
    return nodes


def _sources(layer: InferredLayer) -> tuple[str, ...]:
    """The layers feeding any call of the layer (a shared layer is fed by each of its calls)."""
    return tuple(dict.fromkeys(ref.layer for call in layer.calls for ref in call.inputs))


def _size(model: Model, node: Node) -> tuple[tuple[int | None, ...] | None, int | None]:
    if node.shape is None:
        return None, None
    if len(node.shape) < 3:  # (batch, features): flat
        return (), node.shape[-1] if len(node.shape) == 2 else None
    channels = node.shape[-1] if model.graph.layout == "channels_last" else node.shape[1]
    return model.spatial(node.shape), channels


LEVEL = 1.5  # a stride or an upsampling of 2 changes the size by about 2; padding by a little


def same_level(ref: tuple[int | None, ...] | None, size: tuple[int | None, ...] | None) -> bool:
    """Whether `size` stays on the row that started at `ref`: equal, or (all sizes known) each
    axis within a factor of LEVEL.

    >>> same_level((56, 56), (58, 58)), same_level((25, 25), (12, 12))
    (True, False)
    """
    if ref == size:
        return True
    if not ref or not size or len(ref) != len(size):
        return False
    pairs = list(zip(ref, size, strict=True))
    return all(a and b and max(a, b) < LEVEL * min(a, b) for a, b in pairs)


def _span(
    a: tuple[int | None, ...] | None, b: tuple[int | None, ...] | None, smallest: bool
) -> tuple[int | None, ...] | None:
    """Per axis, the smaller (or larger) of two sizes; unknown stays unknown."""
    if a is None or b is None or len(a) != len(b):
        return a
    pick = min if smallest else max
    return tuple(None if x is None or y is None else pick(x, y) for x, y in zip(a, b, strict=True))


def build(model: Model, diagnostics: list[Diagnostic], *, expand: bool = False) -> Profile:
    """Fold the model's layers into blocks of one size; `expand` gives every layer its own."""
    nodes = _nodes(model)
    by_layer: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.layer is not None:
            by_layer.setdefault(d.layer, []).append(d)
    blocks: list[Block] = []
    previous: tuple[int | None, ...] | None = None
    for node in nodes:
        size, channels = _size(model, node)
        # an upsampling layer that changes the size is a decoder step: always a row of its own
        # (a decoder's 7 -> 9 must show), even where the change is small
        grows = node.role == Role.UPSAMPLING and size != previous
        previous = size
        row = Block([node], size, channels, list(by_layer.get(node.name, ())), size, size)
        last = blocks[-1] if blocks else None
        joins = (
            last is not None
            and not expand
            and not grows
            and same_level(last.size, size)
            and not (size is None and (row.marks or last.marks))
        )
        if joins and last is not None:
            blocks[-1] = _merged(last, [row])
        else:
            blocks.append(row)
    if not expand:
        blocks = _fold_excursions(blocks)
    return Profile(model.name, model.path, nodes, blocks, _skips(blocks), diagnostics)


def _merged(first: Block, later: list[Block]) -> Block:
    """`first` with the layers of `later` appended (its lists extended in place: a row of
    10,000 layers is not copied 10,000 times), the channels of the last row that knows them,
    and the sizes spanned over the rows that are not squeezed to 1x1 or flat."""
    block = first
    for other in later:
        block.nodes.extend(other.nodes)
        block.marks.extend(other.marks)
        if not _squeezed(other):
            block = block._replace(
                low=_span(block.low, other.low, True), high=_span(block.high, other.high, False)
            )
        if other.channels is not None:
            block = block._replace(channels=other.channels)
    return block


def _squeezed(block: Block) -> bool:
    """Flat, or 1 along every spatial axis: what a global pooling branch squeezes to."""
    return block.size == () or bool(block.size and all(s == 1 for s in block.size))


def _fold_excursions(blocks: list[Block]) -> list[Block]:
    """A squeeze-and-excitation branch (MobileNetV3, EfficientNet: global pooling, 1x1
    convolutions, then a Multiply that broadcasts it back) is one step of its row, not a level
    of the network: rows squeezed to 1x1 or flat, between two rows at one scale, whose return
    is a merge (not an upsampling, as at the bottom of a pix2pix U-Net), fold into the row."""
    folded: list[Block] = []
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and _squeezed(blocks[j]):
            j += 1
        back = blocks[j] if j < len(blocks) else None
        before = folded[-1] if folded else None
        if (
            j > i
            and before is not None
            and back is not None
            and back.nodes[0].role == Role.MERGE
            and same_level(before.size, back.size)
        ):
            folded[-1] = _merged(before, blocks[i : j + 1])
            i = j + 1
        else:
            folded.append(blocks[i])
            i += 1
    return _join_levels(folded)


def _join_levels(blocks: list[Block]) -> list[Block]:
    """Neighbouring rows left at one scale once the excursions between them are folded."""
    joined: list[Block] = []
    for block in blocks:
        last = joined[-1] if joined else None
        unknown_marked = block.size is None and bool(block.marks or (last and last.marks))
        if (
            last is not None
            and same_level(last.size, block.size)
            and not _squeezed(block)
            and not unknown_marked
            and block.nodes[0].role != Role.UPSAMPLING  # a decoder step keeps its row
        ):
            joined[-1] = _merged(last, [block])
        else:
            joined.append(block)
    return joined


def _skips(blocks: list[Block]) -> list[Skip]:
    where = {name: i for i, block in enumerate(blocks) for name in block.names}
    skips = []
    for i, block in enumerate(blocks):
        for node in block.nodes:
            if len(node.inputs) < 2:
                continue
            sources = [(where[s], s) for s in node.inputs if s in where]
            main = max((b for b, _ in sources), default=i)
            skips += [Skip(s, node.name, b, i) for b, s in sources if b < main]
    return skips


def lanes(skips: list[Skip]) -> list[int]:
    """A lane (column) per skip such that skips on one lane never overlap: the shortest skips
    innermost, so that a U-Net's nested skips draw as nested brackets."""
    order = sorted(range(len(skips)), key=lambda i: (skips[i].end - skips[i].start, skips[i].start))
    taken: list[list[tuple[int, int]]] = []
    lane = [0] * len(skips)
    for i in order:
        span = (skips[i].start, skips[i].end)
        for k, spans in enumerate(taken):
            if all(span[1] < a or span[0] > b for a, b in spans):
                spans.append(span)
                lane[i] = k
                break
        else:
            taken.append([span])
            lane[i] = len(taken) - 1
    return lane
