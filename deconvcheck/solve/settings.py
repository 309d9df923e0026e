"""Enumerate the layer settings that take one length to another, in each framework's terms.

Every length is computed by `deconvcheck.arith`, the functions inference uses, so an answer
printed by `solve` is, by construction, what `summary` computes for that layer.
"""

from __future__ import annotations

from collections.abc import Iterator

from deconvcheck import arith
from deconvcheck.record import Record

KERAS, PYTORCH, TF = "keras", "pytorch", "tf"
FRAMEWORKS = (KERAS, PYTORCH, TF)


class Bounds(Record):
    max_kernel: int = 8
    max_stride: int = 8
    max_dilation: int = 3


class Setting(Record):
    """One layer setting along one axis, and the length it produces.

    `padding` is 'same'/'valid' for Keras and TensorFlow, an int for PyTorch. `output_padding`
    is None when not given (Keras's default). `kind` is 'transpose', 'conv' or 'pool'."""

    framework: str
    kind: str
    kernel: int
    stride: int
    dilation: int
    padding: str | int
    output_padding: int | None
    length_in: int
    length_out: int

    @property
    def k_eff(self) -> int:
        return arith.effective_kernel(self.kernel, self.dilation)


def _length(value: int | None) -> int:
    assert value is not None  # a known input length gives a known output length
    return value


def _dilations(stride: int, bounds: Bounds) -> range:
    # Keras refuses strides > 1 with dilation_rate > 1; PyTorch allows it but it is rare: the
    # same rule keeps the answers comparable.
    return range(1, (bounds.max_dilation if stride == 1 else 1) + 1)


def keras_transpose(n: int, bounds: Bounds) -> Iterator[Setting]:
    """Every Keras Conv*Transpose setting and its output length for input length n."""
    for s in range(1, bounds.max_stride + 1):
        for k in range(1, bounds.max_kernel + 1):
            for d in _dilations(s, bounds):
                for padding in ("same", "valid"):
                    default = _length(arith.conv_transpose_output_length(n, k, s, padding, None, d))
                    yield Setting(KERAS, "transpose", k, s, d, padding, None, n, default)
                    for op in range(s):  # Keras refuses output_padding >= strides
                        out = _length(arith.conv_transpose_output_length(n, k, s, padding, op, d))
                        if out != default:  # equal to the default: nothing gained by writing it
                            yield Setting(KERAS, "transpose", k, s, d, padding, op, n, out)


def torch_transpose(n: int, bounds: Bounds) -> Iterator[Setting]:
    """PyTorch ConvTranspose: integer padding p (0 to the kernel's reach) and output_padding
    smaller than the stride or the dilation."""
    for s in range(1, bounds.max_stride + 1):
        for k in range(1, bounds.max_kernel + 1):
            for d in _dilations(s, bounds):
                for p in range(d * (k - 1) + 1):
                    for op in range(max(s, d)):
                        out = arith.torch_conv_transpose_output_length(n, k, s, p, op, d)
                        if out > 0:
                            yield Setting(PYTORCH, "transpose", k, s, d, p, op, n, out)


def tf_transpose(n: int, bounds: Bounds) -> Iterator[Setting]:
    """tf.nn.conv2d_transpose: each (filter, strides, padding) accepts a small range of
    `output_shape` sizes (3 -> 5 or 6 with strides 2, SAME); one Setting per size."""
    for s in range(1, bounds.max_stride + 1):
        # With SAME the kernel does not change which sizes are accepted: one answer per stride,
        # with the smallest kernel free of checkerboard artefacts (kernel = stride).
        for out in arith.tf_transpose_output_range(n, s, s, "same"):
            if s <= bounds.max_kernel:
                yield Setting(TF, "transpose", s, s, 1, "same", None, n, out)
        for k in range(1, bounds.max_kernel + 1):
            for out in arith.tf_transpose_output_range(n, k, s, "valid"):
                yield Setting(TF, "transpose", k, s, 1, "valid", None, n, out)


def keras_downsample(n: int, bounds: Bounds) -> Iterator[Setting]:
    """Keras Conv*D and MaxPooling*D/AveragePooling*D settings (valid outputs only)."""
    for s in range(1, bounds.max_stride + 1):
        for k in range(1, bounds.max_kernel + 1):
            for padding in ("same", "valid"):
                for d in _dilations(s, bounds):
                    out = arith.conv_output_length(n, k, s, padding, d)
                    if out is not None and out > 0:
                        yield Setting(KERAS, "conv", k, s, d, padding, None, n, out)
                out = arith.pool_output_length(n, k, s, padding)
                if out is not None and out > 0:
                    yield Setting(KERAS, "pool", k, s, 1, padding, None, n, out)


def torch_downsample(n: int, bounds: Bounds) -> Iterator[Setting]:
    """PyTorch Conv*d (padding up to the kernel's reach) and MaxPool*d (padding at most half
    the kernel, as PyTorch requires)."""
    for s in range(1, bounds.max_stride + 1):
        for k in range(1, bounds.max_kernel + 1):
            for d in _dilations(s, bounds):
                for p in range(d * (k - 1) + 1):
                    out = arith.torch_conv_output_length(n, k, s, p, d)
                    if out > 0:
                        yield Setting(PYTORCH, "conv", k, s, d, p, None, n, out)
            for p in range(k // 2 + 1):
                out = arith.torch_conv_output_length(n, k, s, p)
                if out > 0:
                    yield Setting(PYTORCH, "pool", k, s, 1, p, None, n, out)


def tf_downsample(n: int, bounds: Bounds) -> Iterator[Setting]:
    """tf.nn.conv2d / max_pool2d: the same arithmetic as Keras, with SAME/VALID."""
    for setting in keras_downsample(n, bounds):
        yield setting._replace(framework=TF)


ENUMERATORS = {
    (KERAS, True): keras_transpose,
    (PYTORCH, True): torch_transpose,
    (TF, True): tf_transpose,
    (KERAS, False): keras_downsample,
    (PYTORCH, False): torch_downsample,
    (TF, False): tf_downsample,
}


def settings(framework: str, n: int, upsample: bool, bounds: Bounds) -> Iterator[Setting]:
    return ENUMERATORS[framework, upsample](n, bounds)


def exact(framework: str, n: int, m: int, bounds: Bounds) -> list[Setting]:
    """Every setting within `bounds` that takes length n to exactly m."""
    return [s for s in settings(framework, n, m >= n, bounds) if s.length_out == m]


def stated_output_padding(s: Setting) -> Setting | None:
    """The same Keras transposed convolution with its default output_padding written out, when
    Keras accepts one (below the stride) giving the same length; None otherwise.

    Keras takes output_padding for every axis or for none, so an axis that needs none may have
    to state it when another axis needs one. `valid`, kernel 2, strides 2 states 0; `same`
    with an odd kernel states strides - 1; `same` with an even kernel would need
    output_padding = strides, which Keras refuses.

    >>> s = Setting(KERAS, "transpose", 7, 8, 1, "same", None, 46, 368)
    >>> stated_output_padding(s).output_padding  # (46 - 1)·8 + 7 % 2 + 7 = 368 = 46·8
    7
    """
    if s.framework != KERAS or s.kind != "transpose" or s.output_padding is not None:
        return None
    for op in range(s.stride):
        out = arith.conv_transpose_output_length(
            s.length_in, s.kernel, s.stride, str(s.padding), op, s.dilation
        )
        if out == s.length_out:
            return s._replace(output_padding=op)
    return None
