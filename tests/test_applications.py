"""Real Keras models at scale, without Keras: the keras.applications family and keras.io-style
models recorded by tools/record_keras_applications.py (tests/fixtures/applications/*.json.gz,
tests/goldens/keras_applications.json.gz), read by deconvcheck and compared with what Keras showed,
layer by layer, then Keras's own summary text byte for byte. Refused sizes are compared with the
refusal Keras raised when the same architecture was built at that size. The backbones built with
an open input size, (None, None, 3), are compared at every size from 1 to 256 with what Keras
did at that size."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from deconvcheck.checks.config import Config
from deconvcheck.checks.run import check_file
from deconvcheck.convert import to_yaml
from deconvcheck.infer import Model, infer, propagate
from deconvcheck.read.loader import load
from deconvcheck.report.summary import default_line_length, model_json, render_text
from tests.conftest import GOLDENS, ROOT, rows
from tests.test_cli import run

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
    "nested_sequential", "convnexttiny_notop_open",
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


# --------------------------------------------------------------------------- open input sizes

# keras.applications.<function>(include_top=False, weights=None, input_shape=None), with Keras's
# verdict at every size from 1 to 256 (`keras_sizes`: the model called on keras.Input((n, n, 3)))
# and at a handful, run on np.zeros((1, n, n, 3)) (`keras_runs`).
OPEN = [m for m in MODELS if "keras_sizes" in m]
OPEN_IDS = [m["id"] for m in OPEN]


def unpack(entry: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / Path(entry["file"]).name.removesuffix(".gz")
    path.write_bytes(gzip.decompress((ROOT / entry["file"]).read_bytes()))
    return path


def keras_code(error: dict[str, Any]) -> str:
    """The rule for Keras's reason."""
    ((code,),) = [(c,) for phrase, c in KERAS_REFUSALS.items() if phrase in error["message"]]
    return code


def test_every_family_is_recorded_at_an_open_size() -> None:
    """Each keras.applications function of the corpus, as a fully convolutional backbone
    (NASNetMobile, refused on torch at any size, is in neither), and the default rules, DC307
    among them, are what test_check_is_quiet_on_every_stock_model runs on them."""
    families = {
        m["source"] for m in MODELS if m["builds"] and m["source"].startswith("keras.applications.")
    }
    assert sorted(m["source"] for m in OPEN) == sorted(families)
    assert len(OPEN) == 14
    for entry in OPEN:
        assert entry["id"].endswith("_notop_open") and entry in BUILT
        assert entry["args"] == {"include_top": False, "weights": None, "input_shape": None}
        assert entry["layers"][0]["output_shape"] == [None, None, None, 3]
        assert [row["size"] for row in entry["keras_sizes"]] == list(range(1, 257))
    assert Config().selects("DC307")


@pytest.mark.parametrize("entry", OPEN, ids=OPEN_IDS)
def test_sizes_are_the_sizes_keras_takes(entry: dict[str, Any], tmp_path: Path) -> None:
    """`deconvcheck sizes MODEL --range 1:256` lists the sizes at which Keras built the model,
    and only those, as the rule they follow ('every size from 32'); each other size fails at
    the layer Keras names first (of parallel branches failing at one size, the one Keras's own
    run of the model reaches first), for Keras's reason."""
    status, out, _ = run(
        "sizes", str(unpack(entry, tmp_path)), "--range", "1:256", "--format", "json"
    )
    assert status == 0
    found = json.loads(out)
    takes = [row["size"] for row in entry["keras_sizes"] if "output_shape" in row]
    assert takes == list(range(takes[0], 257))  # Keras: every size from the smallest it takes
    assert found["valid"] == takes
    assert found["rule"] == f"every size from {takes[0]}"
    refused = {row["size"]: row["error"] for row in entry["keras_sizes"] if "error" in row}
    assert [f["size"] for f in found["failures"]] == sorted(refused)
    for failure in found["failures"]:
        keras = refused[failure["size"]]
        assert failure["code"] == keras_code(keras)
        assert failure["layer"] == keras["layer"], (failure, keras["refused"])


