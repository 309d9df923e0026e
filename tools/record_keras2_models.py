"""Record Keras 2 (tf.keras / tf-keras) models as `to_json()` files for the reader's tests
(tests/fixtures/keras2/), with what Keras 2's summary shows beside each.

    python3 -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install tensorflow-cpu tf-keras
    TF_USE_LEGACY_KERAS=1 /tmp/tfenv/bin/python tools/record_keras2_models.py

For each model in MODELS it writes `<name>.json` (`model.to_json(indent=1)`) and
`<name>.expected.json`: `keras_version`, `name`, `sequential`, `summary_layers` (one row per
row of Keras 2's summary, `model.layers`: `name`, `type` (class name), `output_shape` (Keras 2's
`layer.output_shape` as a list with the batch axis; the first one where the layer gives several
outputs, as for an InputLayer, which Keras 2 reports as a list of one), `trainable` and
`non_trainable` (weight counts)) and the three parameter totals.

The models of SHARED are also saved as `<name>.h5` (`model.save`, Keras 2's HDF5 format, read
back by `load_model` before the run goes on; random seed fixed, so the weights are the same on
every run). Two things the rows above cannot say are added, only where a model needs them (so
the files of the first four models are what they were):

- `output_shape` is the string `"multiple"` where Keras 2's summary says so: a layer whose calls
  give different shapes (`layer.output_shape` raises AttributeError). Keras 3 prints the shape
  of the layer's last call there instead.
- In a model where some layer is called more than once or gives several outputs, every row also
  has `calls`: for each of the layer's calls (inbound nodes) that belong to this model, in node
  order, `node_index` (the node's index in the layer's `_inbound_nodes`), `inputs` as
  `[layer, node_index, tensor_index]` (Keras 2's own numbering, as its Connected to column prints
  it) and `outputs`, every output shape of that call (batch axis `null`).

How Keras 2 numbers the calls of a nested model, which these files pin down: the built model and
its summary count them from 0 (`tower[0][0]`, `tower[1][0]`, as Keras 3 does), but `to_json` (and
the `model_config` of the `.h5`) writes every reference to a nested model whose config starts with
an InputLayer one higher (`["tower", 1, 0, {}]`, `["tower", 2, 0, {}]`: it counts a node for the
model's own construction), and `model_from_json` takes the 1 off again. A Sequential built with
`input_shape` and one built by its first call both start with an InputLayer in the file.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf
import tf_keras as keras
from tf_keras import layers as L

tf.get_logger().setLevel("ERROR")  # not "Compiled the loaded model, but ..." for every .h5

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras2"


def unet_small() -> keras.Model:
    inputs = keras.Input((64, 64, 3))
    c1 = L.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    p1 = L.MaxPooling2D(2)(c1)
    c2 = L.Conv2D(16, 3, padding="same", activation="relu")(p1)
    p2 = L.MaxPooling2D(2)(c2)
    b = L.BatchNormalization()(L.Conv2D(32, 3, padding="same")(p2))
    u2 = L.concatenate([L.Conv2DTranspose(16, 2, strides=2, padding="same")(b), c2])
    u1 = L.concatenate([L.UpSampling2D(2)(L.Conv2D(8, 3, padding="same")(u2)), c1])
    return keras.Model(inputs, L.Conv2D(1, 1, activation="sigmoid")(u1), name="unet_small")


def sequential_autoencoder() -> keras.Model:
    return keras.Sequential(
        [
            L.Conv2D(16, 3, strides=2, padding="same", activation="relu", input_shape=(28, 28, 1)),
            L.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
            L.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu"),
            L.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
            L.Conv2D(1, 3, padding="same", activation="sigmoid"),
        ],
        name="sequential_autoencoder",
    )


def dcgan_generator() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((100,)),
            L.Dense(7 * 7 * 64, use_bias=False),
            L.BatchNormalization(),
            L.LeakyReLU(),
            L.Reshape((7, 7, 64)),
            L.Conv2DTranspose(32, 4, strides=2, padding="same", use_bias=False),
            L.BatchNormalization(),
            L.ReLU(),
            L.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ],
        name="dcgan_generator",
    )


def dilated_decoder() -> keras.Model:  # seed 000, which was written with TensorFlow 2.1
    inputs = L.Input((7, 7, 512), name="input")
    outputs = L.Conv2DTranspose(512, (2, 2), dilation_rate=2, name="conv1")(inputs)
    return keras.Model(inputs=inputs, outputs=outputs, name="vgg-16_decoder")


# --------------------------------------------------------------- shared layers, several outputs


def siamese_shared_conv() -> keras.Model:
    """A Siamese pair: one Conv2D, one pooling and one Dense for both images."""
    conv = L.Conv2D(4, 3, activation="relu", name="shared_conv")
    gap = L.GlobalAveragePooling2D(name="shared_gap")
    embed = L.Dense(8, name="shared_dense")
    left = keras.Input((16, 16, 1), name="left")
    right = keras.Input((16, 16, 1), name="right")
    difference = L.Subtract(name="difference")([embed(gap(conv(left))), embed(gap(conv(right)))])
    same = L.Dense(1, activation="sigmoid", name="same")(difference)
    return keras.Model([left, right], same, name="siamese_shared_conv")


def dense_twice_chain() -> keras.Model:
    """The same Dense called on its own output."""
    features = keras.Input((16,), name="features")
    shared = L.Dense(16, activation="relu", name="shared")
    x = shared(shared(features))
    return keras.Model(features, L.Dense(1, name="score")(x), name="dense_twice_chain")


def conv_two_scales() -> keras.Model:
    """One Conv2D on an image and on its half: Keras 2's summary says "multiple"."""
    image = keras.Input((16, 16, 3), name="image")
    half = L.AveragePooling2D(2, name="half")(image)
    conv = L.Conv2D(4, 3, padding="same", activation="relu", name="shared_conv")
    pooled = [L.GlobalAveragePooling2D()(conv(x)) for x in (image, half)]
    classes = L.Dense(3, activation="softmax")(L.concatenate(pooled))
    return keras.Model(image, classes, name="conv_two_scales")


