"""What every layer type is made of, and the questions the rest of the tool asks of a layer.

A layer type is a class (one family per module, all listed in `registry.py`) with
- `NAMES`: its Keras class name first, then accepted aliases;
- `CONFIG`: its arguments as a typed, frozen record, declared once with Keras's names and
  defaults (data, so the JSON Schema and the docs are generated from it);
- `ROLE`: what it does in a network (input, downsampling, upsampling, merge, ...);
- the hooks of `Layer`: output shape, parameters, windows, MACs, receptive field, `explain`,
  reading from and writing to Keras. Code outside `layers/` asks the layer; it never switches
  on a type name.

Shapes carry the batch axis first, as Keras prints them: `(None, 7, 7, 512)`.
Where Keras would raise, the layer raises `Refusal`; the inference engine turns it into a
diagnostic. A `Refusal` is control flow for "Keras says no", not a crash.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from deconvcheck.diagnostics import Code
from deconvcheck.memo import MEMO
from deconvcheck.record import Record

if TYPE_CHECKING:
    from fractions import Fraction

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


class Params(Record):
    trainable: int = 0
    non_trainable: int = 0

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


# ---------------------------------------------------------------- argument kinds
# A kind turns a raw spec value into the value Keras would hold, or raises Refusal (DC103).
Parser = Callable[[object, str, int], Any]
F = TypeVar("F", bound=Parser)


INT64 = 2**63  # Keras's shapes and counts are 64-bit integers


def shown(value: object, limit: int = 60) -> str:
    """`repr(value)`, shortened: a hostile file's 4,000-digit number is not printed whole."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**limit else "a huge number"
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _refuse(name: str, value: object, expected: str) -> Refusal:
    return Refusal(
        Code.VALUE_REFUSED, f"`{name}` must be {expected}; received {shown(value)}", arg=name
    )


def is_int(value: object) -> bool:
    """An integer Keras can hold (64-bit). YAML's `true` is a bool, and a bool is an int in
    Python: never take it for a number."""
    return isinstance(value, int) and not isinstance(value, bool) and -INT64 <= value < INT64


def positive_int(value: object, name: str, rank: int) -> int:
    if not isinstance(value, int) or not is_int(value) or value <= 0:
        raise _refuse(name, value, "a positive integer")
    return value


def any_int(value: object, name: str, rank: int) -> int:
    if not isinstance(value, int) or not is_int(value):
        raise _refuse(name, value, "an integer")
    return value


def _int_tuple(value: object, name: str, rank: int, *, allow_zero: bool) -> tuple[int, ...]:
    """Keras's `standardize_tuple`: an int is repeated `rank` times, a list needs `rank` ints."""
    bound = "non-negative" if allow_zero else "positive"
    expected = f"a {bound} integer or a list of {rank} {bound} integers"
    if is_int(value):
        items: tuple[object, ...] = (value,) * rank
    elif isinstance(value, list | tuple) and len(value) == rank:
        items = tuple(value)
    else:
        raise _refuse(name, value, expected)
    if not all(is_int(v) for v in items):
        raise _refuse(name, value, expected)
    ints = tuple(int(v) for v in items)  # type: ignore[call-overload]
    if any(v < 0 or (v == 0 and not allow_zero) for v in ints):
        raise _refuse(name, value, expected)
    return ints


# Parsers of values that take one int for every axis (Keras's `standardize_tuple`): a spec may
# write `3` for `(3, 3)`. Any other list (a shape, a target_shape, dims) stays a list.
PER_AXIS: set[Parser] = set()


def per_axis(parse: F) -> F:
    """Mark a parser whose value may be written as one int for every axis."""
    PER_AXIS.add(parse)
    return parse


# Parsers whose parsed value is not the form Keras's constructor takes, with the conversion.
KERAS_FORMS: dict[Parser, Callable[[Any], Any]] = {}


def keras_form(convert: Callable[[Any], Any]) -> Callable[[F], F]:
    """Mark a parser whose values Keras takes in another form: `convert` gives that form."""

    def mark(parse: F) -> F:
        KERAS_FORMS[parse] = convert
        return parse

    return mark


