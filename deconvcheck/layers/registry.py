"""Every layer type by its Keras class name and aliases.

Adding a layer: one class in its family's module, one line here.
"""

from __future__ import annotations

import functools

from deconvcheck.layers import (
    activations,
    applications,
    augmentation,
    convolution,
    core,
    depthwise,
    merging,
    nested,
    normalization,
    pooling,
    preprocessing,
    regularization,
    resampling,
)
from deconvcheck.layers import transposed as tr
from deconvcheck.layers.base import AnyLayer, Layer

LAYER_TYPES: tuple[type[AnyLayer], ...] = (
    core.Input,
    convolution.Conv1D, convolution.Conv2D, convolution.Conv3D,
    tr.Conv1DTranspose, tr.Conv2DTranspose, tr.Conv3DTranspose,
    pooling.MaxPooling1D, pooling.MaxPooling2D, pooling.MaxPooling3D,
    pooling.AveragePooling1D, pooling.AveragePooling2D, pooling.AveragePooling3D,
    pooling.GlobalAveragePooling1D, pooling.GlobalAveragePooling2D, pooling.GlobalAveragePooling3D,
    pooling.GlobalMaxPooling1D, pooling.GlobalMaxPooling2D, pooling.GlobalMaxPooling3D,
    resampling.UpSampling1D, resampling.UpSampling2D, resampling.UpSampling3D,
    resampling.ZeroPadding1D, resampling.ZeroPadding2D, resampling.ZeroPadding3D,
    resampling.Cropping1D, resampling.Cropping2D, resampling.Cropping3D,
    merging.Concatenate, merging.Add,
    normalization.BatchNormalization,
    core.Activation, core.ReLU, core.LeakyReLU, core.Dropout,
    core.Dense, core.Flatten, core.Reshape,
    depthwise.DepthwiseConv1D, depthwise.DepthwiseConv2D,
    depthwise.SeparableConv1D, depthwise.SeparableConv2D,
    preprocessing.Rescaling, preprocessing.Normalization,
    merging.Multiply, merging.Subtract, merging.Average, merging.Maximum, merging.Minimum,
    normalization.LayerNormalization, normalization.GroupNormalization,
    normalization.UnitNormalization,
    regularization.SpatialDropout1D, regularization.SpatialDropout2D,
    regularization.SpatialDropout3D, regularization.GaussianNoise,
    regularization.GaussianDropout, regularization.AlphaDropout,
    regularization.ActivityRegularization,
    activations.Softmax, activations.ELU, activations.PReLU,
    core.Identity, core.Permute, core.RepeatVector, core.Lambda,
    applications.LayerScale,
    nested.Functional, nested.Sequential,
    augmentation.Resizing, augmentation.CenterCrop, augmentation.RandomCrop,
    augmentation.RandomFlip, augmentation.RandomRotation, augmentation.RandomZoom,
    augmentation.RandomTranslation, augmentation.RandomContrast, augmentation.RandomBrightness,
)  # fmt: skip

REGISTRY: dict[str, type[AnyLayer]] = {name: cls for cls in LAYER_TYPES for name in cls.NAMES}


# Keras 3 layer classes deconvcheck does not read yet: reported as such, not as unknown words.
KERAS_NOT_YET = frozenset(
    (
        "Embedding", "SimpleRNN", "LSTM", "GRU", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
        "Bidirectional", "TimeDistributed", "MultiHeadAttention", "GroupQueryAttention",
        "Attention", "AdditiveAttention", "EinsumDense", "Masking", "TextVectorization",
        "StringLookup", "IntegerLookup", "Hashing", "Discretization", "CategoryEncoding",
        "TorchModuleWrapper", "JaxLayer", "FlaxLayer", "TFSMLayer", "MelSpectrogram",
        "STFTSpectrogram",
    )
)  # fmt: skip

PLUGIN_GROUP = "deconvcheck.layers"  # entry points: `TypeName = "package.module:LayerClass"`


def lookup(name: str) -> type[AnyLayer] | None:
    """The layer type for a Keras class name or alias (`Deconvolution2D`, `MaxPool2D`, ...);
    for a name the built-in registry lacks, a plugin's (looked up only then: no start-up cost)."""
    return REGISTRY.get(name) or plugin(name)


@functools.cache
def plugin(name: str) -> type[AnyLayer] | None:
    """The class an installed package registers for `name` under the `deconvcheck.layers`
    entry-point group (README, "Custom layers"). A plugin that fails to load is not used."""
    from importlib.metadata import entry_points  # noqa: PLC0415 - only for unknown names

    for entry in entry_points(group=PLUGIN_GROUP, name=name):
        try:
            found = entry.load()
        except Exception:
            continue
        if isinstance(found, type) and issubclass(found, Layer) and found.NAMES:
            return found
    return None
