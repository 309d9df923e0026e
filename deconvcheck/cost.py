"""What a model costs: multiply-accumulates, memory, and the receptive field of the encoder path.

Conventions (README "Cost columns"):
- MACs per sample. Convolution: output positions x kernel volume x input channels / groups x
  filters. Transposed convolution: counted by *input* positions (each input value is multiplied
  by the whole kernel once): input positions x kernel volume x input channels x filters. Dense:
  leading positions x inputs x units. Bias additions, normalisation, pooling, activations and
  resampling count 0 (the convention of ptflops/fvcore for "MACs of the weighted layers").
- Activation memory: the layer's output elements x bytes per element, per sample and for
  `--batch-size`. Parameter memory: parameters x bytes of `--dtype`.
- Receptive field and effective stride (jump) by Araujo et al. 2019: r_out = r_in + (k_eff - 1)
  * j_in, j_out = j_in * s. Not covered by that paper (nor google-research/receptive_field), so
  stated here: UpSampling by f keeps r and divides j by f (a copy sees the same pixel);
  a transposed convolution with kernel k_eff and stride s reaches ceil(k_eff / s) input
  positions, so r_out = r_in + (ceil(k_eff / s) - 1) * j_in and j_out = j_in / s; a merge takes
  the largest r among its inputs and the first input's j. Values are exact fractions.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

from deconvcheck.infer import Model
from deconvcheck.layers.base import Shape, spatial_axes
from deconvcheck.layers.convolution import Conv
from deconvcheck.layers.core import Dense
from deconvcheck.layers.pooling import GlobalPooling, Pooling
from deconvcheck.layers.resampling import UpSampling
from deconvcheck.layers.transposed import ConvTranspose

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}


class Cost(NamedTuple):
    macs: int
    activations: int  # output elements per sample
    rf: Fraction | None  # receptive field (pixels of the input), None where not defined
    jump: Fraction | None


def _elements(shape: Shape) -> int:
    return math.prod(d for d in shape[1:] if d is not None)


def _spatial(shape: Shape, fmt: str) -> int:
    return math.prod(shape[a] or 0 for a in spatial_axes(shape, fmt))


def macs(layer: object, ins: Shape, out: Shape) -> int:
    if isinstance(layer, Conv):
        fmt = layer.cfg["data_format"]
        channels = ins[-1] if fmt == "channels_last" else ins[1]
        groups: int = layer.cfg["groups"]
        per_position: int = math.prod(layer.cfg["kernel_size"]) * (channels or 0) // groups
        filters: int = layer.cfg["filters"]
        return _spatial(out, fmt) * per_position * filters
    if isinstance(layer, ConvTranspose):
        fmt = layer.cfg["data_format"]
        channels = ins[-1] if fmt == "channels_last" else ins[1]
        kernel: int = math.prod(layer.cfg["kernel_size"])
        outputs: int = layer.cfg["filters"]
        return _spatial(ins, fmt) * kernel * (channels or 0) * outputs
    if isinstance(layer, Dense):
        positions = math.prod(d or 0 for d in ins[1:-1])
        units: int = layer.cfg["units"]
        return positions * (ins[-1] or 0) * units
    return 0


def _rf_step(layer: object, rf: Fraction, jump: Fraction) -> tuple[Fraction, Fraction] | None:
    if isinstance(layer, Conv):
        k_eff = (layer.cfg["kernel_size"][0] - 1) * layer.cfg["dilation_rate"][0] + 1
        return rf + (k_eff - 1) * jump, jump * layer.cfg["strides"][0]
    if isinstance(layer, Pooling):
        pool = layer.cfg["pool_size"][0]
        stride = (layer.cfg["strides"] or layer.cfg["pool_size"])[0]
        return rf + (pool - 1) * jump, jump * stride
    if isinstance(layer, ConvTranspose):
        k_eff = (layer.cfg["kernel_size"][0] - 1) * layer.cfg["dilation_rate"][0] + 1
        s = layer.cfg["strides"][0]
        return rf + (math.ceil(k_eff / s) - 1) * jump, jump / s
    if isinstance(layer, UpSampling):
        return rf, jump / layer.factors()[0]
    if isinstance(layer, GlobalPooling | Dense):
        return None
    return rf, jump


def costs(model: Model) -> dict[str, Cost]:
    """Per layer: MACs and activations per sample; receptive field along the first axis."""
    shapes = model.shapes
    fields: dict[str, tuple[Fraction, Fraction] | None] = {}
    result = {}
    for layer in model.layers:
        node = model.graph.nodes[layer.name]
        ins = [shapes[i] for i in layer.inputs if i in shapes]
        if not layer.inputs:
            fields[layer.name] = (Fraction(1), Fraction(1))
        else:
            known = [fields.get(i) for i in layer.inputs]
            if any(f is None for f in known):
                fields[layer.name] = None
            else:
                rf = max(f[0] for f in known if f is not None)
                jump = known[0][1] if known[0] is not None else Fraction(1)
                fields[layer.name] = _rf_step(node.layer, rf, jump)
        field = fields[layer.name]
        result[layer.name] = Cost(
            macs=macs(node.layer, ins[0], layer.output_shape) if ins else 0,
            activations=_elements(layer.output_shape),
            rf=field[0] if field else None,
            jump=field[1] if field else None,
        )
    return result


def human(count: float) -> str:
    """1,234,567 -> 1.23 M (decimal units, as MAC counts are quoted)."""
    for unit, size in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if count >= size:
            return f"{count / size:.2f} {unit}"
    return f"{count:g}"


def fraction(value: Fraction | None) -> str:
    if value is None:
        return "-"
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.3g}"