@per_axis
def int_tuple(value: object, name: str, rank: int) -> tuple[int, ...]:
    return _int_tuple(value, name, rank, allow_zero=False)


@per_axis
def int_tuple_or_zero(value: object, name: str, rank: int) -> tuple[int, ...]:
    return _int_tuple(value, name, rank, allow_zero=True)


@per_axis
def optional_int_tuple(value: object, name: str, rank: int) -> tuple[int, ...] | None:
    return None if value is None else _int_tuple(value, name, rank, allow_zero=False)


@per_axis
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
        if isinstance(v, str) and v.lower() == "none":
            raise Refusal(
                Code.VALUE_REFUSED,
                f"`{name}` must be {expected}; received {shown(value)}: 'None' is a string here",
                hint="write null (YAML and JSON's None) for an unknown size",
                arg=name,
            )
        if v is not None and (not is_int(v) or v <= 0):
            raise _refuse(name, value, expected)
    if math.prod(v for v in value if v is not None) >= INT64:
        raise _refuse(name, value, "a shape of fewer than 2^63 values (Keras counts in int64)")
    return tuple(value)


def int_list(value: object, name: str, rank: int) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or not all(is_int(v) for v in value):
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
            Code.VALUE_REFUSED,
            f"unknown activation {value!r}; Keras knows {', '.join(sorted(ACTIVATIONS))}",
            arg=name,
        )
    return value


def optional_positive_int(value: object, name: str, rank: int) -> int | None:
    return None if value is None else positive_int(value, name, rank)


class Arg(Record):
    """One constructor argument, named and defaulted as in Keras."""

    name: str
    parse: Parser
    default: object = None
    required: bool = False
    doc: str = ""


IGNORED_DOC = "ignored: does not change shapes or counts"


def arg(parse: Parser, default: object = None, *, required: bool = False, doc: str = "") -> Any:
    """Declare a field of a `Config`: its parser, Keras's default and a line of help. The name
    is the attribute's. Typed `Any` so that `filters: int = arg(positive_int, required=True)`
    reads, to mypy, as the parsed value it holds on an instance."""
    return Arg("", parse, default, required, doc)


def ignored(default: object = None, doc: str = IGNORED_DOC) -> Any:
    """A Keras argument that cannot change a shape or a count: accepted and kept, never read."""
    return Arg("", anything, default, False, doc)


class Group(tuple[Arg, ...]):
    """Arguments shared by several layer types, spliced into a `Config` where it is named."""

    __slots__ = ()


def ignored_group(*names: str) -> Group:
    """Several Keras arguments that cannot change a shape or a count (initializers, ...)."""
    return Group(Arg(name, anything, None, False, IGNORED_DOC) for name in names)


class Config:
    """A layer's parsed arguments: a frozen record with one typed attribute per argument.

    A layer type declares its arguments once, as the attributes of its `Config` subclass, in
    Keras's order; `FIELDS` (what the JSON Schema, `layers TYPE`, did-you-mean and `convert` use)
    is generated from them. A subclass may redeclare an inherited field (it keeps its place).

        class ConvConfig(Config):
            filters: int = arg(positive_int, required=True, doc="number of output channels")
            strides: tuple[int, ...] = arg(int_tuple, 1)
            kernel = KERNEL_ARGS  # a Group: activation, initializers, ...
    """

    FIELDS: ClassVar[tuple[Arg, ...]] = ()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        fields = {a.name: a for a in cls.FIELDS}
        for key, value in list(cls.__dict__.items()):
            if isinstance(value, Group):
                fields.update((a.name, a) for a in value)
                delattr(cls, key)
            elif isinstance(value, Arg):
                fields[key] = value._replace(name=key)
        cls.FIELDS = tuple(fields.values())

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({items})"

    def values(self) -> dict[str, Any]:
        """Every field by name, in declaration order."""
        return {a.name: self.__dict__[a.name] for a in self.FIELDS}


class NoArgs(Config):
    """For layer types that take no arguments of their own."""


