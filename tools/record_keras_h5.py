"""Record legacy HDF5 files (`model.save("<name>.h5")`) of models tools/record_keras_models.py
records, for the `.h5` reader's tests (tests/fixtures/keras3/).

    python3 -m venv /tmp/kerasenv && /tmp/kerasenv/bin/pip install torch==2.13.0 keras h5py
    KERAS_BACKEND=torch /tmp/kerasenv/bin/python tools/record_keras_h5.py

Each `<name>.h5` is written beside the `<name>.expected.json` recorded from the same builder (run
tools/record_keras_models.py first); the tests compare what deconvcheck reads from the `.h5`
with that record. Keras loads each file back and its summary rows must equal the record, so a
file and its expected rows cannot drift apart. `conv_autoencoder.weights.h5`
(`model.save_weights()`) holds weights and no architecture: the reader says so.
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
from record_keras_models import MODELS, OUT, expected

# Small models (the file holds the weights too) of every kind the reader meets: functional and
# Sequential without an Input, two inputs and outputs, 1-D, 3-D, channels_first, a U-Net, and
# the seed models' many layer types (Keras's legacy serialization writes each layer's config).
H5_MODELS = (
    "conv_autoencoder",
    "sequential_without_input",
    "residual_two_inputs",
    "sequence_1d",
    "volume_3d",
    "channels_first",
    "dense_nd",
    "unet_2_64",
    "seed_layers",
)
WEIGHTS_ONLY = "conv_autoencoder"


def main() -> None:
    for name in H5_MODELS:
        keras.backend.clear_session()  # the layer names the record has (conv2d, conv2d_1, ...)
        path = OUT / f"{name}.h5"
        MODELS[name]().save(path)
        keras.backend.clear_session()
        loaded = expected(keras.models.load_model(path, compile=False))
        recorded = json.loads((OUT / f"{name}.expected.json").read_text())
        if any(loaded[key] != recorded[key] for key in loaded):
            raise SystemExit(f"{path}: Keras reads back rows that differ from {name}.expected.json")
    keras.backend.clear_session()
    MODELS[WEIGHTS_ONLY]().save_weights(OUT / f"{WEIGHTS_ONLY}.weights.h5")
    print(f"recorded {len(H5_MODELS)} .h5 models and 1 weights-only file in {OUT}")


if __name__ == "__main__":
    main()
