"""Models saved by real Keras (tests/fixtures/, recorded by tools/record_keras_models.py,
tools/record_keras_h5.py and tools/record_keras2_models.py): read without Keras, compared with what
Keras's summary showed; round trips through `convert` and `export`."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from deconvcheck.cli.main import cli
from deconvcheck.convert import to_keras, to_yaml
from deconvcheck.infer import infer
from deconvcheck.layers.registry import lookup
from deconvcheck.read.loader import load
from deconvcheck.report.summary import default_line_length, render_text
from tests.conftest import SAMPLES, rows

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = sorted(FIXTURES.glob("keras*/*.expected.json"))
BUILT = [p for p in EXPECTED if "summary_layers" in json.loads(p.read_text())]
REFUSED = [p for p in EXPECTED if json.loads(p.read_text()).get("refused")]
SOURCES = [
    (p.with_name(p.name.replace(".expected.json", suffix)), p)
    for p in BUILT
    for suffix in (".json", ".keras", ".h5")
    if p.with_name(p.name.replace(".expected.json", suffix)).exists()
]


def test_fixture_set() -> None:
    assert len([s for s, _ in SOURCES if s.parent.name == "keras3"]) >= 39  # .json .keras .h5
    assert len([s for s, _ in SOURCES if s.suffix == ".h5"]) >= 9
    assert len([s for s, _ in SOURCES if s.parent.name == "keras2"]) >= 20  # 12 JSON, 8 .h5
    assert len(CALLED) >= 12  # 6 models, JSON and .h5
    assert len(REFUSED) >= 2


def _shape(row: dict[str, Any]) -> Any:
    """The Output Shape of a recorded row as Keras 3 prints it: where Keras 2 says "multiple"
    (the layer's calls give different shapes), Keras 3 shows the last call's first output."""
    if row["output_shape"] == "multiple":
        return row["calls"][-1]["outputs"][0]
    return row["output_shape"]


@pytest.mark.parametrize(
    ("source", "expected"), SOURCES, ids=[f"{s.parent.name}/{s.name}" for s, _ in SOURCES]
)
def test_reads_what_keras_showed(source: Path, expected: Path) -> None:
    want = json.loads(expected.read_text())
    model = infer(load(str(source)))
    assert model.diagnostics == []
    assert model.name == want["name"]
    assert rows(model) == [
        (r["name"], r["type"], _shape(r), r["trainable"], r["non_trainable"])
        for r in want["summary_layers"]
    ]
    totals = model.totals
    assert (totals.total, totals.trainable, totals.non_trainable) == (
        want["total_params"], want["trainable_params"], want["non_trainable_params"],
    )  # fmt: skip


CALLED = [(s, e) for s, e in SOURCES if "calls" in json.loads(e.read_text())["summary_layers"][0]]


@pytest.mark.parametrize(
    ("source", "expected"), CALLED, ids=[f"{s.parent.name}/{s.name}" for s, _ in CALLED]
)
def test_every_call_is_keras_2s(source: Path, expected: Path) -> None:
    """Keras 2 models whose layers are called more than once or give several outputs
    (tools/record_keras2_models.py records `calls` there): each call's inputs and output shapes.
    Keras 2 numbers a layer's nodes over all its calls; the position of a call among the layer's
    calls in this model is the number Keras 3 and deconvcheck give it. (The file itself counts a
    nested model's calls from 1; the reader takes that off.)"""
    recorded = json.loads(expected.read_text())["summary_layers"]
    position = {(r["name"], c["node_index"]): i for r in recorded for i, c in enumerate(r["calls"])}
    want = [
        [
            ([[name, position[name, node], k] for name, node, k in c["inputs"]], c["outputs"])
            for c in r["calls"]
        ]
        for r in recorded
    ]
    model = infer(load(str(source)))
    assert [
        [
            ([list(ref) for ref in call.inputs], [list(s) for s in call.outputs])
            for call in layer.calls
        ]
        for layer in model.layers
    ] == want


@pytest.mark.parametrize("expected", REFUSED, ids=lambda p: p.name)
def test_models_keras_refuses_to_build(expected: Path) -> None:
    """Keras refuses the architecture when it is built (recorded); its JSON loader does not check
    again (it trusts each layer's recorded build shapes). deconvcheck does, from the file."""
    record = json.loads(expected.read_text())
    assert record["when_built"].startswith("ValueError: A `Concatenate` layer requires inputs")
    model = infer(load(str(expected.with_name(expected.name.replace(".expected.json", ".json")))))
    (diag,) = model.diagnostics
    assert diag.code == "DC201"
    joined = record["when_built"].split("input_shape=")[
        1
    ]  # e.g. [(None, 24, 24, 32), (None, 25, 25, 32)]
    first, second = joined.strip("[]").split("), (")
    assert f"{first})" in diag.message and f"({second}" in diag.message


def test_unknown_layer_class_is_named(tmp_path: Path) -> None:
    document = json.loads((FIXTURES / "keras3" / "conv_autoencoder.json").read_text())
    document["config"]["layers"][2]["class_name"] = "DepthToSpace"  # a user's own layer
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    model = infer(load(str(path)))
    (diag,) = model.diagnostics
    assert diag.code == "DC101"
    assert "'DepthToSpace'" in diag.message
    assert [layer.name for layer in model.layers] == ["image", "conv2d"]  # nothing after it


def _with_lambda(tmp_path: Path, output_shape: list[int] | None) -> Path:
    """conv_autoencoder.json with its third layer replaced by a Lambda as Keras 3 saves one
    (the function as serialized bytecode, `output_shape` only when it was given)."""
    document = json.loads((FIXTURES / "keras3" / "conv_autoencoder.json").read_text())
    entry = document["config"]["layers"][2]
    config = {
        "name": entry["config"]["name"],
        "trainable": True,
        "dtype": entry["config"]["dtype"],
        "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA", "defaults": None}},
        "arguments": {},
    }
    if output_shape is not None:
        config["output_shape"] = output_shape
    entry.update(class_name="Lambda", config=config)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    return path


