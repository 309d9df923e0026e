"""Real Keras models at scale, without Keras: the keras.applications family and keras.io-style
models recorded by tools/record_keras_applications.py (tests/fixtures/applications/*.json.gz,
tests/goldens/keras_applications.json.gz), read by deconvcheck and compared with what Keras showed,
layer by layer, then Keras's own summary text byte for byte. Refused sizes are compared with the
refusal Keras raised when the same architecture was built at that size."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from deconvcheck.check.config import Config
from deconvcheck.check.run import check_file
from deconvcheck.convert import to_yaml
from deconvcheck.infer import Model, infer
from deconvcheck.read.loader import load
from deconvcheck.report.summary import default_line_length, model_json, render_text
from tests.conftest import GOLDENS, ROOT, rows

RECORD = json.loads(gzip.decompress((GOLDENS / "keras_applications.json.gz").read_bytes()))
MODELS: list[dict[str, Any]] = RECORD["models"]
FIXTURES = ROOT / "tests" / "fixtures" / "applications"

# Keras's refusal (a phrase of its message) -> the rule that reports it
KERAS_REFUSALS = {
    "Computed output size would be zero or negative": "DC202",
    "requires inputs with matching shapes": "DC201",
}


def read(entry: dict[str, Any], tmp_path: Path) -> Model:
    """The recorded `model.to_json()`, gunzipped to a file, read and inferred as the CLI does."""
    path = tmp_path / Path(entry["file"]).name.removesuffix(".gz")
    path.write_bytes(gzip.decompress((ROOT / entry["file"]).read_bytes()))
    return infer(load(str(path)))


def test_recorded_corpus() -> None:
    assert RECORD["keras_version"].startswith("3.")
    assert RECORD["backend"] == "torch"
    ids = [m["id"] for m in MODELS]
    assert len(ids) == len(set(ids)) >= 40
    assert sum(not m["builds"] for m in MODELS) >= 5
    files = sorted(ROOT / m["file"] for m in MODELS)
    assert files == sorted(FIXTURES.glob("*.json.gz"))  # nothing unrecorded, nothing missing
    assert sum(f.stat().st_size for f in files) < 3_000_000
    for entry in MODELS:
        if entry["builds"]:
            assert entry["total"] == entry["trainable"] + entry["non_trainable"], entry["id"]
            assert entry["total"] == sum(
                r["trainable"] + r["non_trainable"] for r in entry["layers"]
            )


@pytest.mark.parametrize("entry", MODELS, ids=[m["id"] for m in MODELS])
@pytest.mark.usefixtures("depth_to_space_plugin")  # the super-resolution model's own layer
def test_matches_keras(entry: dict[str, Any], tmp_path: Path) -> None:
    model = read(entry, tmp_path)
    diagnostics = "\n".join(d.format_line() for d in model.diagnostics)
    if not entry["builds"]:
        assert_refused_like_keras(entry, model, diagnostics)
        return
    want = [
        (r["name"], r["class"], r["output_shape"], r["trainable"], r["non_trainable"])
        for r in entry["layers"]
    ]
    if not model.ok:
        pytest.fail(f"Keras built it; deconvcheck says:\n{diagnostics}", pytrace=False)
    got = rows(model)
    first = next(
        (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
        min(len(got), len(want)),
    )
    assert got == want, (
        f"first difference at model.layers[{first}] of {len(want)} (Keras) / {len(got)} (ours):\n"
        f"  Keras: {want[first] if first < len(want) else None}\n"
        f"  ours:  {got[first] if first < len(got) else None}\n{diagnostics}"
    )
    totals = model.totals
    assert (totals.total, totals.trainable, totals.non_trainable) == (
        entry["total"], entry["trainable"], entry["non_trainable"],
    )  # fmt: skip
    assert model.name == entry["name"]
    assert render_text(model, default_line_length(model, 80)) == entry["summary"]
    assert model.complete and model_json(model)["complete"] is True


def assert_refused_like_keras(entry: dict[str, Any], model: Model, diagnostics: str) -> None:
    """Keras refused the size twice: keras.applications' own minimum-size check, and, built on a
    `keras.Input` of that size, the layer whose output size reached zero. deconvcheck reads the
    edited file and must report that layer, with the rule for Keras's reason."""
    assert entry["error"]["type"] == "ValueError"
    assert entry["error"]["message"].startswith("Input size must be at least")
    graph = entry["graph_error"]
    ((phrase, code),) = [(p, c) for p, c in KERAS_REFUSALS.items() if p in graph["message"]]
    reason = next(line for line in graph["message"].splitlines() if phrase in line)
    assert not model.ok, f"Keras refused it at {graph['layer']!r}: {reason}"
    first = next(d for d in model.diagnostics if d.severity == "error")
    assert (first.code, first.layer) == (code, graph["layer"]), diagnostics
    assert graph["layer"] in first.message
    # the input shape Keras received, "(None, 2, 2, 192)" or "[None 1 1 512]", named too
    dims = re.split(r"[,\s]+", re.search(r"shape=[(\[]([^)\]]*)", graph["message"])[1])
    assert f"({', '.join(dims)})" in first.message


