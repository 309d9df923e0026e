"""Conv1D, Conv2D, Conv3D (Keras 3 `BaseConv`), and what every convolution shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from deconvcheck import arith
from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    KERNEL_ARGS,
    Config,
    Example,
    Layer,
    Params,
    Parser,
    Refusal,
    Role,
    Shape,
    Window,
    arg,
    boolean,
    channel_axis,
    choice,
    data_format,
    format_shape,
    image,
    int_tuple,
    known_channels,
    positive_int,
    product,
    require_rank,
    spatial_axes,
    with_spatial,
)

KERNEL_DOC = "an int or one int per spatial axis"


def refuse_strided_dilation(strides: tuple[int, ...], dilation: tuple[int, ...]) -> None:
    """Keras refuses `strides > 1` together with `dilation_rate > 1` (in any axes)."""
    if max(strides) > 1 and max(dilation) > 1:
        raise Refusal(
            Code.STRIDES_WITH_DILATION,
            f"`strides > 1` is not supported together with "
            f"`dilation_rate > 1`; received strides={strides}, dilation_rate={dilation}",
            hint="use strides=1 with the dilation, or dilation_rate=1 with the strides",
            arg="dilation_rate",
        )


def check_output_positive(
    inputs: Shape, output: Shape, fmt: str, *, allow_zero: bool = False
) -> None:
    """Keras: 'Computed output size would be zero or negative'. Some layers return a zero-length
    axis without raising (a transposed convolution from length 1, ZeroPadding with a negative
    int), and a model with it builds and runs: those pass `allow_zero`."""
    for axis in spatial_axes(output, fmt):
        size = output[axis]
        if size is not None and (size < 0 or (size == 0 and not allow_zero)):
            raise Refusal(
                Code.SIZE_NOT_POSITIVE,
                f"computed output size would be zero or negative "
                f"({size} on spatial axis {axis}); received input shape {format_shape(inputs)}",
                hint="use padding='same', a smaller kernel, stride or dilation, or a larger input",
            )


def conv_padding(*, causal: bool) -> Parser:
    """Keras lower-cases the padding of convolutions; only 1-D convolution takes 'causal'."""
    allowed = ("valid", "same", "causal") if causal else ("valid", "same")
    plain = choice(*allowed)

    def parse(value: object, name: str, rank: int) -> str:
        if not causal and isinstance(value, str) and value.lower() == "causal":
            raise Refusal(
                Code.CAUSAL_PADDING,
                f"padding='causal' is only supported by 1-D convolution (Conv1D); "
                f"this layer is {rank}-D",
                hint="use padding='same' (the same output size) or a Conv1D",
                arg=name,
            )
        return str(plain(value, name, rank))

    parse.allowed = allowed  # type: ignore[attr-defined]
    return parse


class ConvConfig(Config):
    filters: int = arg(positive_int, required=True, doc="number of output channels")
    kernel_size: tuple[int, ...] = arg(int_tuple, required=True, doc=KERNEL_DOC)
    strides: tuple[int, ...] = arg(int_tuple, 1)
    padding: str = arg(conv_padding(causal=False), "valid")
    data_format: str = arg(data_format, None)
    dilation_rate: tuple[int, ...] = arg(int_tuple, 1)
    groups: int = arg(positive_int, 1)
    use_bias: bool = arg(boolean, True)
    kernel = KERNEL_ARGS


class Conv1DConfig(ConvConfig):
    # Only 1-D convolution takes padding='causal' (same output length as 'same').
    padding: str = arg(conv_padding(causal=True), "valid")


class Windowed(Protocol):
    """The arguments every convolution's window is made of."""

    kernel_size: tuple[int, ...]
    strides: tuple[int, ...]
    dilation_rate: tuple[int, ...]
    padding: str
    data_format: str


def conv_windows(config: Windowed) -> tuple[Window, ...]:
    return tuple(
        Window(k, s, d, config.padding)
        for k, s, d in zip(config.kernel_size, config.strides, config.dilation_rate, strict=True)
    )


def spatial_positions(shape: Shape, fmt: str) -> int:
    return product([shape[a] or 0 for a in spatial_axes(shape, fmt)])


def input_channels(shape: Shape, fmt: str) -> int:
    return shape[channel_axis(shape, fmt)] or 0


