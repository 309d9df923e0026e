"""Record real Keras 3 models as files, for the Keras-file reader's tests (tests/fixtures/keras3/).

    python3 -m venv /tmp/kerasenv && /tmp/kerasenv/bin/pip install torch==2.13.0 keras
    KERAS_BACKEND=torch /tmp/kerasenv/bin/python tools/record_keras_models.py

For each model: `<name>.json` (`model.to_json()`), `<name>.expected.json` (what Keras's
`model.summary()` shows: layer names, classes, output shapes, trainable and non-trainable counts,
totals), `<name>.summary.txt` (that summary's text, 80 columns), and for small models
`<name>.keras` (`model.save()`; the reader takes only its
config.json). A few JSON files are edited copies that Keras refuses to load; their expected file
records the refusal.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ["COLUMNS"] = "80"  # Keras sizes its table from the terminal; a pipe counts as 80

import keras
from keras import layers as L
from seed_models import conv3d_roundtrip, dilated_decoder, seed_layers, vgg16_decoder

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras3"
SMALL = 300_000  # parameters: below this the .keras archive (weights included) is kept


def count(weights: list[Any]) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def unet(
    size: int = 96, depth: int = 3, start: int = 8, upconv: bool = True, channels: int = 3
) -> keras.Model:
    inputs = L.Input((size, size, channels))
    x, skips, filters = inputs, [], start
    for _ in range(depth):
        x = L.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = L.Conv2D(filters, 3, padding="same", activation="relu")(x)
        skips.append(x)
        x = L.MaxPooling2D(2)(x)
        x = L.BatchNormalization()(x)
        filters *= 2
    x = L.Conv2D(filters, 3, padding="same", activation="relu")(x)
    for skip in reversed(skips):
        filters //= 2
        x = (
            L.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
            if upconv
            else L.UpSampling2D(2)(x)
        )
        x = L.concatenate([x, skip])
        x = L.Conv2D(filters, 3, padding="same", activation="relu")(x)
    outputs = L.Conv2D(2, 1, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=f"unet_{depth}_{size}")


def conv_autoencoder() -> keras.Model:
    inputs = keras.Input((28, 28, 1), name="image")
    x = L.Conv2D(16, 3, activation="relu", padding="same")(inputs)
    x = L.MaxPooling2D(2, padding="same")(x)
    x = L.Conv2D(8, 3, activation="relu", padding="same")(x)
    encoded = L.MaxPooling2D(2, padding="same", name="code")(x)
    x = L.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(encoded)
    x = L.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu")(x)
    decoded = L.Conv2D(1, 3, activation="sigmoid", padding="same", name="reconstruction")(x)
    return keras.Model(inputs, decoded, name="conv_autoencoder")


def dense_autoencoder() -> keras.Model:
    inputs = keras.Input((784,))
    code = L.Dense(32, activation="relu")(L.Dense(128, activation="relu")(inputs))
    out = L.Dense(784, activation="sigmoid")(L.Dense(128, activation="relu")(code))
    return keras.Model(inputs, out)


def dcgan_generator() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((100,)),
            L.Dense(7 * 7 * 256, use_bias=False),
            L.BatchNormalization(),
            L.LeakyReLU(),
            L.Reshape((7, 7, 256)),
            L.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
            L.BatchNormalization(),
            L.LeakyReLU(),
            L.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
            L.BatchNormalization(),
            L.LeakyReLU(),
            L.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh"),
        ],
        name="dcgan_generator",
    )


def sequential_without_input() -> keras.Model:
    model = keras.Sequential(
        [
            L.Conv2D(8, 3, strides=2, padding="same", input_shape=(32, 32, 3)),
            L.ReLU(),
            L.Conv2DTranspose(3, 4, strides=2, padding="same"),
        ]
    )
    return model


def channels_first() -> keras.Model:
    inputs = keras.Input((3, 32, 32))
    x = L.Conv2D(8, 3, padding="same", data_format="channels_first")(inputs)
    x = L.MaxPooling2D(2, data_format="channels_first")(x)
    x = L.BatchNormalization(axis=1)(x)
    x = L.UpSampling2D(2, data_format="channels_first")(x)
    x = L.Conv2DTranspose(3, 3, padding="same", data_format="channels_first")(x)
    return keras.Model(inputs, x, name="channels_first")


def sequence_1d() -> keras.Model:
    inputs = keras.Input((100, 4))
    x = L.Conv1D(16, 5, padding="causal", activation="relu")(inputs)
    x = L.MaxPooling1D(2)(x)
    x = L.Conv1D(32, 3, padding="valid")(x)
    x = L.UpSampling1D(2)(x)
    x = L.ZeroPadding1D((1, 3))(x)
    x = L.Conv1DTranspose(4, 3, padding="same")(x)
    x = L.Cropping1D((0, 0))(x)
    return keras.Model(inputs, x, name="sequence_1d")


def volume_3d() -> keras.Model:
    inputs = keras.Input((8, 16, 16, 1))
    x = L.Conv3D(4, 3, padding="same")(inputs)
    x = L.MaxPooling3D(2)(x)
    x = L.Conv3DTranspose(4, 2, strides=2)(x)
    x = L.Cropping3D(((0, 0), (1, 1), (1, 1)))(x)
    x = L.ZeroPadding3D(((0, 0), (1, 1), (1, 1)))(x)
    return keras.Model(inputs, x, name="volume_3d")


def residual_two_inputs() -> keras.Model:
    a = keras.Input((16, 16, 8), name="a")
    b = keras.Input((16, 16, 8), name="b")
    x = L.Conv2D(8, 3, padding="same")(a)
    x = L.Add()([x, b])
    x = L.Activation("relu")(x)
    y = L.GlobalAveragePooling2D()(x)
    y = L.Dropout(0.5)(y)
    out = L.Dense(10, activation="softmax")(y)
    flat = L.Flatten()(x)
    return keras.Model([a, b], [out, flat], name="residual_two_inputs")


def dense_nd() -> keras.Model:
    inputs = keras.Input((5, 7, 3))
    x = L.Dense(4)(inputs)
    x = L.Reshape((-1, 4))(x)
    x = L.GlobalMaxPooling1D(keepdims=True)(x)
    return keras.Model(inputs, x)


MODELS: dict[str, Callable[[], keras.Model]] = {
    "unet_3_96": unet,
    "unet_2_64": lambda: unet(64, 2),
    "unet_4_128_upsampling": lambda: unet(128, 4, 4, upconv=False),
    "unet_3_64_gray": lambda: unet(64, 3, 4, channels=1),
    "conv_autoencoder": conv_autoencoder,
    "dense_autoencoder": dense_autoencoder,
    "dcgan_generator": dcgan_generator,
    "sequential_without_input": sequential_without_input,
    "channels_first": channels_first,
    "sequence_1d": sequence_1d,
    "volume_3d": volume_3d,
    "residual_two_inputs": residual_two_inputs,
    "dense_nd": dense_nd,
    "seed_layers": seed_layers,
    "vgg16_decoder": vgg16_decoder,
    "dilated_decoder": dilated_decoder,
    "conv3d_roundtrip": conv3d_roundtrip,
}

# Variants Keras refuses to build: (recorded model, new input batch_shape, the same architecture
# built directly). Keras's own JSON loader does *not* refuse the edited JSON (it rebuilds layers
# from their recorded build_config), so both behaviours are recorded.
REFUSED: dict[str, tuple[str, list[int | None], Callable[[], keras.Model]]] = {
    "unet_3_100_refused": ("unet_3_96", [None, 100, 100, 3], lambda: unet(100, 3)),
    "unet_2_66_refused": ("unet_2_64", [None, 66, 66, 3], lambda: unet(66, 2)),
}


def summary_text(model: keras.Model) -> str:
    lines: list[str] = []
    model.summary(print_fn=lambda text, line_break=True: lines.append(text))
    return "".join(lines)


def expected(model: keras.Model) -> dict[str, Any]:
    rows = []
    sequential = isinstance(model, keras.Sequential)
    for layer in model.layers:  # Sequential's summary, like model.layers, has no InputLayer
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": list(layer.output.shape),
                "trainable": count(layer.trainable_weights),
                "non_trainable": count(layer.non_trainable_weights),
            }
        )
    trainable, frozen = count(model.trainable_weights), count(model.non_trainable_weights)
    return {
        "name": model.name,
        "sequential": sequential,
        "summary_layers": rows,  # not "layers": this file must not look like a spec
        "total_params": trainable + frozen,
        "trainable_params": trainable,
        "non_trainable_params": frozen,
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"keras_version": keras.__version__}
    for name, build in MODELS.items():
        keras.backend.clear_session()
        model = build()
        (OUT / f"{name}.json").write_text(model.to_json(indent=1) + "\n")
        (OUT / f"{name}.expected.json").write_text(
            json.dumps({**meta, **expected(model)}, indent=1) + "\n"
        )
        (OUT / f"{name}.summary.txt").write_text(summary_text(model))
        if model.count_params() < SMALL:
            model.save(OUT / f"{name}.keras")
    for name, (source, batch_shape, build) in REFUSED.items():
        document = json.loads((OUT / f"{source}.json").read_text())
        document["config"]["layers"][0]["config"]["batch_shape"] = batch_shape
        text = json.dumps(document, indent=1)
        (OUT / f"{name}.json").write_text(text + "\n")
        result: dict[str, Any] = {"refused": True}
        attempts: list[tuple[str, Callable[[], Any]]] = [
            ("when_built", build),
            ("from_json", lambda text=text: keras.models.model_from_json(text)),  # type: ignore[misc]
        ]
        for how, attempt in attempts:
            keras.backend.clear_session()
            try:
                attempt()
                result[how] = None
            except Exception as exc:  # the refusal is the record
                result[how] = f"{type(exc).__name__}: {str(exc)[:300]}"
        (OUT / f"{name}.expected.json").write_text(json.dumps({**meta, **result}, indent=1) + "\n")
    print(f"recorded {len(MODELS)} models and {len(REFUSED)} refused variants in {OUT}")


if __name__ == "__main__":
    main()
