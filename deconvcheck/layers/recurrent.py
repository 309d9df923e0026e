"""Embedding, SimpleRNN, LSTM, GRU and ConvLSTM1D/2D/3D (Keras 3 `layers/core/embedding.py`,
`layers/rnn/`).

A recurrent layer reads (batch, time, features) and gives (batch, time, units) with
`return_sequences`, else (batch, units). `return_state` makes Keras return a list of tensors;
deconvcheck reads one output per layer and refuses it, saying so."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    IGNORED_DOC,
    Config,
    Example,
    Layer,
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
    ignored_group,
    int_tuple,
    known_channels,
    optional_positive_int,
    positive_int,
    product,
    require_rank,
    shown,
    spatial_axes,
)
from deconvcheck.layers.convolution import (
    KERNEL_DOC,
    conv_output_shape,
    conv_padding,
    refuse_strided_dilation,
)
from deconvcheck.layers.core import LORA_DOC, fraction, lora_weights

if TYPE_CHECKING:
    from fractions import Fraction


class EmbeddingConfig(Config):
    input_dim: int = arg(positive_int, required=True, doc="vocabulary size")
    output_dim: int = arg(positive_int, required=True, doc="size of each vector")
    weights = ignored_group(
        "embeddings_initializer", "embeddings_regularizer", "embeddings_constraint"
    )
    mask_zero: bool = arg(boolean, False)
    input_length = ignored(doc="deprecated Keras 2 argument; ignored, as Keras 3 does")
    lora_rank: int | None = arg(optional_positive_int, None, doc=LORA_DOC)
    lora_alpha = ignored(doc="scales the update; no shape or count depends on it")
    quantization_config = ignored()


class Embedding(Layer):
    """A vector per integer: (..., ) -> (..., output_dim); input_dim x output_dim weights."""

    config: EmbeddingConfig
    NAMES = ("Embedding",)
    CONFIG = EmbeddingConfig
    ROLE = Role.RESHAPING
    MACS_FREE = True  # a table lookup

    @classmethod
    def example(cls) -> Example:
        return Example({"input_dim": 10, "output_dim": 4}, ((None, 5),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return (*inputs[0], self.config.output_dim)

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        """Embedding(10, 4, lora_rank=2): 40 frozen, 2 * (10 + 4) = 28 trained (Keras 3.15.1)."""
        return lora_weights(self.config.input_dim, self.config.output_dim, 0, self.config.lora_rank)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"each index becomes a vector of {self.config.output_dim}: {format_shape(output)}"]

    def receptive_field(self, rf: Fraction, jump: Fraction) -> None:
        return None


def use_cudnn(value: object, name: str, rank: int) -> object:
    if isinstance(value, bool) or value == "auto":
        return value
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be 'auto', true or false; received {shown(value)}",
        arg=name,
    )


# What every recurrent layer (SimpleRNN, LSTM, GRU, ConvLSTM) takes, in Keras's order.
INITIALIZERS = ignored_group("kernel_initializer", "recurrent_initializer", "bias_initializer")
PENALTIES = ignored_group(
    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
    "kernel_constraint", "recurrent_constraint", "bias_constraint",
)  # fmt: skip

OPTIONS = ignored_group("go_backwards", "stateful", "unroll", "zero_output_for_mask", "seed")


class SimpleRNNConfig(Config):
    units: int = arg(positive_int, required=True, doc="size of the state and the output")
    activation: object = arg(activation, "tanh", doc="a Keras activation name")
    use_bias: bool = arg(boolean, True)
    initializers = INITIALIZERS
    penalties = PENALTIES
    dropout: float = arg(fraction, 0.0)
    recurrent_dropout: float = arg(fraction, 0.0)
    return_sequences: bool = arg(boolean, False, doc="the output at every step, not the last")
    return_state: bool = arg(boolean, False, doc="also give the last state(s) as outputs")
    options = OPTIONS


class LSTMConfig(SimpleRNNConfig):
    recurrent_activation: object = arg(activation, "sigmoid", doc="a Keras activation name")
    unit_forget_bias = ignored(True, doc="changes an initializer only")
    use_cudnn: object = arg(use_cudnn, "auto")


class GRUConfig(SimpleRNNConfig):
    recurrent_activation: object = arg(activation, "sigmoid", doc="a Keras activation name")
    reset_after: bool = arg(boolean, True, doc="separate input and recurrent biases")
    use_cudnn: object = arg(use_cudnn, "auto")


class Recurrent(Layer):
    """The RNN shape rule; GATES kernels of (features + units) x units each. A call takes the
    sequence and, optionally, its initial state(s) (`initial_state=`, each (batch, units)); with
    `return_state` it gives the output and then its last state(s)."""

    config: SimpleRNNConfig
    CONFIG = SimpleRNNConfig
    ROLE = Role.RESHAPING
    GATES = 1
    STATES: ClassVar[int] = 1  # an LSTM keeps two: h and c
    MAX_INPUTS = 2  # the sequence, then its initial state(s)

    @classmethod
    def example(cls) -> Example:
        return Example({"units": 8, "return_sequences": True}, ((None, 10, 4),))

    def _features(self, shape: Shape) -> int:
        require_rank(shape, 3)
        features = shape[-1]
        if features is None:
            raise Refusal(
                Code.CHANNELS_REFUSED,
                f"needs a known feature axis; received shape {format_shape(shape)}",
            )
        return features

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = inputs[0]
        self._features(shape)
        units = self.config.units
        return (shape[0], shape[1], units) if self.config.return_sequences else (shape[0], units)

    def output_count(self) -> int:
        return 1 + self.STATES if self.config.return_state else 1

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        """The sequence, then its initial state(s) as `initial_state=`."""
        if len(feeds) == 1:
            return f"{callee}({feeds[0]})"
        return f"{callee}({feeds[0]}, initial_state=[{', '.join(feeds[1:])}])"

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        state = (inputs[0][0], self.config.units)
        return (self.output_shape(inputs), *[state] * (self.output_count() - 1))

    def biases(self) -> int:
        return self.GATES * self.config.units if self.config.use_bias else 0

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        features, units = self._features(inputs[0]), self.config.units
        return Params(self.GATES * units * (features + units) + self.biases())

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Every step: GATES x (features + units) x units."""
        features, units = self._features(inputs[0]), self.config.units
        steps = inputs[0][1] or 1
        return steps * self.GATES * (features + units) * units

    def receptive_field(self, rf: Fraction, jump: Fraction) -> None:
        return None

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        what = "every step's state" if self.config.return_sequences else "the last state"
        return [f"{what}, {self.config.units} units: {format_shape(output)}"]