def explain_window(windows: Sequence[Window], inputs: Shape, output: Shape, fmt: str) -> list[str]:
    """The output size of a convolution's or a pooling's window, per axis, with the numbers."""
    lines: list[str] = []
    for w, axis in zip(windows, spatial_axes(inputs, fmt), strict=True):
        n, m = inputs[axis], output[axis]
        if w.dilation > 1:
            lines.append(f"effective kernel ({w.kernel} − 1)·{w.dilation} + 1 = {w.effective}")
        if n is None:
            lines.append("unknown size stays unknown")
        elif w.padding == "valid":
            lines.append(f"output ⌊({n} − {w.effective}) / {w.stride}⌋ + 1 = {m}")
        else:
            lines.append(f"output ⌈{n} / {w.stride}⌉ = {m} (padding '{w.padding}')")
    return list(dict.fromkeys(lines))


def ordinal(n: int) -> str:
    """2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def explain_conv(windows: Sequence[Window], inputs: Shape, output: Shape, fmt: str) -> list[str]:
    words = "a 'valid' window cannot hang over the edge, so the size shrinks by kernel − 1"
    padding = windows[0].padding
    if padding != "valid":
        words = f"padding '{padding}' keeps ⌈n / stride⌉ positions"
    stride = max(w.stride for w in windows)
    if stride > 1:
        words += f"; stride {stride} keeps every {ordinal(stride)} position"
    return [*explain_window(windows, inputs, output, fmt), words]


class Conv(Layer):
    """N-D convolution: output `floor((n - k_eff) / s) + 1` (valid) or `ceil(n / s)` (same)."""

    CHECKS_BUILT_INPUT = True

    config: ConvConfig

    CONFIG = ConvConfig
    ROLE = Role.DOWNSAMPLING

    def validate(self) -> None:
        filters, groups = self.config.filters, self.config.groups
        if filters % groups:
            raise Refusal(
                Code.VALUE_REFUSED,
                f"the number of filters must be evenly divisible by the number of groups; "
                f"received filters={filters}, groups={groups}",
                arg="groups",
            )
        refuse_strided_dilation(self.config.strides, self.config.dilation_rate)

    def _channels(self, shape: Shape) -> int:
        fmt = self.config.data_format
        require_rank(shape, self.RANK + 2)
        channels = known_channels(shape, fmt)
        if channels % self.config.groups:
            raise Refusal(
                Code.CHANNELS_REFUSED,
                f"the number of input channels must be evenly divisible by the number of "
                f"groups; received groups={self.config.groups}, but the input has "
                f"{channels} channels (shape {format_shape(shape)})",
                arg="groups",
            )
        return channels

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self._channels(shape)
        return conv_output_shape(self.config, shape, self.config.filters)

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        channels = self._channels(shape)
        filters = self.config.filters
        kernel = product(self.config.kernel_size) * (channels // self.config.groups) * filters
        return Params(kernel + (filters if self.config.use_bias else 0))

    @classmethod
    def example(cls) -> Example:
        return Example({"filters": 4, "kernel_size": 3, "strides": 2}, (image(cls.RANK),))

    def windows(self) -> tuple[Window, ...]:
        return conv_windows(self.config)

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Output positions x kernel volume x input channels / groups x filters."""
        fmt = self.config.data_format
        per_position = product(self.config.kernel_size) * input_channels(inputs[0], fmt)
        return (
            spatial_positions(output, fmt)
            * (per_position // self.config.groups)
            * self.config.filters
        )

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return explain_conv(self.windows(), inputs[0], output, self.config.data_format)


def conv_output_shape(config: Windowed, shape: Shape, channels: int) -> Shape:
    """The output of a convolution's window on every spatial axis, with `channels` channels."""
    fmt = config.data_format
    spatial = [
        arith.conv_output_length(shape[axis], w.kernel, w.stride, w.padding, w.dilation)
        for axis, w in zip(spatial_axes(shape, fmt), conv_windows(config), strict=True)
    ]
    output = with_spatial(shape, fmt, spatial, channels)
    if config.padding == "valid":
        check_output_positive(shape, output, fmt)
    return output


class Conv1D(Conv):
    NAMES = ("Conv1D", "Convolution1D")
    CONFIG = Conv1DConfig
    RANK = 1


class Conv2D(Conv):
    NAMES = ("Conv2D", "Convolution2D")
    RANK = 2


class Conv3D(Conv):
    NAMES = ("Conv3D", "Convolution3D")
    RANK = 3
