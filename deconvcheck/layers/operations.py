"""Operations Keras 3 records when a model is written with tensor expressions and `keras.ops`
(`x[..., 0]`, `x ** 2`, `keras.ops.square(x)`, `x + y`, `x * 0.5`): each is a row of Keras's
summary, named after its class (`square (Square)`), with no weights.

A spec writes one as `type: ops.square` (`keras.ops`'s function name; `ops.Square`, Keras's
class, works too): its `inputs` are the tensors it takes and `operands` the call's positional
arguments as Keras recorded them, `null` where a tensor goes (`x ** 2` is `operands: [null, 2]`).
A Keras file's operations (module `keras.src.ops...`) are read so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    Config,
    Example,
    Layer,
    Refusal,
    Role,
    Shape,
    arg,
    boolean,
    format_shape,
    python_literal,
    shown,
)

PREFIX = "ops."
ELLIPSIS = {"class_name": "__ellipsis__", "config": {}}  # how Keras writes `...` in a file


def broadcast(first: Shape, second: Shape) -> Shape:
    """Keras's `broadcast_shapes`: aligned from the last axis, 1 stretches, None is unknown
    (None against 1 stays None, against n becomes n).

    >>> broadcast((None, 6, 4), (4,))
    (None, 6, 4)
    """
    a: list[int | None] = list(first)
    b: list[int | None] = list(second)
    a = [*[1] * (len(b) - len(a)), *a]
    b = [*[1] * (len(a) - len(b)), *b]
    out: list[int | None] = []
    for x, y in zip(a, b, strict=True):
        if x == 1:
            out.append(y)
        elif x is None:
            out.append(None if y == 1 else y)
        elif y in (1, None, x):
            out.append(x)
        else:
            raise Refusal(
                Code.MERGE_MISMATCH,
                f"cannot broadcast {format_shape(first)} with {format_shape(second)}: "
                f"{x} against {y}",
            )
    return tuple(out)


def _operand_shape(value: object) -> Shape:
    """A constant operand's shape: () for a number, its lengths for a nested list."""
    shape: list[int] = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def _is_tensor(value: object) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _operands(args: Sequence[Any]) -> dict[str, Any]:
    """`operands` from a Keras file's call: its positional arguments, null for each tensor;
    nothing when every argument is a tensor."""
    operands = [None if _is_tensor(a) else a for a in args]
    return {"operands": operands} if any(o is not None for o in operands) else {}


def data(value: object, name: str, rank: int) -> object:
    """A value kept as the file writes it (numbers, lists, `...`)."""
    return value


def axes(value: object, name: str, rank: int) -> int | tuple[int, ...] | None:
    """A reduction's `axis`: none (every axis), one, or several."""
    if value is None or (type(value) is int):
        return value
    if isinstance(value, list | tuple) and all(type(v) is int for v in value):
        return tuple(value)
    raise Refusal(
        Code.VALUE_REFUSED,
        f"`{name}` must be an axis, a list of axes or null; received {shown(value)}",
        arg=name,
    )


