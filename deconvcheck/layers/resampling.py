"""UpSampling, ZeroPadding and Cropping in 1-3D (Keras 3 `layers/reshaping`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from deconvcheck.layers.base import (
    Arg,
    Layer,
    Refusal,
    Shape,
    anything,
    data_format,
    format_shape,
    int_tuple,
    int_tuple_or_zero,
    positive_int,
    require_rank,
    spatial_axes,
)
from deconvcheck.layers.convolution import check_output_positive

Pairs = tuple[tuple[int, int], ...]
_ORDINAL = ("1st", "2nd", "3rd")


def _resize(shape: Shape, fmt: str, change: Sequence[tuple[int, int]], sign: int) -> Shape:
    """Add (sign=1) or remove (sign=-1) `before + after` on each spatial axis; None stays None."""
    out = list(shape)
    for axis, (before, after) in zip(spatial_axes(shape, fmt), change, strict=True):
        size = out[axis]
        out[axis] = None if size is None else size + sign * (before + after)
    return tuple(out)


def pairs(value: object, name: str, rank: int) -> Pairs:
    """Keras's ZeroPadding2D/3D and Cropping2D/3D forms: an int, `rank` ints (symmetric), or
    `rank` pairs (before, after). An int is taken as it is (Keras does not check its sign for
    ZeroPadding; Cropping refuses a negative one, see `crop_pairs`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return ((value, value),) * rank
    if not isinstance(value, list | tuple) or len(value) != rank:
        raise Refusal(
            "DC103",
            f"`{name}` must be an int, {rank} ints, or {rank} pairs of ints; received {value!r}",
            arg=name,
        )
    result = []
    for i, item in enumerate(value):
        before, after = int_tuple_or_zero(item, f"{_ORDINAL[i]} entry of {name}", 2)
        result.append((before, after))
    return tuple(result)


def crop_pairs(value: object, name: str, rank: int) -> Pairs:
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise Refusal("DC103", f"`{name}` cannot be negative; received {value}", arg=name)
    return pairs(value, name, rank)


def one_pair(value: object, name: str, rank: int) -> Pairs:
    """ZeroPadding1D / Cropping1D: an int or a pair (before, after)."""
    before, after = int_tuple_or_zero(value, name, 2)
    return ((before, after),)


class UpSampling(Layer):
    """Repeats rows/columns: each spatial size is multiplied by `size`."""

    def factors(self) -> tuple[int, ...]:
        """The factor for each spatial axis."""
        factors: tuple[int, ...] = self.cfg["size"]
        return factors

    ARGS: ClassVar[tuple[Arg, ...]] = (
        Arg("size", int_tuple, 2),
        Arg("data_format", data_format, None),
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(self, shape, self.RANK + 2)
        fmt = self.cfg.get("data_format", "channels_last")
        out = list(shape)
        for axis, factor in zip(spatial_axes(shape, fmt), self.factors(), strict=True):
            size = shape[axis]
            out[axis] = None if size is None else size * factor
        return tuple(out)


class UpSampling1D(UpSampling):
    NAMES = ("UpSampling1D",)
    RANK = 1
    # Keras's UpSampling1D takes one positive int and no data_format.
    ARGS = (Arg("size", positive_int, 2),)

    def factors(self) -> tuple[int, ...]:
        return (self.cfg["size"],)


class UpSampling2D(UpSampling):
    NAMES = ("UpSampling2D",)
    RANK = 2
    ARGS = (*UpSampling.ARGS, Arg("interpolation", anything, "nearest", doc="ignored"))


class UpSampling3D(UpSampling):
    NAMES = ("UpSampling3D",)
    RANK = 3


class ZeroPadding(Layer):
    """Adds `before + after` to each spatial size."""

    ARGS: ClassVar[tuple[Arg, ...]] = (
        Arg("padding", pairs, 1),
        Arg("data_format", data_format, None),
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(self, shape, self.RANK + 2)
        fmt = self.cfg["data_format"]
        output = _resize(shape, fmt, self.cfg["padding"], 1)
        # Keras lets a negative int through the constructor (it then shrinks the input) and
        # fails, or returns 0, once the size is gone.
        check_output_positive(self, shape, output, fmt)
        return output


class ZeroPadding1D(ZeroPadding):
    NAMES = ("ZeroPadding1D",)
    RANK = 1
    ARGS = (Arg("padding", one_pair, 1), Arg("data_format", data_format, None))


class ZeroPadding2D(ZeroPadding):
    NAMES = ("ZeroPadding2D",)
    RANK = 2


class ZeroPadding3D(ZeroPadding):
    NAMES = ("ZeroPadding3D",)
    RANK = 3


class Cropping(Layer):
    """Removes `before + after` from each spatial size; Keras refuses to crop an axis away."""

    ARGS: ClassVar[tuple[Arg, ...]] = (
        Arg("cropping", crop_pairs, 1),
        Arg("data_format", data_format, None),
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(self, shape, self.RANK + 2)
        fmt = self.cfg.get("data_format", "channels_last")
        out = _resize(shape, fmt, self.cfg["cropping"], -1)
        for axis in spatial_axes(out, fmt):
            size = out[axis]
            if size is not None and size <= 0:
                raise Refusal(
                    "DC206",
                    f"cropping {self.cfg['cropping']} must be smaller than "
                    f"the input's spatial size; received shape {format_shape(shape)}",
                    hint="crop less, or crop a larger tensor",
                    arg="cropping",
                )
        return out


class Cropping1D(Cropping):
    NAMES = ("Cropping1D",)
    RANK = 1
    # Keras's Cropping1D has no data_format: the length axis is always axis 1.
    ARGS = (Arg("cropping", one_pair, 1),)


class Cropping2D(Cropping):
    NAMES = ("Cropping2D",)
    RANK = 2
    ARGS = (Arg("cropping", crop_pairs, 0), Arg("data_format", data_format, None))


class Cropping3D(Cropping):
    NAMES = ("Cropping3D",)
    RANK = 3
