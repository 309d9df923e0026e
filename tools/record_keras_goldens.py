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
  inputs raised) or "shape" (Keras returned a negative output size without raising; error
  "NonPositiveShape").
  A layer with several outputs (RNN `return_state`, Bidirectional `merge_mode=None`, a Lambda
  returning a list) has `output_shapes` (one shape per output) instead of `output_shape`. A
  zero-length output axis (Keras builds and runs such a model) is `"ok": true` with the shape
  Keras returned, `"zero_size": true`, and `model`: whether
  `keras.Model(Input, layer(Input))` builds, its summary text, parameter count and `predict`
  shape. A wrapped layer (Bidirectional, TimeDistributed) is written in `args` as
  `{"layer": {"type": "LSTM", "args": {...}}}`, a Lambda's function by a name in
  LAMBDA_FUNCTIONS; MultiHeadAttention's input_shapes are query, value(, key), passed as
  positional tensors; Attention and AdditiveAttention get them as a list. A case may give
  `batch_size` (`keras.Input(shape=..., batch_size=...)`): Keras checks some sizes only when
  the batch is known (`keras.ops.reshape`).
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
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recording import detached_from_terminal, reproducible_process

if __name__ == "__main__":
    reproducible_process()  # before Keras is imported

import keras
import numpy as np
from keras.src.applications.convnext import LayerScale
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
# how the other multi-input layers are called: on a list [query, value(, key)], or with the
# tensors as positional arguments, layer(query, value(, key)), as MultiHeadAttention is
LIST_INPUT = MULTI_INPUT | {"Attention", "AdditiveAttention", "Dot"}
POSITIONAL_INPUT = {"MultiHeadAttention"}
INT_INPUT = {"Embedding"}  # token ids: keras.Input(..., dtype="int32")
# arguments that hold a wrapped layer, written in a case as {"type": ..., "args": {...}}
WRAPPED_LAYER_ARGS = ("layer", "backward_layer")
# Lambda's Python function cannot be written into a case: a case names one of these
LAMBDA_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "identity": lambda x: x,
    "double": lambda x: x * 2.0,
    "sum_last": lambda x: keras.ops.sum(x, axis=-1),
    "mean_spatial": lambda x: keras.ops.mean(x, axis=[1, 2]),
    "concat_self": lambda x: keras.ops.concatenate([x, x], axis=-1),
    "split_first_channel": lambda x: [x[..., :1], x[..., 1:]],  # two outputs
}

# layer classes that keras.applications defines itself rather than in keras.layers
EXTRA_LAYERS: dict[str, type] = {"LayerScale": LayerScale}


Shape = list[int | None]
Case = dict[str, Any]


# --------------------------------------------------------------------------- single layers


def weight_count(weights: list[Any]) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


# keras.ops functions that take their tensors as one list (`keras.ops.concatenate(xs)`)
LIST_OPERATIONS = {"concatenate"}


class OperationCall:
    """A `keras.ops` function as a case calls it (`type` is deconvcheck's `ops.<function>`,
    `ops.image.resize` for `keras.ops.image.resize`): the case's `operands` are the call's
    positional arguments, null where an input tensor goes (a Keras file writes them so); its
    other arguments are keywords (a reduction's `axis` and `keepdims`, a reshape's
    `newshape`). A function of LIST_OPERATIONS takes the input tensors as one list. It
    records what Keras's summary names the row (the class of the operation the call made)."""

    trainable_weights: list[Any] = []  # noqa: RUF012 - an operation has no weights
    non_trainable_weights: list[Any] = []  # noqa: RUF012

    def __init__(self, function: str, args: dict[str, Any]) -> None:
        self.function: Any = keras.ops
        for part in function.split("."):
            self.function = getattr(self.function, part)
        self.listed = function in LIST_OPERATIONS
        self.operands = args.pop("operands", None)
        self.keywords = args
        self.keras_class: str | None = None

    def __call__(self, *inputs: Any) -> Any:
        if self.listed:
            out = self.function(list(inputs), **self.keywords)
        else:
            tensors = iter(inputs)
            operands = self.operands or [None] * len(inputs)
            filled = [next(tensors) if o is None else _keras_value(o) for o in operands]
            out = self.function(*filled, *tensors, **self.keywords)
        first = out[0] if isinstance(out, list | tuple) else out  # a split gives several
        self.keras_class = type(first._keras_history.operation).__name__
        return out


def _keras_value(value: Any) -> Any:
    """`...` and slices as a case (and a Keras file) writes them."""
    if isinstance(value, list):
        return tuple(_keras_value(v) for v in value)
    if isinstance(value, dict) and value.get("class_name") == "__ellipsis__":
        return Ellipsis
    if isinstance(value, dict) and value.get("class_name") == "__slice__":
        config = value["config"]
        return slice(config.get("start"), config.get("stop"), config.get("step"))
    return value


def build_layer(type_: str, args: dict[str, Any]) -> Any:
    """`type_(**args)`, on a copy of `args` (Keras cannot alter the record), with the arguments a
    case cannot hold as JSON built first: a wrapped layer ({"type", "args"} -> that layer) and a
    Lambda's function (a name in LAMBDA_FUNCTIONS). A Lambda's `output_shape` list of sizes
    becomes a tuple, as `Lambda.from_config` does (given to the constructor, a list fails when
    Keras computes the output shape: `(batch,) + list`)."""
    if type_.startswith("ops."):
        return OperationCall(type_.removeprefix("ops."), copy.deepcopy(args))
    cls = EXTRA_LAYERS.get(type_) or getattr(keras.layers, type_)
    kwargs = copy.deepcopy(args)
    for key in WRAPPED_LAYER_ARGS:
        if isinstance(kwargs.get(key), dict) and "type" in kwargs[key]:
            kwargs[key] = build_layer(kwargs[key]["type"], kwargs[key].get("args", {}))
    if type_ == "Lambda":
        if isinstance(kwargs.get("function"), str):
            kwargs["function"] = LAMBDA_FUNCTIONS[kwargs["function"]]
        shape = kwargs.get("output_shape")
        if isinstance(shape, list) and all(d is None or isinstance(d, int) for d in shape):
            kwargs["output_shape"] = tuple(shape)
    return cls(**kwargs)