class KerasOperation(Layer):
    """What every operation shares: no weights, Keras's class name in the summary, a function
    of keras.ops rather than an object to make, operands read from a Keras file's call."""

    KERAS: ClassVar[str] = ""  # Keras's class name

    @classmethod
    def keras_name(cls) -> str:
        return cls.KERAS

    @classmethod
    def from_keras_call(cls, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        return _operands(args) if "operands" in cls.arg_names() else {}

    def keras_code(self, name: str | None, args: Mapping[str, Any]) -> str | None:
        return None  # a function of keras.ops, not an object

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        operands = self.config.__dict__.get("operands")
        return _function_call(self, feeds, operands)


class OperationConfig(Config):
    operands: list[Any] | None = arg(
        data, None, doc="the call's positional arguments, null for each tensor"
    )


class Operation(KerasOperation):
    """An elementwise operation: the tensors and constant operands broadcast together."""

    config: OperationConfig
    CONFIG = OperationConfig
    MAX_INPUTS = None

    @classmethod
    def example(cls) -> Example:
        return Example({}, ((None, 6, 4),) * cls.MIN_INPUTS)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = inputs[0]
        for other in inputs[1:]:
            shape = broadcast(shape, other)
        for operand in self.config.operands or ():
            if operand is not None:
                shape = broadcast(shape, _operand_shape(operand))
        return shape


def _function_call(op: Layer, feeds: Sequence[str], operands: Sequence[Any] | None) -> str:
    """`keras.ops.<function>(...)`: the operands in order, each null taken by the next tensor;
    a reduction's `axis` and `keepdims` as keywords."""
    tensors = iter(feeds)
    filled = [next(tensors) if o is None else python_literal(o) for o in operands or []]
    filled += list(tensors)
    keywords = {k: v for k, v in op.arguments().items() if k != "operands"}
    filled += [f"{k}={python_literal(v)}" for k, v in keywords.items()]
    return f"keras.ops.{op.NAMES[1].removeprefix(PREFIX)}({', '.join(filled)})"


def _elementwise(keras: str, *functions: str, inputs: int = 1) -> type[Operation]:
    """An operation class of Keras's name `keras`, spelled `ops.<function>` in a spec."""
    names = tuple(f"{PREFIX}{n}" for n in (keras, *functions))
    attributes = {"NAMES": names, "KERAS": keras, "MIN_INPUTS": inputs, "__module__": __name__}
    return type(keras, (Operation,), attributes)


# One input, the shape unchanged (a constant operand may broadcast it).
Square = _elementwise("Square", "square")
Sqrt = _elementwise("Sqrt", "sqrt")
Absolute = _elementwise("Absolute", "abs", "absolute")
Negative = _elementwise("Negative", "negative")
Exp = _elementwise("Exp", "exp")
Log = _elementwise("Log", "log")
Reciprocal = _elementwise("Reciprocal", "reciprocal")
Sign = _elementwise("Sign", "sign")
Floor = _elementwise("Floor", "floor")
Ceil = _elementwise("Ceil", "ceil")
Round = _elementwise("Round", "round")
Tanh = _elementwise("Tanh", "tanh")
Sin = _elementwise("Sin", "sin")
Cos = _elementwise("Cos", "cos")
Clip = _elementwise("Clip", "clip")
Cast = _elementwise("Cast", "cast")
StopGradient = _elementwise("StopGradient", "stop_gradient")
Relu = _elementwise("Relu", "relu")
Sigmoid = _elementwise("Sigmoid", "sigmoid")
Gelu = _elementwise("Gelu", "gelu")
Silu = _elementwise("Silu", "silu", "swish")
# One or two tensors (a constant may stand for the second): broadcast.
Add = _elementwise("Add", "add")
Subtract = _elementwise("Subtract", "subtract")
Multiply = _elementwise("Multiply", "multiply")
Divide = _elementwise("Divide", "divide")
TrueDivide = _elementwise("TrueDivide", "true_divide")
FloorDivide = _elementwise("FloorDivide", "floor_divide")
Mod = _elementwise("Mod", "mod")
Power = _elementwise("Power", "power")
Maximum = _elementwise("Maximum", "maximum")
Minimum = _elementwise("Minimum", "minimum")


def _axes(axis: object, rank: int) -> list[int]:
    """Reduced axes, each in 0..rank-1; every axis for None."""
    if axis is None:
        return list(range(rank))
    items = axis if isinstance(axis, list | tuple) else [axis]
    found = []
    for item in items:
        if type(item) is not int or not -rank <= item < rank:
            raise Refusal(
                Code.AXIS_OUT_OF_RANGE,
                f"axis {shown(item)} is out of range for rank {rank}",
                arg="axis",
            )
        found.append(item % rank)
    return found


class ReductionConfig(Config):
    axis: int | tuple[int, ...] | None = arg(axes, None, doc="the axis or axes; null: every axis")
    keepdims: bool = arg(boolean, False, doc="keep each reduced axis, as 1")


class Reduction(KerasOperation):
    """Sum, mean, max, ... over `axis`: those axes removed, or kept as 1 with `keepdims`."""

    config: ReductionConfig
    CONFIG = ReductionConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"axis": 1, "keepdims": True}, ((None, 10),))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        kept = "kept as 1" if self.config.keepdims else "removed"
        which = "every axis" if self.config.axis is None else f"axis {self.config.axis}"
        return [f"{which} of {format_shape(inputs[0])} reduced ({kept}): {format_shape(output)}"]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = inputs[0]
        axes = set(_axes(self.config.axis, len(shape)))
        if self.config.keepdims:
            return tuple(1 if i in axes else n for i, n in enumerate(shape))
        return tuple(n for i, n in enumerate(shape) if i not in axes)


