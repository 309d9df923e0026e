"""Parity with real Keras 3, without Keras: compare with what `tools/record_keras_goldens.py`
recorded from Keras itself (tests/goldens/keras_*.json, keras_summaries/)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from deconvcheck.diagnostics import Code
from deconvcheck.infer import Model, infer
from deconvcheck.layers.base import Refusal
from deconvcheck.layers.registry import layer_types, lookup
from deconvcheck.read.loader import load
from deconvcheck.report.summary import default_line_length, render_text
from tests.conftest import GOLDENS, SAMPLES

LAYERS = json.loads((GOLDENS / "keras_layers.json").read_text())
MODELS = json.loads((GOLDENS / "keras_models.json").read_text())["models"]


def test_recorded_with_keras_3() -> None:
    assert LAYERS["keras_version"].startswith("3.")
    assert len(LAYERS["cases"]) >= 400
    refused = sum(not c["result"]["ok"] for c in LAYERS["cases"])
    assert 50 <= refused <= len(LAYERS["cases"]) - 200  # both kinds well represented


def ours(case: dict[str, Any]) -> dict[str, Any]:
    cls = lookup(case["type"])
    assert cls is not None, case["type"]
    shapes = [(case.get("batch_size"), *s) for s in case["input_shapes"]]
    if set(case["args"]) - {a.name for a in cls.all_args()}:
        return {"ok": False, "code": "DC102"}  # as the engine reports an unknown argument
    try:
        layer = cls(case["args"])
        outputs = layer.output_shapes(shapes)
        params = layer.param_count(shapes)
    except Refusal as refusal:
        return {"ok": False, "code": refusal.code}
    several = {"output_shapes": [list(s) for s in outputs]} if len(outputs) > 1 else {}
    return {
        "ok": True,
        **(several or {"output_shape": list(outputs[0])}),
        "trainable": params.trainable,
        "non_trainable": params.non_trainable,
    }


class Refused(NamedTuple):
    """What Keras raised, as the recording has it, and the rule code that says the same."""

    stage: str  # "construct": Keras's constructor raised; "call": calling the layer raised
    error: str  # the exception's class ("" for any)
    pattern: str  # searched in the message (the inner one, for an "Exception encountered ...")
    code: str
    given: tuple[str, ...] = ()  # only where the case gives one of these arguments


# How each refusal Keras recorded reads as a rule code; the first row that fits decides. A code's
# series says when Keras sees the problem: DC1xx, the arguments (Keras's constructor raises),
# DC2xx, the tensors (the call raises). Two kinds cross over, on purpose: deconvcheck checks
# every argument when it reads it, where Keras checks some only when it first uses them (a
# pooling `padding` of 'SAME', a stride of 0 that a call divides by, a Lambda's `output_shape`
# given as a bare int): those are DC103 at Keras's call. And how many tensors a layer is wired to
# is a fact of the spec's graph, checked with its structure (DC105-DC109) before any shape: DC109,
# though Keras finds out when it calls the layer. A keras.ops function has no constructor to
# refuse first: it checks its arguments when called on a tensor (a reshape's two -1), DC103 too.
REFUSALS = (
    # -- the constructor refused an argument
    Refused("construct", "TypeError", r"missing \d+ required positional argument",
            Code.MISSING_ARGUMENT),
    Refused("construct", "", r"unexpected keyword argument|Unrecognized keyword arguments"
            r"|does not take a `\w+` argument", Code.UNKNOWN_ARGUMENT),
    Refused("construct", "ValueError", r"`output_padding` must be strictly less than `strides`",
            Code.OUTPUT_PADDING_TOO_LARGE),
    Refused("construct", "ValueError", r"`strides > 1`.*`dilation_rate > 1`",
            Code.STRIDES_WITH_DILATION),
    Refused("construct", "ValueError", r"`padding` argument must be .*Received: causal",
            Code.CAUSAL_PADDING),
    Refused("construct", "", "", Code.VALUE_REFUSED),  # any other value the constructor refused
    # -- the call refused an argument Keras had not checked before (see above)
    Refused("call", "ValueError", r"Argument `padding` must be either", Code.VALUE_REFUSED),
    Refused("call", "ZeroDivisionError", r"division by zero", Code.VALUE_REFUSED, ("strides",)),
    Refused("call", "OverflowError", r"cannot convert float infinity", Code.VALUE_REFUSED,
            ("strides",)),
    Refused("call", "TypeError", r"can only concatenate tuple \(not \"int\"\)",
            Code.VALUE_REFUSED, ("output_shape",)),
    # ... and the arguments a keras.ops function checks when it is called (see above)
    Refused("call", "ValueError", r"at most one unknown dimension \(-1\)"
            r"|must be a non-negative integer, or `-1`|must be a valid permutation"
            r"|argument to `expand_dims` should be|`axis` cannot be None"
            r"|Expected `size` to be a tuple of 2|`size` must have positive height"
            r"|Only one of `pad_to_aspect_ratio`|`data_format` argument must be one of",
            Code.VALUE_REFUSED),
    Refused("call", "StopIteration", "", Code.VALUE_REFUSED, ("axis",)),  # expand_dims: 1, 1
    Refused("call", "ZeroDivisionError", r"modulo by zero", Code.VALUE_REFUSED,
            ("indices_or_sections",)),
    # -- the call got too few or too many tensors (see above)
    Refused("call", "", r"should be called on (a list of|exactly) \d+ inputs"
            r"|accepts inputs list of length|missing a required argument: 'value'",
            Code.INPUT_COUNT),
    # -- the call refused the tensors
    Refused("call", "ValueError", r"Computed output size would be zero or negative"
            r"|Cannot convert '\(.*-\d", Code.SIZE_NOT_POSITIVE),  # ... (None, 7, -1, 2)
    Refused("call", "ValueError", r"requires inputs with matching shapes"
            r"|Inputs have incompatible shapes|Incompatible input shapes|Cannot broadcast shape"
            r"|dimensions of `value` and `key`, except the last one, must be equal"
            r"|must have the same shape except on the `axis` dim|Inner dimensions .* must be equal",
            Code.MERGE_MISMATCH),
    # the values cannot all be kept: a reshape's sizes, a squeezed axis that is not 1, an axis
    # that does not divide into equal parts
    Refused("call", "ValueError", r"total size of the tensor must be unchanged"
            r"|Cannot squeeze axis|must be divisible by `indices_or_sections`",
            Code.RESHAPE_SIZE),
    Refused("call", "ValueError", r"in `cropping` argument should be smaller|`cropping` parameter",
            Code.CROPPED_AWAY),
    # an index past the input's axes: an axis the case gives (`axis`, PReLU's `shared_axes`),
    # or, without one, an axis the layer needs and the input's rank does not have
    Refused("call", "IndexError", r"index out of range", Code.AXIS_OUT_OF_RANGE,
            ("axis", "shared_axes")),
    Refused("call", "IndexError", r"index out of range", Code.RANK_MISMATCH),
    Refused("call", "ValueError", r"`axis` values must be in the range|is out of bounds"
            r"|Each axis in `axes` must be an integer in", Code.AXIS_OUT_OF_RANGE),
    Refused("call", "ValueError", r"is incompatible with the layer: expected (min_)?ndim"
            r"|Kernel shape must have the same length as input|with at least \d+ dimensions"
            r"|must be a non-nested tuple or list of rank-1"
            r"|axis must be a list of the same length as the input shape|Invalid images rank",
            Code.RANK_MISMATCH),
    # a size the weights are made from (channels, groups, a kept axis) is unknown or does not
    # fit: None in Keras's arithmetic (`None % groups`), a variable of undefined shape, a
    # mean of 3 values for 5 channels, LayerScale's projection_dim against the channels (the
    # one product its call computes, which Keras fails to trace)
    Refused("call", "ValueError", r"Shapes used to initialize variables must be fully-defined"
            r"|should be defined\. Found None|should have a defined dimension"
            r"|must have a known shape|only support static input shapes"
            r"|Number of groups \(\d+\) (cannot be more than|must be a multiple of)",
            Code.CHANNELS_REFUSED),
    Refused("call", "TypeError", r"unsupported operand type\(s\) .*'NoneType'",
            Code.CHANNELS_REFUSED),
    Refused("call", "RuntimeError", r"expanded size of the tensor|Could not automatically infer",
            Code.CHANNELS_REFUSED),
)  # fmt: skip

# Where deconvcheck's code is not the one Keras's refusal reads as: case id -> (Keras's, ours,
# why). Reported; a change to either side fails test_layer_matches_keras until this is updated.
DIFFERENT_CODE: dict[str, tuple[str, str, str]] = {
    "concatenate-axis4-in4x4x3+4x4x5": (
        Code.MERGE_MISMATCH,
        Code.AXIS_OUT_OF_RANGE,
        "axis 4 of rank-4 tensors: Keras reports the shapes as not matching, deconvcheck the "
        "axis as out of range (the cause)",
    ),
}

WRAPPED = re.compile(r"Exception encountered when calling .*?\x1b\[1m(.*?)\x1b\[0m", re.DOTALL)


def keras_refusal(case: dict[str, Any]) -> Refused:
    """The row of REFUSALS that reads what Keras raised for this case."""
    result = case["result"]
    wrapped = WRAPPED.search(result["message"])
    message = wrapped.group(1) if wrapped else result["message"]
    for row in REFUSALS:
        if (
            row.stage == result["stage"]
            and row.error in ("", result["error"])
            and re.search(row.pattern, message)
            and (not row.given or any(name in case["args"] for name in row.given))
        ):
            return row
    raise AssertionError(f"no row of REFUSALS reads {result['error']}: {message!r}")


REFUSED = [c for c in LAYERS["cases"] if not c["result"]["ok"]]


def test_every_refusal_reads_as_one_row_and_every_row_is_used() -> None:
    assert {keras_refusal(case) for case in REFUSED} == set(REFUSALS)


@pytest.mark.parametrize(("stage", "series"), [("construct", "DC1"), ("call", "DC2")])
def test_the_code_of_a_refusal_follows_the_stage_keras_refused_at(stage: str, series: str) -> None:
    """DC1xx where Keras's constructor refused, DC2xx where its call did, but for the two
    kinds REFUSALS explains."""
    crossing = {Code.VALUE_REFUSED, Code.INPUT_COUNT} if stage == "call" else set()
    codes = {keras_refusal(c).code for c in REFUSED if c["result"]["stage"] == stage}
    assert codes and all(code.startswith(series) or code in crossing for code in codes), codes


# Recorded from Keras but not supported by deconvcheck yet (a spec using one gets DC101 naming
# it): none today. test_unsupported_types_are_exactly_these keeps this honest.
NOT_YET: set[str] = set()
SUPPORTED = [c for c in LAYERS["cases"] if c["type"] not in NOT_YET]


def test_unsupported_types_are_exactly_these() -> None:
    recorded = {c["type"] for c in LAYERS["cases"]}
    assert {t for t in recorded if lookup(t) is None} == NOT_YET


@pytest.mark.parametrize("case", SUPPORTED, ids=[c["id"] for c in SUPPORTED])
def test_layer_matches_keras(case: dict[str, Any]) -> None:
    expected = case["result"]
    got = ours(case)
    if expected["ok"] and got.get("code") == "DC113":
        # The one deliberate difference: without `output_shape`, Keras runs a Lambda's Python
        # function to learn its shape; deconvcheck does not run code and says so (DC113).
        assert case["type"] == "Lambda" and "output_shape" not in case["args"]
    elif expected["ok"]:  # one output, or several (return_state): each as Keras gave it
        if "class" in expected:  # an operation: the class its summary row names
            assert lookup(case["type"]).keras_name() == expected["class"]  # type: ignore[union-attr]
        shapes = "output_shapes" if "output_shapes" in expected else "output_shape"
        assert got == {k: expected[k] for k in ("ok", shapes, "trainable", "non_trainable")}
    else:  # refused, with the code that says what Keras raised
        keras = keras_refusal(case).code
        recorded, ours_instead, _ = DIFFERENT_CODE.get(case["id"], (keras, None, ""))
        assert recorded == keras
        assert got == {"ok": False, "code": ours_instead or keras}, (
            f"Keras refused: {expected['error']}: {expected['message']}"
        )


# sample spec -> the Keras model built from the same seed code
SAMPLE_MODELS = {
    "vgg16_encoder.yaml": "vgg16_encoder",
    "vgg16_decoder.yaml": "vgg16_decoder",
    "dilated_decoder.yaml": "dilated_decoder",
    "layer_tour.yaml": "seed_layers",
    "unet.yaml": "unet",
    "conv3d_roundtrip.yaml": "conv3d_roundtrip",
}
# samples whose layer names are Keras's own (named as in the seed code, or left unnamed)
SAME_NAMES = set(SAMPLE_MODELS) - {"unet.yaml"}  # unet.yaml names layers after seed 003's variables


def _infer(name: str) -> Model:
    return infer(load(str(SAMPLES / name)))


@pytest.mark.parametrize(("sample", "key"), SAMPLE_MODELS.items())
def test_sample_matches_keras_layer_by_layer(sample: str, key: str) -> None:
    keras_model = MODELS[key]
    model = _infer(sample)
    got = [
        (layer.type, list(layer.output_shape), layer.params.trainable, layer.params.non_trainable)
        for layer in model.layers
    ]
    want = [
        (r["type"], r["output_shape"], r["trainable"], r["non_trainable"])
        for r in keras_model["layers"]
    ]
    assert got == want  # same order too: Keras's model.layers order
    totals = model.totals
    assert (totals.total, totals.trainable, totals.non_trainable) == (
        keras_model["total_params"],
        keras_model["trainable_params"],
        keras_model["non_trainable_params"],
    )
    if sample in SAME_NAMES:
        assert [layer.name for layer in model.layers] == [r["name"] for r in keras_model["layers"]]
        assert [list(layer.inputs) for layer in model.layers] == [
            r["inbound"] for r in keras_model["layers"]
        ]


def keras_named(sample: str, tmp_path: Path) -> Path:
    """The sample spec with its model and every layer named as Keras named them in the
    recording (unet.yaml names its layers after the seed's variables, Keras after their types)."""
    recorded = MODELS[SAMPLE_MODELS[sample]]
    ours = [layer.name for layer in _infer(sample).layers]
    names = dict(zip(ours, [r["name"] for r in recorded["layers"]], strict=True))
    spec = yaml.safe_load((SAMPLES / sample).read_text())
    spec["name"] = recorded["name"]
    for layer in spec["layers"]:
        layer["name"] = names[layer["name"]]
        if "inputs" in layer:
            layer["inputs"] = [names[name] for name in layer["inputs"]]
    path = tmp_path / sample
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


@pytest.mark.parametrize("sample", sorted(SAMPLE_MODELS))
def test_summary_text_is_keras_byte_for_byte(sample: str, tmp_path: Path) -> None:
    """Every sample's table is Keras's own `model.summary()` text (80 columns, a pipe): the
    summary of the model Keras built from the same code, with Keras's layer names where the
    sample's are its own."""
    if sample in SAME_NAMES:
        model = _infer(sample)
    else:
        model = infer(load(str(keras_named(sample, tmp_path))))
    keras_text = (GOLDENS / "keras_summaries" / f"{SAMPLE_MODELS[sample]}.txt").read_text()
    ours = render_text(model, default_line_length(model, 80))
    if sample == "vgg16_decoder.yaml":
        # The seed's own code names its decoder model "vgg-16_encoder" (a slip the recording
        # keeps); the sample spec calls it what it is. Everything below the name must agree.
        assert keras_text.startswith('Model: "vgg-16_encoder"\n')
        ours, keras_text = ours.split("\n", 1)[1], keras_text.split("\n", 1)[1]
    assert ours == keras_text


def test_every_sample_is_compared_with_keras() -> None:
    specs = [p.name for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".yml", ".json")]
    assert sorted(SAMPLE_MODELS) == sorted(specs)


