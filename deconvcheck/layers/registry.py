"""Every layer type by its Keras class name and aliases, in one explicit table.

A family's module is imported only when a spec names one of its types (a typical U-Net loads
half of them), so that adding layer types does not slow every start. Adding a layer: one class
in its family's module, its names in FAMILIES below (tests/test_layer_contract.py checks the
table against the classes).
"""

from __future__ import annotations

import importlib

from deconvcheck.layers.base import AnyLayer, Layer, Role
from deconvcheck.memo import MEMO

# module -> every type name and alias its classes declare (NAMES), in listing order
FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("Input", "InputLayer")),
    ("convolution", ("Conv1D", "Convolution1D", "Conv2D", "Convolution2D", "Conv3D",
                     "Convolution3D")),
    ("transposed", ("Conv1DTranspose", "Convolution1DTranspose", "Deconvolution1D", "Deconv1D",
                    "Conv2DTranspose", "Convolution2DTranspose", "Deconvolution2D", "Deconv2D",
                    "Conv3DTranspose", "Convolution3DTranspose", "Deconvolution3D",
                    "Deconv3D")),
    ("pooling", ("MaxPooling1D", "MaxPool1D", "MaxPooling2D", "MaxPool2D", "MaxPooling3D",
                 "MaxPool3D", "AveragePooling1D", "AvgPool1D", "AveragePooling2D", "AvgPool2D",
                 "AveragePooling3D", "AvgPool3D", "GlobalAveragePooling1D", "GlobalAvgPool1D",
                 "GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalAveragePooling3D",
                 "GlobalAvgPool3D", "GlobalMaxPooling1D", "GlobalMaxPool1D",
                 "GlobalMaxPooling2D", "GlobalMaxPool2D", "GlobalMaxPooling3D",
                 "GlobalMaxPool3D")),
    ("resampling", ("UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D",
                    "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D")),
    ("merging", ("Concatenate", "concatenate", "Add", "add")),
    ("normalization", ("BatchNormalization",)),
    ("core", ("Activation", "ReLU", "LeakyReLU", "Dropout", "Dense", "Flatten", "Reshape")),
    ("depthwise", ("DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
                   "SeparableConvolution1D", "SeparableConv2D", "SeparableConvolution2D")),
    ("preprocessing", ("Rescaling", "Normalization")),
    ("merging", ("Multiply", "multiply", "Subtract", "subtract", "Average", "average",
                 "Maximum", "maximum", "Minimum", "minimum", "Dot", "dot")),
    ("normalization", ("LayerNormalization", "GroupNormalization", "UnitNormalization")),
    ("regularization", ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                        "GaussianNoise", "GaussianDropout", "AlphaDropout",
                        "ActivityRegularization")),
    ("activations", ("Softmax", "ELU", "PReLU")),
    ("core", ("Identity", "Permute", "RepeatVector", "Lambda")),
    ("applications", ("LayerScale",)),
    ("nested", ("Functional", "Model", "Sequential")),
    ("recurrent", ("Embedding", "SimpleRNN", "LSTM", "GRU", "ConvLSTM1D", "ConvLSTM2D",
                   "ConvLSTM3D")),
    ("attention", ("MultiHeadAttention", "Attention", "AdditiveAttention")),
    ("wrappers", ("Bidirectional", "TimeDistributed")),
    ("operations", tuple(f"ops.{name}" for name in (
        "Square", "square", "Sqrt", "sqrt", "Absolute", "abs", "absolute", "Negative",
        "negative", "Exp", "exp", "Log", "log", "Reciprocal", "reciprocal", "Sign", "sign",
        "Floor", "floor", "Ceil", "ceil", "Round", "round", "Tanh", "tanh", "Sin", "sin", "Cos",
        "cos", "Clip", "clip", "Cast", "cast", "StopGradient", "stop_gradient", "Relu", "relu",
        "Sigmoid", "sigmoid", "Gelu", "gelu", "Silu", "silu", "swish", "Add", "add", "Subtract",
        "subtract", "Multiply", "multiply", "Divide", "divide", "TrueDivide", "true_divide",
        "FloorDivide", "floor_divide", "Mod", "mod", "Power", "power", "Maximum", "maximum",
        "Minimum", "minimum", "Sum", "sum", "Mean", "mean", "Max", "max", "Min", "min", "Prod",
        "prod", "Std", "std", "Var", "var", "GetItem", "get_item", "OnesLike", "ones_like",
        "ZerosLike", "zeros_like", "Reshape", "reshape", "Transpose", "transpose", "ExpandDims",
        "expand_dims", "Squeeze", "squeeze", "Split", "split", "Concatenate", "concatenate",
        "Matmul", "matmul", "Softmax", "softmax", "LogSoftmax", "log_softmax", "Resize",
        "image.resize",
    ))),
    ("augmentation", ("Resizing", "CenterCrop", "RandomCrop", "RandomFlip", "RandomRotation",
                      "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness")),
)  # fmt: skip

