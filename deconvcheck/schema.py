"""A JSON Schema (draft-07) for the spec format, generated from the layer registry, so that
editors (yaml-language-server's `# yaml-language-server: $schema=...`) complete and check specs.
Nothing is written twice: each argument parser has its schema fragment here, and a test fails
if a parser has none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deconvcheck.layers import (
    activations,
    attention,
    augmentation,
    base,
    core,
    merging,
    nested,
    normalization,
    operations,
    pooling,
    preprocessing,
    recurrent,
    regularization,
    resampling,
    wrappers,
)
from deconvcheck.layers.base import ACTIVATIONS, AnyLayer, Arg
from deconvcheck.layers.registry import layer_types
from deconvcheck.read.spec import BUILD_SHAPE, CALL_KEY, RESTORE_MODES, SPEC_VERSION

Schema = dict[str, Any]

INT = {"type": "integer"}
NULL = {"type": "null"}


def _ints(rank: int, minimum: int) -> Schema:
    one = {"type": "integer", "minimum": minimum}
    return {"oneOf": [one, {"type": "array", "items": one, "minItems": rank, "maxItems": rank}]}


def _pairs(rank: int) -> Schema:
    pair = {
        "type": "array",
        "items": {"type": "integer", "minimum": 0},
        "minItems": 2,
        "maxItems": 2,
    }
    cell = {"oneOf": [{"type": "integer", "minimum": 0}, pair]}
    return {"oneOf": [INT, {"type": "array", "items": cell, "minItems": rank, "maxItems": rank}]}


def _int_or_ints() -> Schema:
    return {"oneOf": [INT, {"type": "array", "items": INT}]}


def _numbers() -> Schema:
    """A number or a (nested) list of numbers."""
    return {"oneOf": [{"type": "number"}, {"type": "array"}]}


def _nullable(schema: Schema) -> Schema:
    return {"oneOf": [NULL, schema]}


def _cased(*words: str) -> list[str]:
    return sorted({w for word in words for w in (word, word.upper())})


FRAGMENTS: dict[Callable[..., Any], Callable[[int], Schema]] = {
    base.positive_int: lambda r: {"type": "integer", "minimum": 1},
    base.optional_positive_int: lambda r: _nullable({"type": "integer", "minimum": 1}),
    base.any_int: lambda r: INT,
    base.int_tuple: lambda r: _ints(r, 1),
    base.int_tuple_or_zero: lambda r: _ints(r, 0),
    base.optional_int_tuple: lambda r: _nullable(_ints(r, 1)),
    base.optional_int_tuple_or_zero: lambda r: _nullable(_ints(r, 0)),
    base.boolean: lambda r: {"type": "boolean"},
    base.number: lambda r: {"type": "number"},
    base.anything: lambda r: {},
    base.data_format: lambda r: {"enum": [None, "channels_last", "channels_first"]},
    base.shape_list: lambda r: {
        "type": "array",
        "minItems": 1,
        "items": {"oneOf": [NULL, {"type": "integer", "minimum": 1}]},
    },
    base.activation: lambda r: {"oneOf": [NULL, {"enum": sorted(ACTIVATIONS)}, {"type": "object"}]},
    core.non_negative: lambda r: {"type": "number", "minimum": 0},
    core.optional_non_negative: lambda r: _nullable({"type": "number", "minimum": 0}),
    core.fraction: lambda r: {"type": "number", "minimum": 0, "maximum": 1},
    core.target_shape: lambda r: {"type": "array", "items": {"type": "integer", "minimum": -1}},
    pooling.pooling_strides: lambda r: _nullable(_ints(r, 1)),
    normalization.no_renorm: lambda r: {"const": False},
    resampling.pairs: _pairs,
    resampling.crop_pairs: _pairs,
    resampling.one_pair: lambda r: _ints(2, 0),
    normalization.axes: lambda r: _int_or_ints(),
    normalization.group_count: lambda r: {
        "oneOf": [{"const": -1}, {"type": "integer", "minimum": 1}]
    },
    preprocessing.optional_axes: lambda r: _nullable(_int_or_ints()),
    preprocessing.numbers: lambda r: _numbers(),
    preprocessing.optional_numbers: lambda r: _nullable(_numbers()),
    regularization.penalty: lambda r: _nullable({"type": "number", "minimum": 0}),
    activations.shared_axes: lambda r: _nullable(_int_or_ints()),
    core.lambda_output_shape: lambda r: _nullable(
        {"type": "array", "items": {"oneOf": [NULL, {"type": "integer", "minimum": 1}]}}
    ),
    nested.submodel: lambda r: {
        "oneOf": [
            {"type": "string", "description": "a spec or Keras model file, relative to this spec"},
            {"$ref": "#", "description": "the model written in place, with a spec's keys"},
        ]
    },
    augmentation.zoom_factor: lambda r: _numbers(),
    augmentation.optional_zoom_factor: lambda r: _nullable(_numbers()),
    augmentation.value_range: lambda r: {"type": "array", "minItems": 2, "maxItems": 2},
    recurrent.use_cudnn: lambda r: {"enum": ["auto", True, False]},
    attention.output_dims: lambda r: _nullable(_int_or_ints()),
    operations.data: lambda r: {},
    operations.axes: lambda r: _nullable(_int_or_ints()),
    operations.axis_or_axes: lambda r: _int_or_ints(),
    operations.optional_axis_list: lambda r: _nullable({"type": "array", "items": INT}),
    operations.new_shape: lambda r: {
        "oneOf": [INT, {"type": "array", "items": _nullable({"type": "integer", "minimum": -1})}]
    },
    operations.sections: lambda r: {
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "array", "items": INT}]
    },
    operations.image_size: lambda r: {
        "type": "array",
        "items": {"type": "integer", "minimum": 1},
        "minItems": 2,
        "maxItems": 2,
    },
    merging.dot_axes: lambda r: {
        "oneOf": [INT, {"type": "array", "items": INT, "minItems": 2, "maxItems": 2}]
    },
    wrappers.wrapped_layer: lambda r: {"type": "object", "required": ["type"]},
    wrappers.optional_wrapped_layer: lambda r: _nullable({"type": "object", "required": ["type"]}),
    wrappers.merge_mode: lambda r: {"enum": ["concat", "sum", "mul", "ave", None]},
    core.permutation: lambda r: {"type": "array", "items": {"type": "integer", "minimum": 1}},
}


def fragment(arg: Arg, rank: int) -> Schema:
    own: Schema | None = getattr(arg.parse, "schema", None)  # a parser made by a factory
    if own is not None:
        return own
    allowed = getattr(arg.parse, "allowed", None)
    if allowed is not None:  # choice(...) and conv_padding(...): Keras lower-cases conv padding
        cased = getattr(arg.parse, "lower", True)
        schema: Schema = {"enum": _cased(*allowed) if cased else list(allowed)}
    elif arg.parse in FRAGMENTS:
        schema = FRAGMENTS[arg.parse](rank)
    else:
        raise KeyError(f"no schema fragment for the parser of {arg.name!r}")
    description = arg.doc or ("required" if arg.required else f"Keras default: {arg.default!r}")
    return {**schema, "description": description}


INPUTS: Schema = {
    "description": "the tensors this layer takes (default: the entry above): a layer's name, "
    "or `name[call][output]` for another call or output of it",
    "oneOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}, "minItems": 1},
    ],
}
CALL: Schema = {
    "type": "object",
    "description": "a layer declared above, called again on other inputs (a shared layer)",
    "properties": {
        CALL_KEY: {"type": "string", "minLength": 1, "description": "the layer to call again"},
        "inputs": INPUTS,
    },
    "required": [CALL_KEY],
    "additionalProperties": False,
}


def layer_schema(cls: type[AnyLayer]) -> Schema:
    properties: Schema = {
        "type": {"enum": list(cls.NAMES)},
        "name": {"type": "string", "minLength": 1, "description": "unique; Keras-style default"},
        "inputs": INPUTS,
        BUILD_SHAPE: {
            "description": "the input shape(s), batch axis included, its weights are made for, "
            "where not its first call's (a Keras file's build_config)",
            "type": "array",
        },
    }
    for arg in cls.all_args():
        properties[arg.name] = fragment(arg, cls.RANK)
    required = ["type", *(a.name for a in cls.all_args() if a.required)]
    return {
        "type": "object",
        "description": f"keras.layers.{cls.keras_name()}",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def spec_schema() -> Schema:
    types = layer_types()
    names = [n for cls in types for n in cls.NAMES]
    definitions = {cls.NAMES[0]: layer_schema(cls) for cls in types}
    layer = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": names, "description": "a Keras layer class or alias"}},
        "allOf": [
            {
                "if": {"properties": {"type": {"enum": list(cls.NAMES)}}, "required": ["type"]},
                "then": {"$ref": f"#/definitions/{cls.NAMES[0]}"},
            }
            for cls in types
        ],
    }
    names_list = {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://deconvcheck.invalid/spec-v1.schema.json",
        "title": "deconvcheck spec",
        "description": "A layer stack for deconvcheck (README: The spec format).",
        "type": "object",
        "properties": {
            "deconvcheck": {"const": SPEC_VERSION, "description": "spec format version"},
            "name": {"type": "string", "minLength": 1, "description": "model name"},
            "description": {"type": "string"},
            "layers": {
                "type": "array",
                "minItems": 1,
                "items": {
                    # a `call:` entry, or else a layer: each branch's own errors are shown
                    "if": {"required": [CALL_KEY]},
                    "then": CALL,
                    "else": layer,
                },
            },
            "inputs": {
                **names_list,
                "description": "the model's Input layers, in the order a call takes them",
            },
            "outputs": names_list,
            "restore": {
                "enum": list(RESTORE_MODES),
                "description": "what the output must give back",
            },
            "encoder": {"type": "string", "description": "path of this decoder's encoder spec"},
            "sequential": {
                "type": "boolean",
                "description": "a Keras Sequential model: its summary has no InputLayer row",
            },
        },
        "required": ["layers"],
        "additionalProperties": False,
        "definitions": definitions,
    }
