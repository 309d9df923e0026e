"""Conv1D, Conv2D, Conv3D (Keras 3 `BaseConv`)."""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck import arith
from deconvcheck.layers.base import (
    KERNEL_ARGS,
    Arg,
    Layer,
    Params,
    Parser,
    Refusal,
    Shape,
    boolean,
    choice,
    data_format,
    format_shape,
    int_tuple,
    known_channels,
    positive_int,
    product,
    require_rank,
    spatial_axes,
    with_spatial,
)


def refuse_strided_dilation(
    layer: Layer, strides: tuple[int, ...], dilation: tuple[int, ...]
) -> None:
    """Keras refuses `strides > 1` together with `dilation_rate > 1` (in any axes)."""
    if max(strides) > 1 and max(dilation) > 1:
        raise Refusal(
            "DC111",
            f"`strides > 1` is not supported together with "
            f"`dilation_rate > 1`; received strides={strides}, dilation_rate={dilation}",
            hint="use strides=1 with the dilation, or dilation_rate=1 with the strides",
            arg="dilation_rate",
        )


def check_output_positive(layer: Layer, inputs: Shape, output: Shape, fmt: str) -> None:
    """Keras: 'Computed output size would be zero or negative'."""
    for axis in spatial_axes(output, fmt):
        size = output[axis]
        if size is not None and size <= 0:
            raise Refusal(
                "DC202",
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
                "DC112",
                f"padding='causal' is only supported by 1-D convolution (Conv1D); "
                f"this layer is {rank}-D",
                hint="use padding='same' (the same output size) or a Conv1D",
                arg=name,
            )
        return str(plain(value, name, rank))

    parse.allowed = allowed  # type: ignore[attr-defined]
    return parse


class Conv(Layer):
    """N-D convolution: output `floor((n - k_eff) / s) + 1` (valid) or `ceil(n / s)` (same)."""

    ARGS = (
        Arg("filters", positive_int, required=True, doc="number of output channels"),
        Arg("kernel_size", int_tuple, required=True, doc="an int or one int per spatial axis"),
        Arg("strides", int_tuple, 1),
        Arg("padding", conv_padding(causal=False), "valid"),
        Arg("data_format", data_format, None),
        Arg("dilation_rate", int_tuple, 1),
        Arg("groups", positive_int, 1),
        Arg("use_bias", boolean, True),
        *KERNEL_ARGS,
    )

    def validate(self) -> None:
        filters, groups = self.cfg["filters"], self.cfg["groups"]
        if filters % groups:
            raise Refusal(
                "DC103",
                f"the number of filters must be evenly divisible by the number of groups; "
                f"received filters={filters}, groups={groups}",
                arg="groups",
            )
        refuse_strided_dilation(self, self.cfg["strides"], self.cfg["dilation_rate"])

    def _channels(self, shape: Shape) -> int:
        fmt = self.cfg["data_format"]
        require_rank(self, shape, self.RANK + 2)
        channels = known_channels(self, shape, fmt)
        if channels % self.cfg["groups"]:
            raise Refusal(
                "DC204",
                f"the number of input channels must be evenly divisible by the number of "
                f"groups; received groups={self.cfg['groups']}, but the input has "
                f"{channels} channels (shape {format_shape(shape)})",
                arg="groups",
            )
        return channels

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self._channels(shape)
        fmt = self.cfg["data_format"]
        spatial = [
            arith.conv_output_length(shape[axis], k, s, self.cfg["padding"], d)
            for axis, k, s, d in zip(
                spatial_axes(shape, fmt),
                self.cfg["kernel_size"],
                self.cfg["strides"],
                self.cfg["dilation_rate"],
                strict=True,
            )
        ]
        output = with_spatial(shape, fmt, spatial, self.cfg["filters"])
        if self.cfg["padding"] == "valid":
            check_output_positive(self, shape, output, fmt)
        return output

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        channels = self._channels(shape)
        filters = self.cfg["filters"]
        kernel = product(self.cfg["kernel_size"]) * (channels // self.cfg["groups"]) * filters
        return Params(kernel + (filters if self.cfg["use_bias"] else 0))


class Conv1D(Conv):
    NAMES = ("Conv1D", "Convolution1D")
    RANK = 1
    # Only 1-D convolution takes padding='causal' (same output length as 'same').
    ARGS = tuple(
        Arg("padding", conv_padding(causal=True), "valid") if a.name == "padding" else a
        for a in Conv.ARGS
    )


class Conv2D(Conv):
    NAMES = ("Conv2D", "Convolution2D")
    RANK = 2


class Conv3D(Conv):
    NAMES = ("Conv3D", "Convolution3D")
    RANK = 3
