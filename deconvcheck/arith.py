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

    >>> effective_kernel(2, 2)  # a 2x2 kernel with dilation_rate=2 covers 3x3
    3
    """
    return (kernel - 1) * dilation + 1


def conv_output_length(
    length: Length, kernel: int, stride: int = 1, padding: str = "valid", dilation: int = 1
) -> Length:
    """Output length of a (dilated, strided) convolution along one axis.

    `valid`: floor((n - k_eff) / s) + 1; `same` and `causal`: floor((n - 1) / s) + 1 = ceil(n / s).

    >>> conv_output_length(224, 3, padding="valid")  # unpadded: 224 -> 222
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
    - `same` with output_padding p: `(n - 1)·s + k_eff % 2 + p` (not `n·s`!), which is the
      transposed convolution's `(n - 1)·s + k_eff - 2·pad + p` with `pad = k_eff // 2`.

    >>> conv_transpose_output_length(7, 2, dilation=2)  # a decoder's 7 -> 9 where 14 was meant
    9
    >>> conv_transpose_output_length(7, 2, stride=2)  # stride 2 instead: (7 - 1)·2 + max(2, 2) = 14
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

    >>> pool_output_length(25, 2, 2)  # a U-Net at 100x100: 25 is floored to 12
    12
    >>> pool_output_length(7, 2, 2, "same")  # 'same' rounds up: 7 -> 4
    4
    """
    if length is None:
        return None
    if padding == "valid":
        return (length - pool) // stride + 1
    return (length - 1) // stride + 1


def keras_same_transpose_pads(
    kernel: int, stride: int, output_padding: int | None = None, dilation: int = 1
) -> tuple[int, int]:
    """(left, right) padding Keras 3 applies for a `same` transposed convolution
    (`backend_utils._convert_conv_transpose_padding_args_from_keras_to_jax`); unequal means
    the output is shifted by half a pixel against the input.

    >>> keras_same_transpose_pads(4, 2)  # F=4, S=2: pad 2 on each side
    (2, 2)
    >>> keras_same_transpose_pads(3, 2)
    (2, 1)
    """
    k_eff = effective_kernel(kernel, dilation)
    if output_padding is None:
        pad_len = stride + k_eff - 2
    else:
        pad_len = k_eff + k_eff % 2 - 2 + output_padding
    left = min(pad_len // 2 + pad_len % 2, k_eff - 1)
    return left, pad_len - left


def torch_conv_transpose_output_length(
    length: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """PyTorch `ConvTranspose{1,2,3}d`: `(n - 1)·s - 2·p + d·(k - 1) + output_padding + 1`.

    >>> torch_conv_transpose_output_length(64, 4, 2, 1)  # 64 -> 128: (64 - 1)·2 - 2·1 + 4
    128
    """
    return (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def torch_conv_output_length(
    length: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """PyTorch `Conv{1,2,3}d` and pooling: `floor((n + 2·p - d·(k - 1) - 1) / s) + 1`.

    >>> torch_conv_output_length(128, 4, 2, 1)
    64
    """
    return (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def tf_transpose_output_range(
    length: int, kernel: int, stride: int, padding: str, dilation: int = 1
) -> range:
    """Every `output_shape` size `tf.nn.conv2d_transpose` accepts for an input of `length`:
    those whose forward convolution (same kernel, stride, padding) gives back `length`.

    >>> list(tf_transpose_output_range(3, 2, 2, "same"))  # 3 -> 5 or 6: both valid
    [5, 6]
    """
    if padding == "same":  # ceil(m / s) == n
        return range((length - 1) * stride + 1, length * stride + 1)
    k_eff = effective_kernel(kernel, dilation)  # floor((m - k_eff) / s) + 1 == n
    low = (length - 1) * stride + k_eff
    return range(low, low + stride)
