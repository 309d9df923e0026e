"""What every layer type is made of: declared arguments, an output shape and a parameter count.

A layer type is a class with
- `NAMES`: its Keras class name first, then accepted aliases;
- `ARGS`: its arguments with Keras's names and defaults (data, so the JSON Schema and the docs can
  be generated from it);
- `output_shape(inputs)` and `param_count(inputs)`: pure functions of the input shapes.

Shapes carry the batch axis first, as Keras prints them: `(None, 7, 7, 512)`.
Where Keras would raise, the layer raises `Refusal`; the inference engine turns it into a
diagnostic. A `Refusal` is control flow for "Keras says no", not a crash.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

Dim = int | None
Shape = tuple[Dim, ...]


class Refusal(Exception):
    """Keras would refuse this layer: a rule code, what was received, and what would fix it."""

    def __init__(
        self, code: str, message: str, *, hint: str | None = None, arg: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.arg = arg


class Params(NamedTuple):
    trainable: int = 0
    non_trainable: int = 0

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


# ---------------------------------------------------------------- argument kinds
# A kind turns a raw spec value into the value Keras would hold, or raises Refusal (DC103).
Parser = Callable[[object, str, int], Any]


def _refuse(name: str, value: object, expected: str) -> Refusal:
    return Refusal("DC103", f"`{name}` must be {expected}; received {value!r}", arg=name)


def _is_int(value: object) -> bool:
    # YAML's `true` is a bool, and a bool is an int in Python: never take it for a number.
    return isinstance(value, int) and not isinstance(value, bool)


def positive_int(value: object, name: str, rank: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _refuse(name, value, "a positive integer")
    return value


def any_int(value: object, name: str, rank: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(name, value, "an integer")
    return value


def _int_tuple(value: object, name: str, rank: int, *, allow_zero: bool) -> tuple[int, ...]:
    """Keras's `standardize_tuple`: an int is repeated `rank` times, a list needs `rank` ints."""
    bound = "non-negative" if allow_zero else "positive"
    expected = f"a {bound} integer or a list of {rank} {bound} integers"
    if _is_int(value):
        items: tuple[object, ...] = (value,) * rank
    elif isinstance(value, list | tuple) and len(value) == rank:
        items = tuple(value)
    else:
        raise _refuse(name, value, expected)
    if not all(_is_int(v) for v in items):
        raise _refuse(name, value, expected)
    ints = tuple(int(v) for v in items)  # type: ignore[call-overload]
    if any(v < 0 or (v == 0 and not allow_zero) for v in ints):
        raise _refuse(name, value, expected)
    return ints


def int_tuple(value: object, name: str, rank: int) -> tuple[int, ...]:
    return _int_tuple(value, name, rank, allow_zero=False)


def int_tuple_or_zero(value: object, name: str, rank: int) -> tuple[int, ...]:
    return _int_tuple(value, name, rank, allow_zero=True)


def optional_int_tuple(value: object, name: str, rank: int) -> tuple[int, ...] | None:
    return None if value is None else _int_tuple(value, name, rank, allow_zero=False)


def optional_int_tuple_or_zero(value: object, name: str, rank: int) -> tuple[int, ...] | None:
    return None if value is None else _int_tuple(value, name, rank, allow_zero=True)


def boolean(value: object, name: str, rank: int) -> bool:
    if not isinstance(value, bool):
        raise _refuse(name, value, "true or false")
    return value


