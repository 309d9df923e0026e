"""Input, Dense, Activation, ReLU, LeakyReLU, Dropout, Flatten, Reshape (Keras 3 core layers)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    KERNEL_ARGS,
    Config,
    Example,
    Layer,
    NoArgs,
    Params,
    Refusal,
    Role,
    Shape,
    activation,
    arg,
    boolean,
    data_format,
    format_shape,
    ignored,
    image,
    int_list,
    number,
    optional_positive_int,
    positive_int,
    product,
    python_literal,
    require_rank,
    shape_list,
    shown,
)

if TYPE_CHECKING:
    from fractions import Fraction


class InputConfig(Config):
    shape: Shape = arg(
        shape_list, required=True, doc="sizes without the batch axis, null = unknown"
    )
    batch_size: int | None = arg(optional_positive_int, None)
    sparse = ignored(doc="ignored")


class Input(Layer):
    """A model input. `shape` excludes the batch axis, as in `keras.Input(shape=...)`."""

    config: InputConfig

    NAMES = ("Input", "InputLayer")
    CONFIG = InputConfig
    ROLE = Role.INPUT
    MIN_INPUTS = 0
    MAX_INPUTS = 0

    @classmethod
    def keras_name(cls) -> str:
        return "InputLayer"

    @classmethod
    def example(cls) -> Example:
        return Example({"shape": [9, 9, 3]}, ())

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return (self.config.batch_size, *self.config.shape)

    def receptive_field(self, rf: Fraction, jump: Fraction) -> tuple[Fraction, Fraction]:
        return rf, jump

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return ["the shape given, with the batch axis in front"]

    @classmethod
    def from_keras(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        shape = config.get("batch_shape") or config.get("batch_input_shape") or [None]
        args: dict[str, Any] = {"shape": list(shape[1:])}
        if shape[0] is not None:
            args["batch_size"] = shape[0]
        return args

    def keras_config(self) -> dict[str, Any]:
        return {"batch_shape": [self.config.batch_size, *self.config.shape], "sparse": False}

    def keras_code(self, name: str | None, args: Mapping[str, Any]) -> str:
        rest = {k: v for k, v in args.items() if k != "shape"}
        call = ", ".join(
            [f"shape={python_literal(args['shape'])}"]
            + [f"{k}={python_literal(v)}" for k, v in rest.items()]
            + ([] if name is None else [f"name={name!r}"])
        )
        return f"keras.Input({call})"

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        return str(callee)  # keras.Input(...) is the tensor itself


LORA_DOC = "a low-rank update: the kernel frozen, two trainable factors of this rank"


def lora_weights(rows: int, columns: int, trained: int, rank: int | None) -> Params:
    """A rows x columns table and `trained` other weights; with a LoRA rank, the table frozen
    and its two factors (rows x rank, rank x columns) trained."""
    if rank is None:
        return Params(rows * columns + trained)
    return Params(trained + rank * (rows + columns), rows * columns)


class DenseConfig(Config):
    units: int = arg(positive_int, required=True, doc="output size")
    use_bias: bool = arg(boolean, True)
    kernel = KERNEL_ARGS
    lora_rank: int | None = arg(optional_positive_int, None, doc=LORA_DOC)
    lora_alpha = ignored(doc="scales the update; no shape or count depends on it")
    quantization_config = ignored()


class Dense(Layer):
    """Acts on the last axis only, so it works on N-D input: (..., n) -> (..., units)."""

    CHECKS_BUILT_INPUT = True

    config: DenseConfig

    NAMES = ("Dense",)
    CONFIG = DenseConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"units": 4}, (image(2),))

    def _features(self, shape: Shape) -> int:
        require_rank(shape, 2, at_least=True)
        features = shape[-1]
        if features is None:
            raise Refusal(
                Code.CHANNELS_REFUSED,
                f"needs a known last axis; received shape {format_shape(shape)}",
            )
        return features

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self._features(shape)
        return (*shape[:-1], self.config.units)

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        """With `lora_rank` r, Keras freezes the kernel and trains two factors, features x r
        and r x units (Dense(8, lora_rank=2) on 4 features: 32 frozen, 4*2 + 2*8 + 8 = 32
        trainable, as Keras 3.15.1 counts them)."""
        (shape,) = inputs
        units, features = self.config.units, self._features(shape)
        bias = units if self.config.use_bias else 0
        return lora_weights(features, units, bias, self.config.lora_rank)

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Leading positions x inputs x units."""
        (shape,) = inputs
        positions = product([d or 0 for d in shape[1:-1]])
        return positions * (shape[-1] or 0) * self.config.units

    def receptive_field(self, rf: Fraction, jump: Fraction) -> None:
        return None

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"acts on the last axis only: {inputs[0][-1]} -> {output[-1]} per position"]


