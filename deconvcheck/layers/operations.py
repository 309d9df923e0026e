"""Operations Keras 3 records when a model is written with tensor expressions and `keras.ops`
(`x[..., 0]`, `x ** 2`, `keras.ops.square(x)`, `x + y`, `x * 0.5`): each is a row of Keras's
summary, named after its class (`square (Square)`), with no weights.

A spec writes one as `type: ops.square` (`keras.ops`'s function name; `ops.Square`, Keras's
class, works too): its `inputs` are the tensors it takes and `operands` the call's positional
arguments as Keras recorded them, `null` where a tensor goes (`x ** 2` is `operands: [null, 2]`).
The operations that move axes, join or resize (`ops.reshape`, `ops.transpose`, `ops.matmul`,
`ops.image.resize`, ...) take their arguments by Keras's names instead (`newshape`, `axes`,
`size`), as Keras writes them in the operation's config. A Keras file's operations (module
`keras.src.ops...`) are read so. Their shapes are Keras's `compute_output_spec`
(keras/src/ops/numpy.py, nn.py, image.py), where the batch axis is an axis like any other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any, ClassVar

from deconvcheck.diagnostics import Code
from deconvcheck.layers.base import (
    Config,
    Dim,
    Example,
    Layer,
    Refusal,
    Role,
    Shape,
    any_int,
    arg,
    boolean,
    data_format,
    format_shape,
    ignored,
    image,
    is_int,
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


class TypedOperation(Operation):
    """An operation whose call takes a `dtype` (`keras.ops.cast(x, "float16")`,
    `keras.ops.ones_like(x, "int32")`): a Keras file keeps it in the operation's config, read
    into `operands` (`[null, float16]`) so that `export` writes the call Keras needs."""

    @classmethod
    def from_keras(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        args = super().from_keras(config)
        dtype = args.pop("dtype", None)
        if dtype is not None and "operands" not in args:
            args["operands"] = [None, dtype]
        return args

    def keras_config(self) -> dict[str, Any]:
        operands = self.config.operands or []
        return {"trainable": self.trainable, "dtype": operands[1] if len(operands) > 1 else None}


def _elementwise(
    keras: str, *functions: str, inputs: int = 1, base: type[Operation] = Operation
) -> type[Operation]:
    """An operation class of Keras's name `keras`, spelled `ops.<function>` in a spec."""
    names = tuple(f"{PREFIX}{n}" for n in (keras, *functions))
    attributes = {"NAMES": names, "KERAS": keras, "MIN_INPUTS": inputs, "__module__": __name__}
    return type(keras, (base,), attributes)


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
Cast = _elementwise("Cast", "cast", base=TypedOperation)
StopGradient = _elementwise("StopGradient", "stop_gradient")
Relu = _elementwise("Relu", "relu")
Sigmoid = _elementwise("Sigmoid", "sigmoid")
Gelu = _elementwise("Gelu", "gelu")
Silu = _elementwise("Silu", "silu", "swish")
OnesLike = _elementwise("OnesLike", "ones_like", base=TypedOperation)
ZerosLike = _elementwise("ZerosLike", "zeros_like", base=TypedOperation)
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


