"""BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization (Keras 3
`layers/normalization`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    IGNORED_DOC,
    Config,
    Example,
    Layer,
    Params,
    Refusal,
    Shape,
    any_int,
    arg,
    boolean,
    format_shape,
    ignored,
    ignored_group,
    image,
    is_int,
    number,
    product,
    shown,
)


def no_renorm(value: object, name: str, rank: int) -> bool:
    """renorm=True adds moving statistics deconvcheck does not count: refused, not guessed."""
    if boolean(value, name, rank):
        raise Refusal(
            Code.VALUE_REFUSED,
            "renorm=True is not supported by deconvcheck (its extra weights are not counted)",
            arg=name,
        )
    return False


class BatchNormalizationConfig(Config):
    axis: int = arg(any_int, -1)
    momentum: float = arg(number, 0.99)
    epsilon: float = arg(number, 1e-3)
    center: bool = arg(boolean, True, doc="false drops beta")
    scale: bool = arg(boolean, True, doc="false drops gamma")
    renorm: bool = arg(no_renorm, False, doc="batch renormalisation: not supported yet")
    renorm_clipping = ignored(doc="ignored")
    renorm_momentum = ignored(0.99, doc="ignored")
    synchronized: bool = arg(boolean, False, doc=IGNORED_DOC)
    beta_initializer = ignored()
    gamma_initializer = ignored()
    moving_mean_initializer = ignored()
    moving_variance_initializer = ignored()
    beta_regularizer = ignored()
    gamma_regularizer = ignored()
    beta_constraint = ignored()
    gamma_constraint = ignored()


class BatchNormalization(Layer):
    """gamma and beta (trainable) plus moving mean and variance (non-trainable), one per channel:
    4·C shown, 2·C non-trainable (256 for 64 channels, 128 of them non-trainable)."""

    CHECKS_BUILT_INPUT = True
    BUILT_RANK = True

    config: BatchNormalizationConfig

    NAMES = ("BatchNormalization",)
    CONFIG = BatchNormalizationConfig
    MACS_FREE = True

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))

    def _channels(self, shape: Shape) -> int:
        axis = self.config.axis
        if not -len(shape) <= axis < len(shape):
            raise Refusal(
                Code.AXIS_OUT_OF_RANGE,
                f"axis {axis} is out of range for input shape {format_shape(shape)}",
                arg="axis",
            )
        channels: int | None = shape[axis]
        if channels is None:
            raise Refusal(
                Code.CHANNELS_REFUSED,
                f"needs a known size on axis {axis}; received shape {format_shape(shape)}",
            )
        return channels

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self._channels(shape)
        return shape

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        channels = self._channels(shape)
        affine = int(self.config.center) + int(self.config.scale)
        return Params(trainable=affine * channels, non_trainable=2 * channels)

    @classmethod
    def from_keras(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        args = super().from_keras(config)
        axis = args.get("axis")
        if isinstance(axis, list) and len(axis) == 1:
            args["axis"] = axis[0]  # Keras 2 writes [3] where Keras 3 takes 3
        return args


def axes(value: object, name: str, rank: int) -> tuple[int, ...]:
    """An axis or a list of axes (counting the batch axis, as Keras does)."""
    if is_int(value):
        return (int(value),)  # type: ignore[call-overload]
    if isinstance(value, list | tuple) and all(is_int(v) for v in value):
        return tuple(int(v) for v in value)
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be an int or a list of ints; received {shown(value)}",
        arg=name,
    )


def resolved_axes(shape: Shape, wanted: Sequence[int]) -> tuple[int, ...]:
    """The axes as indices into `shape`; Keras fails on one out of range (an IndexError)."""
    rank = len(shape)
    for axis in wanted:
        if not -rank <= axis < rank:
            raise Refusal(
                Code.AXIS_OUT_OF_RANGE,
                f"axis {axis} is out of range for input shape {format_shape(shape)}",
                arg="axis",
            )
    return tuple(sorted(a % rank for a in wanted))


def known_sizes(shape: Shape, at: Sequence[int], what: str) -> list[int]:
    sizes = [shape[a] for a in at]
    if any(s is None for s in sizes):
        raise Refusal(
            Code.CHANNELS_REFUSED,
            f"needs known sizes on axes {list(at)} for its {what}; received shape "
            f"{format_shape(shape)}",
            hint="give those sizes in the Input shape",
        )
    return [s for s in sizes if s is not None]


# The initializers, regularizers and constraints of gamma and beta (Layer and Group
# normalization), which change no shape or count.
AFFINE_WEIGHTS = ignored_group(
    "beta_initializer",
    "gamma_initializer",
    "beta_regularizer",
    "gamma_regularizer",
    "beta_constraint",
    "gamma_constraint",
)


class LayerNormalizationConfig(Config):
    axis: tuple[int, ...] = arg(axes, -1, doc="an axis or a list of axes (the batch axis is 0)")
    epsilon: float = arg(number, 1e-3)
    center: bool = arg(boolean, True, doc="false drops beta")
    scale: bool = arg(boolean, True, doc="false drops gamma")
    rms_scaling = ignored(False, doc="deprecated Keras argument; ignored")
    weights = AFFINE_WEIGHTS


class LayerNormalization(Layer):
    """gamma and beta over the normalised axes: (scale + center) x their sizes' product."""

    config: LayerNormalizationConfig

    NAMES = ("LayerNormalization",)
    CONFIG = LayerNormalizationConfig
    MACS_FREE = True

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        at = resolved_axes(shape, self.config.axis)
        affine = int(self.config.center) + int(self.config.scale)
        if not affine:
            return Params()
        return Params(affine * product(known_sizes(shape, at, "gamma and beta")))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.weight_count(inputs)
        return inputs[0]