def non_negative(value: object, name: str, rank: int) -> float:
    result = number(value, name, rank)
    if result < 0:
        raise Refusal(
            Code.VALUE_REFUSED, f"`{name}` cannot be negative; received {shown(value)}", arg=name
        )
    return result


def optional_non_negative(value: object, name: str, rank: int) -> float | None:
    return None if value is None else non_negative(value, name, rank)


def fraction(value: object, name: str, rank: int) -> float:
    result = number(value, name, rank)
    if not 0 <= result <= 1:
        raise Refusal(
            Code.VALUE_REFUSED,
            f"`{name}` must be between 0 and 1; received {shown(value)}",
            arg=name,
        )
    return result


class ActivationConfig(Config):
    activation: object = arg(activation, required=True, doc="a Keras activation name")


class Activation(Layer):
    config: ActivationConfig

    NAMES = ("Activation",)
    CONFIG = ActivationConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"activation": "relu"}, (image(2),))


class ReLUConfig(Config):
    max_value: float | None = arg(optional_non_negative, None)
    negative_slope: float = arg(non_negative, 0.0)
    threshold: float = arg(non_negative, 0.0)


class ReLU(Layer):
    config: ReLUConfig

    NAMES = ("ReLU",)
    CONFIG = ReLUConfig

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))


class LeakyReLUConfig(Config):
    negative_slope: float = arg(non_negative, 0.3)
    alpha: float | None = arg(
        optional_non_negative, None, doc="deprecated Keras 2 name of negative_slope"
    )


class LeakyReLU(Layer):
    config: LeakyReLUConfig

    NAMES = ("LeakyReLU",)
    CONFIG = LeakyReLUConfig

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))

    @classmethod
    def from_keras(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        args = super().from_keras(config)
        if args.get("alpha") is not None:  # Keras 2's name for it
            args["negative_slope"] = args.pop("alpha")
        return args


class DropoutConfig(Config):
    rate: float = arg(fraction, required=True, doc="fraction of inputs to drop, 0 to 1")
    noise_shape = ignored(doc="ignored")
    seed = ignored(doc="ignored")


class Dropout(Layer):
    config: DropoutConfig

    NAMES = ("Dropout",)
    CONFIG = DropoutConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"rate": 0.5}, (image(2),))


class FlattenConfig(Config):
    data_format: str = arg(data_format, None)


class Flatten(Layer):
    config: FlattenConfig

    NAMES = ("Flatten",)
    CONFIG = FlattenConfig

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))

    ROLE = Role.RESHAPING

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        rest = shape[1:]
        if not rest:
            return (shape[0], 1)
        if any(d is None for d in rest):
            return (shape[0], None)
        return (shape[0], math.prod(d for d in rest if d is not None))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        dims = [str(d) for d in inputs[0][1:]]
        return [f"{'·'.join(dims)} = {output[-1]} values per sample"]


def target_shape(value: object, name: str, rank: int) -> tuple[int, ...]:
    """Keras's `validate_reshape_shape`: sizes >= 0, or a single -1 for "whatever is left"."""
    dims = int_list(value, name, rank)
    if any(d < -1 for d in dims) or dims.count(-1) > 1:
        raise Refusal(
            Code.VALUE_REFUSED,
            f"`{name}` takes non-negative sizes and at most one -1; received {shown(list(dims))}",
            arg=name,
        )
    return dims


class ReshapeConfig(Config):
    target_shape: tuple[int, ...] = arg(target_shape, required=True, doc="sizes without batch axis")


