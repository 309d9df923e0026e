"""Layers that `keras.applications` defines itself rather than in `keras.layers`: ConvNeXt's
LayerScale. A model file names them by their class name, as it does Keras's own layers."""

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
    image,
    number,
    positive_int,
)


class LayerScaleConfig(Config):
    init_values: float = arg(number, required=True, doc="initial value of the scale")
    projection_dim: int = arg(positive_int, required=True, doc="the channels it scales")


class LayerScale(Layer):
    """ConvNeXt's learned per-channel scale, `x * gamma` with gamma of `projection_dim`
    values: the last axis must broadcast with it (keras/src/applications/convnext.py)."""

    config: LayerScaleConfig

    NAMES = ("LayerScale",)
    CONFIG = LayerScaleConfig
    MACS_FREE = True  # a scale: no multiply-accumulate by the README's convention

    @classmethod
    def example(cls) -> Example:
        return Example({"init_values": 1e-6, "projection_dim": 3}, (image(2),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        dim = self.config.projection_dim
        last = shape[-1]
        # Keras traces `x * gamma`, which broadcasts: one must be 1 or both equal. (Keras on
        # torch traces unknown sizes with a stand-in that does not broadcast: refused too.)
        if last is None or (last != dim and 1 not in (last, dim)):
            raise Refusal(
                Code.CHANNELS_REFUSED,
                f"scales {dim} channels, but the input has {last} (shape {format_shape(shape)})",
                arg="projection_dim",
            )
        return (*shape[:-1], dim if last == 1 else last)

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        return Params(self.config.projection_dim)
