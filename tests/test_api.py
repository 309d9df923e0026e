"""The Python API (`deconvcheck.summary`, `deconvcheck.check`) gives what the command line
prints: the same JSON objects, the same table; calls in one process do not affect each other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import deconvcheck
from tests.conftest import SAMPLES
from tests.test_cli import run

SPECS = sorted(SAMPLES.glob("*.yaml"))
UNET = SAMPLES / "unet.yaml"


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_summary_is_the_commands_json_and_table(spec: Path) -> None:
    result = deconvcheck.summary(spec)
    _, out, _ = run("summary", str(spec), "--format", "json")
    assert result.to_dict() == json.loads(out)
    _, text, _ = run("summary", str(spec))
    if result.model.layers:  # the command prints only the findings where no layer was read
        assert str(result) == text


def test_summary_takes_a_mapping_and_text() -> None:
    layers = [{"type": "Input", "shape": [8]}, {"type": "Dense", "units": 4}]
    from_mapping = deconvcheck.summary({"name": "tiny", "layers": layers})
    from_text = deconvcheck.summary(json.dumps({"name": "tiny", "layers": layers}))
    assert from_mapping.to_dict()["total_params"] == 8 * 4 + 4
    assert from_mapping.to_dict() == {**from_text.to_dict(), "path": "<mapping>"}
    assert from_mapping.builds and from_mapping.findings == []


def test_check_gives_the_commands_findings() -> None:
    findings = deconvcheck.check(UNET, input_shape=(100, 100, 8))
    _, out, _ = run("check", str(UNET), "--input-shape", "100,100,8", "--format", "json")
    [file] = json.loads(out)["files"]
    assert [f.to_dict() for f in findings] == file["diagnostics"]
    assert [f.code for f in findings] == ["DC201"]  # the U-Net at 100x100: 25 floored to 12


def test_calls_do_not_affect_each_other() -> None:
    """A check at another input size, then a summary: the file's own sizes (160x160x8)."""
    deconvcheck.check(UNET, input_shape=(100, 100, 8))
    after = deconvcheck.summary(UNET).to_dict()
    assert after["layers"][0]["output_shape"] == [None, 160, 160, 8]
    assert after["total_params"] == 31_105_669  # sample_specs/unet.yaml, recorded from Keras
    assert deconvcheck.summary(UNET, input_shape=(96, 96, 8)).model.layers[0].output_shape == (
        None,
        96,
        96,
        8,
    )
    assert deconvcheck.summary(UNET).model.layers[0].output_shape == (None, 160, 160, 8)


def test_a_file_that_cannot_be_read_raises(tmp_path: Path) -> None:
    with pytest.raises(deconvcheck.ReadError) as raised:
        deconvcheck.summary(tmp_path / "missing.yaml")
    assert raised.value.finding.code == "DC001"
    [finding] = deconvcheck.check(tmp_path / "missing.yaml")
    assert finding.code == "DC001"


def test_a_wrong_input_shape_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="positive ints or None"):
        deconvcheck.summary(UNET, input_shape=(0, 100, 8))


def test_a_notebook_shows_the_coloured_table() -> None:
    html = deconvcheck.summary(UNET)._repr_html_()
    assert html.startswith("<!DOCTYPE html>") or "<pre" in html
    assert "unet" in html and "31,105,669" in html and "color" in html


def test_a_finding_says_its_fix_under_one_name_and_the_old_one() -> None:
    found = deconvcheck.check(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [7, 7, 512]}\n"
        "  - {type: Conv2DTranspose, filters: 512, kernel_size: 2, dilation_rate: 2}\n"
    )
    assert [f.code for f in found] == ["DC305"]
    # dilation 2 widens the 2x2 kernel to 3x3: 7 -> 9; strides 2 would give 14
    assert found[0].fix is not None and "strides=2" in found[0].fix
    assert found[0].to_dict()["fix"] == found[0].to_dict()["hint"] == found[0].fix


def test_model_code_through_the_api() -> None:
    """A .py file read, never run: its first model by default, another by name or by calling
    its builder at another size. Totals are Keras's (tests/fixtures/python/*.expected.json)."""
    corpus = Path(__file__).parent / "fixtures" / "python"
    path = corpus / "tabular_sequential_build.py"
    assert deconvcheck.summary(path).to_dict()["total_params"] == 7169
    assert deconvcheck.summary(path, model="churn").to_dict()["total_params"] == 533
    unet = corpus / "unet_loop_upconv.py"
    assert deconvcheck.check(unet) == []
    found = deconvcheck.check(unet, model="build_unet((100, 100, 3), 2, depth=3)")
    assert [(f.code, f.line) for f in found] == [("DC201", 39)]
