"""Record Keras 2 (tf.keras / tf-keras) models as `to_json()` files for the reader's tests
(tests/fixtures/keras2/), with what Keras 2's summary shows beside each.

    python3 -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install tensorflow-cpu tf-keras
    TF_USE_LEGACY_KERAS=1 /tmp/tfenv/bin/python tools/record_keras2_models.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tf_keras as keras
from tf_keras import layers as L

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


MODELS = {
    "unet_small": unet_small,
    "sequential_autoencoder": sequential_autoencoder,
    "dcgan_generator": dcgan_generator,
    "dilated_decoder": dilated_decoder,
}


def count(weights: list[Any]) -> int:
    return int(sum(int(w.shape.num_elements()) for w in weights))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in MODELS.items():
        keras.backend.clear_session()
        model = build()
        (OUT / f"{name}.json").write_text(model.to_json(indent=1) + "\n")
        rows = [
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": list(layer.output_shape)
                if isinstance(layer.output_shape, tuple)
                else list(layer.output_shape[0]),
                "trainable": count(layer.trainable_weights),
                "non_trainable": count(layer.non_trainable_weights),
            }
            for layer in model.layers
        ]
        doc = {
            "keras_version": keras.__version__,
            "name": model.name,
            "sequential": isinstance(model, keras.Sequential),
            "summary_layers": rows,
            "total_params": model.count_params(),
            "trainable_params": count(model.trainable_weights),
            "non_trainable_params": count(model.non_trainable_weights),
        }
        (OUT / f"{name}.expected.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(f"recorded {len(MODELS)} Keras {keras.__version__} models in {OUT}")


if __name__ == "__main__":
    main()
