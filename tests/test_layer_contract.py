"""The layer contract: every registered layer type answers every question the tool asks of a
layer, consistently, on a small input it gives for itself (`Layer.example`). A new layer type
that forgets a hook (no windows for a downsampling layer, MACs 0 for a weighted one, no
`explain` line where the shape changes, a Keras config it cannot read back) fails here.

Each hook is tested on the types for which the test can fail. A type that keeps `Layer`'s own
answer gets it by construction (`Layer.macs` is 0, `Layer.receptive_field` passes the field on
or steps it by the type's own windows, `Layer.retuned` is None): testing it would compare the
hook with itself. What every type declares is checked against Keras's recorded signatures
(`test_every_type_declares_keras_arguments_and_defaults`) and, for the windows, against the
sizes Keras computed (tests/goldens/keras_layers.json)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import deconvcheck.read
from deconvcheck import arith
from deconvcheck.infer import build
from deconvcheck.layers import base
from deconvcheck.layers.base import (
    AnyLayer,
    Config,
    Layer,
    Params,
    Refusal,
    Role,
    Window,
    anything,
    data_format,
    spatial_axes,
)
from deconvcheck.layers.operations import PREFIX, KerasOperation
from deconvcheck.layers.registry import INDEX, layer_types, lookup, registry
from deconvcheck.memo import MEMO, ByObject, Table
from deconvcheck.read.loader import load
from tests.conftest import GOLDENS

TYPES = [pytest.param(cls, id=cls.NAMES[0]) for cls in layer_types()]
WINDOWED = (Role.DOWNSAMPLING, Role.UPSAMPLING)


def built(cls: type[AnyLayer]) -> tuple[AnyLayer, tuple[tuple[int | None, ...], ...]]:
    example = cls.example()
    return cls(example.args), example.inputs


def inherits(cls: type[AnyLayer], hook: str) -> bool:
    """Whether `cls` answers `hook` with `Layer`'s own."""
    return all(hook not in k.__dict__ for k in cls.__mro__[: cls.__mro__.index(Layer)])


def weighted(cls: type[AnyLayer]) -> bool:
    layer, inputs = built(cls)
    return layer.weight_count(inputs).trainable > 0


def types_where(keep: Callable[[type[AnyLayer]], bool]) -> list[Any]:
    return [param for param in TYPES if keep(param.values[0])]


# The hooks by which a type reads and writes its arguments: a type without arguments that keeps
# all of Layer's reads and writes back an empty config, whatever it is.
ARGUMENT_HOOKS = ("__init__", "parse_args", "from_keras", "arguments", "keras_config", "written")


def has_arguments(cls: type[AnyLayer]) -> bool:
    return bool(cls.ARGS) or not all(inherits(cls, hook) for hook in ARGUMENT_HOOKS)


def changes_the_tensor(cls: type[AnyLayer]) -> bool:
    """Not a pure identity: a type that keeps Layer's output shape and weight count (a dropout,
    an activation) gives its input back, with no weights and "the shape is unchanged"."""
    hooks = ("output_shape", "output_shapes", "weight_count", "param_count", "explain")
    return not all(inherits(cls, hook) for hook in hooks)


def writes_code(cls: type[AnyLayer]) -> bool:
    """Not `layers.X(name='x')` by construction: arguments, or code of its own."""
    return has_arguments(cls) or not (inherits(cls, "keras_code") and inherits(cls, "keras_call"))


def test_every_name_is_registered_once() -> None:
    names = [name for cls in layer_types() for name in cls.NAMES]
    assert len(names) == len(set(names)) == len(registry())


