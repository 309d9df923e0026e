"""Open input sizes (`Input(shape=(None, None, 3))`, how fully convolutional nets are written):
shapes with None as Keras prints them, costs never given as a number they are not, and which
sizes such a model takes, said by `check` and `summary` when other sizes fail at a skip join.

The U-Net is Keras's own (tests/fixtures/calls/unet_none_size.json, recorded by
tools/record_keras_calls.py): three MaxPooling2D of 2 and three Conv2DTranspose of stride 2,
each joined to the skip of its level, so by hand it joins only sizes divisible by 2**3 = 8."""

from __future__ import annotations

import json
from pathlib import Path

from deconvcheck.infer import infer
from deconvcheck.read.loader import load
from deconvcheck.sizes import scan
from tests.test_cli import run

UNET = str(Path(__file__).parent / "fixtures" / "calls" / "unet_none_size.json")


def test_check_says_which_sizes_a_none_size_unet_takes_and_where_others_fail() -> None:
    status, out, _ = run("check", UNET, "--format", "json")
    [file] = json.loads(out)["files"]
    [found] = file["diagnostics"]
    assert found["code"] == "DC307" and found["severity"] == "warning"
    message = found["message"]
    assert "leaves its size open, shape=(None, None, 3)" in message
    assert "takes multiples of 8 and gives each back" in message
    # 9: the first pooling floors 9 to 4, the transposed convolutions give 4 -> 8, not 9
    assert "at 9x9, Concatenate 'concatenate_2' cannot join (None, 8, 8, 8)" in message
    assert "(None, 9, 9, 8) from 'conv2d_1'" in message
    assert "MaxPooling2D 'max_pooling2d' floored 9 to 4" in message
    assert "multiples of 8" in found["hint"]
    assert status == 1  # a warning fails `check` by default


def test_summary_says_it_under_the_table_and_builds() -> None:
    status, out, _ = run("summary", UNET)
    assert "DC307 input 'image' leaves its size open" in out
    assert status == 0  # Keras builds it: the sizes fail when it runs


def test_costs_of_open_sizes_are_unknown_not_zero() -> None:
    _, out, _ = run("summary", UNET, "--columns", "macs,memory")
    assert "Total MACs: unknown per sample (the input's size is open" in out
    assert "Activations: unknown per sample" in out
    assert "Total MACs: 0" not in out
    _, text, _ = run("summary", UNET, "--columns", "macs,memory", "--format", "json")
    doc = json.loads(text)
    assert doc["total_macs"] is None and doc["activation_bytes_per_sample"] is None
    conv = next(row for row in doc["layers"] if row["name"] == "conv2d")
    assert conv["macs"] is None and conv["activation_bytes"] is None


def test_input_shape_gives_costs_for_one_size() -> None:
    """At 64x64: the first Conv2D (3x3, 3 -> 8 channels, 'same') costs
    64*64 positions x 3*3*3 x 8 = 884,736 MACs."""
    _, text, _ = run(
        "summary", UNET, "--columns", "macs", "--format", "json", "--input-shape", "64,64,3"
    )
    doc = json.loads(text)
    assert next(r for r in doc["layers"] if r["name"] == "conv2d")["macs"] == 884_736
    assert isinstance(doc["total_macs"], int) and doc["total_macs"] > 884_736


def test_sizes_scans_the_open_axes() -> None:
    model = infer(load(UNET))
    found = scan(model, 1, 64, restore=True)
    assert found.valid == [8, 16, 24, 32, 40, 48, 56, 64]
    assert found.restored == found.valid
    assert found.rule == "multiples of 8"


def test_one_open_axis_keeps_the_fixed_one(tmp_path: Path) -> None:
    """A text-line recogniser of height 32 and open width (Keras's own,
    tests/fixtures/calls/text_line_none_width.json): `sizes` varies the width only, and two
    poolings of 2 need a width of at least 4."""
    model = infer(load(str(Path(UNET).with_name("text_line_none_width.json"))))
    found = scan(model, 1, 16, restore=False)
    assert found.valid == list(range(4, 17))
    assert {(f.size, f.code) for f in found.failures} == {(1, "DC202"), (2, "DC202"), (3, "DC202")}


def test_no_warning_where_every_size_joins() -> None:
    _, out, _ = run("check", str(Path(__file__).parent / "rules" / "DC307"), "-f", "json")
    codes = [
        (Path(f["path"]).name, d["code"])
        for f in json.loads(out)["files"]
        for d in f["diagnostics"]
    ]
    assert codes == [("bad_unet_open_size.yaml", "DC307")]


def test_an_open_size_autoencoder_that_gives_back_another_size_is_said() -> None:
    """Keras's own (tests/fixtures/calls/autoencoder_none_size.json): two 'same' poolings of 2
    and two transposed convolutions of stride 2 take any size and give back 4 * ceil(ceil(n /
    2) / 2): n itself only for multiples of 4; at 5, 5 -> 3 -> 2 -> 4 -> 8."""
    _, out, _ = run("check", str(Path(UNET).with_name("autoencoder_none_size.json")))
    assert "takes every size from 1 and gives back multiples of 4" in out
    assert "other sizes come back changed: at 5x5, the output (None, 8, 8, 1)" in out
    assert "sizes along the way: 5 → 3 → 2 → 4 → 8" in out


def test_stock_models_with_open_sizes_say_nothing(tmp_path: Path) -> None:
    """keras.applications models built with include_top=False take (None, None, 3); the ones
    in the corpus at a fixed size are checked elsewhere. Here a ResNet-like stem and blocks
    written with an open size: every size from its smallest joins, so nothing is said."""
    spec = tmp_path / "resnet_like.yaml"
    spec.write_text(
        """\
layers:
  - {type: Input, shape: [null, null, 3], name: image}
  - {type: Conv2D, filters: 8, kernel_size: 3, strides: 2, padding: same, name: stem}
  - {type: Conv2D, filters: 8, kernel_size: 3, strides: 2, padding: same, name: main}
  - {type: Conv2D, filters: 8, kernel_size: 1, strides: 2, name: shortcut, inputs: [stem]}
  - {type: Add, inputs: [main, shortcut], name: join}
  - {type: GlobalAveragePooling2D}
"""
    )
    status, out, _ = run("check", str(spec))
    assert status == 0, out
