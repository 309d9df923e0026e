"""A model used as a layer, in the spec format: `model: other.yaml` names a spec (or a Keras
model file) relative to the spec. Keras shows it as one row of its class with all its
parameters; `trainable: false` makes them all non-trainable, as `base_model.trainable = False`
does. (Models nested in Keras files are compared with Keras in tests/test_applications.py.)"""

from __future__ import annotations

from pathlib import Path

from deconvcheck.infer import infer
from deconvcheck.read.loader import load

BLOCK = """\
deconvcheck: 1
name: block
layers:
  - {type: Input, shape: [null, null, 3]}
  - {type: Conv2D, filters: 4, kernel_size: 3, padding: same}
  - {type: MaxPooling2D}
"""

OUTER = """\
deconvcheck: 1
name: outer
layers:
  - {type: Input, shape: [64, 48, 3]}
  - {type: Functional, name: block, model: parts/block.yaml, trainable: %s}
  - {type: Flatten}
  - {type: Dense, units: 3}
"""


def write(tmp_path: Path, trainable: str = "true") -> Path:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "block.yaml").write_text(BLOCK)
    outer = tmp_path / "outer.yaml"
    outer.write_text(OUTER % trainable)
    return outer


def test_nested_model_is_one_row_run_on_the_outer_input(tmp_path: Path) -> None:
    model = infer(load(str(write(tmp_path))))
    assert model.diagnostics == []
    rows = [(layer.name, layer.type, layer.output_shape, layer.params) for layer in model.layers]
    # block: Conv2D 3x3 on 3 channels to 4: 3*3*3*4 + 4 = 112; 'same' keeps 64x48, the pool
    # halves it: 32x24. Its Input leaves the size open, so Keras runs it on 64x48.
    # Flatten: 32*24*4 = 3072; Dense: 3072*3 + 3 = 9219.
    assert rows == [
        ("input_layer", "InputLayer", (None, 64, 48, 3), (0, 0)),
        ("block", "Functional", (None, 32, 24, 4), (112, 0)),
        ("flatten", "Flatten", (None, 3072), (0, 0)),
        ("dense", "Dense", (None, 3), (9219, 0)),
    ]


def test_a_nested_model_refuses_a_size_its_input_does_not_take(tmp_path: Path) -> None:
    """Keras 3.15.1, `block(x)` with block's Input (32, 32, 3) and x (None, 64, 48, 3):
    "Input 0 with name 'input_layer' of layer 'block' is incompatible with the layer:
    expected shape=(None, 32, 32, 3), found shape=(None, 64, 48, 3)"."""
    outer = write(tmp_path)
    block = tmp_path / "parts" / "block.yaml"
    block.write_text(BLOCK.replace("[null, null, 3]", "[32, 32, 3]"))
    errors = [d for d in infer(load(str(outer))).diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["DC210"]
    assert "takes (None, 32, 32, 3) at input 0" in errors[0].message
    assert "received (None, 64, 48, 3)" in errors[0].message


def test_frozen_nested_model_counts_as_non_trainable(tmp_path: Path) -> None:
    model = infer(load(str(write(tmp_path, "false"))))
    assert model.layers[1].params == (0, 112)
    assert model.totals == (9219, 112)


def test_missing_and_self_referencing_models_are_reported(tmp_path: Path) -> None:
    outer = tmp_path / "outer.yaml"
    outer.write_text(OUTER.replace("parts/block.yaml", "nope.yaml") % "true")
    codes = {d.code for d in infer(load(str(outer))).diagnostics}
    assert "DC106" in codes
    selfish = tmp_path / "self.yaml"
    selfish.write_text(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [8, 3]}\n"
        "  - {type: Functional, model: self.yaml}\n"
    )
    diags = infer(load(str(selfish))).diagnostics
    assert any(d.code == "DC107" and "contains itself" in d.message for d in diags)


INLINE = """\
deconvcheck: 1
name: classifier
layers:
  - {type: Input, shape: [64, 64, 3], name: image}
  - type: Sequential
    name: features
    model:              # written in place, with a spec's keys (tools/record_keras_applications.py)
      name: features
      sequential: true
      layers:
        - {type: Input, shape: [64, 64, 3]}
        - {type: Conv2D, filters: 16, kernel_size: 3, padding: same, activation: relu}
        - {type: BatchNormalization}
        - {type: MaxPooling2D, pool_size: 2}
        - {type: Conv2D, filters: 32, kernel_size: 3, padding: same, activation: relu}
        - {type: GlobalAveragePooling2D}
  - {type: Dropout, rate: 0.3}
  - {type: Dense, units: 5, activation: softmax, name: label}
"""


def test_an_inline_nested_model_reads_as_keras_built_it(tmp_path: Path) -> None:
    """The recorder's nested_sequential, written inline: Keras's summary with expand_nested,
    byte for byte (tests/goldens/keras_summary_looks.json.gz)."""
    import gzip  # noqa: PLC0415
    import json  # noqa: PLC0415

    from deconvcheck.report.summary import default_line_length, render_text  # noqa: PLC0415
    from tests.conftest import GOLDENS  # noqa: PLC0415

    looks = json.loads(gzip.decompress((GOLDENS / "keras_summary_looks.json.gz").read_bytes()))
    spec = tmp_path / "classifier.yaml"
    spec.write_text(INLINE)
    model = infer(load(str(spec)))
    assert model.diagnostics == []
    keras_text = looks["summaries"]["nested_sequential@140"]["plain+expand"]
    width = default_line_length(model, 140)  # recorded with COLUMNS=140
    assert render_text(model, width, expand_nested=True) == keras_text


def test_a_problem_inside_an_inline_model_names_it(tmp_path: Path) -> None:
    spec = tmp_path / "classifier.yaml"
    spec.write_text(INLINE.replace("filters: 32, kernel_size: 3", "filters: 32, kernel_size: 0"))
    (diag,) = infer(load(str(spec))).diagnostics
    assert (diag.code, diag.line, diag.column) == ("DC103", 5, 5)
    assert diag.message.startswith(
        "Sequential 'features': inside model 'features': Conv2D 'conv2d_1': `kernel_size`"
    )
