"""Conv1DTranspose, Conv2DTranspose (alias Deconvolution2D), Conv3DTranspose.

Keras 3 `BaseConvTranspose`.
"""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck import arith
from deconvcheck.layers.base import (
    KERNEL_ARGS,
    Arg,
    Layer,
    Params,
    Refusal,
    Shape,
    boolean,
    data_format,
    int_tuple,
    known_channels,
    optional_int_tuple,
    optional_int_tuple_or_zero,
    positive_int,
    product,
    require_rank,
    spatial_axes,
    with_spatial,
)
from deconvcheck.layers.convolution import (
    check_output_positive,
    conv_padding,
    refuse_strided_dilation,
)


class ConvTranspose(Layer):
    """N-D transposed convolution; see `arith.conv_transpose_output_length` for Keras 3's rule."""

    ARGS = (
        Arg("filters", positive_int, required=True, doc="number of output channels"),
        Arg("kernel_size", int_tuple, required=True, doc="an int or one int per spatial axis"),
        Arg("strides", int_tuple, 1),
        Arg("padding", conv_padding(causal=False), "valid"),
        Arg("output_padding", optional_int_tuple_or_zero, None),
        Arg("data_format", data_format, None),
        Arg("dilation_rate", int_tuple, 1),
        Arg("use_bias", boolean, True),
        *KERNEL_ARGS,
        # Not a Keras argument: the size you expect, as tf.nn.conv2d_transpose's output_shape
        # states it. `check` says whether it is reachable (rule DC304); `export` drops it.
        Arg(
            "output_shape",
            optional_int_tuple,
            None,
            doc="deconvcheck only: the spatial size you expect (tf.nn.conv2d_transpose's "
            "output_shape); checked by `check`",
        ),
    )

    def validate(self) -> None:
        strides, output_padding = self.cfg["strides"], self.cfg["output_padding"]
        if output_padding is not None:
            for axis, (pad, stride) in enumerate(zip(output_padding, strides, strict=True)):
                if pad >= stride:
                    raise Refusal(
                        "DC110",
                        f"`output_padding` must be strictly less than `strides` on every axis; "
                        f"at axis {axis} output_padding is {pad} but strides is {stride} "
                        f"(received output_padding={output_padding}, strides={strides})",
                        hint=f"use output_padding < {stride}, or a larger stride",
                        arg="output_padding",
                    )
        refuse_strided_dilation(self, strides, self.cfg["dilation_rate"])

    def _channels(self, shape: Shape) -> int:
        require_rank(self, shape, self.RANK + 2)
        return known_channels(self, shape, self.cfg["data_format"])

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self._channels(shape)
        fmt = self.cfg["data_format"]
        output_padding = self.cfg["output_padding"] or (None,) * self.RANK
        spatial = [
            arith.conv_transpose_output_length(shape[axis], k, s, self.cfg["padding"], p, d)
            for axis, k, s, p, d in zip(
                spatial_axes(shape, fmt),
                self.cfg["kernel_size"],
                self.cfg["strides"],
                output_padding,
                self.cfg["dilation_rate"],
                strict=True,
            )
        ]
        output = with_spatial(shape, fmt, spatial, self.cfg["filters"])
        # Keras returns a zero size without raising ('same' + output_padding 0 on an even kernel
        # from length 1: (1 - 1)·s + 0 + 0); a model with it cannot run, so it is refused.
        check_output_positive(self, shape, output, fmt)
        return output

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        channels = self._channels(shape)
        filters = self.cfg["filters"]
        kernel = product(self.cfg["kernel_size"]) * channels * filters
        return Params(kernel + (filters if self.cfg["use_bias"] else 0))


class Conv1DTranspose(ConvTranspose):
    NAMES = ("Conv1DTranspose", "Convolution1DTranspose", "Deconvolution1D", "Deconv1D")
    RANK = 1


class Conv2DTranspose(ConvTranspose):
    NAMES = ("Conv2DTranspose", "Convolution2DTranspose", "Deconvolution2D", "Deconv2D")
    RANK = 2


class Conv3DTranspose(ConvTranspose):
    NAMES = ("Conv3DTranspose", "Convolution3DTranspose", "Deconvolution3D", "Deconv3D")
    RANK = 3
