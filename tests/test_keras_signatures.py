"""The recorded Keras signatures (deconvcheck/read/keras_signatures.json, written by
tools/record_keras_signatures.py): their shape, the values a reader of Keras Python code relies
on to name positional arguments, and an entry for every Keras class name the registry knows.

The expected values are Keras 3.15.1's own signatures, each read in its source
(`keras/src/...` paths below are in the installed keras 3.15.1 package); no Keras is imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import deconvcheck.read
from deconvcheck.layers.registry import INDEX, KERAS_NOT_YET

PATH = Path(deconvcheck.read.__file__).parent / "keras_signatures.json"
SIGNATURE_FIELDS = {"positional", "keyword_only", "varargs", "varkw", "defaults"}

# Registry names with no entry in `layers`, and why.
KERAS_2_ALIASES = {  # older Keras spellings deconvcheck reads; keras.layers 3.15.1 has none
    "Deconvolution1D": "Conv1DTranspose",
    "Deconv1D": "Conv1DTranspose",
    "Deconvolution2D": "Conv2DTranspose",
    "Deconv2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "Deconv3D": "Conv3DTranspose",
}
NOT_EXPORTED = {
    # keras/src/models/functional.py: not in keras.layers; keras.Model(inputs, outputs) makes
    # one, and its __init__ is recorded under Model's "functional"
    "Functional",
    # keras/src/applications/convnext.py: the ConvNeXt application's own layer, not exported
    "LayerScale",
}


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(PATH.read_text())
    return document


def entry(recorded: dict[str, Any], section: str, name: str) -> dict[str, Any]:
    """The entry for `name`, an alias followed to its target."""
    found: dict[str, Any] = recorded[section][name]
    if "alias_of" in found:
        found = recorded[section][found["alias_of"]]
    return found


def positional(recorded: dict[str, Any], section: str, name: str) -> list[str]:
    names: list[str] = entry(recorded, section, name)["positional"]
    return names


# --------------------------------------------------------------------------- the file


def test_file_is_small_sorted_and_one_entry_a_line(recorded: dict[str, Any]) -> None:
    text = PATH.read_text()
    assert len(text.encode()) < 400_000
    assert list(recorded) == sorted(recorded) == ["functions", "keras_version", "layers", "ops"]
    assert recorded["keras_version"].startswith("3.")
    for section in ("functions", "layers", "ops"):
        assert list(recorded[section]) == sorted(recorded[section])
    entries = sum(len(recorded[section]) for section in ("functions", "layers", "ops"))
    assert len(text.splitlines()) == entries + 2 + 2 * 3 + 1  # braces, sections, version


def check_signature(signature: dict[str, Any]) -> None:
    assert set(signature) >= SIGNATURE_FIELDS
    names = signature["positional"] + signature["keyword_only"]
    assert len(names) == len(set(names))
    assert set(signature["defaults"]) <= set(names)
    # a positional parameter with a default is followed only by ones with defaults
    defaulted = [name in signature["defaults"] for name in signature["positional"]]
    assert defaulted == sorted(defaulted)


@pytest.mark.parametrize("section", ["layers", "functions", "ops"])
def test_every_entry_is_a_signature_or_an_alias(recorded: dict[str, Any], section: str) -> None:
    for name, found in recorded[section].items():
        if "alias_of" in found:
            assert found == {"alias_of": found["alias_of"]}, name
            target = recorded[section][found["alias_of"]]
            assert "alias_of" not in target, name
            continue
        check_signature(found)
        if section == "layers":
            assert found["kind"] in ("class", "function"), name
            if found["kind"] == "class":
                check_signature(found["call"])


# --------------------------------------------------------------------------- layers


def test_conv2d(recorded: dict[str, Any]) -> None:
    # keras/src/layers/convolutional/conv2d.py, Conv2D.__init__
    assert positional(recorded, "layers", "Conv2D")[:9] == [
        "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
        "activation", "use_bias",
    ]  # fmt: skip
    assert entry(recorded, "layers", "Conv2D")["defaults"]["strides"] == [1, 1]
    assert recorded["layers"]["Convolution2D"] == {"alias_of": "Conv2D"}


def test_conv2d_transpose_has_output_padding_after_padding_and_no_groups(
    recorded: dict[str, Any],
) -> None:
    # keras/src/layers/convolutional/conv2d_transpose.py, Conv2DTranspose.__init__
    names = positional(recorded, "layers", "Conv2DTranspose")
    assert names[:9] == [
        "filters", "kernel_size", "strides", "padding", "output_padding", "data_format",
        "dilation_rate", "activation", "use_bias",
    ]  # fmt: skip
    assert "groups" not in names
    assert recorded["layers"]["Convolution2DTranspose"] == {"alias_of": "Conv2DTranspose"}


def test_depthwise_and_separable_put_depth_multiplier_apart(recorded: dict[str, Any]) -> None:
    # keras/src/layers/convolutional/depthwise_conv2d.py: depth_multiplier before data_format
    assert positional(recorded, "layers", "DepthwiseConv2D")[:6] == [
        "kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate",
    ]  # fmt: skip
    # keras/src/layers/convolutional/separable_conv2d.py: depth_multiplier after dilation_rate
    assert positional(recorded, "layers", "SeparableConv2D")[:7] == [
        "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
        "depth_multiplier",
    ]  # fmt: skip


def test_dense(recorded: dict[str, Any]) -> None:
    # keras/src/layers/core/dense.py, Dense.__init__
    assert positional(recorded, "layers", "Dense")[:4] == [
        "units", "activation", "use_bias", "kernel_initializer",
    ]  # fmt: skip


def test_input_function_and_input_layer_differ_after_batch_shape(recorded: dict[str, Any]) -> None:
    # keras/src/layers/core/input_layer.py: def Input(shape, batch_size, dtype, sparse, ragged,
    # batch_shape, name, tensor, optional), a function (keras.Input is keras.layers.Input) ...
    found = entry(recorded, "layers", "Input")
    assert found["kind"] == "function"
    assert found["positional"] == [
        "shape", "batch_size", "dtype", "sparse", "ragged", "batch_shape", "name", "tensor",
        "optional",
    ]  # fmt: skip
    # ... and InputLayer.__init__(shape, ..., batch_shape, input_tensor, optional, name)
    assert positional(recorded, "layers", "InputLayer")[5:] == [
        "batch_shape", "input_tensor", "optional", "name",
    ]  # fmt: skip


def test_pooling_takes_name_positionally(recorded: dict[str, Any]) -> None:
    # keras/src/layers/pooling/max_pooling2d.py, MaxPooling2D.__init__
    assert positional(recorded, "layers", "MaxPooling2D") == [
        "pool_size", "strides", "padding", "data_format", "name",
    ]  # fmt: skip
    assert entry(recorded, "layers", "MaxPooling2D")["defaults"]["pool_size"] == [2, 2]
    assert recorded["layers"]["MaxPool2D"] == {"alias_of": "MaxPooling2D"}


def test_small_layers(recorded: dict[str, Any]) -> None:
    # keras/src/layers/regularization/dropout.py, Dropout.__init__(rate, noise_shape, seed)
    assert positional(recorded, "layers", "Dropout") == ["rate", "noise_shape", "seed"]
    # keras/src/layers/reshaping/reshape.py, Reshape.__init__(target_shape, **kwargs)
    assert positional(recorded, "layers", "Reshape") == ["target_shape"]
    # keras/src/layers/reshaping/up_sampling2d.py, UpSampling2D.__init__
    assert positional(recorded, "layers", "UpSampling2D") == [
        "size", "data_format", "interpolation",
    ]  # fmt: skip
    # keras/src/layers/normalization/batch_normalization.py, BatchNormalization.__init__
    assert positional(recorded, "layers", "BatchNormalization")[:3] == [
        "axis", "momentum", "epsilon",
    ]  # fmt: skip
    # keras/src/layers/core/embedding.py, Embedding.__init__
    assert positional(recorded, "layers", "Embedding")[:2] == ["input_dim", "output_dim"]
    # keras/src/layers/merging/concatenate.py, Concatenate.__init__(axis=-1, **kwargs)
    assert positional(recorded, "layers", "Concatenate") == ["axis"]


def test_call_signatures(recorded: dict[str, Any]) -> None:
    # keras/src/layers/attention/multi_head_attention.py, MultiHeadAttention.call
    assert entry(recorded, "layers", "MultiHeadAttention")["call"]["positional"][:4] == [
        "query", "value", "key", "query_mask",
    ]  # fmt: skip
    # keras/src/layers/rnn/lstm.py, LSTM.call
    assert entry(recorded, "layers", "LSTM")["call"]["positional"] == [
        "sequences", "initial_state", "mask", "training",
    ]  # fmt: skip
    # keras/src/layers/merging/base_merge.py, Merge.call(self, inputs): one list of tensors
    assert entry(recorded, "layers", "Concatenate")["call"]["positional"] == ["inputs"]
    # keras/src/layers/rnn/bidirectional.py, Bidirectional.__init__
    assert positional(recorded, "layers", "Bidirectional") == [
        "layer", "merge_mode", "weights", "backward_layer",
    ]  # fmt: skip


def test_models(recorded: dict[str, Any]) -> None:
    # keras/src/models/sequential.py, Sequential.__init__(layers=None, trainable=True, name=None)
    assert positional(recorded, "layers", "Sequential") == ["layers", "trainable", "name"]
    # keras/src/models/model.py: Model.__init__(*args, **kwargs); with inputs and outputs
    # Model.__new__ makes a Functional: keras/src/models/functional.py,
    # Functional.__init__(inputs, outputs, name=None, **kwargs) and call(inputs, training, mask)
    model = entry(recorded, "layers", "Model")
    assert (model["positional"], model["varargs"], model["varkw"]) == ([], True, True)
    assert model["functional"]["positional"] == ["inputs", "outputs", "name"]
    assert model["functional"]["call"]["positional"] == ["inputs", "training", "mask"]


# --------------------------------------------------------------------------- functions, ops


def test_functional_forms(recorded: dict[str, Any]) -> None:
    # keras/src/layers/merging/concatenate.py: def concatenate(inputs, axis=-1, **kwargs)
    concatenate = entry(recorded, "functions", "concatenate")
    assert concatenate["positional"] == ["inputs", "axis"]
    assert concatenate["defaults"] == {"axis": -1}
    assert concatenate["layer"] == "Concatenate"
    # keras/src/layers/merging/dot.py: def dot(inputs, axes=-1, **kwargs)
    assert positional(recorded, "functions", "dot") == ["inputs", "axes"]
    # keras/src/layers/merging/add.py: def add(inputs, **kwargs)
    assert positional(recorded, "functions", "add") == ["inputs"]


def test_ops(recorded: dict[str, Any]) -> None:
    # keras/src/ops/numpy.py: def reshape(x, newshape), making a Reshape operation
    reshape = entry(recorded, "ops", "reshape")
    assert (reshape["positional"], reshape["operation"]) == (["x", "newshape"], "Reshape")
    assert recorded["ops"]["numpy.reshape"] == {"alias_of": "reshape"}
    # keras/src/ops/numpy.py: def concatenate(xs, axis=0): axis 0, where layers' is -1
    assert entry(recorded, "ops", "concatenate")["defaults"] == {"axis": 0}
    assert positional(recorded, "ops", "concatenate") == ["xs", "axis"]
    # keras/src/ops/nn.py: relu exported as keras.ops.relu and keras.ops.nn.relu
    assert recorded["ops"]["nn.relu"] == {"alias_of": "relu"}
    # keras/src/ops/image.py: def resize(images, size, interpolation="bilinear", ...),
    # exported only as keras.ops.image.resize
    assert positional(recorded, "ops", "image.resize")[:3] == ["images", "size", "interpolation"]
    assert "resize" not in recorded["ops"]
    # keras/src/ops/numpy.py: abs returns absolute(x), an Absolute operation
    assert entry(recorded, "ops", "abs")["operation"] == "Absolute"


# --------------------------------------------------------------------------- the registry


def test_every_registered_keras_name_is_recorded(recorded: dict[str, Any]) -> None:
    layers, functions, ops = recorded["layers"], recorded["functions"], recorded["ops"]
    operations = {found.get("operation") for found in ops.values()}
    missing = []
    for name in INDEX:
        if name.startswith("ops."):  # a keras.ops function, or the Operation class it makes
            op = name.removeprefix("ops.")
            known = op in operations if op[0].isupper() else op in ops
        elif name[0].islower():  # a functional form of a merging layer
            known = name in functions and functions[name].get("layer", "").lower() == name
        elif name in KERAS_2_ALIASES:
            known = name not in layers and KERAS_2_ALIASES[name] in layers
        elif name in NOT_EXPORTED:
            known = name not in layers
        else:
            known = name in layers
        if not known:
            missing.append(name)
    assert missing == []


def test_layers_not_yet_modelled_are_keras_layers(recorded: dict[str, Any]) -> None:
    assert sorted(name for name in KERAS_NOT_YET if name not in recorded["layers"]) == []
