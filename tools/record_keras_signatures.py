"""Record the call signatures of Keras 3's layers, functional layer forms and `keras.ops`
functions, so that a static reader of Keras Python code can put positional arguments
(`Conv2D(64, (3, 3))`, `Dense(10, "relu")`, `layers.concatenate([a, b], -1)`,
`keras.ops.reshape(x, (4, 4))`) under Keras's own parameter names. The order is Keras's
signature order, which is not the field order of our layer configs.

Run it from the repository root with the Keras environment (see tools/record_keras_models.py):

    KERAS_BACKEND=torch /tmp/kerasenv/bin/python tools/record_keras_signatures.py

Nothing is built or called: every signature is `inspect.signature` of the object Keras exports.
It writes deconvcheck/read/keras_signatures.json, keys sorted, one entry per line:

- `keras_version`.
- `layers`: every public class in `keras.layers` that is a `keras.layers.Layer` (`dir`), plus
  `Input` (`keras.Input` is `keras.layers.Input`, a function), `Model` (`keras.Model`) and
  `Sequential` (`keras.Sequential`), by the name it is exported under. A name bound to the same
  object as another is `{"alias_of": "<name>"}` (`Convolution2D` -> `Conv2D`; the canonical
  name is the one equal to the object's `__name__`). Any other entry is a signature (below) of
  the class's `__init__` (of the function for `Input`) with `kind` ("class" or "function") and,
  for a class, `call`: the signature of its `call` method. `Model`'s `__init__` takes only
  `*args, **kwargs`: `keras.Model(inputs, outputs, ...)` (two positional arguments, or `inputs`
  and `outputs` by keyword) makes a Functional model, whose `__init__` signature (with `call`,
  its `call`'s) is under `functional`.
- `functions`: every public function in `keras.layers` but `Input` (`concatenate`, `add`, ...,
  `serialize`, `deserialize`), a signature
  with, for a functional form, `layer`: the layer class it builds (found in its source).
- `ops`: every public function of `keras.ops` (key `reshape`) and of its submodules `nn`,
  `numpy`, `image`, `linalg` (key `nn.relu`, as written after `keras.ops.`; `core` and `math`
  are not submodules in Keras 3.15, their functions are in `keras.ops` itself). A submodule's
  function that is the same object as another name's is `{"alias_of": "<name>"}`
  (`nn.relu` -> `relu`). Any other entry is a signature with `operation` when the function's
  source (or, when it makes none, the source of the functions of its module it calls: `abs`
  returns `absolute(x)`) makes exactly one Operation class: the class name a Functional model
  records for it (`Reshape` for `reshape`). A function that makes none (it computes eagerly:
  `shape`, `ones`, ...) or several has no `operation`.

A signature is `positional` (the names that may be given positionally, in order, `self`
left out, up to `*args` or the first keyword-only name), `keyword_only` (in order), `varargs`
and `varkw` (whether it takes `*args` / `**kwargs`) and `defaults` (name -> default, for every
parameter that has one: tuples as lists; a default JSON cannot hold would be
`{"repr": "..."}`, with no memory address, but every Keras 3.15.1 default is JSON).

The run is deterministic (same Keras, same file); it prints the number of entries per section
and the file's size.
"""

from __future__ import annotations

import ast
import inspect
import json
import math
import re
import textwrap
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from recording import reproducible_process

if __name__ == "__main__":
    reproducible_process()  # before Keras is imported

import keras
from keras.src.models.functional import Functional
from keras.src.ops.operation import Operation