def keras_inputs(type_: str, input_shapes: list[Shape], batch_size: int | None = None) -> list[Any]:
    dtype = "int32" if type_ in INT_INPUT else None
    return [keras.Input(shape=tuple(s), batch_size=batch_size, dtype=dtype) for s in input_shapes]


def call_layer(layer: Any, type_: str, inputs: list[Any]) -> Any:
    if type_ in LIST_INPUT:
        return layer(inputs)
    if type_ in POSITIONAL_INPUT or type_.startswith("ops."):
        return layer(*inputs)
    return layer(inputs[0])


def record_layer(
    type_: str, args: dict[str, Any], input_shapes: list[Shape], batch_size: int | None = None
) -> dict[str, Any]:
    """Build `type_(**args)` on `keras.Input`s of `input_shapes` (and `batch_size`); write down
    what happened.

    A layer with several outputs (a list: RNN `return_state`, Bidirectional `merge_mode=None`)
    is recorded with `output_shapes`, one shape per output, instead of `output_shape`.
    A negative size Keras returns without raising is a "shape" refusal ("NonPositiveShape").
    A zero-length axis is recorded as Keras returned it (a model with it builds and runs):
    `"ok": true`, `"zero_size": true` and what a one-layer keras.Model made of it does
    (`model`)."""
    keras.backend.clear_session()
    inputs = keras_inputs(type_, input_shapes, batch_size)
    try:
        layer = build_layer(type_, args)
    except Exception as exc:  # the refusal is the record
        return refusal("construct", exc)
    try:
        out = call_layer(layer, type_, inputs)
    except Exception as exc:
        return refusal("call", exc)
    several = isinstance(out, list | tuple)
    shapes = [list(o.shape) for o in (out if several else [out])]
    zero = any(d == 0 for shape in shapes for d in shape)
    negative = any(d is not None and d < 0 for shape in shapes for d in shape)
    if negative:
        return {
            "ok": False,
            "stage": "shape",
            "error": "NonPositiveShape",
            "message": f"Keras returned output shape {tuple(shapes[0])} without raising",
        }
    result: dict[str, Any] = {"ok": True}
    if several:
        result["output_shapes"] = shapes
    else:
        result["output_shape"] = shapes[0]
    result["trainable"] = weight_count(layer.trainable_weights)
    result["non_trainable"] = weight_count(layer.non_trainable_weights)
    if isinstance(layer, OperationCall):
        result["class"] = layer.keras_class  # the row's class in Keras's summary
    if zero:
        result["zero_size"] = True
        result["model"] = record_zero_size_model(type_, args, input_shapes, batch_size)
    return result