def test_a_custom_layer_without_its_plugin_is_named(tmp_path: Path) -> None:
    """Without the plugin: DC101 names the layer, its class and where the file registers it,
    and the layers before it are still inferred."""
    (entry,) = [m for m in MODELS if m["id"] == "keras_io_super_resolution"]
    model = read(entry, tmp_path)
    (diag,) = model.diagnostics
    assert diag.code == "DC101" and diag.layer == "depth_to_space"
    assert diag.message == (
        "layer 'depth_to_space': unknown layer type 'DepthToSpace' "
        "(registered as 'keras_io>DepthToSpace') (at config.layers[5])"
    )  # a one-line file: the JSON path says where the layer is
    assert "plugin" in (diag.hint or "")
    before = [
        (r["name"], r["class"], r["output_shape"], r["trainable"], r["non_trainable"])
        for r in entry["layers"]
    ][: [r["name"] for r in entry["layers"]].index("depth_to_space")]
    assert rows(model) == before
    # Honest partial totals: 5 of the 6 layers Keras lists are counted.
    assert (model.complete, len(model.layers), model.expected) == (False, 5, len(entry["layers"]))
    assert " The totals cover 5 of 6 layers" in render_text(model, 80)
    assert model_json(model)["complete"] is False


@pytest.mark.usefixtures("depth_to_space_plugin")
def test_the_example_plugin_is_found_through_its_entry_point() -> None:
    from deconvcheck.layers.registry import lookup  # noqa: PLC0415

    found = lookup("DepthToSpace")
    assert found is not None and found.__module__ == "depth_to_space_plugin"


# Models holding nested models (ConvNeXt's stem and downsampling blocks are Sequentials):
# `convert` writes them inline, under their layer's `model:`.
NESTED = {
    "keras_io_transfer_mobilenetv2", "convnexttiny", "convnexttiny_notop_160_avg",
    "nested_sequential",
}  # fmt: skip
ROUND_TRIP = [m for m in MODELS if m["builds"]]


@pytest.mark.parametrize("model_id", sorted(NESTED))
def test_nested_models_are_written_inline(model_id: str, tmp_path: Path) -> None:
    """Their expanded summary (each nested model's own layers under it) survives too."""
    (entry,) = [m for m in MODELS if m["id"] == model_id]
    model = read(entry, tmp_path)
    nested = [n for n in model.graph.order if model.graph.nodes[n].layer.inner() is not None]
    assert nested
    text = to_yaml(model, entry["file"])
    blocks = [part.split("\n    model:\n")[0] for part in text.split("\n  - type: ")[1:]]
    assert sorted(block.split("\n    name: ")[1].split("\n")[0] for block in blocks) == sorted(
        nested
    )
    spec = tmp_path / "converted.yaml"
    spec.write_text(text)
    again = infer(load(str(spec)))
    assert render_text(again, 100, expand_nested=True) == render_text(
        model, 100, expand_nested=True
    )


@pytest.mark.parametrize("entry", ROUND_TRIP, ids=[m["id"] for m in ROUND_TRIP])
@pytest.mark.usefixtures("depth_to_space_plugin")
def test_convert_round_trip(entry: dict[str, Any], tmp_path: Path) -> None:
    """What `convert` writes for a real model reads back to the same summary, row for row."""
    model = read(entry, tmp_path)
    spec = tmp_path / "converted.yaml"
    spec.write_text(to_yaml(model, entry["file"]))
    again = infer(load(str(spec)))
    assert again.diagnostics == []
    assert rows(again) == rows(model)
    assert render_text(again, 80) == render_text(model, 80)


BUILT = [m for m in MODELS if m["builds"]]


@pytest.mark.parametrize("entry", BUILT, ids=[m["id"] for m in BUILT])
@pytest.mark.usefixtures("depth_to_space_plugin")
def test_check_is_quiet_on_every_stock_model(entry: dict[str, Any], tmp_path: Path) -> None:
    """A hook that cries wolf on a stock model gets uninstalled: the default rules find
    nothing in any model Keras builds."""
    path = tmp_path / Path(entry["file"]).name.removesuffix(".gz")
    path.write_bytes(gzip.decompress((ROOT / entry["file"]).read_bytes()))
    assert check_file(str(path), Config()).diagnostics == []


REFUSED = [m for m in MODELS if not m["builds"]]


@pytest.mark.parametrize("entry", REFUSED, ids=[m["id"] for m in REFUSED])
def test_check_fails_every_size_keras_refuses(entry: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / Path(entry["file"]).name.removesuffix(".gz")
    path.write_bytes(gzip.decompress((ROOT / entry["file"]).read_bytes()))
    assert any(d.severity == "error" for d in check_file(str(path), Config()).diagnostics)