OUT = Path(__file__).resolve().parent.parent / "deconvcheck" / "read" / "keras_signatures.json"
OPS_SUBMODULES = ("nn", "numpy", "image", "linalg", "core", "math")  # those that exist
POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def jsonable(value: Any) -> Any:
    """`value` as JSON holds it (tuples as lists), or `{"repr": ...}` when it cannot."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, list | tuple):
        items = [jsonable(item) for item in value]
        if not any(isinstance(item, dict) and "repr" in item for item in items):
            return items
    elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
        entries = {key: jsonable(item) for key, item in value.items()}
        if not any(isinstance(item, dict) and "repr" in item for item in entries.values()):
            return entries
    return {"repr": ADDRESS.sub("", repr(value))}


def signature(function: Callable[..., Any], *, method: bool) -> dict[str, Any]:
    """The parameters of `function` as positional / keyword-only names, *args / **kwargs and
    defaults; for a method, `self` left out."""
    parameters = list(inspect.signature(function).parameters.values())
    if method:
        parameters = parameters[1:]  # self
    kinds = inspect.Parameter
    return {
        "positional": [p.name for p in parameters if p.kind in POSITIONAL],
        "keyword_only": [p.name for p in parameters if p.kind == kinds.KEYWORD_ONLY],
        "varargs": any(p.kind == kinds.VAR_POSITIONAL for p in parameters),
        "varkw": any(p.kind == kinds.VAR_KEYWORD for p in parameters),
        "defaults": {p.name: jsonable(p.default) for p in parameters if p.default is not p.empty},
    }


def made_classes(function: Callable[..., Any], base: type, depth: int = 2) -> list[str]:
    """The names of the subclasses of `base` that `function`'s source calls by name (resolved in
    its module), in order of first appearance; when it calls none, those that the functions of
    its own module it calls make (`abs` returns `absolute(x)`), `depth` calls down."""
    function = inspect.unwrap(function)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return []
    names: dict[str, None] = {}
    callees: list[Callable[..., Any]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found = function.__globals__.get(node.func.id)
            if isinstance(found, type) and issubclass(found, base):
                names[found.__name__] = None
            elif (
                inspect.isfunction(found)
                and found is not function
                and found.__module__ == function.__module__
            ):
                callees.append(found)
    if not names and depth > 0:
        for callee in callees:
            names |= dict.fromkeys(made_classes(callee, base, depth - 1))
    return list(names)


def canonical(names: Iterable[str], value: Any) -> str:
    """Of the names bound to one object, the one that is its `__name__` (the shortest dotted
    one when several are), else the first in sorted order."""
    ordered = sorted(names, key=lambda name: (name.count("."), name))
    own = getattr(value, "__name__", None)
    return next((name for name in ordered if name.rsplit(".", 1)[-1] == own), ordered[0])


def with_aliases(
    objects: dict[str, Any], describe: Callable[[str, Any], dict[str, Any]]
) -> dict[str, Any]:
    """`describe(name, value)` for the canonical name of each object, `{"alias_of": name}` for
    its other names."""
    names: dict[int, list[str]] = {}
    for name, value in objects.items():
        names.setdefault(id(value), []).append(name)
    entries: dict[str, Any] = {}
    for name, value in objects.items():
        main_name = canonical(names[id(value)], value)
        entries[name] = describe(name, value) if name == main_name else {"alias_of": main_name}
    return entries


def describe_layer(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, type):  # keras.Input
        return {"kind": "function", **signature(value, method=False)}
    entry = {
        "kind": "class",
        **signature(value.__init__, method=True),
        "call": signature(value.call, method=True),
    }
    if value is keras.Model:
        entry["functional"] = {
            **signature(Functional.__init__, method=True),
            "call": signature(Functional.call, method=True),
        }
    return entry


def public(module: types.ModuleType) -> dict[str, Any]:
    return {name: getattr(module, name) for name in dir(module) if not name.startswith("_")}


def layers() -> dict[str, Any]:
    found = {
        name: value
        for name, value in public(keras.layers).items()
        if isinstance(value, type) and issubclass(value, keras.layers.Layer)
    }
    assert keras.Input is keras.layers.Input, "keras.Input is no longer keras.layers.Input"
    found |= {"Input": keras.layers.Input, "Model": keras.Model, "Sequential": keras.Sequential}
    return with_aliases(found, describe_layer)


def functions() -> dict[str, Any]:
    found = {
        name: value for name, value in public(keras.layers).items() if inspect.isfunction(value)
    }
    found.pop("Input")  # under layers

    def describe(name: str, value: Any) -> dict[str, Any]:
        entry = signature(value, method=False)
        made = made_classes(value, keras.layers.Layer)
        if len(made) == 1:
            entry["layer"] = made[0]
        return entry

    return with_aliases(found, describe)


def ops() -> dict[str, Any]:
    found = {name: value for name, value in public(keras.ops).items() if inspect.isfunction(value)}
    for submodule in OPS_SUBMODULES:
        module = getattr(keras.ops, submodule, None)
        if isinstance(module, types.ModuleType):
            found |= {
                f"{submodule}.{name}": value
                for name, value in public(module).items()
                if inspect.isfunction(value)
            }

    def describe(name: str, value: Any) -> dict[str, Any]:
        entry = signature(value, method=False)
        made = made_classes(value, Operation)
        if len(made) == 1:
            entry["operation"] = made[0]
        return entry

    return with_aliases(found, describe)


def dumps(document: dict[str, Any]) -> str:
    """Keys sorted; one line per entry of each section."""
    lines = ["{"]
    keys = sorted(document)
    for index, key in enumerate(keys):
        comma = "," if index < len(keys) - 1 else ""
        value = document[key]
        if not isinstance(value, dict):
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{comma}")
            continue
        lines.append(f" {json.dumps(key)}: {{")
        names = sorted(value)
        lines.extend(
            f"  {json.dumps(name)}: {json.dumps(value[name], sort_keys=True)}"
            + ("," if position < len(names) - 1 else "")
            for position, name in enumerate(names)
        )
        lines.append(f" }}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    document = {
        "keras_version": keras.__version__,
        "layers": layers(),
        "functions": functions(),
        "ops": ops(),
    }
    text = dumps(document)
    assert json.loads(text) == document
    OUT.write_text(text)
    counts = ", ".join(
        f"{len(document[section])} {section}"
        f" ({sum('alias_of' in entry for entry in document[section].values())} aliases)"
        for section in ("layers", "functions", "ops")
    )
    print(f"Keras {keras.__version__}: {counts}; {len(text.encode()):,} bytes in {OUT}")


if __name__ == "__main__":
    main()