def test_lambda_without_output_shape_is_refused_by_name(tmp_path: Path) -> None:
    model = infer(load(str(_with_lambda(tmp_path, None))))
    (diag,) = model.diagnostics
    assert diag.code == "DC113" and diag.layer is not None
    assert diag.message.startswith(f"Lambda {diag.layer!r}: ")
    assert "output_shape" in (diag.hint or "")


def test_lambda_with_output_shape_takes_it(tmp_path: Path) -> None:
    """Keras's Lambda.compute_output_shape: (batch,) + output_shape, no weights."""
    model = infer(load(str(_with_lambda(tmp_path, [14, 14, 32]))))
    lam = model.layers[2]
    assert (lam.type, lam.output_shape, lam.params.total) == ("Lambda", (None, 14, 14, 32), 0)


@pytest.mark.parametrize(
    ("source", "expected"), SOURCES, ids=[f"{s.parent.name}/{s.name}" for s, _ in SOURCES]
)
def test_convert_round_trip(tmp_path: Path, source: Path, expected: Path) -> None:
    model = infer(load(str(source)))
    spec = tmp_path / "converted.yaml"
    spec.write_text(to_yaml(model, str(source)))
    again = infer(load(str(spec)))
    assert again.diagnostics == []
    assert rows(again) == rows(model)
    assert render_text(again, 100) == render_text(model, 100)


def test_convert_cli_refuses_to_overwrite_its_source(tmp_path: Path) -> None:
    source = tmp_path / "model.json"
    source.write_text((FIXTURES / "keras3" / "dense_nd.json").read_text())
    result = CliRunner().invoke(cli, ["convert", str(source), "-o", str(source)])
    assert result.exit_code == 2
    assert source.read_text() == (FIXTURES / "keras3" / "dense_nd.json").read_text()


