"""Property tests on the CLI entry point with random valid, near-valid and garbage input:
exit status in {0, 1, 2}, no traceback, valid JSON with --format json, the same output twice.

The default run is short for CI; DECONVCHECK_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py
runs a long one."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconvcheck.cli.main import cli
from deconvcheck.layers.registry import layer_types

EXAMPLES = int(os.environ.get("DECONVCHECK_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TYPE_NAMES = [n for cls in layer_types() for n in cls.NAMES] + ["Conv2DTransposed", "lambda", ""]
ARG_NAMES = sorted(
    {a.name for cls in layer_types() for a in cls.all_args()} | {"filtres", "inputs"}
)
scalars = st.one_of(
    st.integers(-3, 40),
    st.sampled_from(["same", "valid", "causal", "SAME", "channels_first", "relu", "x", "yes"]),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.lists(st.lists(st.integers(-1, 5), max_size=3), max_size=3),
)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    layers: list[dict[str, Any]] = []
    shape = draw(st.lists(st.one_of(st.integers(-1, 40), st.none()), min_size=1, max_size=4))
    layers.append({"type": "Input", "shape": shape, "name": "in0"})
    for i in range(draw(st.integers(0, 8))):
        layer: dict[str, Any] = {"type": draw(st.sampled_from(TYPE_NAMES)), "name": f"l{i}"}
        for key in draw(st.lists(st.sampled_from(ARG_NAMES), max_size=4, unique=True)):
            layer[key] = draw(values)
        if draw(st.booleans()) and i:
            layer["inputs"] = draw(
                st.lists(
                    st.sampled_from(["in0", *(f"l{j}" for j in range(i + 2))]),
                    min_size=1,
                    max_size=3,
                )
            )
        layers.append(layer)
    spec: dict[str, Any] = {"deconvcheck": draw(st.sampled_from([1, 1, 1, 2])), "layers": layers}
    if draw(st.booleans()):
        spec["restore"] = draw(st.sampled_from(["spatial", "shape", "none", "bad"]))
    return spec


def run_twice(args: list[str]) -> str:
    outputs = []
    for _ in range(2):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    return outputs[0]


def exercise(path: Path) -> None:
    out = run_twice(["summary", str(path), "--format", "json"])
    if out:
        json.loads(out)
    run_twice(["summary", str(path)])
    out = run_twice(["check", "-q", "--format", "json", str(path)])
    json.loads(out)
    run_twice(["draw", str(path)])
    run_twice(["draw", str(path), "--to", "dot"])


@FUZZ
@given(spec=specs(), as_json=st.booleans())
def test_random_specs(tmp_path: Path, spec: dict[str, Any], as_json: bool) -> None:
    path = tmp_path / ("spec.json" if as_json else "spec.yaml")
    path.write_text(json.dumps(spec) if as_json else yaml.safe_dump(spec))
    exercise(path)


@FUZZ
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".yaml", ".json"]))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"spec{suffix}"
    path.write_bytes(b"deconvcheck: 1\n" + data if data[:1] != b"{" else data)
    exercise(path)


@FUZZ
@given(text=st.text(alphabet="[]{}:,-'\"#&*!| \n\tab01", max_size=200))
def test_random_yaml_punctuation(tmp_path: Path, text: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("deconvcheck: 1\nlayers:\n" + text)
    exercise(path)


KERAS_FILES = sorted((Path(__file__).parent / "fixtures").glob("keras*/*[!d].json"))


@FUZZ
@given(
    index=st.integers(0, len(KERAS_FILES) - 1),
    layer=st.integers(0, 60),
    key=st.sampled_from(["class_name", "config", "inbound_nodes", "name", "filters", "kernel_size",
                         "strides", "padding", "batch_shape", "axis", "units", "target_shape"]),
    value=values,
)  # fmt: skip
def test_mutated_keras_files(tmp_path: Path, index: int, layer: int, key: str, value: Any) -> None:
    document = json.loads(KERAS_FILES[index].read_text())
    layers = document["config"]["layers"]
    entry = layers[layer % len(layers)]
    target = entry if key in ("class_name", "config", "inbound_nodes", "name") else entry["config"]
    target[key] = value
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    exercise(path)


def test_an_elementwise_merge_of_a_scalar_is_refused(tmp_path: Path) -> None:
    """Found by `test_random_specs`: `ops.Sum` of a whole tensor is a scalar, shape `()`, and
    an Average of it was an internal error (an IndexError reading its batch axis). Keras 3.15.1
    refuses it too, as `Average()([ops.sum(x)])` raising IndexError in Average.call: now
    DC203 at the merge, and the layers before it are inferred."""
    path = tmp_path / "scalar.yaml"
    path.write_text(
        "deconvcheck: 1\nlayers:\n"
        "  - {type: Input, shape: [null], name: in0}\n"
        "  - {type: ops.Sum, name: l0}\n"
        "  - {type: Average, name: l1, inputs: [l0]}\n"
    )
    result = CliRunner().invoke(cli, ["summary", "--format", "json", str(path)])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert [(layer["name"], layer["output_shape"]) for layer in summary["layers"]] == [
        ("in0", [None, None]),
        ("l0", []),
    ]
    (finding,) = summary["findings"]
    assert (finding["code"], finding["layer"], finding["line"]) == ("DC203", "l1", 5)