def _reduction(keras: str, *functions: str) -> type[Reduction]:
    names = tuple(f"{PREFIX}{n}" for n in (keras, *functions))
    return type(keras, (Reduction,), {"NAMES": names, "KERAS": keras, "__module__": __name__})


Sum = _reduction("Sum", "sum")
Mean = _reduction("Mean", "mean")
Max = _reduction("Max", "max")
Min = _reduction("Min", "min")
Prod = _reduction("Prod", "prod")
Std = _reduction("Std", "std")
Var = _reduction("Var", "var")


class GetItemConfig(Config):
    operands: list[Any] | None = arg(
        data, None, doc="the tensor (null) and the key: `x[..., 0]` is [null, [..., 0]]"
    )


def _slice_length(n: int | None, part: Mapping[str, Any]) -> int | None:
    if n is None:
        return None
    start, stop, step = part.get("start"), part.get("stop"), part.get("step")
    return len(range(n)[slice(start, stop, step)])


class GetItem(KerasOperation):
    """Indexing, `x[key]`: an integer takes an axis away, a slice shortens it, `None` adds one
    of 1, `...` stands for the axes not named."""

    config: GetItemConfig
    NAMES = ("ops.GetItem", "ops.get_item")
    KERAS = "GetItem"
    CONFIG = GetItemConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"operands": [None, [ELLIPSIS, 0]]}, ((None, 6, 4),))

    def _key(self) -> list[Any]:
        operands = self.config.operands or []
        key = operands[1] if len(operands) > 1 else None
        return key if isinstance(key, list) else [key]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape, key = list(inputs[0]), self._key()
        named = sum(1 for k in key if k is not None and k != ELLIPSIS)
        if named > len(shape):
            raise Refusal(
                Code.AXIS_OUT_OF_RANGE,
                f"indexes {named} axes of a tensor of rank {len(shape)} "
                f"({format_shape(tuple(shape))})",
            )
        out: list[int | None] = []
        axis = 0
        for item in key:
            if item == ELLIPSIS:
                skip = len(shape) - axis - self._after(key, item)
                out += shape[axis : axis + skip]
                axis += skip
            elif item is None:
                out.append(1)
            elif type(item) is int:
                n = shape[axis]
                if n is not None and not -n <= item < n:
                    raise Refusal(
                        Code.AXIS_OUT_OF_RANGE, f"index {item} is out of range for an axis of {n}"
                    )
                axis += 1
            elif isinstance(item, dict) and item.get("class_name") == "__slice__":
                out.append(_slice_length(shape[axis], item.get("config") or {}))
                axis += 1
            else:
                raise Refusal(
                    Code.VALUE_REFUSED, f"an index deconvcheck cannot read: {shown(item)}"
                )
        return (*out, *shape[axis:])

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"indexing {format_shape(inputs[0])} gives {format_shape(output)}"]

    @staticmethod
    def _after(key: list[Any], ellipsis: object) -> int:
        """How many axes the items after `...` take."""
        rest = key[key.index(ellipsis) + 1 :]
        return sum(1 for k in rest if k is not None)