@pytest.mark.parametrize("cls", TYPES)
def test_declares_names_config_and_role(cls: type[AnyLayer]) -> None:
    assert cls.NAMES and cls.keras_name()[0].isupper()
    assert all(a.name for a in cls.ARGS)
    assert isinstance(cls.ROLE, Role)
    assert (cls.ROLE is Role.INPUT) == (cls.MAX_INPUTS == 0)
    # A merge takes several tensors (an RNN's initial states make it no merge)
    assert cls.ROLE is not Role.MERGE or cls.MAX_INPUTS is None or cls.MAX_INPUTS > 1
    layer, _ = built(cls)
    assert 1 <= layer.output_count() <= 5
    # a window on each spatial axis for exactly the layers that slide one
    assert (layer.windows() is not None) == (cls.ROLE in WINDOWED)
    # only an upsampling layer takes windows from `check`'s fixes or states an output (DC304)
    if cls.ROLE is not Role.UPSAMPLING:
        assert inherits(cls, "retuned") and inherits(cls, "stated_output")
    # `layout()` is Keras's data format: parsed as Keras parses it, into one of its two values
    assert all(a.parse is data_format for a in cls.all_args() if a.name == "data_format")
    # frozen, as `made` needs to share one instance between identical declarations
    assert cls.CONFIG.__setattr__ is Config.__setattr__


@pytest.mark.parametrize("cls", types_where(changes_the_tensor))
def test_shape_and_parameters(cls: type[AnyLayer]) -> None:
    layer, inputs = built(cls)
    output = layer.output_shape(inputs)
    assert isinstance(output, tuple) and output[0] is None
    params = layer.param_count(inputs)
    assert isinstance(params, Params) and params.trainable >= 0 and params.non_trainable >= 0


KERAS_BUILT = [
    case
    for case in json.loads((GOLDENS / "keras_layers.json").read_text())["cases"]
    if case["result"]["ok"] and "output_shape" in case["result"]
]


@pytest.mark.parametrize("cls", types_where(lambda cls: cls.ROLE in WINDOWED))
def test_windows_give_the_sizes_keras_computed(cls: type[AnyLayer]) -> None:
    """A downsampling or upsampling layer's window on each spatial axis alone, through `arith`,
    gives the size Keras computed on that axis, in every case Keras built: what tracing,
    floors, `sizes` and the fixes take from the windows."""
    cases = [c for c in KERAS_BUILT if lookup(c["type"]) is cls]
    assert cases
    for case in cases:
        layer = cls(case["args"])
        (shape,) = [(None, *s) for s in case["input_shapes"]]
        keras = case["result"]["output_shape"]
        windows = layer.windows()
        assert windows is not None and all(isinstance(w, Window) for w in windows)
        axes = list(spatial_axes(shape, layer.layout() or "channels_last"))
        assert len(windows) == len(axes) == cls.RANK
        for w, axis in zip(windows, axes, strict=True):
            n = shape[axis]
            if cls.ROLE is Role.DOWNSAMPLING:
                size = arith.conv_output_length(n, w.kernel, w.stride, w.padding, w.dilation)
            else:
                size = arith.conv_transpose_output_length(
                    n, w.kernel, w.stride, w.padding, w.output_padding, w.dilation
                )
            assert size == keras[axis], (case["id"], axis)


@pytest.mark.parametrize("cls", types_where(lambda cls: weighted(cls) or not inherits(cls, "macs")))
def test_macs(cls: type[AnyLayer]) -> None:
    layer, inputs = built(cls)
    macs = layer.macs(inputs, layer.output_shape(inputs))
    assert isinstance(macs, int) and macs >= 0
    has_weights = layer.weight_count(inputs).trainable > 0
    if has_weights and not cls.MACS_FREE:
        assert type(layer).macs is not Layer.macs and macs > 0
    if not has_weights:
        assert macs == 0


@pytest.mark.parametrize("cls", types_where(lambda cls: not inherits(cls, "receptive_field")))
def test_receptive_field(cls: type[AnyLayer]) -> None:
    layer, _ = built(cls)
    step = layer.receptive_field(Fraction(3), Fraction(2))
    if step is None:  # every position sees everything (a Dense, an attention, a global pool)
        assert cls.ROLE in (Role.RESHAPING, Role.PRESERVING, Role.MERGE)
        return
    rf, jump = step
    assert isinstance(rf, Fraction) and isinstance(jump, Fraction)
    assert rf >= 3 and jump > 0
    windows = layer.windows()
    if windows and cls.ROLE is Role.DOWNSAMPLING:
        assert jump == 2 * windows[0].stride
    if windows and cls.ROLE is Role.UPSAMPLING:
        assert jump == Fraction(2, windows[0].stride)


