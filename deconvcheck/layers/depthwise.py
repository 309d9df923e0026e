"""DepthwiseConv1D/2D and SeparableConv1D/2D (Keras 3 `BaseDepthwiseConv`,
`BaseSeparableConv`): MobileNet's, Xception's and EfficientNet's convolutions.

A depthwise convolution slides one kernel over each input channel on its own (times
`depth_multiplier`); a separable one follows it with a 1x1 convolution to `filters` channels.
Keras 3 has no DepthwiseConv3D, and, unlike Conv, refuses neither strides > 1 with
dilation > 1 nor is 'causal' padding allowed."""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck.layers.base import (
    Config,
    Example,
    Layer,
    Params,
    Role,
    Shape,
    Window,
    activation,
    arg,
    boolean,
    data_format,
    ignored_group,
    image,
    int_tuple,
    known_channels,
    positive_int,
    product,
    require_rank,
)
from deconvcheck.layers.convolution import (
    KERNEL_DOC,
    conv_output_shape,
    conv_padding,
    conv_windows,
    explain_conv,
    spatial_positions,
)


class DepthwiseConfig(Config):
    kernel_size: tuple[int, ...] = arg(int_tuple, required=True, doc=KERNEL_DOC)
    strides: tuple[int, ...] = arg(int_tuple, 1)
    padding: str = arg(conv_padding(causal=False), "valid")
    depth_multiplier: int = arg(positive_int, 1, doc="output channels per input channel")
    data_format: str = arg(data_format, None)
    dilation_rate: tuple[int, ...] = arg(int_tuple, 1)
    activation: object = arg(activation, None, doc="a Keras activation name")
    use_bias: bool = arg(boolean, True)
    weights = ignored_group(
        "depthwise_initializer",
        "bias_initializer",
        "depthwise_regularizer",
        "bias_regularizer",
        "depthwise_constraint",
        "bias_constraint",
    )


class DepthwiseConv(Layer):
    """Output size by the convolution rule; channels x depth_multiplier out."""

    CHECKS_BUILT_INPUT = True

    config: DepthwiseConfig

    CONFIG = DepthwiseConfig
    ROLE = Role.DOWNSAMPLING

    @classmethod
    def example(cls) -> Example:
        return Example({"kernel_size": 3, "strides": 2, "depth_multiplier": 2}, (image(cls.RANK),))

    def _channels(self, shape: Shape) -> int:
        require_rank(shape, self.RANK + 2)
        return known_channels(shape, self.config.data_format)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        channels = self._channels(shape)
        return conv_output_shape(self.config, shape, channels * self.config.depth_multiplier)

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        outputs = self._channels(shape) * self.config.depth_multiplier
        kernel = product(self.config.kernel_size) * outputs
        return Params(kernel + (outputs if self.config.use_bias else 0))

    def windows(self) -> tuple[Window, ...]:
        return conv_windows(self.config)

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Output positions x kernel volume x input channels x depth_multiplier."""
        outputs = self._channels(inputs[0]) * self.config.depth_multiplier
        positions = spatial_positions(output, self.config.data_format)
        return positions * product(self.config.kernel_size) * outputs

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        lines = explain_conv(self.windows(), inputs[0], output, self.config.data_format)
        dm = self.config.depth_multiplier
        return [*lines, f"each input channel is convolved on its own, {dm} output(s) per channel"]


class DepthwiseConv1D(DepthwiseConv):
    NAMES = ("DepthwiseConv1D",)
    RANK = 1


class DepthwiseConv2D(DepthwiseConv):
    NAMES = ("DepthwiseConv2D",)
    RANK = 2


class SeparableConfig(Config):
    filters: int = arg(positive_int, required=True, doc="number of output channels")
    kernel_size: tuple[int, ...] = arg(int_tuple, required=True, doc=KERNEL_DOC)
    strides: tuple[int, ...] = arg(int_tuple, 1)
    padding: str = arg(conv_padding(causal=False), "valid")
    data_format: str = arg(data_format, None)
    dilation_rate: tuple[int, ...] = arg(int_tuple, 1)
    depth_multiplier: int = arg(positive_int, 1, doc="depthwise outputs per input channel")
    activation: object = arg(activation, None, doc="a Keras activation name")
    use_bias: bool = arg(boolean, True)
    weights = ignored_group(
        "depthwise_initializer",
        "pointwise_initializer",
        "bias_initializer",
        "depthwise_regularizer",
        "pointwise_regularizer",
        "bias_regularizer",
        "depthwise_constraint",
        "pointwise_constraint",
        "bias_constraint",
    )


class SeparableConv(Layer):
    """A depthwise convolution, then a 1x1 convolution to `filters` channels."""

    CHECKS_BUILT_INPUT = True

    config: SeparableConfig

    CONFIG = SeparableConfig
    ROLE = Role.DOWNSAMPLING

    @classmethod
    def example(cls) -> Example:
        return Example({"filters": 4, "kernel_size": 3, "strides": 2}, (image(cls.RANK),))

    def _channels(self, shape: Shape) -> int:
        require_rank(shape, self.RANK + 2)
        return known_channels(shape, self.config.data_format)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self._channels(shape)
        return conv_output_shape(self.config, shape, self.config.filters)

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        middle = self._channels(shape) * self.config.depth_multiplier
        filters = self.config.filters
        depthwise = product(self.config.kernel_size) * middle
        return Params(depthwise + middle * filters + (filters if self.config.use_bias else 0))

    def windows(self) -> tuple[Window, ...]:
        return conv_windows(self.config)

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Output positions x (depthwise kernel x C x dm + pointwise C x dm x filters)."""
        middle = self._channels(inputs[0]) * self.config.depth_multiplier
        positions = spatial_positions(output, self.config.data_format)
        per_position = product(self.config.kernel_size) * middle + middle * self.config.filters
        return positions * per_position

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        lines = explain_conv(self.windows(), inputs[0], output, self.config.data_format)
        return [*lines, f"per channel, then 1x1 to {self.config.filters} channels"]


class SeparableConv1D(SeparableConv):
    NAMES = ("SeparableConv1D", "SeparableConvolution1D")
    RANK = 1


class SeparableConv2D(SeparableConv):
    NAMES = ("SeparableConv2D", "SeparableConvolution2D")
    RANK = 2
