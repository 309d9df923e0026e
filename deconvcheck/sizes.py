"""`sizes`: which input sizes a spec accepts, and which an encoder-decoder gives back exactly.

The graph is built once; each size only re-runs the output-shape functions (no parameter
counts, no file reading), stopping at the first layer that refuses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from math import gcd
from typing import NamedTuple

from deconvcheck.layers.base import Refusal, Shape
from deconvcheck.model import Graph, Model, spatial


class Failure(NamedTuple):
    size: int
    layer: str
    code: str


class Scan(NamedTuple):
    valid: list[int]
    restored: list[int]
    failures: list[Failure]
    rule: str | None


def _trial(shape: Shape, fmt: str, n: int) -> Shape:
    rank = len(spatial(shape, fmt))
    if fmt == "channels_last":
        return (shape[0], *([n] * rank), shape[-1])
    return (shape[0], shape[1], *([n] * rank))


def run_sizes(
    graph: Graph, input_name: str, shape: Shape
) -> tuple[dict[str, Shape], Failure | None]:
    shapes: dict[str, Shape] = {input_name: shape}
    for name in graph.order:
        if name in shapes:
            continue
        node = graph.nodes[name]
        try:
            shapes[name] = node.layer.output_shape([shapes[i] for i in node.inputs])
        except Refusal as refusal:
            return shapes, Failure(0, name, refusal.code)
    return shapes, None


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


def scan(
    model: Model,
    low: int,
    high: int,
    restore: bool,
    progress: Callable[[int], None] | None = None,
) -> Scan:
    """Try every square input size from low to high; `progress(1)` after each."""
    graph = model.graph
    fmt = graph.layout
    inputs = model.input_layers
    if len(inputs) != 1:
        raise ValueError("`sizes` needs a spec with exactly one Input layer")
    source = inputs[0]
    output = model.outputs[0] if len(model.outputs) == 1 else None
    valid, restored, failures = [], [], []
    for n in range(low, high + 1):
        trial = _trial(source.output_shape, fmt, n)
        shapes, failure = run_sizes(graph, source.name, trial)
        if progress is not None:
            progress(1)
        if failure is not None:
            failures.append(failure._replace(size=n))
            continue
        valid.append(n)
        if output is not None and spatial(shapes[output], fmt) == spatial(trial, fmt):
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
