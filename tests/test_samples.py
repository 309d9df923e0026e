"""Every sample spec is a test. Expected numbers come from the seed documents (quoted Keras
summaries, `../shared/seeds/`) and the issue's record of real Keras 3 on seed 003's code;
`test_keras_goldens.py` compares the same specs with Keras's own recordings, layer by layer and
their summary text byte for byte."""

from __future__ import annotations

from typing import Any

import pytest

from deconvcheck.infer import Model, infer
from deconvcheck.read.loader import load
from tests.conftest import SAMPLES

# file -> (total, trainable, non-trainable, input shape, output shape, per-layer params or None)
EXPECTED: dict[str, tuple[int, int, int, tuple[Any, ...], tuple[Any, ...], list[int] | None]] = {
    # seed 000, question: Update 2's encoder (VGG-16's published 14,714,688 conv parameters)
    "vgg16_encoder.yaml": (14_714_688, 14_714_688, 0, (None, 224, 224, 3), (None, 7, 7, 512), None),
    # seed 000, answer: the decoder summary, every row
    "vgg16_decoder.yaml": (
        17_037_059,
        17_037_059,
        0,
        (None, 7, 7, 512),
        (None, 224, 224, 3),
        [
            0,
            0,
            2_359_808,
            2_359_808,
            2_359_808,
            0,
            2_359_808,
            2_359_808,
            2_359_808,
            0,
            1_179_904,
            590_080,
            590_080,
            0,
            295_040,
            147_584,
            0,
            73_792,
            1_731,
        ],
    ),
    # seed 000, question: first summary, 7x7 -> 9x9 with dilation_rate=2
    "dilated_decoder.yaml": (
        1_049_088,
        1_049_088,
        0,
        (None, 7, 7, 512),
        (None, 9, 9, 512),
        [0, 1_049_088],
    ),
    # seed 002: the printed summary, every row
    "layer_tour.yaml": (
        87_957,
        87_829,
        128,
        (None, 128, 128, 3),
        (None, 128, 128, 85),
        [0, 1_792, 256, 0, 0, 0, 0, 73_792, 12_117, 0],
    ),
    # seed 003 (upconv=True): issue 2 records real Keras 3 on the seed's own code
    "unet.yaml": (31_105_669, 31_100_869, 4_800, (None, 160, 160, 8), (None, 160, 160, 5), None),
    # seed 001: [10,2,7,7,512] -> pool -> [10,1,4,4,512] -> conv3d_transpose -> [10,2,7,7,512];
    # params by hand: Conv3D and Conv3DTranspose 3·3·3·512·512 + 512 = 7,078,400 each
    "conv3d_roundtrip.yaml": (
        14_156_800,
        14_156_800,
        0,
        (None, 2, 7, 7, 512),
        (None, 2, 7, 7, 512),
        [0, 7_078_400, 0, 7_078_400],
    ),
}

SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.y*ml")) + sorted(
    p.name for p in SAMPLES.glob("*.json")
)


def _infer(name: str) -> Model:
    return infer(load(str(SAMPLES / name)))


def test_every_sample_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(SAMPLE_FILES)


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_numbers(name: str) -> None:
    total, trainable, non_trainable, first, last, per_layer = EXPECTED[name]
    model = _infer(name)
    assert model.diagnostics == []
    assert model.totals.total == total
    assert model.totals.trainable == trainable
    assert model.totals.non_trainable == non_trainable
    assert model.layers[0].output_shape == first
    assert model.layers[-1].output_shape == last
    if per_layer is not None:
        assert [layer.params.total for layer in model.layers] == per_layer


def test_seed_003_pool_shape_at_the_bottom() -> None:
    # 160 / 2**5 = 5: the five poolings of seed 003 take 160 to 5, conv5 has 1024 filters.
    model = _infer("unet.yaml")
    shapes = {layer.name: layer.output_shape for layer in model.layers}
    assert shapes["conv5"] == (None, 5, 5, 1024)
    assert shapes["up9"] == (None, 160, 160, 64)


def test_seed_001_intermediate_pool_shape() -> None:
    model = _infer("conv3d_roundtrip.yaml")
    shapes = {layer.name: layer.output_shape for layer in model.layers}
    assert shapes["pool"] == (None, 1, 4, 4, 512)
