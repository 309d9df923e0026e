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

from deconvcheck.layers.base import Shape
from deconvcheck.model import Model
from deconvcheck.record import Record

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}


class Cost(Record):
    macs: int | None  # None: it depends on a size the model leaves open
    activations: int | None  # output elements per sample; None where a size is open
    rf: Fraction | None  # receptive field (pixels of the input), None where not defined
    jump: Fraction | None


def _open(shape: Shape) -> bool:
    """A size other than the batch axis is unknown (`Input(shape=(None, None, 3))`)."""
    return None in shape[1:]


def _elements(shape: Shape) -> int | None:
    return None if _open(shape) else math.prod(d for d in shape[1:] if d is not None)


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
                fields[layer.name] = node.layer.receptive_field(rf, jump)
        field = fields[layer.name]
        # A layer that multiplies by weights costs what its sizes say: unknown where one is
        # open. One without (pooling, activations) or MACs-free by convention costs 0.
        weighted = layer.params.total and not node.layer.MACS_FREE
        unknown = weighted and any(_open(s) for s in (*ins, layer.output_shape))
        result[layer.name] = Cost(
            macs=None if unknown else node.layer.macs(ins, layer.output_shape) if ins else 0,
            activations=_elements(layer.output_shape),
            rf=field[0] if field else None,
            jump=field[1] if field else None,
        )
    return result


def total(values: list[int | None]) -> int | None:
    """The sum, or None when one of them is unknown."""
    return None if None in values else sum(v for v in values if v is not None)


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
