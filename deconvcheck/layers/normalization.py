"""BatchNormalization (Keras 3 `layers/normalization`)."""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck.layers.base import (
    Arg,
    Layer,
    Params,
    Refusal,
    Shape,
    any_int,
    anything,
    boolean,
    format_shape,
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


class BatchNormalization(Layer):
    """gamma and beta (trainable) plus moving mean and variance (non-trainable), one per channel:
    4·C shown, 2·C non-trainable (seed 002: 256 for 64 channels, 128 of them non-trainable)."""

    NAMES = ("BatchNormalization",)
    ARGS = (
        Arg("axis", any_int, -1),
        Arg("momentum", number, 0.99),
        Arg("epsilon", number, 1e-3),
        Arg("center", boolean, True, doc="false drops beta"),
        Arg("scale", boolean, True, doc="false drops gamma"),
        Arg("renorm", no_renorm, False, doc="batch renormalisation: not supported yet"),
        Arg("renorm_clipping", anything, None, doc="ignored"),
        Arg("renorm_momentum", anything, 0.99, doc="ignored"),
        Arg("synchronized", boolean, False, doc="ignored: does not change shapes or counts"),
        *(
            Arg(name, anything, None, doc="ignored: does not change shapes or counts")
            for name in (
                "beta_initializer",
                "gamma_initializer",
                "moving_mean_initializer",
                "moving_variance_initializer",
                "beta_regularizer",
                "gamma_regularizer",
                "beta_constraint",
                "gamma_constraint",
            )
        ),
    )

    def _channels(self, shape: Shape) -> int:
        axis = self.cfg["axis"]
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
        affine = int(self.cfg["center"]) + int(self.cfg["scale"])
        return Params(trainable=affine * channels, non_trainable=2 * channels)
