"""Record two differential corpora of random functional Keras 3 models, refusals included: one
for tests/test_random_models.py (which compares deconvcheck with them layer by layer, without
Keras), and one of models whose layers are called more than once (the calls corpus, below).

    KERAS_BACKEND=torch /tmp/kerasenv/bin/python tools/record_keras_random_models.py [plain] [calls]

(both corpora without an argument; each has its own seed and generator, so either can be
recorded alone and the other stays byte for byte as it was).

Each model is generated as a deconvcheck spec in JSON form (`{"deconvcheck": 1, "name",
"layers": [{"type", "name", "inputs"?, ...Keras arguments}]}`), then built from that description
with Keras's functional API: `keras.Input(shape=..., name=...)` for the Input, and
`getattr(keras.layers, type)(**args, name=name)` called on its inputs (a merge layer on a list),
in file order. The spec's last layer is the model's output. Branches are merged back, except
that a three-way fork is usually merged on two of its branches: the third leads to no output, so
Keras leaves it out of `model.layers`, but the code still calls it, and a refusal there is the
model's (about 8% of the models have such a branch).

Chains and DAGs with skips (Concatenate, Add, Multiply, Average, Maximum, Minimum, Subtract of
two branches, sometimes three), 1-D, 2-D and 3-D, channels_first sometimes, spatial sizes 1-7
and odd sizes up to 33, strides larger than the input. The generator tracks sizes roughly, to
keep most models buildable, and is careless on purpose now and then (about a third of the models
Keras refuses). Some chain models leave every layer unnamed, so Keras's default names are
recorded too.

The run is deterministic (fixed string hash seed, fixed random seed, `keras.backend.clear_session()`
before every model) and writes tests/goldens/keras_random_models.json.gz (gzip, mtime 0):
`{"keras_version", "backend", "seed", "models": [{"id", "spec", "builds", "rows"?, "error"?}]}`.
`rows` are `[name, class, output shape with a null batch axis, trainable, non_trainable]` over
`model.layers` (no operations: only layers are used). `error` is `{"type", "message", "layer"}`:
the exception's class and message and the layer whose construction or call raised (its name;
null when an unnamed layer's constructor raised, or when `keras.Model` itself did). As in
tools/record_keras_goldens.py, a negative size Keras returns without raising is a refusal,
`"type": "NonPositiveShape"`, at the first layer with one.

Beside it, tests/goldens/keras_random_models_files.json.gz: `{"keras_version", "files": {id:
model.to_json()}}` for every model Keras builds: Keras's own serialization, which deconvcheck
must read to the same rows (as a JSON file, and as the config.json of a `.keras` archive, which
holds the same text) and `convert` must write back.

The calls corpus (CallsGenerator, `build_calls`; CALLS_SEED, CALLS_COUNT models) shares layers:
a layer declared once and called again on two or three tensors (Siamese towers on two or three
Inputs, one layer at two or three scales then merged or pooled, a layer called on its own
output, a merge layer called on two pairs, a layer called once more on what it took before with
the result left unused, a vector layer called on a sequence of the same features), now and then
a call the layer's weights do not fit (Keras refuses most); spatial sizes left open (`None`) in
some, several outputs in some, Keras's default names in some. A spec writes a later call as
`{"call": name, "inputs": ...}` and a tensor as `name[call][output]`; Keras builds it entry by
entry, a call entry calling the layer object its declaration made and `name[c][t]` picking
`layer._inbound_nodes[c].output_tensors[t]` (in a fresh model node c is call c). Every Input is
one of the model's inputs, and each leads to an output: Keras lists an Input no output depends
on, which a spec (with no list of the model's inputs) cannot say.

It writes tests/goldens/keras_random_calls.json.gz: `{"keras_version", "backend", "seed",
"models": [{"id", "features", "spec", "builds", "rows"?, "totals"?, "reloaded"?, "error"?}]}`.
`features` names what the generator put in (`shared`, `scales`, `self_call`, `misfit_call`,
...). Each row is `{"name", "class", "output_shape", "trainable", "non_trainable",
"connected_to", "calls"}` over `model.layers`: `output_shape` is the layer's last call's, even a
call outside the model (as `summary_utils.format_layer_shape` prints it); `calls` has each of
its calls in the model (inbound nodes in `model._nodes_by_depth`), `{"node", "inputs":
[[layer, node index, tensor index], ...], "output_shapes"}`; `connected_to` is the summary's
Connected to text, from the calls as `summary_utils` joins them and checked against the summary
Keras prints (null when the summary has no such column). `totals` counts each weight once.
`error` is as above, with `entry`: the index in `layers` of the entry that raised (a `call:`
entry when a later call did).
`reloaded` (same form) is there when `keras.models.model_from_json` of the model's own
`to_json()` gives other rows: Keras numbers the nodes afresh within the model, and builds a
layer from its `build_config`. Beside it, tests/goldens/keras_random_calls_files.json.gz holds
each built model's `to_json()`, as above.
"""

from __future__ import annotations

import copy
import gzip
import json
import math
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from recording import detached_from_terminal, reproducible_process

if __name__ == "__main__":
    reproducible_process()  # before Keras is imported

import keras
from keras.src.utils.naming import to_snake_case

GOLDENS = Path(__file__).resolve().parent.parent / "tests" / "goldens"
OUT = GOLDENS / "keras_random_models.json.gz"
FILES = GOLDENS / "keras_random_models_files.json.gz"  # Keras's model.to_json() of each built one
SEED = 20261123
COUNT = 2000
CALLS_OUT = GOLDENS / "keras_random_calls.json.gz"
CALLS_FILES = GOLDENS / "keras_random_calls_files.json.gz"
CALLS_SEED = 20261205
CALLS_COUNT = 800
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MERGES = ["Concatenate", "Add", "Multiply", "Average", "Maximum", "Minimum", "Subtract"]

Spec = dict[str, Any]


# --------------------------------------------------------------------------- generation


class Tensor:
    """What the generator believes a tensor is (it may be wrong: Keras decides)."""

    def __init__(self, name: str, shape: list[int], spatial: int, fmt: str) -> None:
        self.name = name
        self.shape = shape  # without the batch axis
        self.spatial = spatial  # 0: no spatial axes (a vector or a sequence of features)
        self.fmt = fmt

    def sizes(self) -> list[int]:
        if not self.spatial:
            return []
        return self.shape[:-1] if self.fmt == "channels_last" else self.shape[1:]

    def channels(self) -> int:
        return self.shape[-1] if self.fmt == "channels_last" or not self.spatial else self.shape[0]

    def with_sizes(self, name: str, sizes: list[int], channels: int | None = None) -> Tensor:
        c = self.channels() if channels is None else channels
        sizes = [max(1, n) for n in sizes]  # past a refusal, any belief will do
        shape = [*sizes, c] if self.fmt == "channels_last" else [c, *sizes]
        return Tensor(name, shape, self.spatial, self.fmt)


def conv_out(n: int, k: int, s: int, d: int, padding: str) -> int:
    if padding in {"same", "causal"}:
        return math.ceil(n / s)
    return (n - (k - 1) * d - 1) // s + 1


def deconv_out(n: int, k: int, s: int, d: int, padding: str, op: int | None) -> int:
    ke = (k - 1) * d + 1
    if op is None:
        return n * s if padding == "same" else (n - 1) * s + max(ke, s)
    pad = ke // 2 if padding == "same" else 0
    return (n - 1) * s + ke - 2 * pad + op


