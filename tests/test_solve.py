"""`solve`: every answer, fed back through the inference engine, gives exactly --out, and the
solver finds everything a brute-force search over the same bounds finds."""

from __future__ import annotations

import json
from itertools import product
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from deconvcheck.cli.main import cli
from deconvcheck.layers.base import Refusal
from deconvcheck.layers.registry import lookup
from deconvcheck.solve import plan
from deconvcheck.solve.settings import KERAS, PYTORCH, TF, Bounds, Setting

SMALL = Bounds(max_kernel=5, max_stride=4, max_dilation=2)


def keras_layer_output(s: Setting) -> int | None:
    """The length our Keras layer classes (the inference engine) compute for this setting."""
    if s.kind == "pool":
        layer = lookup("MaxPooling1D")(
            {"pool_size": s.kernel, "strides": s.stride, "padding": s.padding}
        )
    else:
        args = {"filters": 1, "kernel_size": s.kernel, "strides": s.stride, "padding": s.padding}
        args["dilation_rate"] = s.dilation
        if s.kind == "transpose":
            args["output_padding"] = s.output_padding
        layer = lookup("Conv1DTranspose" if s.kind == "transpose" else "Conv1D")(args)
    return layer.output_shape([(None, s.length_in, 1)])[1]


def pytorch_formula(s: Setting) -> int:
    """PyTorch's documented formulas, written out again here on purpose."""
    n, k, st_, p, d = s.length_in, s.kernel, s.stride, int(s.padding), s.dilation
    if s.kind == "transpose":
        assert (s.output_padding or 0) < max(st_, d)  # PyTorch's own constraint
        return (n - 1) * st_ - 2 * p + d * (k - 1) + (s.output_padding or 0) + 1
    return (n + 2 * p - d * (k - 1) - 1) // st_ + 1


def tf_forward(s: Setting) -> int:
    """tf.nn.conv2d_transpose accepts output_shape m when the forward convolution of m gives n."""
    m, k, st_ = s.length_out, s.kernel, s.stride
    return -(-m // st_) if s.padding == "same" else (m - k) // st_ + 1


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 24), m=st.integers(1, 70), framework=st.sampled_from([KERAS, PYTORCH, TF]))
def test_every_answer_is_exact(n: int, m: int, framework: str) -> None:
    for answer in plan.solve(framework, (n,), (m,), SMALL):
        (s,) = answer.axes
        assert s.length_out == m
        if framework == KERAS:
            assert keras_layer_output(s) == m
        elif framework == PYTORCH:
            assert pytorch_formula(s) == m
        elif s.kind == "transpose":
            assert tf_forward(s) == n


def brute_force_keras(n: int, m: int, b: Bounds) -> set[tuple[object, ...]]:
    """Every Keras transposed-convolution setting within b whose layer gives m, found by trying
    each one with the inference engine (refused settings are skipped, as Keras refuses them)."""
    found = set()
    for k, s, d, padding in product(
        range(1, b.max_kernel + 1),
        range(1, b.max_stride + 1),
        range(1, b.max_dilation + 1),
        ("same", "valid"),
    ):
        for op in [None, *range(b.max_stride)]:
            args = {
                "filters": 1,
                "kernel_size": k,
                "strides": s,
                "padding": padding,
                "dilation_rate": d,
                "output_padding": op,
            }
            try:
                out = lookup("Conv1DTranspose")(args).output_shape([(None, n, 1)])[1]
            except Refusal:
                continue
            if out == m:
                default = lookup("Conv1DTranspose")({**args, "output_padding": None}).output_shape(
                    [(None, n, 1)]
                )[1]
                # an explicit output_padding equal in effect to the default is the same layer
                found.add((k, s, d, padding, None if (op is not None and default == out) else op))
    return found


@pytest.mark.parametrize(("n", "m"), [(n, m) for n in range(1, 9) for m in range(n, 3 * n + 6)])
def test_solver_finds_what_brute_force_finds(n: int, m: int) -> None:
    answers = plan.solve(KERAS, (n,), (m,), SMALL)
    solved = {
        (a.first.kernel, a.first.stride, a.first.dilation, a.first.padding, a.first.output_padding)
        for a in answers
    }
    assert solved == brute_force_keras(n, m, SMALL)