def functional_tower() -> keras.Model:
    image = keras.Input((16, 16, 1))
    x = L.Conv2D(4, 3, activation="relu")(image)
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(image, L.Dense(8)(x), name="tower")


def nested_functional_twice() -> keras.Model:
    """A Functional tower on two inputs: its calls are nodes 1 and 2 (node 0 built it)."""
    tower = functional_tower()
    left = keras.Input((16, 16, 1), name="left")
    right = keras.Input((16, 16, 1), name="right")
    difference = L.Subtract(name="difference")([tower(left), tower(right)])
    same = L.Dense(1, activation="sigmoid", name="same")(difference)
    return keras.Model([left, right], same, name="nested_functional_twice")


def nested_sequential_twice() -> keras.Model:
    """A Sequential tower built with `input_shape` on its first layer, on two inputs."""
    tower = keras.Sequential(
        [
            L.Conv2D(4, 3, activation="relu", input_shape=(16, 16, 1)),
            L.GlobalAveragePooling2D(),
            L.Dense(8),
        ],
        name="tower",
    )
    left = keras.Input((16, 16, 1), name="left")
    right = keras.Input((16, 16, 1), name="right")
    distance = L.Subtract(name="difference")([tower(left), tower(right)])
    same = L.Dense(1, activation="sigmoid", name="same")(distance)
    return keras.Model([left, right], same, name="nested_sequential_twice")


def nested_deferred_sequential_twice() -> keras.Model:
    """A Sequential tower given no input shape, built by its first call, on two inputs."""
    tower = keras.Sequential(
        [L.Conv2D(4, 3, activation="relu"), L.GlobalAveragePooling2D(), L.Dense(8)],
        name="tower",
    )
    left = keras.Input((16, 16, 1), name="left")
    right = keras.Input((16, 16, 1), name="right")
    distance = L.Subtract(name="difference")([tower(left), tower(right)])
    same = L.Dense(1, activation="sigmoid", name="same")(distance)
    return keras.Model([left, right], same, name="nested_deferred_sequential_twice")


def seq2seq_lstm() -> keras.Model:
    """The encoder's return_state states start the decoder through initial_state."""
    encoder_inputs = keras.Input((None, 6), name="encoder_inputs")
    _, state_h, state_c = L.LSTM(8, return_state=True, name="encoder")(encoder_inputs)
    decoder_inputs = keras.Input((None, 5), name="decoder_inputs")
    decoder = L.LSTM(8, return_sequences=True, return_state=True, name="decoder")
    decoded, _, _ = decoder(decoder_inputs, initial_state=[state_h, state_c])
    tokens = L.Dense(5, activation="softmax", name="next_token")(decoded)
    return keras.Model([encoder_inputs, decoder_inputs], tokens, name="seq2seq_lstm")


def two_outputs() -> keras.Model:
    """A class and a box from one trunk: the model has two outputs."""
    image = keras.Input((32, 32, 3), name="image")
    x = L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(image)
    x = L.Conv2D(16, 3, strides=2, padding="same", activation="relu")(x)
    x = L.GlobalAveragePooling2D()(x)
    classes = L.Dense(5, activation="softmax", name="classes")(x)
    box = L.Dense(4, name="box")(x)
    return keras.Model(image, [classes, box], name="two_outputs")


