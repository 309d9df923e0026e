"""Models saved by Keras, read as specs: `model.to_json()` of Keras 3 and of Keras 2 / tf.keras,
and the config.json inside a Keras 3 `.keras` archive (no weights are read).

Layer names, order, connections and arguments come from the file. Arguments that cannot change a
shape or a count (dtype policies, initializers, regularizers, constraints, switched-off options)
are dropped; anything else that deconvcheck does not know is kept, so that it is reported
(DC102) rather than silently ignored, and so are unknown layer classes (DC101: Lambda, custom).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from deconvcheck.diagnostics import Code, make
from deconvcheck.layers.base import shown
from deconvcheck.layers.core import Input
from deconvcheck.layers.registry import is_input, lookup
from deconvcheck.read.spec import (
    MODEL_CLASSES,
    SEQUENTIAL_CLASSES,
    CallDecl,
    KeyPath,
    Pos,
    Spec,
    declare,
)
from deconvcheck.read.tree import Document

OPERATION_PREFIX = "ops."  # a spec's name for a Keras operation (deconvcheck.layers.operations)


def is_keras_model(value: Any) -> bool:
    """A document's value is a Keras model's: a mapping with a model's `class_name` and a
    `config`."""
    return (
        type(value) is dict
        and "config" in value
        and isinstance(value.get("class_name"), str)
        and value["class_name"] in MODEL_CLASSES
    )


def _history(value: Any, shift: dict[str, int], found: list[str]) -> list[str]:
    """The tensors a Keras 3 call takes, as a spec names them (see `_tensor`), added to `found`:
    every `keras_history` in its args, then its kwargs, in the order Keras flattens them."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            found.append(_tensor(value["config"]["keras_history"], shift))
        else:
            for key in sorted(value) if "args" not in value else ("args", "kwargs"):
                _history(value.get(key), shift, found)
    elif isinstance(value, list):
        for item in value:
            _history(item, shift, found)
    return found


def _tensor(history: list[Any], shift: dict[str, int]) -> str:
    """A tensor as a spec names it (`name`, or `name[call][output]`), from Keras's
    `[layer name, node index, tensor index]`; `shift` is what the file adds to the node
    indices of a nested model's calls."""
    name, node, output = history[0], history[1], history[2]
    if not isinstance(name, str) or type(node) is not int or type(output) is not int:
        raise TypeError(f"a tensor is named by {history!r}")
    node -= min(node, shift.get(name, 0))
    return name if node == 0 and output == 0 else f"{name}[{node}][{output}]"


def _calls(layer: dict[str, Any], shift: dict[str, int]) -> list[list[str]] | None:
    """The inputs of each of a layer's calls (Keras 3 `{"args": ..., "kwargs": ...}`, Keras 2
    `[[name, node index, tensor index, kwargs], ...]`)."""
    nodes = layer.get("inbound_nodes") or []
    if not nodes:
        return None
    calls = []
    for node in nodes:
        if isinstance(node, dict):  # Keras 3
            calls.append(_history(node, shift, []))
        elif isinstance(node, list):  # Keras 2
            calls.append([_tensor(entry, shift) for entry in node if isinstance(entry, list)])
        else:
            raise TypeError(f"an inbound node is {node!r}")
    return calls


def _build_shapes(config: Any) -> list[tuple[int | None, ...]] | None:
    """The input shape(s) a Keras 3 file says a layer was built for, or None."""
    shape = config.get("input_shape") if isinstance(config, dict) else None
    shapes = shape if isinstance(shape, list) and shape and isinstance(shape[0], list) else [shape]
    found: list[tuple[int | None, ...]] = []
    for item in shapes:
        if not isinstance(item, list) or not all(d is None or type(d) is int for d in item):
            return None
        found.append(tuple(item))
    return found