def test_unet_at_100_is_refused_like_keras(tmp_path: Path) -> None:
    """Seed 003's U-Net at 100x100: Keras refuses the third skip concatenation, 24 vs 25."""
    assert "(None, 24, 24, 128), (None, 25, 25, 128)" in MODELS["unet_100"]["message"]
    text = (
        (SAMPLES / "unet.yaml").read_text().replace("shape: [160, 160, 8]", "shape: [100, 100, 8]")
    )
    spec = tmp_path / "unet100.yaml"
    spec.write_text(text)
    model = infer(load(str(spec)))
    (diag,) = model.diagnostics
    assert (diag.code, diag.layer) == ("DC201", "up7")
    assert "(None, 24, 24, 128), (None, 25, 25, 128)" in diag.message


def test_unet_at_96_matches_keras(tmp_path: Path) -> None:
    text = (SAMPLES / "unet.yaml").read_text().replace("shape: [160, 160, 8]", "shape: [96, 96, 8]")
    spec = tmp_path / "unet96.yaml"
    spec.write_text(text)
    model = infer(load(str(spec)))
    keras_model = MODELS["unet_96"]
    assert [list(layer.output_shape) for layer in model.layers] == [
        r["output_shape"] for r in keras_model["layers"]
    ]
    assert model.totals.total == keras_model["total_params"]