def autoencoder_none_size() -> keras.Model:
    """A fully convolutional autoencoder for images of any size."""
    image = keras.Input((None, None, 3), name="image")
    x = L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(image)
    x = L.MaxPooling2D(2)(x)
    x = L.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = L.UpSampling2D(2)(x)
    x = L.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(x)
    restored = L.Conv2D(3, 3, padding="same", activation="sigmoid", name="restored")(x)
    return keras.Model(image, restored, name="autoencoder_none_size")


MODELS: dict[str, Callable[[], keras.Model]] = {
    "unet_small": unet_small,
    "sequential_autoencoder": sequential_autoencoder,
    "dcgan_generator": dcgan_generator,
    "dilated_decoder": dilated_decoder,
}
SHARED: dict[str, Callable[[], keras.Model]] = {
    "siamese_shared_conv": siamese_shared_conv,
    "dense_twice_chain": dense_twice_chain,
    "conv_two_scales": conv_two_scales,
    "nested_functional_twice": nested_functional_twice,
    "nested_sequential_twice": nested_sequential_twice,
    "nested_deferred_sequential_twice": nested_deferred_sequential_twice,
    "two_outputs": two_outputs,
    "autoencoder_none_size": autoencoder_none_size,
    "seq2seq_lstm": seq2seq_lstm,
}
SEED = 20260412


def count(weights: list[Any]) -> int:
    return int(sum(int(w.shape.num_elements()) for w in weights))


def shape(value: Any) -> list[Any]:
    return list(value) if isinstance(value, tuple) else list(value[0])


def calls(model: keras.Model, layer: Any) -> list[dict[str, Any]]:
    """The layer's calls in this model, as Keras 2's Connected to column numbers them."""
    relevant = [node for nodes in model._nodes_by_depth.values() for node in nodes]
    return [
        {
            "node_index": index,
            "inputs": [
                [inbound.name, node_index, tensor_index]
                for inbound, node_index, tensor_index, _ in node.iterate_inbound()
            ],
            "outputs": [list(t.shape) for t in tf.nest.flatten(node.outputs)],
        }
        for index, node in enumerate(layer._inbound_nodes)
        if node in relevant
    ]


def row(layer: Any) -> dict[str, Any]:
    try:
        output_shape: Any = shape(layer.output_shape)
    except AttributeError:  # calls of different shapes: Keras 2's summary says so
        output_shape = "multiple"
    return {
        "name": layer.name,
        "type": type(layer).__name__,
        "output_shape": output_shape,
        "trainable": count(layer.trainable_weights),
        "non_trainable": count(layer.non_trainable_weights),
    }


def summary_layers(model: keras.Model) -> list[dict[str, Any]]:
    rows = [row(layer) for layer in model.layers]
    every = {layer.name: calls(model, layer) for layer in model.layers}
    if any(len(c) > 1 or len(c[0]["outputs"]) > 1 for c in every.values() if c):
        for r in rows:
            r["calls"] = every[r["name"]]
    return rows


def record(out: Path, name: str, model: keras.Model) -> None:
    (out / f"{name}.json").write_text(model.to_json(indent=1) + "\n")
    doc = {
        "keras_version": keras.__version__,
        "name": model.name,
        "sequential": isinstance(model, keras.Sequential),
        "summary_layers": summary_layers(model),
        "total_params": model.count_params(),
        "trainable_params": count(model.trainable_weights),
        "non_trainable_params": count(model.non_trainable_weights),
    }
    (out / f"{name}.expected.json").write_text(json.dumps(doc, indent=1) + "\n")


def save_h5(out: Path, name: str, model: keras.Model) -> None:
    path = out / f"{name}.h5"
    model.save(path, save_format="h5")
    again = keras.models.load_model(path, compile=False)
    if summary_layers(again) != summary_layers(model):
        raise SystemExit(f"{path}: Keras 2 loads it back as another model")


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in MODELS.items():
        keras.backend.clear_session()
        record(OUT, name, build())
    print(f"recorded {len(MODELS)} Keras {keras.__version__} models in {OUT}")
    for name, build in SHARED.items():
        keras.backend.clear_session()
        keras.utils.set_random_seed(SEED)
        model = build()
        record(OUT, name, model)
        save_h5(OUT, name, model)
    print(f"recorded {len(SHARED)} more, each with its .h5, in {OUT}")


if __name__ == "__main__":
    main()
