"""Max/Average pooling 1-3D and global pooling 1-3D (Keras 3 `BasePooling`, `BaseGlobalPooling`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from deconvcheck import arith
from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    AnyLayer,
    Config,
    Example,
    Layer,
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
    int_tuple_or_zero,
    per_axis,
    require_rank,
    shown,
    spatial_axes,
    with_spatial,
)
from deconvcheck.layers.convolution import check_output_positive, explain_window

if TYPE_CHECKING:
    from fractions import Fraction


@per_axis
def pooling_strides(value: object, name: str, rank: int) -> tuple[int, ...] | None:
    """`None` means "same as pool_size". Keras lets 0 through the constructor and then fails
    when the layer is called (a division by zero); it is refused here at once."""
    if value is None:
        return None
    strides = int_tuple_or_zero(value, name, rank)
    if 0 in strides:
        raise Refusal(
            Code.VALUE_REFUSED, f"`strides` cannot contain 0; received {shown(value)}", arg=name
        )
    return strides


class PoolingConfig(Config):
    pool_size: tuple[int, ...] = arg(int_tuple, 2)
    strides: tuple[int, ...] | None = arg(pooling_strides, None, doc="defaults to pool_size")
    # Keras does not lower-case a pooling layer's padding ('SAME' is refused).
    padding: str = arg(choice("valid", "same", lower=False), "valid")
    data_format: str = arg(data_format, None)


class AveragePoolingConfig(PoolingConfig):
    pool_size: tuple[int, ...] = arg(int_tuple, required=True)  # Keras 3: no default


class Pooling(Layer):
    """Output `floor((n - pool) / s) + 1` (valid) or `floor((n - 1) / s) + 1` (same)."""

    config: PoolingConfig

    CONFIG = PoolingConfig
    ROLE = Role.DOWNSAMPLING

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(shape, self.RANK + 2)
        fmt = self.config.data_format
        spatial = [
            arith.pool_output_length(shape[axis], w.kernel, w.stride, w.padding)
            for axis, w in zip(spatial_axes(shape, fmt), self.windows(), strict=True)
        ]
        channels = shape[channel_axis(shape, fmt)]
        output = with_spatial(shape, fmt, spatial, channels)
        if self.config.padding == "valid":
            check_output_positive(shape, output, fmt)
        return output

    @classmethod
    def example(cls) -> Example:
        return Example({"pool_size": 2}, (image(cls.RANK),))

    def windows(self) -> tuple[Window, ...]:
        pool = self.config.pool_size
        strides = self.config.strides or pool
        return tuple(
            Window(p, s, 1, self.config.padding) for p, s in zip(pool, strides, strict=True)
        )

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        fmt = self.config.data_format
        pairs = zip(self.windows(), spatial_axes(inputs[0], fmt), strict=True)
        dropped = any(
            w.padding == "valid" and n is not None and (n - w.kernel) % w.stride != 0
            for w, n in ((w, inputs[0][axis]) for w, axis in pairs)
        )
        words = (
            "windows that would hang over the edge are dropped"
            if dropped
            else "windows tile the input"
        )
        return [*explain_window(self.windows(), inputs[0], output, fmt), words]


def _aliases(keras_name: str) -> tuple[str, ...]:
    """Keras exports `MaxPool2D`, `AvgPool2D`, `GlobalAvgPool2D`, ... beside the long names."""
    short = keras_name.replace("Pooling", "Pool").replace("Average", "Avg")
    return (keras_name, short)


def _ranked(base: type[AnyLayer], name: str, rank: int, **more: Any) -> Any:
    """`MaxPooling2D` and its kin: the family's class with a rank and Keras's names."""
    keras_name = f"{name}{rank}D"
    return type(keras_name, (base,), {"NAMES": _aliases(keras_name), "RANK": rank, **more})


MaxPooling1D = _ranked(Pooling, "MaxPooling", 1)
MaxPooling2D = _ranked(Pooling, "MaxPooling", 2)
MaxPooling3D = _ranked(Pooling, "MaxPooling", 3)
# Keras 3's AveragePooling takes no default pool_size (MaxPooling's is 2).
AveragePooling1D = _ranked(Pooling, "AveragePooling", 1, CONFIG=AveragePoolingConfig)
AveragePooling2D = _ranked(Pooling, "AveragePooling", 2, CONFIG=AveragePoolingConfig)
AveragePooling3D = _ranked(Pooling, "AveragePooling", 3, CONFIG=AveragePoolingConfig)


class GlobalPoolingConfig(Config):
    data_format: str = arg(data_format, None)
    keepdims: bool = arg(boolean, False)


class GlobalPooling(Layer):
    """Removes the spatial axes (or keeps them as 1 with `keepdims`)."""

    config: GlobalPoolingConfig

    CONFIG = GlobalPoolingConfig
    ROLE = Role.RESHAPING

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(shape, self.RANK + 2)
        fmt = self.config.data_format
        channels = shape[channel_axis(shape, fmt)]
        if self.config.keepdims:
            return with_spatial(shape, fmt, (1,) * self.RANK, channels)
        return (shape[0], channels)

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(cls.RANK),))

    def receptive_field(self, rf: Fraction, jump: Fraction) -> tuple[Fraction, Fraction] | None:
        return None  # every position sees the whole input

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"one value per channel over all spatial positions: {format_shape(output)}"]


GlobalAveragePooling1D = _ranked(GlobalPooling, "GlobalAveragePooling", 1)
GlobalAveragePooling2D = _ranked(GlobalPooling, "GlobalAveragePooling", 2)
GlobalAveragePooling3D = _ranked(GlobalPooling, "GlobalAveragePooling", 3)
GlobalMaxPooling1D = _ranked(GlobalPooling, "GlobalMaxPooling", 1)
GlobalMaxPooling2D = _ranked(GlobalPooling, "GlobalMaxPooling", 2)
GlobalMaxPooling3D = _ranked(GlobalPooling, "GlobalMaxPooling", 3)