@pytest.mark.parametrize("cls", types_where(changes_the_tensor))
def test_explain(cls: type[AnyLayer]) -> None:
    layer, inputs = built(cls)
    lines = layer.explain(inputs, layer.output_shape(inputs))
    assert lines and all(isinstance(line, str) and line for line in lines)


@pytest.mark.parametrize("cls", types_where(has_arguments))
def test_arguments_round_trip(cls: type[AnyLayer]) -> None:
    """What `convert` writes (spec form) and `export` writes (Keras form) builds the same."""
    layer, _ = built(cls)
    keras_form = layer.arguments()
    assert cls(keras_form).config == layer.config
    spec_form = {k: layer.written(k, v) for k, v in keras_form.items()}
    assert cls(spec_form).config == layer.config


@pytest.mark.parametrize("cls", types_where(has_arguments))
def test_keras_config_round_trip(cls: type[AnyLayer]) -> None:
    """A layer as a Keras file holds it reads back as the same layer."""
    layer, _ = built(cls)
    config = {"name": "some_layer", **layer.keras_config()}
    again = cls(cls.from_keras(config))
    assert again.config == layer.config and again.trainable == layer.trainable


@pytest.mark.parametrize("cls", types_where(writes_code))
def test_keras_code(cls: type[AnyLayer]) -> None:
    """What `export` writes: the expression that makes the layer, and one call of it."""
    layer, inputs = built(cls)
    if layer.inner() is not None:  # a nested model: written by a builder of its own
        with pytest.raises(NotImplementedError):
            layer.keras_code("x", layer.arguments())
        return
    code = layer.keras_code("x", layer.arguments())
    feeds = [f"t{i}" for i in range(len(inputs))]
    call = layer.keras_call(code and "x_layer", feeds)
    if code is None:  # an operation: a function of keras.ops, on the tensors
        assert call.startswith("keras.ops.") and all(f in call for f in feeds)
        return
    assert "name='x'" in code
    if cls.ROLE is Role.INPUT:
        assert code.startswith("keras.Input(") and call == "x_layer"
    else:
        assert code.startswith(f"layers.{cls.keras_name()}(")
        assert call.startswith("x_layer(") and all(f in call for f in feeds)


@pytest.mark.parametrize("cls", types_where(lambda cls: not inherits(cls, "retuned")))
def test_retuned_windows_are_taken(cls: type[AnyLayer]) -> None:
    layer, _ = built(cls)
    windows = layer.windows()
    assert windows is not None
    changes = layer.retuned(windows)
    assert changes is not None
    again = cls({**cls.example().args, **changes})
    assert again.windows() == windows


# ---------------------------------------------------------------- the arguments, against Keras

SIGNATURES = json.loads(
    (Path(deconvcheck.read.__file__).parent / "keras_signatures.json").read_text()
)
NOT_IN_KERAS_LAYERS = {"Functional", "LayerScale"}  # see tests/test_keras_signatures.py

