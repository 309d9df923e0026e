"""Input, Dense, Activation, ReLU, LeakyReLU, Dropout, Flatten, Reshape (Keras 3 core layers)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from deconvcheck.layers.base import (
    KERNEL_ARGS,
    Arg,
    Layer,
    Params,
    Refusal,
    Shape,
    activation,
    anything,
    boolean,
    data_format,
    format_shape,
    int_list,
    number,
    optional_positive_int,
    positive_int,
    require_rank,
    shape_list,
)


class Input(Layer):
    """A model input. `shape` excludes the batch axis, as in `keras.Input(shape=...)`."""

    NAMES = ("Input", "InputLayer")
    ARGS = (
        Arg("shape", shape_list, required=True, doc="sizes without the batch axis, null = unknown"),
        Arg("batch_size", optional_positive_int, None),
        Arg("sparse", anything, None, doc="ignored"),
    )
    MIN_INPUTS = 0
    MAX_INPUTS = 0

    @classmethod
    def keras_name(cls) -> str:
        return "InputLayer"

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return (self.cfg["batch_size"], *self.cfg["shape"])


class Dense(Layer):
    """Acts on the last axis only, so it works on N-D input: (..., n) -> (..., units)."""

    NAMES = ("Dense",)
    ARGS = (
        Arg("units", positive_int, required=True, doc="output size"),
        Arg("use_bias", boolean, True),
        *KERNEL_ARGS,
    )

    def _features(self, shape: Shape) -> int:
        require_rank(self, shape, 2, at_least=True)
        features = shape[-1]
        if features is None:
            raise Refusal(
                "DC204",
                f"needs a known last axis; received shape {format_shape(shape)}",
            )
        return features

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self._features(shape)
        return (*shape[:-1], self.cfg["units"])

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        units = self.cfg["units"]
        return Params(self._features(shape) * units + (units if self.cfg["use_bias"] else 0))


class Identity(Layer):
    """Layers that keep the shape and own no weights."""

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        return shape


def non_negative(value: object, name: str, rank: int) -> float:
    result = number(value, name, rank)
    if result < 0:
        raise Refusal("DC103", f"`{name}` cannot be negative; received {value!r}", arg=name)
    return result


def optional_non_negative(value: object, name: str, rank: int) -> float | None:
    return None if value is None else non_negative(value, name, rank)


def fraction(value: object, name: str, rank: int) -> float:
    result = number(value, name, rank)
    if not 0 <= result <= 1:
        raise Refusal("DC103", f"`{name}` must be between 0 and 1; received {value!r}", arg=name)
    return result


class Activation(Identity):
    NAMES = ("Activation",)
    ARGS = (Arg("activation", activation, required=True, doc="a Keras activation name"),)


class ReLU(Identity):
    NAMES = ("ReLU",)
    ARGS = (
        Arg("max_value", optional_non_negative, None),
        Arg("negative_slope", non_negative, 0.0),
        Arg("threshold", non_negative, 0.0),
    )


class LeakyReLU(Identity):
    NAMES = ("LeakyReLU",)
    ARGS = (
        Arg("negative_slope", non_negative, 0.3),
        Arg("alpha", optional_non_negative, None, doc="deprecated Keras 2 name of negative_slope"),
    )


class Dropout(Identity):
    NAMES = ("Dropout",)
    ARGS = (
        Arg("rate", fraction, required=True, doc="fraction of inputs to drop, 0 to 1"),
        Arg("noise_shape", anything, None, doc="ignored"),
        Arg("seed", anything, None, doc="ignored"),
    )


class Flatten(Layer):
    NAMES = ("Flatten",)
    ARGS = (Arg("data_format", data_format, None),)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        rest = shape[1:]
        if not rest:
            return (shape[0], 1)
        if any(d is None for d in rest):
            return (shape[0], None)
        return (shape[0], math.prod(d for d in rest if d is not None))


def target_shape(value: object, name: str, rank: int) -> tuple[int, ...]:
    """Keras's `validate_reshape_shape`: sizes >= 0, or a single -1 for "whatever is left"."""
    dims = int_list(value, name, rank)
    if any(d < -1 for d in dims) or dims.count(-1) > 1:
        raise Refusal(
            "DC103",
            f"`{name}` takes non-negative sizes and at most one -1; received {list(dims)}",
            arg=name,
        )
    return dims


class Reshape(Layer):
    NAMES = ("Reshape",)
    ARGS = (Arg("target_shape", target_shape, required=True, doc="sizes without batch axis"),)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        target = self.cfg["target_shape"]
        rest = shape[1:]
        if any(d is None for d in rest):
            return (shape[0], *(None if d == -1 else d for d in target))
        size = math.prod(d for d in rest if d is not None)
        known = math.prod(d for d in target if d != -1)
        if -1 not in target and size == known:
            return (shape[0], *target)
        if -1 in target and known and size % known == 0:
            return (shape[0], *(size // known if d == -1 else d for d in target))
        raise Refusal(
            "DC205",
            f"cannot turn {format_shape(shape)} ({size} values per sample) into "
            f"{tuple(target)} ({known} values)",
            hint="make the product of target_shape equal the input's, or use -1 for one axis",
            arg="target_shape",
        )
