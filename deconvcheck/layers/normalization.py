"""BatchNormalization (Keras 3 `layers/normalization`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
    image,
    number,
)


def no_renorm(value: object, name: str, rank: int) -> bool:
    """renorm=True adds moving statistics deconvcheck does not count: refused, not guessed."""
    if boolean(value, name, rank):
        raise Refusal(
            "DC103",
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


class BatchNormalization(Layer[BatchNormalizationConfig]):
    """gamma and beta (trainable) plus moving mean and variance (non-trainable), one per channel:
    4·C shown, 2·C non-trainable (seed 002: 256 for 64 channels, 128 of them non-trainable)."""

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
                "DC207",
                f"axis {axis} is out of range for input shape {format_shape(shape)}",
                arg="axis",
            )
        channels: int | None = shape[axis]
        if channels is None:
            raise Refusal(
                "DC204",
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