def test_check_reads_keras_files_in_a_folder() -> None:
    result = CliRunner().invoke(cli, ["check", "-q", "--select", "DC2", str(FIXTURES / "keras3")])
    lines = [line for line in result.stdout.splitlines() if ": DC" in line]
    assert [line.split(": ")[1].split()[0] for line in lines] == [
        "DC201",
        "DC201",
    ]  # the refused two


EXPORTED = [*sorted(SAMPLES.glob("*.yaml")), *(s for s, _ in SOURCES if s.suffix == ".json")]


@pytest.mark.parametrize("source", EXPORTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_export_to_keras_builds_the_same_model(source: Path) -> None:
    """With Keras installed (CI installs it beside the CPU torch wheel), the exported module's
    model has, layer by layer, the shapes and counts deconvcheck inferred."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    model = infer(load(str(source)))
    code = to_keras(model, str(source))
    namespace: dict[str, Any] = {}
    exec(compile(code, str(source), "exec"), namespace)  # our own generated module
    keras.backend.clear_session()
    built = namespace["build_model"]()
    got = {
        layer.name: (
            [list(t.shape) for t in _listed(layer.output)],
            sum(math.prod(w.shape) for w in layer.weights),
        )
        for layer in built.layers
    }
    # Keras's `layer.output` is a layer's first call's (a list where it gives several); its
    # summary shows the last call's
    first = {
        layer.name: layer.calls[0].outputs if layer.calls else (layer.output_shape,)
        for layer in model.layers
    }
    want = {
        layer.name: ([list(s) for s in first[layer.name]], layer.params.total)
        for layer in model.layers
    }
    assert {k: v for k, v in got.items() if k in want} == want
    assert built.count_params() == model.totals.total
    assert sys.modules.get("keras") is keras


def _listed(output: Any) -> list[Any]:
    """A layer's output tensors: Keras gives a list where there are several."""
    return output if isinstance(output, list) else [output]


SUMMARIES = sorted(FIXTURES.glob("keras3/*.summary.txt"))


@pytest.mark.parametrize("text_file", SUMMARIES, ids=lambda p: p.name)
def test_summary_text_is_keras_own(text_file: Path) -> None:
    """Keras's `model.summary()` text (recorded at 80 columns) is what deconvcheck prints for the
    same file, byte for byte: layer order, Connected to, wrapping, footers."""
    model = infer(load(str(text_file.with_name(text_file.name.replace(".summary.txt", ".json")))))
    assert render_text(model, default_line_length(model, 80)) == text_file.read_text()


def test_a_wrapper_reads_its_layer_as_keras_saves_it() -> None:
    """Bidirectional's config holds its layers serialized (`forward_lstm`, `backward_lstm`
    with go_backwards); the numbers are those recorded from Keras for LSTM(8) on 4 features
    (tests/goldens/keras_layers.json: bidirectional-layerlstm.u8-in10x4: (None, 16), 832)."""
    lstm = {"units": 8, "go_backwards": False, "return_sequences": False, "dropout": 0.0}
    config = {
        "name": "bidirectional",
        "trainable": True,
        "merge_mode": "concat",
        "layer": {
            "module": "keras.layers",
            "class_name": "LSTM",
            "config": {**lstm, "name": "forward_lstm"},
            "registered_name": None,
        },
        "backward_layer": {
            "module": "keras.layers",
            "class_name": "LSTM",
            "config": {**lstm, "name": "backward_lstm", "go_backwards": True},
            "registered_name": None,
        },
    }
    cls = lookup("Bidirectional")
    assert cls is not None
    layer = cls(cls.from_keras(config))
    assert layer.output_shape([(None, 10, 4)]) == (None, 16)
    assert layer.param_count([(None, 10, 4)]) == (832, 0)
