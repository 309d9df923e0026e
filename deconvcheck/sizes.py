"""`sizes`: which input sizes a spec accepts, and which an encoder-decoder gives back exactly.

The graph is built once; each size only re-runs the output-shape functions (no parameter
counts, no file reading), stopping at the first layer that refuses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from math import gcd

from deconvcheck.layers.base import Refusal, Shape
from deconvcheck.model import Graph, Model, spatial
from deconvcheck.record import Record

# Layer calls one scan may make: the range's sizes times the calls one size runs, some 4 µs
# each, so about 4 s at most (`--range 1:100000` on 300 layers was 30 million, two minutes).
MAX_WORK = 1_000_000
# Call results remembered across sizes (`Seen`): cleared when it holds this many, not grown
# (a model of `same` convolutions gives new shapes at every size, ~300 bytes each).
MAX_SEEN = 200_000


class Failure(Record):
    size: int
    layer: str
    code: str


class Scan(Record):
    valid: list[int]
    restored: list[int]
    failures: list[Failure]
    rule: str | None


def trial(shape: Shape, fmt: str, n: int) -> Shape:
    """The input at size n on the axes it leaves open (all its spatial axes, when none is)."""
    axes = spatial(shape, fmt)
    sizes = [n if d is None or None not in axes else d for d in axes]
    if fmt == "channels_last":
        return (shape[0], *sizes, shape[-1])
    return (shape[0], shape[1], *sizes)


# What a call gives for the shapes it takes (or its refusal), kept across the sizes of one
# scan: past a stride the same shapes come back for many input sizes.
Seen = dict[tuple[str, int, tuple[Shape, ...]], tuple[Shape, ...] | Refusal]


def run_sizes(
    graph: Graph, input_name: str, shape: Shape, seen: Seen | None = None
) -> tuple[dict[tuple[str, int], tuple[Shape, ...]], Failure | None]:
    """Every call's output shapes with the input at `shape` (no parameter counts), by (layer,
    call); the first call refused stops it."""
    outs: dict[tuple[str, int], tuple[Shape, ...]] = {(input_name, 0): (shape,)}
    seen = {} if seen is None else seen
    for name, number in graph.execution:  # as Keras runs it: its first refusal is Keras's
        if (name, number) in outs:
            continue
        node = graph.nodes[name]
        call = node.calls[number]
        assert call is not None  # the schedule holds connected calls only
        ins = tuple(outs[ref.layer, ref.call][ref.output] for ref in call.inputs)
        key = (name, number, ins)
        found = seen.get(key)
        if found is None:
            try:
                found = node.layer.output_shapes(ins)
            except Refusal as refusal:
                found = refusal
            seen[key] = found
        if isinstance(found, Refusal):
            return outs, Failure(0, name, found.code)
        outs[name, number] = found
    return outs, None


def reduction(graph: Graph, input_name: str, shape: Shape, fmt: str) -> int:
    """How much the network shrinks its input at most (32 for a ResNet, 2^depth for a U-Net):
    the input at 1024 on its open axes, over the smallest spatial size that any call gives."""
    outs, _ = run_sizes(graph, input_name, trial(shape, fmt, 1024))
    rank = len(spatial(shape, fmt))
    smallest = min(
        (d for shapes in outs.values() for s in shapes if len(s) == len(shape)
         for d in spatial(s, fmt)[:rank] if d),
        default=1024,
    )  # fmt: skip
    return max(1, 1024 // smallest)


def _last(outs: dict[tuple[str, int], tuple[Shape, ...]], layer: str) -> Shape:
    """A layer's row shape: its last call's first output."""
    return outs[max(k for k in outs if k[0] == layer)][0]


def describe(sizes: list[int], low: int, high: int) -> str | None:
    """'multiples of 32', 'every size from 5', 'sizes 3 more than a multiple of 8 (from 11)'."""
    if not sizes:
        return None
    start = sizes[0]
    step = 0
    for a, b in pairwise(sizes):
        step = gcd(step, b - a)
    step = step or 1
    expected = list(range(start, high + 1, step))
    if sizes != expected:
        return None
    if step == 1:
        return f"every size from {start}"
    rest = start % step
    if rest == 0:
        return f"multiples of {step}" + ("" if start - step < low else f" from {start}")
    return f"{rest} more than a multiple of {step} (from {start})"


def calls(graph: Graph, counted: dict[int, int] | None = None) -> int:
    """The layer calls one input size runs: every call of the graph, a nested model's with its
    own calls (each model counted once, however often it is used)."""
    counted = {} if counted is None else counted
    if id(graph) not in counted:
        total = 0
        for name, _ in graph.schedule:
            inner = getattr(graph.nodes[name].layer.inner(), "graph", None)
            total += 1 + (calls(inner, counted) if isinstance(inner, Graph) else 0)
        counted[id(graph)] = total
    return counted[id(graph)]


def over_budget(graph: Graph, low: int, high: int) -> str | None:
    """Why a scan of sizes low to high is too much work (MAX_WORK), with a range that is not;
    None when it is within it."""
    per_size, count = calls(graph), high - low + 1
    if per_size * count <= MAX_WORK:
        return None
    widest = MAX_WORK // per_size
    instead = (
        f"try --range {low}:{low + widest - 1}"
        if widest
        else "too many for one size; summary shows the model at its own input shape"
    )
    return (
        f"--range {low}:{high} would run {per_size:,} layer calls at each of {count:,} sizes "
        f"({per_size * count:,}; at most {MAX_WORK:,} in one run): {instead}"
    )


def scan(
    model: Model,
    low: int,
    high: int,
    restore: bool,
    progress: Callable[[int], None] | None = None,
) -> Scan:
    """Try every square input size from low to high; `progress(1)` after each. ValueError for a
    model `sizes` cannot scan, or a range that would take too long (MAX_WORK)."""
    graph = model.graph
    fmt = graph.layout
    inputs = model.input_layers
    if len(inputs) != 1:
        raise ValueError("`sizes` needs a spec with exactly one Input layer")
    too_much = over_budget(graph, low, high)
    if too_much is not None:
        raise ValueError(too_much)
    source = inputs[0]
    output = model.outputs[0] if len(model.outputs) == 1 else None
    valid, restored, failures = [], [], []
    seen: Seen = {}
    for n in range(low, high + 1):
        if len(seen) > MAX_SEEN:
            seen.clear()
        shape = trial(source.output_shape, fmt, n)
        outs, failure = run_sizes(graph, source.name, shape, seen)
        if progress is not None:
            progress(1)
        if failure is not None:
            failures.append(failure._replace(size=n))
            continue
        valid.append(n)
        if output is not None and spatial(_last(outs, output), fmt) == spatial(shape, fmt):
            restored.append(n)
    rule = describe(restored if restore else valid, low, high)
    return Scan(valid, restored if restore else [], failures, rule)


def failure_summary(failures: list[Failure]) -> list[str]:
    """'pool4_2 (DC202): 31 sizes, e.g. 1, 2, 3'; most common first."""
    counts = Counter((f.layer, f.code) for f in failures)
    lines = []
    for (layer, code), count in counts.most_common():
        examples = [str(f.size) for f in failures if (f.layer, f.code) == (layer, code)][:5]
        lines.append(
            f"first failing layer '{layer}' ({code}): {count} size(s), e.g. {', '.join(examples)}"
        )
    return lines