def test_torch_answers_with_real_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for n, m in [(7, 14), (64, 128), (3, 5), (3, 6), (7, 9), (128, 64), (25, 12), (5, 17)]:
        for answer in plan.solve(PYTORCH, (n,), (m,), SMALL)[:12]:
            (s,) = answer.axes
            x = torch.zeros(1, 1, n)
            if s.kind == "transpose":
                layer = torch.nn.ConvTranspose1d(
                    1,
                    1,
                    s.kernel,
                    s.stride,
                    int(s.padding),
                    s.output_padding or 0,
                    dilation=s.dilation,
                )
            elif s.kind == "conv":
                layer = torch.nn.Conv1d(
                    1, 1, s.kernel, s.stride, int(s.padding), dilation=s.dilation
                )
            else:
                layer = torch.nn.MaxPool1d(s.kernel, s.stride, int(s.padding))
            assert layer(x).shape[-1] == m, (n, m, s)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["solve", *args])
    return result.exit_code, result.stdout


def test_seed_000_seven_to_fourteen() -> None:
    # seed 000: Conv2DTranspose(512, (2, 2), strides=2) takes 7x7 to 14x14
    code, out = run("--in", "7", "--out", "14", "--framework", "keras")
    assert code == 0
    assert 'keras.layers.Conv2DTranspose(filters, kernel_size=2, strides=2, padding="same")' in out
    assert "7·2 = 14" in out