# Arguments a type declares that its Keras constructor's signature does not name, and where Keras
# takes them: a base class's signature (recorded, and checked here), or a `kwargs.pop` in the
# constructor (keras/src/layers/...), or nowhere (deconvcheck's own).
TAKEN_BY_BASE = {
    **{(rnn, "zero_output_for_mask"): "RNN" for rnn in ("SimpleRNN", "LSTM", "GRU")},
    **{
        (f"ConvLSTM{rank}D", name): "RNN"
        for rank in (1, 2, 3)
        for name in ("unroll", "zero_output_for_mask")
    },
    ("AdditiveAttention", "score_mode"): "Attention",
    ("AdditiveAttention", "seed"): "Attention",
}  # fmt: skip
TAKEN_FROM_KWARGS = {
    ("LeakyReLU", "alpha"): "activations/leaky_relu.py: popped, the old name of negative_slope",
    ("LayerNormalization", "rms_scaling"): "normalization/layer_normalization.py: popped",
    ("Embedding", "input_length"): "core/embedding.py: popped, deprecated",
    ("RandomContrast", "data_format"): "preprocessing/image_preprocessing/"
    "base_image_preprocessing_layer.py: BaseImagePreprocessingLayer (not exported)",
    ("RandomBrightness", "data_format"): "the same base",
}
DECONVCHECK_ONLY = {
    **{(f"Conv{rank}DTranspose", "output_shape"): "the size the spec expects, for DC304"
       for rank in (1, 2, 3)},  # Keras 3 refuses it: `export` leaves it out
    ("Sequential", "model"): "the nested model's spec (Keras takes its `layers`)",
}  # fmt: skip
# Keras constructor arguments a type does not declare (a spec giving one gets DC102).
NOT_DECLARED = {
    ("InputLayer", "batch_shape"), ("InputLayer", "input_tensor"), ("InputLayer", "optional"),
    ("InputLayer", "ragged"),
    ("Sequential", "layers"),  # given as `model`
    ("Embedding", "weights"),
}  # fmt: skip
# Required on one side only: Keras's Input takes `shape` or `batch_shape`, deconvcheck `shape`;
# deconvcheck never runs a Lambda's function, so a spec need not name one.
REQUIRED_HERE_ONLY = {("InputLayer", "shape")}
REQUIRED_IN_KERAS_ONLY = {("Lambda", "function")}


