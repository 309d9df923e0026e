"""Parity with real Keras 3, without Keras: compare with what `tools/record_keras_goldens.py`
recorded from Keras itself (tests/goldens/keras_*.json, keras_summaries/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deconvcheck.infer import Model, infer
from deconvcheck.layers.base import Refusal
from deconvcheck.layers.registry import layer_types, lookup
from deconvcheck.read.loader import load
from deconvcheck.report.summary import default_line_length, render_text
from tests.conftest import GOLDENS, SAMPLES

LAYERS = json.loads((GOLDENS / "keras_layers.json").read_text())
MODELS = json.loads((GOLDENS / "keras_models.json").read_text())["models"]


def test_recorded_with_keras_3() -> None:
    assert LAYERS["keras_version"].startswith("3.")
    assert len(LAYERS["cases"]) >= 400
    refused = sum(not c["result"]["ok"] for c in LAYERS["cases"])
    assert 50 <= refused <= len(LAYERS["cases"]) - 200  # both kinds well represented


def ours(case: dict[str, Any]) -> dict[str, Any]:
    cls = lookup(case["type"])
    assert cls is not None, case["type"]
    shapes = [(None, *s) for s in case["input_shapes"]]
    if set(case["args"]) - {a.name for a in cls.all_args()}:
        return {"ok": False, "code": "DC102"}  # as the engine reports an unknown argument
    try:
        layer = cls(case["args"])
        outputs = layer.output_shapes(shapes)
        params = layer.param_count(shapes)
    except Refusal as refusal:
        return {"ok": False, "code": refusal.code}
    several = {"output_shapes": [list(s) for s in outputs]} if len(outputs) > 1 else {}
    return {
        "ok": True,
        **(several or {"output_shape": list(outputs[0])}),
        "trainable": params.trainable,
        "non_trainable": params.non_trainable,
    }


# Recorded from Keras but not supported by deconvcheck yet (a spec using one gets DC101 naming
# it): none today. test_unsupported_types_are_exactly_these keeps this honest.
NOT_YET: set[str] = set()
SUPPORTED = [c for c in LAYERS["cases"] if c["type"] not in NOT_YET]


def test_unsupported_types_are_exactly_these() -> None:
    recorded = {c["type"] for c in LAYERS["cases"]}
    assert {t for t in recorded if lookup(t) is None} == NOT_YET


@pytest.mark.parametrize("case", SUPPORTED, ids=[c["id"] for c in SUPPORTED])
def test_layer_matches_keras(case: dict[str, Any]) -> None:
    expected = case["result"]
    got = ours(case)
    if expected["ok"] and got.get("code") == "DC113":
        # The one deliberate difference: without `output_shape`, Keras runs a Lambda's Python
        # function to learn its shape; deconvcheck does not run code and says so (DC113).
        assert case["type"] == "Lambda" and "output_shape" not in case["args"]
    elif expected["ok"]:  # one output, or several (return_state): each as Keras gave it
        if "class" in expected:  # an operation: the class its summary row names
            assert lookup(case["type"]).keras_name() == expected["class"]  # type: ignore[union-attr]
        shapes = "output_shapes" if "output_shapes" in expected else "output_shape"
        assert got == {k: expected[k] for k in ("ok", shapes, "trainable", "non_trainable")}
    else:
        assert got["ok"] is False, f"Keras refused: {expected['error']}: {expected['message']}"


# sample spec -> the Keras model built from the same seed code
SAMPLE_MODELS = {
    "vgg16_encoder.yaml": "vgg16_encoder",
    "vgg16_decoder.yaml": "vgg16_decoder",
    "dilated_decoder.yaml": "dilated_decoder",
    "layer_tour.yaml": "seed_layers",
    "unet.yaml": "unet",
    "conv3d_roundtrip.yaml": "conv3d_roundtrip",
}
# samples whose layer names are Keras's own (named as in the seed code, or left unnamed)
SAME_NAMES = set(SAMPLE_MODELS) - {"unet.yaml"}  # unet.yaml names layers after seed 003's variables


def _infer(name: str) -> Model:
    return infer(load(str(SAMPLES / name)))


@pytest.mark.parametrize(("sample", "key"), SAMPLE_MODELS.items())
def test_sample_matches_keras_layer_by_layer(sample: str, key: str) -> None:
    keras_model = MODELS[key]
    model = _infer(sample)
    got = [
        (layer.type, list(layer.output_shape), layer.params.trainable, layer.params.non_trainable)
        for layer in model.layers
    ]
    want = [
        (r["type"], r["output_shape"], r["trainable"], r["non_trainable"])
        for r in keras_model["layers"]
    ]
    assert got == want  # same order too: Keras's model.layers order
    totals = model.totals
    assert (totals.total, totals.trainable, totals.non_trainable) == (
        keras_model["total_params"],
        keras_model["trainable_params"],
        keras_model["non_trainable_params"],
    )
    if sample in SAME_NAMES:
        assert [layer.name for layer in model.layers] == [r["name"] for r in keras_model["layers"]]
        assert [list(layer.inputs) for layer in model.layers] == [
            r["inbound"] for r in keras_model["layers"]
        ]


@pytest.mark.parametrize("sample", sorted(SAME_NAMES))
def test_summary_text_is_keras_byte_for_byte(sample: str) -> None:
    """Where the names agree, our table is Keras's own `model.summary()` text (80 columns)."""
    model = _infer(sample)
    keras_text = (GOLDENS / "keras_summaries" / f"{SAMPLE_MODELS[sample]}.txt").read_text()
    ours = render_text(model, default_line_length(model, 80))
    if sample == "vgg16_decoder.yaml":
        # The seed's own code names its decoder model "vgg-16_encoder" (a slip the recording
        # keeps); the sample spec calls it what it is. Everything below the name must agree.
        assert keras_text.startswith('Model: "vgg-16_encoder"\n')
        ours, keras_text = ours.split("\n", 1)[1], keras_text.split("\n", 1)[1]
    assert ours == keras_text


