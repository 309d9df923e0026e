"""Record a differential corpus of random functional Keras 3 models, refusals included, for
tests/test_random_models.py (which compares deconvcheck with them layer by layer, without Keras).

    KERAS_BACKEND=torch /tmp/kerasenv/bin/python tools/record_keras_random_models.py

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
"""

from __future__ import annotations

import copy
import gzip
import json
import math
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

from recording import detached_from_terminal, reproducible_process

if __name__ == "__main__":
    reproducible_process()  # before Keras is imported

import keras

GOLDENS = Path(__file__).resolve().parent.parent / "tests" / "goldens"
OUT = GOLDENS / "keras_random_models.json.gz"
FILES = GOLDENS / "keras_random_models_files.json.gz"  # Keras's model.to_json() of each built one
SEED = 20261123
COUNT = 2000
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


def main() -> None:
    detached_from_terminal()
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
    document = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "seed": SEED,
        "models": models,
    }
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    OUT.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    files_text = json.dumps(
        {"keras_version": keras.__version__, "files": files}, separators=(",", ":")
    )
    FILES.write_bytes(gzip.compress(files_text.encode(), compresslevel=9, mtime=0))
    built = sum(m["builds"] for m in models)
    rows = sum(len(m.get("rows", [])) for m in models)
    print(
        f"Keras {keras.__version__} ({keras.backend.backend()}): {len(models)} models, "
        f"{built} built, {len(models) - built} refused, {rows} rows; "
        f"{OUT.stat().st_size:,} bytes; {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