def _first_call(layer: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The positional and keyword arguments of a layer's first call as the file records them
    (Keras 3 `{"args", "kwargs"}`; Keras 2 keeps keyword arguments beside each input)."""
    nodes = layer.get("inbound_nodes") or []
    first = nodes[0] if nodes else {}
    if isinstance(first, dict):
        args, kwargs = first.get("args") or [], first.get("kwargs") or {}
    else:
        entries = [e for e in first if isinstance(e, list) and len(e) > 3]
        args, kwargs = [], entries[0][3] if entries else {}
    return (args if isinstance(args, list) else []), (kwargs if isinstance(kwargs, dict) else {})


def _shifts(entries: list[Any], *, outputs: bool) -> dict[str, int]:
    """The nested models whose node indices the file counts from 1: Keras 2 does so everywhere
    for a nested model that starts with an InputLayer (the node that built it is its first);
    Keras 3 only in `output_layers`, and only for a Functional model."""
    keras2 = any(
        isinstance(entry, dict)
        and isinstance(nodes := entry.get("inbound_nodes"), list)
        and nodes
        and isinstance(nodes[0], list)
        for entry in entries
    )
    shifts = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("class_name") not in MODEL_CLASSES:
            continue
        config = entry.get("config")
        if not isinstance(config, dict):
            continue
        if keras2:
            inner = config.get("layers")
            head = inner[0] if isinstance(inner, list) and inner else None
            first = head.get("class_name") if isinstance(head, dict) else None
            counted = isinstance(first, str) and is_input(first)
        else:
            counted = outputs and entry.get("class_name") not in SEQUENTIAL_CLASSES
        if counted and isinstance(config.get("name"), str):
            shifts[config["name"]] = 1
    return shifts


def _output_names(config: dict[str, Any]) -> list[str]:
    """The model's output tensors as a spec names them."""
    shift = _shifts(config["layers"], outputs=True)
    return [_tensor(entry, shift) for entry in _tensors(config.get("output_layers") or [])]


def _tensors(value: Any) -> Iterator[list[Any]]:
    """The `[layer, node index, tensor index]` entries of `output_layers` or `input_layers`, in
    the order Keras flattens them: a single entry, or lists and mappings of them for a model
    whose inputs or outputs are a structure (mapping keys sorted). TypeError for anything
    else: a number, a string, a list of numbers."""
    if isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str):
        yield value  # Keras 2 may keep a fourth item, the call's keyword arguments
    elif isinstance(value, list):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for key in sorted(value, key=str):
            yield from _tensors(value[key])
    else:
        raise TypeError(
            f"a tensor is named by [layer, node index, tensor index]; received {shown(value)}"
        )


# What a hand-edited or truncated file can throw at the reader: reported, never raised.
_MALFORMED = (AttributeError, IndexError, KeyError, TypeError, ValueError)


def build_keras_spec(spec: Spec, document: Document) -> None:
    """Fill `spec` from a Keras model document; a malformed part becomes a DC006."""
    _fill(spec, document.value, document, (), "config")


def _fill(spec: Spec, model: dict[str, Any], document: Document, path: KeyPath, where: str) -> None:
    """`spec` from a model's entry (the file's root, or a model nested in a model) at `path`
    in the document, whose config sits at the JSON path `where`."""
    config = model.get("config")
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        at = document.at(path)
        spec.diagnostics.append(
            make(
                Code.WRONG_STRUCTURE,
                "a Keras model file needs `config.layers` (a list)",
                line=at.line,
                column=at.column,
            )
        )
        return
    sequential = model.get("class_name") in SEQUENTIAL_CLASSES
    name = config.get("name")
    spec.name = name if isinstance(name, str) and name else None
    spec.sequential = sequential
    entries = config["layers"]
    if not entries:
        spec.diagnostics.append(make(Code.WRONG_STRUCTURE, "the Keras model has no layers"))
        return
    shift = _shifts(entries, outputs=False)
    layers = (*path, "config", "layers")
    for index, entry in enumerate(entries):
        pos = document.at((*layers, index), where=f"{where}.layers[{index}]")
        try:
            _layer(spec, index, entry, (document, (*layers, index)), pos, sequential, shift)
        except _MALFORMED as exc:
            spec.diagnostics.append(
                make(
                    Code.WRONG_STRUCTURE,
                    f"layer {index + 1} of the Keras model ({pos.where}) cannot be read "
                    f"({type(exc).__name__}: {exc})",
                    line=pos.line,
                    column=pos.column,
                    hint="the file is not as Keras writes it; save the model again",
                )
            )
    if not sequential:
        _ends(spec, config, document, (*path, "config"), where)


