"""Every layer type by its Keras class name and aliases.

Adding a layer: one class in its family's module, one line here.
"""

from __future__ import annotations

from deconvcheck.layers import (
    activations,
    applications,
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
from deconvcheck.layers.base import AnyLayer

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
)  # fmt: skip

REGISTRY: dict[str, type[AnyLayer]] = {name: cls for cls in LAYER_TYPES for name in cls.NAMES}


def lookup(name: str) -> type[AnyLayer] | None:
    """The layer type for a Keras class name or alias (`Deconvolution2D`, `MaxPool2D`, ...)."""
    return REGISTRY.get(name)
