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


from seed_models import (  # noqa: E402 - after KERAS_BACKEND is set
    conv3d_roundtrip,
    dilated_decoder,
    encoder_decoder_conv,
    seed_layers,
    unet,
    vgg16_decoder,
    vgg16_encoder,
)

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
