"""What the model-code reader knows of Keras: its import forms, its layer classes and functional
forms (positional arguments mapped by Keras's own signatures, recorded in
`keras_signatures.json` by tools/record_keras_signatures.py), `Input`, `Model`, `Sequential`,
layer and model calls, tensor expressions and `keras.ops` as the operations Keras 3 records,
a tensor's `shape` while building, and Keras's names for what it makes.

Everything else in Keras (compile, fit, optimizers, callbacks, initializers) is skipped; what
would change a model but is not modelled (a class of the file's own, `tf.*`, an unknown
`keras.ops` function) is said as a finding at its line.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator
from typing import Any

from deconvcheck.diagnostics import Code, Diagnostic, make
from deconvcheck.infer import infer, snake_case
from deconvcheck.layers.base import KERAS_IGNORED, Refusal, Shape
from deconvcheck.layers.operations import ELLIPSIS
from deconvcheck.layers.registry import is_input, lookup
from deconvcheck.read.python.interp import first_unknown, plain
from deconvcheck.read.python.values import (
    CallRecord,
    CustomClass,
    Function,
    KerasName,
    LayerObj,
    ModelObj,
    Other,
    Outputs,
    Place,
    Tensor,
    Unknown,
)
from deconvcheck.read.signatures import layer_entry, op_entry, signatures
from deconvcheck.read.spec import CallDecl, Pos, Spec, declare

# What a layer takes that no config holds: the shape of the model a Sequential's first layer
# starts (Keras makes an Input of it), and Keras's base-layer keywords.
_INPUT_KEYS = ("input_shape", "input_dim", "batch_input_shape", "batch_size")
_ROOTS = {"keras": "keras", "tensorflow.keras": "keras", "tf_keras": "keras"}
_SKIPPED = (  # parts of Keras that never change a model's layers
    "keras.optimizers", "keras.losses", "keras.metrics", "keras.callbacks", "keras.utils",
    "keras.initializers", "keras.regularizers", "keras.constraints", "keras.datasets",
    "keras.preprocessing", "keras.mixed_precision", "keras.saving", "keras.random",
    "keras.config", "keras.export",
)  # fmt: skip
_MODELS = ("Model", "Sequential", "Functional")
_MODEL_METHODS_SKIPPED = frozenset(
    (
        "compile", "fit", "evaluate", "predict", "save", "save_weights", "load_weights",
        "summary", "train_on_batch", "test_on_batch", "predict_on_batch", "to_json",
        "get_config", "count_params", "plot_model", "export",
    )
)  # fmt: skip


def canonical(path: str) -> str:
    """`tensorflow.keras.layers.Conv2D` -> `keras.layers.Conv2D`; `keras.src.layers...`,
    `keras.layers.merge.add` (Keras 2) and `keras.layers.convolutional.Conv2D` likewise."""
    for root, to in _ROOTS.items():
        if path == root or path.startswith(root + "."):
            path = to + path[len(root) :]
            break
    parts = path.split(".")
    if len(parts) > 3 and parts[:2] == ["keras", "layers"]:
        parts = [*parts[:2], parts[-1]]  # keras.layers.merge.add, keras.layers.core.Dense
    if len(parts) > 2 and parts[1] == "src":
        parts = ["keras", *parts[2:]]
    if parts[:2] == ["keras", "models"] and len(parts) == 3:
        parts = ["keras", parts[2]]
    if parts[:2] == ["keras", "layers"] and len(parts) == 3 and parts[2] in _MODELS:
        parts = ["keras", parts[2]]  # keras.layers exports them too (a star import binds them)
    return ".".join(parts)


class KerasWorld:
    """The Keras side of a run: every layer, call and model the code makes, in order."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.counters: dict[str, int] = {}
        self.tape: list[tuple[LayerObj, int]] = []  # every call, in the order the code made it
        self.models: list[tuple[str, ModelObj]] = []  # bound at module level, in order
        self.made_models: list[ModelObj] = []
        self.shown: list[ModelObj] = []  # models whose summary() the code prints
        self.findings: list[Diagnostic] = []
        self.complete = True
        self.interp: Any = None  # the Interpreter (for frames and chain)
        self._seen_unknown: set[tuple[int, str]] = set()

    def built_models(self) -> list[tuple[str, ModelObj]]:
        """The models the file builds: those bound to a name at module level; in a file that
        binds none, those whose summary() it prints (`net()` called at module level, its
        model built and shown inside)."""
        if self.models:
            return list(self.models)
        found: list[tuple[str, ModelObj]] = []
        for model in self.shown:
            if all(model is not m for _, m in found):
                found.append((model.name, model))
        return found

    # -- what the interpreter asks -----------------------------------------------------------

    def place(self, node: ast.AST) -> Place:
        return Place(
            getattr(node, "lineno", 0), getattr(node, "col_offset", -1) + 1, self.interp.chain()
        )

    def not_followed(self, value: Unknown, node: ast.AST | None = None) -> None:
        """A finding (once per line and reason): what the reader did not follow, where."""
        line = value.line or getattr(node, "lineno", 0)
        key = (line, value.why)
        self.complete = False
        if key in self._seen_unknown:
            return
        self._seen_unknown.add(key)
        self.findings.append(
            make(
                Code.NOT_FOLLOWED,
                f"not followed: {value.why}; what depends on it is not inferred",
                line=line,
                column=getattr(node, "col_offset", -1) + 1 if node is not None else 0,
                hint=value.fix
                or "write the value as a constant, or give it with --model "
                "'builder(argument=value)'",
            )
        )

    def describe(self, value: Any) -> str:
        if isinstance(value, (Tensor, Outputs)):
            return "a tensor"
        if isinstance(value, LayerObj):
            return f"the layer {value.name!r}"
        if isinstance(value, ModelObj):
            return f"the model {value.name!r}"
        if isinstance(value, KerasName):
            return canonical(value.path)
        if isinstance(value, Other):
            return value.path
        if isinstance(value, Unknown):
            return "an unknown value"
        return type(value).__name__

    def is_tensor(self, value: Any) -> bool:
        return isinstance(value, (Tensor, Outputs))

    def named(self, name: str, value: Any, module_level: bool) -> None:
        if (
            module_level
            and isinstance(value, ModelObj)
            and all(model is not value for _, model in self.models)
        ):
            self.models.append((name, value))

    def imported(self, node: ast.Import | ast.ImportFrom, scope: Any) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                path = alias.name
                if alias.asname:
                    scope.assign(alias.asname, self._module(path))
                else:
                    top = path.split(".")[0]
                    scope.assign(top, self._module(top))
            return
        if node.level:  # a relative import: the file's own package, not followed
            for alias in node.names:
                scope.assign(
                    alias.asname or alias.name,
                    Unknown(f"the relative import of {alias.name!r}", node.lineno),
                )
            return
        module = node.module or ""
        base = self._module(module)
        for alias in node.names:
            if alias.name == "*":
                if isinstance(base, KerasName):
                    for name in self._star(canonical(base.path)):
                        scope.assign(name, base.attr(name))
                continue
            if isinstance(base, KerasName):
                value: Any = base.attr(alias.name)
            else:
                value = Other(f"{module}.{alias.name}")
            scope.assign(alias.asname or alias.name, value)

    def _module(self, path: str) -> KerasName | Other:
        top = path.split(".", maxsplit=1)[0]
        if top in ("keras", "tensorflow", "tf_keras"):
            return KerasName(path)
        return Other(path)

    def _star(self, module: str) -> Iterator[str]:
        if module == "keras.layers":
            yield from signatures()["layers"]
            yield from signatures()["functions"]
        elif module == "keras":
            yield from ("Input", "Model", "Sequential", "layers", "ops", "models", "backend")
        elif module == "keras.models":
            yield from _MODELS
        elif module == "keras.ops":
            yield from (n for n in signatures()["ops"] if "." not in n)

    # -- calls -------------------------------------------------------------------------------

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if isinstance(callee, KerasName):
            return self.keras_call(canonical(callee.path), args, kwargs, node)
        if isinstance(callee, LayerObj):
            return self.layer_call(callee, args, kwargs, node)
        if isinstance(callee, ModelObj):
            if callee.sequential and callee.input_shape is None and args:
                shape = self.shape_of(args[0], node)  # Keras builds it on its first call
                if isinstance(shape, tuple):
                    self.sequential_build(callee, [shape], {})
            return self.layer_call(self.model_layer(callee, node), args, kwargs, node)
        if isinstance(callee, tuple) and len(callee) == 2 and callee[0] == "method":
            return callee[1](args, kwargs, node)
        if isinstance(callee, CustomClass):
            found = lookup(callee.name) if callee.keras_base == "Layer" else None
            if found is not None:  # a plugin registers a layer type of that name
                return self.make_layer(callee.name, args, kwargs, node)
            what = f"the class {callee.name!r} defined at line {callee.line}"
            fix = ""
            if callee.keras_base:
                what += f" (a Keras {callee.keras_base} subclass: its shapes are its own code)"
                fix = (
                    "a plugin can register a layer type of that name (README: Custom layers); "
                    "the layers that do not depend on it are inferred"
                )
            unknown = Unknown(what, getattr(node, "lineno", 0), fix)
            self.not_followed(unknown, node)
            return unknown
        if isinstance(callee, Unknown):
            return callee
        if isinstance(callee, Other):
            return self.pure_function(callee.path, args, kwargs, node)
        return Unknown(f"calling {self.describe(callee)}", getattr(node, "lineno", 0))

    def pure_function(
        self, path: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        """math's and numpy's arithmetic on known numbers (`math.ceil(n * 1.2)`,
        `np.prod(shape)`), as a builder computes a size; anything else is not followed."""
        line = getattr(node, "lineno", 0)
        function = _PURE.get(path)
        if function is None or not plain([args, list(kwargs.values())]):
            return Unknown(f"{path}()", line)  # said where a model depends on it, if one does
        try:
            return function(*args, **kwargs)
        except (ArithmeticError, TypeError, ValueError) as exc:
            return Unknown(f"{path}(): {exc}", line)

    def keras_call(self, path: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        parts = path.split(".")
        tail = parts[-1]
        line = getattr(node, "lineno", 0)
        if path in ("keras.Input", "keras.layers.Input"):
            return self.make_input(args, kwargs, node)
        if path in ("keras.Model", "keras.Functional"):
            return self.make_model(args, kwargs, node)
        if path == "keras.Sequential":
            return self.make_sequential(args, kwargs, node)
        if path in ("keras.backend.int_shape", "keras.ops.shape") and args:
            return self.shape_of(args[0], node)
        if path == "keras.backend.clear_session":
            self.counters.clear()
            return None
        if any(path == p or path.startswith(p + ".") for p in _SKIPPED):
            return Other(path + "()")
        if path.startswith("keras.activations."):
            return Other(path)
        if parts[:2] == ["keras", "layers"] and len(parts) == 3:
            if tail in signatures()["functions"]:
                return self.functional_form(tail, args, kwargs, node)
            if is_input(tail):
                layer = self.make_layer("InputLayer", args, kwargs, node)
                if isinstance(layer, LayerObj):
                    self.record_call(layer, (), node)
                return layer
            return self.make_layer(tail, args, kwargs, node)
        if parts[:2] == ["keras", "ops"]:
            return self.operation(".".join(parts[2:]), args, kwargs, node)
        fix = ""
        if path.startswith("keras.applications."):
            fix = (
                "a pretrained backbone's layers are not in the file: save it once with "
                "model.to_json() or model.save() and give deconvcheck that file"
            )
        return Unknown(f"{path}()", line, fix)  # said where a model depends on it, if one does

    # -- making layers -----------------------------------------------------------------------

    def auto_name(self, class_name: str) -> str:
        prefix = snake_case(class_name)
        count = self.counters.get(prefix, 0)
        self.counters[prefix] = count + 1
        return prefix if count == 0 else f"{prefix}_{count}"

    def arguments(
        self, entry: dict[str, Any], args: list[Any], kwargs: dict[str, Any], what: str, line: int
    ) -> dict[str, Any] | Unknown:
        """Positional arguments named by Keras's signature, then the keywords."""
        names: list[str] = list(entry.get("positional", ()))
        if len(args) > len(names):
            return Unknown(f"{len(args)} positional arguments to {what}", line)
        out = dict(zip(names, args, strict=False))
        out.update(kwargs)
        return out

    def make_layer(
        self, class_name: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> LayerObj | Unknown:
        line = getattr(node, "lineno", 0)
        cls = lookup(class_name)
        entry = self._layer_entry(class_name)
        if cls is None:
            unknown = Unknown(
                f"the layer class {class_name!r}, which deconvcheck does not know", line
            )
            self.not_followed(unknown, node)
            return unknown
        if entry is None:
            if args:
                unknown = Unknown(f"positional arguments to {class_name}", line)
                self.not_followed(unknown, node)
                return unknown
            entry = {"positional": []}
        given = self.arguments(entry, args, kwargs, class_name, line)
        if isinstance(given, Unknown):
            self.not_followed(given, node)
            return given
        name = given.pop("name", None)
        keras_name = cls.keras_name()
        layer = LayerObj(class_name, "", {}, self.place(node))
        takes = cls.arg_names()
        for key, value in given.items():
            if key in _INPUT_KEYS and key not in takes:
                layer.input_args[key] = value
                continue
            if key in KERAS_IGNORED and (key not in takes or not plain(value)):
                continue  # an initializer object, a regularizer: no shape or count depends on it
            if key == "trainable" and value is True:
                continue
            config = self.config_value(value)
            missing = first_unknown(config)
            if missing is not None:
                layer.unknown = missing
            elif config is not _DROP:
                layer.args[key] = config
        if isinstance(name, Unknown) or (name is not None and not isinstance(name, str)):
            layer.unknown = name if isinstance(name, Unknown) else Unknown("a layer name", line)
            name = None
        layer.name = name if name is not None else self.auto_name(keras_name)
        return layer

    def _layer_entry(self, class_name: str) -> dict[str, Any] | None:
        """Keras's signature for a type, by the name written or the registry's Keras class
        (Deconvolution2D, which Keras 3 no longer exports, is Conv2DTranspose's)."""
        entry = layer_entry(class_name)
        if entry is None and (cls := lookup(class_name)) is not None:
            entry = layer_entry(cls.keras_name())
        return entry

    def config_value(self, value: Any) -> Any:
        """A layer argument as a Keras config holds it: activations by name, tuples as lists;
        objects that never change a shape (initializers, regularizers) dropped."""
        if isinstance(value, Unknown):
            return value
        if isinstance(value, KerasName):
            path = canonical(value.path)
            if path.startswith(("keras.activations.", "tensorflow.nn.", "keras.ops.")):
                return path.rsplit(".", 1)[-1]
            return _DROP
        if isinstance(value, Other):
            return _DROP
        if isinstance(value, Function):
            return Unknown("a function of the file as a layer argument", 0)
        if isinstance(value, tuple) and not isinstance(value, (Tensor, Outputs)):
            return [self.config_value(v) for v in value]
        if isinstance(value, list):
            return [self.config_value(v) for v in value]
        if isinstance(value, LayerObj):  # a wrapper's layer (Bidirectional(LSTM(64)))
            return {"type": value.type_name, **value.args}
        return value

    def make_input(self, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        line = getattr(node, "lineno", 0)
        given = self.arguments(signatures()["layers"]["Input"], args, kwargs, "Input", line)
        if isinstance(given, Unknown):
            self.not_followed(given, node)
            return given
        name = given.pop("name", None)
        config: dict[str, Any] = {}
        for key in ("shape", "batch_size", "batch_shape", "sparse", "ragged", "optional"):
            if key in given and given[key] is not None:
                value = self.config_value(given[key])
                unknown = first_unknown(value)
                if unknown is not None or value is _DROP:
                    unknown = unknown or Unknown("an input shape", line)
                    self.not_followed(unknown, node)
                    return unknown
                config[key] = value
        batch_shape = config.pop("batch_shape", None)
        if isinstance(batch_shape, list) and batch_shape:  # as Keras reads it: batch, then shape
            config["shape"] = batch_shape[1:]
            if batch_shape[0] is not None:
                config["batch_size"] = batch_shape[0]
        for flag in ("ragged", "optional"):  # no shape or count depends on them
            config.pop(flag, None)
        layer = LayerObj("InputLayer", "", config, self.place(node))
        layer.name = name if isinstance(name, str) else self.auto_name("InputLayer")
        self.record_call(layer, (), node)
        return Tensor(layer, 0, 0)

    def functional_form(
        self, function: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        entry = signatures()["functions"][function]
        line = getattr(node, "lineno", 0)
        if "layer" not in entry:
            return Unknown(f"keras.layers.{function}()", line)
        given = self.arguments(entry, args, kwargs, function, line)
        if isinstance(given, Unknown):
            self.not_followed(given, node)
            return given
        inputs = given.pop("inputs", None)
        if "x1" in given:  # keras.layers.dot? no: only merges take `inputs`
            inputs = [given.pop("x1"), given.pop("x2", None)]
        layer = self.make_layer(entry["layer"], [], given, node)
        if isinstance(layer, Unknown):
            return layer
        return self.layer_call(layer, [inputs], {}, node)

    # -- calling layers ----------------------------------------------------------------------

    def tensors(self, value: Any) -> list[Tensor] | Unknown:
        """The tensors a call takes: one, or a list (nested lists flattened, as Keras does)."""
        if isinstance(value, Outputs):
            return [value.first()]
        if isinstance(value, Tensor):
            return [value]
        if isinstance(value, Unknown):
            return value
        if isinstance(value, (list, tuple)):
            out: list[Tensor] = []
            for item in value:
                found = self.tensors(item)
                if isinstance(found, Unknown):
                    return found
                out.extend(found)
            return out
        if isinstance(value, dict):
            return self.tensors(list(value.values()))
        return Unknown(f"a layer called on {self.describe(value)}", 0)

    def layer_call(
        self, layer: LayerObj, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        line = getattr(node, "lineno", 0)
        if is_input(layer.type_name):
            return Unknown("calling an Input layer", line)
        cls = lookup(layer.type_name)
        call_entry = (self._layer_entry(layer.type_name) or {}).get("call") or {}
        params = list(call_entry.get("positional", ["inputs"]))
        given = dict(zip(params, args, strict=False))
        taken: list[Any] = list(args[: len(params)]) if len(params) > 1 else args[:1]
        extra_tensors: list[Any] = []
        for key, value in kwargs.items():
            if key in ("training", "mask"):
                continue
            if key == "return_attention_scores":
                if value is True:
                    layer.args[key] = True
                continue
            if self.is_tensor(value) or (
                isinstance(value, (list, tuple)) and any(self.is_tensor(v) for v in value)
            ):
                if key in params and key not in given:
                    given[key] = value
                extra_tensors.append(value)
        if len(params) > 1 and params[0] != "inputs":
            taken = [v for k, v in given.items() if self.is_tensor(v) or isinstance(v, list)]
            extra_tensors = []
        flat = self.tensors([*taken, *extra_tensors])
        if isinstance(flat, Unknown):
            unknown = Unknown(flat.why, flat.line or line)
            self.not_followed(unknown, node)
            return unknown
        if layer.unknown is not None:
            self.not_followed(layer.unknown, node)
            return layer.unknown
        if cls is None:
            return Unknown(f"the layer {layer.name!r}", line)
        self.record_call(layer, tuple(flat), node)
        return Outputs(layer, len(layer.calls) - 1)

    def record_call(self, layer: LayerObj, inputs: tuple[Tensor, ...], node: ast.AST) -> None:
        if not layer.calls:
            layer.sequence = len(self.tape)
            cls = lookup(layer.type_name)
            for made in cls.BUILD_NAMES if cls is not None else ():
                self.auto_name(made)  # layers Keras makes inside it when it is first called
        layer.calls.append(CallRecord(inputs, self.place(node)))
        self.tape.append((layer, len(layer.calls) - 1))

    def model_layer(self, model: ModelObj, node: ast.AST) -> LayerObj:
        """A model used as a layer of another: one row, its own layers inside."""
        if model.as_layer is None:
            spec = self.spec_of(model)
            kind = "Sequential" if model.sequential else "Functional"
            layer = LayerObj(kind, model.name, {"model": spec}, model.place)
            model.as_layer = layer
        return model.as_layer

    # -- operations --------------------------------------------------------------------------

    def operation(
        self, function: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        """`keras.ops.<function>(...)` as the operation Keras records: its tensors (a list of
        them too, as `keras.ops.concatenate` takes) are its inputs; its other arguments are
        `operands` or, by Keras's names, its arguments. A call that gives several tensors
        (`keras.ops.split`) is unpacked or indexed as a layer's."""
        line = getattr(node, "lineno", 0)
        function, entry = op_entry(function)
        type_name = f"ops.{function}"
        cls = lookup(type_name)
        if entry is None or cls is None:
            unknown = Unknown(f"keras.ops.{function}()", line)
            self.not_followed(unknown, node)
            return unknown
        positional = list(entry.get("positional", ()))
        operands: list[Any] = []
        tensors: list[Any] = []
        config: dict[str, Any] = {}
        takes_operands = "operands" in cls.arg_names()

        def listed(value: Any) -> bool:
            return (
                isinstance(value, (list, tuple)) and bool(value) and all(map(self.is_tensor, value))
            )

        for index, value in enumerate(args):
            if self.is_tensor(value):
                tensors.append(value)
                operands.append(None)
            elif listed(value):
                tensors.extend(value)
            elif takes_operands and index < 2:
                operands.append(self.config_value(value))
            elif index < len(positional):
                config[positional[index]] = self.config_value(value)
        for key, value in kwargs.items():
            if self.is_tensor(value):
                tensors.append(value)
            elif listed(value):
                tensors.extend(value)
            else:
                config[key] = self.config_value(value)
        if takes_operands and any(o is not None for o in operands):
            config["operands"] = operands
        found = first_unknown(config)
        if found is not None:
            self.not_followed(found, node)
            return found
        layer = LayerObj(type_name, self.auto_name(cls.keras_name()), config, self.place(node))
        flat = self.tensors(tensors)
        if isinstance(flat, Unknown):
            return flat
        self.record_call(layer, tuple(flat), node)
        try:
            several = cls.made(config).output_count() > 1
        except Refusal:  # said when the model is inferred
            several = False
        return Outputs(layer, 0) if several else Tensor(layer, 0, 0)

    def tensor_binop(self, op: type[ast.operator], left: Any, right: Any, node: ast.AST) -> Any:
        function = _TENSOR_OPS.get(op)
        if function is None:
            unknown = Unknown(f"the operator {op.__name__} on tensors", getattr(node, "lineno", 0))
            self.not_followed(unknown, node)
            return unknown
        return self.operation(function, [left, right], {}, node)

    def tensor_unary(self, node: ast.UnaryOp, value: Any) -> Any:
        if isinstance(node.op, ast.USub):
            return self.operation("negative", [value], {}, node)
        if isinstance(node.op, ast.UAdd):
            return value
        unknown = Unknown("an operator on a tensor", node.lineno)
        self.not_followed(unknown, node)
        return unknown

    def subscript_tensor(self, tensor: Any, key: Any, node: ast.AST) -> Any:
        def keyed(part: Any) -> Any:
            if part is Ellipsis:
                return ELLIPSIS
            if isinstance(part, slice):
                return {
                    "class_name": "__slice__",
                    "config": {"start": part.start, "stop": part.stop, "step": part.step},
                }
            if isinstance(part, tuple):
                return [keyed(p) for p in part]
            return part

        return self.operation("get_item", [tensor, keyed(key)], {}, node)

    def subscript_other(self, value: Any, key: Any, node: ast.AST) -> Any:
        return Unknown(f"indexing {self.describe(value)}", getattr(node, "lineno", 0))

    def unpack(self, value: Outputs, count: int | None) -> list[Any]:
        if count is None:
            count = self.output_count(value)
        return [Tensor(value.layer, value.call, i) for i in range(count)]

    def output_count(self, value: Outputs) -> int:
        outputs = self.call_outputs(value.first())
        return len(outputs) if outputs else 1

    # -- attributes --------------------------------------------------------------------------

    def attribute(self, owner: Any, name: str, node: ast.AST) -> Any:
        line = getattr(node, "lineno", 0)
        if isinstance(owner, (Tensor, Outputs)):
            tensor = owner.first() if isinstance(owner, Outputs) else owner
            if name == "shape":
                return self.shape_of(tensor, node)
            if name == "dtype":
                return "float32"
            return Unknown(f"the tensor attribute {name!r}", line)
        if isinstance(owner, ModelObj):
            return self.model_attribute(owner, name, node)
        if isinstance(owner, LayerObj):
            if name == "output" and owner.calls:
                return Tensor(owner, 0, 0)
            if name == "input" and owner.calls and owner.calls[0].inputs:
                return owner.calls[0].inputs[0]
            if name == "name":
                return owner.name
            return ("method", lambda a, k, n: None)
        return Unknown(f"the attribute {name!r} of {self.describe(owner)}", line)

    def model_attribute(self, model: ModelObj, name: str, node: ast.AST) -> Any:
        line = getattr(node, "lineno", 0)
        if name == "output":
            return model.outputs[0] if len(model.outputs) == 1 else list(model.outputs)
        if name == "outputs":
            return list(model.outputs)
        if name == "input":
            return model.inputs[0] if len(model.inputs) == 1 else list(model.inputs)
        if name == "inputs":
            return list(model.inputs)
        if name == "name":
            return model.name
        if name == "layers":
            return self.model_layers(model)
        if name == "get_layer":
            return ("method", lambda a, k, n: self.get_layer(model, a, k, n))
        if name == "build" and model.sequential:
            return ("method", lambda a, k, n: self.sequential_build(model, a, k))
        if name == "add" and model.sequential:
            return ("method", lambda a, k, n: self.sequential_add(model, a, n))
        if name == "summary":  # a model the code shows is one it builds, even inside a builder
            return ("method", lambda a, k, n: self.shown.append(model))
        if name in _MODEL_METHODS_SKIPPED or name in ("trainable",):
            return ("method", lambda a, k, n: None)
        return Unknown(f"the model attribute {name!r}", line)

    def set_attribute(self, owner: Any, name: str, value: Any, node: ast.AST) -> None:
        if name == "trainable" and isinstance(owner, LayerObj) and isinstance(value, bool):
            if value:
                owner.args.pop("trainable", None)
            else:
                owner.args["trainable"] = False
        elif name == "trainable" and isinstance(owner, ModelObj) and isinstance(value, bool):
            for layer in self.model_layers(owner):
                self.set_attribute(layer, name, value, node)

    def model_layers(self, model: ModelObj) -> list[LayerObj]:
        if model.sequential:
            return list(model.layers)
        seen: list[LayerObj] = []
        for layer, _ in self.calls_of(model):
            if layer not in seen:
                seen.append(layer)
        return seen

    def get_layer(
        self, model: ModelObj, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        name = kwargs.get("name", args[0] if args else None)
        for layer in self.model_layers(model):
            if layer.name == name:
                return layer
        if isinstance(name, int):
            layers = self.model_layers(model)
            if -len(layers) <= name < len(layers):
                return layers[name]
        unknown = Unknown(f"the layer {name!r} of model {model.name!r}", getattr(node, "lineno", 0))
        self.not_followed(unknown, node)
        return unknown

    # -- models ------------------------------------------------------------------------------

    def make_model(self, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        line = getattr(node, "lineno", 0)
        entry = signatures()["layers"]["Model"].get(
            "functional", {"positional": ["inputs", "outputs", "name"]}
        )
        given = self.arguments(entry, args, kwargs, "Model", line)
        if isinstance(given, Unknown):
            self.not_followed(given, node)
            return given
        name = given.get("name")
        model = ModelObj(name if isinstance(name, str) else "", self.place(node))
        inputs_given = given.get("inputs")
        if isinstance(inputs_given, dict):
            inputs_given = [inputs_given[k] for k in sorted(inputs_given, key=str)]
        inputs = self.tensors(inputs_given)
        outputs_given = given.get("outputs")
        if isinstance(outputs_given, dict):  # Keras flattens a dict in the order of its keys
            model.output_keys = sorted(str(k) for k in outputs_given)
            outputs_given = [outputs_given[k] for k in sorted(outputs_given, key=str)]
        if isinstance(outputs_given, (list, tuple)):  # the outputs that are known are kept
            known = [o for o in outputs_given if not isinstance(o, Unknown)]
            if len(known) < len(outputs_given):
                model.unknown = next(o for o in outputs_given if isinstance(o, Unknown))
                if all(why != model.unknown.why for _, why in self._seen_unknown):
                    self.not_followed(model.unknown, node)  # (said once, where it was first)
                outputs_given = known
        outputs = self.tensors(outputs_given)
        for part in (inputs, outputs):
            if isinstance(part, Unknown):
                unknown = Unknown(part.why, part.line or line)
                self.not_followed(unknown, node)
                model.unknown = unknown
        if not isinstance(inputs, Unknown):
            model.inputs = inputs
        if not isinstance(outputs, Unknown):
            model.outputs = outputs
        if not model.name:
            model.name = self.auto_name("Functional")
        self.made_models.append(model)
        return model

    def make_sequential(self, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        line = getattr(node, "lineno", 0)
        given = self.arguments(
            signatures()["layers"]["Sequential"], args, kwargs, "Sequential", line
        )
        if isinstance(given, Unknown):
            self.not_followed(given, node)
            return given
        name = given.get("name")
        model = ModelObj(name if isinstance(name, str) else "", self.place(node), sequential=True)
        if not model.name:
            model.name = self.auto_name("Sequential")
        for item in given.get("layers") or []:
            self.sequential_add(model, [item], node, rebuild=False)
        if model.input_shape is not None and model.layers:
            self._sequential_built(model)
        self.made_models.append(model)
        return model

    def sequential_build(self, model: ModelObj, args: list[Any], kwargs: dict[str, Any]) -> None:
        shape = kwargs.get("input_shape", args[0] if args else None)
        if model.input_shape is None and isinstance(shape, (list, tuple)) and shape:
            model.input_shape = tuple(shape[1:])
            model.input_name = self.auto_name("InputLayer")
            self._sequential_built(model)

    def sequential_add(
        self, model: ModelObj, args: list[Any], node: ast.AST, rebuild: bool = True
    ) -> None:
        """`model.add(item)`; where the model has its input, Keras builds it again, which
        uses up a Functional's name (`Sequential([...])` builds once, at the end)."""
        count = len(model.layers)
        self._sequential_add(model, args, node)
        if rebuild and model.input_shape is not None and len(model.layers) > count:
            self._sequential_built(model)

    def _sequential_built(self, model: ModelObj) -> None:
        """Keras builds a Sequential that has its input: a Functional of its layers (a name
        used) that calls each layer once more (their calls numbered on)."""
        self.auto_name("Functional")
        for layer in model.layers:
            model.builds[id(layer)] = model.builds.get(id(layer), 0) + 1

    def _sequential_add(self, model: ModelObj, args: list[Any], node: ast.AST) -> None:
        item = args[0] if args else None
        if isinstance(item, (Tensor, Outputs)):
            tensor = item.first() if isinstance(item, Outputs) else item
            if is_input(tensor.layer.type_name) and not model.layers:
                model.input_shape = tuple(tensor.layer.args.get("shape") or ())
                model.input_name = tensor.layer.name
                model.inputs = [tensor]
                return
        if isinstance(item, ModelObj):
            item = self.model_layer(item, node)
        if isinstance(item, LayerObj):
            if is_input(item.type_name) and not model.layers:
                model.input_shape = tuple(item.args.get("shape") or ())
                model.input_name = item.name
                model.inputs = [Tensor(item, 0, 0)]
                return
            if not model.layers and model.input_shape is None:
                shape = _given_input_shape(item.input_args)
                if shape is not None:  # Keras makes the Input now
                    model.input_shape = shape
                    model.input_name = self.auto_name("InputLayer")
            model.layers.append(item)
            return
        unknown = (
            item
            if isinstance(item, Unknown)
            else Unknown(
                f"adding {self.describe(item)} to a Sequential model", getattr(node, "lineno", 0)
            )
        )
        self.not_followed(unknown, node)
        model.unknown = unknown

    # -- from the code's objects to specs ----------------------------------------------------

    def calls_of(self, model: ModelObj) -> list[tuple[LayerObj, int]]:
        """The calls between a model's inputs and outputs, in the order the code made them."""
        needed: set[tuple[int, int]] = set()
        stack = list(model.outputs)
        stop = {id(t.layer) for t in model.inputs}
        order: dict[tuple[int, int], tuple[LayerObj, int]] = {}
        while stack:
            tensor = stack.pop()
            key = (id(tensor.layer), tensor.call)
            if key in needed:
                continue
            needed.add(key)
            order[key] = (tensor.layer, tensor.call)
            if id(tensor.layer) in stop:
                continue
            stack.extend(tensor.layer.calls[tensor.call].inputs)
        for tensor in model.inputs:
            order.setdefault((id(tensor.layer), tensor.call), (tensor.layer, tensor.call))
        position = {(id(layer), call): i for i, (layer, call) in enumerate(self.tape)}
        return sorted(order.values(), key=lambda lc: position.get((id(lc[0]), lc[1]), -1))

    def spec_of(self, model: ModelObj, outputs: list[Tensor] | None = None) -> Spec:
        spec = Spec(self.path)
        spec.name = model.name
        if model.sequential:
            return self._sequential_spec(model, spec)
        if outputs is not None:
            model = _with_outputs(model, outputs)
        numbers: dict[tuple[int, int], int] = {}
        counts: dict[int, int] = {}
        numbering: dict[int, list[int]] = {}  # Keras's numbers, for layers called elsewhere too
        decls: dict[int, Any] = {}

        def ref(tensor: Tensor) -> str:
            number = numbers[(id(tensor.layer), tensor.call)]
            if number == 0 and tensor.output == 0:
                return tensor.layer.name
            return f"{tensor.layer.name}[{number}][{tensor.output}]"

        for layer, call in self.calls_of(model):
            record = layer.calls[call]
            number = counts.get(id(layer), 0)
            counts[id(layer)] = number + 1
            numbers[(id(layer), call)] = number
            pos = _pos(record.place)
            inputs = [(ref(t), pos) for t in record.inputs]
            if call != number:  # called in another model before: Keras's number is the file's
                numbering.setdefault(id(layer), list(range(number)))
            if id(layer) in numbering:
                numbering[id(layer)].append(call)
            if number == 0:
                decl = declare(
                    layer.type_name,
                    layer.name,
                    dict(layer.args),
                    inputs=None if is_input(layer.type_name) else inputs,
                    pos=pos,
                    index=len(spec.layers),
                )
                decls[id(layer)] = decl
                spec.layers.append(decl)
            else:
                spec.calls.append(CallDecl(layer.name, inputs, pos, len(spec.layers)))
        for key, keras_numbers in numbering.items():
            if key in decls:
                decls[key].node_numbers = keras_numbers
        spec.outputs = [(ref(t), _pos(model.place)) for t in model.outputs]
        spec.input_order = [t.layer.name for t in model.inputs]
        spec.input_places = [_pos(t.layer.place) for t in model.inputs]
        return spec

    def _sequential_spec(self, model: ModelObj, spec: Spec) -> Spec:
        spec.sequential = True
        if model.input_shape is not None:
            name = model.input_name or "input_layer"
            spec.layers.append(
                declare(
                    "InputLayer",
                    name,
                    {"shape": list(model.input_shape)},
                    pos=_pos(model.place),
                    index=0,
                )
            )
        for layer in model.layers:
            if layer.unknown is not None:  # the layers after it are not inferred
                self.not_followed(layer.unknown)
                model.unknown = layer.unknown
                break
            place = layer.calls[0].place if layer.calls else layer.place
            decl = declare(
                layer.type_name, layer.name, dict(layer.args), pos=_pos(place),
                index=len(spec.layers),
            )  # fmt: skip
            built = model.builds.get(id(layer), 1)
            if built > 1:  # Keras's number for the call of the last build
                decl.node_numbers = [built - 1]
            spec.layers.append(decl)
        return spec

    def shape_of(self, value: Any, node: ast.AST) -> Any:
        """A tensor's shape while the code builds: the graph so far, inferred."""
        line = getattr(node, "lineno", 0)
        tensor = value.first() if isinstance(value, Outputs) else value
        if not isinstance(tensor, Tensor):
            return Unknown(f"the shape of {self.describe(value)}", line)
        outputs = self.call_outputs(tensor)
        shape = outputs[tensor.output] if outputs and tensor.output < len(outputs) else None
        if shape is None:
            unknown = Unknown(f"the shape of the tensor of {tensor.layer.name!r}", line)
            self.not_followed(unknown, node)
            return unknown
        return tuple(shape)

    def _number(self, tensor: Tensor) -> int:
        """The tensor's call as the one-tensor spec numbers it (calls of the layer made before
        it that the tensor does not depend on are not in that spec)."""
        probe = ModelObj("probe", tensor.layer.place)
        probe.outputs = [tensor]
        probe.inputs = []
        calls = [c for layer, c in self.calls_of(probe) if layer is tensor.layer]
        return calls.index(tensor.call) if tensor.call in calls else tensor.call

    def call_outputs(self, tensor: Tensor) -> tuple[Shape, ...] | None:
        """Every output shape of the call that gave `tensor`: the graph that leads to it,
        inferred (None where it cannot be)."""
        probe = ModelObj("probe", tensor.layer.place)
        probe.outputs = [tensor]
        spec = self.spec_of(probe)
        spec.input_order = None
        try:
            model = infer(spec)
        except Exception:
            return None
        return model.tensors.get((tensor.layer.name, self._number(tensor)))


class _Drop:
    def __repr__(self) -> str:
        return "<dropped>"


_DROP = _Drop()


def _numpy_prod(values: Any) -> Any:
    return math.prod(values) if isinstance(values, (list, tuple)) else values


# Pure arithmetic a builder computes sizes with: math's, and numpy's on plain numbers.
_PURE: dict[str, Any] = {
    **{f"math.{n}": getattr(math, n) for n in (
        "ceil", "floor", "sqrt", "prod", "log", "log2", "log10", "gcd", "lcm", "isqrt", "pow",
        "trunc", "fabs", "exp",
    )},
    **{f"numpy.{n}": getattr(math, n) for n in ("ceil", "floor", "sqrt", "log2", "log", "exp")},
    "numpy.prod": _numpy_prod,
    "numpy.int32": int,
    "numpy.int64": int,
    "numpy.float32": float,
}  # fmt: skip

_TENSOR_OPS: dict[type[ast.operator], str] = {
    ast.Add: "add",
    ast.Sub: "subtract",
    ast.Mult: "multiply",
    ast.Div: "true_divide",
    ast.FloorDiv: "floor_divide",
    ast.Mod: "mod",
    ast.Pow: "power",
    ast.MatMult: "matmul",
}


def _pos(place: Place) -> Pos:
    return Pos(place.line, max(place.column, 0), place.chain)


def _given_input_shape(args: dict[str, Any]) -> tuple[int | None, ...] | None:
    if isinstance(args.get("input_shape"), (list, tuple)):
        return tuple(args["input_shape"])
    if isinstance(args.get("batch_input_shape"), (list, tuple)):
        return tuple(args["batch_input_shape"][1:])
    if isinstance(args.get("input_dim"), int):
        return (args["input_dim"],)
    return None


def _with_outputs(model: ModelObj, outputs: list[Tensor]) -> ModelObj:
    probe = ModelObj(model.name, model.place)
    probe.inputs = model.inputs
    probe.outputs = outputs
    return probe
