"""Record what real Keras 3 says about single layers and whole models: the ground truth that
deconvcheck's tests compare against (they never import Keras themselves).

Set up a separate environment once (outside the repository; torch is the CPU wheel that pip finds
in /opt/wheels through its configuration):

    python3.11 -m venv /work/kerasenv
    /work/kerasenv/bin/pip install torch==2.13.0 keras

and rerun from the repository root whenever a case is added or Keras changes, then review the diff:

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/record_keras_goldens.py

The run is deterministic (fixed random seed, fixed string hash seed, `keras.backend.clear_session()`
before every case and model). It writes

- tests/goldens/keras_layers.json: several hundred single-layer cases, hand-picked and random.
  Each is `{"id", "type", "args", "input_shapes", "result"}`; `input_shapes` leave out the batch
  axis, as `keras.Input(shape=...)` does. `result` is `{"ok": true, "output_shape",
  "trainable", "non_trainable"}`, or `{"ok": false, "stage", "error", "message"}` where `stage`
  says what failed: "construct" (the layer's constructor raised), "call" (calling it on the
  inputs raised) or "shape" (Keras returned an output size <= 0 without raising; error
  "NonPositiveShape").
- tests/goldens/keras_models.json: the source documents' models (tools/seed_models.py), layer by
  layer in `model.layers` order, or what Keras raised while building one.
- tests/goldens/keras_summaries/<model>.txt: Keras's own `model.summary()` text, captured through
  `print_fn` with the default line length, `COLUMNS` unset and no terminal attached (the script
  re-runs itself detached from the terminal if it was started from one): an 80-column console,
  so a 76-character table.
"""

from __future__ import annotations

import copy
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Keras words some refusals with a set of strings ("one of {'same', 'valid'}"), printed in string
# hash order: run with a fixed hash seed (0 gives the committed wording), restarting once if needed.
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])
os.environ.setdefault("KERAS_BACKEND", "torch")
# Keras sizes the summary table from the terminal: no COLUMNS / LINES, and (see main) no terminal.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

import keras
from seed_models import (
    conv3d_roundtrip,
    dilated_decoder,
    encoder_decoder_conv,
    encoder_decoder_pooling,
    seed_layers,
    unet_model,
    vgg16_decoder,
    vgg16_encoder,
)

GOLDENS = Path(__file__).resolve().parent.parent / "tests" / "goldens"
SEED = 20261122
RANDOM_CASES = 250
MULTI_INPUT = {"Concatenate", "Add", "Multiply", "Subtract", "Average", "Maximum", "Minimum"}

Shape = list[int | None]
Case = dict[str, Any]


# --------------------------------------------------------------------------- single layers


def weight_count(weights: list[Any]) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def record_layer(type_: str, args: dict[str, Any], input_shapes: list[Shape]) -> dict[str, Any]:
    """Build `type_(**args)` on `keras.Input`s of `input_shapes`; write down what happened."""
    keras.backend.clear_session()
    inputs = [keras.Input(shape=tuple(s)) for s in input_shapes]
    try:
        layer = getattr(keras.layers, type_)(**copy.deepcopy(args))  # Keras cannot alter the record
    except Exception as exc:  # the refusal is the record
        return refusal("construct", exc)
    try:
        out = layer(inputs if type_ in MULTI_INPUT else inputs[0])
    except Exception as exc:
        return refusal("call", exc)
    shape = list(out.shape)
    if any(d is not None and d <= 0 for d in shape):
        return {
            "ok": False,
            "stage": "shape",
            "error": "NonPositiveShape",
            "message": f"Keras returned output shape {tuple(shape)} without raising",
        }
    return {
        "ok": True,
        "output_shape": shape,
        "trainable": weight_count(layer.trainable_weights),
        "non_trainable": weight_count(layer.non_trainable_weights),
    }


def refusal(stage: str, exc: Exception) -> dict[str, Any]:
    return {"ok": False, "stage": stage, "error": type(exc).__name__, "message": str(exc)[:300]}


ABBREV = {
    "filters": "f",
    "kernel_size": "k",
    "pool_size": "k",
    "strides": "s",
    "dilation_rate": "d",
    "output_padding": "op",
    "groups": "g",
    "units": "u",
    "size": "x",
    "rate": "r",
    "axis": "axis",
    "target_shape": "to",
    "negative_slope": "slope",
    "max_value": "max",
    "depth_multiplier": "dm",
}


def token(value: Any) -> str:
    """[3, 3] -> "3x3", [[1, 2], [3, 4]] -> "1:2x3:4", None -> "N", -1 -> "m1"."""
    if value is None:
        return "N"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value).replace("-", "m")  # axis -1 -> "axism1", unlike axis 1
    if isinstance(value, list | tuple):
        return "x".join(
            ":".join(token(w) for w in v) if isinstance(v, list | tuple) else token(v)
            for v in value
        )
    return str(value)


def case_id(type_: str, args: dict[str, Any], shapes: list[Shape], prefix: str = "") -> str:
    parts = [type_.lower()]
    for key, value in args.items():
        if key == "padding" and isinstance(value, str):
            parts.append(value)
        elif key == "data_format":
            parts.append("cf" if value == "channels_first" else "cl")
        elif key == "use_bias" and value is False:
            parts.append("nobias")
        elif key == "activation":
            parts.append(str(value))
        else:
            parts.append(ABBREV.get(key, key) + token(value))
    parts.append("in" + "+".join(token(s) for s in shapes))
    text = prefix + "-".join(parts)
    return re.sub(r"[^A-Za-z0-9_.:+\-]", "", text)


class Cases:
    """Collects cases, giving each a readable unique id."""

    def __init__(self) -> None:
        self.cases: list[Case] = []
        self.ids: set[str] = set()

    def add(self, type_: str, args: dict[str, Any], *shapes: Shape, prefix: str = "") -> None:
        base = case_id(type_, args, list(shapes), prefix)
        ident, n = base, 2
        while ident in self.ids:
            ident, n = f"{base}-{n}", n + 1
        self.ids.add(ident)
        self.cases.append(
            {
                "id": ident,
                "type": type_,
                "args": json.loads(json.dumps(args)),  # what is recorded is what was passed
                "input_shapes": [list(s) for s in shapes],
            }
        )


