"""Issue 6: explanations, MACs, memory, receptive field, and `sizes`, against numbers worked by
hand (shown) and an independent computation."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from deconvcheck.cli.main import cli
from deconvcheck.cost import costs
from deconvcheck.explain import explain
from deconvcheck.infer import Model, infer
from deconvcheck.layers.registry import lookup
from deconvcheck.read.loader import load
from deconvcheck.sizes import describe, scan
from tests.conftest import GOLDENS, SAMPLES


def model(name: str) -> Model:
    return infer(load(str(SAMPLES / name)))


def test_explain_seed_000_first_attempt() -> None:
    lines = explain(model("dilated_decoder.yaml"))["conv1"]
    assert lines == [
        "effective kernel (2 − 1)·2 + 1 = 3",
        "output (7 − 1)·1 + max(3, 1) = 9",
        "dilation widened the 2-wide kernel to 3, so each side grows by 2; "
        "to double the size use strides=2",
    ]


def test_explain_keras_3_same_with_output_padding() -> None:
    lines = explain(model("conv3d_roundtrip.yaml"))["y3"]
    # 'same' with output_padding: (n − 1)·s + k − 2·(k // 2) + output_padding (Keras 3 writes
    # it k % 2): depth (1 − 1)·2 + 3 − 2·1 + 1 = 2; height (4 − 1)·2 + 3 − 2·1 + 0 = 7
    same = "(padding 'same' with output_padding: pad = 3 // 2 = 1)"
    assert f"output (1 − 1)·2 + 3 − 2·1 + 1 = 2 {same}" in lines
    assert f"output (4 − 1)·2 + 3 − 2·1 + 0 = 7 {same}" in lines
    pool = explain(model("conv3d_roundtrip.yaml"))["pool"]
    assert pool[:2] == [
        "output ⌈2 / 2⌉ = 1 (padding 'same')",
        "output ⌈7 / 2⌉ = 4 (padding 'same')",
    ]


def test_explain_same_with_output_padding_in_keras_words(tmp_path: Path) -> None:
    """keras issue 13231: kernel 7, strides 8, 'same', output_padding (7, 0) on 46x62 gives
    368x489 (real Keras 3: (None, 368, 489, 8)). Keras's rule for 'same' with output_padding,
    (n − 1)·s + k − 2·pad + output_padding with pad = k // 2 = 3:
    (46 − 1)·8 + 7 − 6 + 7 = 368 and (62 − 1)·8 + 7 − 6 + 0 = 489. Nothing here is 'valid',
    and nothing is subtracted for an overhang (it used to say "adds -7 ('valid')")."""
    spec = tmp_path / "issue_13231.yaml"
    spec.write_text(
        "layers:\n"
        "  - {type: Input, shape: [46, 62, 3]}\n"
        "  - {type: Conv2DTranspose, name: up, filters: 8, kernel_size: 7, strides: 8,\n"
        "     padding: same, output_padding: [7, 0]}\n"
    )
    same = "(padding 'same' with output_padding: pad = 7 // 2 = 3)"
    assert explain(infer(load(str(spec))))["up"] == [
        f"output (46 − 1)·8 + 7 − 2·3 + 7 = 368 {same}",
        f"output (62 − 1)·8 + 7 − 2·3 + 0 = 489 {same}",
        "stride 8 spaces the 46 input pixels (46 − 1)·8 = 360 apart; the 7-wide kernel adds "
        "7 − 2·3 = 1 once 'same' crops 3 from each end, and output_padding adds 7",
        "stride 8 spaces the 62 input pixels (62 − 1)·8 = 488 apart; the 7-wide kernel adds "
        "7 − 2·3 = 1 once 'same' crops 3 from each end, and output_padding adds 0",
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        # 'valid', kernel 4 over stride 2, no output_padding: (5 − 1)·2 + 4 = 12 = 5·2 + 2
        (
            "kernel_size: 4, strides: 2",
            "stride 2 multiplies by 2; the kernel's overhang adds 2 ('valid')",
        ),
        # 'valid' with output_padding 1: (5 − 1)·2 + 3 + 1 = 12
        (
            "kernel_size: 3, strides: 2, output_padding: 1",
            "stride 2 spaces the 5 input pixels (5 − 1)·2 = 8 apart; 'valid' adds the whole "
            "3-wide kernel and output_padding 1",
        ),
        # 'valid', kernel 1 under stride 8 with output_padding 0: (5 − 1)·8 + 1 + 0 = 33, less
        # than 5·8: no overhang to speak of (it used to say the overhang adds -7)
        (
            "kernel_size: 1, strides: 8, output_padding: 0",
            "stride 8 spaces the 5 input pixels (5 − 1)·8 = 32 apart; 'valid' adds the whole "
            "1-wide kernel and output_padding 0",
        ),
    ],
)
def test_explain_transposed_words(tmp_path: Path, args: str, words: str) -> None:
    spec = tmp_path / "t.yaml"
    spec.write_text(
        "layers:\n  - {type: Input, shape: [5, 3]}\n"
        f"  - {{type: Conv1DTranspose, name: up, filters: 2, {args}}}\n"
    )
    assert explain(infer(load(str(spec))))["up"][-1] == words


def test_vgg16_encoder_macs_independent_computation() -> None:
    """Conv MACs = H_out·W_out·k·k·C_in·C_out, summed here from VGG-16's table of layers."""
    table = [  # (output size, C_in, C_out) for each 3x3 'same' convolution
        (224, 3, 64), (224, 64, 64),
        (112, 64, 128), (112, 128, 128),
        (56, 128, 256), (56, 256, 256), (56, 256, 256),
        (28, 256, 512), (28, 512, 512), (28, 512, 512),
        (14, 512, 512), (14, 512, 512), (14, 512, 512),
    ]  # fmt: skip
    expected = sum(size * size * 9 * c_in * c_out for size, c_in, c_out in table)
    assert expected == 15_346_630_656  # the commonly quoted ~15.3 GMACs of VGG-16's conv layers
    assert sum(c.macs for c in costs(model("vgg16_encoder.yaml")).values()) == expected