INDEX: dict[str, str] = {name: module for module, names in FAMILIES for name in names}


def _family(module: str) -> dict[str, type[AnyLayer]]:
    """The layer types a family's module defines, by each of their names (kept in
    deconvcheck.memo)."""
    found: dict[str, type[AnyLayer]] | None = MEMO.families.get(module)
    if found is None:
        loaded = importlib.import_module(f"deconvcheck.layers.{module}")
        found = {
            name: value
            for value in vars(loaded).values()
            if isinstance(value, type)
            and issubclass(value, Layer)
            and value.__module__ == loaded.__name__
            for name in value.NAMES
        }
        MEMO.families.keep(module, found)
    return found


def layer_types() -> tuple[type[AnyLayer], ...]:
    """Every built-in layer type, in listing order (imports every family)."""
    found = [_family(module)[name] for name, module in INDEX.items()]
    return tuple(dict.fromkeys(found))


def registry() -> dict[str, type[AnyLayer]]:
    """Every built-in type name and alias with its class (imports every family)."""
    return {name: _family(module)[name] for name, module in INDEX.items()}


KERAS_NOT_YET = frozenset(
    (
        "RNN", "GroupQueryAttention", "EinsumDense",
        "Masking", "TextVectorization",
        "StringLookup", "IntegerLookup", "Hashing", "Discretization", "CategoryEncoding",
        "TorchModuleWrapper", "JaxLayer", "FlaxLayer", "TFSMLayer", "MelSpectrogram",
        "STFTSpectrogram",
    )
)  # fmt: skip

PLUGIN_GROUP = "deconvcheck.layers"  # entry points: `TypeName = "package.module:LayerClass"`


def lookup(name: str) -> type[AnyLayer] | None:
    """The layer type for a Keras class name or alias (`Deconvolution2D`, `MaxPool2D`, ...);
    for a name the built-in registry lacks, a plugin's (looked up only then: no start-up cost)."""
    module = INDEX.get(name)
    return _family(module)[name] if module is not None else plugin(name)


def plugin(name: str) -> type[AnyLayer] | None:
    """The class an installed package registers for `name` under the `deconvcheck.layers`
    entry-point group (README, "Custom layers"), looked up once (kept in deconvcheck.memo:
    `MEMO.clear()` looks again, after a package is installed). A plugin that fails to load is
    not used."""
    kept: tuple[type[AnyLayer] | None] | None = MEMO.plugins.get(name)
    if kept is None:
        kept = MEMO.plugins.keep(name, (_entry_point(name),))
    return kept[0]


def _entry_point(name: str) -> type[AnyLayer] | None:
    from importlib.metadata import entry_points  # noqa: PLC0415 - only for unknown names

    for entry in entry_points(group=PLUGIN_GROUP, name=name):
        try:
            found = entry.load()
        except Exception:
            continue
        if isinstance(found, type) and issubclass(found, Layer) and found.NAMES:
            return found
    return None


def is_input(name: str) -> bool:
    """Whether a type name is a model input (`Input`, `InputLayer`)."""
    cls = lookup(name)
    return cls is not None and cls.ROLE is Role.INPUT
