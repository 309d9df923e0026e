"""Image preprocessing and augmentation layers that keras.io models put first: Resizing,
CenterCrop, RandomCrop and the Random* layers that keep the shape (Keras 3
`layers/preprocessing/image_preprocessing/`). None owns weights. Keras checks their input's rank
only when they run on data, not when a model is built, and so does deconvcheck."""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    Config,
    Example,
    Group,
    Layer,
    Parser,
    Refusal,
    Role,
    Shape,
    any_int,
    arg,
    choice,
    data_format,
    format_shape,
    ignored,
    image,
    number,
    positive_int,
    shown,
)

FILL_MODES = ("reflect", "wrap", "constant", "nearest")


class _Geometry(Config):
    fill_mode: str = arg(choice(*FILL_MODES, lower=False), "reflect")
    interpolation: str = arg(choice("nearest", "bilinear", lower=False), "bilinear")
    seed = ignored(doc="ignored")
    fill_value: float = arg(number, 0.0)
    data_format: str = arg(data_format, None)


# The arguments RandomRotation, RandomZoom and RandomTranslation share, in Keras's order.
GEOMETRY = Group(_Geometry.FIELDS)


def factor(low: float, high: float, *, open_low: bool = False) -> Parser:
    """A number in [low, high] (taken as ±value), or two numbers overlapping that range, as
    Keras's `_set_factor` / `_check_factor_range` take them."""

    def within(value: float) -> bool:
        return (low < value if open_low else low <= value) and value <= high

    def parse(value: object, name: str, rank: int) -> object:
        bound = f"({low}, {high}]" if open_low else f"[{low}, {high}]"
        if isinstance(value, list | tuple):
            pair = [number(v, name, rank) for v in value]
            if len(pair) == 2 and not (min(pair) > high or max(pair) < low):
                return value
        elif isinstance(value, int | float) and not isinstance(value, bool) and within(value):
            return value
        raise Refusal(
            Code.VALUE_REFUSED,
            f"`{name}` must be a number in {bound} or two numbers; received {shown(value)}",
            arg=name,
        )

    one = {"type": "number", "minimum": low, "maximum": high}
    parse.schema = {  # type: ignore[attr-defined]
        "oneOf": [one, {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}]
    }
    return parse


def zoom_factor(value: object, name: str, rank: int) -> object:
    """RandomZoom checks each number on its own: in (-1, 1]."""
    values = value if isinstance(value, list | tuple) else [value]
    if isinstance(value, list | tuple) and len(value) != 2:
        values = []
    if values and all(-1 < number(v, name, rank) <= 1 for v in values):
        return value
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be a number in (-1, 1] or two of them; received {shown(value)}",
        arg=name,
    )


def optional_zoom_factor(value: object, name: str, rank: int) -> object:
    return None if value is None else zoom_factor(value, name, rank)


def value_range(value: object, name: str, rank: int) -> object:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be a list of two numbers; received {shown(value)}",
        arg=name,
    )


class ShapeKeeping(Layer):
    """A random augmentation: the output has the input's shape."""

    @classmethod
    def example(cls) -> Example:
        first = next((a for a in cls.ARGS if a.required), None)
        return Example({first.name: 0.2} if first else {}, (image(2),))


class RandomFlipConfig(Config):
    mode = ignored("horizontal_and_vertical", doc="not checked by Keras when a model is built")
    seed = ignored(doc="ignored")
    data_format: str = arg(data_format, None)


class RandomFlip(ShapeKeeping):
    config: RandomFlipConfig
    NAMES = ("RandomFlip",)
    CONFIG = RandomFlipConfig


class RandomRotationConfig(Config):
    factor: object = arg(factor(-1, 1), required=True, doc="fraction of 2π, or two of them")
    geometry = GEOMETRY


class RandomRotation(ShapeKeeping):
    config: RandomRotationConfig
    NAMES = ("RandomRotation",)
    CONFIG = RandomRotationConfig


class RandomZoomConfig(Config):
    height_factor: object = arg(zoom_factor, required=True, doc="in (-1, 1], or two of them")
    width_factor: object = arg(optional_zoom_factor, None)
    geometry = GEOMETRY


class RandomZoom(ShapeKeeping):
    config: RandomZoomConfig
    NAMES = ("RandomZoom",)
    CONFIG = RandomZoomConfig


