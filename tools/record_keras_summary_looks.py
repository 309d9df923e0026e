"""Record how Keras 3 *looks* when it prints `model.summary()`: in colour in a terminal, and with
`show_trainable=True`, so that deconvcheck's rendering is compared with Keras's own bytes.

    python -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install torch keras
    KERAS_BACKEND=torch /tmp/kvenv/bin/python tools/record_keras_summary_looks.py

Writes tests/goldens/keras_summary_looks.json.gz: `{"keras_version", "backend", "term",
"summaries": {"<model>@<columns>": {"plain+trainable", "color", "color+trainable",
"plain+expand", "plain+expand+trainable"}}}` (expand: `expand_nested=True`).

The models are the recorded applications corpus (tests/fixtures/applications, rebuilt from their
JSON) chosen for what they show: frozen layers in a nested base model, non-trainable weights
(BatchNormalization), layers without weights, a Sequential model. "color" is what Keras writes to
a terminal: its console (`rich.console.Console(highlight=False)`) forced into terminal mode by
FORCE_COLOR with TERM=xterm-256color, the escape codes kept; the table width follows COLUMNS, as
Keras sizes it from the terminal.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recording import detached_from_terminal, reproducible_process

reproducible_process()

import keras  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "applications"
OUT = ROOT / "tests" / "goldens" / "keras_summary_looks.json.gz"
TERM = "xterm-256color"
MODELS = (
    "keras_io_transfer_mobilenetv2",  # a frozen nested base model: "N" and non-trainable totals
    "nested_sequential",
    "vgg16_notop_96",  # a Sequential-like chain: three columns
    "resnet50_notop_160_avg",  # BatchNormalization's non-trainable weights; "Connected to"
    "keras_io_unet_oxford_pets",
    "mobilenetv3small_notop_160",
)
COLUMNS = (80, 140)


def plain(model: keras.Model, show_trainable: bool, expand_nested: bool = False) -> str:
    chunks: list[str] = []

    def sink(text: str, line_break: bool = True) -> None:
        chunks.append(text)

    model.summary(print_fn=sink, show_trainable=show_trainable, expand_nested=expand_nested)
    return "".join(chunks)


def colored(model: keras.Model, show_trainable: bool) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary(show_trainable=show_trainable)
    return out.getvalue()


def main() -> None:
    detached_from_terminal()
    os.environ["FORCE_COLOR"] = "1"
    os.environ["TERM"] = TERM
    summaries: dict[str, Any] = {}
    for model_id in MODELS:
        text = gzip.decompress((FIXTURES / f"{model_id}.json.gz").read_bytes()).decode()
        model = keras.models.model_from_json(text)
        for columns in COLUMNS:
            os.environ["COLUMNS"] = str(columns)
            summaries[f"{model_id}@{columns}"] = {
                "plain+trainable": plain(model, True),
                "color": colored(model, False),
                "color+trainable": colored(model, True),
                "plain+expand": plain(model, False, expand_nested=True),
                "plain+expand+trainable": plain(model, True, expand_nested=True),
            }
        print(f"{model_id}: recorded", file=sys.stderr)
    document = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "term": TERM,
        "summaries": summaries,
    }
    data = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    OUT.write_bytes(gzip.compress(data.encode(), compresslevel=9, mtime=0))
    print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