@pytest.mark.parametrize("entry", OPEN, ids=OPEN_IDS)
def test_every_size_gives_the_shape_keras_gives(entry: dict[str, Any], tmp_path: Path) -> None:
    """The model at each size from 1 to 256 (the Input's shape replaced, as --input-shape
    does): the output shape Keras gave; where Keras refused the size, the first error is
    Keras's reason at a row Keras refused, naming the input shape Keras received when it is
    the row Keras named. None of these refusals is at a join: a skip connection of a stock
    backbone never fails before a pooling does, which is why DC307 says nothing on them."""
    model = read(entry, tmp_path)
    source = model.input_layers[0].name
    for row in entry["keras_sizes"]:
        n = row["size"]
        at = propagate(model.graph, {source: (None, n, n, 3)})
        if "output_shape" in row:
            assert at.ok, (n, [d.format_line() for d in at.diagnostics])
            assert [list(out.output_shape) for out in at.output_layers] == [row["output_shape"]]
            continue
        keras = row["error"]
        assert keras_code(keras) == "DC202"  # never "requires inputs with matching shapes"
        assert not at.ok, f"Keras refused {n}x{n} at {keras['layer']!r}: {keras['message']}"
        first = next(d for d in at.diagnostics if d.severity == "error")
        assert (first.code, first.layer in keras["refused"]) == ("DC202", True), (n, first)
        if first.layer == keras["layer"]:
            dims = re.split(r"[,\s]+", re.search(r"shape=[(\[]([^)\]]*)", keras["message"])[1])
            assert f"({', '.join(dims)})" in first.message, (n, first.message)


@pytest.mark.parametrize("entry", OPEN, ids=OPEN_IDS)
def test_keras_runs_the_sizes_summary_calls_valid(entry: dict[str, Any], tmp_path: Path) -> None:
    """Run on np.zeros((1, n, n, 3)) at 1, 97, 224 and around its smallest size, Keras computed
    the output `summary --input-shape n,n,3` prints (exit 0), or raised where the graph was
    refused at that size, at a row summary reports first, for the graph's reason (exit 1)."""
    path = str(unpack(entry, tmp_path))
    graph = {row["size"]: row for row in entry["keras_sizes"]}
    assert len(entry["keras_runs"]) >= 4
    for row in entry["keras_runs"]:
        n = row["size"]
        status, out, _ = run("summary", path, "--input-shape", f"{n},{n},3", "--format", "json")
        doc = json.loads(out)
        if "output_shape" in row:
            assert status == 0, (n, doc["diagnostics"])
            shapes = [r["output_shape"] for r in doc["layers"] if r["name"] in doc["outputs"]]
            assert shapes == [[None, *row["output_shape"][1:]]] == [graph[n]["output_shape"]]
            continue
        refused = graph[n]["error"]
        assert row["error"]["layer"] in refused["refused"], n  # the run stopped where the graph did
        assert status == 1, n
        first = next(d for d in doc["diagnostics"] if d["severity"] == "error")
        assert first["code"] == keras_code(refused) and first["layer"] in refused["refused"]


@pytest.mark.parametrize("entry", OPEN, ids=OPEN_IDS)
def test_costs_at_an_open_size_are_unknown(entry: dict[str, Any], tmp_path: Path) -> None:
    """`summary --columns macs,memory`: no number for what depends on a size the model does
    not have, and still Keras's verdict (it builds: exit 0)."""
    status, out, _ = run("summary", str(unpack(entry, tmp_path)), "--columns", "macs,memory")
    assert status == 0
    assert "Total MACs: unknown per sample (the input's size is open" in out
    assert "Activations: unknown per sample" in out
    assert "Total MACs: 0" not in out
