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
from deconvcheck.model import Model, Ref
from deconvcheck.read.loader import load
from deconvcheck.read.spec import Spec
from deconvcheck.report.summary import default_line_length, render_text
from tests.conftest import recorded_calls, recorded_row

CORPUS = Path(__file__).parent / "fixtures" / "python"
FILES = sorted(CORPUS.glob("*.py"))
# Files the reader follows in part, and the lines where it says what it did not follow: a Layer
# subclass of the file's own, a constant computed by keras.ops (an Embedding run eagerly on
# `ops.arange`, which Keras leaves out of the model). Every row it does give is Keras's.
PARTIAL = {
    "cyclegan_resnet_generator": [48, 58, 72],
    "vae_sampling_layer": [29],
    "transformer_text_classifier": [26],
}
BUILT = [
    p
    for p in FILES
    if "models" in json.loads(p.with_suffix(".expected.json").read_text()) and p.stem not in PARTIAL
]
REFUSED = [p for p in FILES if "refused" in json.loads(p.with_suffix(".expected.json").read_text())]
# What Keras raised, as the rule deconvcheck reports it.
REFUSAL_CODES = {
    "refused_unet_odd_size": Code.MERGE_MISMATCH,
    "refused_residual_channels": Code.MERGE_MISMATCH,
    "refused_shared_dense_width": Code.SHARED_WEIGHTS_MISFIT,
    "refused_kernel_too_big": Code.SIZE_NOT_POSITIVE,
    "refused_generator_reshape": Code.RESHAPE_SIZE,
    "refused_fcn_transpose_skip": Code.MERGE_MISMATCH,
    "refused_dense_rank_concat": Code.MERGE_MISMATCH,
    "refused_residual_loop_add": Code.MERGE_MISMATCH,
}


def expected(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.with_suffix(".expected.json").read_text())
    return doc


def specs(path: Path) -> list[Spec]:
    first = load(str(path))
    return [first, *first.others] if first.layers else []


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
        assert [recorded_row(layer) for layer in model.layers] == [
            {k: row[k] for k in ("name", "type", "shape", "trainable", "non_trainable")}
            for row in recorded["summary_layers"]
        ], recorded["name"]
        assert [recorded_calls(layer) for layer in model.layers] == [
            row["calls"] for row in recorded["summary_layers"]
        ], recorded["name"]
        totals = recorded["totals"]
        assert (model.totals.total, model.totals.trainable, model.totals.non_trainable) == (
            totals["total_params"],
            totals["trainable_params"],
            totals["non_trainable_params"],
        )


@pytest.mark.parametrize("path", BUILT, ids=[p.stem for p in BUILT])
def test_summary_text_is_keras_own(path: Path) -> None:
    """Also where a layer was called in an earlier model too: Connected to numbers its calls
    over the session, as Keras does (`lstm_1[1][0]`)."""
    for model, recorded in zip(_models(path), expected(path)["models"], strict=True):
        assert render_text(model, default_line_length(model, 80)) == recorded["summary_text"]


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


