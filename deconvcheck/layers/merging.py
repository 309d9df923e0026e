"""Concatenate and Add (Keras 3 `layers/merging`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from deconvcheck.layers.base import (
    Config,
    Dim,
    Example,
    Layer,
    NoArgs,
    Refusal,
    Role,
    Shape,
    any_int,
    arg,
    format_shape,
    image,
)


def _joined(inputs: Sequence[Shape]) -> str:
    return ", ".join(format_shape(s) for s in inputs)


class Merge(Layer):
    """Layers that join several tensors into one."""

    ROLE = Role.MERGE
    MIN_INPUTS = 1
    MAX_INPUTS: ClassVar[int | None] = None

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2), image(2)))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"{' + '.join(format_shape(s) for s in inputs)} -> {format_shape(output)}"]

    def keras_code(self, name: str, args: Mapping[str, Any], feed: str) -> str:
        return super().keras_code(name, args, f"[{feed}]")


class ConcatenateConfig(Config):
    axis: int = arg(any_int, -1)


class Concatenate(Merge):
    """Joins along `axis`; every other axis must agree (unknown sizes agree with anything)."""

    config: ConcatenateConfig

    NAMES = ("Concatenate", "concatenate")
    CONFIG = ConcatenateConfig

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        axis = self.config.axis
        rank = len(inputs[0])
        if not -rank <= axis < rank:
            raise Refusal(
                "DC207",
                f"axis {axis} is out of range for inputs of rank {rank} "
                f"(counting the batch axis); received {_joined(inputs)}",
                arg="axis",
            )
        # Keras (Concatenate.build): drop the concatenation axis, then every input must have the
        # same rank and agree on each remaining axis where both sizes are known.
        others = [s[:axis] + s[axis + 1 :] if axis != -1 else s[:-1] for s in inputs]
        if len({len(s) for s in others}) != 1 or any(
            len({d for d in dims if d is not None}) > 1 for dims in zip(*others, strict=True)
        ):
            raise Refusal(
                "DC201",
                f"needs inputs that match on every axis except the concatenation "
                f"axis ({axis}); received {_joined(inputs)}",
            )
        total: Dim = 0
        for shape in inputs:
            size = shape[axis]
            if total is None or size is None:
                total = None
                break
            total += size
        out = list(inputs[0])
        out[axis] = total
        return tuple(out)


def _broadcast(a: Shape, b: Shape) -> Shape:
    """Keras's `Merge._compute_elemwise_op_output_shape`: right-aligned, 1 stretches, None wins."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return a
    out: list[Dim] = list(a[: len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b) :], b, strict=True):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j in (1, i):
            out.append(i)
        else:
            raise ValueError(i, j)
    return tuple(out)


class Elementwise(Merge):
    """Element-wise merges (Keras's `Merge`): shapes must match or broadcast."""

    config: NoArgs

    CONFIG = NoArgs

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        out = inputs[0][1:]
        for shape in inputs[1:]:
            try:
                out = _broadcast(out, shape[1:])
            except ValueError:
                raise Refusal(
                    "DC201",
                    f"needs inputs of the same shape; received {_joined(inputs)}",
                ) from None
        batches = {s[0] for s in inputs} - {None}
        batch = batches.pop() if len(batches) == 1 else None
        return (batch, *out)


class Add(Elementwise):
    """Element-wise sum."""

    NAMES = ("Add", "add")


class Multiply(Elementwise):
    NAMES = ("Multiply", "multiply")


class Average(Elementwise):
    NAMES = ("Average", "average")


class Maximum(Elementwise):
    NAMES = ("Maximum", "maximum")


class Minimum(Elementwise):
    NAMES = ("Minimum", "minimum")


class Subtract(Elementwise):
    """The first input minus the second: exactly two inputs."""

    NAMES = ("Subtract", "subtract")
    MIN_INPUTS = 2
    MAX_INPUTS = 2

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if len(inputs) != 2:
            raise Refusal(
                "DC109", f"takes exactly 2 inputs; received {len(inputs)}: {_joined(inputs)}"
            )
        return super().output_shape(inputs)
