"""A layer called more than once (a shared layer): each call has its own inputs and shape, the
weights are counted once, and "Connected to" lists every call as Keras prints it.

The spec's `call:` entry calls a declared layer again; `name[call][output]` names a tensor.
Numbers here are worked by hand (Dense(units) on n features: n*units + units parameters);
the models Keras itself recorded are compared in tests/test_calls_corpus.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deconvcheck.infer import infer
from deconvcheck.read.loader import load
from tests.test_cli import run

SIAMESE = """\
name: siamese
layers:
  - {type: Input, shape: [8], name: a}
  - {type: Input, shape: [8], name: b}
  - {type: Dense, units: 8, name: shared, inputs: [a]}
  - {call: shared, inputs: [b]}
  - {call: shared}
  - {type: Concatenate, inputs: [shared, "shared[1][0]", "shared[2][0]"]}
"""


def spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_shared_layer_is_counted_once_and_each_call_is_kept(tmp_path: Path) -> None:
    model = infer(load(spec(tmp_path, SIAMESE)))
    assert model.ok, model.diagnostics
    rows = {layer.name: layer for layer in model.layers}
    assert [layer.name for layer in model.layers] == ["a", "b", "shared", "concatenate"]
    assert rows["shared"].params.total == 8 * 8 + 8  # once, not three times
    assert model.totals.total == 72
    calls = rows["shared"].calls
    assert [[str(ref) for ref in call.inputs] for call in calls] == [
        ["a[0][0]"],
        ["b[0][0]"],
        ["shared[1][0]"],  # no `inputs:`: the entry above, the second call
    ]
    assert [call.outputs for call in calls] == [((None, 8),)] * 3
    assert rows["concatenate"].output_shape == (None, 24)


def test_connected_to_lists_every_call(tmp_path: Path) -> None:
    status, out, _ = run("summary", spec(tmp_path, SIAMESE), "--width", "160")
    assert status == 0, out
    assert "│ a[0][0], b[0][0], shared[1][0]" in out
    assert "│ shared[0][0], shared[1][0],  " in out  # rich wraps the cell before shared[2][0]
    assert "│ shared[2][0]  " in out


def test_summary_json_gives_each_call(tmp_path: Path) -> None:
    _, out, _ = run("summary", spec(tmp_path, SIAMESE), "--format", "json")
    doc = json.loads(out)
    shared = next(row for row in doc["layers"] if row["name"] == "shared")
    assert shared["inputs"] == ["a"]  # today's field: the first call's layers
    assert shared["calls"] == [
        {"inputs": [["a", 0, 0]], "output_shapes": [[None, 8]]},
        {"inputs": [["b", 0, 0]], "output_shapes": [[None, 8]]},
        {"inputs": [["shared", 1, 0]], "output_shapes": [[None, 8]]},
    ]


def test_a_layer_shared_at_two_sizes_shows_its_last_call(tmp_path: Path) -> None:
    text = """\
layers:
  - {type: Input, shape: [32, 32, 3], name: image}
  - {type: Conv2D, filters: 4, kernel_size: 3, padding: same, name: conv}
  - {type: MaxPooling2D, pool_size: 2, name: pool, inputs: [image]}
  - {call: conv}
  - {type: GlobalAveragePooling2D, name: big, inputs: [conv]}
  - {type: GlobalAveragePooling2D, name: small, inputs: ["conv[1][0]"]}
  - {type: Concatenate, inputs: [big, small]}
