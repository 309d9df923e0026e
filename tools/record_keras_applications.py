"""Record real Keras 3 models at scale: the keras.applications family and keras.io-style models,
for tests/test_applications.py (which compares deconvcheck with them layer by layer, without Keras).

    python3 -m venv /tmp/kerasenv && /tmp/kerasenv/bin/pip install torch==2.13.0 keras
    KERAS_BACKEND=torch /tmp/kerasenv/bin/python tools/record_keras_applications.py

No weights are downloaded (`weights=None` throughout). The run is deterministic (fixed string hash
seed, fixed random seed, `keras.backend.clear_session()` before every model) and writes

- tests/fixtures/applications/<id>.json.gz: gzip (mtime 0: reruns are byte-identical) of
  `model.to_json()`.
- tests/goldens/keras_applications.json.gz: `{"keras_version", "backend", "models": [...]}`, one
  entry per file: `id`, `source` (the keras.applications function or the keras.io example), `args`,
  `file`, `builds`, and for a model Keras builds its `name`, `layers` (the rows of its summary:
  `model.layers` order, with the operations that are not layers, such as `x + 3.0`, in place and
  marked `"operation": true`; name, class, output shape with a null batch axis as in
  keras_models.json, trainable, non_trainable), `total`, `trainable`, `non_trainable` and
  `summary` (Keras's own `model.summary()` text, 80 columns: `COLUMNS` unset and no terminal
  attached, as tools/record_keras_goldens.py does).
- Refusals (`builds: false`): the same function at an input size Keras refuses. `error` is what the
  call raised (keras.applications checks its own minimum size first); `graph_error` is what Keras
  raised when the same architecture was built on a `keras.Input` of that size (`input_tensor=`,
  which skips that check), with `layer`, the layer whose call raised; `from_json` is what Keras's
  own JSON loader did with the file (null: it loaded it; unlike the U-Nets of
  tools/record_keras_models.py, a size reaching zero is refused again when the loader rebuilds the
  layers). The file is a valid build's `to_json()` with the InputLayer's `batch_shape` edited to
  the refused size, as tools/record_keras_models.py does for its U-Nets.
- Open input sizes (`<function>_notop_open`, appended after the others): every function above
  built with `include_top=False, weights=None, input_shape=None`, as fully convolutional
  backbones are, so its input is (None, None, 3); recorded as the others (rows and summary with
  None), and with Keras's verdict by size: `keras_sizes`, the model called on
  `keras.Input((n, n, 3))` for every n from 1 to 256 (the output shape, or the refusal with
  `layer`, the row of the summary whose output Keras could not compute, and `refused`, every row
  that cannot compute its output from inputs that Keras could: parallel branches often fail at
  the same size, and which is named first depends on the order of the walk), and `keras_runs`, the
  model run on `np.zeros((1, n, n, 3))` at 1, 97, 224 and around the smallest size it takes (the
  output's shape, or what the run raised and the row whose call raised it).

Recorded on the torch backend, where keras.applications refuses some things itself (recorded in
NOT_RECORDED below and printed at the end): NASNetMobile ("not available with the torch backend",
at any size: it has no open-size model either), and channels_first for DenseNet and ConvNeXt. The
keras.io U-Net has no refused input size (all its padding is "same", and each residual is added
at a size computed the same way on both branches: every size tried, 1 to 200, builds), so it has
no refused variant.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from recording import detached_from_terminal, reproducible_process

if __name__ == "__main__":
    reproducible_process()  # before Keras is imported

import keras
import numpy as np
from keras import layers, ops

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "applications"
GOLDENS = ROOT / "tests" / "goldens" / "keras_applications.json.gz"  # 3 MB of summaries, gzipped
SEED = 20261122
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Keras bolds parts of some messages

Build = Callable[[], keras.Model]


# --------------------------------------------------------------------------- keras.applications


@contextmanager
def image_data_format(fmt: str) -> Iterator[None]:
    before = keras.config.image_data_format()
    keras.config.set_image_data_format(fmt)
    try:
        yield
    finally:
        keras.config.set_image_data_format(before)


def application(
    fn: str,
    size: int | tuple[int, int] | None = None,
    pooling: str | None = None,
    fmt: str = "channels_last",
) -> tuple[str, dict[str, Any], Build]:
    """keras.applications.<fn>(weights=None): at its default size with the top, or at `size`
    without it (with `pooling`), in the image data format `fmt`."""
    args: dict[str, Any] = {"weights": None}
    if size is not None:
        h, w = (size, size) if isinstance(size, int) else size
        shape = (3, h, w) if fmt == "channels_first" else (h, w, 3)
        args.update(include_top=False, input_shape=list(shape), pooling=pooling)
    elif fmt == "channels_first":
        args["input_shape"] = [3, 224, 224]

    def build() -> keras.Model:
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in args.items()}
        with image_data_format(fmt):
            return getattr(keras.applications, fn)(**kwargs)

    shown = dict(args, image_data_format=fmt) if fmt != "channels_last" else args
    return f"keras.applications.{fn}", shown, build


def app_id(fn: str, size: int | tuple[int, int] | None, pooling: str | None, fmt: str) -> str:
    parts = [fn.lower()]
    if fmt == "channels_first":
        parts.append("cf")
    if size is not None:
        parts.append("notop")
        parts.append(str(size) if isinstance(size, int) else f"{size[0]}x{size[1]}")
        if pooling:
            parts.append(pooling)
    return "_".join(parts)


# (function, size without the top or None for the default size with it, pooling, data format)
APPLICATIONS: list[tuple[str, int | tuple[int, int] | None, str | None, str]] = [
    ("VGG16", None, None, "channels_last"),
    ("VGG16", 96, None, "channels_last"),
    ("VGG16", 128, None, "channels_first"),
    ("VGG19", None, None, "channels_last"),
    ("VGG19", 128, "avg", "channels_last"),
    ("ResNet50", None, None, "channels_last"),
    ("ResNet50", 160, "avg", "channels_last"),
    ("ResNet50", (160, 224), None, "channels_last"),
    ("ResNet50", 160, "avg", "channels_first"),
    ("ResNet50V2", None, None, "channels_last"),
    ("ResNet50V2", 200, None, "channels_last"),
    ("InceptionV3", None, None, "channels_last"),
    ("InceptionV3", 150, "avg", "channels_last"),
    ("DenseNet121", None, None, "channels_last"),
    ("DenseNet121", 96, None, "channels_last"),
    ("Xception", None, None, "channels_last"),
    ("Xception", 100, "avg", "channels_last"),
    ("MobileNet", None, None, "channels_last"),
    ("MobileNet", 128, None, "channels_last"),
    ("MobileNetV2", None, None, "channels_last"),
    ("MobileNetV2", 96, "avg", "channels_last"),
    ("MobileNetV2", 96, "avg", "channels_first"),
    ("MobileNetV3Small", None, None, "channels_last"),
    ("MobileNetV3Small", 160, None, "channels_last"),
    ("MobileNetV3Large", None, None, "channels_last"),
    ("MobileNetV3Large", 200, "avg", "channels_last"),
    ("EfficientNetB0", None, None, "channels_last"),
    ("EfficientNetB0", 200, None, "channels_last"),
    ("EfficientNetV2B0", None, None, "channels_last"),
    ("EfficientNetV2B0", 128, "avg", "channels_last"),
    ("ConvNeXtTiny", None, None, "channels_last"),
    ("ConvNeXtTiny", 160, "avg", "channels_last"),
]

# What keras.applications itself refuses on this backend (tried and printed by main, not recorded).
NOT_RECORDED: list[tuple[str, int | None, str]] = [
    ("NASNetMobile", None, "channels_last"),
    ("DenseNet121", 128, "channels_first"),
    ("ConvNeXtTiny", 128, "channels_first"),
]

# Refused sizes: (function, valid recorded build to edit, refused size). Each is below the
# function's minimum size, and the graph itself fails there too (a size reaching zero); the
# refused call keeps the edited build's other arguments.
REFUSED: list[tuple[str, str, int]] = [
    ("VGG16", "vgg16_notop_96", 31),
    ("InceptionV3", "inceptionv3_notop_150_avg", 74),
    ("DenseNet121", "densenet121_notop_96", 28),
    ("MobileNet", "mobilenet_notop_128", 30),
    ("VGG19", "vgg19", 16),  # with the top: Flatten and Dense after the failing pooling
]
# Not ConvNeXt: its stem and downsampling blocks are nested Sequentials whose own InputLayers keep
# the recorded sizes, so an edited outer batch_shape alone makes an inconsistent file (Keras's
# loader then refuses it for that: "expected shape=(None, 160, 160, 3), found (None, 31, 31, 3)").

# Open input sizes: each function above again, built as fully convolutional backbones are
# (`include_top=False, weights=None, input_shape=None`: an Input of shape (None, None, 3)).
# Appended after the models above, whose recordings do not change.
OPEN_SIZE: list[str] = list(dict.fromkeys(fn for fn, *_ in APPLICATIONS))
OPEN_NOT_RECORDED = ["NASNetMobile"]  # refused on torch at any size (tried and printed by main)
# Square sizes at which Keras's verdict is recorded for each open-size model: the model called on
# keras.Input((n, n, 3)) at every one (what deconvcheck's `sizes --range 1:256` scans), and run on
# np.zeros((1, n, n, 3)) at a handful around the smallest size it takes.
OPEN_SIZES = range(1, 257)
OPEN_RUNS = (1, 97, 224)  # and the smallest size the graph takes, one less and one more


# --------------------------------------------------------------------------- keras.io models


def oxford_pets_unet(img_size: tuple[int, int] = (160, 160), num_classes: int = 3) -> keras.Model:
    """keras.io/examples/vision/oxford_pets_image_segmentation: `get_model`, as written."""
    inputs = keras.Input(shape=(*img_size, 3))

    # [First half of the network: downsampling inputs]
    x = layers.Conv2D(32, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x  # Set aside residual

    # Blocks 1, 2, 3 are identical apart from the feature depth.
    for filters in [64, 128, 256]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    # [Second half of the network: upsampling inputs]
    for filters in [256, 128, 64, 32]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.UpSampling2D(2)(x)
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    # Add a per-pixel classification layer
    outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)
    return keras.Model(inputs, outputs)


def mnist_convnet() -> keras.Model:
    """keras.io/examples/vision/mnist_convnet."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )


