"""A model used as a layer (transfer learning: `base = MobileNetV2(...)`, then `base(x)` in
another model). Keras's summary shows it as one row, its class ('Functional' or
'Sequential'), the output shape and all its parameters.

The nested model is given as a `Submodel`: something that runs its own layers on the shapes it
is called with. The inference engine makes one from the nested model's declarations (so this
module needs nothing of the engine)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    Config,
    Example,
    Layer,
    Params,
    Refusal,
    Role,
    Shape,
    arg,
    format_shape,
    image,
    shown,
)


class Submodel(Protocol):
    """A model's layers, run on the shapes the model is called with."""

    name: str
    outputs: int  # how many tensors a call gives

    def run(self, inputs: Sequence[Shape]) -> tuple[tuple[Shape, ...], Params]:
        """The output shapes and the parameters; raises `Refusal` where Keras would."""
        ...

    def standalone(self) -> Any:
        """The model inferred on its own declared inputs, as Keras lists a nested model's layers
        (`expand_nested`: the shapes it was built with); None when there is nothing to list."""
        ...


def submodel(value: object, name: str, rank: int) -> Submodel:
    if callable(getattr(value, "run", None)):
        return value  # type: ignore[return-value]
    raise Refusal(
        Code.VALUE_REFUSED, f"`{name}` must be a model; received {shown(value)}", arg=name
    )


class NestedConfig(Config):
    model: Submodel = arg(submodel, required=True, doc="the model used as a layer")


class _Unchanged:
    """The smallest model: gives back its input, owns one weight (for `example`)."""

    name = "unchanged"
    outputs = 1

    def run(self, inputs: Sequence[Shape]) -> tuple[tuple[Shape, ...], Params]:
        return (inputs[0],), Params(1)

    def standalone(self) -> None:
        return None


class Nested(Layer):
    config: NestedConfig

    CONFIG = NestedConfig
    ROLE = Role.RESHAPING
    MACS_FREE = True  # its own layers' MACs are not counted in the outer model yet
    SHARED = False  # its model is built for its declaration
    MAX_INPUTS = None  # as many as its model has Inputs

    @classmethod
    def example(cls) -> Example:
        return Example({"model": _Unchanged()}, (image(2),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return self.config.model.run(inputs)[0][0]

    def output_count(self) -> int:
        return self.config.model.outputs

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        return self.config.model.run(inputs)[0]

    def weight_count(self, inputs: Sequence[Shape]) -> Params:
        return self.config.model.run(inputs)[1]

    def inner(self) -> Submodel:
        return self.config.model

    def keras_code(self, name: str | None, args: Mapping[str, Any]) -> str | None:
        raise NotImplementedError("a nested model is written by its own builder (convert.py)")

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"the model {self.config.model.name!r}, run on {format_shape(inputs[0])}"]


class Functional(Nested):
    NAMES = ("Functional", "Model")


class Sequential(Nested):
    NAMES = ("Sequential",)