"""
    model = infer(load(spec(tmp_path, text)))
    assert model.ok, model.diagnostics
    conv = next(layer for layer in model.layers if layer.name == "conv")
    assert conv.params.total == 3 * 3 * 3 * 4 + 4  # 112, made at the first call
    assert [call.outputs[0] for call in conv.calls] == [(None, 32, 32, 4), (None, 16, 16, 4)]
    assert conv.output_shape == (None, 16, 16, 4)  # Keras prints the last call's shape


@pytest.mark.parametrize(
    ("entries", "code", "words"),
    [
        (  # calling a layer before it is declared
            "  - {call: dense}\n  - {type: Dense, units: 4, name: dense, inputs: [a]}\n",
            "DC106",
            "`call: dense` calls a layer that is not declared above it",
        ),
        (  # a typo in the layer to call
            "  - {type: Dense, units: 4, name: dense, inputs: [a]}\n  - {call: dens}\n",
            "DC106",
            "did you mean 'dense'?",
        ),
        (  # a call that does not exist
            "  - {type: Dense, units: 4, name: dense, inputs: [a]}\n"
            '  - {type: Dense, units: 2, name: head, inputs: ["dense[1][0]"]}\n',
            "DC106",
            "names call 1 of 'dense', which is called once (call 0)",
        ),
        (  # an output that does not exist
            "  - {type: Dense, units: 4, name: dense, inputs: [a]}\n"
            '  - {type: Dense, units: 2, name: head, inputs: ["dense[0][1]"]}\n',
            "DC106",
            "names output 1 of 'dense', which gives one output (output 0)",
        ),
        (  # 8 features at the first call (36 weights), 16 at the second (68)
            "  - {type: Dense, units: 4, name: dense, inputs: [a]}\n"
            "  - {call: dense, inputs: [b]}\n",
            "DC209",
            "Dense 'dense' (call 1): its weights were made for (None, 8) (36 parameters); "
            "this call receives (None, 16), which would need 68",
        ),
        (  # a call is not a place for arguments
            "  - {type: Dense, units: 4, name: dense, inputs: [a]}\n"
            "  - {call: dense, inputs: [a], units: 8}\n",
            "DC006",
            "which takes only `inputs:`; found 'units'",
        ),
        (  # a cycle through a second call
            '  - {type: Dense, units: 8, name: d1, inputs: ["d2[1][0]"]}\n'
            "  - {type: Dense, units: 8, name: d2, inputs: [a]}\n"
            "  - {call: d2, inputs: [d1]}\n",
            "DC107",
            "depends on itself through its inputs",
        ),
    ],
)
def test_bad_calls_are_said_where_they_are(
    tmp_path: Path, entries: str, code: str, words: str
) -> None:
    text = "layers:\n  - {type: Input, shape: [8], name: a}\n"
    text += "  - {type: Input, shape: [16], name: b}\n" + entries
    path = spec(tmp_path, text)
    status, out, _ = run("summary", path, "--format", "json")
    found = [d for d in json.loads(out)["diagnostics"] if d["code"] == code]
    assert found, out
    assert words in found[0]["message"]
    assert found[0]["line"] >= 3  # at the entry, not the file
    assert status == 1


def test_a_name_written_like_a_tensor_is_that_layer(tmp_path: Path) -> None:
    text = """\
layers:
  - {type: Input, shape: [8], name: "x[1][0]"}
  - {type: Dense, units: 2, inputs: ["x[1][0]"]}
"""
    model = infer(load(spec(tmp_path, text)))
    assert model.ok, model.diagnostics
    assert [str(r) for r in model.layers[1].calls[0].inputs] == ["x[1][0][0][0]"]


TOWER = """\
name: pair
layers:
  - {type: Input, shape: [32, 32, 3], name: big}
  - {type: Input, shape: [%s, %s, %s], name: other}
  - type: Sequential
    name: tower
    model:
      name: tower
      sequential: true
      layers:
        - {type: Input, shape: [32, 32, 3]}
        - {type: Conv2D, filters: 4, kernel_size: 3, padding: same}
        - {type: Flatten}
        - {type: Dense, units: 2}
    inputs: [big]
  - {call: tower, inputs: [other]}
  - {type: Concatenate, inputs: [tower, "tower[1][0]"]}