def _axes(axis: object, rank: int, name: str = "axis") -> list[int]:
    """Keras's `canonicalize_axes`: each axis in -rank..rank-1 (the batch axis is 0), as
    0..rank-1; every axis for None.

    >>> _axes([1, -1], 3)
    [1, 2]
    """
    if axis is None:
        return list(range(rank))
    items = axis if isinstance(axis, list | tuple) else [axis]
    found = []
    for item in items:
        if type(item) is not int or not -rank <= item < rank:
            raise Refusal(
                Code.AXIS_OUT_OF_RANGE,
                f"axis {shown(item)} is out of range for rank {rank}",
                arg=name,
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


# ---------------------------------------------------------------- axes moved, joined, resized


def _refused(name: str, value: object, expected: str) -> Refusal:
    return Refusal(
        Code.VALUE_REFUSED, f"`{name}` must be {expected}; received {shown(value)}", arg=name
    )


def new_shape(value: object, name: str, rank: int) -> tuple[Dim, ...]:
    """`keras.ops.reshape`'s `newshape` (Keras's `validate_reshape_shape`): a size for every
    axis, the batch axis too, each 0 or more, one -1 at most (what is left), or null (a size
    known only when the model runs, as `keras.ops.shape(x)[0]` is); one int is one axis."""
    items = [value] if is_int(value) else value
    if not isinstance(items, list | tuple) or not all(v is None or is_int(v) for v in items):
        raise _refused(name, value, "a list of sizes (integers, or null for an unknown one)")
    sizes: tuple[Dim, ...] = tuple(items)
    if any(v is not None and v < -1 for v in sizes) or sizes.count(-1) > 1:
        raise _refused(name, value, "sizes of 0 or more, with at most one -1")
    return sizes


def axis_or_axes(value: object, name: str, rank: int) -> int | tuple[int, ...]:
    """An axis or a list of axes, never null (`keras.ops.expand_dims`'s `axis`)."""
    if is_int(value):
        return value  # type: ignore[return-value]
    if isinstance(value, list | tuple) and all(is_int(v) for v in value):
        return tuple(value)
    raise _refused(name, value, "an axis or a list of axes")


def optional_axis_list(value: object, name: str, rank: int) -> tuple[int, ...] | None:
    """A list of axes, or null (`keras.ops.transpose`'s `axes`)."""
    if value is None:
        return None
    if isinstance(value, list | tuple) and all(is_int(v) for v in value):
        return tuple(value)
    raise _refused(name, value, "a list of axes or null")


def sections(value: object, name: str, rank: int) -> int | tuple[int, ...]:
    """`keras.ops.split`'s `indices_or_sections`: how many equal parts (1 or more), or the
    indices at which the parts after the first start."""
    if is_int(value) and value > 0:  # type: ignore[operator]
        return value  # type: ignore[return-value]
    if isinstance(value, list | tuple) and all(is_int(v) for v in value):
        return tuple(value)
    raise _refused(name, value, "a number of parts (1 or more) or a list of indices")


def image_size(value: object, name: str, rank: int) -> tuple[int, int]:
    """`keras.ops.image.resize`'s `size`: (height, width), each 1 or more."""
    if not isinstance(value, list | tuple) or len(value) != 2 or not all(is_int(v) for v in value):
        raise _refused(name, value, "(height, width), two integers")
    height, width = value
    if height <= 0 or width <= 0:
        raise _refused(name, value, "a positive height and width")
    return (height, width)


def reshaped(shape: Shape, newshape: Sequence[Dim]) -> Shape:
    """Keras's `compute_reshape_output_shape`, on every axis, the batch axis too. While a size
    of either is unknown, Keras takes the new shape as given, each -1 unknown: it checks the
    sizes only when every one is known.

    >>> reshaped((None, 6, 4), (-1, 2, 12))
    (None, 2, 12)
    >>> reshaped((2, 6, 4), (-1, 12))
    (4, 12)
    """
    if None in shape or None in newshape:
        return tuple(None if d == -1 else d for d in newshape)
    size = math.prod(d for d in shape if d is not None)
    known = math.prod(d for d in newshape if d is not None and d != -1)
    if -1 not in newshape and size == known:
        return tuple(newshape)
    if -1 in newshape and known and size % known == 0:
        return tuple(size // known if d == -1 else d for d in newshape)
    why = f"{known:,} values" if -1 not in newshape else f"{size:,} is no multiple of {known:,}"
    raise Refusal(
        Code.RESHAPE_SIZE,
        f"cannot reshape {format_shape(shape)} ({size:,} values) to "
        f"{format_shape(tuple(newshape))} ({why})",
        hint="make the sizes' product the input's, or use -1 for one axis",
        arg="newshape",
    )


class ReshapeConfig(Config):
    newshape: tuple[Dim, ...] = arg(
        new_shape, required=True, doc="every axis's size, the batch axis's too; one -1 at most"
    )


class Reshape(KerasOperation):
    """`keras.ops.reshape(x, newshape)`: unlike the Reshape layer, `newshape` names the batch
    axis too, and sizes are checked only where every one is known (`reshaped`)."""

    config: ReshapeConfig
    NAMES = ("ops.Reshape", "ops.reshape")
    KERAS = "Reshape"
    CONFIG = ReshapeConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"newshape": [-1, 27, 3]}, (image(2),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return reshaped(inputs[0], self.config.newshape)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        shape, new = inputs[0], format_shape(self.config.newshape)
        change = f"{format_shape(shape)} -> {format_shape(output)}"
        if None in shape or None in self.config.newshape:
            where = "the input's" if None in shape else "newshape's"
            why = f"Keras checks no size while one of {where} is unknown"
            return [f"{new} as given, -1 as None ({why}): {change}"]
        return [f"the values rearranged as {new}: {change}"]


class TransposeConfig(Config):
    axes: tuple[int, ...] | None = arg(
        optional_axis_list,
        None,
        doc="the input's axes in their new order (the batch axis is 0); null: every axis "
        "reversed, the batch axis too",
    )


class Transpose(KerasOperation):
    """`keras.ops.transpose(x, axes)`: the axes in another order (Keras's
    `compute_transpose_output_shape`)."""

    config: TransposeConfig
    NAMES = ("ops.Transpose", "ops.transpose")
    KERAS = "Transpose"
    CONFIG = TransposeConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"axes": [0, 2, 1]}, ((None, 6, 4),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape, axes = inputs[0], self.config.axes
        if axes is None:
            return shape[::-1]
        if len(axes) != len(shape):
            raise Refusal(
                Code.RANK_MISMATCH,
                f"`axes` {list(axes)} orders {len(axes)} axes; the input {format_shape(shape)} "
                f"has {len(shape)}, the batch axis included",
                arg="axes",
            )
        order = _axes(axes, len(shape), "axes")
        if len(set(order)) != len(order):
            raise Refusal(
                Code.VALUE_REFUSED,
                f"`axes` {list(axes)} names an axis twice: it must order each of the "
                f"{len(shape)} axes of {format_shape(shape)} once",
                arg="axes",
            )
        return tuple(shape[a] for a in order)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        axes = self.config.axes
        order = "reversed" if axes is None else f"in the order {list(axes)}"
        return [f"the axes of {format_shape(inputs[0])} {order}: {format_shape(output)}"]


class ExpandDimsConfig(Config):
    axis: int | tuple[int, ...] = arg(
        axis_or_axes, required=True, doc="where each new axis of 1 goes, among the output's"
    )


class ExpandDims(KerasOperation):
    """`keras.ops.expand_dims(x, axis)`: an axis of 1 at each of `axis`, counted in the output
    (Keras's `compute_expand_dims_output_shape`)."""

    config: ExpandDimsConfig
    NAMES = ("ops.ExpandDims", "ops.expand_dims")
    KERAS = "ExpandDims"
    CONFIG = ExpandDimsConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"axis": 1}, ((None, 6, 4),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape, axis = inputs[0], self.config.axis
        wanted = [axis] if isinstance(axis, int) else list(axis)
        rank = len(shape) + len(wanted)
        new = _axes(wanted, rank)
        if len(set(new)) != len(new):  # Keras fails on it (a StopIteration)
            raise Refusal(Code.VALUE_REFUSED, f"`axis` {wanted} names an axis twice", arg="axis")
        sizes = iter(shape)
        return tuple(1 if a in new else next(sizes) for a in range(rank))

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        return [f"an axis of 1 at {self.config.axis}: {format_shape(output)}"]


class SqueezeConfig(Config):
    axis: int | tuple[int, ...] | None = arg(
        axes, None, doc="the axes of 1 to remove; null: every axis of 1"
    )


class Squeeze(KerasOperation):
    """`keras.ops.squeeze(x, axis)`: axes of 1 removed; an axis named must be 1 (an unknown
    size, the batch's, is not)."""

    config: SqueezeConfig
    NAMES = ("ops.Squeeze", "ops.squeeze")
    KERAS = "Squeeze"
    CONFIG = SqueezeConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"axis": -1}, ((None, 6, 1),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape, axis = list(inputs[0]), self.config.axis
        if axis is None:
            return tuple(d for d in shape if d != 1)
        wanted = [axis] if isinstance(axis, int) else list(axis)
        for a in wanted:  # in Keras's order: each in range, then of size 1
            _axes(a, len(shape))
            if shape[a] != 1:
                size = "unknown" if shape[a] is None else str(shape[a])
                raise Refusal(
                    Code.RESHAPE_SIZE,
                    f"cannot squeeze axis {a} of {format_shape(inputs[0])}: its size is {size}, "
                    "not 1",
                    arg="axis",
                )
        for a in sorted(_axes(wanted, len(shape)), reverse=True):
            del shape[a]
        return tuple(shape)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        which = "every axis of 1" if self.config.axis is None else f"axis {self.config.axis}"
        return [f"{which} of {format_shape(inputs[0])} removed: {format_shape(output)}"]


class SplitConfig(Config):
    indices_or_sections: int | tuple[int, ...] = arg(
        sections, required=True, doc="how many equal parts, or the indices where parts start"
    )
    axis: int = arg(any_int, 0, doc="the axis split (0, Keras's default, is the batch axis)")


class Split(KerasOperation):
    """`keras.ops.split(x, indices_or_sections, axis=0)`: several tensors, each a part of
    `axis` (Keras's `_compute_split_output_spec`)."""

    config: SplitConfig
    NAMES = ("ops.Split", "ops.split")
    KERAS = "Split"
    CONFIG = SplitConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"indices_or_sections": 2, "axis": -1}, ((None, 6, 4),))

    def output_count(self) -> int:
        parts = self.config.indices_or_sections
        return parts if isinstance(parts, int) else len(parts) + 1

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return self.output_shapes(inputs)[0]

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        shape = inputs[0]
        axis = _axes(self.config.axis, len(shape))[0]
        sizes = self._sizes(shape[axis])
        return tuple((*shape[:axis], size, *shape[axis + 1 :]) for size in sizes)

    def _sizes(self, n: Dim) -> list[Dim]:
        parts = self.config.indices_or_sections
        if isinstance(parts, int):
            if n is not None and n % parts:
                raise Refusal(
                    Code.RESHAPE_SIZE,
                    f"cannot split an axis of {n} into {parts} equal parts",
                    hint="split it into a number of parts that divides it, or give indices",
                    arg="indices_or_sections",
                )
            return [None if n is None else n // parts] * parts
        bounds: list[Dim] = [0, *parts, n]
        sizes = [None if b is None or a is None else b - a for a, b in pairwise(bounds)]
        if any(size is not None and size < 0 for size in sizes):
            raise Refusal(
                Code.SIZE_NOT_POSITIVE,
                f"indices {list(parts)} on an axis of {n} give parts of {sizes}: the indices "
                "must grow and stay within the axis",
                arg="indices_or_sections",
            )
        return sizes

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        parts = ", ".join(format_shape(s) for s in self.output_shapes(inputs))
        return [f"axis {self.config.axis} of {format_shape(inputs[0])} split: {parts}"]


class ConcatenateConfig(Config):
    axis: int = arg(any_int, 0, doc="the axis joined (0, Keras's default, is the batch axis)")


def _agree(shape: Shape, first: Shape, axis: int) -> bool:
    """Keras's `shape_equal(..., axis=[axis], allow_none=True)`: the same rank, and every
    other axis the same where both sizes are known."""
    return len(shape) == len(first) and all(
        i == axis or a is None or b is None or a == b
        for i, (a, b) in enumerate(zip(shape, first, strict=True))
    )


class Concatenate(KerasOperation):
    """`keras.ops.concatenate(xs, axis=0)`: the tensors joined along `axis`. Unlike the
    Concatenate layer's (-1), its axis defaults to 0, the batch axis."""

    config: ConcatenateConfig
    NAMES = ("ops.Concatenate", "ops.concatenate")
    KERAS = "Concatenate"
    CONFIG = ConcatenateConfig
    ROLE = Role.MERGE
    MAX_INPUTS = None

    @classmethod
    def example(cls) -> Example:
        return Example({"axis": -1}, ((None, 6, 4), (None, 6, 3)))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        first = inputs[0]
        axis = _axes(self.config.axis, len(first))[0]
        total: Dim = 0
        for shape in inputs:
            if not _agree(shape, first, axis):
                joined = ", ".join(format_shape(s) for s in inputs)
                raise Refusal(
                    Code.MERGE_MISMATCH,
                    f"cannot join {joined} on axis {self.config.axis}: every other axis must "
                    f"agree, and {format_shape(shape)} does not with {format_shape(first)}",
                )
            size = shape[axis]
            total = None if total is None or size is None else total + size
        return (*first[:axis], total, *first[axis + 1 :])

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        joined = " + ".join(format_shape(s) for s in inputs)
        return [f"{joined} joined on axis {self.config.axis}: {format_shape(output)}"]

    def keras_call(self, callee: str | None, feeds: Sequence[str]) -> str:
        """`keras.ops.concatenate([a, b], axis=...)`: the tensors as one list."""
        tensors = "[" + ", ".join(feeds) + "]"
        keywords = [f"{k}={python_literal(v)}" for k, v in self.arguments().items()]
        return f"keras.ops.concatenate({', '.join([tensors, *keywords])})"


def matmul_shape(first: Shape, second: Shape) -> Shape:
    """Keras's `compute_matmul_output_shape`: the last two axes multiplied as matrices, the
    axes before them broadcast; a rank-1 tensor is a row (first) or a column (second), and its
    axis of 1 is dropped again.

    >>> matmul_shape((None, 6, 4), (None, 4, 5))
    (None, 6, 5)
    """
    if not first or not second:
        raise Refusal(
            Code.RANK_MISMATCH,
            f"matmul takes tensors of rank 1 or more; received {format_shape(first)} and "
            f"{format_shape(second)}",
        )
    left = (1, first[0]) if len(first) == 1 else first
    right = (second[0], 1) if len(second) == 1 else second
    if left[-1] is not None and right[-2] is not None and left[-1] != right[-2]:
        raise Refusal(
            Code.MERGE_MISMATCH,
            f"cannot multiply {format_shape(first)} by {format_shape(second)}: the first's last "
            f"axis ({left[-1]}) must equal the second's next to last ({right[-2]})",
        )
    out = [*broadcast(left[:-2], right[:-2]), left[-2], right[-1]]
    if len(first) == 1:
        del out[-2]
    if len(second) == 1:
        del out[-1]
    return tuple(out)


class Matmul(KerasOperation):
    """`keras.ops.matmul(x1, x2)`: a matrix product of the last two axes (`matmul_shape`)."""

    NAMES = ("ops.Matmul", "ops.matmul")
    KERAS = "Matmul"
    ROLE = Role.MERGE
    MIN_INPUTS = 2
    MAX_INPUTS = 2

    @classmethod
    def example(cls) -> Example:
        return Example({}, ((None, 6, 4), (None, 4, 5)))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return matmul_shape(inputs[0], inputs[1])

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        first, second = (format_shape(s) for s in inputs)
        return [f"{first} @ {second}: {format_shape(output)}"]


class SoftmaxConfig(Config):
    axis: int | tuple[int, ...] | None = arg(
        axes, -1, doc="the axis or axes normalised over; null: every axis"
    )


class Softmax(KerasOperation):
    """`keras.ops.softmax(x, axis=-1)`, also `keras.ops.nn.softmax`: the shape unchanged, an
    axis out of range refused."""

    config: SoftmaxConfig
    NAMES = ("ops.Softmax", "ops.softmax")
    KERAS = "Softmax"
    CONFIG = SoftmaxConfig

    @classmethod
    def example(cls) -> Example:
        return Example({"axis": 1}, ((None, 6, 4),))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if self.config.axis is not None:
            _axes(self.config.axis, len(inputs[0]))
        return inputs[0]


class LogSoftmax(Softmax):
    """`keras.ops.log_softmax(x, axis=-1)`: as Softmax."""

    NAMES = ("ops.LogSoftmax", "ops.log_softmax")
    KERAS = "LogSoftmax"


class ResizeConfig(Config):
    size: tuple[int, int] = arg(image_size, required=True, doc="(height, width)")
    interpolation = ignored("bilinear", doc="checked by Keras only when it runs")
    antialias = ignored(False)
    crop_to_aspect_ratio: bool = arg(boolean, False, doc="crop to the new aspect ratio first")
    pad_to_aspect_ratio: bool = arg(boolean, False, doc="pad to the new aspect ratio first")
    fill_mode = ignored("constant")
    fill_value = ignored(0.0)
    data_format: str = arg(data_format, None)


class Resize(KerasOperation):
    """`keras.ops.image.resize(images, size)`: height and width become `size`, as with the
    Resizing layer (`resized`): a rank-3 input is one image to Keras, without a batch axis."""

    config: ResizeConfig
    NAMES = ("ops.Resize", "ops.image.resize")
    KERAS = "Resize"
    CONFIG = ResizeConfig
    ROLE = Role.RESHAPING

    @classmethod
    def example(cls) -> Example:
        return Example({"size": [16, 12]}, (image(2),))

    def validate(self) -> None:
        if self.config.crop_to_aspect_ratio and self.config.pad_to_aspect_ratio:
            raise Refusal(
                Code.VALUE_REFUSED,
                "only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio` can be true",
                arg="pad_to_aspect_ratio",
            )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        from deconvcheck.layers.augmentation import resized  # noqa: PLC0415 - Resizing's rule

        shape = inputs[0]
        if len(shape) not in (3, 4):
            raise Refusal(
                Code.RANK_MISMATCH,
                "takes a batch of images (rank 4, the batch axis counted) or one image (rank 3); "
                f"received {format_shape(shape)}",
            )
        return resized(shape, self.config.data_format, *self.config.size)

    def explain(self, inputs: Sequence[Shape], output: Shape) -> list[str]:
        height, width = self.config.size
        return [f"resized to {height}x{width}: {format_shape(output)}"]
