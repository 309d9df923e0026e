"""Real Keras 3 models that share layers, have several outputs or leave sizes open, recorded by
tools/record_keras_calls.py (tests/fixtures/calls/): each is read as Keras saved it (JSON,
and the `.keras` and `.h5` files where there are), row by row and call by call, and its summary
text is compared with Keras's own. Every number here is Keras's."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from deconvcheck.convert import to_keras, to_yaml
from deconvcheck.infer import infer
from deconvcheck.model import InferredLayer, Model
from deconvcheck.read.loader import load
from deconvcheck.report.summary import default_line_length, render_text
from tests.conftest import recorded_calls, recorded_row

CORPUS = Path(__file__).parent / "fixtures" / "calls"
EXPECTED = {p.name.removesuffix(".expected.json"): p for p in CORPUS.glob("*.expected.json")}
BUILT = sorted(n for n, p in EXPECTED.items() if not json.loads(p.read_text()).get("refused"))
FILES = sorted(
    (name, CORPUS / file)
    for name in BUILT
    for file in [f"{name}.json", *json.loads(EXPECTED[name].read_text()).get("files", [])]
    if not file.endswith(".weights.h5")  # no model in it: tests/test_keras_h5.py says so
)


def expected(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(EXPECTED[name].read_text())
    return doc


def test_the_corpus_is_there() -> None:
    assert len(BUILT) >= 25
    about = [expected(n)["about"] for n in BUILT]
    assert all(about) and not any("seed" in a for a in about)
    assert sum(path.suffix == ".h5" for _, path in FILES) >= 8
    assert sum(path.suffix == ".keras" for _, path in FILES) >= 8


def _row(layer: InferredLayer) -> dict[str, Any]:
    return {**recorded_row(layer), "calls": recorded_calls(layer)}


FIELDS = ("name", "type", "shape", "trainable", "non_trainable", "calls")
# A layer also called outside the model: Keras numbers its calls and takes its shape from every
# model it was called in, the file only from this one (compared with the reloaded summary).
OWN_FIELDS = ("name", "type", "trainable", "non_trainable")


def _model(path: Path) -> Model:
    model = infer(load(str(path)))
    assert not model.diagnostics, [d.message for d in model.diagnostics]
    return model


@pytest.mark.parametrize(("name", "path"), FILES, ids=[p.name for _, p in FILES])
def test_every_row_and_call_is_keras(name: str, path: Path) -> None:
    keras = expected(name)
    model = _model(path)
    fields = OWN_FIELDS if keras["reloaded_summary_differs"] else FIELDS
    ours = [_row(layer) for layer in model.layers]
    assert [{k: row[k] for k in fields} for row in ours] == [
        {k: row[k] for k in fields} for row in keras["summary_layers"]
    ]
    totals = model.totals
    assert (totals.total, totals.trainable, totals.non_trainable) == (
        keras["totals"]["total_params"],
        keras["totals"]["trainable_params"],
        keras["totals"]["non_trainable_params"],
    )


@pytest.mark.parametrize("name", BUILT)
def test_summary_text_is_keras_own(name: str) -> None:
    """Byte for byte, at 80 columns; where a shared layer was also called outside the model,
    Keras's summary of the model loaded back from its JSON (the file holds only this model's
    calls, renumbered)."""
    reloaded = CORPUS / f"{name}.reloaded.summary.txt"
    text = (reloaded if reloaded.exists() else CORPUS / f"{name}.summary.txt").read_text()
    model = _model(CORPUS / f"{name}.json")
    assert render_text(model, default_line_length(model, 80)) == text


@pytest.mark.parametrize("name", BUILT)
def test_convert_writes_the_calls_back(tmp_path: Path, name: str) -> None:
    """`convert` writes each later call as a `call:` entry and names tensors as
    `layer[call][output]`: the spec it writes reads back to the same summary."""
    model = _model(CORPUS / f"{name}.json")
    spec = tmp_path / "converted.yaml"
    spec.write_text(to_yaml(model, name))
    again = _model(spec)
    assert [_row(layer) for layer in again.layers] == [_row(layer) for layer in model.layers]
    assert render_text(again, 200) == render_text(model, 200)


@pytest.mark.parametrize("name", BUILT)
def test_export_builds_keras_own_model(name: str) -> None:
    """With Keras installed (CI installs it beside the CPU torch wheel), the module `export`
    writes builds, with Keras, the summary Keras printed for the recorded model."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    model = _model(CORPUS / f"{name}.json")
    namespace: dict[str, Any] = {}
    exec(compile(to_keras(model, name), name, "exec"), namespace)  # our own generated module
    keras.backend.clear_session()
    built = namespace["build_model"]()
    lines: list[str] = []
    built.summary(print_fn=lambda text, line_break=True: lines.append(text), line_length=76)
    assert "".join(lines) == render_text(model, default_line_length(model, 80))
