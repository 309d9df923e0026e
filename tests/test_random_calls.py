"""Parity with real Keras 3 on ~800 random functional models whose layers are called more than
once, refusals included: compare deconvcheck, layer by layer and call by call, with what
`tools/record_keras_random_models.py` recorded from Keras
(tests/goldens/keras_random_calls.json.gz), without Keras.

The models share layers (Siamese towers on two or three inputs, one layer at two or three
scales, a layer called on its own output, a merge layer called on two pairs, a vector layer
called on a sequence, a last call whose output is left unused, a call the layer's weights do not
fit), leave spatial sizes open (`None`) in some, give several outputs in some, and leave every
layer to Keras's default name in some.
Each is its deconvcheck spec (JSON, with `call:` entries and `name[call][output]` tensors),
written to a file and read as any spec is. A model Keras builds must infer without errors, with
Keras's rows in `model.layers` order (name, class, the last call's output shape, trainable and
non-trainable counts), each row's calls (Keras's node index, input tensors as
`[layer, call, output]`, output shapes), Connected to as the text summary prints it, and Keras's
totals (a shared layer's weights counted once). A model Keras refuses must be refused on the
layer that raised, as in tests/test_random_models.py. Keras's own `model.to_json()` of each built
model must read to the same rows and calls, as a JSON file and as a `.keras` archive, and
`convert` must write it as a spec that reads to them too (where Keras reads its file back to
other rows, to those: `reloaded`)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from deconvcheck.infer import infer
from deconvcheck.model import Model
from deconvcheck.read.loader import load
from deconvcheck.report.summary import model_json, render_text
from tests.conftest import GOLDENS
from tests.test_random_models import infer_spec, keras_archive, verdict_difference

with gzip.open(GOLDENS / "keras_random_calls.json.gz", "rt") as _f:
    RECORDED = json.load(_f)
MODELS: list[dict[str, Any]] = RECORDED["models"]
CHUNK = 100
CHUNKS = [MODELS[i : i + CHUNK] for i in range(0, len(MODELS), CHUNK)]
FEATURES = [  # what the generator puts in (the recorder's CallsGenerator)
    "dangling_call",
    "misfit_call",
    "open_sizes",
    "ranks",
    "scales",
    "self_call",
    "several_inputs",
    "several_outputs",
    "shared",
    "shared_merge",
    "unnamed",
]


def test_recorded_with_keras_3() -> None:
    assert RECORDED["keras_version"].startswith("3.")
    assert len(MODELS) >= 500
    built = sum(m["builds"] for m in MODELS)
    assert 0.55 * len(MODELS) <= built <= 0.7 * len(MODELS)  # both kinds well represented
    assert len({m["id"] for m in MODELS}) == len(MODELS)
    tried = Counter(f for m in MODELS for f in m["features"])
    kept = Counter(f for m in MODELS if m["builds"] for f in m["features"])
    assert all(tried[f] >= 25 for f in FEATURES), tried  # each kind tried often enough
    # ... and built often enough, but for a call the weights do not fit (Keras refuses most)
    assert all(kept[f] >= 10 for f in FEATURES if f != "misfit_call"), kept


def first_error_layer(model: Model) -> str | None:
    """The layer of deconvcheck's first error in file order: a later call's error is where that
    call is written, which can be after another layer's declaration (Keras builds entry by
    entry and stops at the first that raises)."""
    errors = [d for d in model.diagnostics if d.severity == "error"]
    errors.sort(key=lambda d: (d.line, d.column))
    return errors[0].layer if errors else None


def connected_to(model: Model) -> dict[str, str]:
    """Each row's Connected to as deconvcheck's text summary prints it (no cell wraps)."""
    cells = {}
    for line in render_text(model, 2000).splitlines():
        parts = [p.strip() for p in line.split("│")]
        if len(parts) == 6 and parts[1].endswith(")") and " (" in parts[1]:
            cells[parts[1].rsplit(" (", 1)[0]] = parts[4]
    return cells


def described(model: Model) -> dict[str, Any]:
    """deconvcheck's rows and totals in the recording's form (`summary --format json`'s calls,
    each with its call number)."""
    doc = model_json(model)
    printed = connected_to(model)
    rows = [
        {
            "name": row["name"],
            "class": row["type"],
            "output_shape": row["output_shape"],
            "trainable": row["trainable_params"],
            "non_trainable": row["non_trainable_params"],
            "connected_to": printed.get(row["name"]),
            "calls": [
                {"node": call.number, **shown}
                for call, shown in zip(layer.calls, row["calls"], strict=True)
            ],
        }
        for layer, row in zip(model.layers, doc["layers"], strict=True)
    ]
    totals = {
        "total": doc["total_params"],
        "trainable": doc["trainable_params"],
        "non_trainable": doc["non_trainable_params"],
    }
    return {"rows": rows, "totals": totals}


def compared(got: dict[str, Any], want: dict[str, Any]) -> str | None:
    """The first difference between deconvcheck's rows and calls and Keras's, or None."""
    for i, (g, w) in enumerate(zip(got["rows"], want["rows"], strict=False)):
        for key in ("name", "class", "output_shape", "trainable", "non_trainable"):
            if g[key] != w[key]:
                return f"row {i} {w['name']!r} {key}: deconvcheck {g[key]}, Keras {w[key]}"
        if g["calls"] != w["calls"]:
            return f"row {i} {w['name']!r} calls: deconvcheck {g['calls']}, Keras {w['calls']}"
        if g["connected_to"] != w["connected_to"]:
            return (
                f"row {i} {w['name']!r} Connected to: deconvcheck {g['connected_to']!r}, "
                f"Keras {w['connected_to']!r}"
            )
    if len(got["rows"]) != len(want["rows"]):
        names = [[r["name"] for r in rows] for rows in (got["rows"], want["rows"])]
        return f"{len(got['rows'])} rows, Keras {len(want['rows'])}: {names[0]} vs {names[1]}"
    if got["totals"] != want["totals"]:
        return f"totals: deconvcheck {got['totals']}, Keras {want['totals']}"
    return None


def difference(tmp_path: Path, entry: dict[str, Any]) -> str | None:
    """How deconvcheck differs from Keras on one recorded model, or None."""
    model = infer_spec(tmp_path, entry)
    why = verdict_difference(model, entry, first_error_layer)
    if why is not None or not entry["builds"]:
        return why
    return compared(described(model), entry)


def failure(differing: list[tuple[dict[str, Any], str]], count: int) -> str:
    entry, why = differing[0]
    spec = json.dumps(entry["spec"], separators=(",", ":"))
    return (
        f"{len(differing)} of {count} models differ from Keras; first: {entry['id']}: {why}\n"
        f"spec: {spec}"
    )


@pytest.mark.parametrize("chunk", CHUNKS, ids=[f"{c[0]['id']}-{c[-1]['id']}" for c in CHUNKS])
def test_random_calls_match_keras(tmp_path: Path, chunk: list[dict[str, Any]]) -> None:
    differing = []
    for entry in chunk:
        why = difference(tmp_path, entry)
        if why is not None:
            differing.append((entry, why))
    assert not differing, failure(differing, len(chunk))


# Keras's own file of every model it builds, recorded in the same run.
with gzip.open(GOLDENS / "keras_random_calls_files.json.gz", "rt") as _f:
    KERAS_FILES_RECORD = json.load(_f)
KERAS_FILES: dict[str, str] = KERAS_FILES_RECORD["files"]
BUILT = [m for m in MODELS if m["builds"]]
BUILT_CHUNKS = [BUILT[i : i + CHUNK] for i in range(0, len(BUILT), CHUNK)]


def test_keras_files_recorded_for_every_built_model() -> None:
    assert KERAS_FILES_RECORD["keras_version"] == RECORDED["keras_version"]
    assert sorted(KERAS_FILES) == sorted(m["id"] for m in BUILT)


@pytest.mark.parametrize(
    "chunk", BUILT_CHUNKS, ids=[f"{c[0]['id']}-{c[-1]['id']}" for c in BUILT_CHUNKS]
)
def test_keras_own_files_read_and_convert_to_keras_calls(
    tmp_path: Path, chunk: list[dict[str, Any]]
) -> None:
    from deconvcheck.convert import to_yaml  # noqa: PLC0415

    differing = []
    for entry in chunk:
        model_id, text = entry["id"], KERAS_FILES[entry["id"]]
        want = entry.get("reloaded", entry)  # what Keras itself reads back from the file
        (tmp_path / f"{model_id}.json").write_text(text)
        sources = {
            "json": tmp_path / f"{model_id}.json",
            "keras": keras_archive(tmp_path / f"{model_id}.keras", text),
        }
        for kind, path in sources.items():
            model = infer(load(str(path)))
            why = compared(described(model), want) if model.ok else str(model.diagnostics)
            if why is not None:
                differing.append((entry, f"({kind}) {why}"))
        converted = tmp_path / f"{model_id}.yaml"  # `convert` writes the calls back as `call:`
        converted.write_text(to_yaml(model, str(sources["keras"])))
        again = infer(load(str(converted)))
        why = compared(described(again), want) if again.ok else str(again.diagnostics)
        if why is not None:
            differing.append((entry, f"(convert) {why}"))
    assert not differing, failure(differing, len(chunk))