def _ends(
    spec: Spec, config: dict[str, Any], document: Document, path: KeyPath, where: str
) -> None:
    """The model's outputs and the order of its inputs (`output_layers`, `input_layers`); a
    malformed one is a DC006 at its key, and the model is read without it."""
    for key in ("output_layers", "input_layers"):
        try:
            if key == "output_layers":
                outputs = _output_names(config)
                if outputs:
                    spec.outputs = [(name, Pos()) for name in outputs]
            else:
                entries = list(_tensors(config.get(key) or []))
                if entries:
                    spec.input_order = [entry[0] for entry in entries]
        except _MALFORMED as exc:
            at = document.at((*path, key) if key in config else path)
            spec.diagnostics.append(
                make(
                    Code.WRONG_STRUCTURE,
                    f"the Keras model's {where}.{key} cannot be read ({exc}); it is read "
                    "without it",
                    line=at.line,
                    column=at.column,
                    hint="the file is not as Keras writes it; save the model again",
                )
            )


def _layer(
    spec: Spec,
    index: int,
    entry: dict[str, Any],
    place: tuple[Document, KeyPath],
    pos: Pos,
    sequential: bool,
    shift: dict[str, int],
) -> None:
    class_name = entry["class_name"]
    if not isinstance(class_name, str):
        raise TypeError(f"class_name is {class_name!r}, not a name")
    layer_config = entry.get("config") or {}
    if not isinstance(layer_config, dict):
        raise TypeError("its config is not a mapping")
    name = layer_config.get("name") or entry.get("name")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"its name is {name!r}")
    module = entry.get("module")
    if isinstance(module, str) and module.startswith("keras.src.ops"):  # `x + y`, `ops.square`
        class_name = OPERATION_PREFIX + class_name
    cls = lookup(class_name)
    an_input = is_input(class_name)
    if sequential and index == 0 and not an_input:
        shape = layer_config.get("batch_input_shape") or layer_config.get("batch_shape")
        if shape:  # Keras 2 Sequential: the first layer carries the input shape
            args = Input.from_keras(layer_config)
            spec.layers.append(declare(Input.keras_name(), "input_layer", args, pos=pos))
    calls = None if sequential or an_input else _calls(entry, shift)
    if class_name in MODEL_CLASSES:  # a model used as a layer (transfer learning)
        args = _nested(spec, entry, place, layer_config, pos.where)
    else:  # an unknown class is reported by name; its arguments mean nothing to us
        args = cls.from_keras(layer_config) if cls is not None else {}
        if cls is not None and not an_input:
            args.update(cls.from_keras_call(*_first_call(entry)))
    refs = None if calls is None else [(i, pos) for i in calls[0]]
    decl = declare(class_name, name, args, inputs=refs, pos=pos, index=index)
    origin = entry.get("registered_name") or entry.get("module")
    decl.origin = origin if isinstance(origin, str) else None
    decl.built_on = _build_shapes(entry.get("build_config"))
    spec.layers.append(decl)
    if calls is not None and isinstance(name, str):  # a shared layer: its later calls
        after = len(spec.layers)
        spec.calls += [CallDecl(name, [(i, pos) for i in c], pos, after) for c in calls[1:]]


def _nested(
    spec: Spec,
    entry: dict[str, Any],
    place: tuple[Document, KeyPath],
    config: dict[str, Any],
    where: str,
) -> dict[str, Any]:
    """A nested model's own layers, read as a spec of their own: the `model` argument."""
    inner = Spec(spec.path)
    _fill(inner, entry, *place, f"{where}.config")
    spec.diagnostics += inner.diagnostics
    inner.diagnostics = []
    args: dict[str, Any] = {"model": inner}
    if config.get("trainable") is False:
        args["trainable"] = False
    return args