def signature(section: str, name: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = SIGNATURES[section].get(name)
    if found is not None and "alias_of" in found:
        found = SIGNATURES[section][found["alias_of"]]
    return found


def parameters(found: dict[str, Any]) -> list[str]:
    listed: list[str] = found["positional"] + found["keyword_only"]
    return listed


def keras_signature(cls: type[AnyLayer]) -> dict[str, Any] | None:
    """Keras's constructor for the type; for an operation, the keras.ops function each of its
    `ops.` names calls, which must make Keras's operation of that class."""
    if not issubclass(cls, KerasOperation):
        return signature("layers", cls.keras_name())
    functions = [signature("ops", n[len(PREFIX) :]) for n in cls.NAMES if n.startswith(PREFIX)]
    found = [f for f in functions if f is not None]
    assert found and all(f.get("operation") == cls.keras_name() for f in found), cls.NAMES
    return found[0]


def default_differs(cls: type[AnyLayer], spec: base.Arg, keras_default: object) -> bool:
    """Whether the two defaults are different values once parsed (`1` and `[1, 1]` are not)."""
    try:
        ours = spec.parse(spec.default, spec.name, cls.RANK)
        return bool(ours != spec.parse(keras_default, spec.name, cls.RANK))
    except Refusal:  # Keras's default is a value deconvcheck refuses
        return True


def argument_problem(cls: type[AnyLayer], spec: base.Arg, found: dict[str, Any]) -> str | None:
    """How one declared argument differs from Keras's, where it is not listed above."""
    key = (cls.keras_name(), spec.name)
    if issubclass(cls, KerasOperation) and spec.name == "operands":
        return None  # the call's positional arguments, as a Keras file records them
    if key in DECONVCHECK_ONLY or key in TAKEN_FROM_KWARGS or key in TAKEN_BY_BASE:
        if spec.name in parameters(found):
            return f"{key}: listed as not Keras's constructor's, but it is"
        if key in TAKEN_BY_BASE:
            taker = signature("layers", TAKEN_BY_BASE[key])
            if not (found["varkw"] and taker and spec.name in parameters(taker)):
                return f"{key}: {TAKEN_BY_BASE[key]} does not take it"
        return None
    if spec.name in cls.CALL_ARGS:  # Keras takes it when the layer is called
        return None if spec.name in parameters(found["call"]) else f"{key}: not Keras's call's"
    if spec.name not in parameters(found):
        return f"{key}: not an argument of Keras's constructor"
    required = (spec.required, spec.name not in found["defaults"])
    if key in REQUIRED_HERE_ONLY or key in REQUIRED_IN_KERAS_ONLY:
        expected = (key in REQUIRED_HERE_ONLY, key in REQUIRED_IN_KERAS_ONLY)
        return None if required == expected else f"{key}: required {required}, listed {expected}"
    if required[0] != required[1]:
        return f"{key}: required here {required[0]}, in Keras {required[1]}"
    keras_default = found["defaults"].get(spec.name)
    ignored = spec.parse is anything  # its default: test_ignored_arguments_declare_keras_defaults
    if not spec.required and not ignored and default_differs(cls, spec, keras_default):
        return f"{key}: default {spec.default!r}, Keras's {keras_default!r}"
    return None


def declaration_problems(cls: type[AnyLayer]) -> list[str]:
    """How the type's declared arguments differ from its Keras constructor's."""
    name = cls.keras_name()
    found = keras_signature(cls)
    if found is None:
        return [] if name in NOT_IN_KERAS_LAYERS else [f"{name}: no Keras signature"]
    declared = {a.name for a in cls.all_args()}
    problems = [
        f"{(name, p)}: "
        + ("listed as not declared, but it is" if p in declared else "Keras's, not declared")
        for p in parameters(found)
        if p != "name"  # every layer's is the spec's `name`
        and (p in declared) == ((name, p) in NOT_DECLARED)
        and not (issubclass(cls, KerasOperation) and p in found["positional"])  # in `operands`
    ]
    problems += [p for spec in cls.ARGS if (p := argument_problem(cls, spec, found))]
    return problems


def test_every_type_declares_keras_arguments_and_defaults() -> None:
    """Each registered type's arguments are its Keras constructor's (keras_signatures.json,
    recorded from Keras 3.15.1): the same names, required where Keras requires them, and, for
    each argument that can change a shape or a count, a default that parses to Keras's. The
    differences are the lists above, each with its reason, and every entry of them is used."""
    assert [problem for cls in layer_types() for problem in declaration_problems(cls)] == []
    declared = {(cls.keras_name(), a.name) for cls in layer_types() for a in cls.ARGS}
    listed = {*TAKEN_BY_BASE, *TAKEN_FROM_KWARGS, *DECONVCHECK_ONLY, *REQUIRED_HERE_ONLY}
    assert listed | REQUIRED_IN_KERAS_ONLY <= declared
    keras = {
        (cls.keras_name(), p)
        for cls in layer_types()
        if (f := keras_signature(cls))
        for p in parameters(f)
    }
    assert keras >= NOT_DECLARED


def test_layers_type_shows_keras_defaults_of_ignored_arguments() -> None:
    """`deconvcheck layers TYPE` says "Keras names and defaults": an argument kept and never
    read declares None, and the command shows Keras's recorded default instead (Conv2D's
    kernel_initializer 'glorot_uniform', LSTM's go_backwards False)."""
    from click.testing import CliRunner  # noqa: PLC0415

    from deconvcheck.cli.main import cli  # noqa: PLC0415

    differing = [
        (cls, spec.name, found["defaults"][spec.name])
        for cls in layer_types()
        if not issubclass(cls, KerasOperation) and (found := keras_signature(cls))
        for spec in cls.ARGS
        if spec.parse is anything and spec.default is None
        and found["defaults"].get(spec.name) is not None
    ]  # fmt: skip
    assert len(differing) >= 60  # 72 when this was written
    shown: dict[str, str] = {}
    for cls, name, keras in differing:
        if cls.NAMES[0] not in shown:
            shown[cls.NAMES[0]] = CliRunner().invoke(cli, ["layers", cls.NAMES[0]]).output
        assert f"  {name}: default {keras!r}" in shown[cls.NAMES[0]], (cls.NAMES[0], name)
    assert "  kernel_initializer: default 'glorot_uniform'" in shown["Conv2D"]
    assert "  go_backwards: default False" in shown["LSTM"]


def test_the_registry_table_names_every_class_where_it_lives() -> None:
    """registry.FAMILIES (what lets a family load only when named) lists exactly the names
    each class declares, under the module that defines it."""
    for cls in layer_types():
        module = cls.__module__.rsplit(".", 1)[1]
        assert all(INDEX[name] == module for name in cls.NAMES), cls.NAMES
    assert sorted(INDEX) == sorted(n for cls in layer_types() for n in cls.NAMES)


def test_naming_a_type_loads_only_its_family() -> None:
    code = (
        "import sys; from deconvcheck.layers.registry import lookup; lookup('Conv2D'); "
        "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules "
        "if m.startswith('deconvcheck.layers.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "['base', 'convolution', 'registry']"


# ---------------------------------------------------------------- shared instances


def test_identical_declarations_share_one_layer(tmp_path: Path) -> None:
    """Built-in layers are immutable once made: declarations with the same arguments share one
    instance (parsed once), other arguments make another; a nested model is its own."""
    spec = tmp_path / "chain.yaml"
    spec.write_text(
        "layers:\n"
        "  - {type: Input, shape: [8, 8, 3]}\n"
        "  - {type: Conv2D, filters: 4, kernel_size: 3, name: a}\n"
        "  - {type: Conv2D, filters: 4, kernel_size: 3, name: b}\n"
        "  - {type: Conv2D, filters: 4, kernel_size: [3, 3], name: c}\n"
        "  - {type: Conv2D, filters: 5, kernel_size: 3, name: d}\n"
        "  - {type: Sequential, name: e, model: {layers: [{type: Input, shape: [4, 4, 5]}]}}\n"
        "  - {type: Sequential, name: f, model: {layers: [{type: Input, shape: [4, 4, 5]}]}}\n"
    )
    nodes = build(load(str(spec))).nodes
    assert nodes["a"].layer is nodes["b"].layer
    assert nodes["c"].layer is not nodes["a"].layer  # written otherwise: parsed on its own
    assert nodes["c"].layer.config.kernel_size == nodes["a"].layer.config.kernel_size == (3, 3)
    assert nodes["d"].layer is not nodes["a"].layer and nodes["d"].layer.config.filters == 5
    assert nodes["e"].layer is not nodes["f"].layer  # nested models: never shared


def test_a_plugins_layer_is_made_anew() -> None:
    """A class defined outside deconvcheck.layers (a plugin's) may keep state: not shared."""

    class Counter(Layer):
        NAMES = ("Counter",)

    assert Counter.made({}) is not Counter.made({})
    conv, args = registry()["Conv2D"], {"filters": 2, "kernel_size": 1}
    assert conv.made(args) is conv.made(dict(args))


def test_the_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking thousands of files or sizes keeps memory flat: the instance table is cleared
    when full, and so is the table of the answers layers gave on input shapes."""
    monkeypatch.setattr(MEMO, "layers", Table(3))
    dense = registry()["Dense"]
    for units in range(1, 11):
        assert dense.made({"units": units}).config.units == units
        assert len(MEMO.layers) <= 3
    monkeypatch.setattr(MEMO, "calls", ByObject(4))
    layer = dense.made({"units": 2})
    for features in range(1, 11):
        shapes, params = layer.called([(None, features)])
        assert shapes == ((None, 2),) and params.total == features * 2 + 2
        assert len(MEMO.calls) <= 4


def test_an_answer_is_kept_for_its_own_object_only() -> None:
    """The table of answers is keyed by an object's identity and holds the object: an equal
    layer made apart is asked anew, and the one asked gets its own answer back."""
    kept = ByObject(8)
    first, second = [1], [1]  # equal, not the same
    kept.keep(first, "q", "answer")
    assert kept.get(first, "q") == "answer"
    assert kept.get(second, "q") is None and kept.get(first, "other") is None