class Generator:
    def __init__(self, rng: random.Random, index: int) -> None:
        self.rng = rng
        self.layers: list[Spec] = []
        self.count = 0
        self.careless = rng.random() < 0.2  # pick arguments without looking at sizes
        self.named = True
        self.index = index

    # -- helpers

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def new_name(self, type_: str) -> str:
        self.count += 1
        return f"{type_.lower()}_{self.count}"

    def emit(self, type_: str, src: list[Tensor], args: dict[str, Any]) -> str:
        name = self.new_name(type_)
        layer: Spec = {"type": type_, "name": name}
        previous = self.layers[-1]["name"] if self.layers else None
        if len(src) > 1 or src[0].name != previous or self.chance(0.1):
            layer["inputs"] = [t.name for t in src] if len(src) > 1 else src[0].name
        layer.update(args)
        self.layers.append(layer)
        return name

    def int_or_tuple(self, values: list[int]) -> int | list[int]:
        if len(set(values)) == 1 and self.chance(0.6):
            return values[0]
        return values

    def small(self, limit: int) -> int:
        """A size from 1 to `limit`, small more often."""
        return min(limit, self.rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 7]))

    def fmt_arg(self, t: Tensor, args: dict[str, Any]) -> None:
        if t.fmt == "channels_first":
            args["data_format"] = "channels_first"
        elif self.chance(0.05):
            args["data_format"] = "channels_last"

    def filters(self) -> int:
        return self.rng.choice([1, 2, 3, 4, 6, 8, 12, 16])

    # -- layers on a tensor with spatial axes

    def window(self, t: Tensor, transposed: bool = False) -> tuple[list[int], list[int], int, str]:
        sizes = t.sizes()
        padding = self.rng.choice(["valid", "same"])
        if self.careless:
            ks = [self.rng.randint(1, 7) for _ in sizes]
            strides = [self.rng.randint(1, 5) for _ in sizes]
        else:
            if not transposed and padding == "valid" and min(sizes) < 3 and self.chance(0.85):
                padding = "same"
            limit = max(sizes) if padding == "valid" and not transposed else 7
            k = self.small(min(limit, 5)) if not transposed else self.rng.choice([1, 2, 3, 4, 5])
            ks = [k] * len(sizes) if self.chance(0.7) else [self.small(limit) for _ in sizes]
            if padding == "valid" and not transposed:
                ks = [min(k, n) for k, n in zip(ks, sizes, strict=True)]
            s = self.rng.choice([1, 1, 1, 2, 2, 3])
            if self.chance(0.04):
                s = max(sizes) + self.rng.randint(1, 3)  # larger than the input
            strides = [s] * len(sizes) if self.chance(0.8) else [self.small(3) for _ in sizes]
        dil = 1
        if self.chance(0.12) and (all(s == 1 for s in strides) or self.chance(0.25)):
            dil = self.rng.choice([2, 3])
            if not self.careless and not transposed and padding == "valid":
                padding = "same"
        return ks, strides, dil, padding

    def conv_like(self, t: Tensor, type_: str) -> Tensor:
        rank = t.spatial
        ks, strides, dil, padding = self.window(t)
        args: dict[str, Any] = {}
        if type_.startswith("Conv") or type_.startswith("Separable"):
            args["filters"] = self.filters()
        args["kernel_size"] = self.int_or_tuple(ks)
        if any(s != 1 for s in strides) or self.chance(0.1):
            args["strides"] = self.int_or_tuple(strides)
        if padding != "valid" or self.chance(0.2):
            args["padding"] = padding
        if rank == 1 and type_ == "Conv1D" and self.chance(0.1):
            args["padding"] = padding = "causal"
        if dil != 1:
            args["dilation_rate"] = dil
        if type_.startswith(("Depthwise", "Separable")) and self.chance(0.4):
            args["depth_multiplier"] = self.rng.choice([1, 2, 3])
        if type_.startswith("Conv") and self.chance(0.1):
            c = t.channels()
            divisors = [g for g in (2, 3, 4) if c % g == 0] or [2]
            g = self.rng.choice(divisors)
            args["groups"] = g
            if not self.careless:
                args["filters"] = g * self.rng.choice([1, 2, 3])
        if self.chance(0.15):
            args["use_bias"] = False
        if self.chance(0.2):
            args["activation"] = self.rng.choice(["relu", "sigmoid", "tanh"])
        self.fmt_arg(t, args)
        sizes = [
            conv_out(n, k, s, dil, padding) for n, k, s in zip(t.sizes(), ks, strides, strict=True)
        ]
        c = args["filters"] if "filters" in args else t.channels() * args.get("depth_multiplier", 1)
        name = self.emit(type_, [t], args)
        return t.with_sizes(name, sizes, c)

    def transposed(self, t: Tensor, type_: str) -> Tensor:
        ks, strides, dil, padding = self.window(t, transposed=True)
        args: dict[str, Any] = {"filters": self.filters(), "kernel_size": self.int_or_tuple(ks)}
        if any(s != 1 for s in strides) or self.chance(0.1):
            args["strides"] = self.int_or_tuple(strides)
        if padding != "valid" or self.chance(0.2):
            args["padding"] = padding
        if dil != 1:
            args["dilation_rate"] = dil
        op: list[int] | None = None
        if self.chance(0.3):
            if self.careless or self.chance(0.15):
                op = [self.rng.randint(0, 3) for _ in ks]
            else:
                op = [self.rng.randint(0, max(0, s - 1)) for s in strides]
            args["output_padding"] = self.int_or_tuple(op)
        if self.chance(0.15):
            args["use_bias"] = False
        self.fmt_arg(t, args)
        sizes = [
            deconv_out(n, k, s, dil, padding, None if op is None else o)
            for n, k, s, o in zip(t.sizes(), ks, strides, op or [0] * len(ks), strict=True)
        ]
        name = self.emit(type_, [t], args)
        return t.with_sizes(name, sizes, args["filters"])

    def pooling(self, t: Tensor, type_: str) -> Tensor:
        sizes = t.sizes()
        padding = self.rng.choice(["valid", "same"])
        if self.careless:
            ps = [self.rng.randint(1, 5) for _ in sizes]
        else:
            if padding == "valid" and min(sizes) < 2 and self.chance(0.85):
                padding = "same"
            limit = max(sizes) if padding == "valid" else 5
            ps = [self.small(min(limit, 3))] * len(sizes)
            if padding == "valid":
                ps = [min(p, n) for p, n in zip(ps, sizes, strict=True)]
        args: dict[str, Any] = {"pool_size": self.int_or_tuple(ps)}
        strides = ps
        if self.chance(0.3):
            strides = [self.rng.randint(1, 3) for _ in sizes]
            if self.chance(0.1):
                strides = [max(sizes) + 2] * len(sizes)
            args["strides"] = self.int_or_tuple(strides)
        if padding != "valid" or self.chance(0.2):
            args["padding"] = padding
        self.fmt_arg(t, args)
        out = [conv_out(n, p, s, 1, padding) for n, p, s in zip(sizes, ps, strides, strict=True)]
        name = self.emit(type_, [t], args)
        return t.with_sizes(name, out)

    def global_pool(self, t: Tensor, type_: str) -> Tensor:
        args: dict[str, Any] = {}
        keep = self.chance(0.35)
        if keep:
            args["keepdims"] = True
        self.fmt_arg(t, args)
        name = self.emit(type_, [t], args)
        if keep:
            return t.with_sizes(name, [1] * t.spatial)
        return Tensor(name, [t.channels()], 0, "channels_last")

    def resample(self, t: Tensor, kind: str) -> Tensor:
        rank = t.spatial
        sizes = t.sizes()
        type_ = f"{kind}{rank}D"
        args: dict[str, Any] = {}
        if kind == "UpSampling":
            f = [self.rng.choice([1, 2, 2, 3]) for _ in sizes]
            if rank == 1:
                args["size"] = f[0]
            else:
                args["size"] = self.int_or_tuple(f if self.chance(0.3) else [f[0]] * rank)
                f = [f[0]] * rank if isinstance(args["size"], int) else f
            if rank == 2 and self.chance(0.2):
                args["interpolation"] = self.rng.choice(["nearest", "bilinear"])
            out = [n * k for n, k in zip(sizes, f, strict=True)]
        elif kind == "ZeroPadding":
            pads = [[self.rng.randint(0, 2), self.rng.randint(0, 2)] for _ in sizes]
            if self.chance(0.4):
                pads = [[pads[0][0], pads[0][0]]] * rank
                args["padding"] = pads[0][0]
            elif rank == 1:
                args["padding"] = pads[0]
            elif self.chance(0.3):
                pads = [[p[0], p[0]] for p in pads]
                args["padding"] = [p[0] for p in pads]
            else:
                args["padding"] = pads
            out = [n + a + b for n, (a, b) in zip(sizes, pads, strict=True)]
        else:  # Cropping
            if self.careless or self.chance(0.1):
                crops = [[self.rng.randint(0, 3), self.rng.randint(0, 3)] for _ in sizes]
            else:
                crops = []
                for n in sizes:
                    a = self.rng.randint(0, max(0, (n - 1) // 2))
                    b = self.rng.randint(0, max(0, n - 1 - a))
                    crops.append([a, b])
            if rank == 1:
                args["cropping"] = crops[0]
            elif (
                self.chance(0.3)
                and len({tuple(c) for c in crops}) == 1
                and crops[0][0] == crops[0][1]
            ):
                args["cropping"] = crops[0][0]
            else:
                args["cropping"] = crops
            out = [n - a - b for n, (a, b) in zip(sizes, crops, strict=True)]
        if rank > 1:
            self.fmt_arg(t, args)
        name = self.emit(type_, [t], args)
        return t.with_sizes(name, out)

    def image_2d(self, t: Tensor, type_: str) -> Tensor:
        sizes = t.sizes()
        if type_ == "Resizing":
            h, w = self.rng.randint(1, 12), self.rng.randint(1, 12)
            args: dict[str, Any] = {"height": h, "width": w}
            if self.chance(0.2):
                args["crop_to_aspect_ratio"] = True
            if self.chance(0.2):
                args["interpolation"] = self.rng.choice(["nearest", "bicubic"])
        else:
            if self.careless or self.chance(0.2):
                h, w = self.rng.randint(1, 9), self.rng.randint(1, 9)
            else:
                h, w = self.rng.randint(1, sizes[0]), self.rng.randint(1, sizes[1])
            args = {"height": h, "width": w}
        self.fmt_arg(t, args)
        name = self.emit(type_, [t], args)
        return t.with_sizes(name, [h, w, *sizes[2:]] if len(sizes) >= 2 else sizes)

    def normalization(self, t: Tensor, type_: str) -> Tensor:
        args: dict[str, Any] = {}
        c = t.channels()
        channel_axis = -1 if t.fmt == "channels_last" or not t.spatial else 1
        if type_ == "BatchNormalization":
            if channel_axis == 1 or self.chance(0.1):
                args["axis"] = channel_axis if not self.chance(0.15) else self.rng.choice([1, -1])
            if self.chance(0.15):
                args["center"] = False
            if self.chance(0.15):
                args["scale"] = False
        elif type_ == "LayerNormalization":
            if self.chance(0.25):
                args["axis"] = self.rng.choice([-1, 1, [1, 2], -2])
            if self.chance(0.15):
                args["center"] = False
            if self.chance(0.15):
                args["scale"] = False
        else:
            divisors = [g for g in (1, 2, 3, 4, 8) if c % g == 0]
            g = self.rng.choice(divisors) if not self.careless else self.rng.choice([2, 3, 4])
            if self.chance(0.1):
                g = -1
            args["groups"] = g
            if channel_axis == 1:
                args["axis"] = 1
            if self.chance(0.15):
                args["center"] = False
        if self.chance(0.2):
            args["trainable"] = False
        name = self.emit(type_, [t], args)
        return Tensor(name, list(t.shape), t.spatial, t.fmt)

    def elementwise(self, t: Tensor) -> Tensor:
        type_ = self.rng.choice(
            ["Activation", "ReLU", "LeakyReLU", "Dropout", "Rescaling", "SpatialDropout"]
        )
        args: dict[str, Any] = {}
        if type_ == "Activation":
            args["activation"] = self.rng.choice(["relu", "tanh", "softmax", "linear"])
        elif type_ == "ReLU":
            if self.chance(0.3):
                args["max_value"] = 6.0
        elif type_ == "LeakyReLU":
            if self.chance(0.5):
                args["negative_slope"] = 0.2
        elif type_ == "Dropout":
            args["rate"] = self.rng.choice([0.1, 0.25, 0.5])
        elif type_ == "Rescaling":
            args["scale"] = self.rng.choice([0.5, 1.0 / 255])
            if self.chance(0.3):
                args["offset"] = -1.0
        else:
            rank = t.spatial if t.spatial else 1
            if self.careless and self.chance(0.5):
                rank = self.rng.randint(1, 3)
            type_ = f"SpatialDropout{rank}D"
            args["rate"] = 0.2
            if t.fmt == "channels_first" and rank > 1:
                args["data_format"] = "channels_first"
        name = self.emit(type_, [t], args)
        return Tensor(name, list(t.shape), t.spatial, t.fmt)

    def dense(self, t: Tensor) -> Tensor:
        units = self.rng.choice([1, 2, 4, 8, 10, 16, 32])
        args: dict[str, Any] = {"units": units}
        if self.chance(0.2):
            args["use_bias"] = False
        if self.chance(0.2):
            args["activation"] = "relu"
        name = self.emit("Dense", [t], args)
        # Dense acts on the last axis: with channels_first spatial input it changes a size
        return Tensor(name, [*t.shape[:-1], units], t.spatial, t.fmt)

    def flatten(self, t: Tensor) -> Tensor:
        args: dict[str, Any] = {}
        if t.fmt == "channels_first" and self.chance(0.5):
            args["data_format"] = "channels_first"
        name = self.emit("Flatten", [t], args)
        return Tensor(name, [math.prod(t.shape)], 0, "channels_last")

    def reshape(self, t: Tensor) -> Tensor:
        total = max(1, math.prod(t.shape))
        rank = self.rng.randint(1, 3)
        if self.careless and self.chance(0.4):
            target = [self.rng.randint(1, 6) for _ in range(rank + 1)]
        else:
            target = []
            rest = total
            for _ in range(rank):
                d = self.rng.choice([d for d in range(1, min(rest, 8) + 1) if rest % d == 0])
                target.append(d)
                rest //= d
            target.append(rest)
            if self.chance(0.15):
                target[self.rng.randrange(len(target))] = -1
        name = self.emit("Reshape", [t], {"target_shape": target})
        shape = [
            total // max(1, math.prod(d for d in target if d != -1)) if d == -1 else d
            for d in target
        ]
        return Tensor(name, shape, rank, "channels_last")

    def permute(self, t: Tensor) -> Tensor:
        n = len(t.shape)
        dims = list(range(1, n + 1))
        self.rng.shuffle(dims)
        if self.careless and self.chance(0.3):
            dims = dims[:-1] or [1, 1]
        name = self.emit("Permute", [t], {"dims": dims})
        shape = [t.shape[d - 1] for d in dims] if len(dims) == n else list(t.shape)
        return Tensor(name, shape, 0 if t.spatial == 0 else t.spatial, "channels_last")

    # -- one step

    def step(self, t: Tensor) -> Tensor:
        r = self.rng.random()
        if not t.spatial:
            if r < 0.35:
                return self.dense(t)
            if r < 0.55:
                return self.elementwise(t)
            if r < 0.7:
                return self.normalization(
                    t,
                    self.rng.choice(
                        ["BatchNormalization", "LayerNormalization", "GroupNormalization"]
                    ),
                )
            if r < 0.85 and len(t.shape) == 1:
                return self.reshape(t)
            if r < 0.9 and len(t.shape) > 1:
                return self.permute(t)
            return self.dense(t)
        rank = t.spatial
        if r < 0.22:
            return self.conv_like(t, f"Conv{rank}D")
        if r < 0.34:
            return self.transposed(t, f"Conv{rank}DTranspose")
        if r < 0.40:
            if rank == 3 and not self.careless:
                return self.conv_like(t, "Conv3D")
            return self.conv_like(t, f"DepthwiseConv{min(rank, 2) if not self.careless else rank}D")
        if r < 0.46:
            if rank == 3 and not self.careless:
                return self.conv_like(t, "Conv3D")
            return self.conv_like(t, f"SeparableConv{min(rank, 2) if not self.careless else rank}D")
        if r < 0.56:
            kind = self.rng.choice(["MaxPooling", "AveragePooling"])
            return self.pooling(t, f"{kind}{rank}D")
        if r < 0.64:
            return self.resample(t, self.rng.choice(["UpSampling", "ZeroPadding", "Cropping"]))
        if r < 0.72:
            return self.normalization(
                t,
                self.rng.choice(["BatchNormalization", "LayerNormalization", "GroupNormalization"]),
            )
        if r < 0.80:
            return self.elementwise(t)
        if r < 0.84 and (rank == 2 or self.careless):
            return self.image_2d(t, self.rng.choice(["Resizing", "CenterCrop"]))
        if r < 0.87:
            kind = self.rng.choice(["GlobalAveragePooling", "GlobalMaxPooling"])
            return self.global_pool(t, f"{kind}{rank}D")
        if r < 0.90:
            return self.dense(t)
        if r < 0.93:
            return self.flatten(t)
        if r < 0.96:
            return self.permute(t) if self.chance(0.5) else self.reshape(t)
        return self.resample(t, self.rng.choice(["UpSampling", "ZeroPadding"]))

    def merge(self, branches: list[Tensor]) -> Tensor:
        type_ = self.rng.choice(MERGES)
        args: dict[str, Any] = {}
        if type_ == "Concatenate" and self.chance(0.3):
            args["axis"] = self.rng.choice([1, -1, 2]) if len(branches[0].shape) > 1 else -1
        if type_ == "Subtract" or self.chance(0.85):
            branches = branches[:2]
        name = self.emit(type_, branches, args)
        t = branches[0]
        shape = list(t.shape)
        if type_ == "Concatenate" and all(len(b.shape) == len(shape) for b in branches):
            axis = args.get("axis", -1)
            axis = axis if axis < 0 else axis - 1
            shape[axis] = sum(b.shape[axis] for b in branches)
        return Tensor(name, shape, t.spatial, t.fmt)

    def branch(self, t: Tensor, length: int) -> Tensor:
        """A few shape-keeping-ish layers: what a skip connection is merged with."""
        for _ in range(length):
            # a convolution with `same` padding and stride 1, or anything at all
            if t.spatial and self.chance(0.6) and self.chance(0.75 if not self.careless else 0.3):
                args: dict[str, Any] = {
                    "filters": t.channels() if self.chance(0.8) else self.filters(),
                    "kernel_size": self.rng.choice([1, 3]),
                    "padding": "same",
                }
                self.fmt_arg(t, args)
                name = self.emit(f"Conv{t.spatial}D", [t], args)
                t = t.with_sizes(name, t.sizes(), args["filters"])
                continue
            t = self.step(t) if self.careless or self.chance(0.35) else self.elementwise(t)
        return t

    # -- a whole model

    def model(self) -> Spec:
        rng = self.rng
        rank = rng.choice([1, 2, 2, 2, 3])
        fmt = "channels_first" if rank > 1 and self.chance(0.2) else "channels_last"
        if self.chance(0.05):
            rank, fmt = 0, "channels_last"
        sizes: list[int] = []
        for _ in range(rank):
            sizes.append(rng.randint(1, 7) if self.chance(0.6) else rng.choice(range(9, 34, 2)))
        if rank > 1 and self.chance(0.6):
            sizes = [sizes[0]] * rank
        if rank == 3:
            sizes = [min(n, 13) for n in sizes]
        channels = rng.choice([1, 2, 3, 4, 8])
        if rank == 0:
            shape = [rng.choice([4, 8, 12, 16, 24])]
        elif fmt == "channels_last":
            shape = [*sizes, channels]
        else:
            shape = [channels, *sizes]
        dag = self.chance(0.6)
        if not dag and self.chance(0.25):
            self.named = False
        self.layers.append({"type": "Input", "name": "input", "shape": shape})
        self.count = 0
        t = Tensor("input", shape, rank, fmt)
        for _ in range(rng.randint(1, 6)):
            if dag and self.chance(0.45):
                width = 2 if self.chance(0.85) else 3
                branches = [self.branch(t, rng.randint(0 if i else 1, 2)) for i in range(width)]
                if branches[0].name == branches[-1].name:
                    branches[-1] = self.branch(t, 1)
                t = self.merge(branches)
            else:
                t = self.step(t)
        spec: Spec = {"deconvcheck": 1, "name": f"random_{self.index:04d}", "layers": self.layers}
        if not self.named:
            for layer in self.layers:
                layer.pop("name")
                layer.pop("inputs", None)
        return spec


# --------------------------------------------------------------------------- the calls corpus


def per_axis(value: Any, rank: int) -> list[int]:
    """A window argument on each spatial axis (an int stands for every axis)."""
    return list(value) if isinstance(value, list) else [value] * rank


def pairs(value: Any, rank: int) -> list[list[int]]:
    """ZeroPadding's `padding` or Cropping's `cropping` as (before, after) on each axis."""
    if isinstance(value, int):
        return [[value, value]] * rank
    if rank == 1:
        return [list(value)]
    return [list(v) if isinstance(v, list) else [v, v] for v in value]


def full(tensor: str) -> str:
    """A tensor's name as `layer[call][output]`."""
    return tensor if tensor.endswith("]") else f"{tensor}[0][0]"


class CallsGenerator(Generator):
    """Models whose layers are called more than once: Siamese towers on two or three inputs,
    one layer at two or three scales, chains of a layer called on its own output, a merge
    layer called on two pairs, now and then a call the layer's weights do not fit; spatial
    sizes left open (`None`) in some; several outputs, named `layer[call][output]`, in some.

    Entries are written as a spec writes them: a declaration (`type:`, `name:`, ...) is call
    0 of its layer, `{"call": name, "inputs": ...}` the next call, and a tensor is
    `name[call][0]` (a plain name for call 0). `inputs` is left out when the entry takes the
    tensor of the entry just above it."""

    OPEN_SIZE = 12  # what the generator believes a `None` size is, to pick windows

    def __init__(self, rng: random.Random, index: int) -> None:
        super().__init__(rng, index)
        self.careless = rng.random() < 0.12
        self.previous: str | None = None  # the tensor of the entry above
        self.calls: dict[str, int] = {}  # each layer's calls so far
        self.decls: dict[str, Spec] = {}
        self.features: set[str] = set()
        self.open = False  # spatial sizes are None
        self.left_out: list[Tensor] = []  # branches the last merge did not take
        self.call_inputs: dict[str, list[list[Tensor]]] = {}  # what each call took
        self.unnamed: Counter[str] = Counter()  # Keras's default names given so far

    # -- entries

    def written(self, src: list[Tensor]) -> str | list[str]:
        names = [t.name for t in src]
        if self.chance(0.05):  # call 0 written out in full now and then
            names = [full(n) for n in names]
        return names if len(names) > 1 else names[0]

    def new_name(self, type_: str) -> str:
        """The layer's name; in a model of unnamed layers, the one Keras gives it (its class
        in snake case, then `_1`, `_2`, ... for the next of that class in the session)."""
        if self.named:
            return super().new_name(type_)
        prefix = to_snake_case(type_)
        self.unnamed[prefix] += 1
        return prefix if self.unnamed[prefix] == 1 else f"{prefix}_{self.unnamed[prefix] - 1}"

    def emit(self, type_: str, src: list[Tensor], args: dict[str, Any]) -> str:
        name = self.new_name(type_)
        layer: Spec = {"type": type_, "name": name} if self.named else {"type": type_}
        if len(src) > 1 or src[0].name != self.previous or self.chance(0.1):
            layer["inputs"] = self.written(src)
        layer.update(args)
        self.layers.append(layer)
        self.decls[name] = layer
        self.calls[name] = 1
        self.call_inputs[name] = [src]
        self.previous = name
        return name

    def call(self, name: str, src: list[Tensor]) -> str:
        """Call the declared layer `name` again; the new call's tensor."""
        entry: Spec = {"call": name}
        if len(src) > 1 or src[0].name != self.previous or self.chance(0.1):
            entry["inputs"] = self.written(src)
        self.layers.append(entry)
        self.call_inputs[name].append(src)
        ref = f"{name}[{self.calls[name]}][0]"
        self.calls[name] += 1
        self.previous = ref
        return ref

    def call_on(self, name: str, t: Tensor) -> Tensor:
        """Call `name` again on `t`: what the generator believes the call gives."""
        return self.predict(self.decls[name], t, self.call(name, [t]))

    def predict(self, decl: Spec, t: Tensor, name: str) -> Tensor:
        """What calling the layer `decl` declares on `t` gives, as far as the generator knows."""
        type_, rank, sizes = decl["type"], t.spatial, t.sizes()
        if type_ == "Dense":
            return Tensor(name, [*t.shape[:-1], decl["units"]], t.spatial, t.fmt)
        if type_ == "Flatten":
            return Tensor(name, [math.prod(t.shape)], 0, "channels_last")
        if type_.startswith("Global"):
            if decl.get("keepdims"):
                return t.with_sizes(name, [1] * rank)
            return Tensor(name, [t.channels()], 0, "channels_last")
        if not rank or (not type_.endswith(f"{rank}D") and "Transpose" not in type_):
            return Tensor(name, list(t.shape), t.spatial, t.fmt)
        if type_.endswith("Transpose"):
            ks, ss = per_axis(decl["kernel_size"], rank), per_axis(decl.get("strides", 1), rank)
            op = decl.get("output_padding")
            ops = per_axis(op, rank) if op is not None else [None] * rank
            d, pad = decl.get("dilation_rate", 1), decl.get("padding", "valid")
            out = [deconv_out(*a, d, pad, o) for *a, o in zip(sizes, ks, ss, ops, strict=False)]
            return t.with_sizes(name, out, decl["filters"])
        if "kernel_size" in decl:
            ks, ss = per_axis(decl["kernel_size"], rank), per_axis(decl.get("strides", 1), rank)
            d, pad = decl.get("dilation_rate", 1), decl.get("padding", "valid")
            out = [conv_out(n, k, s, d, pad) for n, k, s in zip(sizes, ks, ss, strict=False)]
            c = decl.get("filters", t.channels() * decl.get("depth_multiplier", 1))
            return t.with_sizes(name, out, c)
        if "pool_size" in decl:
            ps = per_axis(decl["pool_size"], rank)
            ss = per_axis(decl.get("strides", decl["pool_size"]), rank)
            pad = decl.get("padding", "valid")
            out = [conv_out(n, p, s, 1, pad) for n, p, s in zip(sizes, ps, ss, strict=False)]
            return t.with_sizes(name, out)
        if type_.startswith("UpSampling"):
            fs = per_axis(decl.get("size", 2), rank)
            return t.with_sizes(name, [n * f for n, f in zip(sizes, fs, strict=False)])
        if type_.startswith(("ZeroPadding", "Cropping")):
            sign = 1 if type_.startswith("ZeroPadding") else -1
            amounts = pairs(decl.get("padding", decl.get("cropping", 1)), rank)
            out = [n + sign * (a + b) for n, (a, b) in zip(sizes, amounts, strict=False)]
            return t.with_sizes(name, out)
        return Tensor(name, list(t.shape), t.spatial, t.fmt)

    # -- layers

    def step(self, t: Tensor) -> Tensor:
        """A layer of any kind; with sizes left open, only the kinds that keep them open
        (unless careless)."""
        if not (self.open and t.spatial) or self.careless:
            return super().step(t)
        return self.open_step(t)

    def open_step(self, t: Tensor) -> Tensor:
        r, rank = self.rng.random(), t.spatial
        if r < 0.3:
            return self.conv_like(t, f"Conv{rank}D")
        if r < 0.45:
            return self.transposed(t, f"Conv{rank}DTranspose")
        if r < 0.5 and rank < 3:
            return self.conv_like(t, self.rng.choice(["Depthwise", "Separable"]) + f"Conv{rank}D")
        if r < 0.62:
            kind = self.rng.choice(["MaxPooling", "AveragePooling"])
            return self.pooling(t, f"{kind}{rank}D")
        if r < 0.75:
            return self.resample(t, self.rng.choice(["UpSampling", "ZeroPadding", "Cropping"]))
        if r < 0.85:
            return self.normalization(t, "BatchNormalization")
        return self.elementwise(t)

    def elementwise(self, t: Tensor) -> Tensor:
        """As the corpus above, but no SpatialDropout on a vector (unless careless)."""
        if t.spatial or len(t.shape) > 1 or self.careless:
            return super().elementwise(t)
        type_ = self.rng.choice(["Activation", "ReLU", "LeakyReLU", "Dropout"])
        args: dict[str, Any] = {}
        if type_ == "Activation":
            args["activation"] = self.rng.choice(["relu", "tanh", "softmax"])
        elif type_ == "Dropout":
            args["rate"] = self.rng.choice([0.1, 0.5])
        name = self.emit(type_, [t], args)
        return Tensor(name, list(t.shape), t.spatial, t.fmt)

    def shared_step(self, t: Tensor) -> Tensor:
        """A layer that a tower declares on its first branch and calls on the others."""
        r, rank = self.rng.random(), t.spatial
        if not rank:
            if r < 0.55:
                return self.dense(t)
            if r < 0.75:
                return self.elementwise(t)
            kinds = ["BatchNormalization", "LayerNormalization", "GroupNormalization"]
            return self.normalization(t, self.rng.choice(kinds))
        if r < 0.3:
            return self.conv_like(t, f"Conv{rank}D")
        if r < 0.38 and rank < 3:
            return self.conv_like(t, self.rng.choice(["Depthwise", "Separable"]) + f"Conv{rank}D")
        if r < 0.46:
            return self.transposed(t, f"Conv{rank}DTranspose")
        if r < 0.6:
            kind = self.rng.choice(["MaxPooling", "AveragePooling"])
            return self.pooling(t, f"{kind}{rank}D")
        if r < 0.7:
            kinds = ["BatchNormalization"] * 3 + ["LayerNormalization", "GroupNormalization"]
            return self.normalization(t, self.rng.choice(kinds))
        if r < 0.8:
            return self.elementwise(t)
        if r < 0.87:
            return self.resample(t, self.rng.choice(["UpSampling", "ZeroPadding", "Cropping"]))
        if r < 0.93:
            kind = self.rng.choice(["GlobalAveragePooling", "GlobalMaxPooling"])
            return self.global_pool(t, f"{kind}{rank}D")
        if self.open and not self.careless:
            return self.conv_like(t, f"Conv{rank}D")
        return self.flatten(t) if self.chance(0.5) else self.dense(t)

    def same_conv(self, t: Tensor, filters: int) -> Tensor:
        """A convolution that keeps the sizes (`same`, stride 1)."""
        args: dict[str, Any] = {"filters": filters, "kernel_size": self.rng.choice([1, 3])}
        args["padding"] = "same"
        self.fmt_arg(t, args)
        name = self.emit(f"Conv{t.spatial}D", [t], args)
        return t.with_sizes(name, t.sizes(), filters)

    # -- patterns

    def tower(self, branches: list[Tensor], length: int) -> list[Tensor]:
        """`length` layers declared on the first branch and called on every other one: layer
        by layer (each declared then called at once), or the first branch's whole tower first
        and then each other branch's (as a Python function that makes the layers once and is
        applied to each input writes it)."""
        if self.chance(0.5):
            declared = []
            first = branches[0]
            for _ in range(length):
                first = self.shared_step(first)
                declared.append(first.name)
            rest = []
            for t in branches[1:]:
                other = t
                for name in declared:
                    other = self.call_on(name, other)
                rest.append(other)
            return [first, *rest]
        for _ in range(length):
            first = self.shared_step(branches[0])
            branches = [first, *(self.call_on(first.name, t) for t in branches[1:])]
            if self.chance(0.15):  # a layer of one branch only, between shared ones
                k = self.rng.randrange(len(branches))
                branches[k] = self.elementwise(branches[k])
        return branches

    def self_chain(self, t: Tensor) -> Tensor:
        """A layer called again on its own output, once or twice."""
        self.features.add("self_call")
        r, rank = self.rng.random(), t.spatial
        if not rank or (r < 0.3 and (t.fmt == "channels_last" or not rank)):
            units = t.shape[-1] if not self.careless and self.chance(0.85) else self.filters()
            args: dict[str, Any] = {"units": units}
            if self.chance(0.3):
                args["activation"] = "relu"
            first = Tensor(self.emit("Dense", [t], args), [*t.shape[:-1], units], rank, t.fmt)
        elif r < 0.6:
            c = t.channels() if not self.careless and self.chance(0.85) else self.filters()
            if self.chance(0.3):
                first = self.transposed(t, f"Conv{rank}DTranspose")
            else:
                first = self.same_conv(t, c)
        elif r < 0.75:
            kind = self.rng.choice(["MaxPooling", "AveragePooling"])
            first = self.pooling(t, f"{kind}{rank}D")
        elif r < 0.87:
            first = self.resample(t, self.rng.choice(["UpSampling", "ZeroPadding", "Cropping"]))
        else:
            first = (
                self.elementwise(t)
                if self.chance(0.5)
                else self.normalization(t, "BatchNormalization")
            )
        t = first
        for _ in range(1 if self.chance(0.7) else 2):
            t = self.call_on(first.name, t)
        return t

    def misfit_call(self, branches: list[Tensor]) -> list[Tensor]:
        """A layer with weights, then called on a tensor with other channels or features: Keras
        refuses most (the layer's input spec), accepts some (a LayerNormalization)."""
        self.features.add("misfit_call")
        k = self.rng.randrange(len(branches))
        t = branches[k]
        if t.spatial and self.chance(0.7):
            layer = self.same_conv(t, self.filters())
        elif t.spatial and self.chance(0.5):
            layer = self.normalization(
                t, self.rng.choice(["BatchNormalization", "LayerNormalization"])
            )
        else:
            layer = self.dense(t)
        other = Tensor(t.name, list(t.shape), t.spatial, t.fmt)
        other = self.dense(other) if not t.spatial else self.same_conv(other, t.channels() + 1)
        branches[k] = self.call_on(layer.name, other)
        return branches

    def scales(self, t: Tensor) -> list[Tensor]:
        """The tensor and one or two smaller copies of it (a pooling each)."""
        self.features.add("scales")
        out = [t]
        for _ in range(1 if self.chance(0.75) else 2):
            factor = self.rng.choice([2, 2, 3]) if not self.careless else self.rng.randint(2, 4)
            args: dict[str, Any] = {"pool_size": factor}
            if self.chance(0.3):
                args["padding"] = "same"
            kind = self.rng.choice(["MaxPooling", "AveragePooling"])
            self.fmt_arg(t, args)
            small = self.emit(f"{kind}{t.spatial}D", [out[-1]], args)
            pad = args.get("padding", "valid")
            sizes = [conv_out(n, factor, factor, 1, pad) for n in out[-1].sizes()]
            out.append(out[-1].with_sizes(small, sizes))
        return out

    def fork(self, t: Tensor) -> list[Tensor]:
        """What a one-input model's shared layers are called on."""
        r = self.rng.random()
        if t.spatial and r < 0.4 and (self.open or min(t.sizes()) >= 4 or self.careless):
            return self.scales(t)
        if not t.spatial and len(t.shape) == 1 and r < 0.2:  # a vector, and a sequence of it
            self.features.add("ranks")
            shape = [1, t.shape[0]] if self.chance(0.7) else [t.shape[0], 1]
            name = self.emit("Reshape", [t], {"target_shape": shape})
            return [t, Tensor(name, shape, 0, t.fmt)]
        if r < 0.5:
            return [t, t]  # the same tensor twice
        width = 2 if self.chance(0.8) else 3
        out = [t]
        for _ in range(width - 1):
            if t.spatial and self.chance(0.6):
                out.append(self.same_conv(t, t.channels()))
            else:
                out.append(self.elementwise(t))
        return out

    def join(self, branches: list[Tensor]) -> Tensor:
        """The branches merged: as they are, or brought to one size first (an UpSampling of
        the smaller ones, or a global pooling of each, itself shared)."""
        self.left_out = []
        sizes = {tuple(b.sizes()) for b in branches}
        if len(sizes) > 1 and not self.careless and self.chance(0.85):
            if self.chance(0.5) and all(b.spatial for b in branches):
                kind = self.rng.choice(["GlobalAveragePooling", "GlobalMaxPooling"])
                first = self.global_pool(branches[0], f"{kind}{branches[0].spatial}D")
                branches = [first, *(self.call_on(first.name, b) for b in branches[1:])]
            else:
                branches = [self.grow(b, branches[0]) for b in branches]
        if self.chance(0.1) and len(branches) == 2 and branches[0].spatial:
            return self.merge_twice(branches)
        return self.merge(branches)

    def merge(self, branches: list[Tensor]) -> Tensor:
        """A merge of the branches, or of the first two; those left out are kept in
        `left_out`."""
        t = super().merge(branches)
        merged = {full(n) for n in self.decls[t.name]["inputs"]}
        self.left_out = [b for b in branches if full(b.name) not in merged]
        return t

    def grow(self, t: Tensor, to: Tensor) -> Tensor:
        """UpSampling of `t` to the sizes of `to`, when a whole factor does it."""
        if not t.spatial or t.sizes() == to.sizes():
            return t
        factors = [max(1, round(m / n)) for m, n in zip(to.sizes(), t.sizes(), strict=False)]
        args: dict[str, Any] = {"size": factors[0] if len(set(factors)) == 1 else factors}
        self.fmt_arg(t, args)
        name = self.emit(f"UpSampling{t.spatial}D", [t], args)
        return t.with_sizes(name, [n * f for n, f in zip(t.sizes(), factors, strict=False)])

    def merge_twice(self, branches: list[Tensor]) -> Tensor:
        """A merge layer called on two pairs (a shared Add or Concatenate)."""
        self.features.add("shared_merge")
        a, b = branches
        type_ = self.rng.choice(["Add", "Concatenate", "Maximum", "Average"])
        first = self.emit(type_, [a, b], {})
        twin = self.elementwise(b) if self.chance(0.5) else self.same_conv(b, b.channels())
        again = self.call(first, [a, twin])
        c = 2 * a.channels() if type_ == "Concatenate" else a.channels()
        return a.with_sizes(again, a.sizes(), c)

    # -- a whole model

    def input_shape(self, rank: int, fmt: str, sizes: list[int], channels: int) -> list[Any]:
        shown: list[Any] = list(sizes)
        if self.open:
            shown = [None] * rank
            if rank > 1 and self.chance(0.2):
                shown[self.rng.randrange(rank)] = sizes[0]
        return [*shown, channels] if fmt == "channels_last" else [channels, *shown]

    def inputs(self) -> list[Tensor]:
        rng = self.rng
        rank = rng.choice([0, 0, 1, 1, 2, 2, 2, 2, 3])
        fmt = "channels_first" if rank > 1 and self.chance(0.15) else "channels_last"
        self.open = rank > 0 and self.chance(0.3)
        if self.open:
            self.features.add("open_sizes")
        sizes = [rng.choice([4, 6, 8, 9, 12, 16, 17, 24, 32]) for _ in range(rank)]
        if rank > 1 and self.chance(0.7):
            sizes = [sizes[0]] * rank
        if rank == 3:
            sizes = [min(n, 12) for n in sizes]
        if self.open:
            sizes = [self.OPEN_SIZE] * rank
        channels = rng.choice([1, 2, 3, 4, 8]) if rank else rng.choice([4, 8, 12, 16])
        count = 1 if self.chance(0.5) else (2 if self.chance(0.7) else 3)
        tensors = []
        for i in range(count):
            own_sizes, own_channels = sizes, channels
            if i and not rank and self.chance(0.35):  # a sequence of the same features
                self.features.add("ranks")
                shape = [rng.randint(1, 5), channels]
                self.layers.append({"type": "Input", "name": f"input_{i + 1}", "shape": shape})
                self.previous = f"input_{i + 1}"
                tensors.append(Tensor(self.previous, shape, 0, fmt))
                continue
            if i and self.chance(0.2):
                if rank and not self.open and self.chance(0.6):
                    own_sizes = [max(1, n // 2) for n in sizes]  # a smaller image
                else:
                    own_channels = channels + rng.choice([1, 2, 4])  # a misfit
            name = "input" if i == 0 else f"input_{i + 1}"
            shape = self.input_shape(rank, fmt, own_sizes, own_channels)
            if not rank:
                shape = [own_channels]
            self.layers.append({"type": "Input", "name": name, "shape": shape})
            self.previous = name
            whole = (
                [*own_sizes, own_channels] if fmt == "channels_last" else [own_channels, *own_sizes]
            )
            tensors.append(Tensor(name, whole if rank else [own_channels], rank, fmt))
        if count > 1:
            self.features.add("several_inputs")
        return tensors

    def dangling_call(self) -> None:
        """A layer called once more on what one of its calls took, its output left unused:
        Keras leaves the call out of the model, but prints a row's shape from its last call."""
        callable_ = [n for n, calls in self.call_inputs.items() if len(calls[0]) == 1]
        if callable_:
            name = self.rng.choice(callable_)
            self.call(name, self.rng.choice(self.call_inputs[name]))
            self.features.add("dangling_call")

    def model(self) -> Spec:
        rng = self.rng
        self.named = not self.chance(0.15)
        if not self.named:
            self.features.add("unnamed")
        branches = self.inputs()
        inputs = len(branches)
        if inputs == 1:
            t = branches[0]
            for _ in range(rng.choice([0, 0, 1, 2])):
                t = self.step(t)
            branches = self.fork(t)
        branches = self.tower(branches, rng.randint(1, 4))
        if self.chance(0.1 if not self.careless else 0.4):
            branches = self.misfit_call(branches)
        ends = list(branches)
        several = self.chance(0.3)
        if not several or self.chance(0.4):
            t = self.join(branches) if len(branches) > 1 else branches[0]
            if self.chance(0.35):
                t = self.self_chain(t)
            for _ in range(rng.choice([0, 0, 1, 2])):
                t = self.step(t)
            ends = [t, *(b for b in branches if several and self.chance(0.4))]
            if inputs > 1:  # Keras lists an Input no output depends on; deconvcheck cannot
                ends += self.left_out
        elif self.chance(0.3):
            k = rng.randrange(len(ends))
            ends[k] = self.self_chain(ends[k])
        if self.chance(0.12):
            self.dangling_call()
        outputs = list(dict.fromkeys(e.name for e in ends))
        spec: Spec = {"deconvcheck": 1, "name": f"random_calls_{self.index:04d}"}
        spec["layers"] = self.layers
        if len(outputs) > 1 or outputs[0] != self.previous:
            spec["outputs"] = outputs
            self.features.add("several_outputs" if len(outputs) > 1 else "output_named")
        if any("call" in entry for entry in self.layers):
            self.features.add("shared")
        return spec


# --------------------------------------------------------------------------- building in Keras


def weight_count(weights: list[Any]) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def build(spec: Spec) -> dict[str, Any]:
    """Build the spec's model with Keras's functional API; its rows, or what Keras raised."""
    keras.backend.clear_session()
    tensors: dict[str, Any] = {}
    last: Any = None
    first: Any = None
    for decl in spec["layers"]:
        args = copy.deepcopy({k: v for k, v in decl.items() if k not in ("type", "inputs")})
        name = args.pop("name", None)
        try:
            if decl["type"] == "Input":
                out = keras.Input(shape=tuple(args.pop("shape")), name=name, **args)
                first = out
            else:
                layer = getattr(keras.layers, decl["type"])(**args, name=name)
                name = layer.name
                wanted = decl.get("inputs")
                if wanted is None:
                    src: Any = last
                elif isinstance(wanted, list):
                    src = [tensors[n] for n in wanted]
                else:
                    src = tensors[wanted]
                out = layer(src)
        except Exception as exc:  # the refusal is the record
            return refusal(exc, name)
        if name is not None:
            tensors[name] = out
        last = out
    try:
        model = keras.Model(first, last, name=spec["name"])
    except Exception as exc:
        return refusal(exc, None)
    rows = [
        [
            layer.name,
            layer.__class__.__name__,
            list(layer.output.shape),
            weight_count(layer.trainable_weights),
            weight_count(layer.non_trainable_weights),
        ]
        for layer in model.layers
    ]
    for row in rows:
        if any(d is not None and d < 0 for d in row[2]):
            message = f"Keras returned output shape {tuple(row[2])} without raising"
            return {
                "builds": False,
                "error": {"type": "NonPositiveShape", "message": message, "layer": row[0]},
            }
    return {"builds": True, "rows": rows, "keras_json": model.to_json()}


def refusal(exc: Exception, layer: str | None) -> dict[str, Any]:
    message = ANSI.sub("", str(exc)).strip()
    if len(message) > 400:
        message = message[:400] + "..."
    return {
        "builds": False,
        "error": {"type": type(exc).__name__, "message": message, "layer": layer},
    }


REF = re.compile(r"(.+)\[(\d+)\]\[(\d+)\]")


def keras_tensor(made: dict[str, Any], text: str) -> Any:
    """The tensor a spec names: `name` is call 0's first output, `name[c][t]` output t of call
    c (a fresh model's layers are used only in it, so Keras's node c is the spec's call c)."""
    match = REF.fullmatch(text)
    name, node, index = (match[1], int(match[2]), int(match[3])) if match else (text, 0, 0)
    return made[name]._inbound_nodes[node].output_tensors[index]


def called(entry: Spec, made: dict[str, Any], last: Any) -> Any:
    """What an entry is called on: its `inputs`, or the tensor of the entry above it."""
    wanted = entry.get("inputs")
    if wanted is None:
        return last
    if isinstance(wanted, list):
        return [keras_tensor(made, n) for n in wanted]
    return keras_tensor(made, wanted)


def negative(tensor: Any) -> bool:
    return any(d is not None and d < 0 for d in tensor.shape)


def build_calls(spec: Spec) -> dict[str, Any]:
    """Build a calls-corpus spec in Keras entry by entry (a `call:` entry calls the layer
    object made for its declaration): its rows with every call, or the refusal and the layer
    that raised it (None when an unnamed layer's constructor raised)."""
    keras.backend.clear_session()
    made: dict[str, Any] = {}
    inputs: list[Any] = []
    last: Any = None
    for index, entry in enumerate(spec["layers"]):
        name = entry.get("call", entry.get("name"))
        if entry.get("type") == "Input":
            last = keras.Input(shape=tuple(entry["shape"]), name=name)
            made[name] = last._keras_history.operation
            inputs.append(last)
            continue
        src = called(entry, made, last)
        try:
            if "call" in entry:
                layer = made[name]
            else:
                args = {k: v for k, v in entry.items() if k not in ("type", "inputs")}
                layer = getattr(keras.layers, entry["type"])(**copy.deepcopy(args))
                made[layer.name] = layer
            name = layer.name
            last = layer(src)
        except Exception as exc:  # the refusal is the record
            return at_entry(refusal(exc, name), index)
        if negative(last):
            message = f"Keras returned output shape {tuple(last.shape)} without raising"
            error = {"type": "NonPositiveShape", "message": message, "layer": name}
            return at_entry({"builds": False, "error": error}, index)
    outputs = [keras_tensor(made, n) for n in spec.get("outputs", [])] or [last]
    try:
        model = keras.Model(
            inputs if len(inputs) > 1 else inputs[0],
            outputs if len(outputs) > 1 else outputs[0],
            name=spec["name"],
        )
    except Exception as exc:
        return at_entry(refusal(exc, None), None)
    record = {"builds": True, **described(model)}
    taken = {ref[0] for row in record["rows"] for call in row["calls"] for ref in call["inputs"]}
    if any(t._keras_history.operation.name not in taken for t in inputs):
        raise SystemExit(f"{spec['name']}: an Input leads to no output")  # see the docstring
    reloaded = described(keras.models.model_from_json(model.to_json()))
    if reloaded != {k: record[k] for k in reloaded}:
        record["reloaded"] = reloaded  # what Keras reads back from its own file differs
    record["keras_json"] = model.to_json()
    return record


def at_entry(record: dict[str, Any], index: int | None) -> dict[str, Any]:
    """A refusal with the spec entry that raised (its index in `layers`; a `call:` entry for a
    later call), or None when `keras.Model` did."""
    record["error"]["entry"] = index
    return record


def tensor_ref(tensor: Any) -> list[Any]:
    history = tensor._keras_history
    return [history.operation.name, history.node_index, history.tensor_index]


def described(model: keras.Model) -> dict[str, Any]:
    """`rows` and `totals` of a built model, as Keras's summary has them. A row's calls are the
    layer's inbound nodes in this model's graph (what Connected to lists); its output shape is
    its last node's, wherever that node is (summary_utils.format_layer_shape). Connected to is
    None in a model whose summary has no such column (Keras finds it sequential-like)."""
    in_model = {id(node) for nodes in model._nodes_by_depth.values() for node in nodes}
    rows = []
    for layer in model.layers:
        calls = [
            {
                "node": index,
                "inputs": [tensor_ref(t) for t in node.input_tensors],
                "output_shapes": [list(t.shape) for t in node.output_tensors],
            }
            for index, node in enumerate(layer._inbound_nodes)
            if id(node) in in_model
        ]
        refs = [ref for call in calls for ref in call["inputs"]]
        last_node = layer._inbound_nodes[-1]
        (shape,) = [list(t.shape) for t in last_node.output_tensors]  # one output each
        rows.append(
            {
                "name": layer.name,
                "class": type(layer).__name__,
                "output_shape": shape,
                "trainable": weight_count(layer.trainable_weights),
                "non_trainable": weight_count(layer.non_trainable_weights),
                "connected_to": ", ".join(f"{n}[{i}][{t}]" for n, i, t in refs) or "-",
                "calls": calls,
            }
        )
    trainable = weight_count(model.trainable_weights)
    frozen = weight_count(model.non_trainable_weights)
    connected = connected_to_printed(model)
    for row in rows:  # the column is summary_utils's own: checked against what it prints
        if connected is None:  # a model Keras finds sequential-like: no such column
            row["connected_to"] = None
        elif connected.get(row["name"]) != row["connected_to"]:
            raise SystemExit(
                f"{model.name}: {row['name']}: Connected to {row['connected_to']!r}, "
                f"Keras prints {connected.get(row['name'])!r}"
            )
    return {
        "rows": rows,
        "totals": {"total": trainable + frozen, "trainable": trainable, "non_trainable": frozen},
    }


def connected_to_printed(model: keras.Model) -> dict[str, str] | None:
    """Each row's Connected to as Keras's summary prints it, on a line wide enough that no cell
    wraps: `{layer name: text}`; None when the summary has no such column."""
    lines: list[str] = []
    os.environ["COLUMNS"] = "2000"  # rich's console, else 80 columns
    try:
        model.summary(line_length=2000, print_fn=lambda text, line_break=True: lines.append(text))
    finally:
        del os.environ["COLUMNS"]
    if "Connected to" not in lines[0]:
        return None
    cells = {}
    for line in ANSI.sub("", "".join(lines)).splitlines():
        parts = [p.strip() for p in line.split("│")]
        if len(parts) == 6 and parts[1].endswith(")") and " (" in parts[1]:
            cells[parts[1].rsplit(" (", 1)[0]] = parts[4]
    return cells


def record_plain() -> None:
    started = time.monotonic()
    keras.utils.set_random_seed(SEED)
    rng = random.Random(SEED)
    models: list[dict[str, Any]] = []
    files: dict[str, str] = {}
    for index in range(COUNT):
        spec = Generator(rng, index).model()
        record = build(spec)
        if "keras_json" in record:  # Keras's own file of the model, kept beside the rows
            files[f"r{index:04d}"] = record.pop("keras_json")
        models.append({"id": f"r{index:04d}", "spec": spec, **record})
        if index % 200 == 199:
            built = sum(m["builds"] for m in models)
            print(f"{index + 1} models, {built} built", file=sys.stderr)
    write(OUT, FILES, SEED, models, files)
    built = sum(m["builds"] for m in models)
    rows = sum(len(m.get("rows", [])) for m in models)
    print(
        f"Keras {keras.__version__} ({keras.backend.backend()}): {len(models)} models, "
        f"{built} built, {len(models) - built} refused, {rows} rows; "
        f"{OUT.stat().st_size:,} bytes; {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )


def write(
    out: Path, files_out: Path, seed: int, models: list[dict[str, Any]], files: dict[str, str]
) -> None:
    """The corpus and Keras's files of its built models, each as gzip with mtime 0."""
    document = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "seed": seed,
        "models": models,
    }
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    out.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    files_text = json.dumps(
        {"keras_version": keras.__version__, "files": files}, separators=(",", ":")
    )
    files_out.write_bytes(gzip.compress(files_text.encode(), compresslevel=9, mtime=0))


def record_calls() -> None:
    """The calls corpus: its own seed and generator, so the corpus above stays as it is."""
    started = time.monotonic()
    keras.utils.set_random_seed(CALLS_SEED)
    rng = random.Random(CALLS_SEED)
    models: list[dict[str, Any]] = []
    files: dict[str, str] = {}
    for index in range(CALLS_COUNT):
        generator = CallsGenerator(rng, index)
        spec = generator.model()
        record = build_calls(spec)
        model_id = f"c{index:04d}"
        if "keras_json" in record:
            files[model_id] = record.pop("keras_json")
        entry = {"id": model_id, "features": sorted(generator.features), "spec": spec}
        models.append({**entry, **record})
        if index % 100 == 99:
            built = sum(m["builds"] for m in models)
            print(f"{index + 1} models with calls, {built} built", file=sys.stderr)
    write(CALLS_OUT, CALLS_FILES, CALLS_SEED, models, files)
    built = sum(m["builds"] for m in models)
    rows = sum(len(m.get("rows", [])) for m in models)
    print(
        f"Keras {keras.__version__} ({keras.backend.backend()}): {len(models)} models with "
        f"calls, {built} built, {len(models) - built} refused, {rows} rows; "
        f"{CALLS_OUT.stat().st_size:,} bytes; {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )
    for feature in sorted({f for m in models for f in m["features"]}):
        having = [m for m in models if feature in m["features"]]
        built = sum(m["builds"] for m in having)
        print(f"  {feature}: {len(having)} models, {built} built", file=sys.stderr)


def main() -> None:
    detached_from_terminal()
    which = sys.argv[1:] or ["plain", "calls"]
    if not set(which) <= {"plain", "calls"}:
        raise SystemExit("usage: record_keras_random_models.py [plain] [calls]")
    if "plain" in which:
        record_plain()
    if "calls" in which:
        record_calls()


if __name__ == "__main__":
    main()