def record_zero_size_model(
    type_: str, args: dict[str, Any], input_shapes: list[Shape], batch_size: int | None = None
) -> dict[str, Any]:
    """Input -> the layer as a keras.Model: does it build, what does its summary say, and what
    shape does `predict` give on a batch of 2 zeros (unknown sizes taken as 1; the case's
    batch size where it gives one)?"""
    keras.backend.clear_session()
    try:
        inputs = keras_inputs(type_, input_shapes, batch_size)
        model = keras.Model(inputs, call_layer(build_layer(type_, args), type_, inputs))
    except Exception as exc:
        return {"built": False, "error": type(exc).__name__, "message": str(exc)[:300]}
    record: dict[str, Any] = {
        "built": True,
        "output_shape": list(model.outputs[0].shape),
        "total_params": weight_count(model.weights),
        "summary": summary_text(model),
    }
    rows = batch_size or 2
    batch = [np.zeros((rows, *(1 if d is None else d for d in s)), "float32") for s in input_shapes]
    try:
        record["predict_shape"] = list(model.predict(batch, verbose=0).shape)
    except Exception as exc:
        record["predict_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    return record


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
    if (
        isinstance(value, dict) and "type" in value
    ):  # a wrapped layer: "lstm.u8.return_sequencestrue"
        inner = [str(value["type"]).lower()]
        inner += [ABBREV.get(k, k) + token(v) for k, v in value.get("args", {}).items()]
        return ".".join(inner)
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

    def add(
        self,
        type_: str,
        args: dict[str, Any],
        *shapes: Shape,
        prefix: str = "",
        batch_size: int | None = None,
    ) -> None:
        base = case_id(type_, args, list(shapes), prefix)
        if batch_size is not None:
            base += f"-batch{batch_size}"
        ident, n = base, 2
        while ident in self.ids:
            ident, n = f"{base}-{n}", n + 1
        self.ids.add(ident)
        case: Case = {
            "id": ident,
            "type": type_,
            "args": json.loads(json.dumps(args)),  # what is recorded is what was passed
            "input_shapes": [list(s) for s in shapes],
        }
        if batch_size is not None:
            case["batch_size"] = batch_size
        self.cases.append(case)


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


def sequence_and_preprocessing_cases(c: Cases) -> None:
    """Image preprocessing, embeddings, recurrent layers and their wrappers, attention,
    ConvNeXt's LayerScale, Lambda, and transposed convolutions with a zero-length output.
    Appended after more_layer_cases. Here a zero-length output axis is recorded as Keras
    returns it (see record_layer), and a wrapped layer is written {"type": ..., "args": ...}."""
    img, img_cf = [9, 9, 3], [3, 9, 9]
    # Resizing: (height, width) replace the spatial axes, whatever they were
    t = "Resizing"
    c.add(t, {"height": 5, "width": 7}, img)
    c.add(t, {"height": 16, "width": 16, "interpolation": "nearest"}, img)
    c.add(t, {"height": 5, "width": 7, "interpolation": "bicubic"}, [None, None, 3])
    c.add(t, {"height": 5, "width": 7, "crop_to_aspect_ratio": True}, [9, 12, 3])
    c.add(t, {"height": 5, "width": 7, "pad_to_aspect_ratio": True}, [9, 12, 3])
    c.add(  # both at once: refused only when images are resized
        t, {"height": 5, "width": 7, "crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, img
    )
    c.add(t, {"height": 5, "width": 7, "data_format": "channels_first"}, img_cf)
    c.add(t, {"height": 5, "width": 7, "interpolation": "cubic"}, img)  # not a mode: unchecked
    c.add(t, {"height": 5, "width": 7}, [4, 9, 9, 3])  # batch of images: rank 5 with Keras's batch
    c.add(t, {"height": 5, "width": 7}, [9, 3])  # rank 3: taken as one unbatched image
    c.add(t, {"height": 0, "width": 7}, img)
    c.add(t, {"height": 5}, img)  # `width` is required
    # CenterCrop: as Resizing, but only ranks 3 and 4 (with the batch axis)
    t = "CenterCrop"
    c.add(t, {"height": 5, "width": 7}, img)
    c.add(t, {"height": 12, "width": 12}, img)  # larger than the image
    c.add(t, {"height": 5, "width": 7, "data_format": "channels_first"}, img_cf)
    c.add(t, {"height": 5, "width": 7}, [None, None, 3])
    c.add(t, {"height": 5, "width": 7}, [4, 9, 9, 3])
    c.add(t, {"height": 5, "width": 7}, [9, 3])
    c.add(t, {"height": 5, "width": 7}, [10])
    c.add(t, {"height": 5}, img)
    # RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast,
    # RandomBrightness: shape unchanged, arguments checked in the constructor
    t = "RandomFlip"
    c.add(t, {}, img)
    c.add(t, {"mode": "horizontal"}, [None, None, 3])
    c.add(t, {"mode": "vertical", "seed": 1, "data_format": "channels_first"}, img_cf)
    c.add(t, {"mode": "diagonal"}, img)  # not a mode: unchecked
    c.add(t, {}, [4, 9, 9, 3])
    c.add(t, {}, [10])
    c.add(t, {"factor": 0.5}, img)  # no such argument
    t = "RandomRotation"
    c.add(t, {"factor": 0.2}, img)
    c.add(t, {"factor": [-0.1, 0.3], "fill_mode": "constant"}, [None, None, 3])
    c.add(t, {"factor": 0.2, "data_format": "channels_first"}, img_cf)
    c.add(t, {"factor": 0.2}, [4, 9, 9, 3])
    c.add(t, {"factor": 0.2}, [10])
    c.add(t, {"factor": 1.5}, img)
    c.add(t, {"factor": [0.1, 0.2, 0.3]}, img)
    c.add(t, {"factor": 0.2, "fill_mode": "mirror"}, img)
    c.add(t, {"factor": 0.2, "interpolation": "bicubic"}, img)
    c.add(t, {}, img)  # `factor` is required
    t = "RandomZoom"
    c.add(t, {"height_factor": 0.2}, img)
    c.add(t, {"height_factor": [-0.3, 0.2], "width_factor": 0.1}, [None, None, 3])
    c.add(t, {"height_factor": 0.2, "data_format": "channels_first"}, img_cf)
    c.add(t, {"height_factor": 0.2}, [4, 9, 9, 3])
    c.add(t, {"height_factor": -1.0}, img)  # in [-1, 1] but -1 excluded
    c.add(t, {"height_factor": 1.5}, img)
    c.add(t, {"height_factor": 0.2, "fill_mode": "mirror"}, img)
    c.add(t, {"height_factor": 0.2}, [10])
    t = "RandomTranslation"
    c.add(t, {"height_factor": 0.1, "width_factor": 0.2}, img)
    c.add(t, {"height_factor": [-0.2, 0.1], "width_factor": 0.2}, [None, None, 3])
    c.add(t, {"height_factor": 0.1, "width_factor": 0.2, "data_format": "channels_first"}, img_cf)
    c.add(t, {"height_factor": -1.0, "width_factor": 1.0}, img)  # the bounds themselves
    c.add(t, {"height_factor": 1.5, "width_factor": 0.2}, img)
    c.add(t, {"height_factor": 0.1, "width_factor": 0.2}, [4, 9, 9, 3])
    c.add(t, {"height_factor": 0.1}, img)  # `width_factor` is required
    c.add(t, {"height_factor": 0.1, "width_factor": 0.2}, [10])
    t = "RandomContrast"
    c.add(t, {"factor": 0.2}, img)
    c.add(t, {"factor": [0.1, 0.5], "value_range": [0, 1]}, [None, None, 3])
    c.add(t, {"factor": 0.2, "data_format": "channels_first"}, img_cf)
    c.add(t, {"factor": 0.2}, [4, 9, 9, 3])
    c.add(t, {"factor": 1.5}, img)
    c.add(t, {"factor": -0.1}, img)  # bounds [0, 1]
    c.add(t, {"factor": 0.2}, [10])
    t = "RandomBrightness"
    c.add(t, {"factor": 0.2}, img)
    c.add(t, {"factor": [-0.2, 0.3], "value_range": [0, 1]}, [None, None, 3])
    c.add(t, {"factor": 0.2, "data_format": "channels_first"}, img_cf)
    c.add(t, {"factor": 0.2}, [4, 9, 9, 3])
    c.add(t, {"factor": 1.5}, img)
    c.add(t, {"factor": 0.2, "value_range": [0]}, img)
    c.add(t, {"factor": 0.2}, [10])
    # RandomCrop: (height, width) replace the spatial axes, counted from the end
    t = "RandomCrop"
    c.add(t, {"height": 5, "width": 7}, img)
    c.add(t, {"height": 5, "width": 7, "data_format": "channels_first"}, img_cf)
    c.add(t, {"height": 12, "width": 12}, img)  # larger than the image
    c.add(t, {"height": 5, "width": 7}, [None, None, 3])
    c.add(t, {"height": 5, "width": 7}, [4, 9, 9, 3])
    c.add(t, {"height": 5, "width": 7}, [9, 3])
    c.add(t, {"height": 5, "width": 7}, [10])
    c.add(t, {"height": 5}, img)
    # Embedding: appends output_dim; (input_dim, output_dim) weights
    t = "Embedding"
    c.add(t, {"input_dim": 10, "output_dim": 4}, [5])
    c.add(t, {"input_dim": 1000, "output_dim": 64, "mask_zero": True}, [None])
    c.add(t, {"input_dim": 10, "output_dim": 4, "input_length": 5}, [5])  # deprecated, popped
    c.add(t, {"input_dim": 10, "output_dim": 4}, [5, 3])
    c.add(t, {"input_dim": 10, "output_dim": 4}, [])
    c.add(t, {"input_dim": 0, "output_dim": 4}, [5])
    c.add(t, {"input_dim": 10, "output_dim": 0}, [5])
    c.add(t, {"input_dim": 10.0, "output_dim": 4}, [5])
    c.add(t, {"input_dim": 10}, [5])  # `output_dim` is required
    # SimpleRNN, LSTM, GRU: (batch, time, features) in; return_state gives a list
    for t in ("SimpleRNN", "LSTM", "GRU"):
        c.add(t, {"units": 8}, [10, 4])
        c.add(t, {"units": 8, "return_sequences": True}, [10, 4])
        c.add(t, {"units": 16, "use_bias": False}, [None, 4])
        c.add(t, {"units": 8, "return_state": True}, [10, 4])
        c.add(t, {"units": 8, "return_sequences": True, "return_state": True}, [10, 4])
        c.add(t, {"units": 8, "go_backwards": True, "dropout": 0.2}, [10, 4])
        c.add(t, {"units": 8}, [10, None])  # unknown features
        c.add(t, {"units": 0}, [10, 4])
        c.add(t, {"units": 8}, [10])  # input of the wrong rank
        c.add(t, {"units": 8}, [5, 10, 4])
    c.add("LSTM", {"units": 8, "unit_forget_bias": False}, [10, 4])
    c.add("LSTM", {"units": 8, "use_cudnn": "yes"}, [10, 4])
    c.add("GRU", {"units": 8, "reset_after": False}, [10, 4])
    c.add("GRU", {"units": 8, "reset_after": False, "use_bias": False}, [10, 4])
    c.add("GRU", {"units": 8, "reset_after": True, "return_sequences": True}, [None, 6])
    c.add("SimpleRNN", {"units": 8, "activation": "relu"}, [10, 4])
    # ConvLSTM1D/2D/3D: (batch, time, *spatial, channels) in; spatial sizes must be known
    t = "ConvLSTM1D"
    c.add(t, {"filters": 4, "kernel_size": 3}, [5, 10, 3])
    c.add(t, {"filters": 4, "kernel_size": 3, "return_sequences": True}, [5, 10, 3])
    c.add(t, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, [None, 10, 3])
    c.add(t, {"filters": 4, "kernel_size": 3, "data_format": "channels_first"}, [5, 3, 10])
    c.add(t, {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "use_bias": False}, [5, 10, 3])
    c.add(t, {"filters": 4, "kernel_size": 3}, [5, None, 3])  # unknown spatial size
    c.add(t, {"filters": 4, "kernel_size": 3}, [5, 10, None])  # unknown channels
    c.add(t, {"filters": 4, "kernel_size": 11}, [5, 10, 3])  # kernel > input
    c.add(t, {"filters": 4, "kernel_size": 3, "padding": "causal"}, [5, 10, 3])
    c.add(t, {"filters": 4, "kernel_size": 3}, [10, 3])  # input of the wrong rank
    t = "ConvLSTM2D"
    c.add(t, {"filters": 8, "kernel_size": 3}, [5, 9, 9, 3])
    c.add(t, {"filters": 8, "kernel_size": 3, "return_sequences": True}, [5, 9, 9, 3])
    c.add(
        t,
        {"filters": 8, "kernel_size": [3, 5], "strides": 2, "padding": "same"},
        [None, 9, 9, 3],
    )
    c.add(
        t,
        {"filters": 8, "kernel_size": 3, "return_sequences": True, "data_format": "channels_first"},
        [5, 3, 9, 9],
    )
    c.add(t, {"filters": 8, "kernel_size": 3, "return_state": True}, [5, 9, 9, 3])
    c.add(t, {"filters": 8, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, [5, 9, 9, 3])
    c.add(t, {"filters": 8, "kernel_size": 3, "strides": 0}, [5, 9, 9, 3])
    c.add(t, {"filters": 8, "kernel_size": 3}, [5, None, None, 3])
    c.add(t, {"filters": 8, "kernel_size": 3}, [9, 9, 3])  # input of the wrong rank
    t = "ConvLSTM3D"
    c.add(t, {"filters": 2, "kernel_size": 3}, [4, 6, 6, 6, 2])
    c.add(t, {"filters": 2, "kernel_size": 3, "return_sequences": True}, [4, 6, 6, 6, 2])
    c.add(t, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}, [4, 6, 6, 6, 2])
    c.add(t, {"filters": 2, "kernel_size": 3, "data_format": "channels_first"}, [4, 2, 6, 6, 6])
    c.add(t, {"filters": 2, "kernel_size": 7}, [4, 6, 6, 6, 2])  # kernel > input
    c.add(t, {"filters": 2, "kernel_size": 3}, [6, 6, 6, 2])  # input of the wrong rank
    # Bidirectional: a forward copy and a go_backwards copy of the layer, merged
    t = "Bidirectional"
    lstm = {"type": "LSTM", "args": {"units": 8}}
    lstm_seq = {"type": "LSTM", "args": {"units": 8, "return_sequences": True}}
    c.add(t, {"layer": lstm}, [10, 4])
    for mode in ("concat", "sum", "mul", "ave", None):
        c.add(t, {"layer": lstm_seq, "merge_mode": mode}, [10, 4])
    c.add(t, {"layer": {"type": "GRU", "args": {"units": 6, "reset_after": False}}}, [None, 4])
    c.add(t, {"layer": {"type": "SimpleRNN", "args": {"units": 5}}, "merge_mode": "sum"}, [10, 4])
    c.add(t, {"layer": {"type": "LSTM", "args": {"units": 8, "return_state": True}}}, [10, 4])
    c.add(  # a backward layer of another type
        t,
        {
            "layer": lstm_seq,
            "backward_layer": {
                "type": "GRU",
                "args": {"units": 8, "return_sequences": True, "go_backwards": True},
            },
        },
        [10, 4],
    )
    c.add(  # ... that does not go backwards
        t,
        {"layer": lstm_seq, "backward_layer": {"type": "GRU", "args": {"units": 8}}},
        [10, 4],
    )
    c.add(t, {"layer": lstm, "merge_mode": "max"}, [10, 4])
    c.add(t, {"layer": {"type": "Dense", "args": {"units": 8}}}, [10, 4])  # not an RNN
    c.add(t, {"layer": lstm}, [10])  # input of the wrong rank
    # TimeDistributed: the layer applied to every step of axis 1
    t = "TimeDistributed"
    c.add(t, {"layer": {"type": "Dense", "args": {"units": 3}}}, [5, 4])
    c.add(t, {"layer": {"type": "Dense", "args": {"units": 3, "use_bias": False}}}, [5, 6, 4])
    c.add(t, {"layer": {"type": "Conv2D", "args": {"filters": 8, "kernel_size": 3}}}, [5, 9, 9, 3])
    c.add(
        t,
        {
            "layer": {
                "type": "Conv2D",
                "args": {
                    "filters": 8,
                    "kernel_size": 3,
                    "strides": 2,
                    "padding": "same",
                    "data_format": "channels_first",
                },
            }
        },
        [None, 3, 9, 9],
    )
    c.add(t, {"layer": {"type": "MaxPooling2D", "args": {"pool_size": 2}}}, [5, 8, 8, 3])
    c.add(t, {"layer": {"type": "LSTM", "args": {"units": 4}}}, [5, 10, 3])
    c.add(t, {"layer": {"type": "Conv2D", "args": {"filters": 8, "kernel_size": 3}}}, [5, 9, 3])
    c.add(t, {"layer": {"type": "Conv2D", "args": {"filters": 8, "kernel_size": 11}}}, [5, 9, 9, 3])
    c.add(t, {"layer": {"type": "Dense", "args": {"units": 3}}}, [4])  # no time axis
    c.add(t, {}, [5, 4])  # `layer` is required
    # MultiHeadAttention: called as layer(query, value) or layer(query, value, key)
    t = "MultiHeadAttention"
    c.add(t, {"num_heads": 2, "key_dim": 4}, [8, 16], [10, 16])
    c.add(t, {"num_heads": 2, "key_dim": 4}, [8, 16], [10, 12], [10, 6])
    c.add(t, {"num_heads": 3, "key_dim": 4, "value_dim": 6}, [8, 16], [10, 12])
    c.add(t, {"num_heads": 2, "key_dim": 4, "use_bias": False}, [8, 16], [10, 16])
    c.add(t, {"num_heads": 2, "key_dim": 4, "output_shape": 32}, [8, 16], [10, 16])
    c.add(t, {"num_heads": 2, "key_dim": 4, "output_shape": [4, 8]}, [8, 16], [10, 16])
    c.add(t, {"num_heads": 4, "key_dim": 8}, [None, 16], [None, 16])
    c.add(t, {"num_heads": 2, "key_dim": 4}, [3, 8, 16], [3, 8, 16])  # rank 4
    c.add(t, {"num_heads": 2, "key_dim": 4}, [8, 16], [10, 16], [9, 16])  # value 10, key 9 steps
    c.add(t, {"num_heads": 2, "key_dim": 4}, [8, 16])  # no value
    c.add(t, {"num_heads": 0, "key_dim": 4}, [8, 16], [10, 16])
    c.add(t, {"num_heads": 2}, [8, 16], [10, 16])  # `key_dim` is required
    # Attention, AdditiveAttention: called on [query, value] or [query, value, key]
    for t in ("Attention", "AdditiveAttention"):
        c.add(t, {}, [8, 16], [10, 16])
        c.add(t, {}, [8, 16], [10, 16], [10, 16])
        c.add(t, {"use_scale": t == "Attention"}, [None, 16], [None, 16])
        c.add(t, {}, [8, 16], [10, 12])  # query and value of different sizes
        c.add(t, {}, [8, 16], [10, 12], [10, 16])
        c.add(t, {}, [8, 16])
        c.add(t, {}, [8, 16], [10, 16], [10, 16], [10, 16])
        c.add(t, {}, [3, 8, 16], [3, 10, 16])  # rank 4
    c.add("Attention", {"score_mode": "concat"}, [8, 16], [10, 16])
    c.add("Attention", {"use_scale": True, "score_mode": "concat"}, [8, 16], [10, 16])
    c.add("Attention", {"score_mode": "add"}, [8, 16], [10, 16])
    c.add("AdditiveAttention", {"score_mode": "concat"}, [8, 16], [10, 16])  # passed on, unused
    c.add("AdditiveAttention", {}, [8, None], [10, None])  # the scale needs the size
    # LayerScale (keras.applications.convnext): x * gamma, gamma of projection_dim values
    t = "LayerScale"
    c.add(t, {"init_values": 1e-06, "projection_dim": 16}, [9, 9, 16])
    c.add(t, {"init_values": 0.1, "projection_dim": 16}, [16])
    c.add(t, {"init_values": 1e-06, "projection_dim": 16}, [None, None, 16])
    c.add(t, {"init_values": 1e-06, "projection_dim": 8}, [9, 9, 16])  # does not broadcast
    c.add(t, {"init_values": 1e-06, "projection_dim": 1}, [9, 9, 16])  # broadcasts
    c.add(t, {"init_values": 1e-06, "projection_dim": 16}, [9, 9, 1])  # ... the other way
    c.add(t, {"init_values": 2.0, "projection_dim": 16}, [9, 9, None])
    c.add(t, {"init_values": 1e-06}, [9, 9, 16])  # `projection_dim` is required
    # Lambda: `function` names one of LAMBDA_FUNCTIONS
    t = "Lambda"
    c.add(t, {"function": "identity", "output_shape": [9, 9, 3]}, img)
    c.add(t, {"function": "identity"}, img)  # Keras runs the function on symbolic tensors
    c.add(t, {"function": "sum_last", "output_shape": [9, 9]}, img)
    c.add(t, {"function": "sum_last"}, img)
    c.add(t, {"function": "identity", "output_shape": [4, 4]}, img)  # believed, not checked
    c.add(t, {"function": "concat_self"}, [None, None, 3])
    c.add(t, {"function": "mean_spatial", "output_shape": [3]}, [None, None, 3])
    c.add(t, {"function": "double", "output_shape": [None, 5]}, [7, 5])
    c.add(t, {"function": "split_first_channel"}, img)  # two outputs
    c.add(t, {"function": "identity", "output_shape": 243}, img)  # an int is not a shape
    # Conv1D/2D/3DTranspose, padding "same", even kernel, explicit output_padding: each axis is
    # (n - 1) * s + k % 2 + output_padding, 0 for n = 1 and output_padding 0
    same0 = {"kernel_size": 2, "strides": 2, "padding": "same", "output_padding": 0}
    c.add("Conv1DTranspose", {"filters": 8, **same0}, [1, 3])
    c.add("Conv1DTranspose", {"filters": 8, **same0}, [4, 3])
    c.add("Conv1DTranspose", {"filters": 8, **same0, "output_padding": 1}, [1, 3])
    c.add("Conv1DTranspose", {"filters": 8, **same0, "data_format": "channels_first"}, [3, 1])
    c.add("Conv2DTranspose", {"filters": 8, **same0}, [1, 1, 3])
    c.add("Conv2DTranspose", {"filters": 8, **same0}, [1, 4, 3])
    c.add("Conv2DTranspose", {"filters": 8, **same0}, [None, 1, 3])
    c.add("Conv2DTranspose", {"filters": 8, **same0, "strides": 1}, [1, 1, 3])
    c.add("Conv2DTranspose", {"filters": 8, **same0, "data_format": "channels_first"}, [3, 1, 1])
    c.add("Conv2DTranspose", {"filters": 8, **same0, "output_padding": [0, 1]}, [1, 1, 3])
    c.add("Conv3DTranspose", {"filters": 4, **same0}, [1, 1, 1, 2])
    c.add("Conv3DTranspose", {"filters": 4, **same0}, [2, 1, 2, 2])


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


ELLIPSIS = {"class_name": "__ellipsis__", "config": {}}
UNARY = (
    "square", "sqrt", "abs", "absolute", "negative", "exp", "log", "reciprocal", "sign", "floor",
    "ceil", "round", "tanh", "sin", "cos", "stop_gradient", "relu", "sigmoid", "gelu", "silu",
)  # fmt: skip
BINARY = (
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod", "power",
    "maximum", "minimum",
)  # fmt: skip
REDUCTIONS = ("sum", "mean", "max", "min", "prod", "std", "var")


def dot_and_operation_cases(c: Cases) -> None:
    """Dot, and the operations Keras 3 records for tensor expressions and keras.ops calls."""
    for args, shapes in (
        ({"axes": 1}, ([8], [8])),
        ({"axes": 1, "normalize": True}, ([8], [8])),
        ({"axes": -1}, ([5, 8], [6, 8])),
        ({"axes": [2, 2]}, ([5, 8], [6, 8])),
        ({"axes": [1, 1]}, ([5, 8], [5, 6])),
        ({"axes": 1}, ([8], [9])),
        ({"axes": [2, 1]}, ([5, 8], [8, 3])),
        ({"axes": 1}, ([8],)),
    ):
        c.add("Dot", args, *shapes)
    for name in UNARY:
        c.add(f"ops.{name}", {}, [6, 4])
    c.add("ops.clip", {"operands": [None, 0.0, 1.0]}, [6, 4])
    c.add("ops.cast", {"operands": [None, "float16"]}, [6, 4])
    for name in BINARY:
        c.add(f"ops.{name}", {}, [6, 4], [6, 4])
        c.add(f"ops.{name}", {}, [6, 4], [4])
        c.add(f"ops.{name}", {"operands": [None, 2]}, [6, 4])
    c.add("ops.add", {}, [6, 4], [5, 4])  # refused: 6 against 5
    c.add("ops.multiply", {}, [None, 4], [1, 4])
    c.add("ops.multiply", {}, [6, 1], [1, 4])
    c.add("ops.maximum", {"operands": [None, 1e-07]}, [1])
    for name in REDUCTIONS:
        c.add(f"ops.{name}", {"axis": 1, "keepdims": True}, [10])
        c.add(f"ops.{name}", {"axis": -1}, [6, 4])
        c.add(f"ops.{name}", {"axis": [1, 2]}, [6, 4, 3])
        c.add(f"ops.{name}", {}, [6, 4])
    c.add("ops.sum", {"axis": 3}, [6, 4])  # refused: no axis 3
    for key in ([ELLIPSIS, 0], [slice_(1, None, None)], [ELLIPSIS, slice_(None, 2, None)], 2):
        c.add("ops.get_item", {"operands": [None, key]}, [6, 4])
    c.add("ops.get_item", {"operands": [None, [0, 1]]}, [6, 4])
    # Keras 3's AveragePooling takes no default pool_size; MaxPooling's is 2
    for rank in (1, 2, 3):
        c.add(f"AveragePooling{rank}D", {}, [8] * rank + [3])
        c.add(f"MaxPooling{rank}D", {}, [8] * rank + [3])


def shape_operation_cases(c: Cases) -> None:
    """The keras.ops functions model code moves axes with (reshape, transpose, expand_dims,
    squeeze, split, concatenate, matmul), softmax, image.resize, ones_like and zeros_like."""
    c.add("ops.reshape", {"newshape": [-1, 2, 12]}, [6, 4])
    c.add("ops.reshape", {"newshape": [-1, 24]}, [6, 4])
    c.add("ops.reshape", {"newshape": [2, 12]}, [6, 4])  # the batch is not checked
    c.add("ops.reshape", {"newshape": [-1, 5, 5]}, [6, 4])  # ... nor the size, with it unknown
    c.add("ops.reshape", {"newshape": [None, -1, 2]}, [6, 4])  # ops.shape(x)[0] is None
    c.add("ops.reshape", {"newshape": [-1, 4]}, [None, 4])
    c.add("ops.reshape", {"newshape": [-1, -1, 4]}, [6, 4])  # refused: two -1
    c.add("ops.reshape", {"newshape": [-2, 24]}, [6, 4])  # refused: -2
    c.add("ops.reshape", {"newshape": [-1]}, [6, 4], batch_size=2)
    c.add("ops.reshape", {"newshape": [4, 12]}, [6, 4], batch_size=2)
    c.add("ops.reshape", {"newshape": [5, 5]}, [6, 4], batch_size=2)  # refused: 48 values
    c.add("ops.reshape", {"newshape": [-1, 5]}, [6, 4], batch_size=2)  # refused: 48 % 5
    c.add("ops.reshape", {"newshape": [0, -1]}, [6, 4], batch_size=2)  # refused: 0 * n
    c.add("ops.transpose", {"axes": [0, 2, 1]}, [6, 4])
    c.add("ops.transpose", {"axes": [0, 3, 1, 2]}, [6, 4, 3])
    c.add("ops.transpose", {"axes": [0, -1, 1]}, [6, 4])
    c.add("ops.transpose", {}, [6, 4])  # every axis reversed, the batch axis too
    c.add("ops.transpose", {"axes": [0, 1]}, [6, 4])  # refused: two axes for rank 3
    c.add("ops.transpose", {"axes": [0, 1, 3]}, [6, 4])  # refused: no axis 3
    c.add("ops.transpose", {"axes": [0, 1, 1]}, [6, 4])  # refused: not a permutation
    c.add("ops.expand_dims", {"axis": 1}, [6, 4])
    c.add("ops.expand_dims", {"axis": -1}, [6, 4])
    c.add("ops.expand_dims", {"axis": 3}, [6, 4])
    c.add("ops.expand_dims", {"axis": [1, 3]}, [6, 4])
    c.add("ops.expand_dims", {"axis": 4}, [6, 4])  # refused: rank 4 after
    c.add("ops.expand_dims", {"axis": -5}, [6, 4])  # refused
    c.add("ops.expand_dims", {"axis": [1, 1]}, [6, 4])  # refused: the same axis twice
    c.add("ops.expand_dims", {"axis": "last"}, [6, 4])  # refused: not an axis
    c.add("ops.squeeze", {}, [1, 6, 1])
    c.add("ops.squeeze", {}, [6, 4])
    c.add("ops.squeeze", {"axis": 1}, [1, 4])
    c.add("ops.squeeze", {"axis": -1}, [6, 1])
    c.add("ops.squeeze", {"axis": [1, 3]}, [1, 4, 1])
    c.add("ops.squeeze", {"axis": 1}, [6, 4])  # refused: 6, not 1
    c.add("ops.squeeze", {"axis": 0}, [1, 4])  # refused: the batch axis is None
    c.add("ops.squeeze", {"axis": 1}, [None, 4])  # refused: None, not 1
    c.add("ops.squeeze", {"axis": 3}, [6, 4])  # refused: no axis 3
    c.add("ops.split", {"indices_or_sections": 2, "axis": -1}, [6, 4])
    c.add("ops.split", {"indices_or_sections": 3, "axis": 1}, [6, 4])
    c.add("ops.split", {"indices_or_sections": 2}, [6, 4])  # axis 0: the batch, unknown
    c.add("ops.split", {"indices_or_sections": [1, 3], "axis": 1}, [6, 4])
    c.add("ops.split", {"indices_or_sections": [2], "axis": 1}, [None, 4])
    c.add("ops.split", {"indices_or_sections": [6], "axis": 1}, [6, 4])  # an empty part
    c.add("ops.split", {"indices_or_sections": 4, "axis": 1}, [6, 4])  # refused: 6 / 4
    c.add("ops.split", {"indices_or_sections": 2, "axis": 3}, [6, 4])  # refused: no axis 3
    c.add("ops.split", {"indices_or_sections": [4, 2], "axis": 1}, [6, 4])  # refused: -2
    c.add("ops.split", {"indices_or_sections": [2, 8], "axis": 1}, [6, 4])  # refused: -2
    c.add("ops.split", {"indices_or_sections": 0, "axis": 1}, [6, 4])  # refused
    c.add("ops.concatenate", {"axis": -1}, [6, 4], [6, 3])
    c.add("ops.concatenate", {"axis": 1}, [6, 4], [5, 4], [1, 4])
    c.add("ops.concatenate", {"axis": 1}, [6, 4], [None, 4])
    c.add("ops.concatenate", {"axis": -1}, [6, 4])
    c.add("ops.concatenate", {}, [6, 4], [6, 4])  # axis 0: the batch axis
    c.add("ops.concatenate", {"axis": -1}, [6, 4], [5, 4])  # refused: 6 against 5
    c.add("ops.concatenate", {"axis": -1}, [6, 4], [6, 4, 1])  # refused: ranks
    c.add("ops.concatenate", {"axis": 3}, [6, 4], [6, 4])  # refused: no axis 3
    c.add("ops.concatenate", {"axis": None}, [6, 4], [6, 4])  # refused
    c.add("ops.matmul", {}, [6, 4], [4, 5])
    c.add("ops.matmul", {}, [3, 6, 4], [3, 4, 5])
    c.add("ops.matmul", {}, [1, 6, 4], [3, 4, 5])
    c.add("ops.matmul", {}, [6, None], [None, 5])
    c.add("ops.matmul", {}, [4], [4, 5])
    c.add("ops.matmul", {}, [6, 4], [4])
    c.add("ops.matmul", {}, [6, 4], [5, 6])  # refused: 4 against 5
    c.add("ops.matmul", {}, [2, 6, 4], [3, 4, 5])  # refused: 2 against 3
    for name in ("softmax", "log_softmax"):
        c.add(f"ops.{name}", {}, [6, 4])
        c.add(f"ops.{name}", {"axis": 1}, [6, 4])
        c.add(f"ops.{name}", {"axis": [1, 2]}, [6, 4])
        c.add(f"ops.{name}", {"axis": None}, [6, 4])
        c.add(f"ops.{name}", {"axis": 3}, [6, 4])  # refused: no axis 3
    c.add("ops.image.resize", {"size": [16, 16]}, [8, 8, 3])
    c.add("ops.image.resize", {"size": [4, 6], "interpolation": "nearest"}, [8, 8, 3])
    c.add("ops.image.resize", {"size": [16, 12]}, [None, None, 3])
    c.add("ops.image.resize", {"size": [16, 16], "data_format": "channels_first"}, [3, 8, 8])
    c.add("ops.image.resize", {"size": [16, 16], "crop_to_aspect_ratio": True}, [8, 6, 3])
    c.add("ops.image.resize", {"size": [16, 16]}, [8, 3])  # rank 3: one image, no batch axis
    c.add("ops.image.resize", {"size": [16, 16]}, [8])  # refused: rank 2
    c.add("ops.image.resize", {"size": [16, 16]}, [2, 8, 8, 3])  # refused: rank 5
    c.add("ops.image.resize", {"size": [16]}, [8, 8, 3])  # refused: one size
    c.add("ops.image.resize", {"size": [0, 16]}, [8, 8, 3])  # refused: 0
    c.add(
        "ops.image.resize",
        {"size": [16, 16], "crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True},
        [8, 8, 3],
    )  # refused: both
    c.add(
        "ops.image.resize",
        {"size": [16, 16], "data_format": "channels_middle"},
        [8, 8, 3],
        prefix="unknown-format-",
    )  # refused
    for name in ("ones_like", "zeros_like"):
        c.add(f"ops.{name}", {}, [6, 4])
        c.add(f"ops.{name}", {"dtype": "int32"}, [None, 4])
    c.add("ops.cast", {"dtype": "int32"}, [6, 4])


def slice_(start: int | None, stop: int | None, step: int | None) -> dict[str, Any]:
    """A slice as a Keras file writes one."""
    return {"class_name": "__slice__", "config": {"start": start, "stop": stop, "step": step}}


def layer_cases() -> list[Case]:
    c = Cases()
    seed_cases(c)
    convolution_cases(c)
    pooling_cases(c)
    reshaping_cases(c)
    elementwise_cases(c)
    random_cases(c, RANDOM_CASES)
    more_layer_cases(c)  # after everything else: the earlier cases keep their places
    sequence_and_preprocessing_cases(c)  # ... and so on: appended, never inserted
    dot_and_operation_cases(c)
    shape_operation_cases(c)
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
        case["result"] = record_layer(
            case["type"], case["args"], case["input_shapes"], case.get("batch_size")
        )
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