def seed_cases(c: Cases) -> None:
    """Layers straight from the source documents."""
    t = "Conv2DTranspose"
    # seed 000: the question's attempts on (7, 7, 512)
    c.add(t, {"filters": 512, "kernel_size": [2, 2], "dilation_rate": 2}, [7, 7, 512])
    c.add(t, {"filters": 512, "kernel_size": [3, 3], "dilation_rate": 2}, [7, 7, 512])
    c.add(t, {"filters": 512, "kernel_size": [3, 3]}, [7, 7, 512])
    c.add(t, {"filters": 512, "kernel_size": [2, 2], "strides": 2}, [7, 7, 512])
    c.add("Conv2D", {"filters": 512, "kernel_size": 2, "padding": "same"}, [32, 32, 1024])
    c.add("UpSampling2D", {"size": [2, 2]}, [16, 16, 1024])
    # seed 000: the answer
    c.add("Conv2D", {"filters": 512, "kernel_size": [3, 3]}, [224, 224, 3])
    c.add(t, {"filters": 3, "kernel_size": [3, 3]}, [222, 222, 512])
    c.add("MaxPooling2D", {"pool_size": [2, 2]}, [224, 224, 3])
    c.add(t, {"filters": 64, "kernel_size": [3, 3], "padding": "same"}, [224, 224, 128])
    c.add(t, {"filters": 3, "kernel_size": [3, 3], "padding": "same"}, [224, 224, 64])
    # stride-2 'same' transposed convolution, with and without output_padding, odd and even
    for size in (4, 7):
        for op in (None, 0, 1):
            args = {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}
            c.add(t, args | {"output_padding": op}, [size, size, 4])
    for size in (5,):
        for op in (None, 0, 1):
            args = {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "valid"}
            c.add(t, args | {"output_padding": op}, [size, size, 4])
    # seed 002
    c.add("Conv2D", {"filters": 64, "kernel_size": [3, 3], "padding": "same"}, [128, 128, 3])
    c.add("BatchNormalization", {}, [128, 128, 64])
    c.add("MaxPooling2D", {"pool_size": [2, 2]}, [128, 128, 64])
    c.add("Concatenate", {"axis": -1}, [128, 128, 64], [128, 128, 64])
    c.add(t, {"filters": 64, "kernel_size": [3, 3], "padding": "same"}, [128, 128, 128])
    c.add(t, {"filters": 21, "kernel_size": [3, 3], "padding": "same"}, [128, 128, 64])
    c.add("Concatenate", {"axis": -1}, [128, 128, 64], [128, 128, 21])
    c.add(t, {"filters": 4, "kernel_size": 4, "strides": 2, "padding": "same"}, [64, 64, 3])
    c.add(t, {"filters": 4, "kernel_size": 4, "strides": 2, "padding": "valid"}, [64, 64, 3])
    # seed 001: 5x5 --conv k2 s2 same--> 3x3 --transposed--> ?
    c.add("Conv2D", {"filters": 1, "kernel_size": 2, "strides": 2, "padding": "same"}, [5, 5, 3])
    for op in (None, 0, 1):
        args = {"filters": 3, "kernel_size": 2, "strides": 2, "padding": "same"}
        c.add(t, args | {"output_padding": op}, [3, 3, 1])
    c.add("Conv3D", {"filters": 512, "kernel_size": 3, "padding": "same"}, [2, 7, 7, 512])
    c.add("MaxPooling3D", {"pool_size": 2, "strides": 2, "padding": "same"}, [2, 7, 7, 512])
    t3 = "Conv3DTranspose"
    for op in (None, 0, 1, [1, 0, 0], [0, 1, 1], [1, 1, 1], [2, 0, 0]):
        args = {"filters": 512, "kernel_size": 3, "strides": 2, "padding": "same"}
        c.add(t3, args | {"output_padding": op}, [1, 4, 4, 512])
    # seed 003: the U-Net at 100x100 (25 floors to 12, then 24 vs 25)
    c.add("MaxPooling2D", {"pool_size": [2, 2]}, [25, 25, 8])
    c.add(
        t,
        {"filters": 128, "kernel_size": [2, 2], "strides": [2, 2], "padding": "same"},
        [12, 12, 256],
    )
    c.add("Concatenate", {}, [24, 24, 128], [25, 25, 128])