def test_transposed_convolution_counted_by_input_positions() -> None:
    # seed 000: 7·7 input positions · 2·2 kernel · 512 in · 512 out
    assert costs(model("dilated_decoder.yaml"))["conv1"].macs == 7 * 7 * 2 * 2 * 512 * 512


def test_receptive_field_vgg16() -> None:
    """Araujo et al. 2019: r += (k − 1)·j, j ·= s. VGG-16's pool5 sees 212 pixels, jump 32."""
    c = costs(model("vgg16_encoder.yaml"))
    # conv1_1 3, conv1_2 5, pool_1 6 (j 2), conv2_x 10, 14, pool_2 16 (j 4), conv3_x 24, 32, 40,
    # pool_3 44 (j 8), conv4_x 60, 76, 92, pool_4 100 (j 16), conv5_x 132, 164, 196, pool_5 212
    assert [(c[n].rf, c[n].jump) for n in ("conv1_2", "pool_1", "conv5_3", "pool_5")] == [
        (5, 1), (6, 2), (196, 16), (212, 32),
    ]  # fmt: skip


def test_receptive_field_through_upsampling_and_transpose() -> None:
    c = costs(model("vgg16_decoder.yaml"))
    # UpSampling 2 keeps r = 1 and halves j; a 3x3 'same' transposed conv with stride 1 reaches
    # ⌈3 / 1⌉ = 3 inputs: r = 1 + 2·(1/2) = 2
    assert (c["pool_5"].rf, c["pool_5"].jump) == (1, Fraction(1, 2))
    assert (c["conv5_3"].rf, c["conv5_3"].jump) == (2, Fraction(1, 2))


def test_memory_columns_json() -> None:
    args = ["summary", str(SAMPLES / "dilated_decoder.yaml"), "-f", "json"]
    args += ["--columns", "macs,memory,rf", "--batch-size", "8", "--dtype", "float16"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    # activations: input 7·7·512 + output 9·9·512 = 66,560 values · 2 bytes
    assert doc["activation_bytes_per_sample"] == (7 * 7 * 512 + 9 * 9 * 512) * 2
    assert doc["activation_bytes_batch"] == doc["activation_bytes_per_sample"] * 8
    assert doc["param_bytes"] == 1_049_088 * 2
    assert doc["total_macs"] == 51_380_224
    assert doc["layers"][1]["receptive_field"] == 3.0


def test_explain_text() -> None:
    result = CliRunner().invoke(
        cli, ["summary", str(SAMPLES / "dilated_decoder.yaml"), "--explain"]
    )
    assert result.exit_code == 0
    assert (
        "How each size comes about:\n  input (InputLayer) -> (None, 7, 7, 512)\n" in result.stdout
    )
    assert "  conv1 (Conv2DTranspose) -> (None, 9, 9, 512)\n      effective kernel" in result.stdout


def test_unet_valid_sizes_rule() -> None:
    """Five 'valid' poolings and exact skip joins: only multiples of 2**5 = 32 work."""
    result = scan(model("unet.yaml"), 64, 512, restore=True)
    assert result.valid == list(range(64, 513, 32))
    assert result.restored == result.valid
    assert result.rule == "multiples of 32"
    first = {f.size: f.layer for f in result.failures}
    assert first[100] == "up7"  # seed 003 at 100: 25 floored to 12, 24 ≠ 25 at up7


def test_sizes_cli_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["sizes", str(SAMPLES / "unet.yaml"), "--range", "1:4096", "-f", "json"]
    )
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert set(doc) >= {"valid", "restored", "rule"}
    assert doc["rule"] == "multiples of 32"
    assert doc["valid"] == list(range(32, 4097, 32))


def test_describe_rules() -> None:
    assert describe([5, 6, 7, 8], 1, 8) == "every size from 5"
    assert describe([3, 11, 19], 1, 20) == "3 more than a multiple of 8 (from 3)"
    assert describe([64, 96], 64, 100) == "multiples of 32"
    assert describe([64, 96, 100], 64, 100) is None
    assert describe([], 1, 10) is None


FVCORE = json.loads((GOLDENS / "fvcore_macs.json").read_text())


@pytest.mark.parametrize("case", FVCORE["cases"], ids=[c["type"] for c in FVCORE["cases"]])
def test_macs_match_fvcore_convention(case: dict[str, Any]) -> None:
    """fvcore (recorded by tools/record_fvcore_macs.py) counts a convolution's MACs as we do,
    and a transposed convolution's by input positions, as we do."""
    layer = lookup(case["type"])({**case["args"]})
    shape = (None, *case["input_shape"])
    assert layer.macs([shape], layer.output_shape([shape])) == case["fvcore_macs"]
