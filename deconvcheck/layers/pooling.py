"""Max/Average pooling 1-3D and global pooling 1-3D (Keras 3 `BasePooling`, `BaseGlobalPooling`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deconvcheck import arith
from deconvcheck.layers.base import (
    Arg,
    Layer,
    Refusal,
    Shape,
    boolean,
    choice,
    data_format,
    int_tuple,
    int_tuple_or_zero,
    require_rank,
    spatial_axes,
    with_spatial,
)
from deconvcheck.layers.convolution import check_output_positive


def pooling_strides(value: object, name: str, rank: int) -> tuple[int, ...] | None:
    """`None` means "same as pool_size". Keras lets 0 through the constructor and then fails
    when the layer is called (a division by zero); it is refused here at once."""
    if value is None:
        return None
    strides = int_tuple_or_zero(value, name, rank)
    if 0 in strides:
        raise Refusal("DC103", f"`strides` cannot contain 0; received {value!r}", arg=name)
    return strides


class Pooling(Layer):
    """Output `floor((n - pool) / s) + 1` (valid) or `floor((n - 1) / s) + 1` (same)."""

    ARGS = (
        Arg("pool_size", int_tuple, 2),
        Arg("strides", pooling_strides, None, doc="defaults to pool_size"),
        # Keras does not lower-case a pooling layer's padding ('SAME' is refused).
        Arg("padding", choice("valid", "same", lower=False), "valid"),
        Arg("data_format", data_format, None),
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(self, shape, self.RANK + 2)
        fmt = self.cfg["data_format"]
        pool = self.cfg["pool_size"]
        strides = self.cfg["strides"] or pool
        spatial = [
            arith.pool_output_length(shape[axis], p, s, self.cfg["padding"])
            for axis, p, s in zip(spatial_axes(shape, fmt), pool, strides, strict=True)
        ]
        channels = shape[-1] if fmt == "channels_last" else shape[1]
        output = with_spatial(shape, fmt, spatial, channels)
        if self.cfg["padding"] == "valid":
            check_output_positive(self, shape, output, fmt)
        return output


def _aliases(keras_name: str) -> tuple[str, ...]:
    """Keras exports `MaxPool2D`, `AvgPool2D`, `GlobalAvgPool2D`, ... beside the long names."""
    short = keras_name.replace("Pooling", "Pool").replace("Average", "Avg")
    return (keras_name, short)


def _ranked(base: type[Layer], name: str, rank: int) -> Any:
    """`MaxPooling2D` and its kin: the family's class with a rank and Keras's names."""
    keras_name = f"{name}{rank}D"
    return type(keras_name, (base,), {"NAMES": _aliases(keras_name), "RANK": rank})


MaxPooling1D = _ranked(Pooling, "MaxPooling", 1)
MaxPooling2D = _ranked(Pooling, "MaxPooling", 2)
MaxPooling3D = _ranked(Pooling, "MaxPooling", 3)
AveragePooling1D = _ranked(Pooling, "AveragePooling", 1)
AveragePooling2D = _ranked(Pooling, "AveragePooling", 2)
AveragePooling3D = _ranked(Pooling, "AveragePooling", 3)


class GlobalPooling(Layer):
    """Removes the spatial axes (or keeps them as 1 with `keepdims`)."""

    ARGS = (Arg("data_format", data_format, None), Arg("keepdims", boolean, False))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(self, shape, self.RANK + 2)
        fmt = self.cfg["data_format"]
        channels = shape[-1] if fmt == "channels_last" else shape[1]
        if self.cfg["keepdims"]:
            return with_spatial(shape, fmt, (1,) * self.RANK, channels)
        return (shape[0], channels)


GlobalAveragePooling1D = _ranked(GlobalPooling, "GlobalAveragePooling", 1)
GlobalAveragePooling2D = _ranked(GlobalPooling, "GlobalAveragePooling", 2)
GlobalAveragePooling3D = _ranked(GlobalPooling, "GlobalAveragePooling", 3)
GlobalMaxPooling1D = _ranked(GlobalPooling, "GlobalMaxPooling", 1)
GlobalMaxPooling2D = _ranked(GlobalPooling, "GlobalMaxPooling", 2)
GlobalMaxPooling3D = _ranked(GlobalPooling, "GlobalMaxPooling", 3)
