"""UpSampling, ZeroPadding and Cropping in 1-3D (Keras 3 `layers/reshaping`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    Config,
    Example,
    Layer,
    Refusal,
    Role,
    Shape,
    Window,
    arg,
    data_format,
    format_shape,
    ignored,
    image,
    int_tuple,
    int_tuple_or_zero,
    is_int,
    keras_form,
    per_axis,
    positive_int,
    require_rank,
    shown,
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


@per_axis
def pairs(value: object, name: str, rank: int) -> Pairs:
    """Keras's ZeroPadding2D/3D and Cropping2D/3D forms: an int, `rank` ints (symmetric), or
    `rank` pairs (before, after). An int is taken as it is (Keras does not check its sign for
    ZeroPadding; Cropping refuses a negative one, see `crop_pairs`)."""
    if is_int(value):  # a 64-bit integer: Keras's shapes cannot hold a larger one
        assert isinstance(value, int)
        return ((value, value),) * rank
    if not isinstance(value, list | tuple) or len(value) != rank:
        raise Refusal(
            Code.VALUE_REFUSED,
            f"`{name}` must be an int, {rank} ints, or {rank} pairs of ints; "
            f"received {shown(value)}",
            arg=name,
        )
    result = []
    for i, item in enumerate(value):
        before, after = int_tuple_or_zero(item, f"{_ORDINAL[i]} entry of {name}", 2)
        result.append((before, after))
    return tuple(result)


@per_axis
def crop_pairs(value: object, name: str, rank: int) -> Pairs:
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise Refusal(
            Code.VALUE_REFUSED, f"`{name}` cannot be negative; received {shown(value)}", arg=name
        )
    return pairs(value, name, rank)


@per_axis
@keras_form(lambda pairs: pairs[0])  # held as ((before, after),); Keras takes (before, after)
def one_pair(value: object, name: str, rank: int) -> Pairs:
    """ZeroPadding1D / Cropping1D: an int or a pair (before, after)."""
    before, after = int_tuple_or_zero(value, name, 2)
    return ((before, after),)


class UpSamplingConfig(Config):
    size: tuple[int, ...] = arg(int_tuple, 2)
    data_format: str = arg(data_format, None)


class UpSampling2DConfig(UpSamplingConfig):
    interpolation = ignored("nearest", doc="ignored")


class UpSampling1DConfig(Config):
    # Keras's UpSampling1D takes one positive int and no data_format.
    size: int = arg(positive_int, 2)


class UpSampling(Layer):
    """Repeats rows/columns: each spatial size is multiplied by `size`. As a window, nearest-
    neighbour upsampling by f is a transposed convolution of kernel f and stride f."""

    config: Config

    CONFIG: ClassVar[type[Config]] = UpSamplingConfig
    ROLE = Role.UPSAMPLING

    def factors(self) -> tuple[int, ...]:
        """The factor for each spatial axis."""
        size: int | tuple[int, ...] = self.config.__dict__["size"]
        return (size,) if isinstance(size, int) else size

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(shape, self.RANK + 2)
        fmt = self.layout() or "channels_last"
        out = list(shape)
        for axis, factor in zip(spatial_axes(shape, fmt), self.factors(), strict=True):
            size = shape[axis]
            out[axis] = None if size is None else size * factor
        return tuple(out)

    @classmethod
    def example(cls) -> Example:
        return Example({"size": 2}, (image(cls.RANK),))

    def windows(self) -> tuple[Window, ...]:
        return tuple(Window(f, f) for f in self.factors())

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        fmt = self.layout() or "channels_last"
        axes = zip(spatial_axes(inputs[0], fmt), self.factors(), strict=True)
        lines = [
            f"output {inputs[0][a]}·{f} = {output[a]}" for a, f in axes if inputs[0][a] is not None
        ]
        return [
            *dict.fromkeys(lines),
            "each pixel is repeated (nearest neighbour): no weights, no new detail",
        ]


class UpSampling1D(UpSampling):
    NAMES = ("UpSampling1D",)
    CONFIG = UpSampling1DConfig
    RANK = 1


class UpSampling2D(UpSampling):
    NAMES = ("UpSampling2D",)
    CONFIG = UpSampling2DConfig
    RANK = 2


class UpSampling3D(UpSampling):
    NAMES = ("UpSampling3D",)
    RANK = 3


class PaddingConfig(Config):
    padding: Pairs = arg(pairs, 1)
    data_format: str = arg(data_format, None)


class Padding1DConfig(PaddingConfig):
    padding: Pairs = arg(one_pair, 1)


class CroppingConfig(Config):
    cropping: Pairs = arg(crop_pairs, 1)
    data_format: str = arg(data_format, None)


class Cropping2DConfig(CroppingConfig):
    cropping: Pairs = arg(crop_pairs, 0)


class Cropping1DConfig(Config):
    # Keras's Cropping1D has no data_format: the length axis is always axis 1.
    cropping: Pairs = arg(one_pair, 1)


def explain_edges(inputs: Shape, output: Shape, fmt: str, amounts: Pairs, sign: str) -> list[str]:
    axes = spatial_axes(inputs, fmt)
    return [
        f"{inputs[a]} {sign} {before} {sign} {after} = {output[a]}"
        for a, (before, after) in zip(axes, amounts, strict=True)
    ]


class ZeroPadding(Layer):
    """Adds `before + after` to each spatial size."""

    config: PaddingConfig

    CONFIG = PaddingConfig
    ROLE = Role.RESHAPING

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(shape, self.RANK + 2)
        fmt = self.config.data_format
        output = _resize(shape, fmt, self.config.padding, 1)
        # Keras lets a negative int through the constructor (it then shrinks the input): a size
        # of 0 is returned as is, a negative one fails.
        check_output_positive(shape, output, fmt, allow_zero=True)
        return output

    @classmethod
    def example(cls) -> Example:
        return Example({"padding": 1}, (image(cls.RANK),))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return explain_edges(inputs[0], output, self.config.data_format, self.config.padding, "+")


class ZeroPadding1D(ZeroPadding):
    NAMES = ("ZeroPadding1D",)
    CONFIG = Padding1DConfig
    RANK = 1


class ZeroPadding2D(ZeroPadding):
    NAMES = ("ZeroPadding2D",)
    RANK = 2


class ZeroPadding3D(ZeroPadding):
    NAMES = ("ZeroPadding3D",)
    RANK = 3


class Cropping(Layer):
    """Removes `before + after` from each spatial size; Keras refuses to crop an axis away."""

    config: CroppingConfig

    CONFIG: ClassVar[type[Config]] = CroppingConfig
    ROLE = Role.RESHAPING

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(shape, self.RANK + 2)
        fmt = self.layout() or "channels_last"
        out = _resize(shape, fmt, self.config.cropping, -1)
        for axis in spatial_axes(out, fmt):
            size = out[axis]
            if size is not None and size <= 0:
                raise Refusal(
                    Code.CROPPED_AWAY,
                    f"cropping {self.config.cropping} must be smaller than "
                    f"the input's spatial size; received shape {format_shape(shape)}",
                    hint="crop less, or crop a larger tensor",
                    arg="cropping",
                )
        return out

    @classmethod
    def example(cls) -> Example:
        return Example({"cropping": 1}, (image(cls.RANK),))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        fmt = self.layout() or "channels_last"
        return explain_edges(inputs[0], output, fmt, self.config.cropping, "−")


class Cropping1D(Cropping):
    NAMES = ("Cropping1D",)
    CONFIG = Cropping1DConfig
    RANK = 1


class Cropping2D(Cropping):
    NAMES = ("Cropping2D",)
    CONFIG = Cropping2DConfig
    RANK = 2


class Cropping3D(Cropping):
    NAMES = ("Cropping3D",)
    RANK = 3