def number(value: object, name: str, rank: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise _refuse(name, value, "a number")
    return float(value)


def optional_number(value: object, name: str, rank: int) -> float | None:
    return None if value is None else number(value, name, rank)


def anything(value: object, name: str, rank: int) -> object:
    """Arguments that do not change shapes or counts (initializers, activations, ...)."""
    return value


def data_format(value: object, name: str, rank: int) -> str:
    # Keras: `None` means `keras.config.image_data_format()`, which is channels_last by default.
    if value is None:
        return "channels_last"
    if isinstance(value, str) and value.lower() in ("channels_last", "channels_first"):
        return value.lower()
    raise _refuse(name, value, "'channels_last' or 'channels_first'")


def choice(*allowed: str, lower: bool = True) -> Parser:
    """A string among `allowed`; Keras lower-cases padding for convolutions, not for pooling."""

    def parse(value: object, name: str, rank: int) -> str:
        text = value.lower() if isinstance(value, str) and lower else value
        if not isinstance(text, str) or text not in allowed:
            raise _refuse(name, value, " or ".join(repr(a) for a in allowed))
        return text

    parse.allowed = allowed  # type: ignore[attr-defined]
    parse.lower = lower  # type: ignore[attr-defined]
    return parse


def shape_list(value: object, name: str, rank: int) -> Shape:
    """An input shape without the batch axis; `null` for an unknown size."""
    expected = "a list of positive integers or nulls"
    if not isinstance(value, list | tuple) or not value:
        raise _refuse(name, value, expected)
    for v in value:
        if v is not None and (not _is_int(v) or v <= 0):
            raise _refuse(name, value, expected)
    return tuple(value)


def int_list(value: object, name: str, rank: int) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or not all(_is_int(v) for v in value):
        raise _refuse(name, value, "a list of integers")
    return tuple(int(v) for v in value)


# Keras 3 `keras.activations` identifiers (ALL_OBJECTS_DICT): anything else is refused.
ACTIVATIONS = frozenset(
    (
        "relu",
        "leaky_relu",
        "relu6",
        "softmax",
        "celu",
        "elu",
        "selu",
        "softplus",
        "softsign",
        "squareplus",
        "soft_shrink",
        "sparse_plus",
        "silu",
        "swish",
        "gelu",
        "glu",
        "tanh",
        "tanh_shrink",
        "threshold",
        "sigmoid",
        "sparse_sigmoid",
        "exponential",
        "hard_sigmoid",
        "hard_silu",
        "hard_swish",
        "hard_tanh",
        "hard_shrink",
        "linear",
        "mish",
        "log_softmax",
        "log_sigmoid",
        "sparsemax",
    )
)


def activation(value: object, name: str, rank: int) -> object:
    """A Keras activation name (or null for linear); other forms (configs) are taken as given."""
    if isinstance(value, str) and value not in ACTIVATIONS:
        raise Refusal(
            "DC103",
            f"unknown activation {value!r}; Keras knows {', '.join(sorted(ACTIVATIONS))}",
            arg=name,
        )
    return value


def optional_positive_int(value: object, name: str, rank: int) -> int | None:
    return None if value is None else positive_int(value, name, rank)


class Arg(NamedTuple):
    """One constructor argument, named and defaulted as in Keras."""

    name: str
    parse: Parser
    default: object = None
    required: bool = False
    doc: str = ""


# Accepted by every layer (Keras's base `Layer`), none of which changes a shape.
COMMON_ARGS: tuple[Arg, ...] = (
    Arg("trainable", boolean, True, doc="false moves all the layer's weights to non-trainable"),
    Arg("dtype", anything, None, doc="ignored: does not change shapes or counts"),
    Arg("activity_regularizer", anything, None, doc="ignored"),
)

# Arguments of the layers that own a kernel, none of which changes a shape or a count.
KERNEL_ARGS: tuple[Arg, ...] = (
    Arg("activation", activation, None, doc="a Keras activation name"),
    *(
        Arg(name, anything, None, doc="ignored: does not change shapes or counts")
        for name in (
            "kernel_initializer",
            "bias_initializer",
            "kernel_regularizer",
            "bias_regularizer",
            "kernel_constraint",
            "bias_constraint",
        )
    ),
)


class Layer:
    """Base of every layer type. Subclasses set NAMES and ARGS and implement the two functions."""

    NAMES: ClassVar[tuple[str, ...]] = ()
    ARGS: ClassVar[tuple[Arg, ...]] = ()
    RANK: ClassVar[int] = 0
    MIN_INPUTS: ClassVar[int] = 1
    MAX_INPUTS: ClassVar[int | None] = 1

    def __init__(self, raw: Mapping[str, object]) -> None:
        """Parse the arguments as Keras's constructor would; raise Refusal where it would."""
        self.cfg: dict[str, Any] = self.parse_args(raw)
        self.validate()

    @classmethod
    def keras_name(cls) -> str:
        return cls.NAMES[0]

    @classmethod
    def all_args(cls) -> tuple[Arg, ...]:
        return cls.ARGS + COMMON_ARGS

    @classmethod
    def parse_args(cls, raw: Mapping[str, object]) -> dict[str, Any]:
        """Parse the declared arguments; raise Refusal for the first bad or missing one."""
        parsed = dict(cls._defaults())
        for arg in cls.all_args():
            if arg.name in raw:
                parsed[arg.name] = arg.parse(raw[arg.name], arg.name, cls.RANK)
            elif arg.required:
                raise Refusal(
                    "DC104",
                    f"missing required argument `{arg.name}`",
                    hint=f"add `{arg.name}: ...` ({arg.doc})" if arg.doc else None,
                )
        return parsed

    @classmethod
    def _defaults(cls) -> dict[str, Any]:
        """The defaults, parsed once per class (`2` becomes `(2, 2)` as in Keras)."""
        cached: dict[str, Any] | None = cls.__dict__.get("_parsed_defaults")
        if cached is None:
            cached = {
                arg.name: arg.parse(arg.default, arg.name, cls.RANK)
                for arg in cls.all_args()
                if not arg.required
            }
            cls._parsed_defaults = cached  # type: ignore[attr-defined]
        return cached

    def validate(self) -> None:
        """Cross-argument checks Keras makes in the constructor."""

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        raise NotImplementedError

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        return Params()

    def param_count(self, inputs: Sequence[Shape]) -> Params:
        params = self.weight_count(inputs)
        if self.cfg.get("trainable", True):
            return params
        return Params(0, params.total)


# ---------------------------------------------------------------- shape helpers


def format_shape(shape: Shape) -> str:
    """`(None, 7, 7, 512)`, as Keras prints a shape."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def require_rank(layer: Layer, shape: Shape, ndim: int, *, at_least: bool = False) -> None:
    """Keras's InputSpec check (`ndim` or `min_ndim`, counting the batch axis)."""
    if len(shape) == ndim or (at_least and len(shape) > ndim):
        return
    expected = f"at least {ndim - 1}" if at_least else f"{ndim - 1}"
    raise Refusal(
        "DC203",
        f"expects inputs with {expected} axes besides the batch axis; "
        f"received shape {format_shape(shape)}",
    )


def spatial_axes(shape: Shape, fmt: str) -> range:
    """Indices of the spatial axes of a (batch, ..., channels) or (batch, channels, ...) shape."""
    return range(1, len(shape) - 1) if fmt == "channels_last" else range(2, len(shape))


def channel_axis(shape: Shape, fmt: str) -> int:
    return len(shape) - 1 if fmt == "channels_last" else 1


def known_channels(layer: Layer, shape: Shape, fmt: str) -> int:
    channels = shape[channel_axis(shape, fmt)]
    if channels is None:
        raise Refusal(
            "DC204",
            f"needs a known channel dimension; received shape {format_shape(shape)} ({fmt})",
            hint="give the channel count in the Input shape",
        )
    return channels


def with_spatial(shape: Shape, fmt: str, spatial: Sequence[Dim], channels: Dim) -> Shape:
    """Rebuild a shape from its batch axis, new spatial sizes and a channel count."""
    if fmt == "channels_last":
        return (shape[0], *spatial, channels)
    return (shape[0], channels, *spatial)


def product(dims: Sequence[int]) -> int:
    return math.prod(dims)