class RandomTranslationConfig(Config):
    height_factor: object = arg(factor(-1, 1), required=True, doc="in [-1, 1], or two of them")
    width_factor: object = arg(factor(-1, 1), required=True, doc="in [-1, 1], or two of them")
    geometry = GEOMETRY


class RandomTranslation(ShapeKeeping):
    config: RandomTranslationConfig
    NAMES = ("RandomTranslation",)
    CONFIG = RandomTranslationConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"height_factor": 0.1, "width_factor": 0.1}, (image(2),))


class RandomContrastConfig(Config):
    factor: object = arg(factor(0, 1), required=True, doc="in [0, 1], or two of them")
    value_range: object = arg(value_range, [0, 255])
    seed = ignored(doc="ignored")
    data_format: str = arg(data_format, None)


class RandomContrast(ShapeKeeping):
    config: RandomContrastConfig
    NAMES = ("RandomContrast",)
    CONFIG = RandomContrastConfig


class RandomBrightnessConfig(Config):
    factor: object = arg(factor(-1, 1), required=True, doc="in [-1, 1], or two of them")
    value_range: object = arg(value_range, [0, 255])
    seed = ignored(doc="ignored")
    data_format: str = arg(data_format, None)


class RandomBrightness(ShapeKeeping):
    config: RandomBrightnessConfig
    NAMES = ("RandomBrightness",)
    CONFIG = RandomBrightnessConfig


class ResizingConfig(Config):
    height: int = arg(any_int, required=True, doc="output height")
    width: int = arg(any_int, required=True, doc="output width")
    interpolation = ignored("bilinear", doc="checked by Keras only when it runs")
    crop_to_aspect_ratio = ignored(False, doc="does not change the output shape")
    pad_to_aspect_ratio = ignored(False, doc="does not change the output shape")
    fill_mode = ignored("constant", doc="ignored")
    fill_value = ignored(0.0, doc="ignored")
    antialias = ignored(False, doc="ignored")
    data_format: str = arg(data_format, None)


def resized(shape: Shape, fmt: str, height: int, width: int) -> Shape:
    """Keras's Resizing/CenterCrop rule: a rank-4 shape is a batch of images; any other rank is
    taken as one image, whose first axes are then replaced (the batch axis included)."""
    out = list(shape)
    first = (1 if len(shape) == 4 else 0) + (fmt == "channels_first")
    out[first], out[first + 1] = height, width
    return tuple(out)


class Resizing(Layer):
    config: ResizingConfig
    NAMES = ("Resizing",)
    CONFIG = ResizingConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"height": 5, "width": 7}, (image(2),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return resized(inputs[0], self.config.data_format, self.config.height, self.config.width)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"resized to {self.config.height}x{self.config.width}: {format_shape(output)}"]


class CropConfig(Config):
    height: int = arg(positive_int, required=True, doc="output height")
    width: int = arg(positive_int, required=True, doc="output width")
    data_format: str = arg(data_format, None)


class CenterCrop(Layer):
    config: CropConfig
    NAMES = ("CenterCrop",)
    CONFIG = CropConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"height": 5, "width": 7}, (image(2),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        if len(shape) not in (3, 4):
            raise Refusal(
                Code.RANK_MISMATCH,
                f"takes an image (3 axes) or a batch of images (4 axes); received "
                f"{format_shape(shape)}",
            )
        return resized(shape, self.config.data_format, self.config.height, self.config.width)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"the centre {self.config.height}x{self.config.width}: {format_shape(output)}"]


class RandomCropConfig(CropConfig):
    seed = ignored(doc="ignored")


class RandomCrop(Layer):
    """Sets the last image axes, counted from the end (Keras: -3 and -2, or -2 and -1 for
    channels_first)."""

    config: RandomCropConfig
    NAMES = ("RandomCrop",)
    CONFIG = RandomCropConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"height": 5, "width": 7}, (image(2),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        axis = -3 if self.config.data_format == "channels_last" else -2
        if len(shape) < -axis:
            raise Refusal(
                Code.RANK_MISMATCH,
                f"needs at least {-axis} axes to crop; received {format_shape(shape)}",
            )
        out = list(shape)
        out[axis], out[axis + 1] = self.config.height, self.config.width
        return tuple(out)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"a random {self.config.height}x{self.config.width}: {format_shape(output)}"]
