"""The JSON Schema: valid draft-07, generated from the registry (not written twice), accepts
every sample spec and refuses what the loader refuses; the committed copy is current."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from deconvcheck.layers.registry import layer_types, registry
from deconvcheck.read.spec import RESERVED_LAYER_KEYS, TOP_KEYS
from deconvcheck.schema import spec_schema
from tests.conftest import ROOT, SAMPLES

SCHEMA = spec_schema()
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


def test_is_draft_07() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_committed_schema_is_current() -> None:
    assert json.loads((ROOT / "deconvcheck.schema.json").read_text()) == SCHEMA


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_samples_validate(path: Any) -> None:
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../deconvcheck.schema.json\n")
    assert list(VALIDATOR.iter_errors(yaml.safe_load(text))) == []


@pytest.mark.parametrize(
    "layer",
    [
        {"type": "Conv2D", "filtres": 8, "kernel_size": 3},  # unknown argument
        {"type": "Conv2D", "filters": "8", "kernel_size": 3},  # wrong type
        {"type": "Conv2D", "kernel_size": 3},  # required argument missing
        {"type": "Conv2DTransposed", "filters": 8, "kernel_size": 3},  # unknown type
        {"type": "MaxPooling2D", "padding": "full"},  # not an allowed value
        {"type": "Dropout", "rate": 1.5},  # out of range
    ],
)
def test_schema_refuses(layer: dict[str, Any]) -> None:
    spec = {"deconvcheck": 1, "layers": [{"type": "Input", "shape": [8, 8, 3]}, layer]}
    assert list(VALIDATOR.iter_errors(spec)) != []


def test_schema_and_registry_list_the_same_layers_and_arguments() -> None:
    definitions = SCHEMA["definitions"]
    assert set(definitions) == {cls.NAMES[0] for cls in layer_types()}
    assert set(
        SCHEMA["properties"]["layers"]["items"]["else"]["properties"]["type"]["enum"]
    ) == set(registry())
    for cls in layer_types():
        properties = set(definitions[cls.NAMES[0]]["properties"])
        assert properties == {a.name for a in cls.all_args()} | set(RESERVED_LAYER_KEYS), cls
    assert set(SCHEMA["properties"]) == set(TOP_KEYS)


def test_an_inline_nested_model_validates() -> None:
    """`model:` is a file reference or a model written in place (the root schema again)."""
    from tests.test_nested import INLINE  # noqa: PLC0415

    doc = yaml.safe_load(INLINE)
    jsonschema.validate(doc, SCHEMA)
    doc["layers"][1]["model"]["layers"][1]["filterz"] = 16
    with pytest.raises(jsonschema.ValidationError, match="'filterz' was unexpected"):
        jsonschema.validate(doc, SCHEMA)