class SimpleRNN(Recurrent):
    NAMES = ("SimpleRNN",)


class LSTM(Recurrent):
    """Input, forget, cell and output gates: 4 x (units x (features + units) + units)."""

    config: LSTMConfig
    NAMES = ("LSTM",)
    CONFIG = LSTMConfig
    GATES = 4
    STATES = 2
    MAX_INPUTS = 3


class GRU(Recurrent):
    """Update, reset and candidate: 3 x units x (features + units), plus 3 x units biases, or
    6 x units with `reset_after` (separate input and recurrent biases)."""

    config: GRUConfig
    NAMES = ("GRU",)
    CONFIG = GRUConfig
    GATES = 3

    def biases(self) -> int:
        if not self.config.use_bias:
            return 0
        return (6 if self.config.reset_after else 3) * self.config.units


activation_name = activation


class ConvLSTMConfig(Config):
    filters: int = arg(positive_int, required=True, doc="channels of the state and the output")
    kernel_size: tuple[int, ...] = arg(int_tuple, required=True, doc=KERNEL_DOC)
    strides: tuple[int, ...] = arg(int_tuple, 1)
    padding: str = arg(conv_padding(causal=False), "valid")
    data_format: str = arg(data_format, None)
    dilation_rate: tuple[int, ...] = arg(int_tuple, 1)
    activation: object = arg(activation, "tanh", doc="a Keras activation name")
    # (`activation` here is the field above: the parser is named through the module)
    recurrent_activation: object = arg(activation_name, "sigmoid", doc="a Keras activation name")
    use_bias: bool = arg(boolean, True)
    initializers = INITIALIZERS
    unit_forget_bias = ignored(doc=IGNORED_DOC)
    penalties = PENALTIES
    dropout: float = arg(fraction, 0.0)
    recurrent_dropout: float = arg(fraction, 0.0)
    return_sequences: bool = arg(boolean, False, doc="the output at every step, not the last")
    return_state: bool = arg(boolean, False, doc="also give the last states (h and c) as outputs")
    options = OPTIONS


