"""The layer contract: every registered layer type answers every question the tool asks of a
layer, consistently, on a small input it gives for itself (`Layer.example`). A new layer type
that forgets a hook (no windows for a downsampling layer, MACs 0 for a weighted one, no
`explain` line where the shape changes, a Keras config it cannot read back) fails here."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from deconvcheck import arith
from deconvcheck.infer import build
from deconvcheck.layers import base
from deconvcheck.layers.base import AnyLayer, Layer, Params, Role, Window, spatial_axes
from deconvcheck.layers.registry import INDEX, layer_types, registry
from deconvcheck.read.loader import load

TYPES = [pytest.param(cls, id=cls.NAMES[0]) for cls in layer_types()]


def built(cls: type[AnyLayer]) -> tuple[AnyLayer, tuple[tuple[int | None, ...], ...]]:
    example = cls.example()
    return cls(example.args), example.inputs


def test_every_name_is_registered_once() -> None:
    names = [name for cls in layer_types() for name in cls.NAMES]
    assert len(names) == len(set(names)) == len(registry())


@pytest.mark.parametrize("cls", TYPES)
def test_declares_names_config_and_role(cls: type[AnyLayer]) -> None:
    assert cls.NAMES and cls.keras_name()[0].isupper()
    assert cls.ARGS == cls.CONFIG.FIELDS
    assert all(a.name for a in cls.ARGS)
    assert isinstance(cls.ROLE, Role)
    assert (cls.ROLE is Role.INPUT) == (cls.MAX_INPUTS == 0)
    # A merge takes several tensors (an RNN's initial states make it no merge)
    assert cls.ROLE is not Role.MERGE or cls.MAX_INPUTS is None or cls.MAX_INPUTS > 1
    assert 1 <= cls(cls.example().args).output_count() <= 5


@pytest.mark.parametrize("cls", TYPES)
def test_shape_and_parameters(cls: type[AnyLayer]) -> None:
    layer, inputs = built(cls)
    output = layer.output_shape(inputs)
    assert isinstance(output, tuple) and output[0] is None
    params = layer.param_count(inputs)
    assert isinstance(params, Params) and params.trainable >= 0 and params.non_trainable >= 0


@pytest.mark.parametrize("cls", TYPES)
def test_config_is_typed_and_frozen(cls: type[AnyLayer]) -> None:
    layer, _ = built(cls)
    assert set(layer.config.values()) == {a.name for a in cls.ARGS}
    for name in layer.config.values():
        with pytest.raises(AttributeError):
            setattr(layer.config, name, None)


@pytest.mark.parametrize("cls", TYPES)
def test_windows_give_the_output_size(cls: type[AnyLayer]) -> None:
    """A downsampling or upsampling layer has a window on each spatial axis, and the window
    alone, through `arith`, gives the size the layer computes."""
    layer, inputs = built(cls)
    windows = layer.windows()
    if cls.ROLE not in (Role.DOWNSAMPLING, Role.UPSAMPLING):
        assert windows is None
        return
    assert windows is not None and all(isinstance(w, Window) for w in windows)
    output = layer.output_shape(inputs)
    fmt = layer.layout() or "channels_last"
    axes = list(spatial_axes(inputs[0], fmt))
    assert len(windows) == len(axes) == cls.RANK
    for w, axis in zip(windows, axes, strict=True):
        n = inputs[0][axis]
        if cls.ROLE is Role.DOWNSAMPLING:
            expected = arith.conv_output_length(n, w.kernel, w.stride, w.padding, w.dilation)
        else:
            expected = arith.conv_transpose_output_length(
                n, w.kernel, w.stride, w.padding, w.output_padding, w.dilation
            )
        assert output[axis] == expected


@pytest.mark.parametrize("cls", TYPES)
def test_macs(cls: type[AnyLayer]) -> None:
    layer, inputs = built(cls)
    macs = layer.macs(inputs, layer.output_shape(inputs))
    assert isinstance(macs, int) and macs >= 0
    weighted = layer.weight_count(inputs).trainable > 0
    if weighted and not cls.MACS_FREE:
        assert type(layer).macs is not Layer.macs and macs > 0
    if not weighted:
        assert macs == 0


@pytest.mark.parametrize("cls", TYPES)
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


@pytest.mark.parametrize("cls", TYPES)
def test_explain(cls: type[AnyLayer]) -> None:
    layer, inputs = built(cls)
    lines = layer.explain(inputs, layer.output_shape(inputs))
    assert lines and all(isinstance(line, str) and line for line in lines)


@pytest.mark.parametrize("cls", TYPES)
def test_arguments_round_trip(cls: type[AnyLayer]) -> None:
    """What `convert` writes (spec form) and `export` writes (Keras form) builds the same."""
    layer, _ = built(cls)
    keras_form = layer.arguments()
    assert cls(keras_form).config == layer.config
    spec_form = {k: layer.written(k, v) for k, v in keras_form.items()}
    assert cls(spec_form).config == layer.config


@pytest.mark.parametrize("cls", TYPES)
def test_keras_config_round_trip(cls: type[AnyLayer]) -> None:
    """A layer as a Keras file holds it reads back as the same layer."""
    layer, _ = built(cls)
    config = {"name": "some_layer", **layer.keras_config()}
    again = cls(cls.from_keras(config))
    assert again.config == layer.config and again.trainable == layer.trainable


@pytest.mark.parametrize("cls", TYPES)
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


@pytest.mark.parametrize("cls", TYPES)
def test_retuned_windows_are_taken(cls: type[AnyLayer]) -> None:
    layer, _ = built(cls)
    windows = layer.windows()
    changes = layer.retuned(windows) if windows else None
    if changes is None:
        return
    assert cls.ROLE is Role.UPSAMPLING
    again = cls({**cls.example().args, **changes})
    assert again.windows() == windows


@pytest.mark.parametrize("cls", TYPES)
def test_layout_and_stated_output(cls: type[AnyLayer]) -> None:
    layer, _ = built(cls)
    assert layer.layout() in (None, "channels_last", "channels_first")
    assert layer.stated_output() is None  # only given when the spec states one


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
    """Checking thousands of files or sizes keeps memory flat: the instance cache is cleared
    when full, and a layer keeps the results of a bounded number of input shapes."""
    monkeypatch.setattr(base, "_MADE", {})
    monkeypatch.setattr(base, "MADE_LIMIT", 3)
    dense = registry()["Dense"]
    for units in range(1, 11):
        assert dense.made({"units": units}).config.units == units
        assert len(base._MADE) <= 3
    monkeypatch.setattr(base, "CALLED_LIMIT", 4)
    layer = dense.made({"units": 2})
    for features in range(1, 11):
        shapes, params = layer.called([(None, features)])
        assert shapes == ((None, 2),) and params.total == features * 2 + 2
        assert len(layer.__dict__["_called"]) <= 4