def group_count(value: object, name: str, rank: int) -> int:
    """A positive number of groups, or -1 for one group per channel (instance normalisation)."""
    if isinstance(value, int) and is_int(value) and (value == -1 or value > 0):
        return value
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be a positive integer or -1; received {shown(value)}",
        arg=name,
    )


class GroupNormalizationConfig(Config):
    groups: int = arg(group_count, 32, doc="channels are split in this many groups; -1: one each")
    axis: int = arg(any_int, -1)
    epsilon: float = arg(number, 1e-3)
    center: bool = arg(boolean, True, doc="false drops beta")
    scale: bool = arg(boolean, True, doc="false drops gamma")
    weights = AFFINE_WEIGHTS


class GroupNormalization(Layer):
    """gamma and beta per channel; the groups must divide the channels."""

    CHECKS_BUILT_INPUT = True
    BUILT_RANK = True

    config: GroupNormalizationConfig

    NAMES = ("GroupNormalization",)
    CONFIG = GroupNormalizationConfig
    MACS_FREE = True

    @classmethod
    def example(cls) -> Example:
        return Example({"groups": 3}, (image(2),))

    def _channels(self, shape: Shape) -> int:
        (axis,) = resolved_axes(shape, (self.config.axis,))
        (channels,) = known_sizes(shape, (axis,), "groups")
        groups = channels if self.config.groups == -1 else self.config.groups
        if channels < groups or channels % groups:
            raise Refusal(
                Code.CHANNELS_REFUSED,
                f"{groups} groups cannot split {channels} channels (shape {format_shape(shape)})",
                hint="use a number of groups that divides the channels",
                arg="groups",
            )
        return channels

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        affine = int(self.config.center) + int(self.config.scale)
        return Params(affine * self._channels(shape))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self._channels(inputs[0])
        return inputs[0]


class UnitNormalizationConfig(Config):
    axis: tuple[int, ...] = arg(axes, -1, doc="an axis or a list of axes (the batch axis is 0)")


class UnitNormalization(Layer):
    config: UnitNormalizationConfig

    NAMES = ("UnitNormalization",)
    CONFIG = UnitNormalizationConfig

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        resolved_axes(inputs[0], self.config.axis)
        return inputs[0]
