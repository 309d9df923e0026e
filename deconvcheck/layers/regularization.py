"""SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout and
ActivityRegularization (Keras 3 `layers/regularization`): they keep the shape and own no
weights; what Keras refuses is in their arguments and, for spatial dropout, the input's rank."""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    Config,
    Example,
    Layer,
    Refusal,
    Shape,
    arg,
    data_format,
    ignored,
    image,
    number,
    require_rank,
    shown,
)
from deconvcheck.layers.core import fraction


class SpatialDropout1DConfig(Config):
    rate: float = arg(fraction, required=True, doc="fraction of channels to drop, 0 to 1")
    seed = ignored(doc="ignored")


class SpatialDropoutConfig(SpatialDropout1DConfig):
    data_format: str = arg(data_format, None)


class SpatialDropout(Layer):
    """Drops whole channels; Keras takes inputs of exactly RANK spatial axes."""

    config: Config

    @classmethod
    def example(cls) -> Example:
        return Example({"rate": 0.5}, (image(cls.RANK),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        require_rank(inputs[0], self.RANK + 2)
        return inputs[0]


class SpatialDropout1D(SpatialDropout):
    NAMES = ("SpatialDropout1D",)
    CONFIG = SpatialDropout1DConfig
    RANK = 1


class SpatialDropout2D(SpatialDropout):
    NAMES = ("SpatialDropout2D",)
    CONFIG = SpatialDropoutConfig
    RANK = 2


class SpatialDropout3D(SpatialDropout):
    NAMES = ("SpatialDropout3D",)
    CONFIG = SpatialDropoutConfig
    RANK = 3


class GaussianNoiseConfig(Config):
    stddev: float = arg(fraction, required=True, doc="standard deviation of the noise, 0 to 1")
    seed = ignored(doc="ignored")


class GaussianNoise(Layer):
    config: GaussianNoiseConfig

    NAMES = ("GaussianNoise",)
    CONFIG = GaussianNoiseConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"stddev": 0.1}, (image(2),))


class GaussianDropoutConfig(Config):
    rate: float = arg(fraction, required=True, doc="drop probability, 0 to 1")
    seed = ignored(doc="ignored")


class GaussianDropout(Layer):
    config: GaussianDropoutConfig

    NAMES = ("GaussianDropout",)
    CONFIG = GaussianDropoutConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"rate": 0.2}, (image(2),))


class AlphaDropoutConfig(Config):
    rate: float = arg(fraction, required=True, doc="drop probability, 0 to 1")
    noise_shape = ignored(doc="ignored")
    seed = ignored(doc="ignored")


class AlphaDropout(Layer):
    config: AlphaDropoutConfig

    NAMES = ("AlphaDropout",)
    CONFIG = AlphaDropoutConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"rate": 0.2}, (image(2),))


def penalty(value: object, name: str, rank: int) -> float:
    """Keras's `validate_float_arg`: None is 0; otherwise a finite, non-negative number."""
    if value is None:
        return 0.0
    result = number(value, name, rank)
    if result < 0 or result in (float("inf"), float("-inf")):
        raise Refusal(
            Code.VALUE_REFUSED,
            f"`{name}` must be a non-negative number; received {shown(value)}",
            arg=name,
        )
    return result


class ActivityRegularizationConfig(Config):
    l1: float = arg(penalty, 0.0)
    l2: float = arg(penalty, 0.0)


class ActivityRegularization(Layer):
    config: ActivityRegularizationConfig

    NAMES = ("ActivityRegularization",)
    CONFIG = ActivityRegularizationConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"l1": 0.01}, (image(2),))
