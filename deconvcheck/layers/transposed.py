"""Conv1DTranspose, Conv2DTranspose (alias Deconvolution2D), Conv3DTranspose.

Keras 3 `BaseConvTranspose`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from deconvcheck import arith
from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    KERNEL_ARGS,
    Config,
    Example,
    Layer,
    Params,
    Refusal,
    Role,
    Shape,
    Window,
    arg,
    boolean,
    data_format,
    image,
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
    KERNEL_DOC,
    check_output_positive,
    conv_padding,
    input_channels,
    refuse_strided_dilation,
    spatial_positions,
)


class ConvTransposeConfig(Config):
    filters: int = arg(positive_int, required=True, doc="number of output channels")
    kernel_size: tuple[int, ...] = arg(int_tuple, required=True, doc=KERNEL_DOC)
    strides: tuple[int, ...] = arg(int_tuple, 1)
    padding: str = arg(conv_padding(causal=False), "valid")
    output_padding: tuple[int, ...] | None = arg(optional_int_tuple_or_zero, None)
    data_format: str = arg(data_format, None)
    dilation_rate: tuple[int, ...] = arg(int_tuple, 1)
    use_bias: bool = arg(boolean, True)
    kernel = KERNEL_ARGS
    # Not a Keras argument: the size you expect, as tf.nn.conv2d_transpose's output_shape
    # states it. `check` says whether it is reachable (rule DC304); `export` drops it.
    output_shape: tuple[int, ...] | None = arg(
        optional_int_tuple,
        None,
        doc="deconvcheck only: the spatial size you expect (tf.nn.conv2d_transpose's "
        "output_shape); checked by `check`",
    )


class ConvTranspose(Layer):
    """N-D transposed convolution; see `arith.conv_transpose_output_length` for Keras 3's rule."""

    CHECKS_BUILT_INPUT = True

    config: ConvTransposeConfig

    CONFIG = ConvTransposeConfig
    ROLE = Role.UPSAMPLING

    def validate(self) -> None:
        strides, output_padding = self.config.strides, self.config.output_padding
        if output_padding is not None:
            for axis, (pad, stride) in enumerate(zip(output_padding, strides, strict=True)):
                if pad >= stride:
                    raise Refusal(
                        Code.OUTPUT_PADDING_TOO_LARGE,
                        f"`output_padding` must be strictly less than `strides` on every axis; "
                        f"at axis {axis} output_padding is {pad} but strides is {stride} "
                        f"(received output_padding={output_padding}, strides={strides})",
                        hint=f"use output_padding < {stride}, or a larger stride",
                        arg="output_padding",
                    )
        refuse_strided_dilation(strides, self.config.dilation_rate)

    def _channels(self, shape: Shape) -> int:
        require_rank(shape, self.RANK + 2)
        return known_channels(shape, self.config.data_format)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self._channels(shape)
        fmt = self.config.data_format
        spatial = [
            arith.conv_transpose_output_length(
                shape[axis], w.kernel, w.stride, w.padding, w.output_padding, w.dilation
            )
            for axis, w in zip(spatial_axes(shape, fmt), self.windows(), strict=True)
        ]
        output = with_spatial(shape, fmt, spatial, self.config.filters)
        # Keras returns a zero size without raising ('same' + output_padding 0 on an even kernel
        # from length 1: (1 - 1)·s + 0 + 0), and the model builds and runs (an empty tensor).
        check_output_positive(shape, output, fmt, allow_zero=True)
        return output

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        (shape,) = inputs
        channels = self._channels(shape)
        filters = self.config.filters
        kernel = product(self.config.kernel_size) * channels * filters
        return Params(kernel + (filters if self.config.use_bias else 0))

    @classmethod
    def example(cls) -> Example:
        return Example({"filters": 4, "kernel_size": 3, "strides": 2}, (image(cls.RANK),))

    def windows(self) -> tuple[Window, ...]:
        config = self.config
        output_padding = config.output_padding or (None,) * len(config.strides)
        return tuple(
            Window(k, s, d, config.padding, p)
            for k, s, d, p in zip(
                config.kernel_size,
                config.strides,
                config.dilation_rate,
                output_padding,
                strict=True,
            )
        )

    def retuned(self, windows: Sequence[Window]) -> dict[str, object] | None:
        if len({w.padding for w in windows}) != 1:
            return None  # Keras takes one padding for every axis
        ops = [w.output_padding for w in windows]
        return {
            "kernel_size": [w.kernel for w in windows],
            "padding": windows[0].padding,
            "output_padding": None if all(o is None for o in ops) else [o or 0 for o in ops],
        }

    def stated_output(self) -> tuple[int, ...] | None:
        return self.config.output_shape

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Counted by *input* positions: each input value meets the whole kernel once."""
        fmt = self.config.data_format
        kernel = product(self.config.kernel_size)
        channels = input_channels(inputs[0], fmt)
        return spatial_positions(inputs[0], fmt) * kernel * channels * self.config.filters

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        fmt = self.config.data_format
        lines: list[str] = []
        words: list[str] = []
        for w, axis in zip(self.windows(), spatial_axes(inputs[0], fmt), strict=True):
            n, m = inputs[0][axis], output[axis]
            if w.dilation > 1:
                lines.append(f"effective kernel ({w.kernel} − 1)·{w.dilation} + 1 = {w.effective}")
            if n is None or m is None:
                lines.append("unknown size stays unknown")
                continue
            lines.append(_formula(w, n, m))
            words += _words(w, n, m)
        if not words:
            stride = max(self.config.strides)
            words = [f"each input pixel paints a kernel-sized patch, {stride} pixel(s) apart"]
        return [*dict.fromkeys(lines), *dict.fromkeys(words)]

    def keras_code(self, name: str | None, args: Mapping[str, Any]) -> str | None:
        kept = {k: v for k, v in args.items() if k != "output_shape"}  # not a Keras argument
        return super().keras_code(name, kept)


class Conv1DTranspose(ConvTranspose):
    NAMES = ("Conv1DTranspose", "Convolution1DTranspose", "Deconvolution1D", "Deconv1D")
    RANK = 1


class Conv2DTranspose(ConvTranspose):
    NAMES = ("Conv2DTranspose", "Convolution2DTranspose", "Deconvolution2D", "Deconv2D")
    RANK = 2


class Conv3DTranspose(ConvTranspose):
    NAMES = ("Conv3DTranspose", "Convolution3DTranspose", "Deconvolution3D", "Deconv3D")
    RANK = 3


def _formula(w: Window, n: int, m: int) -> str:
    """Keras 3's length rule for one axis (`arith.conv_transpose_output_length`), numbers in.

    'same' with output_padding is Keras's `(n − 1)·s + k % 2 + output_padding`, written as the
    transposed convolution's `(n − 1)·s + k − 2·pad + output_padding` with 'same' padding
    `pad = k // 2` (k the dilated kernel): 46 -> `(46 − 1)·8 + 7 − 2·3 + 7 = 368`."""
    s, op, k_eff = w.stride, w.output_padding, w.effective
    if w.padding == "valid" and op is None:
        return f"output ({n} − 1)·{s} + max({k_eff}, {s}) = {m}"
    if w.padding == "valid":
        return f"output ({n} − 1)·{s} + {k_eff} + {op} = {m}"
    if op is None:
        return f"output {n}·{s} = {m} (padding 'same')"
    pad = k_eff // 2
    return (
        f"output ({n} − 1)·{s} + {k_eff} − 2·{pad} + {op} = {m} "
        f"(padding 'same' with output_padding: pad = {k_eff} // 2 = {pad})"
    )


def _words(w: Window, n: int, m: int) -> list[str]:
    """What the formula means, where the size is not simply n times the stride."""
    k, s, d, op, k_eff = w.kernel, w.stride, w.dilation, w.output_padding, w.effective
    if s == 1 and d > 1:
        return [
            f"dilation widened the {k}-wide kernel to {k_eff}, so each side grows by "
            f"{k_eff - 1}; to double the size use strides=2"
        ]
    if s == 1 or (m == n * s and op is None):
        return []
    if op is None:  # 'valid', a kernel wider than the stride
        return [f"stride {s} multiplies by {s}; the kernel's overhang adds {m - n * s} ('valid')"]
    spaced = f"stride {s} spaces the {n} input pixels ({n} − 1)·{s} = {(n - 1) * s} apart"
    if w.padding == "valid":
        return [f"{spaced}; 'valid' adds the whole {k_eff}-wide kernel and output_padding {op}"]
    pad = k_eff // 2
    return [
        f"{spaced}; the {k_eff}-wide kernel adds {k_eff} − 2·{pad} = {k_eff - 2 * pad} once "
        f"'same' crops {pad} from each end, and output_padding adds {op}"
    ]
