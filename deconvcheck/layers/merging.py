"""Concatenate, Add and the other merges, and Dot (Keras 3 `layers/merging`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from deconvcheck.diagnostics import Code
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
    boolean,
    format_shape,
    image,
    shown,
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

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        return f"{callee}([{', '.join(feeds)}])"  # a merge takes a list, even of one


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
                Code.AXIS_OUT_OF_RANGE,
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
                Code.MERGE_MISMATCH,
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
        if not all(inputs):  # Keras reads each input's batch axis (an IndexError on a scalar)
            raise Refusal(
                Code.RANK_MISMATCH,
                f"needs inputs with a batch axis; received {_joined(inputs)} (a scalar has none)",
            )
        out = inputs[0][1:]
        for shape in inputs[1:]:
            try:
                out = _broadcast(out, shape[1:])
            except ValueError:
                raise Refusal(
                    Code.MERGE_MISMATCH,
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
                Code.INPUT_COUNT,
                f"takes exactly 2 inputs; received {len(inputs)}: {_joined(inputs)}",
            )
        return super().output_shape(inputs)


def dot_axes(value: object, name: str, rank: int) -> int | tuple[int, int]:
    """Dot's `axes`: one axis for both inputs, or one for each."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return (value[0], value[1])
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be an axis or a list of two; received {shown(value)}",
        arg=name,
    )


class DotConfig(Config):
    axes: int | tuple[int, int] = arg(
        dot_axes, required=True, doc="the axis reduced, or one per input"
    )
    normalize: bool = arg(boolean, False, doc="L2-normalise first (cosine similarity)")


class Dot(Merge):
    """The dot product of two tensors along `axes`: what is left of the first input, then of
    the second without its batch axis; (batch, 1) when nothing is left."""

    config: DotConfig

    NAMES = ("Dot", "dot")
    CONFIG = DotConfig
    MIN_INPUTS = 2
    MAX_INPUTS = 2

    @classmethod
    def example(cls) -> Example:
        return Example({"axes": 1}, ((None, 8), (None, 8)))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if len(inputs) != 2:
            raise Refusal(
                Code.INPUT_COUNT,
                f"takes exactly 2 inputs; received {len(inputs)}: {_joined(inputs)}",
            )
        first, second = list(inputs[0]), list(inputs[1])
        axes = self.config.axes
        if isinstance(axes, int):
            pair = [axes % len(first), axes % len(second)] if axes < 0 else [axes, axes]
        else:
            pair = list(axes)
        if not (-len(first) <= pair[0] < len(first) and -len(second) <= pair[1] < len(second)):
            raise Refusal(
                Code.AXIS_OUT_OF_RANGE,
                f"axes {shown(axes)} are out of range for {_joined(inputs)}",
                arg="axes",
            )
        if first[pair[0]] != second[pair[1]]:
            raise Refusal(
                Code.MERGE_MISMATCH,
                f"axis {pair[0]} of the first input ({first[pair[0]]}) and axis {pair[1]} of "
                f"the second ({second[pair[1]]}) must agree; received {_joined(inputs)}",
            )
        first.pop(pair[0])
        second.pop(pair[1])
        out = first + second[1:]
        return tuple([*out, 1] if len(out) == 1 else out)