def _cli(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner  # noqa: PLC0415

    from deconvcheck.cli.main import cli  # noqa: PLC0415

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_summary_prints_every_model_the_file_builds() -> None:
    path = str(CORPUS / "tabular_sequential_build.py")
    status, text = _cli("summary", path)
    assert status == 0
    assert [line for line in text.splitlines() if line.startswith("Model:")] == [
        'Model: "house_prices"',
        'Model: "churn"',
    ]
    status, text = _cli("summary", path, "--format", "json")
    listed = json.loads(text)["models"]
    assert [(m["name"], m["total_params"]) for m in listed] == [
        ("house_prices", 7169),  # Keras's totals, tests/fixtures/python/*.expected.json
        ("churn", 533),
    ]
    status, text = _cli("summary", path, "--model", "classifier", "--format", "json")
    assert json.loads(text)["name"] == "churn"


def test_a_builder_called_at_another_size_is_checked_there() -> None:
    """--model 'build_unet(...)': the builder run by the reader at 100x100 (the file builds
    it at 128): the third pooling floors 25 to 12, reported at the Concatenate's line in the
    builder's loop, with the chain that led there."""
    path = str(CORPUS / "unet_loop_upconv.py")
    status, text = _cli("summary", path, "--model", "build_unet((100, 100, 3), 2, depth=3)")
    assert status == 1
    finding = next(line for line in text.splitlines() if " DC201 " in line)
    assert finding.startswith(f"{path}:39:13: DC201 Concatenate 'concatenate' cannot join ")
    assert "(None, 24, 24, 64)" in finding and "(None, 25, 25, 64)" in finding
    assert "floored 25 to 12" in finding
    # Said in the code's terms, at the line of the call to change: a 2x2 stride-2 transposed
    # convolution with output_padding 1 takes 12 to (12 - 1) * 2 + 2 + 1 = 25.
    assert (
        "give 'conv2d_transpose' (line 36) `kernel_size=(2, 2), padding='valid', "
        "output_padding=(1, 1)` so that it outputs 25x25"
    ) in text
    assert "`layers.Cropping2D(cropping=((0, 1), (0, 1)))` before 'concatenate' (line 39)" in text
    status, text = _cli("summary", path, "--model", "build_unet(size=100)")
    assert status == 1
    assert "DC501 not followed: build_unet() got an unexpected keyword argument 'size'" in text
    assert "DC106 --model 'build_unet(size=100)': no model of that name" in text


def test_code_not_followed_is_said_and_the_rest_inferred(tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    model.write_text(
        "import keras\n"
        "from keras import layers\n"
        "\n"
        "class Block(layers.Layer):\n"
        "    def call(self, x):\n"
        "        return x\n"
        "\n"
        "inputs = keras.Input((32, 32, 3))\n"
        "x = layers.Conv2D(8, 3)(inputs)\n"
        "skip = x\n"
        "x = Block()(x)\n"
        "model = keras.Model(inputs, [skip, x])\n"
    )
    _, text = _cli("summary", str(model), "--format", "json")
    doc = json.loads(text)
    assert doc["complete"] is False
    # Conv2D(8, 3) on 32x32x3: 3*3*3*8 + 8 = 224 weights, 30x30 out
    assert [(r["name"], r["params"]) for r in doc["layers"]] == [
        ("input_layer", 0),
        ("conv2d", 224),
    ]
    _, text = _cli("summary", str(model))
    assert f"{model}:11:5: DC501 not followed: the class 'Block' defined at line 4" in text


def test_check_reads_model_code_that_imports_keras(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("def f(x):\n    return x ** 2\n")
    (tmp_path / "train.py").write_text("import keras\nEPOCHS = 3\n")  # no model built
    (tmp_path / "broken.py").write_text("import keras\nx = (\n")
    status, text = _cli("check", str(tmp_path))
    assert status == 1
    assert [line.split(": ")[1].split()[0] for line in text.splitlines() if ": DC" in line] == [
        "DC010"
    ]
    assert f"{tmp_path / 'broken.py'}:2:" in text


@pytest.mark.parametrize("stem", sorted(PARTIAL))
def test_what_is_not_followed_is_said_and_the_rest_is_keras(stem: str) -> None:
    path = CORPUS / f"{stem}.py"
    found = specs(path)
    assert all(not spec.complete for spec in found)
    lines = sorted({d.line for d in found[0].diagnostics if d.code == Code.NOT_FOLLOWED})
    assert lines == PARTIAL[stem]
    recorded = expected(path)["models"]
    assert [infer(s).name for s in found] == [k["name"] for k in recorded]
    fields = ("name", "type", "shape", "trainable", "non_trainable")
    for spec, keras in zip(found, recorded, strict=True):
        rows = {row["name"]: {k: row[k] for k in fields} for row in keras["summary_layers"]}
        ours = [recorded_row(layer) for layer in infer(spec).layers]
        assert ours and all(row == rows[row["name"]] for row in ours), keras["name"]


def test_an_input_with_a_batch_shape(tmp_path: Path) -> None:
    """keras.Input(batch_shape=...): Keras 3.15.1 prints (8, 28, 28, 1) and, for the 3x3
    Conv2D of 4 filters, (8, 26, 26, 4) with 3*3*1*4 + 4 = 40 weights."""
    model = tmp_path / "model.py"
    model.write_text(
        "import keras\n"
        "inputs = keras.Input(batch_shape=(8, 28, 28, 1))\n"
        "model = keras.Model(inputs, keras.layers.Conv2D(4, 3)(inputs))\n"
    )
    built = infer(load(str(model)))
    assert [(row.name, row.output_shape, row.params.total) for row in built.layers] == [
        ("input_layer", (8, 28, 28, 1), 0),
        ("conv2d", (8, 26, 26, 4), 40),
    ]


def test_code_in_the_encoding_it_declares(tmp_path: Path) -> None:
    """PEP 263: Python reads a Latin-1 file that says so; so does the reader (without the
    declaration the same bytes are not UTF-8: DC002, as for any file)."""
    body = 'import keras\ninputs = keras.Input((4,), name="entr\xe9e")\n'
    body += "model = keras.Model(inputs, keras.layers.Dense(2)(inputs))\n"
    declared = tmp_path / "declared.py"
    declared.write_bytes(("# -*- coding: latin-1 -*-\n" + body).encode("latin-1"))
    assert [row.name for row in infer(load(str(declared))).layers] == ["entrée", "dense"]
    undeclared = tmp_path / "undeclared.py"
    undeclared.write_bytes(body.encode("latin-1"))
    assert [d.code for d in load(str(undeclared)).diagnostics] == ["DC002"]


def test_a_partial_model_says_so_in_text_and_json(tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    model.write_text(
        "import keras\n"
        "class Block(keras.layers.Layer):\n"
        "    pass\n"
        "inputs = keras.Input((4,))\n"
        "x = keras.layers.Dense(2)(inputs)\n"
        "model = keras.Model(inputs, [x, Block()(x)])\n"
    )
    _, text = _cli("summary", str(model))
    assert " The totals cover the layers read: the code holds more (see below)." in text
    _, text = _cli("summary", str(model), "--format", "json")
    assert json.loads(text)["complete"] is False
    import deconvcheck  # noqa: PLC0415

    assert deconvcheck.summary(model).to_dict()["complete"] is False


def test_the_matmul_operator_and_a_part_counted_from_the_end(tmp_path: Path) -> None:
    """`q @ k` is Keras's Matmul and `ops.split(x, 2, axis=-1)[-1]` the last part, as Keras
    3.15.1 builds them: Dense(24) on 8 features has 8*24 + 24 = 216 weights; (6, 8) @ (8, 6)
    is (6, 6)."""
    model = tmp_path / "model.py"
    model.write_text(
        "import keras\n"
        "from keras import layers, ops\n"
        "x = keras.Input((6, 8))\n"
        "q, k, v = ops.split(layers.Dense(24)(x), 3, axis=-1)\n"
        "last = ops.split(x, 2, axis=-1)[-1]\n"
        "scores = q @ ops.transpose(k, (0, 2, 1))\n"
        "model = keras.Model(x, [scores, last])\n"
    )
    built = infer(load(str(model)))
    assert [(row.name, row.type, row.params.total) for row in built.layers] == [
        ("input_layer", "InputLayer", 0),
        ("dense", "Dense", 216),
        ("split", "Split", 0),
        ("transpose", "Transpose", 0),
        ("matmul", "Matmul", 0),
        ("split_1", "Split", 0),
    ]
    assert built.tensor(Ref("matmul")) == (None, 6, 6)
    assert built.graph.output_refs == (Ref("matmul"), Ref("split_1", 0, 1))
