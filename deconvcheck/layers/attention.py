"""MultiHeadAttention, Attention and AdditiveAttention (Keras 3 `layers/attention`). They take
a query, a value and optionally a key (by default the value); the output has the query's shape,
its last axis the value's (Attention) or `output_shape` (MultiHeadAttention)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    Config,
    Example,
    Layer,
    Params,
    Refusal,
    Role,
    Shape,
    anything,
    arg,
    boolean,
    choice,
    format_shape,
    ignored,
    ignored_group,
    is_int,
    optional_positive_int,
    positive_int,
    product,
    shown,
)
from deconvcheck.layers.core import fraction

if TYPE_CHECKING:
    from fractions import Fraction


def output_dims(value: object, name: str, rank: int) -> tuple[int, ...] | None:
    """MultiHeadAttention's `output_shape`: None (the query's last axis), an int or a list."""
    if value is None:
        return None
    if is_int(value) and int(value) > 0:  # type: ignore[call-overload]
        return (int(value),)  # type: ignore[call-overload]
    if isinstance(value, list | tuple) and value and all(is_int(v) and v > 0 for v in value):
        return tuple(value)
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be a positive int or a list of them; received {shown(value)}",
        arg=name,
    )


def _last(shape: Shape, what: str) -> int:
    size = shape[-1]
    if size is None:
        raise Refusal(
            Code.CHANNELS_REFUSED,
            f"needs a known last axis of the {what}; received {format_shape(shape)}",
        )
    return size


def _steps(shape: Shape) -> int:
    return product([d or 1 for d in shape[1:-1]])


class AttentionLayer(Layer):
    """Query, value and an optional key: two or three inputs."""

    ROLE = Role.MERGE
    MIN_INPUTS = 2
    MAX_INPUTS: ClassVar[int | None] = 3

    @classmethod
    def example(cls) -> Example:
        return Example({}, ((None, 8, 16), (None, 10, 16)))

    def _inputs(self, inputs: Sequence[Shape]) -> tuple[Shape, Shape, Shape]:
        if len(inputs) not in (2, 3):
            raise Refusal(
                Code.INPUT_COUNT,
                f"takes a query and a value, and optionally a key; received {len(inputs)} inputs",
            )
        query, value = inputs[0], inputs[1]
        return query, value, inputs[2] if len(inputs) == 3 else value

    def receptive_field(self, rf: Fraction, jump: Fraction) -> None:
        return None


class MultiHeadAttentionConfig(Config):
    num_heads: int = arg(positive_int, required=True, doc="number of attention heads")
    key_dim: int = arg(positive_int, required=True, doc="size of each head for query and key")
    value_dim: int | None = arg(optional_positive_int, None, doc="size of each head for value")
    dropout: float = arg(fraction, 0.0)
    use_bias: bool = arg(boolean, True)
    use_gate: bool = arg(boolean, False)
    output_shape: tuple[int, ...] | None = arg(output_dims, None, doc="default: query's last axis")
    attention_axes = ignored(doc="does not change shapes or counts")
    return_attention_scores: bool = arg(
        boolean, False, doc="a call argument in Keras: also give the scores, a second output"
    )
    sliding_window: int | None = arg(optional_positive_int, None)
    flash_attention: object = arg(anything, None, doc="ignored unless set with a dropout")
    weights = ignored_group(
        "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
        "kernel_constraint", "bias_constraint",
    )  # fmt: skip
    seed = ignored(doc="ignored")


class MultiHeadAttention(AttentionLayer):
    """Four dense projections: query and key to heads x key_dim, value to heads x value_dim,
    and back to `output_shape` (default the query's last axis)."""

    config: MultiHeadAttentionConfig
    NAMES = ("MultiHeadAttention",)
    BUILD_NAMES = ("Softmax", "Dropout")  # recorded from Keras 3.15.1's name counters
    CONFIG = MultiHeadAttentionConfig
    CALL_ARGS = ("return_attention_scores",)

    @classmethod
    def example(cls) -> Example:
        return Example({"num_heads": 2, "key_dim": 4}, ((None, 8, 16), (None, 10, 16)))

    def validate(self) -> None:
        if self.config.flash_attention and self.config.dropout > 0:
            raise Refusal(
                Code.VALUE_REFUSED,
                "flash_attention cannot be used with a dropout",
                arg="flash_attention",
            )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        query, value, key = self._inputs(inputs)
        if value[1:-1] != key[1:-1]:
            raise Refusal(
                Code.MERGE_MISMATCH,
                f"value {format_shape(value)} and key {format_shape(key)} must agree on every "
                "axis but the last",
            )
        extra = self.config.output_shape
        return (*query[:-1], *extra) if extra else query

    def output_count(self) -> int:
        return 2 if self.config.return_attention_scores else 1

    def keras_code(self, name: str | None, args: Mapping[str, Any]) -> str | None:
        kept = {k: v for k, v in args.items() if k not in self.CALL_ARGS}  # given at the call
        return super().keras_code(name, kept)

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        """query, value(, key) as positional tensors, as Keras's MultiHeadAttention takes them."""
        scores = ", return_attention_scores=True" if self.config.return_attention_scores else ""
        return f"{callee}({', '.join(feeds)}{scores})"

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        """The output, then with `return_attention_scores` the scores: (batch, heads, query's
        axes, key's axes)."""
        output = self.output_shape(inputs)
        if not self.config.return_attention_scores:
            return (output,)
        query, _, key = self._inputs(inputs)
        return output, (query[0], self.config.num_heads, *query[1:-1], *key[1:-1])

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        query, value, key = self._inputs(inputs)
        config = self.config
        heads, k = config.num_heads, config.key_dim
        v = config.value_dim or k
        dq, dk, dv = _last(query, "query"), _last(key, "key"), _last(value, "value")
        out = product(config.output_shape) if config.output_shape else dq
        b = 1 if config.use_bias else 0
        total = heads * k * (dq + b) + heads * k * (dk + b) + heads * v * (dv + b)
        total += heads * v * out + out * b
        if config.use_gate:
            total += heads * v * (dq + b)
        return Params(total)

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """The four projections, and the scores and weighted sums of every head."""
        query, value, key = self._inputs(inputs)
        heads, k = self.config.num_heads, self.config.key_dim
        v = self.config.value_dim or k
        t, s = _steps(query), _steps(value)
        dq, dk, dv = _last(query, "query"), _last(key, "key"), _last(value, "value")
        out = product(self.config.output_shape) if self.config.output_shape else dq
        projections = t * dq * heads * k + s * (dk * heads * k + dv * heads * v)
        return projections + t * heads * v * out + t * s * heads * (k + v)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"{self.config.num_heads} heads over the query's positions: {format_shape(output)}"]


