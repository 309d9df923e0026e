"""Rescaling and Normalization: the preprocessing layers keras.io models and
`keras.applications` (EfficientNet) put first (Keras 3 `layers/preprocessing`)."""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    Config,
    Example,
    Layer,
    Params,
    Refusal,
    Shape,
    arg,
    boolean,
    format_shape,
    image,
    number,
    product,
)
from deconvcheck.layers.normalization import axes, known_sizes, resolved_axes


def numbers(value: object, name: str, rank: int) -> object:
    """A number or a (nested) list of numbers, as Keras takes for scale, offset, mean."""
    if isinstance(value, list | tuple):
        for item in value:
            numbers(item, name, rank)
        return value
    return number(value, name, rank)


def optional_numbers(value: object, name: str, rank: int) -> object:
    return None if value is None else numbers(value, name, rank)


def optional_axes(value: object, name: str, rank: int) -> tuple[int, ...]:
    """`None` (a single mean over everything: no axis kept), an axis or a list of axes."""
    return () if value is None else axes(value, name, rank)


def nested_shape(value: object) -> tuple[int, ...]:
    """numpy's `np.shape` of a number or a regular nested list."""
    shape: list[int] = []
    while isinstance(value, list | tuple):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


class RescalingConfig(Config):
    scale: object = arg(numbers, required=True, doc="a number (or one per channel)")
    offset: object = arg(numbers, 0.0)


class Rescaling(Layer):
    """x * scale + offset: keeps the shape, owns no weights."""

    config: RescalingConfig

    NAMES = ("Rescaling",)
    CONFIG = RescalingConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"scale": 1 / 255}, (image(2),))


class NormalizationConfig(Config):
    axis: tuple[int, ...] = arg(optional_axes, -1, doc="the axes kept (the batch axis is 0)")
    mean: object = arg(optional_numbers, None, doc="given statistics: no weights then")
    variance: object = arg(optional_numbers, None)
    invert: bool = arg(boolean, False)


class Normalization(Layer):
    """(x - mean) / sqrt(variance). Without given statistics it holds, non-trainable, a mean
    and a variance over the kept axes and a count: 2 x (their sizes' product) + 1."""

    config: NormalizationConfig

    NAMES = ("Normalization",)
    CONFIG = NormalizationConfig

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))

    def validate(self) -> None:
        mean, variance = self.config.mean, self.config.variance
        if (mean is None) != (variance is None):
            raise Refusal(
                Code.VALUE_REFUSED, "give both `mean` and `variance`, or neither", arg="variance"
            )
        if mean is not None and nested_shape(mean) != nested_shape(variance):
            raise Refusal(
                Code.VALUE_REFUSED,
                f"`mean` and `variance` must have the same shape; received "
                f"{nested_shape(mean)} and {nested_shape(variance)}",
                arg="variance",
            )
        if mean is not None and len(nested_shape(mean)) > len(self.config.axis):
            raise Refusal(
                Code.VALUE_REFUSED,
                f"`mean` has more axes ({len(nested_shape(mean))}) than `axis` keeps "
                f"({len(self.config.axis)})",
                arg="mean",
            )

    def _kept(self, shape: Shape) -> list[int]:
        kept = resolved_axes(shape, self.config.axis)
        sizes = known_sizes(shape, kept, "mean and variance")
        mean = self.config.mean
        if mean is not None:
            # Keras aligns the given statistics with the kept axes from the right; each size
            # must be 1 or the axis's own.
            for size, axis_size in zip(reversed(nested_shape(mean)), reversed(sizes), strict=False):
                if size not in (1, axis_size):
                    raise Refusal(
                        Code.CHANNELS_REFUSED,
                        f"`mean` of shape {nested_shape(mean)} does not fit the kept axes "
                        f"{list(kept)} of {format_shape(shape)}",
                        arg="mean",
                    )
        return sizes

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self._kept(inputs[0])
        return inputs[0]

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        sizes = self._kept(inputs[0])
        if self.config.mean is not None:
            return Params()
        return Params(0, 2 * product(sizes) + 1)
