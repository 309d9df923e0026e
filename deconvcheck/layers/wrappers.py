"""Bidirectional and TimeDistributed (Keras 3 `layers/rnn/bidirectional.py`,
`time_distributed.py`): layers that hold another layer, given as `layer: {type: LSTM,
units: 8}` in a spec, as Keras's serialized layer in a model file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    AnyLayer,
    Config,
    Example,
    Layer,
    Params,
    Refusal,
    Role,
    Shape,
    arg,
    format_shape,
    ignored,
    python_literal,
    shown,
)
from deconvcheck.layers.registry import lookup

if TYPE_CHECKING:
    from fractions import Fraction


def wrapped_layer(value: object, name: str, rank: int) -> AnyLayer:
    """The layer a wrapper holds: `{type: LSTM, units: 8}` (or `{type, args}`), or Keras's
    `{class_name, config}`."""
    if isinstance(value, Layer):
        return value
    if not isinstance(value, Mapping) or not ("type" in value or "class_name" in value):
        raise Refusal(
            Code.VALUE_REFUSED,
            f"`{name}` must be a layer such as {{type: LSTM, units: 8}}",
            arg=name,
        )
    keras = "class_name" in value
    type_name = value["class_name" if keras else "type"]
    cls = lookup(type_name) if isinstance(type_name, str) else None
    if cls is None:
        raise Refusal(
            Code.UNKNOWN_LAYER_TYPE, f"`{name}`: unknown layer type {type_name!r}", arg=name
        )
    if keras:
        args = cls.from_keras(value.get("config") or {})
    else:
        given = value.get("args")
        args = (
            dict(given)
            if isinstance(given, Mapping)
            else {k: v for k, v in value.items() if k != "type"}
        )
    unknown = sorted(set(args) - {a.name for a in cls.all_args()})
    if unknown:
        raise Refusal(
            Code.UNKNOWN_ARGUMENT, f"`{name}`: {cls.keras_name()} has no argument {unknown[0]!r}"
        )
    return cls(args)


def optional_wrapped_layer(value: object, name: str, rank: int) -> AnyLayer | None:
    return None if value is None else wrapped_layer(value, name, rank)


def merge_mode(value: object, name: str, rank: int) -> str | None:
    """How the two directions are joined; None keeps them apart (two outputs)."""
    if value is None or value in ("concat", "sum", "mul", "ave"):
        return None if value is None else str(value)
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be 'concat', 'sum', 'mul' or 'ave'; received {shown(value)}",
        arg=name,
    )


class Wrapper(Layer):
    ROLE = Role.RESHAPING

    def receptive_field(self, rf: Fraction, jump: Fraction) -> None:
        return None

    def written(self, name: str, value: Any) -> Any:
        """The layer held, as a spec writes it: `{type: LSTM, units: 8}`."""
        if isinstance(value, Layer):
            args = value.arguments()
            return {"type": value.spec_name(), **{k: value.written(k, v) for k, v in args.items()}}
        return super().written(name, value)

    def keras_code(self, name: str | None, args: Mapping[str, Any]) -> str | None:
        """The layer held is made in place, named by Keras (`forward_lstm`, ...)."""
        parts = [
            f"{k}={v.keras_code(None, v.arguments())}"
            if isinstance(v, Layer)
            else f"{k}={python_literal(v)}"
            for k, v in args.items()
        ]
        named = [] if name is None else [f"name={name!r}"]
        return f"layers.{self.keras_name()}({', '.join(parts + named)})"


def _option(layer: AnyLayer, name: str) -> object:
    return layer.config.__dict__.get(name, False)


class BidirectionalConfig(Config):
    layer: AnyLayer = arg(wrapped_layer, required=True, doc="the recurrent layer, forwards")
    merge_mode: str | None = arg(
        merge_mode, "concat", doc="concat, sum, mul or ave; null: two outputs, one per direction"
    )
    weights = ignored(doc="ignored")
    backward_layer: AnyLayer | None = arg(optional_wrapped_layer, None, doc="default: a copy")


class Bidirectional(Wrapper):
    """The layer run forwards and a copy (or `backward_layer`) run backwards; concat doubles
    the last axis. Weights: both layers'."""

    config: BidirectionalConfig
    NAMES = ("Bidirectional",)
    CONFIG = BidirectionalConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"layer": {"type": "LSTM", "units": 8}}, ((None, 10, 4),))

    def validate(self) -> None:
        forward, backward = self.config.layer, self.config.backward_layer
        if "go_backwards" not in {a.name for a in forward.all_args()}:
            raise Refusal(
                Code.VALUE_REFUSED,
                f"wraps a recurrent layer (one with go_backwards); received {forward.keras_name()}",
                arg="layer",
            )
        if backward is not None and _option(backward, "go_backwards") == _option(
            forward, "go_backwards"
        ):
            raise Refusal(
                Code.VALUE_REFUSED,
                "the forward and backward layers need different `go_backwards` values",
                arg="backward_layer",
            )

    def _backward(self) -> AnyLayer:
        return self.config.backward_layer or self.config.layer

    def arguments(self) -> dict[str, Any]:
        """As Keras's, without a `backward_layer` that is the forward layer run backwards (what
        Keras makes when none is given, and writes into a model file)."""
        args = super().arguments()
        forward, backward = self.config.layer, self.config.backward_layer
        if backward is not None and type(backward) is type(forward):
            differ = {
                key
                for key, value in backward.config.values().items()
                if value != forward.config.values().get(key)
            }
            if differ <= {"go_backwards"} and backward.trainable == forward.trainable:
                args.pop("backward_layer", None)
        return args

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        out = self.config.layer.output_shape(inputs)
        if self.config.merge_mode == "concat" and out[-1] is not None:
            return (*out[:-1], out[-1] * 2)
        return out

    def output_count(self) -> int:
        """The merged output (or, with merge_mode None, each direction's), then the forward
        layer's states and the backward layer's."""
        outputs = 2 if self.config.merge_mode is None else 1
        return outputs + 2 * (self.config.layer.output_count() - 1)

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        forward = self.config.layer.output_shapes(inputs)
        backward = self._backward().output_shapes(inputs)
        merged: tuple[Shape, ...] = (self.output_shape(inputs),)
        if self.config.merge_mode is None:
            merged = (forward[0], backward[0])
        return (*merged, *forward[1:], *backward[1:])

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        forward = self.config.layer.param_count(inputs)
        backward = self._backward().param_count(inputs)
        return Params(
            forward.trainable + backward.trainable, forward.non_trainable + backward.non_trainable
        )

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        forward = self.config.layer
        backward = self._backward()
        return forward.macs(inputs, forward.output_shape(inputs)) + backward.macs(
            inputs, backward.output_shape(inputs)
        )

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        inner = self.config.layer.keras_name()
        mode = self.config.merge_mode
        if mode is None:
            return [f"{inner} forwards and backwards, kept apart: {format_shape(output)} each"]
        return [f"{inner} forwards and backwards, merged by {mode}: {format_shape(output)}"]


class TimeDistributedConfig(Config):
    layer: AnyLayer = arg(wrapped_layer, required=True, doc="the layer applied at every step")


class TimeDistributed(Wrapper):
    """The layer applied to every step of axis 1: (batch, time, ...) -> (batch, time, its
    output); its weights once."""

    config: TimeDistributedConfig
    NAMES = ("TimeDistributed",)
    CONFIG = TimeDistributedConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"layer": {"type": "Dense", "units": 3}}, ((None, 5, 4),))

    def _child(self, shape: Shape) -> Shape:
        if len(shape) < 3:
            raise Refusal(
                Code.RANK_MISMATCH,
                f"needs a time axis and at least one more; received {format_shape(shape)}",
            )
        return (shape[0], *shape[2:])

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        out = self.config.layer.output_shape([self._child(shape)])
        return (out[0], shape[1], *out[1:])

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        return self.config.layer.param_count([self._child(inputs[0])])

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        child = [self._child(inputs[0])]
        inner = self.config.layer
        return (inputs[0][1] or 1) * inner.macs(child, inner.output_shape(child))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        inner = self.config.layer.keras_name()
        return [f"{inner} at every step of axis 1: {format_shape(output)}"]