class AttentionConfig(Config):
    use_scale: bool = arg(boolean, False, doc="a learned scalar scale")
    score_mode: str = arg(choice("dot", "concat", lower=False), "dot")
    dropout: float = arg(fraction, 0.0)
    seed = ignored(doc="ignored")


class Attention(AttentionLayer):
    """Dot-product attention: the query's shape with the value's last axis; a scalar weight
    for `use_scale` and one for `score_mode: concat`."""

    config: AttentionConfig
    NAMES = ("Attention",)
    CONFIG = AttentionConfig

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        query, value, _ = self._inputs(inputs)
        return (*query[:-1], value[-1])

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        self._inputs(inputs)
        return Params(int(self.config.use_scale) + int(self.config.score_mode == "concat"))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"each query position, a weighted sum of values: {format_shape(output)}"]

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        return f"{callee}([{', '.join(feeds)}])"


class AdditiveAttentionConfig(Config):
    use_scale: bool = arg(boolean, True, doc="a learned scale per query feature")
    dropout: float = arg(fraction, 0.0)
    score_mode = ignored("dot", doc="accepted and unused by Keras")
    seed = ignored(doc="ignored")


class AdditiveAttention(AttentionLayer):
    """Bahdanau-style attention: the output as Attention's; a scale of the query's last axis."""

    config: AdditiveAttentionConfig
    NAMES = ("AdditiveAttention",)
    CONFIG = AdditiveAttentionConfig
    MACS_FREE = True  # weight-free products, as the README's MAC convention counts them (0)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        query, value, _ = self._inputs(inputs)
        self.weight_count(inputs)
        return (*query[:-1], value[-1])

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        query, _, _ = self._inputs(inputs)
        return Params(_last(query, "query") if self.config.use_scale else 0)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"each query position, a weighted sum of values: {format_shape(output)}"]

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        return f"{callee}([{', '.join(feeds)}])"