def convolution_cases(c: Cases) -> None:
    for rank in (1, 2, 3):
        conv, tconv = f"Conv{rank}D", f"Conv{rank}DTranspose"
        sp7, sp8 = [7] * rank, [8] * rank
        for type_ in (conv, tconv):
            for padding in ("valid", "same"):
                for strides in (1, 2):
                    c.add(
                        type_,
                        {"filters": 4, "kernel_size": 3, "strides": strides, "padding": padding},
                        [*sp7, 3],
                    )
                c.add(
                    type_,
                    {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "padding": padding},
                    [*sp8, 3],
                )
            c.add(type_, {"filters": 4, "kernel_size": 2, "strides": 2}, [*sp8, 3])
            c.add(
                type_,
                {
                    "filters": 4,
                    "kernel_size": 3,
                    "strides": 2,
                    "padding": "same",
                    "data_format": "channels_first",
                },
                [3, *sp7],
            )
            kernel = [3, 1, 2][:rank]
            c.add(
                type_,
                {
                    "filters": 5,
                    "kernel_size": kernel,
                    "strides": [2, 1, 3][:rank],
                    "use_bias": False,
                },
                [*[9, 6, 5][:rank], 2],
            )
            c.add(type_, {"filters": 4, "kernel_size": 3, "strides": 2}, [*[None] * rank, 3])
            c.add(type_, {"filters": 4, "kernel_size": 9}, [*sp7, 3])  # kernel > input
            if rank < 3:
                c.add(type_, {"filters": 4, "kernel_size": 3, "padding": "causal"}, [*sp7, 3])
        if rank != 2:
            continue
        for type_ in (conv, tconv):  # more edge cases, in 2-D only
            c.add(
                type_, {"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, [*sp8, 3]
            )  # strides > 1 with dilation > 1
            c.add(
                type_,
                {"filters": 4, "kernel_size": [3, 3], "strides": [1, 2], "dilation_rate": [2, 1]},
                [9, 9, 3],
            )  # ... on different axes
            c.add(
                type_,
                {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
                [None, *sp7[1:], 3],
            )
            c.add(type_, {"filters": 4, "kernel_size": 3}, [*sp7, None])  # unknown channels
            c.add(type_, {"filters": 4, "kernel_size": 7}, [*sp7, 3])  # kernel == input
            c.add(type_, {"filters": 4, "kernel_size": 3, "dilation_rate": 4}, [*sp8, 3])
            c.add(type_, {"filters": 4, "kernel_size": 5, "strides": 2}, [1, 1, 3])
            c.add(type_, {"filters": 4, "kernel_size": 3, "padding": "SAME"}, [*sp7, 3])
        c.add(conv, {"filters": 4, "kernel_size": 3}, [3])  # input of the wrong rank
        c.add(conv, {"filters": 4, "kernel_size": [3, 3, 3]}, [*sp7, 3])
        c.add(conv, {"filters": 0, "kernel_size": 3}, [*sp7, 3])
        c.add(tconv, {"filters": 0, "kernel_size": 3}, [*sp7, 3])
        c.add(conv, {"filters": 4, "kernel_size": 0}, [*sp7, 3])
        c.add(tconv, {"filters": 4, "kernel_size": 3, "strides": 0}, [*sp7, 3])
        c.add(conv, {"filters": 4, "kernel_size": 3, "padding": "full"}, [*sp7, 3])
    # groups: Conv only (the transposed layers take no `groups`)
    for rank in (1, 2, 3):
        c.add(f"Conv{rank}D", {"filters": 8, "kernel_size": 3, "groups": 2}, [*[7] * rank, 4])
    c.add("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 3}, [7, 7, 4])  # 4 % 3
    c.add("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 4, "use_bias": False}, [7, 7, 4])
    c.add("Conv2D", {"filters": 9, "kernel_size": 3, "groups": 3}, [7, 7, 6])  # 9 % 3 == 0
    c.add("Conv2D", {"filters": 9, "kernel_size": 3, "groups": 2}, [7, 7, 4])  # 9 % 2
    c.add(
        "Conv2D",
        {"filters": 8, "kernel_size": 3, "groups": 2, "data_format": "channels_first"},
        [4, 7, 7],
    )
    c.add("Conv2DTranspose", {"filters": 8, "kernel_size": 3, "groups": 2}, [7, 7, 4])
    # output_padding: valid values, >= strides (refused), per axis
    for rank in (1, 2, 3):
        tconv, sp7 = f"Conv{rank}DTranspose", [7] * rank
        combos = ((2, 1), (3, 2), (2, 2), (1, 1), (1, 0), (3, 0)) if rank == 2 else ((2, 1), (2, 2))
        for padding in ("valid", "same"):
            for strides, op in combos:
                c.add(
                    tconv,
                    {
                        "filters": 4,
                        "kernel_size": 3,
                        "strides": strides,
                        "padding": padding,
                        "output_padding": op,
                    },
                    [*sp7, 3],
                )
            if rank > 1:
                c.add(
                    tconv,
                    {
                        "filters": 4,
                        "kernel_size": 3,
                        "strides": 3,
                        "padding": padding,
                        "output_padding": [2, 0, 1][:rank],
                    },
                    [*sp7, 3],
                )
        c.add(
            tconv,
            {"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 1},
            [*[None] * rank, 3],
        )
    t = "Conv2DTranspose"
    for padding in ("valid", "same"):
        c.add(
            t,
            {"filters": 4, "kernel_size": 2, "strides": 2, "padding": padding, "output_padding": 1},
            [7, 7, 3],
        )
        c.add(
            t,
            {
                "filters": 4,
                "kernel_size": 4,
                "strides": 3,
                "padding": padding,
                "output_padding": [0, 2],
            },
            [5, 6, 3],
        )
    c.add(
        t,
        {
            "filters": 4,
            "kernel_size": 3,
            "strides": 2,
            "output_padding": 1,
            "data_format": "channels_first",
        },
        [3, 7, 7],
    )
    c.add(t, {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "output_padding": 0}, [7, 7, 3])
    c.add(t, {"filters": 4, "kernel_size": 1, "strides": 4}, [7, 7, 3])
    # 'same' with output_padding is (n - 1) * s + k_eff % 2 + op: zero for n = 1, even k, op = 0
    for kernel, op in ((2, 0), (2, 1), (4, 0), (3, 0)):
        c.add(
            t,
            {
                "filters": 4,
                "kernel_size": kernel,
                "strides": 2,
                "padding": "same",
                "output_padding": op,
            },
            [1, 1, 3],
        )
    c.add(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 2, "strides": 3, "padding": "same", "output_padding": 0},
        [1, 3],
    )
    # causal: Conv1D only
    for args in (
        {"kernel_size": 3, "padding": "causal", "dilation_rate": 2},
        {"kernel_size": 3, "padding": "causal", "strides": 2},
        {"kernel_size": 5, "padding": "causal", "dilation_rate": 4},
        {"kernel_size": 9, "padding": "causal"},
    ):
        c.add("Conv1D", {"filters": 4, **args}, [7, 3])
    c.add(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "padding": "causal", "data_format": "channels_first"},
        [3, 7],
    )
    c.add("Conv1D", {"filters": 4, "kernel_size": 3, "padding": "causal"}, [None, 3])
    c.add(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "padding": "causal", "strides": 2},
        [7, 3],
    )
    c.add("Conv2D", {"filters": 8, "kernel_size": 3, "activation": "relu"}, [9, 9, 3])
    c.add("Conv2D", {"filters": 8, "kernel_size": 3, "activation": "relux"}, [9, 9, 3])
    c.add("Conv2D", {"filters": 8, "kernel_size": [3, 3], "dilation_rate": [2, 1, 1]}, [9, 9, 3])


def pooling_cases(c: Cases) -> None:
    for rank in (1, 2, 3):
        sp7 = [7] * rank
        for kind in ("Max", "Average"):
            type_ = f"{kind}Pooling{rank}D"
            for padding in ("valid", "same"):
                for pool, strides in ((2, None), (3, 2)):
                    c.add(
                        type_,
                        {"pool_size": pool, "strides": strides, "padding": padding},
                        [*sp7, 4],
                    )
                c.add(type_, {"pool_size": 8, "padding": padding}, [*sp7, 4])  # pool > input
            c.add(
                type_,
                {"pool_size": 2, "padding": "same", "data_format": "channels_first"},
                [4, *sp7],
            )
            c.add(type_, {"pool_size": 3, "strides": 2}, [None, *sp7[1:], 4])
            c.add(
                type_,
                {"pool_size": [3, 2, 1][:rank], "strides": [1, 2, 3][:rank]},
                [*[9, 8, 7][:rank], 2],
            )
    for kind in ("Max", "Average"):  # more edge cases, in 2-D only
        type_ = f"{kind}Pooling2D"
        c.add(type_, {"pool_size": 3, "strides": 1}, [7, 7, 4])
        c.add(type_, {"pool_size": 2}, [1, 1, 4])
        c.add(type_, {"pool_size": 2, "strides": 0}, [7, 7, 4])
        c.add(type_, {"pool_size": 2, "padding": "SAME"}, [7, 7, 4])
        c.add(type_, {"pool_size": 2, "padding": "same"}, [25, 25, 8])
    c.add("MaxPooling2D", {"pool_size": 0}, [7, 7, 4])
    c.add("MaxPooling2D", {"pool_size": 2}, [4])  # input of the wrong rank
    for rank in (1, 2, 3):
        for kind in ("Average", "Max"):
            type_ = f"Global{kind}Pooling{rank}D"
            c.add(type_, {}, [*[6] * rank, 4])
            c.add(type_, {"keepdims": True}, [*[6] * rank, 4])
            c.add(type_, {"keepdims": True, "data_format": "channels_first"}, [4, *[6] * rank])
            c.add(type_, {"keepdims": True}, [*[None] * rank, 4])
            c.add(type_, {}, [6] * rank)  # input of the wrong rank


def reshaping_cases(c: Cases) -> None:
    for rank in (1, 2, 3):
        up, zp, cr = f"UpSampling{rank}D", f"ZeroPadding{rank}D", f"Cropping{rank}D"
        sp = [7, 5, 4][:rank]
        c.add(up, {"size": 2}, [*sp, 3])
        c.add(up, {"size": 3}, [*[None] * rank, 3])
        if rank > 1:
            c.add(up, {"size": [2, 3, 1][:rank]}, [*sp, 3])
            c.add(up, {"size": 2, "data_format": "channels_first"}, [3, *sp])
        if rank == 2:
            c.add(up, {"size": 2}, [*sp, 3, 3])  # input of the wrong rank
            c.add(up, {"size": 0}, [*sp, 3])
        # ZeroPadding: int, tuple, tuple of tuples
        c.add(zp, {"padding": 1}, [*sp, 3])
        if rank == 1:
            c.add(zp, {"padding": [1, 2]}, [*sp, 3])
        else:
            c.add(zp, {"padding": [1, 2, 3][:rank]}, [*sp, 3])
            c.add(zp, {"padding": [[1, 2], [3, 4], [0, 5]][:rank]}, [*sp, 3])
            c.add(zp, {"padding": 2, "data_format": "channels_first"}, [3, *sp])
        c.add(zp, {"padding": 2}, [*[None] * rank, 3])
        c.add(zp, {"padding": -1}, [*sp, 3])
        # Cropping: int, tuple, tuple of tuples, everything cropped away
        c.add(cr, {"cropping": 1}, [*sp, 3])
        if rank == 1:
            c.add(cr, {"cropping": [1, 2]}, [*sp, 3])
            c.add(cr, {"cropping": [4, 3]}, [*sp, 3])
            c.add(cr, {"cropping": [4, 4]}, [*sp, 3])
        else:
            c.add(cr, {"cropping": [1, 2, 1][:rank]}, [*sp, 3])
            c.add(cr, {"cropping": [[1, 0], [0, 1], [2, 1]][:rank]}, [*sp, 3])
            c.add(cr, {"cropping": [[3, 4], [0, 0], [0, 0]][:rank]}, [*sp, 3])
            c.add(cr, {"cropping": [[4, 4], [0, 0], [0, 0]][:rank]}, [*sp, 3])
            c.add(cr, {"cropping": 1, "data_format": "channels_first"}, [3, *sp])
        c.add(cr, {"cropping": 2}, [*sp, 3])  # 4 -> 0 along the last axis of the 3-D case
        if rank == 2:
            c.add(cr, {"cropping": 2}, [None, None, 3])
        c.add(cr, {"cropping": -1}, [*sp, 3])
    c.add("UpSampling2D", {"size": 2, "interpolation": "bilinear"}, [7, 5, 2])
    c.add("ZeroPadding2D", {"padding": -3}, [7, 5, 2])  # negative padding, 5 - 6 < 0
    c.add("ZeroPadding2D", {"padding": [[-1, 0], [0, -2]]}, [7, 5, 2])
    c.add("ZeroPadding3D", {"padding": -2}, [7, 5, 4, 3])  # 4 - 4 == 0
    c.add("Cropping2D", {"cropping": [[1, 0], [0, 1]]}, [25, 25, 8])
    c.add("Cropping2D", {"cropping": [[12, 13], [0, 0]]}, [25, 25, 8])
    # Flatten
    for shape in ([7, 7, 512], [12], [3, 4], [2, 3, 4, 5], [None, 7, 3], [7, None], [None]):
        c.add("Flatten", {}, shape)
    c.add("Flatten", {"data_format": "channels_first"}, [3, 4, 5])
    # Reshape
    for target, shape in (
        ([49, 512], [7, 7, 512]),
        ([-1, 512], [7, 7, 512]),
        ([7, -1], [7, 7, 512]),
        ([50, 512], [7, 7, 512]),
        ([-1, 5], [7, 7, 512]),
        ([-1, -1], [7, 7, 512]),
        ([-1, 3], [None, 6]),
        ([2, 3], [None, 6]),
        ([0, 3], [4, 3]),
        ([2, 2, 3], [12]),
        ([25088], [7, 7, 512]),
    ):
        c.add("Reshape", {"target_shape": target}, shape)


def elementwise_cases(c: Cases) -> None:
    # Concatenate
    for args, shapes in (
        ({}, ([4, 4, 3], [4, 4, 5])),
        ({"axis": -1}, ([4, 4, 3], [4, 4, 5], [4, 4, 1])),
        ({"axis": 1}, ([4, 4, 3], [5, 4, 3])),
        ({"axis": 1}, ([4, 4, 3], [4, 4, 5])),
        ({"axis": 2}, ([4, 4, 3], [4, 6, 3])),
        ({"axis": -2}, ([4, 4, 3], [4, 6, 3])),
        ({"axis": -3}, ([4, 4, 3], [5, 4, 3], [1, 4, 3])),
        ({"axis": 3}, ([4, 4, 3], [4, 4, 5])),
        ({"axis": 4}, ([4, 4, 3], [4, 4, 5])),
        ({"axis": 0}, ([4, 4, 3], [4, 4, 3])),
        ({"axis": -4}, ([4, 4, 3], [4, 4, 3])),
        ({"axis": -5}, ([4, 4, 3], [4, 4, 3])),
        ({}, ([4, 4, 3], [5, 4, 3])),
        ({}, ([4, 3], [4, 4, 3])),
        ({}, ([None, 4, 3], [4, 4, 5])),
        ({}, ([None, 4, 3], [None, 4, 5])),
        ({}, ([4, 4, None], [4, 4, 5])),
        ({"axis": 1}, ([None, 4, 3], [5, 4, 3])),
        ({}, ([None, 4, 3], [5, 6, 3])),
        ({}, ([4, 4, 3],)),
        ({}, ([8], [8])),
    ):
        c.add("Concatenate", args, *shapes)
    # Add
    for shapes in (
        ([4, 4, 3], [4, 4, 3]),
        ([4, 4, 3], [4, 4, 5]),
        ([4, 4, 1], [4, 4, 8]),
        ([4, 4, 8], [4, 4, 1]),
        ([1, 1, 8], [4, 4, 8]),
        ([4, 4, 8], [8]),
        ([8], [4, 4, 8]),
        ([1], [4, 4, 8]),
        ([4, 1, 8], [1, 4, 8]),
        ([None, 4, 8], [4, 4, 8]),
        ([None, 4, 8], [None, 4, 8]),
        ([None, 4, 8], [5, 4, 8]),
        ([4, 4, None], [4, 4, 8]),
        ([4, 4, 8], [4, 4, 8], [4, 4, 8]),
        ([4, 4, 8], [4, 4, 8], [4, 4, 3]),
        ([4, 4, 8],),
    ):
        c.add("Add", {}, *shapes)
    # BatchNormalization
    for args, shape in (
        ({}, [10]),
        ({}, [9, 3]),
        ({}, [9, 9, 3]),
        ({}, [4, 9, 9, 3]),
        ({"axis": 1}, [3, 9, 9]),
        ({"axis": 1}, [3, 4, 9, 9]),
        ({"axis": 2}, [9, 5, 3]),
        ({"axis": -2}, [9, 5, 3]),
        ({"axis": [1, 2]}, [4, 5, 3]),
        ({"center": False}, [9, 9, 3]),
        ({"scale": False, "center": False}, [9, 3]),
        ({}, [9, None]),
        ({"axis": 1}, [None, 9, 9]),
        ({}, [None, None, 3]),
        ({"axis": 4}, [9, 9, 3]),
        ({"axis": 5}, [9, 9, 3]),
    ):
        c.add("BatchNormalization", args, shape)
    # activations, dropout
    for act in ("relu", "softmax", "linear", "relux"):
        c.add("Activation", {"activation": act}, [9, 9, 3])
    for args in ({}, {"negative_slope": 0.2}, {"negative_slope": 0.0}, {"negative_slope": -0.2}):
        c.add("LeakyReLU", args, [9, 9, 3])
    for args in (
        {},
        {"max_value": 6.0},
        {"negative_slope": 0.1, "threshold": 0.5},
        {"max_value": -1.0},
        {"negative_slope": -0.1},
        {"threshold": -1.0},
    ):
        c.add("ReLU", args, [9, 9, 3])
    for rate in (0.0, 0.25, 1.0, 1.5, -0.1):
        c.add("Dropout", {"rate": rate}, [9, 9, 3])
    c.add("Dropout", {"rate": 0.5, "noise_shape": [None, 1, 1, 3]}, [9, 9, 3])
    # Dense
    for args, shape in (
        ({"units": 10}, [32]),
        ({"units": 10, "use_bias": False}, [32]),
        ({"units": 10}, [4, 4, 3]),
        ({"units": 10, "use_bias": False}, [4, 4, 3]),
        ({"units": 1}, [None, 7]),
        ({"units": 10}, [None]),
        ({"units": 10}, [4, None]),
        ({"units": 0}, [32]),
        ({"units": 10, "activation": "softmax"}, [25088]),
    ):
        c.add("Dense", args, shape)


def more_layer_cases(c: Cases) -> None:
    """Layer types beyond the first recording: depthwise and separable convolutions,
    preprocessing, the other merges, normalizations, noise and dropout, activations, reshaping.
    Appended after every earlier case, so that those stay exactly as recorded."""
    # DepthwiseConv1D / DepthwiseConv2D: no `filters`; output channels C * depth_multiplier
    t = "DepthwiseConv1D"
    c.add(t, {"kernel_size": 3}, [10, 4])
    c.add(t, {"kernel_size": 3, "depth_multiplier": 2, "strides": 2, "padding": "same"}, [10, 4])
    c.add(t, {"kernel_size": 3, "depth_multiplier": 3, "dilation_rate": 2}, [10, 4])
    c.add(
        t,
        {"kernel_size": 3, "use_bias": False, "data_format": "channels_first"},
        [4, 10],
    )
    c.add(t, {"kernel_size": 3, "strides": 2, "dilation_rate": 2}, [10, 4])
    c.add(t, {"kernel_size": 3}, [None, 4])
    c.add(t, {"kernel_size": 3}, [10, None])  # unknown channels
    c.add(t, {"kernel_size": 11}, [10, 4])  # kernel > input
    c.add(t, {"kernel_size": 3, "depth_multiplier": 0}, [10, 4])
    c.add(t, {"kernel_size": 3, "padding": "causal"}, [10, 4])
    c.add(t, {"kernel_size": 3}, [10])  # input of the wrong rank
    c.add(t, {"kernel_size": 3}, [5, 10, 4])  # rank too high: min_ndim only
    t = "DepthwiseConv2D"
    c.add(t, {"kernel_size": 3}, [9, 9, 4])
    for dm in (1, 2, 3):
        c.add(
            t,
            {"kernel_size": 3, "strides": 2, "padding": "same", "depth_multiplier": dm},
            [9, 9, 4],
        )
    c.add(t, {"kernel_size": 3, "strides": [2, 1], "depth_multiplier": 3}, [9, 9, 4])
    c.add(t, {"kernel_size": 3, "dilation_rate": 2}, [9, 9, 4])
    c.add(t, {"kernel_size": 3, "depth_multiplier": 2, "use_bias": False}, [9, 9, 4])
    c.add(
        t,
        {
            "kernel_size": 3,
            "strides": 2,
            "padding": "same",
            "depth_multiplier": 2,
            "data_format": "channels_first",
        },
        [4, 9, 9],
    )
    c.add(t, {"kernel_size": [3, 1]}, [None, 9, 4])
    c.add(t, {"kernel_size": 3}, [9, 9, None])  # unknown channels
    c.add(t, {"kernel_size": 11}, [9, 9, 4])  # kernel > input
    c.add(t, {"kernel_size": 0}, [9, 9, 4])
    c.add(t, {"kernel_size": 3, "strides": 0}, [9, 9, 4])
    c.add(t, {"kernel_size": 3, "depth_multiplier": -1}, [9, 9, 4])
    c.add(t, {"kernel_size": [3, 3, 3]}, [9, 9, 4])
    c.add(t, {"kernel_size": 3}, [9, 4])  # input of the wrong rank
    c.add(t, {"kernel_size": 3, "filters": 8}, [9, 9, 4])  # no such argument
    # SeparableConv1D / SeparableConv2D
    t = "SeparableConv1D"
    c.add(t, {"filters": 8, "kernel_size": 3}, [10, 4])
    c.add(
        t,
        {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same", "depth_multiplier": 2},
        [10, 4],
    )
    c.add(t, {"filters": 8, "kernel_size": 3, "depth_multiplier": 3, "use_bias": False}, [10, 4])
    c.add(t, {"filters": 8, "kernel_size": 3, "data_format": "channels_first"}, [4, 10])
    c.add(t, {"filters": 8, "kernel_size": 3, "dilation_rate": 2}, [10, 4])
    c.add(t, {"filters": 8, "kernel_size": 3}, [None, 4])
    c.add(t, {"filters": 8, "kernel_size": 3, "padding": "causal"}, [10, 4])
    c.add(t, {"filters": 0, "kernel_size": 3}, [10, 4])
    c.add(t, {"filters": 8, "kernel_size": 11}, [10, 4])  # kernel > input
    c.add(t, {"filters": 8, "kernel_size": 3}, [10])  # input of the wrong rank
    t = "SeparableConv2D"
    c.add(t, {"filters": 16, "kernel_size": 3}, [9, 9, 8])
    c.add(t, {"filters": 16, "kernel_size": 3, "depth_multiplier": 2}, [9, 9, 8])
    c.add(
        t,
        {
            "filters": 16,
            "kernel_size": 3,
            "strides": 2,
            "padding": "same",
            "depth_multiplier": 3,
            "use_bias": False,
        },
        [9, 9, 8],
    )
    c.add(t, {"filters": 16, "kernel_size": [3, 5], "dilation_rate": 2}, [12, 12, 8])
    c.add(
        t,
        {"filters": 16, "kernel_size": 3, "strides": 2, "data_format": "channels_first"},
        [8, 9, 9],
    )
    c.add(t, {"filters": 4, "kernel_size": 3, "strides": 2}, [None, None, 8])
    c.add(t, {"filters": 16, "kernel_size": 3}, [9, 9, None])  # unknown channels
    c.add(t, {"filters": 16, "kernel_size": 3, "depth_multiplier": 0}, [9, 9, 8])
    c.add(t, {"filters": -1, "kernel_size": 3}, [9, 9, 8])
    c.add(t, {"filters": 16, "kernel_size": 10}, [9, 9, 8])  # kernel > input
    c.add(t, {"filters": 16, "kernel_size": 3}, [9, 8])  # input of the wrong rank
    # Rescaling: shape unchanged, no weights
    t = "Rescaling"
    c.add(t, {"scale": 0.5, "offset": -1.0}, [9, 9, 3])
    c.add(t, {"scale": 2.0}, [10])
    c.add(t, {"scale": 1.0, "offset": 0.5}, [2, 3, 4, 5])
    c.add(t, {"scale": [0.5, 1.0, 2.0]}, [9, 9, 3])  # per channel
    c.add(t, {"scale": [0.5, 1.0]}, [9, 9, 3])  # per channel, the wrong length
    c.add(t, {"scale": 1.0}, [None, None, 3])
    c.add(t, {}, [9, 9, 3])  # `scale` is required
    c.add(t, {"scale": 1.0, "data_format": "channels_first"}, [3, 9, 9])  # no such argument
    # Normalization: non-trainable mean, variance (kept axes) and count (a scalar)
    t = "Normalization"
    c.add(t, {}, [8])
    c.add(t, {}, [9, 9, 3])
    c.add(t, {"axis": 1}, [9, 5, 3])
    c.add(t, {"axis": -2}, [9, 5, 3])
    c.add(t, {"axis": [1, 2]}, [4, 5, 3])
    c.add(t, {"axis": None}, [9, 9, 3])
    c.add(t, {"mean": [0.0, 1.0, 2.0], "variance": [1.0, 1.0, 1.0]}, [9, 9, 3])
    c.add(t, {"mean": 0.5, "variance": 2.0}, [9, 9, 3])
    c.add(  # mean of rank 1 < two axes: aligned with the last kept axis (size 5)
        t,
        {"axis": [1, 2], "mean": [1.0, 2.0, 3.0, 4.0, 5.0], "variance": [1.0] * 5},
        [4, 5, 3],
    )
    c.add(  # ... so a mean of the channels' length does not fit
        t,
        {"axis": [1, 2], "mean": [1.0, 2.0, 3.0], "variance": [1.0, 1.0, 1.0]},
        [4, 5, 3],
    )
    c.add(t, {"mean": [0.0, 1.0], "variance": [1.0, 1.0]}, [9, 9, 3])  # wrong length
    c.add(t, {"mean": 0.5}, [9, 9, 3])  # mean without variance
    c.add(t, {"mean": [[0.0]], "variance": [[1.0]]}, [9, 9, 3])  # rank 2 > one axis
    c.add(t, {"axis": 0}, [9, 9, 3])  # the batch axis, unknown
    c.add(t, {"axis": 4}, [9, 9, 3])
    c.add(t, {}, [9, None])  # unknown kept axis
    c.add(t, {"axis": 1}, [None, 3])  # axis 1 is the unknown one
    c.add(t, {}, [None, 3])  # an unknown reduced axis is fine
    # the other merges: same shape, broadcast, rank broadcast, mismatch, unknown, 1 and 3 inputs
    for type_ in ("Multiply", "Subtract", "Average", "Maximum", "Minimum"):
        for shapes in (
            ([4, 4, 3], [4, 4, 3]),
            ([4, 4, 1], [4, 4, 3]),
            ([3], [4, 4, 3]),
            ([4, 4, 3], [4, 4, 5]),
            ([None, 4, 3], [4, 4, 3]),
            ([4, 4, 3], [4, 4, 3], [4, 4, 3]),
            ([4, 4, 3],),
        ):
            c.add(type_, {}, *shapes)
    c.add("Maximum", {}, [None, 4, 3], [5, 4, 3])
    c.add("Minimum", {}, [4, 1, 8], [1, 4, 8])
    c.add("Subtract", {}, [1], [4, 4, 8])
    c.add("Multiply", {}, [4, 4, 8], [4, 4, 8], [4, 4, 3])
    c.add("Average", {}, [4, 4, 8], [4, 4, 1], [1, 1, 8])
    # LayerNormalization: gamma and beta of the normalized axes' sizes
    t = "LayerNormalization"
    c.add(t, {}, [10])
    c.add(t, {}, [9, 9, 3])
    c.add(t, {"axis": 1}, [9, 5, 3])
    c.add(t, {"axis": [1, 2]}, [4, 5, 3])
    c.add(t, {"axis": [-1, -2]}, [4, 5, 3])
    c.add(t, {"center": False}, [9, 9, 3])
    c.add(t, {"scale": False, "center": False}, [9, 3])
    c.add(t, {"epsilon": 1e-06}, [None, 16])
    c.add(t, {"axis": 4}, [9, 9, 3])
    c.add(t, {}, [9, None])  # unknown normalized axis
    c.add(t, {"scale": False, "center": False}, [9, None])  # ... but no weights to size
    c.add(t, {"axis": 0}, [9, 3])  # the batch axis, unknown
    c.add(t, {"axis": "x"}, [9, 3])
    # GroupNormalization: groups must divide the channels
    t = "GroupNormalization"
    c.add(t, {"groups": 4}, [9, 9, 8])
    c.add(t, {"groups": 2}, [9, 9, 8])
    c.add(t, {}, [9, 9, 64])  # default groups=32
    c.add(t, {}, [9, 9, 8])  # 32 groups, 8 channels
    c.add(t, {"groups": 3}, [9, 9, 8])  # 8 % 3
    c.add(t, {"groups": 16}, [9, 9, 8])
    c.add(t, {"groups": -1}, [9, 9, 8])  # instance normalization
    c.add(t, {"groups": 0}, [9, 9, 8])
    c.add(t, {"groups": 2, "axis": 1}, [8, 9, 9])
    c.add(t, {"groups": 4, "center": False}, [10, 8])
    c.add(t, {"groups": 4, "scale": False, "center": False}, [9, 8])
    c.add(t, {"groups": 2}, [9, 9, None])  # unknown channels
    c.add(t, {"groups": 2, "axis": 4}, [9, 9, 8])
    # UnitNormalization: no weights
    t = "UnitNormalization"
    c.add(t, {}, [10])
    c.add(t, {}, [9, 9, 3])
    c.add(t, {"axis": [1, 2]}, [4, 5, 3])
    c.add(t, {"axis": 1}, [9, 3])
    c.add(t, {}, [None, None])
    c.add(t, {"axis": -3}, [9, 3])  # the batch axis: in range
    c.add(t, {"axis": 3}, [9, 3])
    c.add(t, {"axis": "x"}, [9, 3])
    # SpatialDropout1D/2D/3D: fixed input rank
    c.add("SpatialDropout1D", {"rate": 0.5}, [10, 4])
    c.add("SpatialDropout1D", {"rate": 0.5}, [None, 4])
    c.add("SpatialDropout1D", {"rate": 0.5}, [9, 9, 4])
    c.add("SpatialDropout1D", {"rate": 0.5}, [10])
    c.add("SpatialDropout1D", {"rate": 1.5}, [10, 4])
    c.add("SpatialDropout1D", {"rate": 0.5, "data_format": "channels_first"}, [4, 10])
    c.add("SpatialDropout2D", {"rate": 0.2}, [9, 9, 4])
    c.add("SpatialDropout2D", {"rate": 0.2, "data_format": "channels_first"}, [4, 9, 9])
    c.add("SpatialDropout2D", {"rate": 0.2}, [9, 4])
    c.add("SpatialDropout2D", {"rate": 0.2}, [4, 9, 9, 4])
    c.add("SpatialDropout2D", {"rate": -0.1}, [9, 9, 4])
    c.add("SpatialDropout2D", {"rate": 0.2, "data_format": "channels_middle"}, [9, 9, 4])
    c.add("SpatialDropout2D", {"rate": 0.2, "noise_shape": [None, 1, 1, 4]}, [9, 9, 4])
    c.add("SpatialDropout3D", {"rate": 0.3}, [4, 9, 9, 2])
    c.add("SpatialDropout3D", {"rate": 1.0, "data_format": "channels_first"}, [2, 4, 9, 9])
    c.add("SpatialDropout3D", {"rate": 0.3}, [None, None, None, 2])
    c.add("SpatialDropout3D", {"rate": 0.3}, [9, 9, 2])
    # GaussianNoise, GaussianDropout, AlphaDropout: shape unchanged, argument in [0, 1]
    t = "GaussianNoise"
    c.add(t, {"stddev": 0.1}, [9, 9, 3])
    c.add(t, {"stddev": 0.0}, [10])
    c.add(t, {"stddev": 1.0}, [None, 3])
    c.add(t, {"stddev": 0.1, "seed": 3}, [2, 3, 4, 5])
    c.add(t, {"stddev": 1.5}, [9, 9, 3])
    c.add(t, {"stddev": -0.1}, [9, 9, 3])
    c.add(t, {}, [9, 9, 3])  # `stddev` is required
    t = "GaussianDropout"
    c.add(t, {"rate": 0.3}, [9, 9, 3])
    c.add(t, {"rate": 0.0}, [10])
    c.add(t, {"rate": 1.0}, [None, 3])
    c.add(t, {"rate": 1.5}, [9, 9, 3])
    c.add(t, {"rate": -0.1}, [9, 9, 3])
    c.add(t, {"rate": 0.3, "noise_shape": [None, 1, 1, 3]}, [9, 9, 3])  # no such argument
    t = "AlphaDropout"
    c.add(t, {"rate": 0.2}, [9, 9, 3])
    c.add(t, {"rate": 0.0}, [10])
    c.add(t, {"rate": 1.0}, [None, 3])
    c.add(t, {"rate": 0.2, "noise_shape": [None, 1, 1, 3]}, [9, 9, 3])
    c.add(t, {"rate": 0.2, "noise_shape": [5, 5]}, [9, 9, 3])  # not checked
    c.add(t, {"rate": 1.5}, [9, 9, 3])
    c.add(t, {"rate": -0.5}, [9, 9, 3])
    # ActivityRegularization: identity, no weights
    t = "ActivityRegularization"
    c.add(t, {}, [10])
    c.add(t, {"l1": 0.01}, [9, 9, 3])
    c.add(t, {"l1": 0.01, "l2": 0.001}, [None, 5])
    c.add(t, {"l2": -1.0}, [10])
    c.add(t, {"l1": "x"}, [10])
    # Softmax, ELU, PReLU, Identity
    t = "Softmax"
    c.add(t, {}, [10])
    c.add(t, {"axis": 1}, [9, 9, 3])
    c.add(t, {"axis": [1, 2]}, [4, 5, 3])
    c.add(t, {"axis": -2}, [9, 3])
    c.add(t, {}, [None, None])
    c.add(t, {"axis": 5}, [9, 3])  # not checked when the shape is inferred
    t = "ELU"
    c.add(t, {}, [10])
    c.add(t, {"alpha": 0.5}, [9, 9, 3])
    c.add(t, {"alpha": -1.0}, [9, 3])
    c.add(t, {}, [None, 3])
    c.add(t, {"alpha": 1.0, "max_value": 6.0}, [9, 3])  # no such argument
    t = "PReLU"
    c.add(t, {}, [10])
    c.add(t, {}, [9, 9, 3])
    c.add(t, {"shared_axes": [1, 2]}, [9, 9, 3])
    c.add(t, {"shared_axes": 1}, [9, 3])
    c.add(t, {"shared_axes": [1, 2, 3]}, [9, 9, 3])
    c.add(t, {"shared_axes": [1, 2]}, [None, None, 3])
    c.add(t, {}, [None, 3])  # unknown axis, not shared
    c.add(t, {"shared_axes": [4]}, [9, 9, 3])
    c.add(t, {"shared_axes": [0]}, [9, 9, 3])  # index 0 - 1 == -1: the last axis
    t = "Identity"
    c.add(t, {}, [10])
    c.add(t, {}, [9, 9, 3])
    c.add(t, {}, [None, None, 3])
    c.add(t, {"axis": 1}, [9, 3])  # no such argument
    # Permute, RepeatVector
    t = "Permute"
    c.add(t, {"dims": [2, 1]}, [10, 4])
    c.add(t, {"dims": [3, 1, 2]}, [9, 8, 3])
    c.add(t, {"dims": [1, 2, 3]}, [9, 8, 3])
    c.add(t, {"dims": [4, 3, 2, 1]}, [2, 3, 4, 5])
    c.add(t, {"dims": [2, 1]}, [None, 4])
    c.add(t, {"dims": [2, 1]}, [9, 8, 3])  # input of the wrong rank
    c.add(t, {"dims": [0, 1]}, [10, 4])
    c.add(t, {"dims": [1, 1]}, [10, 4])
    c.add(t, {"dims": [1, 3]}, [10, 4])
    t = "RepeatVector"
    c.add(t, {"n": 3}, [10])
    c.add(t, {"n": 1}, [None])
    c.add(t, {"n": 5}, [32])
    c.add(t, {"n": 0}, [10])
    c.add(t, {"n": 2.0}, [10])
    c.add(t, {"n": True}, [10])
    c.add(t, {"n": 3}, [4, 10])  # input of the wrong rank


def random_cases(c: Cases, count: int, seed: int = SEED) -> None:
    """Convolution, transposed convolution and pooling with random arguments, valid or not."""
    rng = random.Random(seed)
    families = ["Conv{}D", "Conv{}DTranspose", "MaxPooling{}D", "AveragePooling{}D"]

    def per_axis(rank: int, low: int, high: int) -> int | list[int]:
        if rng.random() < 0.65:
            return rng.randint(low, high)
        return [rng.randint(low, high) for _ in range(rank)]

    for i in range(count):
        family = rng.choice(families)
        rank = rng.randint(1, 3)
        type_ = family.format(rank)
        pooling = "Pooling" in family
        args: dict[str, Any] = {}
        if not pooling:
            args["filters"] = rng.randint(1, 8)
        args["pool_size" if pooling else "kernel_size"] = per_axis(rank, 1, 7)
        args["strides"] = per_axis(rank, 1, 4)
        if not pooling:
            args["dilation_rate"] = (
                rng.choice([1, 1, 1, 2, 3]) if rng.random() < 0.8 else per_axis(rank, 1, 3)
            )
        paddings = ["valid", "same"]
        if family == "Conv{}D" and rank == 1:
            paddings.append("causal")
        args["padding"] = rng.choice(paddings)
        if family == "Conv{}DTranspose":
            op = rng.choice([None, None, 0, 1, 2, 3, 4])
            args["output_padding"] = (
                op if op is None or rng.random() < 0.7 else [rng.randint(0, 4) for _ in range(rank)]
            )
        fmt = rng.choice(["channels_last", "channels_last", "channels_first"])
        args["data_format"] = fmt
        channels = rng.randint(1, 6)
        spatial: Shape = [rng.randint(1, 40) if rng.random() > 0.1 else None for _ in range(rank)]
        shape = [*spatial, channels] if fmt == "channels_last" else [channels, *spatial]
        c.add(type_, args, shape, prefix=f"rand{i:03d}-")


def layer_cases() -> list[Case]:
    c = Cases()
    seed_cases(c)
    convolution_cases(c)
    pooling_cases(c)
    reshaping_cases(c)
    elementwise_cases(c)
    random_cases(c, RANDOM_CASES)
    more_layer_cases(c)  # after everything else: the earlier cases keep their places
    return c.cases


# --------------------------------------------------------------------------- whole models

MODELS: dict[str, Callable[[], keras.Model]] = {
    "vgg16_encoder": vgg16_encoder,
    # the answer's code names its decoder "vgg-16_encoder"; recorded as written
    "vgg16_decoder": lambda: vgg16_decoder(name="vgg-16_encoder"),
    "dilated_decoder": dilated_decoder,
    "encoder_decoder_conv": encoder_decoder_conv,
    "encoder_decoder_pooling": encoder_decoder_pooling,
    "seed_layers": seed_layers,
    "unet": unet_model,
    "unet_upsampling": lambda: unet_model(upconv=False),
    "unet_100": lambda: unet_model(im_sz=100),
    "unet_96": lambda: unet_model(im_sz=96),
    "conv3d_roundtrip": lambda: conv3d_roundtrip((1, 0, 0)),
    "conv3d_roundtrip_plain": lambda: conv3d_roundtrip(None),
}


def summary_text(model: keras.Model) -> str:
    chunks: list[str] = []

    def sink(text: str, line_break: bool = True) -> None:
        chunks.append(text)

    model.summary(print_fn=sink)
    return "".join(chunks)


def record_model(build: Callable[[], keras.Model]) -> tuple[dict[str, Any], str | None]:
    keras.backend.clear_session()  # default names as in a fresh process: conv2d, conv2d_1, ...
    try:
        model = build()
    except Exception as exc:  # the refusal is the record
        return {"error": type(exc).__name__, "message": str(exc)[:500]}, None
    rows = []
    for layer in model.layers:
        node = layer._inbound_nodes[0]
        trainable = weight_count(layer.trainable_weights)
        non_trainable = weight_count(layer.non_trainable_weights)
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": list(node.output_tensors[0].shape),
                "params": trainable + non_trainable,
                "trainable": trainable,
                "non_trainable": non_trainable,
                "inbound": [t._keras_history.operation.name for t in node.input_tensors],
            }
        )
    trainable = weight_count(model.trainable_weights)
    non_trainable = weight_count(model.non_trainable_weights)
    record = {
        "name": model.name,
        "layers": rows,
        "total_params": trainable + non_trainable,
        "trainable_params": trainable,
        "non_trainable_params": non_trainable,
    }
    return record, summary_text(model)


# --------------------------------------------------------------------------- main


def detached_from_terminal() -> None:
    """Keras and rich size the summary from any terminal on stdin/stdout/stderr: if there is one,
    run this script again without it and pass its output on."""
    if os.environ.get("_RECORD_KERAS_GOLDENS_CHILD") or not any(os.isatty(fd) for fd in (0, 1, 2)):
        return
    env = dict(os.environ, _RECORD_KERAS_GOLDENS_CHILD="1")
    proc = subprocess.run(
        [sys.executable, *sys.argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    sys.exit(proc.returncode)


def dump(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def main() -> None:
    detached_from_terminal()
    started = time.monotonic()
    random.seed(SEED)
    keras.utils.set_random_seed(SEED)
    meta = {"keras_version": keras.__version__, "backend": keras.backend.backend()}

    cases = layer_cases()
    for case in cases:
        case["result"] = record_layer(case["type"], case["args"], case["input_shapes"])
    dump(GOLDENS / "keras_layers.json", {**meta, "cases": cases})

    models: dict[str, Any] = {}
    summaries = GOLDENS / "keras_summaries"
    summaries.mkdir(parents=True, exist_ok=True)
    for key, build in MODELS.items():
        models[key], text = record_model(build)
        if text is not None:
            (summaries / f"{key}.txt").write_text(text)
    dump(GOLDENS / "keras_models.json", {**meta, "models": models})

    ok = sum(case["result"]["ok"] for case in cases)
    built = sum("error" not in m for m in models.values())
    print(
        f"Keras {keras.__version__} ({meta['backend']}): {len(cases)} layer cases, {ok} built, "
        f"{len(cases) - ok} refused; {len(models)} models, {built} built; "
        f"{time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
