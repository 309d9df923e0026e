"""The one-axis formulas, against numbers worked by hand (shown) and the seed documents."""

from __future__ import annotations

import pytest

from deconvcheck.arith import (
    conv_output_length,
    conv_transpose_output_length,
    effective_kernel,
    pool_output_length,
)


@pytest.mark.parametrize(
    ("kernel", "dilation", "expected"),
    [
        (2, 2, 3),  # seed 000: (2 - 1)·2 + 1
        (3, 1, 3),
        (3, 2, 5),  # (3 - 1)·2 + 1
        (5, 3, 13),  # (5 - 1)·3 + 1
    ],
)
def test_effective_kernel(kernel: int, dilation: int, expected: int) -> None:
    assert effective_kernel(kernel, dilation) == expected


@pytest.mark.parametrize(
    ("n", "k", "s", "padding", "d", "expected"),
    [
        (224, 3, 1, "valid", 1, 222),  # seed 000 model1: 224 - 3 + 1
        (128, 3, 1, "same", 1, 128),  # seed 002: 'same' keeps the size
        (7, 3, 2, "valid", 1, 3),  # floor((7 - 3) / 2) + 1
        (7, 3, 2, "same", 1, 4),  # ceil(7 / 2)
        (10, 3, 1, "valid", 2, 6),  # 10 - 5 + 1
        (5, 2, 2, "same", 1, 3),  # seed 001: tf conv 5x5, k 2, s 2, SAME -> 3
        (2, 3, 1, "valid", 1, 0),  # too small: zero, refused by the layer
        (None, 3, 2, "valid", 1, None),  # unknown stays unknown
        (9, 3, 1, "causal", 1, 9),
    ],
)
def test_conv_output_length(
    n: int | None, k: int, s: int, padding: str, d: int, expected: int | None
) -> None:
    assert conv_output_length(n, k, s, padding, d) == expected


@pytest.mark.parametrize(
    ("n", "k", "s", "padding", "op", "d", "expected"),
    [
        (7, 2, 1, "valid", None, 2, 9),  # seed 000: (7 - 1)·1 + 3 = 9
        (7, 3, 1, "valid", None, 2, 11),  # seed 000, kernel 3 kept dilation 2: (7 - 1) + 5
        (7, 3, 1, "valid", None, 1, 9),  # (7 - 1)·1 + max(3, 1)
        (7, 2, 2, "valid", None, 1, 14),  # seed 000: (7 - 1)·2 + max(2, 2) = 14
        (222, 3, 1, "valid", None, 1, 224),  # seed 000 model1: 221 + 3
        (128, 3, 1, "same", None, 1, 128),  # seed 002: n·s
        (64, 4, 2, "same", None, 1, 128),  # seed 002's F=4, S=2: 64·2
        (7, 1, 3, "valid", None, 1, 21),  # (7 - 1)·3 + max(1, 3)
        (7, 3, 2, "valid", 1, 1, 16),  # (7 - 1)·2 + 3 + 1
        (3, 2, 2, "same", 0, 1, 4),  # Keras 3 rule: (3 - 1)·2 + 2 % 2 + 0
        (3, 3, 2, "same", 0, 1, 5),  # (3 - 1)·2 + 3 % 2 + 0
        (3, 3, 2, "same", 1, 1, 6),  # (3 - 1)·2 + 1 + 1
        (1, 3, 2, "same", 1, 1, 2),  # seed 001 depth: (1 - 1)·2 + 1 + 1
        (4, 3, 2, "same", 0, 1, 7),  # seed 001 height: (4 - 1)·2 + 1 + 0
        (None, 3, 2, "same", None, 1, None),
    ],
)
def test_conv_transpose_output_length(
    n: int | None, k: int, s: int, padding: str, op: int | None, d: int, expected: int | None
) -> None:
    assert conv_transpose_output_length(n, k, s, padding, op, d) == expected


@pytest.mark.parametrize(
    ("n", "pool", "s", "padding", "expected"),
    [
        (224, 2, 2, "valid", 112),  # seed 000 encoder
        (25, 2, 2, "valid", 12),  # seed 003 at 100x100: 25 floored to 12
        (25, 2, 2, "same", 13),  # ceil(25 / 2)
        (7, 2, 2, "same", 4),  # seed 001: max_pool3d SAME 7 -> 4
        (2, 2, 2, "same", 1),  # seed 001: depth 2 -> 1
        (1, 2, 2, "valid", 0),  # refused by the layer
        (10, 3, 1, "valid", 8),
    ],
)
def test_pool_output_length(n: int, pool: int, s: int, padding: str, expected: int) -> None:
    assert pool_output_length(n, pool, s, padding) == expected
