"""The values the model-code reader works with: Python's own (numbers, strings, tuples, lists,
dicts) where the code computes them, and these stand-ins for what it cannot or need not
compute: a name in Keras's namespace, a layer object, a tensor, a model, a function of the
file, a value the reader did not follow."""

from __future__ import annotations

import ast
from typing import Any

from deconvcheck.record import Record


class Unknown(Record):
    """A value the reader did not follow (data, the command line, a call it does not model):
    anything computed from it is unknown too, and a layer that needs it is not inferred."""

    why: str
    line: int
    fix: str = ""  # what would let the reader follow it, where there is more to say


class KerasName(Record):
    """A name in Keras's namespace, as the file imported it: `keras`, `keras.layers`,
    `keras.layers.Conv2D`, `keras.ops.mean`; `tensorflow.keras...` is read as `keras...`."""

    path: str

    def attr(self, name: str) -> KerasName:
        return KerasName(f"{self.path}.{name}")


class Other(Record):
    """A module or object outside Keras (numpy, os, argparse, ...): not followed."""

    path: str


class Tensor(Record):
    """Output `output` of call `call` (numbered over the whole file, as Keras numbers nodes)
    of the layer object `layer`."""

    layer: LayerObj
    call: int
    output: int = 0


class Outputs(Record):
    """What a call of a layer that may give several tensors returns (an LSTM with
    `return_state`, a model with several outputs): unpacked or indexed, its tensors; used as
    one tensor, its first."""

    layer: LayerObj
    call: int

    def first(self) -> Tensor:
        return Tensor(self.layer, self.call, 0)


class Place(Record):
    """Where the code made a layer or called it: its line and column, and the chain of builder
    calls and loop iterations that led there (`in conv_block(filters=256) called at
    model.py:88, ...`)."""

    line: int
    column: int
    chain: str = ""


class CallRecord(Record):
    """One call of a layer: the tensors it took (in the order the layer takes them), its own
    keyword arguments that matter to shapes, and where it was written."""

    inputs: tuple[Tensor, ...]
    place: Place


class LayerObj:
    """A layer the code made: its type (as the registry names it), Keras's name for it, its
    arguments (Keras's names), and its calls in order."""

    def __init__(self, type_name: str, name: str, args: dict[str, Any], place: Place) -> None:
        self.type_name = type_name
        self.name = name
        self.args = args
        self.place = place
        self.calls: list[CallRecord] = []
        self.input_args: dict[str, Any] = {}  # input_shape=...: a Sequential's first layer's
        self.unknown: Unknown | None = None  # an argument it needs that the reader lacks
        self.sequence: int = -1  # when it was first called, over the whole file

    def __repr__(self) -> str:
        return f"<{self.type_name} {self.name!r}>"


class ModelObj:
    """A model the code made: `keras.Model(inputs, outputs)` or a Sequential (its layers in
    order). As a layer of another model it is a LayerObj of its own (`as_layer`)."""

    def __init__(self, name: str, place: Place, *, sequential: bool = False) -> None:
        self.name = name
        self.place = place
        self.sequential = sequential
        self.inputs: list[Tensor] = []
        self.outputs: list[Tensor] = []
        self.output_keys: list[str] | None = None  # `outputs={...}`: Keras keeps the order given
        self.layers: list[LayerObj] = []  # a Sequential's, in order
        self.input_shape: tuple[int | None, ...] | None = None  # a Sequential's, when given
        self.input_name: str | None = None  # the InputLayer Keras made for it
        self.builds: dict[int, int] = {}  # a Sequential's: how often Keras built each layer in
        self.as_layer: LayerObj | None = None
        self.unknown: Unknown | None = None

    def __repr__(self) -> str:
        return f"<model {self.name!r}>"


class Function(Record):
    """A function the file defines (or a lambda), with the scope it closes over."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    closure: Any  # the defining Scope
    defaults: tuple[Any, ...]
    kw_defaults: tuple[Any, ...]


class Bound(Record):
    """A method of a value (`skips.append`, `model.add`, `x.shape`), found when it is called."""

    target: Any
    name: str


class CustomClass(Record):
    """A class the file defines: a Keras `Layer` or `Model` subclass is not followed (unless a
    plugin registers a layer type of that name)."""

    name: str
    line: int
    keras_base: str | None  # "Layer" / "Model" when it subclasses one