def test_seed_001_five_or_six() -> None:
    # seed 001: input 3, strides 2, SAME: output_shape 5 and 6 are both valid
    code, out = run("--in", "3", "--out", "5", "--framework", "tf", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    same = [a for a in doc["answers"] if a["padding"] == "SAME" and a["strides"] == [2, 2]]
    assert same and same[0]["accepted_output_sizes"] == ["5 or 6", "5 or 6"]


def test_usual_upscale_rule_is_among_the_answers() -> None:
    # seed 002: F = 2f, S = f, P = f/2 for an f-times upscale; 64 -> 128 gives F=4, S=2, P=1
    code, out = run("--in", "64", "--out", "128", "-F", "pytorch", "--limit", "0", "-f", "json")
    assert code == 0
    answers = json.loads(out)["answers"]
    rule = [
        a
        for a in answers
        if a["kernel_size"] == [4, 4] and a["strides"] == [2, 2] and a["padding"] == [1, 1]
    ]
    assert len(rule) == 1
    assert rule[0]["arithmetic"] == ["(64 − 1)·2 − 2·1 + 4 = 128"] * 2
    assert any("the usual recipe for a 2x upscale" in c for c in rule[0]["caveats"])


def test_stages_seven_to_224() -> None:
    code, out = run("--in", "7", "--out", "224", "--stages", "-F", "keras", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    chain = doc["stages"]["keras"]
    assert [stage["in"][0] for stage in chain] + [chain[-1]["out"][0]] == [7, 14, 28, 56, 112, 224]
    assert doc["none"]["keras"]["nearest"] == [[63, None], [63, None]]


def test_per_axis_sizes() -> None:
    code, out = run("--in", "7x5", "--out", "14x10", "-F", "keras", "-f", "json")
    assert code == 0
    best = json.loads(out)["answers"][0]
    assert (best["kernel_size"], best["strides"], best["padding"]) == ([2, 2], [2, 2], "same")


def test_nothing_fits_exits_1_with_nearest() -> None:
    code, out = run("--in", "7", "--out", "225", "-F", "keras")
    assert code == 1
    assert "use --stages" in out
    assert "nearest sizes reachable from 7 in one layer: 63" in out


def test_downsampling_ranks_lossless_first() -> None:
    code, out = run("--in", "25", "--out", "12", "-F", "keras", "-f", "json", "--limit", "0")
    assert code == 0
    answers = json.loads(out)["answers"]
    # 25 -> 12 always loses the last pixel with a stride-2 window of 2 ('valid' floors 25 to 12)
    pool = [
        a
        for a in answers
        if a["layer"] == "pool" and a["kernel_size"] == [2, 2] and a["padding"] == "valid"
    ]
    assert pool and any("drops the last 1 pixel" in c for c in pool[0]["caveats"])
    assert answers[0]["artefact_free"] is True


@pytest.mark.parametrize(
    "bad",
    [["--in", "0", "--out", "4"], ["--in", "7x", "--out", "14"], ["--in", "4x8", "--out", "8x4"]],
)
def test_usage_errors_exit_2(bad: list[str]) -> None:
    code, _ = run(*bad)
    assert code == 2


def test_stages_that_find_nothing_do_not_advise_stages() -> None:
    """100 -> 64 has no exact single layer within the default bounds, nor a chain of strided
    stages (100/64 is no product of strides; stride-1 trims are not stages); with --stages the
    advice must not be "use --stages" again."""
    plain = CliRunner().invoke(cli, ["solve", "--in", "100", "--out", "64"])
    staged = CliRunner().invoke(cli, ["solve", "--in", "100", "--out", "64", "--stages"])
    assert plain.exit_code == staged.exit_code == 1
    assert "or use --stages" in plain.stdout
    assert "use --stages" not in staged.stdout
    assert "no chain of strided stages reaches it either" in staged.stdout


def test_a_kernel_narrower_than_its_stride_leaves_holes() -> None:
    """7 -> 14 with kernel 1, stride 2: outputs 0, 2, 4, ... each get one input, 1, 3, 5, ...
    none; that is holes, not the uneven overlap of a checkerboard."""
    out = CliRunner().invoke(cli, ["solve", "--in", "7", "--out", "14", "--limit", "0"]).output
    after = out.split('kernel_size=1, strides=2, padding="valid")\n', 1)[1].splitlines()
    notes = [line.strip() for line in after[1:3] if line.strip().startswith("note:")]
    assert notes == [
        "note: leaves holes: kernel 1 is narrower than stride 2, so 1 of every 2 output rows "
        "(and columns) receive no input, only the bias"
    ]


def keras_layer_shape(answer: dict[str, Any], ins: tuple[int, ...]) -> tuple[int | None, ...]:
    """The spatial output shape our Keras layer class computes for a JSON answer, N-D."""
    layer = lookup(f"Conv{len(ins)}DTranspose")(
        {
            "filters": 1,
            **{key: answer[key] for key in ("kernel_size", "strides", "dilation_rate")},
            "padding": answer["padding"],
            "output_padding": answer["output_padding"],
        }
    )
    return tuple(layer.output_shape([(None, *ins, 1)])[1:-1])


def test_axes_of_different_sizes_combine_into_one_layer() -> None:
    """keras issue 13231: Conv2DTranspose(kernel_size=7, strides=8, padding="same",
    output_padding=(7, 0)) takes 46x62 to 368x489 (real Keras 3 says (None, 368, 489, 1)).
    Keras's rule for 'same' with output_padding is (n − 1)·s + k % 2 + output_padding:
    (46 − 1)·8 + 1 + 7 = 368 and (62 − 1)·8 + 1 + 0 = 489. Alone, 46 -> 368 is best solved with
    no output_padding (46·8) and 62 -> 489 needs one; Keras takes it for every axis or none, so
    the best of each axis alone do not combine, while these settings do."""
    code, out = run(
        "--in", "46x62", "--out", "368x489", "-F", "keras", "-f", "json", "--limit", "0"
    )
    assert code == 0
    answers = json.loads(out)["answers"]
    issue = {
        "kernel_size": [7, 7],
        "strides": [8, 8],
        "dilation_rate": [1, 1],
        "padding": "same",
        "output_padding": [7, 0],
    }
    assert issue in [{key: a[key] for key in issue} for a in answers]
    assert all(keras_layer_shape(a, (46, 62)) == (368, 489) for a in answers)
    text = CliRunner().invoke(cli, ["solve", "--in", "46x62", "--out", "368x489", "-F", "keras"])
    assert text.exit_code == 0
    assert "Keras: Conv2DTranspose: 0 exact settings" not in text.stdout


def test_three_axes_of_different_sizes_combine() -> None:
    # 9 -> 20: (9 − 1)·2 + 4 = 20 ('valid', kernel 4, strides 2); the other axes as above
    answers = plan.solve(KERAS, (46, 62, 9), (368, 489, 20), Bounds())
    assert answers
    for answer in answers:
        layer = lookup("Conv3DTranspose")(
            {
                "filters": 1,
                "kernel_size": [a.kernel for a in answer.axes],
                "strides": [a.stride for a in answer.axes],
                "dilation_rate": [a.dilation for a in answer.axes],
                "padding": answer.first.padding,
                "output_padding": None
                if answer.first.output_padding is None
                else [a.output_padding for a in answer.axes],
            }
        )
        assert layer.output_shape([(None, 46, 62, 9, 1)])[1:4] == (368, 489, 20)


def test_axes_no_one_layer_takes_are_said_per_axis() -> None:
    """46 -> 360 needs 'same': 360 = (46 − 1)·8 + k % 2 + 0 with an even kernel, and 'valid'
    gives at least (46 − 1)·8 + 1 with strides 8, at most (46 − 1)·7 + 8 + 6 = 329 below. 46 -> 375
    needs 'valid': (46 − 1)·8 + 8 + 7; 'same' gives at most 46·8 = 368. Keras takes one padding
    for both axes, so no Conv2DTranspose does both; each axis is said alone."""
    code, out = run("--in", "46x46", "--out", "360x375", "-F", "keras")
    assert code == 1
    assert "Keras: Conv2DTranspose: 0 exact settings" in out
    assert (
        "none: each axis has settings, but no one layer takes them: Keras takes one padding" in out
    )
    assert "  axis 1 alone, 46 -> 360: 4 settings, best 3 shown\n" in out
    assert (
        "    (46 − 1)·8 + 8 % 2 + 0 = 360: Conv2DTranspose kernel_size=8, strides=8, "
        'padding="same", output_padding=0\n'
    ) in out
    assert (
        "  axis 2 alone, 46 -> 375: 1 setting\n"
        "    (46 − 1)·8 + 8 + 7 = 375: Conv2DTranspose kernel_size=8, strides=8, "
        'padding="valid", output_padding=7\n'
    ) in out
    assert "nearest sizes" not in out  # both axes can be reached, only not together
    doc = json.loads(run("--in", "46x46", "--out", "360x375", "-F", "keras", "-f", "json")[1])
    per_axis = doc["none"]["keras"]["per_axis"]
    assert [[a["padding"] for a in axis] for axis in per_axis] == [["same"] * 3, ["valid"]]


def test_stages_of_axes_of_different_sizes_are_each_one_layer() -> None:
    """Each axis plans its own chain (46 -> 92 -> 184 -> 368, 62 -> 122 -> 244 -> 489); a stage
    is one layer only if it takes both axes: 62 -> 122 is (62 − 1)·2 + 0 + 0 ('same' with
    output_padding 0), so the 46 -> 92 beside it must state an output_padding too, and
    244 -> 489 = (244 − 1)·2 + 2 + 1 needs 'valid', so 184 -> 368 must be 'valid' as well.
    Every stage printed, run through the layer class, gives the next sizes (real Keras 3 agrees:
    (92, 122), (184, 244), (368, 489))."""
    code, out = run("--in", "46x62", "--out", "368x489", "--stages", "-F", "keras", "-f", "json")
    assert code == 0
    chain = json.loads(out)["stages"]["keras"]
    assert [stage["in"] for stage in chain] + [chain[-1]["out"]] == [
        [46, 62], [92, 122], [184, 244], [368, 489],
    ]  # fmt: skip
    for stage in chain:
        assert keras_layer_shape(stage, tuple(stage["in"])) == tuple(stage["out"])
