"""Huge and odd numbers in every argument of every layer type, and in the Input's shape: the
CLI answers with exit 0, 1 or 2, a finding or a clear error, never an internal error, and
prints no value in full that is thousands of digits long (issue "check earns its place":
integers beyond Keras's int64 and shapes whose element count overflows are refused, DC103)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconvcheck.cli.main import cli
from deconvcheck.layers.registry import layer_types

EXAMPLES = int(os.environ.get("DECONVCHECK_FUZZ_EXAMPLES", "150"))


def _plain(value: object) -> bool:
    try:
        yaml.safe_dump(value)
    except yaml.YAMLError:
        return False
    return True


# (type, example arguments, input shapes without the batch axis, argument to replace)
CASES = [
    (cls.keras_name(), cls.example().args, [s[1:] for s in cls.example().inputs], arg.name)
    for cls in layer_types()
    if _plain(cls.example().args)
    for arg in cls.all_args()
    if arg.name not in ("name", "dtype")
]

ODD = st.one_of(
    st.sampled_from(
        [0, -1, 1, 2**31 - 1, 2**31, 2**32 + 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1,
         10**100, -(10**100), 10**4000, 1e308, -0.0, 0.5, math.inf, -math.inf, math.nan, True]
    ),
    st.integers(),
    st.lists(st.sampled_from([0, -1, 2**63, 10**50, 7]), min_size=1, max_size=4),
)  # fmt: skip


def _spec(type_name: str, args: dict[str, Any], shapes: list[Any], key: str, value: Any) -> str:
    layers: list[dict[str, Any]] = [
        {"type": "Input", "shape": list(shape), "name": f"in{i}"} for i, shape in enumerate(shapes)
    ]
    layer = {"type": type_name, **args, key: value, "name": "subject"}
    if len(shapes) > 1:
        layer["inputs"] = [f"in{i}" for i in range(len(shapes))]
    layers.append(layer)
    return yaml.safe_dump({"deconvcheck": 1, "layers": layers}, width=10**6)


def _answers_clearly(path: Path, command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, str(path)])
    output = result.output
    assert result.exit_code in (0, 1, 2), output
    assert "internal error" not in output and "Traceback" not in output
    assert max(map(len, output.splitlines()), default=0) < 3000  # no 4,000-digit value in full


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=st.sampled_from(CASES), value=ODD)
def test_odd_numbers_in_every_argument(
    tmp_path: Path, case: tuple[str, dict[str, Any], list[Any], str], value: Any
) -> None:
    type_name, args, shapes, key = case
    path = tmp_path / "odd.yaml"
    path.write_text(_spec(type_name, args, shapes, key, value))
    for command in (["summary", "--format", "json"], ["check"], ["draw"]):
        _answers_clearly(path, command)


@settings(max_examples=max(EXAMPLES // 3, 10), deadline=None)
@given(
    shape=st.lists(
        st.one_of(st.sampled_from([0, -1, 2**31, 2**62, 2**63, 10**30]), st.none()),
        min_size=1,
        max_size=4,
    ),
    rank=st.sampled_from([1, 2, 3]),
)
def test_odd_input_shapes(
    tmp_path_factory: pytest.TempPathFactory, shape: list[Any], rank: int
) -> None:
    """Sizes whose product overflows int64 (2**62 x 2**62), zeros and negatives in the Input."""
    path = tmp_path_factory.mktemp("shape") / "shape.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "deconvcheck": 1,
                "layers": [
                    {"type": "Input", "shape": shape},
                    {"type": f"Conv{rank}D", "filters": 2**40, "kernel_size": 3},
                    {"type": "Flatten"},
                    {"type": "Dense", "units": 2**40},
                ],
            }
        )
    )
    for command in (["summary", "--format", "json"], ["check"], ["sizes", "--range", "1:3"]):
        _answers_clearly(path, command)


def test_the_cases_cover_every_layer_type() -> None:
    """Every registered type with plain example arguments, each of its arguments."""
    covered = {type_name for type_name, _, _, _ in CASES}
    assert len(covered) >= 85
    assert len(CASES) > 500


@pytest.mark.parametrize("type_name", ["ZeroPadding2D", "ZeroPadding3D", "Cropping2D"])
@pytest.mark.parametrize("amount", [2**63, 10**4000], ids=["2^63", "10^4000"])
def test_a_padding_beyond_int64_is_refused_at_its_argument(
    tmp_path: Path, type_name: str, amount: int
) -> None:
    """An int padding (or cropping) is one amount for every edge; one that no 64-bit integer
    holds is DC103 at the argument, not an output shape thousands of digits long (found by
    the test above, ZeroPadding2D with a 4,900-digit padding)."""
    rank = int(type_name[-2])
    path = tmp_path / "pad.yaml"
    path.write_text(
        _spec(
            type_name,
            {},
            [[9] * rank + [3]],
            "padding" if "Zero" in type_name else "cropping",
            amount,
        )
    )
    result = CliRunner().invoke(cli, ["check", "--format", "json", str(path)])
    assert result.exit_code == 1, result.output
    (finding,) = json.loads(result.stdout)["files"][0]["diagnostics"]
    assert finding["code"] == "DC103" and finding["layer"] == "subject"
    assert "received a huge number" in finding["message"] or str(amount) in finding["message"]