"""


def test_a_nested_model_refuses_an_input_its_input_layer_does_not_take(tmp_path: Path) -> None:
    """Keras 3.15 (tests/fixtures/calls/refused_tower_smaller_images.expected.json): a tower
    built on 32x32 images, called on 16x16 ones, raises 'expected shape=(None, 32, 32, 3),
    found shape=(None, 16, 16, 3)'."""
    model = infer(load(spec(tmp_path, TOWER % (16, 16, 3))))
    errors = [d for d in model.diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["DC210"]
    assert "takes (None, 32, 32, 3) at input 0" in errors[0].message
    assert "received (None, 16, 16, 3)" in errors[0].message


def test_a_nested_model_takes_one_channel_where_it_was_built_for_three(tmp_path: Path) -> None:
    """Keras drops a last axis of 1 before it compares (its `allow_last_axis_squeeze`), so a
    tower built for 32x32x3 takes 32x32x1 (Keras 3.15.1 builds this pair: 8,306 parameters);
    Conv2D: 3*3*3*4 + 4 = 112, Dense: 32*32*4*2 + 2 = 8,194, made at the first call."""
    model = infer(load(spec(tmp_path, TOWER % (32, 32, 1))))
    assert model.ok, model.diagnostics
    assert model.totals.total == 112 + 8194


def test_an_lstm_takes_other_features_at_a_later_call(tmp_path: Path) -> None:
    """Keras sets no input check on an LSTM's features after its first call (Keras 3.15.1
    builds this model, 1,600 parameters): 8 features then 12; 4 * 16 * (8 + 16 + 1) = 1,600."""
    text = """\
layers:
  - {type: Input, shape: [5, 8], name: a}
  - {type: Input, shape: [5, 12], name: b}
  - {type: LSTM, units: 16, name: rnn, inputs: [a]}
  - {call: rnn, inputs: [b]}
  - {type: Concatenate, inputs: [rnn, "rnn[1][0]"]}
"""
    model = infer(load(spec(tmp_path, text)))
    assert model.ok, model.diagnostics
    assert model.totals.total == 1600


def test_a_join_of_two_calls_names_each_tensor_and_what_differs(tmp_path: Path) -> None:
    """Keras 3.15 refuses it (tests/fixtures/calls/refused_concatenate_two_scales.expected.json:
    'A `Concatenate` layer requires inputs with matching shapes ... Received:
    input_shape=[(None, 32, 32, 8), (None, 16, 16, 8)]'): the two calls of one Conv2D, each
    with its own shape, and the pooling on one path only."""
    text = """\
layers:
  - {type: Input, shape: [32, 32, 3], name: image}
  - {type: Conv2D, filters: 8, kernel_size: 3, padding: same, name: conv}
  - {type: MaxPooling2D, pool_size: 2, name: half, inputs: [image]}
  - {call: conv}
  - {type: Concatenate, inputs: [conv, "conv[1][0]"]}
"""
    _, out, _ = run("check", spec(tmp_path, text), "--format", "json")
    [found] = json.loads(out)["files"][0]["diagnostics"]
    assert found["code"] == "DC201"
    assert found["message"] == (
        "Concatenate 'concatenate' cannot join (None, 32, 32, 8) from 'conv' with "
        "(None, 16, 16, 8) from 'conv[1][0]': MaxPooling2D 'half' takes 32 to 16"
    )


def test_an_input_is_not_called(tmp_path: Path) -> None:
    text = "layers:\n  - {type: Input, shape: [8], name: a}\n  - {call: a}\n"
    _, out, _ = run("summary", spec(tmp_path, text), "--format", "json")
    [found] = json.loads(out)["diagnostics"]
    assert (found["code"], found["line"]) == ("DC109", 3)
    assert found["message"] == "`call: a` calls an Input layer, which takes no inputs"


def test_inputs_lists_an_input_no_output_uses(tmp_path: Path) -> None:
    """As Keras's Model(inputs=[features, metadata], ...) lists metadata though no output uses
    it (tests/fixtures/calls/unused_inputs.json, recorded): a row at depth 0, no DC208."""
    text = """\
layers:
  - {type: Input, shape: [8], name: features}
  - {type: Input, shape: [8], name: metadata}
  - {type: Dense, units: 2, name: logits, inputs: [features]}
inputs: [features, metadata]
"""
    model = infer(load(spec(tmp_path, text)))
    assert model.diagnostics == []
    assert [layer.name for layer in model.layers] == ["features", "metadata", "logits"]
    without = infer(load(spec(tmp_path, text.replace("inputs: [features, metadata]\n", ""))))
    assert [d.code for d in without.diagnostics] == ["DC208"]


@pytest.mark.parametrize(
    ("inputs", "code", "words"),
    [
        ("[featurez]", "DC106", "model input 'featurez' is not an Input layer of this spec"),
        ("[logits]", "DC109", "model input 'logits' is a Dense, not an Input"),
    ],
)
def test_inputs_names_input_layers(tmp_path: Path, inputs: str, code: str, words: str) -> None:
    text = (
        "layers:\n  - {type: Input, shape: [8], name: features}\n"
        "  - {type: Dense, units: 2, name: logits}\n"
        f"inputs: {inputs}\n"
    )
    found = [d for d in infer(load(spec(tmp_path, text))).diagnostics if d.code == code]
    assert found and words in found[0].message and found[0].line == 4
