"""Parity with real Keras 3 on ~2,000 random functional models, refusals included: compare
deconvcheck, layer by layer, with what `tools/record_keras_random_models.py` recorded from Keras
(tests/goldens/keras_random_models.json.gz), without Keras.

Each model is its deconvcheck spec (JSON), written to a file and read as any spec is. A model
Keras builds must infer without errors, with Keras's rows in Keras's `model.layers` order: name,
class, output shape, trainable and non-trainable counts. A model Keras refuses must be refused,
and where Keras names the layer that raised, deconvcheck's first error (in file order) must be
on that layer. The models are checked in chunks; a failure names the first differing model and
row, and how many models of the chunk differ."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deconvcheck.infer import (
    Model,
    _chain_order,
    _keras_order,
    _sequential_like,
    build,
    infer,
)
from deconvcheck.read.loader import load
from tests.conftest import GOLDENS

with gzip.open(GOLDENS / "keras_random_models.json.gz", "rt") as _f:
    RECORDED = json.load(_f)
MODELS: list[dict[str, Any]] = RECORDED["models"]
CHUNK = 100
CHUNKS = [MODELS[i : i + CHUNK] for i in range(0, len(MODELS), CHUNK)]


def test_recorded_with_keras_3() -> None:
    assert RECORDED["keras_version"].startswith("3.")
    assert len(MODELS) >= 1500
    built = sum(m["builds"] for m in MODELS)
    assert 0.5 * len(MODELS) <= built <= 0.7 * len(MODELS)  # both kinds well represented
    assert len({m["id"] for m in MODELS}) == len(MODELS)


def infer_spec(tmp_path: Path, entry: dict[str, Any]) -> Model:
    path = tmp_path / f"{entry['id']}.json"
    path.write_text(json.dumps(entry["spec"], indent=1))
    return infer(load(str(path)))


def first_error_layer(model: Model, spec: dict[str, Any]) -> str | None:
    """The layer of deconvcheck's first error in file order (an unnamed layer sorts last)."""
    order = {layer.get("name"): i for i, layer in enumerate(spec["layers"])}
    errors = [d for d in model.diagnostics if d.severity == "error"]
    errors.sort(key=lambda d: (order.get(d.layer, len(order)), d.line, d.column))
    return errors[0].layer if errors else None


def verdict_difference(
    model: Model, entry: dict[str, Any], first_error: Callable[[Model], str | None]
) -> str | None:
    """Where deconvcheck and Keras disagree on whether the model builds, or on the layer that
    refuses it (`first_error`: deconvcheck's, as the corpus orders them); None if they agree."""
    errors = [
        f"{d.code} {d.layer}: {d.message}" for d in model.diagnostics if d.severity == "error"
    ]
    if not entry["builds"]:
        keras_error = entry["error"]
        said = f"Keras: {keras_error['type']} at {keras_error['layer']}: {keras_error['message']}"
        if model.ok:
            return f"Keras refuses, deconvcheck accepts. {said}"
        if keras_error["layer"] is not None:
            ours = first_error(model)
            if ours != keras_error["layer"]:
                where = f"refused at {ours!r}, Keras at {keras_error['layer']!r}"
                return f"{where}. {said}; ours: {errors}"
        return None
    if not model.ok:
        return f"Keras builds, deconvcheck refuses: {errors}"
    return None


def difference(tmp_path: Path, entry: dict[str, Any]) -> str | None:
    """How deconvcheck differs from Keras on one recorded model, or None."""
    model = infer_spec(tmp_path, entry)
    why = verdict_difference(model, entry, lambda m: first_error_layer(m, entry["spec"]))
    if why is not None or not entry["builds"]:
        return why
    got = [
        [layer.name, layer.type, list(layer.output_shape), *layer.params] for layer in model.layers
    ]
    want = entry["rows"]
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        if g != w:
            return f"row {i}: deconvcheck {g}, Keras {w}"
    if len(got) != len(want):
        return f"{len(got)} rows, Keras {len(want)}: {got[len(want) :] or want[len(got) :]}"
    return None


