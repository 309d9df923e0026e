"""Keras 3's own signatures, recorded by tools/record_keras_signatures.py into
keras_signatures.json: every layer class's and keras.ops function's parameters in Keras's
order, with Keras's defaults. The model-code reader maps positional arguments by them;
`deconvcheck layers TYPE` shows Keras's defaults from them. Read once, when first asked."""

from __future__ import annotations

import functools
import json
import os
from typing import Any

_PATH = os.path.join(os.path.dirname(__file__), "keras_signatures.json")


@functools.cache  # the recording itself, read-only: not a result of any spec
def signatures() -> dict[str, Any]:
    with open(_PATH, encoding="utf-8") as file:
        return json.load(file)  # type: ignore[no-any-return]


def _followed(section: str, name: str) -> tuple[str, dict[str, Any] | None]:
    """The recorded name and signature `name` stands for (an alias followed to its target)."""
    entries = signatures()[section]
    entry: dict[str, Any] | None = entries.get(name)
    while entry is not None and "alias_of" in entry:
        name = entry["alias_of"]
        entry = entries.get(name)
    return name, entry


def layer_entry(class_name: str) -> dict[str, Any] | None:
    """A Keras layer class's recorded signature (an alias followed to its class)."""
    return _followed("layers", class_name)[1]


def op_entry(function: str) -> tuple[str, dict[str, Any] | None]:
    """A keras.ops function's name and recorded signature (`nn.relu` is `relu`'s)."""
    return _followed("ops", function)
