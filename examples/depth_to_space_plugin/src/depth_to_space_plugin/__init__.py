"""DepthToSpace as keras.io's ESPCN super-resolution example defines it (a user's own layer,
`keras_io>DepthToSpace` in its model file), taught to deconvcheck by a plugin.

Keras's layer moves `block_size`² channels into a block_size x block_size patch of pixels:
(batch, h, w, c) -> (batch, h·b, w·b, c / b²), and the same on (batch, c, h, w) for
channels_first. It owns no weights."""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck.layers.base import (
    Config,
    Example,
    Layer,
    Refusal,
    Role,
    Shape,
    Window,
    arg,
    channel_axis,
    data_format,
    format_shape,
    positive_int,
    require_rank,
    spatial_axes,
    with_spatial,
)


class DepthToSpaceConfig(Config):
    block_size: int = arg(positive_int, required=True, doc="the upscale factor")
    data_format: str = arg(data_format, None)


class DepthToSpace(Layer):
    """Sub-pixel upsampling: each pixel's channels become a block of pixels."""

    config: DepthToSpaceConfig

    NAMES = ("DepthToSpace",)
    CONFIG = DepthToSpaceConfig
    ROLE = Role.UPSAMPLING
    RANK = 2

    @classmethod
    def example(cls) -> Example:
        return Example({"block_size": 3}, ((None, 8, 8, 9),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(shape, 4)
        fmt, b = self.config.data_format, self.config.block_size
        channels = shape[channel_axis(shape, fmt)]
        if channels is None or channels % (b * b):
            raise Refusal(
                "DC204",
                f"needs a channel count divisible by block_size² = {b * b}; received shape "
                f"{format_shape(shape)}",
                hint=f"give the layer before it a multiple of {b * b} filters",
            )
        spatial = [None if shape[a] is None else shape[a] * b for a in spatial_axes(shape, fmt)]  # type: ignore[operator]
        return with_spatial(shape, fmt, spatial, channels // (b * b))

    def windows(self) -> tuple[Window, ...]:
        # Geometrically an upsampling by b: each input pixel fills a b x b block.
        b = self.config.block_size
        return (Window(b, b), Window(b, b))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        b = self.config.block_size
        return [f"{b}² = {b * b} channels become a {b}x{b} block of pixels: {format_shape(output)}"]