@pytest.mark.parametrize("chunk", CHUNKS, ids=[f"{c[0]['id']}-{c[-1]['id']}" for c in CHUNKS])
def test_random_models_match_keras(tmp_path: Path, chunk: list[dict[str, Any]]) -> None:
    differing = []
    for entry in chunk:
        why = difference(tmp_path, entry)
        if why is not None:
            differing.append((entry, why))
    if differing:
        entry, why = differing[0]
        spec = json.dumps(entry["spec"], separators=(",", ":"))
        pytest.fail(
            f"{len(differing)} of {len(chunk)} models differ from Keras; first: "
            f"{entry['id']}: {why}\nspec: {spec}"
        )


# Keras's own file of every model it builds (`model.to_json()`, recorded in the same run): read
# as a JSON file, as the config.json of a `.keras` archive (Keras writes the same text there),
# and through `convert`, it must give Keras's rows too.
with gzip.open(GOLDENS / "keras_random_models_files.json.gz", "rt") as _f:
    KERAS_FILES_RECORD = json.load(_f)
KERAS_FILES: dict[str, str] = KERAS_FILES_RECORD["files"]
BUILT = [m for m in MODELS if m["builds"]]
BUILT_CHUNKS = [BUILT[i : i + CHUNK] for i in range(0, len(BUILT), CHUNK)]


def test_keras_files_recorded_for_every_built_model() -> None:
    assert KERAS_FILES_RECORD["keras_version"] == RECORDED["keras_version"]
    assert sorted(KERAS_FILES) == sorted(m["id"] for m in BUILT)


def rows_of(model: Model) -> list[list[Any]]:
    return [
        [layer.name, layer.type, list(layer.output_shape), *layer.params] for layer in model.layers
    ]


def keras_archive(path: Path, config: str) -> Path:
    """A `.keras` archive as Keras 3 lays it out (its weights are not read, so none are put in)."""
    import zipfile  # noqa: PLC0415

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": RECORDED["keras_version"]}))
        archive.writestr("config.json", config)
    return path


@pytest.mark.parametrize(
    "chunk", BUILT_CHUNKS, ids=[f"{c[0]['id']}-{c[-1]['id']}" for c in BUILT_CHUNKS]
)
def test_keras_own_files_read_and_convert_to_keras_rows(
    tmp_path: Path, chunk: list[dict[str, Any]]
) -> None:
    from deconvcheck.convert import to_yaml  # noqa: PLC0415

    differing = []
    for entry in chunk:
        model_id, text = entry["id"], KERAS_FILES[entry["id"]]
        (tmp_path / f"{model_id}.json").write_text(text)
        sources = {
            "json": tmp_path / f"{model_id}.json",
            "keras": keras_archive(tmp_path / f"{model_id}.keras", text),
        }
        for kind, path in sources.items():
            model = infer(load(str(path)))
            if not model.ok or rows_of(model) != entry["rows"]:
                differing.append(f"{model_id} ({kind}): {model.diagnostics or rows_of(model)}")
        converted = tmp_path / f"{model_id}.yaml"
        converted.write_text(to_yaml(model, str(sources["keras"])))
        again = infer(load(str(converted)))
        if not again.ok or rows_of(again) != entry["rows"]:
            differing.append(f"{model_id} (convert): {again.diagnostics or rows_of(again)}")
    assert differing == [], f"{len(differing)} differ; first: {differing[0]}"


def test_a_chain_is_ordered_as_the_search_orders_it(tmp_path: Path) -> None:
    """`build` orders a plain chain in one pass (`_chain_order`); the order, calls and depths
    are the general search's (`_keras_order`) on every built model of the corpus it takes, and
    it takes no other graph."""
    chains = 0
    for entry in MODELS[:600]:
        path = tmp_path / f"{entry['id']}.json"
        path.write_text(json.dumps(entry["spec"]))
        graph = build(load(str(path)))
        if graph.diagnostics:
            continue
        roots = [(r.layer, r.call) for r in graph.output_refs]
        fast = _chain_order(graph.nodes, roots)
        searched = _keras_order(graph.nodes, roots, inputs=graph.inputs)
        if fast is not None:
            chains += 1
            assert fast == searched, entry["id"]
            assert _sequential_like(graph.nodes, searched)  # what build takes a chain for
    assert chains >= 30
