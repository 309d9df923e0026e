"""The size arithmetic of convolution, transposed convolution and pooling, one axis at a time.

Every command (`summary`, `check`, `solve`, ...) computes lengths through these functions and
nothing else, so a formula is right or wrong in exactly one place. They follow Keras 3:
`keras/src/ops/operation_utils.py` (`compute_conv_output_shape`,
`compute_pooling_output_shape`) and `keras/src/backend/common/backend_utils.py`
(`_get_output_shape_given_tf_padding`).

A length of `None` is an unknown size and stays unknown. A result that is zero or negative is
returned as it is: deciding that it is an error is the caller's business (Keras refuses it for
`valid` convolution and pooling).
"""

from __future__ import annotations

Length = int | None


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """Span of a dilated kernel: `(kernel - 1) * dilation + 1`.

    >>> effective_kernel(2, 2)  # seed 000: a 2x2 kernel with dilation_rate=2 covers 3x3
    3
    """
    return (kernel - 1) * dilation + 1


def conv_output_length(
    length: Length, kernel: int, stride: int = 1, padding: str = "valid", dilation: int = 1
) -> Length:
    """Output length of a (dilated, strided) convolution along one axis.

    `valid`: floor((n - k_eff) / s) + 1; `same` and `causal`: floor((n - 1) / s) + 1 = ceil(n / s).

    >>> conv_output_length(224, 3, padding="valid")  # seed 000: 224 -> 222
    222
    >>> conv_output_length(7, 2, stride=2, padding="same")  # ceil(7 / 2)
    4
    """
    if length is None:
        return None
    if padding == "valid":
        return (length - effective_kernel(kernel, dilation)) // stride + 1
    return (length - 1) // stride + 1


def conv_transpose_output_length(
    length: Length,
    kernel: int,
    stride: int = 1,
    padding: str = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> Length:
    """Output length of a transposed convolution along one axis, by Keras 3's rule.

    - `valid`, no output_padding: `(n - 1)·s + max(k_eff, s)`;
    - `valid` with output_padding p: `(n - 1)·s + k_eff + p`;
    - `same`, no output_padding: `n·s`;
    - `same` with output_padding p: `(n - 1)·s + k_eff % 2 + p` (not `n·s`!).

    >>> conv_transpose_output_length(7, 2, dilation=2)  # seed 000: (7 - 1)·1 + 3 = 9
    9
    >>> conv_transpose_output_length(7, 2, stride=2)  # seed 000: (7 - 1)·2 + max(2, 2) = 14
    14
    >>> conv_transpose_output_length(3, 2, stride=2, padding="same", output_padding=0)
    4
    """
    if length is None:
        return None
    k_eff = effective_kernel(kernel, dilation)
    if padding == "valid":
        extra = max(k_eff, stride) - k_eff if output_padding is None else output_padding
        return (length - 1) * stride + k_eff + extra
    if output_padding is None:
        return length * stride
    return (length - 1) * stride + k_eff % 2 + output_padding


def pool_output_length(length: Length, pool: int, stride: int, padding: str = "valid") -> Length:
    """Output length of max or average pooling along one axis.

    `valid`: floor((n - pool) / s) + 1; `same`: floor((n - 1) / s) + 1.

    >>> pool_output_length(25, 2, 2)  # seed 003 at 100x100: 25 is floored to 12
    12
    >>> pool_output_length(7, 2, 2, "same")  # seed 001: 7 -> 4
    4
    """
    if length is None:
        return None
    if padding == "valid":
        return (length - pool) // stride + 1
    return (length - 1) // stride + 1