def dcgan_discriminator() -> keras.Model:
    """keras.io/examples/generative/dcgan_overriding_train_step."""
    return keras.Sequential(
        [
            keras.Input(shape=(64, 64, 3)),
            layers.Conv2D(64, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )


def dcgan_generator(latent_dim: int = 128) -> keras.Model:
    """keras.io/examples/generative/dcgan_overriding_train_step."""
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(8 * 8 * 128),
            layers.Reshape((8, 8, 128)),
            layers.Conv2DTranspose(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(256, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(512, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )


def denoising_autoencoder() -> keras.Model:
    """keras.io/examples/vision/autoencoder: the convolutional denoising autoencoder."""
    input = layers.Input(shape=(28, 28, 1))
    # Encoder
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    # Decoder
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    return keras.Model(input, x)


@keras.saving.register_keras_serializable(package="keras_io")
class DepthToSpace(layers.Layer):
    """keras.io/examples/vision/super_resolution_sub_pixel's layer, made serializable."""

    def __init__(self, block_size: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block_size = block_size

    def call(self, input: Any) -> Any:
        batch, height, width, depth = ops.shape(input)
        depth = depth // (self.block_size**2)
        x = ops.reshape(input, [batch, height, width, self.block_size, self.block_size, depth])
        x = ops.transpose(x, [0, 1, 3, 2, 4, 5])
        return ops.reshape(x, [batch, height * self.block_size, width * self.block_size, depth])

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:
        batch, height, width, depth = input_shape
        b = self.block_size
        return (
            batch,
            None if height is None else height * b,
            None if width is None else width * b,
            depth // (b * b),
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "block_size": self.block_size}


def super_resolution(upscale_factor: int = 3, channels: int = 1) -> keras.Model:
    """keras.io/examples/vision/super_resolution_sub_pixel: `get_model`."""
    conv_args = {"activation": "relu", "kernel_initializer": "orthogonal", "padding": "same"}
    inputs = keras.Input(shape=(None, None, channels))
    x = layers.Conv2D(64, 5, **conv_args)(inputs)
    x = layers.Conv2D(64, 3, **conv_args)(x)
    x = layers.Conv2D(32, 3, **conv_args)(x)
    x = layers.Conv2D(channels * (upscale_factor**2), 3, **conv_args)(x)
    outputs = DepthToSpace(upscale_factor)(x)
    return keras.Model(inputs, outputs)


def transfer_mobilenetv2() -> keras.Model:
    """keras.io/guides/transfer_learning's model, on a frozen MobileNetV2 (weights=None): a
    Sequential (augmentation) and a Functional model nested in a Functional one."""
    data_augmentation = keras.Sequential(
        [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)], name="data_augmentation"
    )
    base_model = keras.applications.MobileNetV2(
        weights=None, input_shape=(160, 160, 3), include_top=False
    )
    base_model.trainable = False
    inputs = keras.Input(shape=(160, 160, 3))
    x = data_augmentation(inputs)
    x = layers.Rescaling(scale=1 / 127.5, offset=-1)(x)
    x = base_model(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


def nested_sequential() -> keras.Model:
    """A Sequential feature extractor (known layer types only) nested in a Functional model."""
    features = keras.Sequential(
        [
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.GlobalAveragePooling2D(),
        ],
        name="features",
    )
    inputs = keras.Input(shape=(64, 64, 3), name="image")
    x = features(inputs)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(5, activation="softmax", name="label")(x)
    return keras.Model(inputs, outputs, name="classifier")


KERAS_IO: dict[str, tuple[str, Build]] = {
    "keras_io_unet_oxford_pets": (
        "keras.io: Image segmentation with a U-Net-like architecture",
        oxford_pets_unet,
    ),
    "keras_io_mnist_convnet": ("keras.io: Simple MNIST convnet", mnist_convnet),
    "keras_io_dcgan_generator": ("keras.io: DCGAN to generate face images", dcgan_generator),
    "keras_io_dcgan_discriminator": (
        "keras.io: DCGAN to generate face images",
        dcgan_discriminator,
    ),
    "keras_io_denoising_autoencoder": (
        "keras.io: Convolutional autoencoder for image denoising",
        denoising_autoencoder,
    ),
    "keras_io_super_resolution": (
        "keras.io: Image Super-Resolution using an Efficient Sub-Pixel CNN (DepthToSpace layer)",
        super_resolution,
    ),
    "keras_io_transfer_mobilenetv2": (
        "keras.io: Transfer learning & fine-tuning (nested MobileNetV2 and Sequential)",
        transfer_mobilenetv2,
    ),
    "nested_sequential": ("written here: a Sequential nested in a Functional", nested_sequential),
}


# --------------------------------------------------------------------------- recording


def weight_count(weights: list[Any]) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def shape_of(layer: Any) -> Any:
    """The output shape Keras's summary shows: the layer's last inbound node's output tensors."""
    outputs = keras.tree.flatten(layer._inbound_nodes[-1].output_tensors)
    shapes = [list(t.shape) for t in outputs]
    return shapes[0] if len(shapes) == 1 else shapes


def summary_rows(model: keras.Model) -> list[Any]:
    """What the summary lists, in its order: `model.layers` for a Sequential; for a Functional
    model `model._operations`, which is `model.layers` with, in place, the operations that are not
    layers (`x + 3.0` in MobileNetV3's hard sigmoid, ConvNeXt's residual `inputs + x`)."""
    return list(model.layers if isinstance(model, keras.Sequential) else model._operations)


def summary_text(model: keras.Model) -> str:
    chunks: list[str] = []

    def sink(text: str, line_break: bool = True) -> None:
        chunks.append(text)

    model.summary(print_fn=sink)
    return "".join(chunks)


def write_fixture(model_id: str, text: str) -> str:
    path = FIXTURES / f"{model_id}.json.gz"
    path.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    return str(path.relative_to(ROOT))


def record(model_id: str, source: str, args: dict[str, Any], build: Build) -> dict[str, Any]:
    keras.backend.clear_session()  # default names as in a fresh process
    model = build()
    rows = []
    for layer in summary_rows(model):
        row = {
            "name": layer.name,
            "class": type(layer).__name__,
            "output_shape": shape_of(layer),
            "trainable": weight_count(getattr(layer, "trainable_weights", [])),
            "non_trainable": weight_count(getattr(layer, "non_trainable_weights", [])),
        }
        if not isinstance(layer, keras.layers.Layer):
            row["operation"] = True  # in the summary, not in model.layers
        rows.append(row)
    trainable = weight_count(model.trainable_weights)
    non_trainable = weight_count(model.non_trainable_weights)
    return {
        "id": model_id,
        "source": source,
        "args": args,
        "file": write_fixture(model_id, model.to_json()),
        "builds": True,
        "name": model.name,
        "layers": rows,
        "total": trainable + non_trainable,
        "trainable": trainable,
        "non_trainable": non_trainable,
        "summary": summary_text(model),
    }


def refusal(exc: BaseException, layer: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"type": type(exc).__name__, "message": ANSI.sub("", str(exc))[:600]}
    if layer is not None:
        result["layer"] = layer
    return result


def attempt(build: Callable[[], Any]) -> dict[str, Any] | None:
    """Run `build` after a fresh session; None if it succeeds, else the refusal and the innermost
    layer whose call raised."""
    keras.backend.clear_session()
    raised: list[str] = []
    original = keras.layers.Layer.__call__

    def traced(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        except Exception:
            raised.append(self.name)  # innermost first
            raise

    keras.layers.Layer.__call__ = traced
    try:
        build()
    except Exception as exc:  # the refusal is the record
        return refusal(exc, raised[0] if raised else None)
    finally:
        keras.layers.Layer.__call__ = original
    return None


def record_refused(
    fn: str, source_entry: dict[str, Any], size: int, source_text: str
) -> dict[str, Any]:
    shape = [size, size, 3]  # channels_last sources only
    args = dict(source_entry["args"], input_shape=shape)
    kwargs = {k: v for k, v in args.items() if k != "input_shape"}

    function = getattr(keras.applications, fn)

    def by_function() -> keras.Model:
        return function(input_shape=tuple(shape), **kwargs)

    def on_input() -> keras.Model:  # the same graph, without the function's own size check
        return function(input_tensor=keras.Input(tuple(shape)), **kwargs)

    document = json.loads(source_text)
    first = document["config"]["layers"][0]
    assert first["class_name"] == "InputLayer", first
    first["config"]["batch_shape"] = [None, *shape]
    text = json.dumps(document)
    notop = "_notop" if args.get("include_top") is False else ""
    model_id = f"{fn.lower()}{notop}_{size}_refused"
    error = attempt(by_function)
    graph_error = attempt(on_input)
    assert error is not None and graph_error is not None, (model_id, "Keras built it")
    return {
        "id": model_id,
        "source": f"keras.applications.{fn}",
        "args": args,
        "file": write_fixture(model_id, text),
        "builds": False,
        "edited_from": source_entry["id"],
        "error": {k: v for k, v in error.items() if k != "layer"},
        "graph_error": graph_error,
        "from_json": attempt(lambda: keras.models.model_from_json(text)),
    }


# --------------------------------------------------------------------------- open input sizes


def open_application(fn: str) -> tuple[str, dict[str, Any], Build]:
    """keras.applications.<fn>(include_top=False, weights=None, input_shape=None): a backbone
    whose input leaves its size open, (None, None, 3)."""
    args: dict[str, Any] = {"include_top": False, "weights": None, "input_shape": None}

    def build() -> keras.Model:
        return getattr(keras.applications, fn)(**args)

    return f"keras.applications.{fn}", args, build


def traced_rows(model: keras.Model, n: int) -> tuple[Any, list[tuple[str, Exception]]]:
    """The walk through the graph Keras takes for `model(keras.Input((n, n, 3)))`
    (Function.compute_output_spec: each operation's compute_output_spec, deepest first), each row
    of the summary (a layer, a nested model or an operation of `model`) traced: the output, or
    None and every row that raised on inputs Keras could compute, in Keras's order. Past a row
    that raises the walk goes on (Keras skips what cannot be reached), so that rows of parallel
    branches that fail at the same size are all named."""
    raised: list[tuple[str, Exception]] = []

    def traced(op: Any) -> Callable[..., Any]:
        def spec(*args: Any, **kwargs: Any) -> Any:
            try:
                return op.compute_output_spec(*args, **kwargs)
            except Exception as exc:  # the refusal is the record
                raised.append((op.name, exc))
                return []  # no outputs: what needs them is skipped

        return spec

    try:
        out = model._run_through_graph([keras.KerasTensor((None, n, n, 3))], operation_fn=traced)
    except ValueError:  # "Output ... is not connected to `inputs`": a row before it raised
        assert raised, (model.name, n)
        return None, raised
    return (None if raised else out), raised


def on_input(model: keras.Model, n: int) -> dict[str, Any]:
    """Keras's verdict on the open-size model called on keras.Input((n, n, 3)): the output
    shape, or the refusal, with `layer`, the row whose output Keras could not compute first,
    and `refused`, every row that raised on inputs Keras could compute."""
    try:
        public: Any = list(model(keras.Input((n, n, 3))).shape)
    except Exception as exc:
        public = exc
    out, raised = traced_rows(model, n)
    if raised:
        assert isinstance(public, Exception), (model.name, n, public, "builds; traced raised")
        (layer, exc), names = raised[0], [name for name, _ in raised]
        return {"size": n, "error": {**refusal(exc, layer), "refused": names}}
    assert public == list(out.shape), (model.name, n, public, out.shape)
    return {"size": n, "output_shape": public}


def on_zeros(model: keras.Model, n: int) -> dict[str, Any]:
    """Keras's verdict on running the model on np.zeros((1, n, n, 3)): the output's shape, or
    what the run raised and the row of the summary whose call raised it."""
    rows = {op.name for op in summary_rows(model)}
    raised: list[str] = []
    original = keras.layers.Layer.__call__

    def traced(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        except Exception:
            raised.append(self.name)  # innermost first
            raise

    keras.layers.Layer.__call__ = traced
    try:
        out = model(np.zeros((1, n, n, 3), dtype="float32"))
    except Exception as exc:  # the refusal is the record
        return {"size": n, "error": refusal(exc, next((r for r in raised if r in rows), None))}
    finally:
        keras.layers.Layer.__call__ = original
    return {"size": n, "output_shape": list(out.shape)}


def record_open(fn: str) -> dict[str, Any]:
    """An open-size model recorded as the others, with Keras's verdict at the sizes of
    OPEN_SIZES (`keras_sizes`) and, run on zeros, at the sizes of OPEN_RUNS and around the
    smallest size the graph takes (`keras_runs`)."""
    source, args, build = open_application(fn)
    model_id = f"{fn.lower()}_notop_open"
    entry = record(model_id, source, args, build)
    keras.backend.clear_session()
    model = build()
    sizes = [on_input(model, n) for n in OPEN_SIZES]
    smallest = next(row["size"] for row in sizes if "output_shape" in row)
    runs = sorted({*OPEN_RUNS, smallest - 1, smallest, smallest + 1} & set(OPEN_SIZES))
    return {**entry, "keras_sizes": sizes, "keras_runs": [on_zeros(model, n) for n in runs]}


# --------------------------------------------------------------------------- output


ROW_LISTS = ("layers", "keras_sizes", "keras_runs")  # written one row a line


def dump(document: dict[str, Any]) -> str:
    """JSON with one model key and one layer row a line: small, and reviewable as a diff."""

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    out = ["{"]
    out.append(f' "keras_version": {one(document["keras_version"])},')
    out.append(f' "backend": {one(document["backend"])},')
    out.append(' "models": [')
    for i, model in enumerate(document["models"]):
        out.append("  {")
        items = list(model.items())
        for j, (key, value) in enumerate(items):
            comma = "," if j < len(items) - 1 else ""
            if key in ROW_LISTS:
                out.append(f"   {one(key)}: [")
                out.extend(
                    f"    {one(row)}{',' if k < len(value) - 1 else ''}"
                    for k, row in enumerate(value)
                )
                out.append(f"   ]{comma}")
            else:
                out.append(f"   {one(key)}: {one(value)}{comma}")
        out.append("  }" + ("," if i < len(document["models"]) - 1 else ""))
    out.append(" ]")
    out.append("}")
    return "\n".join(out) + "\n"


def main() -> None:
    detached_from_terminal()
    started = time.monotonic()
    keras.utils.set_random_seed(SEED)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for stale in FIXTURES.glob("*.json.gz"):
        stale.unlink()
    models: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    by_id: dict[str, dict[str, Any]] = {}

    for fn, size, pooling, fmt in APPLICATIONS:
        model_id = app_id(fn, size, pooling, fmt)
        source, args, build = application(fn, size, pooling, fmt)
        entry = record(model_id, source, args, build)
        models.append(entry)
        by_id[model_id] = entry
        with gzip.open(ROOT / entry["file"], "rt") as f:
            texts[model_id] = f.read()
        print(f"{model_id}: {len(entry['layers'])} layers", file=sys.stderr)

    for model_id, (source, build) in KERAS_IO.items():
        entry = record(model_id, source, {}, build)
        models.append(entry)
        print(f"{model_id}: {len(entry['layers'])} layers", file=sys.stderr)

    for fn, source_id, size in REFUSED:
        entry = record_refused(fn, by_id[source_id], size, texts[source_id])
        models.append(entry)
        print(f"{entry['id']}: {entry['graph_error']['message'][:100]}", file=sys.stderr)

    for fn in OPEN_SIZE:
        entry = record_open(fn)
        models.append(entry)
        valid = [row["size"] for row in entry["keras_sizes"] if "output_shape" in row]
        print(f"{entry['id']}: {len(entry['layers'])} layers, {len(valid)} sizes of "
              f"{len(OPEN_SIZES)} from {valid[0]}", file=sys.stderr)  # fmt: skip

    for fn, size, fmt in NOT_RECORDED:
        _, _, build = application(fn, size, None, fmt)
        refused = attempt(build)
        print(f"not recorded: {fn} {fmt}: {refused}", file=sys.stderr)
    for fn in OPEN_NOT_RECORDED:
        refused = attempt(open_application(fn)[2])
        print(f"not recorded: {fn} at an open size: {refused}", file=sys.stderr)

    meta = {"keras_version": keras.__version__, "backend": keras.backend.backend()}
    GOLDENS.write_bytes(
        gzip.compress(dump({**meta, "models": models}).encode(), compresslevel=9, mtime=0)
    )
    rows = sum(len(m.get("layers", [])) for m in models)
    built = sum(m["builds"] for m in models)
    print(
        f"Keras {meta['keras_version']} ({meta['backend']}): {len(models)} models, {built} built, "
        f"{len(models) - built} refused, {rows} layer rows; {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
