"""Fixes that work: each candidate is applied to a copy of the spec and inference is run again;
only a copy that infers without error and gives back what it must is offered.

A strategy repairs step by step: infer, look at the first problem (a skip connection that cannot
be joined, or an output that is not the input's size), edit, and again, a bounded number of times.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from deconvcheck.checks.trace import works
from deconvcheck.convert import yaml_value
from deconvcheck.diagnostics import Code
from deconvcheck.infer import infer, layer_names, propagate
from deconvcheck.layers.base import Role, Shape, Window
from deconvcheck.model import Model, steps
from deconvcheck.read.spec import LayerDecl, Pos, Spec, declare
from deconvcheck.record import Record
from deconvcheck.solve.answers import ranked
from deconvcheck.solve.settings import KERAS, Bounds, exact

MAX_EDITS = 12
SCAN = 64  # input sizes tried on each side of the current one


class Fix(Record):
    title: str
    edits: list[str]

    def describe(self) -> str:
        return f"{self.title}: " + "; ".join(self.edits)


# ---------------------------------------------------------------- editing a copy of a spec


class Editor:
    """A copy of a spec with names resolved, and small edits that keep the rest intact."""

    def __init__(self, spec: Spec) -> None:
        self.spec = copy.deepcopy(spec)
        self.spec.diagnostics = []
        # Model code: fixes are said in the code's terms (a call's arguments, at its line).
        self.code = spec.path.endswith((".py", ".pyw"))
        self._lines = {
            name: decl.pos.line
            for name, decl in zip(layer_names(spec.layers), spec.layers, strict=True)
        }

    def named(self, name: str) -> str:
        """A layer as a fix names it: at its line in model code."""
        line = self._lines.get(name, 0)
        return f"'{name}' (line {line})" if self.code and line else f"'{name}'"

    def layer(self, type_name: str, **args: object) -> str:
        """A new layer as the file would write it."""
        if self.code:
            return f"layers.{type_name}({self.arguments(args)})"
        shown = ", ".join(f"{k}: {yaml_value(v)}" for k, v in args.items())
        return f"{{type: {type_name}, {shown}}}"

    def arguments(self, args: dict[str, object]) -> str:
        """Arguments as the file would write them: `kernel_size=(2, 2)` or `{kernel_size: ...}`."""
        given = {k: v for k, v in args.items() if v is not None}
        if self.code:
            return ", ".join(f"{k}={_python(v)!r}" for k, v in given.items())
        return "{" + ", ".join(f"{k}: {yaml_value(v)}" for k, v in given.items()) + "}"

    def index(self, name: str) -> int:
        return layer_names(self.spec.layers).index(name)

    def decl(self, name: str) -> LayerDecl:
        return self.spec.layers[self.index(name)]

    def set_args(self, name: str, **args: object) -> None:
        self.decl(name).args.update(args)

    def insert_before(
        self, name: str, type_name: str, new_name: str, inputs: list[str] | None, **args: object
    ) -> None:
        refs = None if inputs is None else [(i, Pos()) for i in inputs]
        decl = declare(type_name, new_name, dict(args), inputs=refs)
        self.spec.layers.insert(self.index(name), decl)

    def append(self, type_name: str, new_name: str, **args: object) -> None:
        decl = declare(type_name, new_name, dict(args))
        if self.spec.outputs is not None:  # the new last layer becomes the output it follows
            (out, pos), *rest = self.spec.outputs
            decl.inputs = [(out, Pos())]
            self.spec.outputs = [(new_name, pos), *rest]
        self.spec.layers.append(decl)

    def rewire(self, consumer: str, old: str, new: str) -> None:
        decl = self.decl(consumer)
        assert decl.inputs is not None
        decl.inputs = [(new if ref == old else ref, pos) for ref, pos in decl.inputs]

    def unique(self, base: str) -> str:
        names = set(layer_names(self.spec.layers))
        candidate, i = base, 1
        while candidate in names:
            candidate, i = f"{base}_{i}", i + 1
        return candidate


def _python(value: object) -> object:
    """Lists as the tuples model code writes: [[0, 1], [0, 1]] -> ((0, 1), (0, 1))."""
    return tuple(_python(v) for v in value) if isinstance(value, (list, tuple)) else value


def _known(sizes: tuple[int | None, ...]) -> tuple[int, ...] | None:
    """The sizes when all are known."""
    known = tuple(s for s in sizes if s is not None)
    return known if len(known) == len(sizes) else None


def _pairs(delta: tuple[int, ...]) -> list[list[int]]:
    """Centre crop/pad amounts: (d // 2, d - d // 2) per axis, as a YAML-friendly list."""
    return [[d // 2, d - d // 2] for d in delta]


def _resize_layer(rank: int, shrink: bool) -> str:
    return f"{'Cropping' if shrink else 'ZeroPadding'}{rank}D"


def _arg_name(shrink: bool) -> str:
    return "cropping" if shrink else "padding"


# ---------------------------------------------------------------- what each strategy does


def _merge_inputs(model: Model, merge: str) -> list[tuple[str, tuple[int | None, ...]]]:
    shapes = model.shapes
    return [
        (name, model.spatial(shapes[name]))
        for name in model.graph.nodes[merge].inputs
        if name in shapes
    ]


def crop_larger_inputs(edit: Editor, model: Model, merge: str) -> str | None:
    """Crop every input of the merge down to the smallest spatial size among them."""
    inputs = _merge_inputs(model, merge)
    known = [(name, _known(size)) for name, size in inputs]
    sizes = [size for _, size in known if size is not None]
    if len(sizes) != len(known) or len({len(size) for size in sizes}) != 1:
        return None  # an unknown size, or inputs of different ranks: no crop joins them
    target = tuple(min(axis) for axis in zip(*sizes, strict=True))
    done = []
    for name, size in known:
        assert size is not None
        delta = tuple(a - b for a, b in zip(size, target, strict=True))
        if any(delta):
            crop = edit.unique(f"{name}_crop")
            cropping = _pairs(delta)
            edit.insert_before(
                merge, _resize_layer(len(delta), True), crop, [name], cropping=cropping
            )
            edit.rewire(merge, name, crop)
            layer = edit.layer(f"Cropping{len(delta)}D", cropping=cropping)
            done.append(f"crop {edit.named(name)} with `{layer}` before {edit.named(merge)}")
    return "; ".join(done) or None


def retune_upsampler(edit: Editor, model: Model, merge: str) -> str | None:
    """Give the transposed convolution feeding the merge settings that reach the other input's
    size, with the same stride (found by `solve`, so the arithmetic is the engine's)."""
    inputs = _merge_inputs(model, merge)
    shapes = model.shapes
    for name, size in inputs:
        layer = model.graph.nodes[name].layer
        windows = layer.windows()
        if layer.ROLE is not Role.UPSAMPLING or not windows or layer.retuned(windows) is None:
            continue  # only a layer that can take other window settings
        others = [s for n, s in inputs if n != name]
        if not others or None in others[0] or None in size or len(others[0]) != len(windows):
            continue
        source = model.spatial(shapes[model.graph.nodes[name].inputs[0]])
        chosen = []
        for n, m, w in zip(source, others[0], windows, strict=True):
            s = w.stride
            options = [a for a in ranked(exact(KERAS, n, m, Bounds(8, s, 1))) if a.stride == s]  # type: ignore[arg-type]
            if not options:
                return None
            chosen.append(options[0])
        args = layer.retuned(
            tuple(Window(c.kernel, c.stride, 1, str(c.padding), c.output_padding) for c in chosen)
        )
        if args is None:
            return None
        edit.set_args(name, **args)
        wanted = "x".join(str(x) for x in others[0])
        return f"give {edit.named(name)} `{edit.arguments(args)}` so that it outputs {wanted}"
    return None


def pad_or_crop_output(edit: Editor, model: Model) -> str | None:
    """Append a Cropping or ZeroPadding layer that brings the output to the input's size."""
    ends = model.ends()
    if ends is None:
        return None
    src = _known(model.spatial(ends[0].output_shape))
    dst = _known(model.spatial(ends[1].output_shape))
    if src is None or dst is None or len(src) != len(dst):
        return None  # a flat output (Flatten, global pooling) has no size to pad or crop
    delta = tuple(d - s for s, d in zip(src, dst, strict=True))
    if all(x >= 0 for x in delta):
        shrink = True
    elif all(x <= 0 for x in delta):
        shrink, delta = False, tuple(-x for x in delta)
    else:
        return None
    layer_type = _resize_layer(len(delta), shrink)
    name = edit.unique("restore_crop" if shrink else "restore_pad")
    edit.append(layer_type, name, **{_arg_name(shrink): _pairs(delta)})
    layer = edit.layer(layer_type, **{_arg_name(shrink): _pairs(delta)})
    return f"append `{layer}` after {edit.named(ends[1].name)}"


def same_padding_on_lossy(edit: Editor, model: Model) -> str | None:
    """Set padding 'same' on every downsampling layer that floors its input."""
    names = [s.layer for s in steps(model).values() if any(s.dropped())]
    for name in names:
        edit.set_args(name, padding="same")
    return f"set padding 'same' on {', '.join(edit.named(n) for n in names)}" if names else None


class Strategy(Record):
    title: str
    first: Callable[[Editor, Model], str | None] | None  # an edit made once, up front
    on_merge: Callable[[Editor, Model, str], str | None] | None
    on_output: bool  # may append a final crop/pad


STRATEGIES = (
    Strategy("re-tune the transposed convolution", None, retune_upsampler, False),
    Strategy(
        "crop the skip connection (as the original U-Net does)", None, crop_larger_inputs, True
    ),
    Strategy(
        "padding 'same' on the flooring layer, then crop",
        same_padding_on_lossy,
        crop_larger_inputs,
        True,
    ),
    Strategy("pad or crop the output", None, None, True),
)


def repair(spec: Spec, strategy: Strategy, mode: str | None) -> Fix | None:
    """Apply `strategy` until the copy infers cleanly and restores; None if it cannot."""
    edit = Editor(spec)
    edits: list[str] = []
    if strategy.first is not None:
        first = strategy.first(edit, infer(edit.spec))
        if first is None:
            return None
        edits.append(first)
    merged = False
    for _ in range(MAX_EDITS):
        model = infer(edit.spec)
        if works(model, mode):
            # A skip-connection strategy that never touched a skip is another strategy's fix.
            useful = edits and (merged or strategy.on_merge is None or strategy.first is not None)
            return Fix(strategy.title, edits) if useful else None
        errors = [d for d in model.diagnostics if d.severity == "error"]
        change: str | None = None
        if errors:
            if errors[0].code == Code.MERGE_MISMATCH and errors[0].layer and strategy.on_merge:
                change = strategy.on_merge(edit, model, errors[0].layer)
                merged = True
        elif strategy.on_output and mode is not None:
            change = pad_or_crop_output(edit, model)
        if change is None:
            return None
        edits.append(change)
    return None


def fixes(spec: Spec, mode: str | None) -> list[Fix]:
    """Every strategy's verified fix, each set of edits once."""
    found: list[Fix] = []
    for strategy in STRATEGIES:
        fix = repair(spec, strategy, mode)
        if fix is not None and all(fix.edits != f.edits for f in found):
            found.append(fix)
    return found


def nearest_sizes(model: Model, mode: str | None) -> tuple[int | None, int | None]:
    """The nearest square input sizes, below and above, for which the whole model infers (and
    restores): `propagate` re-run with another Input shape, the file is not read again."""
    inputs = model.input_layers
    if len(inputs) != 1:
        return None, None
    fmt = model.graph.layout
    shape = inputs[0].output_shape
    current = model.spatial(shape)
    if None in current or len(set(current)) != 1:
        return None, None
    size = current[0]
    assert size is not None

    def ok(n: int) -> bool:
        trial: Shape = (
            (shape[0], *([n] * len(current)), shape[-1])
            if fmt == "channels_last"
            else (shape[0], shape[1], *([n] * len(current)))
        )
        return works(propagate(model.graph, {inputs[0].name: trial}), mode)

    below = next((n for n in range(size - 1, max(size - SCAN, 0), -1) if ok(n)), None)
    above = next((n for n in range(size + 1, size + SCAN) if ok(n)), None)
    return below, above