def test_every_layer_type_has_keras_recordings() -> None:
    """Each supported type is checked against Keras: built at least once, in 1-, 2- and 3-D
    where it has a rank, with both paddings where it has padding modes."""
    built = {
        cls.keras_name()
        for c in LAYERS["cases"]
        if c["result"]["ok"] and (cls := lookup(c["type"]))
    }
    missing = [cls.keras_name() for cls in layer_types() if cls.keras_name() not in built]
    # Input is exercised by every case; nested models are compared whole, with the models that
    # contain them (tests/test_applications.py).
    assert missing == ["InputLayer", "Functional", "Sequential"]
    for family in ("Conv{}D", "Conv{}DTranspose", "MaxPooling{}D", "AveragePooling{}D"):
        for rank in (1, 2, 3):
            paddings = {
                c["args"].get("padding", "valid")
                for c in LAYERS["cases"]
                if c["type"] == family.format(rank) and c["result"]["ok"]
            }
            assert {"valid", "same"} <= paddings, (family.format(rank), paddings)
    formats = {c["args"].get("data_format") for c in LAYERS["cases"] if c["result"]["ok"]}
    assert {"channels_first", "channels_last"} <= formats


@pytest.mark.parametrize(
    ("layer", "shape", "trainable", "non_trainable"),
    [
        # Recorded in Keras 3.15.1 (torch): the kernel frozen, two factors of rank 2 trained.
        ({"type": "Dense", "units": 8, "lora_rank": 2}, [4], 32, 32),  # 4*2 + 2*8 + 8 bias
        ({"type": "Dense", "units": 8, "lora_rank": 2, "use_bias": False}, [4], 24, 32),
        ({"type": "Dense", "units": 8, "lora_rank": 2, "lora_alpha": 4.0}, [3, 4], 32, 32),
        ({"type": "Embedding", "input_dim": 10, "output_dim": 4, "lora_rank": 2}, [5], 28, 40),
    ],
)
def test_lora_weights_are_counted_as_keras_counts_them(
    layer: dict[str, object], shape: list[int], trainable: int, non_trainable: int
) -> None:
    from deconvcheck import api  # noqa: PLC0415

    spec = {"layers": [{"type": "Input", "shape": shape}, layer]}
    row = api.summary(spec).to_dict()["layers"][1]
    assert (row["trainable_params"], row["non_trainable_params"]) == (trainable, non_trainable)