def test_unet_at_100_is_refused_like_keras(tmp_path: Path) -> None:
    """Seed 003's U-Net at 100x100: Keras refuses the third skip concatenation, 24 vs 25."""
    assert "(None, 24, 24, 128), (None, 25, 25, 128)" in MODELS["unet_100"]["message"]
    text = (
        (SAMPLES / "unet.yaml").read_text().replace("shape: [160, 160, 8]", "shape: [100, 100, 8]")
    )
    spec = tmp_path / "unet100.yaml"
    spec.write_text(text)
    model = infer(load(str(spec)))
    (diag,) = model.diagnostics
    assert (diag.code, diag.layer) == ("DC201", "up7")
    assert "(None, 24, 24, 128), (None, 25, 25, 128)" in diag.message


def test_unet_at_96_matches_keras(tmp_path: Path) -> None:
    text = (SAMPLES / "unet.yaml").read_text().replace("shape: [160, 160, 8]", "shape: [96, 96, 8]")
    spec = tmp_path / "unet96.yaml"
    spec.write_text(text)
    model = infer(load(str(spec)))
    keras_model = MODELS["unet_96"]
    assert [list(layer.output_shape) for layer in model.layers] == [
        r["output_shape"] for r in keras_model["layers"]
    ]
    assert model.totals.total == keras_model["total_params"]


def test_every_layer_type_has_keras_recordings() -> None:
    """Each supported type is checked against Keras: built at least once, in 1-, 2- and 3-D
    where it has a rank, with both paddings where it has padding modes."""
    built = {
        cls.keras_name()
        for c in LAYERS["cases"]
        if c["result"]["ok"] and (cls := lookup(c["type"]))
    }
    missing = [cls.keras_name() for cls in layer_types() if cls.keras_name() not in built]
    # Input is exercised by every case; nested models are compared whole, with the models that
    # contain them (tests/test_applications.py).
    assert missing == ["InputLayer", "Functional", "Sequential"]
    for family in ("Conv{}D", "Conv{}DTranspose", "MaxPooling{}D", "AveragePooling{}D"):
        for rank in (1, 2, 3):
            paddings = {
                c["args"].get("padding", "valid")
                for c in LAYERS["cases"]
                if c["type"] == family.format(rank) and c["result"]["ok"]
            }
            assert {"valid", "same"} <= paddings, (family.format(rank), paddings)
    formats = {c["args"].get("data_format") for c in LAYERS["cases"] if c["result"]["ok"]}
    assert {"channels_first", "channels_last"} <= formats