class Reshape(Layer):
    config: ReshapeConfig

    NAMES = ("Reshape",)
    CONFIG = ReshapeConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"target_shape": [81, 3]}, (image(2),))

    ROLE = Role.RESHAPING

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        values = "·".join(str(d) for d in inputs[0][1:])
        return [f"the {values} values of each sample rearranged as {format_shape(output)}"]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        target = self.config.target_shape
        rest = shape[1:]
        if any(d is None for d in rest):
            return (shape[0], *(None if d == -1 else d for d in target))
        size = math.prod(d for d in rest if d is not None)
        known = math.prod(d for d in target if d != -1)
        if -1 not in target and size == known:
            return (shape[0], *target)
        if -1 in target and known and size % known == 0:
            return (shape[0], *(size // known if d == -1 else d for d in target))
        raise Refusal(
            Code.RESHAPE_SIZE,
            f"cannot turn {format_shape(shape)} ({size} values per sample) into "
            f"{tuple(target)} ({known} values)",
            hint="make the product of target_shape equal the input's, or use -1 for one axis",
            arg="target_shape",
        )


class Identity(Layer):
    """Keras's `Identity`: the input, unchanged."""

    config: NoArgs

    NAMES = ("Identity",)

    @classmethod
    def example(cls) -> Example:
        return Example({}, (image(2),))


def permutation(value: object, name: str, rank: int) -> tuple[int, ...]:
    """Keras's Permute `dims`: 1..n in some order (the batch axis is not counted)."""
    dims = int_list(value, name, rank)
    if sorted(dims) != list(range(1, len(dims) + 1)):
        raise Refusal(
            Code.VALUE_REFUSED,
            f"`{name}` must be a permutation of 1..{len(dims)}; received {shown(list(dims))}",
            arg=name,
        )
    return dims


class PermuteConfig(Config):
    dims: tuple[int, ...] = arg(permutation, required=True, doc="new order of the axes, from 1")


class Permute(Layer):
    config: PermuteConfig

    NAMES = ("Permute",)
    CONFIG = PermuteConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"dims": [2, 1, 3]}, (image(2, size=5),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(shape, len(self.config.dims) + 1)
        return (shape[0], *(shape[d] for d in self.config.dims))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        order = ", ".join(str(d) for d in self.config.dims)
        return [f"axes reordered as ({order}): {format_shape(output)}"]


class RepeatVectorConfig(Config):
    n: int = arg(positive_int, required=True, doc="how many times to repeat the input")


class RepeatVector(Layer):
    config: RepeatVectorConfig

    NAMES = ("RepeatVector",)
    CONFIG = RepeatVectorConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"n": 3}, ((None, 4),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        require_rank(shape, 2)
        return (shape[0], self.config.n, shape[1])

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"the vector repeated {self.config.n} times: {format_shape(output)}"]


def lambda_output_shape(value: object, name: str, rank: int) -> Shape | None:
    """Keras's Lambda `output_shape`: the output's shape without the batch axis. A function
    (saved as a config) cannot be run here: refused like a Lambda without one."""
    if value is None or isinstance(value, dict):
        return None
    return shape_list(value, name, rank)


class LambdaConfig(Config):
    function = ignored(doc="the Python function: deconvcheck cannot run it")
    output_shape: Shape | None = arg(
        lambda_output_shape, None, doc="the output's shape without the batch axis"
    )
    mask = ignored(doc="ignored")
    arguments = ignored(doc="ignored")


class Lambda(Layer):
    """A Python function as a layer. Its shape is only known when `output_shape` says it
    (Keras prepends the batch axis); without it, Keras runs the function, which deconvcheck
    cannot do."""

    config: LambdaConfig

    NAMES = ("Lambda",)
    CONFIG = LambdaConfig
    MIN_INPUTS = 1
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"output_shape": [243]}, (image(2),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if self.config.output_shape is None:
            raise Refusal(
                Code.LAMBDA_WITHOUT_SHAPE,
                "a Lambda's output shape is only known by running its Python function, which "
                "deconvcheck does not do",
                hint="give the Lambda an `output_shape` (Keras takes it too), or use a Keras "
                "layer for the operation",
            )
        return (inputs[0][0], *self.config.output_shape)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"the shape its output_shape states: {format_shape(output)}"]