# Accepted by every layer (Keras's base `Layer`), none of which changes a shape.
COMMON_ARGS: tuple[Arg, ...] = (
    Arg("trainable", boolean, True, doc="false moves all the layer's weights to non-trainable"),
    Arg("dtype", anything, None, doc=IGNORED_DOC),
    Arg("activity_regularizer", anything, None, doc="ignored"),
)

# Arguments of the layers that own a kernel, none of which changes a shape or a count.
KERNEL_ARGS = Group(
    (
        Arg("activation", activation, None, doc="a Keras activation name"),
        *(
            Arg(name, anything, None, doc=IGNORED_DOC)
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
)


class Role(StrEnum):
    """What a layer does to a network's spatial size: what `check` uses to find encoders,
    decoders and skip connections."""

    INPUT = "input"
    DOWNSAMPLING = "downsampling"  # a window that keeps or shrinks: convolution, pooling
    UPSAMPLING = "upsampling"  # multiplies sizes: transposed convolution, upsampling
    MERGE = "merge"  # joins several tensors
    RESHAPING = "reshaping"  # moves values between axes, or pads and crops
    PRESERVING = "shape-preserving"  # keeps every spatial size


class Window(Record):
    """A sliding window along one spatial axis. For an upsampling layer the stride multiplies
    (nearest-neighbour upsampling by f is a window of kernel f and stride f)."""

    kernel: int
    stride: int
    dilation: int = 1
    padding: str = "valid"
    output_padding: int | None = None

    @property
    def effective(self) -> int:
        """The dilated kernel's extent, `(kernel - 1)·dilation + 1`."""
        return (self.kernel - 1) * self.dilation + 1


# Keras config keys that never change a shape or a count (read from model files, then dropped).
KERAS_IGNORED = frozenset(
    (
        "name", "dtype", "autocast", "build_config", "compile_config", "module",
        "registered_name", "kernel_initializer", "bias_initializer", "kernel_regularizer",
        "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
        "beta_initializer", "gamma_initializer", "moving_mean_initializer",
        "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
        "beta_constraint", "gamma_constraint", "noise_shape", "seed", "input_dim",
        "batch_input_shape", "batch_shape",
        "implementation",  # Keras 2's RNN kernel choice: the same shapes and weights
    )
)  # fmt: skip


# Keras config keys that change nothing at these values (Keras 3 writes `groups: 1` for layers
# that have no groups).
NEUTRAL: dict[str, object] = {"groups": 1}


class Example(Record):
    """A small, valid use of a layer type: its arguments and its input shapes (with batch)."""

    args: dict[str, object]
    inputs: tuple[Shape, ...]


def image(rank: int, size: int = 9, channels: int = 3) -> Shape:
    """A channels-last input of `rank` spatial axes: (None, 9, 9, 3) for rank 2."""
    return (None, *(size,) * rank, channels)


class Layer:
    """Base of every layer type: the one place that knows the layer.

    A subclass sets `NAMES` (Keras's class name first, then aliases), `CONFIG` (its arguments)
    and `ROLE`, and answers, for itself, every question the tool asks of a layer: output shape
    and parameters (`output_shape`, `weight_count`), its sliding window per spatial axis
    (`windows`), its MACs, its receptive-field step, its `explain` lines, how it is read from a
    Keras file (`from_keras`) and written back (`arguments`, `keras_code`). The defaults here
    fit a layer without weights that keeps its input's shape."""

    NAMES: ClassVar[tuple[str, ...]] = ()
    CONFIG: ClassVar[type[Config]] = NoArgs
    ARGS: ClassVar[tuple[Arg, ...]] = ()  # generated: CONFIG.FIELDS
    ROLE: ClassVar[Role] = Role.PRESERVING
    RANK: ClassVar[int] = 0
    MIN_INPUTS: ClassVar[int] = 1
    MAX_INPUTS: ClassVar[int | None] = 1
    # A layer with weights that does no multiply-accumulate of its own by the README's
    # convention (normalisation): says so, rather than silently inheriting `macs` = 0.
    MACS_FREE: ClassVar[bool] = False
    # Whether declarations with the same arguments may share one instance (`made`): true of a
    # layer whose arguments are plain data.
    SHARED: ClassVar[bool] = True
    _shared: ClassVar[bool] = False
    # Keras checks a later call against the input its first call built the weights for (an
    # `input_spec` with axes, set in `build`): true of Dense, convolutions, BatchNormalization.
    # A layer without that check takes any later input Keras's symbolic call accepts (an LSTM
    # built on 8 features is not refused on 12), so only these refuse it here too (DC209).
    CHECKS_BUILT_INPUT: ClassVar[bool] = False
    # ... and also fixes the input's rank then (`InputSpec(ndim=...)`: BatchNormalization,
    # GroupNormalization, PReLU).
    BUILT_RANK: ClassVar[bool] = False
    # Arguments Keras takes at call time that change what a call gives (MultiHeadAttention's
    # `return_attention_scores`): read from a Keras file's call into the layer's arguments.
    CALL_ARGS: ClassVar[tuple[str, ...]] = ()
    # Keras classes of the layers Keras makes inside this one when it is first called: each uses
    # up an automatic name (MultiHeadAttention's Softmax and Dropout: the file's next Dropout
    # is then dropout_1). Read by the model-code reader, which names layers as Keras does.
    BUILD_NAMES: ClassVar[tuple[str, ...]] = ()

    config: Config  # each layer type narrows it to its own CONFIG's class, for mypy
    trainable: bool

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.ARGS = cls.CONFIG.FIELDS
        # `made` shares instances of built-in layers only: a plugin's class may keep state.
        cls._shared = cls.SHARED and cls.__module__.startswith(__package__ or "deconvcheck.layers")
        own = cls.__dict__.get("windows")
        if own is not None:  # a frozen config has one set of windows: computed once
            setattr(cls, "windows", _once(own))  # noqa: B010 - mypy refuses a method assignment

    def __init__(self, raw: Mapping[str, object]) -> None:
        """Parse the arguments as Keras's constructor would; raise Refusal where it would."""
        parsed = self.parse_args(raw)
        self.trainable = parsed["trainable"]
        self.config = self.CONFIG({a.name: parsed[a.name] for a in self.ARGS})
        self.validate()

    def __eq__(self, other: object) -> bool:
        """The same type with the same arguments (a wrapper's layer is compared so)."""
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Layer)
        return self.trainable == other.trainable and self.config == other.config

    def __hash__(self) -> int:
        return hash((type(self), self.trainable))

    @classmethod
    def example(cls) -> Example:
        """A small valid use of this type, for the contract test that walks every registered
        type through every hook (tests/test_layer_contract.py)."""
        raise NotImplementedError(f"{cls.__name__} gives no example")

    # ------------------------------------------------------------ names and arguments

    @classmethod
    def keras_name(cls) -> str:
        """The class name Keras prints in a summary and writes in a model file."""
        return cls.NAMES[0]

    @classmethod
    def spec_name(cls) -> str:
        """The type name a spec file uses for it."""
        return cls.NAMES[0]

    @classmethod
    def all_args(cls) -> tuple[Arg, ...]:
        return cls.ARGS + COMMON_ARGS

    @classmethod
    def arg_names(cls) -> frozenset[str]:
        """The names of `all_args`, gathered once per class."""
        names: frozenset[str] | None = cls.__dict__.get("_arg_names")
        if names is None:
            names = frozenset(a.name for a in cls.all_args())
            cls._arg_names = names  # type: ignore[attr-defined]
        return names

    @classmethod
    def made(cls, raw: Mapping[str, object]) -> Self:
        """The layer for these arguments, as `cls(raw)`. A built-in layer never changes once
        made, so declarations with the same arguments (a ResNet's repeated blocks, a long
        chain) share one instance, parsed once; a plugin's class, and a layer that is not `SHARED`,
        is made anew each time."""
        if not cls._shared:
            return cls(raw)
        try:
            key = (cls, repr(raw))
        except ValueError:  # an integer too long to print: parsed (and refused) each time
            return cls(raw)
        layer = MEMO.layers.get(key)
        if layer is None:
            layer = MEMO.layers.keep(key, cls(raw))
        assert isinstance(layer, cls)
        return layer

    @classmethod
    def parse_args(cls, raw: Mapping[str, object]) -> dict[str, Any]:
        """Parse the declared arguments; raise Refusal for the first bad or missing one."""
        parsed = dict(cls._defaults())
        for spec in cls.all_args():
            if spec.name in raw:
                parsed[spec.name] = spec.parse(raw[spec.name], spec.name, cls.RANK)
            elif spec.required:
                raise Refusal(
                    Code.MISSING_ARGUMENT,
                    f"missing required argument `{spec.name}`",
                    hint=f"add `{spec.name}: ...` ({spec.doc})" if spec.doc else None,
                )
        return parsed

    @classmethod
    def _defaults(cls) -> dict[str, Any]:
        """The defaults, parsed once per class (`2` becomes `(2, 2)` as in Keras)."""
        cached: dict[str, Any] | None = cls.__dict__.get("_parsed_defaults")
        if cached is None:
            cached = {
                spec.name: spec.parse(spec.default, spec.name, cls.RANK)
                for spec in cls.all_args()
                if not spec.required
            }
            cls._parsed_defaults = cached  # type: ignore[attr-defined]
        return cached

    def validate(self) -> None:
        """Cross-argument checks Keras makes in the constructor."""

    # ------------------------------------------------------------ shapes and parameters

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        return shape

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        return Params()

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        """Every tensor a call gives, in Keras's order (`layer[call][output]`): the output,
        then, for a layer with several (an RNN's states), the others."""
        return (self.output_shape(inputs),)

    def called(self, inputs: Sequence[Shape]) -> tuple[tuple[Shape, ...], Params]:
        """`output_shapes` and `param_count` on these inputs, kept in deconvcheck.memo: a layer
        shared by identical declarations is called on the same shapes again and again."""
        key = tuple(inputs)
        found: tuple[tuple[Shape, ...], Params] | None = MEMO.calls.get(self, key)
        if found is None:
            found = MEMO.calls.keep(
                self, key, (self.output_shapes(inputs), self.param_count(inputs))
            )
        return found

    def refuses_later(self, built: Sequence[Shape], inputs: Sequence[Shape]) -> str | None:
        """Why Keras refuses a call on `inputs` of this layer, whose weights were made for
        `built` (its first call, or the build shape a Keras file records): the checks Keras
        sets in `build` (CHECKS_BUILT_INPUT, BUILT_RANK). None where Keras takes it."""
        if not self.CHECKS_BUILT_INPUT or not inputs or not built:
            return None
        if self.BUILT_RANK and len(inputs[0]) != len(built[0]):
            return (
                f"its input's rank was fixed at {len(built[0])} ({format_shape(built[0])}) when "
                f"its weights were made; this call receives rank {len(inputs[0])}, "
                f"{format_shape(inputs[0])}"
            )
        made, needed = self.param_count(built), self.param_count(inputs)
        if made == needed:
            return None
        received = ", ".join(format_shape(shape) for shape in inputs)
        return (
            f"its weights were made for {', '.join(format_shape(shape) for shape in built)} "
            f"({made.total:,} parameters); this call receives {received}, which would need "
            f"{needed.total:,}"
        )

    def param_count(self, inputs: Sequence[Shape]) -> Params:
        params = self.weight_count(inputs)
        if self.trainable:
            return params
        return Params(0, params.total)

    # ------------------------------------------------------------ the layer in a network

    def layout(self) -> str | None:
        """The data format the layer declares ('channels_last' / 'channels_first'), if any."""
        fmt: str | None = self.config.__dict__.get("data_format")
        return fmt

    def output_count(self) -> int:
        """How many tensors a call gives (`output_shapes`), known from the arguments alone."""
        return 1

    def windows(self) -> tuple[Window, ...] | None:
        """Its sliding window on each spatial axis, or None for a layer that has none."""
        return None

    def retuned(self, windows: Sequence[Window]) -> dict[str, object] | None:
        """The arguments that give this layer these windows (for `check`'s verified fixes), or
        None when it cannot take them."""
        return None

    def stated_output(self) -> tuple[int, ...] | None:
        """The spatial size the spec says this layer should give (checked by DC304), if any."""
        return None

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Multiply-accumulates per sample (README, "Cost columns"); 0 for unweighted layers."""
        return 0

    def receptive_field(self, rf: Fraction, jump: Fraction) -> tuple[Fraction, Fraction] | None:
        """The receptive field and jump after this layer, along the first spatial axis, from
        those of its input (Araujo et al. 2019); None where no longer defined."""
        windows = self.windows()
        if not windows:
            return rf, jump
        first = windows[0]
        if self.ROLE is Role.UPSAMPLING:
            reach = -(-first.effective // first.stride)  # ceil(k_eff / s) input positions
            return rf + (reach - 1) * jump, jump / first.stride
        return rf + (first.effective - 1) * jump, jump * first.stride

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        """The lines `summary --explain` prints under the layer: the formula with the numbers
        in, and what it means in words."""
        return ["the shape is unchanged"] if inputs and output == inputs[0] else []

    # ------------------------------------------------------------ Keras files and code

    @classmethod
    def from_keras(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        """Spec arguments from the layer's `config` in a Keras model file. Keys that cannot
        change a shape or a count are dropped; unknown ones are kept, so that they are reported
        (DC102) rather than silently ignored."""
        declared = {a.name for a in cls.all_args()}
        args = {}
        for key, value in config.items():
            if key in declared:  # Embedding's `input_dim` is its own, not Keras 2's
                args[key] = value
            elif (
                key in KERAS_IGNORED or value is None or value is False or value == NEUTRAL.get(key)
            ):
                continue  # an option left off or at its neutral value, a dtype policy, ...
            else:
                args[key] = value
        return args

    @classmethod
    def from_keras_call(cls, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Spec arguments from the layer's first call in a Keras model file (its positional
        and keyword arguments as Keras recorded them): the call-time ones in `CALL_ARGS`."""
        return {key: kwargs[key] for key in cls.CALL_ARGS if key in kwargs}

    def arguments(self) -> dict[str, Any]:
        """The arguments that differ from Keras's defaults, in Keras's terms (for `convert` and
        `export`): shape-irrelevant ones left out, except an activation."""
        defaults = self._defaults()
        values = self.config.values()
        result: dict[str, Any] = {}
        for spec in self.ARGS:
            value = values[spec.name]
            if spec.parse is anything:
                continue
            if spec.name == "activation" and not spec.required and value in (None, "linear"):
                continue
            if not spec.required and value == defaults.get(spec.name):
                continue
            result[spec.name] = self.keras_value(spec.name, value)
        if not self.trainable:
            result["trainable"] = False
        return result

    def writable(self) -> bool:
        """Whether `convert` and `export` can write this layer out (`arguments`, `keras_code`)."""
        return True

    def inner(self) -> Any:
        """The model this layer is (a nested model), whose `standalone()` gives its own layers
        for `summary --expand-nested`; None for every other layer."""
        return None

    def keras_config(self) -> dict[str, Any]:
        """The layer's `config` as Keras's `get_config()` writes it into a model file (every
        argument that matters, defaults included); `from_keras` reads it back."""
        values = self.config.values()
        args = {a.name: self.keras_value(a.name, values[a.name]) for a in self.ARGS}
        return {"trainable": self.trainable, "dtype": "float32", **args}

    def _parser(self, name: str) -> Parser:
        return next(a.parse for a in self.all_args() if a.name == name)

    def keras_value(self, name: str, value: Any) -> Any:
        """A parsed argument in the form Keras's constructor takes."""
        convert = KERAS_FORMS.get(self._parser(name))
        return value if convert is None else convert(value)

    def written(self, name: str, value: Any) -> Any:
        """An argument as a spec file writes it: (3, 3) becomes 3 where one int means every
        axis; other tuples become lists."""
        return shortest(value) if self._parser(name) in PER_AXIS else as_lists(value)

    def keras_code(self, name: str | None, args: Mapping[str, Any]) -> str | None:
        """The Python expression that makes this layer with Keras (`name` None: Keras names
        it, as a layer inside a wrapper); None for an operation, which is a function."""
        named = [] if name is None else [f"name={name!r}"]
        call = ", ".join([f"{k}={python_literal(v)}" for k, v in args.items()] + named)
        return f"layers.{self.keras_name()}({call})"

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        """The Python expression of one call of the layer `callee` on the tensors `feeds`."""
        return f"{callee}({feeds[0]})" if len(feeds) == 1 else f"{callee}([{', '.join(feeds)}])"


def _once(
    method: Callable[[Any], tuple[Window, ...] | None],
) -> Callable[[Any], tuple[Window, ...] | None]:
    """`windows()` computed on the first call and kept in deconvcheck.memo (tracing, the rules
    and the receptive field all ask for it)."""

    def windows(self: Any) -> tuple[Window, ...] | None:
        found: tuple[tuple[Window, ...] | None] | None = MEMO.windows.get(self, None)
        if found is None:  # kept in a tuple: a layer without windows has None
            found = MEMO.windows.keep(self, None, (method(self),))
        return found[0]

    windows.__doc__ = method.__doc__
    return windows


AnyLayer = Layer  # kept as a name: the registry's and the engine's type for any layer


def shortest(value: Any) -> Any:
    """(3, 3) -> 3 where Keras takes an int for every axis; tuples become lists."""
    if isinstance(value, tuple | list):
        items = [shortest(v) for v in value]
        if (
            items
            and all(isinstance(i, int) and not isinstance(i, bool) for i in items)
            and len(set(items)) == 1
        ):
            return items[0]
        return items
    return value


def as_lists(value: Any) -> Any:
    """Tuples (at any depth) as lists, the form YAML and JSON write."""
    if isinstance(value, tuple | list):
        return [as_lists(v) for v in value]
    return value


def python_literal(value: Any) -> str:
    """A value as Python source: lists as tuples, `...` and slices as a Keras file writes
    them (`{"class_name": "__ellipsis__"}`) in Python's own spelling; strings by `repr`."""
    if isinstance(value, list | tuple):
        items = [python_literal(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, Mapping) and value.get("class_name") == "__ellipsis__":
        return "..."
    if isinstance(value, Mapping) and value.get("class_name") == "__slice__":
        config = value.get("config") or {}
        parts = (config.get("start"), config.get("stop"), config.get("step"))
        return f"slice({', '.join(python_literal(v) for v in parts)})"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items())
        return "{" + pairs + "}"
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    raise TypeError(f"no Python literal for {type(value).__name__}")


# ---------------------------------------------------------------- shape helpers


def format_shape(shape: Shape) -> str:
    """`(None, 7, 7, 512)`, as Keras prints a shape."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def require_rank(shape: Shape, ndim: int, *, at_least: bool = False) -> None:
    """Keras's InputSpec check (`ndim` or `min_ndim`, counting the batch axis)."""
    if len(shape) == ndim or (at_least and len(shape) > ndim):
        return
    expected = f"at least {ndim - 1}" if at_least else f"{ndim - 1}"
    hint = None
    if len(shape) == ndim + 1 and shape[1] == 1:  # `shape: [1, 64, 64, 3]`: a batch size in it
        rest = ", ".join("null" if d is None else str(d) for d in shape[2:])
        hint = (
            f"if the Input's `shape` starts with a batch size of 1, leave it out (Keras adds the "
            f"batch axis): shape: [{rest}]"
        )
    raise Refusal(
        Code.RANK_MISMATCH,
        f"expects inputs with {expected} axes besides the batch axis; "
        f"received shape {format_shape(shape)}",
        hint=hint,
    )


def spatial_axes(shape: Shape, fmt: str) -> range:
    """Indices of the spatial axes of a (batch, ..., channels) or (batch, channels, ...) shape."""
    return range(1, len(shape) - 1) if fmt == "channels_last" else range(2, len(shape))


def channel_axis(shape: Shape, fmt: str) -> int:
    return len(shape) - 1 if fmt == "channels_last" else 1


def known_channels(shape: Shape, fmt: str) -> int:
    channels = shape[channel_axis(shape, fmt)]
    if channels is None:
        raise Refusal(
            Code.CHANNELS_REFUSED,
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
