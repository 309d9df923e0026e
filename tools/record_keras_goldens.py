"""Record what real Keras 3 says about layers and models, for the tests to compare against.

The test suite never imports Keras: it reads what this script wrote into `tests/goldens/`.
Rerun it whenever a formula or a layer changes, and review the diff.

    python3 -m venv /tmp/kerasenv
    /tmp/kerasenv/bin/pip install torch==2.13.0 keras     # CPU torch, from the local wheel here
    KERAS_BACKEND=torch /tmp/kerasenv/bin/python tools/record_keras_goldens.py

Writes
- tests/goldens/keras_layers.json: single-layer cases (hand-picked and random, fixed seed), each
  with Keras's output shape and trainable / non-trainable counts, or what Keras raised;
- tests/goldens/keras_models.json: the source documents' models, layer by layer;
- tests/goldens/keras_summaries/<model>.txt: Keras's own `model.summary()` text (80 columns).
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ["COLUMNS"] = "80"  # Keras sizes its table from the terminal; a pipe counts as 80

import keras
from keras import layers as L

GOLDENS = Path(__file__).resolve().parent.parent / "tests" / "goldens"
Case = dict[str, Any]


def weight_count(weights: list[Any]) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def record_layer(case: Case) -> Case:
    """Build `type(**args)` on `keras.Input`s of `input_shapes` and write down what happened."""
    keras.backend.clear_session()
    shapes = case["input_shapes"]
    stage = "construct"
    try:
        layer = getattr(L, case["type"])(**case["args"])
        stage = "call"
        inputs = [keras.Input(shape=tuple(s)) for s in shapes]
        out = layer(inputs if case.get("multi") else inputs[0])
    except Exception as exc:
        return {"ok": False, "stage": stage, "error": type(exc).__name__, "message": str(exc)[:300]}
    shape = list(out.shape)
    if any(isinstance(d, int) and d <= 0 for d in shape):
        return {"ok": False, "stage": "shape", "error": "NonPositiveShape", "message": str(shape)}
    return {
        "ok": True,
        "output_shape": shape,
        "trainable": weight_count(layer.trainable_weights),
        "non_trainable": weight_count(layer.non_trainable_weights),
    }


def case(type_: str, args: dict[str, Any], *shapes: list[int | None], multi: bool = False) -> Case:
    return {"type": type_, "args": args, "input_shapes": [list(s) for s in shapes], "multi": multi}


def hand_picked() -> list[Case]:
    c = case
    cases = [
        # seed 000
        c(
            "Conv2DTranspose",
            {"filters": 512, "kernel_size": [2, 2], "dilation_rate": 2},
            [7, 7, 512],
        ),
        c(
            "Conv2DTranspose",
            {"filters": 512, "kernel_size": [3, 3], "dilation_rate": 2},
            [7, 7, 512],
        ),
        c("Conv2DTranspose", {"filters": 512, "kernel_size": [3, 3]}, [7, 7, 512]),
        c("Conv2DTranspose", {"filters": 512, "kernel_size": [2, 2], "strides": 2}, [7, 7, 512]),
        c("Conv2D", {"filters": 512, "kernel_size": [3, 3]}, [224, 224, 3]),
        c("Conv2DTranspose", {"filters": 3, "kernel_size": [3, 3]}, [222, 222, 512]),
        c("MaxPooling2D", {"pool_size": [2, 2]}, [224, 224, 3]),
        # seed 002
        c(
            "Conv2DTranspose",
            {"filters": 4, "kernel_size": 4, "strides": 2, "padding": "same"},
            [64, 64, 3],
        ),
        c("BatchNormalization", {}, [128, 128, 64]),
        # seed 003 at 100x100: 25 is floored to 12
        c("MaxPooling2D", {"pool_size": 2}, [25, 25, 8]),
        c("Concatenate", {}, [24, 24, 128], [25, 25, 128], multi=True),
        # seed 001
        c("MaxPooling3D", {"pool_size": 2, "strides": 2, "padding": "same"}, [2, 7, 7, 512]),
        c(
            "Conv3DTranspose",
            {"filters": 512, "kernel_size": 3, "strides": 2, "padding": "same"},
            [1, 4, 4, 512],
        ),
        c(
            "Conv3DTranspose",
            {
                "filters": 512,
                "kernel_size": 3,
                "strides": 2,
                "padding": "same",
                "output_padding": [1, 0, 0],
            },
            [1, 4, 4, 512],
        ),
        # refusals Keras documents
        c(
            "Conv2DTranspose",
            {"filters": 8, "kernel_size": 3, "strides": 2, "output_padding": 2},
            [7, 7, 3],
        ),
        c(
            "Conv2DTranspose",
            {"filters": 8, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
            [7, 7, 3],
        ),
        c("Conv2D", {"filters": 8, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, [7, 7, 3]),
        c("Conv2D", {"filters": 8, "kernel_size": 3, "padding": "causal"}, [7, 7, 3]),
        c("Conv1D", {"filters": 8, "kernel_size": 3, "padding": "causal"}, [7, 3]),
        c("Conv1DTranspose", {"filters": 8, "kernel_size": 3, "padding": "causal"}, [7, 3]),
        c("Conv2D", {"filters": 8, "kernel_size": 9}, [7, 7, 3]),
        c("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 3}, [7, 7, 4]),
        c("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 3}, [7, 7, 6]),
        c("Conv2D", {"filters": 9, "kernel_size": 3, "groups": 3}, [7, 7, 6]),
        c("Conv2D", {"filters": 8, "kernel_size": 0}, [7, 7, 3]),
        c("Conv2D", {"filters": 0, "kernel_size": 3}, [7, 7, 3]),
        c("Conv2D", {"filters": 8, "kernel_size": 3, "padding": "SAME"}, [7, 7, 3]),
        c("MaxPooling2D", {"pool_size": 2, "padding": "SAME"}, [7, 7, 3]),
        c("MaxPooling2D", {"pool_size": 8}, [7, 7, 3]),
        c("Conv2D", {"filters": 8, "kernel_size": 3}, [7, 3]),
        c("Conv2D", {"filters": 8, "kernel_size": 3}, [None, None, 3]),
        c("Conv2D", {"filters": 8, "kernel_size": 3, "strides": 2}, [None, 9, 3]),
        c("Conv2DTranspose", {"filters": 8, "kernel_size": 3, "strides": 2}, [None, 9, 3]),
        c("Conv2D", {"filters": 8, "kernel_size": 3, "data_format": "channels_first"}, [3, 9, 9]),
        c("Conv2D", {"filters": 8, "kernel_size": 3, "use_bias": False}, [9, 9, 3]),
        c("Conv2D", {"filters": 8, "kernel_size": 3, "activation": "relux"}, [9, 9, 3]),
        c("Dense", {"units": 10}, [4, 4, 3]),
        c("Dense", {"units": 10, "use_bias": False}, [32]),
        c("Flatten", {}, [7, 7, 512]),
        c("Flatten", {}, [None, 7, 3]),
        c("Reshape", {"target_shape": [49, 512]}, [7, 7, 512]),
        c("Reshape", {"target_shape": [-1, 512]}, [7, 7, 512]),
        c("Reshape", {"target_shape": [50, 512]}, [7, 7, 512]),
        c("Reshape", {"target_shape": [-1, 3]}, [None, 6]),
        c("Dropout", {"rate": 0.25}, [9, 9, 3]),
        c("Dropout", {"rate": 1.5}, [9, 9, 3]),
        c("Activation", {"activation": "relu"}, [9, 9, 3]),
        c("LeakyReLU", {"negative_slope": 0.2}, [9, 9, 3]),
        c("LeakyReLU", {"negative_slope": -0.2}, [9, 9, 3]),
        c("ReLU", {"max_value": 6.0}, [9, 9, 3]),
        c("ReLU", {"max_value": -1.0}, [9, 9, 3]),
        c("BatchNormalization", {"axis": 1}, [3, 9, 9]),
        c("BatchNormalization", {"center": False}, [9, 9, 3]),
        c("BatchNormalization", {"scale": False, "center": False}, [9, 3]),
        c("BatchNormalization", {}, [9, None]),
        c("BatchNormalization", {"axis": 5}, [9, 9, 3]),
        c("Concatenate", {"axis": 1}, [4, 4, 3], [5, 4, 3], multi=True),
        c("Concatenate", {"axis": -1}, [4, 4, 3], [4, 4, 5], [4, 4, 1], multi=True),
        c("Concatenate", {}, [None, 4, 3], [4, 4, 5], multi=True),
        c("Concatenate", {}, [4, 4, None], [4, 4, 5], multi=True),
        c("Concatenate", {"axis": 3}, [4, 4, 3], [4, 4, 5], multi=True),
        c("Concatenate", {"axis": 4}, [4, 4, 3], [4, 4, 5], multi=True),
        c("Concatenate", {"axis": -4}, [4, 4, 3], [4, 4, 3], multi=True),
        c("Concatenate", {"axis": -5}, [4, 4, 3], [4, 4, 3], multi=True),
        c("Concatenate", {}, [4, 3], [4, 4, 3], multi=True),
        c("Add", {}, [4, 4, 3], [4, 4, 3], multi=True),
        c("Add", {}, [4, 4, 3], [4, 4, 5], multi=True),
        c("Add", {}, [4, 4, 1], [4, 4, 8], multi=True),
        c("Add", {}, [4, 4, 8], [8], multi=True),
        c("Add", {}, [None, 4, 8], [4, 4, 8], multi=True),
        c("Add", {}, [4, 4, 8], [4, 4, 8], [4, 4, 8], multi=True),
        c("UpSampling1D", {"size": 3}, [7, 2]),
        c("UpSampling2D", {"size": [2, 3]}, [7, 5, 2]),
        c("UpSampling2D", {"size": 2, "data_format": "channels_first"}, [2, 7, 5]),
        c("UpSampling3D", {"size": 2}, [2, 3, 4, 5]),
        c("UpSampling2D", {"size": 2}, [7, 7, 7, 2]),
        c("ZeroPadding1D", {"padding": [1, 2]}, [7, 2]),
        c("ZeroPadding2D", {"padding": 1}, [7, 5, 2]),
        c("ZeroPadding2D", {"padding": [1, 2]}, [7, 5, 2]),
        c("ZeroPadding2D", {"padding": [[1, 2], [3, 4]]}, [7, 5, 2]),
        c("ZeroPadding2D", {"padding": -1}, [7, 5, 2]),
        c("ZeroPadding3D", {"padding": 2, "data_format": "channels_first"}, [2, 3, 4, 5]),
        c("Cropping1D", {"cropping": [1, 2]}, [7, 2]),
        c("Cropping1D", {"cropping": [4, 3]}, [7, 2]),
        c("Cropping2D", {"cropping": [[1, 0], [0, 1]]}, [25, 25, 8]),
        c("Cropping2D", {"cropping": 1}, [25, 25, 8]),
        c("Cropping2D", {"cropping": [[12, 13], [0, 0]]}, [25, 25, 8]),
        c("Cropping2D", {"cropping": -1}, [25, 25, 8]),
        c("Cropping3D", {"cropping": 1}, [4, 4, 4, 8]),
        c("Cropping3D", {"cropping": 2}, [4, 4, 4, 8]),
    ]
    for rank in (1, 2, 3):
        shape = [6] * rank + [4]
        cases += [
            c(f"GlobalAveragePooling{rank}D", {}, shape),
            c(f"GlobalMaxPooling{rank}D", {"keepdims": True}, shape),
            c(f"GlobalMaxPooling{rank}D", {"data_format": "channels_first"}, [4] + [6] * rank),
            c(
                f"AveragePooling{rank}D",
                {"pool_size": 3, "strides": 2, "padding": "same"},
                [9] * rank + [4],
            ),
        ]
    return cases


def random_cases(count: int, seed: int = 20261122) -> list[Case]:
    """Convolution, transposed convolution and pooling with random arguments, valid or not."""
    rng = random.Random(seed)
    families: list[tuple[str, Callable[[int], dict[str, Any]]]] = [
        (
            "Conv{r}D",
            lambda r: {"filters": rng.randint(1, 6), "dilation_rate": rng.choice([1, 1, 2, 3])},
        ),
        (
            "Conv{r}DTranspose",
            lambda r: {
                "filters": rng.randint(1, 6),
                "dilation_rate": rng.choice([1, 1, 1, 2]),
                "output_padding": rng.choice([None, None, 0, 1, 2, 3]),
            },
        ),
        ("MaxPooling{r}D", lambda r: {}),
        ("AveragePooling{r}D", lambda r: {}),
    ]
    cases = []
    for _ in range(count):
        template, extra = rng.choice(families)
        rank = rng.choice([1, 2, 2, 2, 3])
        args = extra(rank)
        kernel = (
            rng.randint(1, 7) if rng.random() < 0.6 else [rng.randint(1, 7) for _ in range(rank)]
        )
        strides = (
            rng.randint(1, 4) if rng.random() < 0.7 else [rng.randint(1, 4) for _ in range(rank)]
        )
        key = "pool_size" if "Pooling" in template else "kernel_size"
        args.update({key: kernel, "strides": strides})
        paddings = (
            ["valid", "same", "causal"]
            if template == "Conv{r}D" and rank == 1
            else ["valid", "same"]
        )
        args["padding"] = rng.choice(paddings)
        fmt = rng.choice(["channels_last", "channels_last", "channels_first"])
        args["data_format"] = fmt
        channels = rng.randint(1, 5)
        spatial: list[int | None] = [
            rng.randint(1, 40) if rng.random() > 0.08 else None for _ in range(rank)
        ]
        shape = [*spatial, channels] if fmt == "channels_last" else [channels, *spatial]
        cases.append(case(template.format(r=rank), args, shape))
    return cases


# ---------------------------------------------------------------- whole models from the seeds


def vgg16_encoder() -> keras.Model:  # seed 000, question
    inputs = L.Input((224, 224, 3), name="input")
    x = inputs
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
        for i in range(1, convs + 1):
            x = L.Conv2D(
                filters, (3, 3), activation="relu", padding="same", name=f"conv{block}_{i}"
            )(x)
        x = L.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), name=f"pool_{block}")(x)
    return keras.Model(inputs=inputs, outputs=x, name="vgg-16_encoder")


def vgg16_decoder() -> keras.Model:  # seed 000, answer
    inputs = L.Input((7, 7, 512), name="input")
    x = inputs
    for block, (filters, convs) in enumerate([(512, 3), (512, 3), (256, 3), (128, 2), (64, 2)]):
        level = 5 - block
        x = L.UpSampling2D((2, 2), name=f"pool_{level}")(x)
        for i in range(convs, 0, -1):
            out = 3 if (level, i) == (1, 1) else filters
            x = L.Conv2DTranspose(
                out, (3, 3), activation="relu", padding="same", name=f"conv{level}_{i}"
            )(x)
    return keras.Model(inputs=inputs, outputs=x, name="vgg-16_decoder")


def dilated_decoder() -> keras.Model:  # seed 000, the first attempt
    inputs = L.Input((7, 7, 512), name="input")
    conv1 = L.Conv2DTranspose(512, (2, 2), dilation_rate=2, name="conv1")(inputs)
    return keras.Model(inputs=inputs, outputs=conv1, name="vgg-16_decoder")


def encoder_decoder_conv() -> keras.Model:  # seed 000, answer's model1
    ip = L.Input((224, 224, 3))
    return keras.Model(ip, L.Conv2DTranspose(3, (3, 3))(L.Conv2D(512, (3, 3))(ip)))


def seed_layers() -> keras.Model:  # seed 002's net(); Keras 3 has no Deconvolution2D alias
    x_in = L.Input((128, 128, 3))
    conv1 = L.Conv2D(64, (3, 3), padding="same", kernel_initializer="he_normal", name="con1")(x_in)
    conv1 = L.BatchNormalization()(conv1)
    conv1 = L.Activation("relu")(conv1)
    pool1 = L.MaxPooling2D((2, 2), name="pool1")(conv1)
    up1 = L.UpSampling2D(size=(2, 2), name="up1")(pool1)
    merge1 = L.concatenate([conv1, up1], name="mer1", axis=-1)
    deconv1 = L.Conv2DTranspose(
        64, (3, 3), padding="same", kernel_initializer="he_normal", name="deconv1"
    )(merge1)
    score1 = L.Conv2DTranspose(21, (3, 3), padding="same", name="score1")(deconv1)
    merge2 = L.concatenate([deconv1, score1], name="mer2", axis=-1)
    return keras.Model(inputs=x_in, outputs=merge2)


def unet(im_sz: int = 160, upconv: bool = True) -> keras.Model:  # seed 003, as written
    n_classes, n_channels, n_filters, growth, droprate = 5, 8, 32, 2, 0.25
    conv = lambda n: L.Conv2D(n, (3, 3), activation="relu", padding="same")  # noqa: E731
    inputs = L.Input((im_sz, im_sz, n_channels))
    conv1 = conv(n_filters)(conv(n_filters)(inputs))
    pool1 = L.MaxPooling2D(pool_size=(2, 2))(conv1)
    n_filters *= growth
    pool1 = L.BatchNormalization()(pool1)
    conv2 = conv(n_filters)(conv(n_filters)(pool1))
    pool2 = L.Dropout(droprate)(L.MaxPooling2D(pool_size=(2, 2))(conv2))
    n_filters *= growth
    pool2 = L.BatchNormalization()(pool2)
    conv3 = conv(n_filters)(conv(n_filters)(pool2))
    pool3 = L.Dropout(droprate)(L.MaxPooling2D(pool_size=(2, 2))(conv3))
    n_filters *= growth
    pool3 = L.BatchNormalization()(pool3)
    conv4_0 = conv(n_filters)(conv(n_filters)(pool3))
    pool4_1 = L.Dropout(droprate)(L.MaxPooling2D(pool_size=(2, 2))(conv4_0))
    n_filters *= growth
    pool4_1 = L.BatchNormalization()(pool4_1)
    conv4_1 = conv(n_filters)(conv(n_filters)(pool4_1))
    pool4_2 = L.Dropout(droprate)(L.MaxPooling2D(pool_size=(2, 2))(conv4_1))
    n_filters *= growth
    x = conv(n_filters)(conv(n_filters)(pool4_2))
    for skip, norm in (
        (conv4_1, True),
        (conv4_0, True),
        (conv3, True),
        (conv2, True),
        (conv1, False),
    ):
        n_filters //= growth
        up = (
            L.Conv2DTranspose(n_filters, (2, 2), strides=(2, 2), padding="same")(x)
            if upconv
            else L.UpSampling2D(size=(2, 2))(x)
        )
        x = L.concatenate([up, skip])
        if norm:
            x = L.BatchNormalization()(x)
        x = conv(n_filters)(conv(n_filters)(x))
        if norm:
            x = L.Dropout(droprate)(x)
    conv10 = L.Conv2D(n_classes, (1, 1), activation="sigmoid")(x)
    return keras.Model(inputs=inputs, outputs=conv10)


def conv3d_roundtrip(
    output_padding: tuple[int, int, int] | None = (1, 0, 0),
) -> keras.Model:  # seed 001
    x3 = L.Input((2, 7, 7, 512), name="x3")
    y2 = L.Conv3D(512, 3, padding="same", name="y2")(x3)
    pool = L.MaxPooling3D(pool_size=2, strides=2, padding="same", name="pool")(y2)
    y3 = L.Conv3DTranspose(
        512, 3, strides=2, padding="same", output_padding=output_padding, name="y3"
    )(pool)
    return keras.Model(x3, y3, name="conv3d_roundtrip")


MODELS: dict[str, Callable[[], keras.Model]] = {
    "vgg16_encoder": vgg16_encoder,
    "vgg16_decoder": vgg16_decoder,
    "dilated_decoder": dilated_decoder,
    "encoder_decoder_conv": encoder_decoder_conv,
    "seed_layers": seed_layers,
    "unet": unet,
    "unet_upsampling": lambda: unet(upconv=False),
    "unet_96": lambda: unet(96),
    "unet_100": lambda: unet(100),
    "conv3d_roundtrip": conv3d_roundtrip,
    "conv3d_roundtrip_plain": lambda: conv3d_roundtrip(None),
}


def record_model(build: Callable[[], keras.Model]) -> tuple[dict[str, Any], str | None]:
    keras.backend.clear_session()  # fresh default names: conv2d, conv2d_1, ...
    try:
        model = build()
    except Exception as exc:
        return {"error": type(exc).__name__, "message": str(exc)[:500]}, None
    rows = []
    for layer in model.layers:
        node = layer._inbound_nodes[0]
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": list(node.output_tensors[0].shape),
                "trainable": weight_count(layer.trainable_weights),
                "non_trainable": weight_count(layer.non_trainable_weights),
                "inbound": [t._keras_history.operation.name for t in node.input_tensors],
            }
        )
    trainable = weight_count(model.trainable_weights)
    non_trainable = weight_count(model.non_trainable_weights)
    text = io.StringIO()
    with redirect_stdout(text):
        model.summary()
    summary = {
        "name": model.name,
        "layers": rows,
        "total_params": trainable + non_trainable,
        "trainable_params": trainable,
        "non_trainable_params": non_trainable,
    }
    return summary, text.getvalue()


def main() -> None:
    cases = hand_picked() + random_cases(320)
    for i, c in enumerate(cases):
        c["id"] = f"{i:03d}-{c['type']}"
        c["result"] = record_layer(c)
    meta = {"keras_version": keras.__version__, "backend": keras.backend.backend()}
    (GOLDENS / "keras_layers.json").write_text(
        json.dumps({**meta, "cases": cases}, indent=1) + "\n"
    )
    models = {}
    summaries = GOLDENS / "keras_summaries"
    summaries.mkdir(parents=True, exist_ok=True)
    for key, build in MODELS.items():
        models[key], text = record_model(build)
        if text is not None:
            (summaries / f"{key}.txt").write_text(text)
    (GOLDENS / "keras_models.json").write_text(
        json.dumps({**meta, "models": models}, indent=1) + "\n"
    )
    ok = sum(c["result"]["ok"] for c in cases)
    print(
        f"Keras {keras.__version__}: {len(cases)} layer cases "
        f"({ok} built, {len(cases) - ok} refused), {len(models)} models",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