class ConvLSTM(Layer):
    """An LSTM whose gates are convolutions: (batch, time, *spatial, C) -> the convolution of
    one step, for every step with `return_sequences`. 4 x filters x (kernel x (C + filters))
    weights, plus 4 x filters biases. A call takes the sequence and, optionally, its initial
    h and c."""

    config: ConvLSTMConfig
    CONFIG = ConvLSTMConfig
    CHECKS_BUILT_INPUT = True
    MAX_INPUTS = 3
    ROLE = Role.RESHAPING  # a time axis in front of the window's axes

    @classmethod
    def example(cls) -> Example:
        return Example(
            {"filters": 4, "kernel_size": 3, "return_sequences": True},
            ((None, 5, *(9,) * cls.RANK, 3),),
        )

    def validate(self) -> None:
        refuse_strided_dilation(self.config.strides, self.config.dilation_rate)

    def _step(self, shape: Shape) -> tuple[Shape, int]:
        """One time step's shape (the time axis taken out) and its channels."""
        require_rank(shape, self.RANK + 3)
        step = (shape[0], *shape[2:])
        fmt = self.config.data_format
        channels = known_channels(step, fmt)
        if any(step[a] is None for a in spatial_axes(step, fmt)):
            raise Refusal(
                Code.CHANNELS_REFUSED,
                f"needs known spatial sizes (Keras's ConvLSTM takes static ones); received "
                f"{format_shape(shape)}",
            )
        return step, channels

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = inputs[0]
        step, _ = self._step(shape)
        out = conv_output_shape(self.config, step, self.config.filters)
        return (out[0], shape[1], *out[1:]) if self.config.return_sequences else out

    def output_count(self) -> int:
        return 3 if self.config.return_state else 1

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        if len(feeds) == 1:
            return f"{callee}({feeds[0]})"
        return f"{callee}({feeds[0]}, initial_state=[{', '.join(feeds[1:])}])"

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        """The output, then with `return_state` the last h and c: one step's convolution."""
        out = self.output_shape(inputs)
        if not self.config.return_state:
            return (out,)
        state = conv_output_shape(self.config, self._step(inputs[0])[0], self.config.filters)
        return (out, state, state)

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        _, channels = self._step(inputs[0])
        filters = self.config.filters
        kernel = 4 * filters * product(self.config.kernel_size) * (channels + filters)
        return Params(kernel + (4 * filters if self.config.use_bias else 0))

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Every step, at every output position: kernel x (C + filters) x 4 x filters."""
        step, channels = self._step(inputs[0])
        out = conv_output_shape(self.config, step, self.config.filters)
        positions = product([out[a] or 0 for a in spatial_axes(out, self.config.data_format)])
        per_position = product(self.config.kernel_size) * (channels + self.config.filters)
        return (inputs[0][1] or 1) * positions * per_position * 4 * self.config.filters

    def receptive_field(self, rf: Fraction, jump: Fraction) -> None:
        return None

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        what = "every step" if self.config.return_sequences else "the last step"
        return [f"the convolution of {what}, {self.config.filters} filters: {format_shape(output)}"]


class ConvLSTM1D(ConvLSTM):
    NAMES = ("ConvLSTM1D",)
    RANK = 1


class ConvLSTM2D(ConvLSTM):
    NAMES = ("ConvLSTM2D",)
    RANK = 2


class ConvLSTM3D(ConvLSTM):
    NAMES = ("ConvLSTM3D",)
    RANK = 3
