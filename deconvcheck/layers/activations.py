"""Softmax, ELU and PReLU (Keras 3 `layers/activations`; ReLU and LeakyReLU are in `core`)."""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    Config,
    Example,
    Layer,
    Params,
    Refusal,
    Shape,
    arg,
    format_shape,
    ignored_group,
    image,
    is_int,
    number,
    product,
    shown,
)
from deconvcheck.layers.normalization import axes, known_sizes


class SoftmaxConfig(Config):
    # Keras checks the axis only when the layer runs, not when the model is built.
    axis: tuple[int, ...] = arg(axes, -1, doc="an axis or a list of axes")


class Softmax(Layer):
    config: SoftmaxConfig

    NAMES = ("Softmax",)
    CONFIG = SoftmaxConfig

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))


class ELUConfig(Config):
    alpha: float = arg(number, 1.0)


class ELU(Layer):
    config: ELUConfig

    NAMES = ("ELU",)
    CONFIG = ELUConfig

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))


def shared_axes(value: object, name: str, rank: int) -> tuple[int, ...] | None:
    if value is None:
        return None
    if is_int(value):
        return (int(value),)  # type: ignore[call-overload]
    if isinstance(value, list | tuple) and all(is_int(v) for v in value):
        return tuple(int(v) for v in value)
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be null, an int or a list of ints; received {shown(value)}",
    )


class PReLUConfig(Config):
    shared_axes: tuple[int, ...] | None = arg(
        shared_axes, None, doc="axes (batch is 0) along which one slope is shared"
    )
    weights = ignored_group("alpha_initializer", "alpha_regularizer", "alpha_constraint")


class PReLU(Layer):
    """A learned slope per value of the input (batch axis excluded), shared along
    `shared_axes`."""

    CHECKS_BUILT_INPUT = True
    BUILT_RANK = True

    config: PReLUConfig

    NAMES = ("PReLU",)
    CONFIG = PReLUConfig
    MACS_FREE = True  # an activation: no multiply-accumulate by the README's convention

    @classmethod
    def example(cls) -> Example:
        return Example({"shared_axes": [1, 2]}, (image(2),))

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        sizes: list[int | None] = list(shape[1:])
        for axis in self.config.shared_axes or ():
            # Keras: `param_shape[i - 1] = 1`, Python indexing included (0 is the last axis).
            if not -len(sizes) <= axis - 1 < len(sizes):
                raise Refusal(
                    Code.AXIS_OUT_OF_RANGE,
                    f"shared axis {axis} is out of range for input shape {format_shape(shape)}",
                    arg="shared_axes",
                )
            sizes[axis - 1] = 1
        kept = [i for i, s in enumerate(sizes) if s != 1]
        known = known_sizes((None, *sizes), [i + 1 for i in kept], "slopes")
        return Params(product(known))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.weight_count(inputs)
        return inputs[0]
