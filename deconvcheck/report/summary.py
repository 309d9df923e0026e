"""`summary` output: Keras 3's `model.summary()` as text, and the JSON contract for scripts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from deconvcheck.layers.base import format_shape
from deconvcheck.model import Model
from deconvcheck.report.diagnostics import diagnostic_json, format_diagnostic
from deconvcheck.report.table import Column, column_widths, render

BYTES_PER_PARAM = 4  # float32, Keras's default dtype policy

# Keras's print_summary: (default line length, column positions, headers, alignment)
_CHAIN = (
    88,
    (0.45, 0.80, 1.0),
    ("Layer (type)", "Output Shape", "Param #"),
    ("left", "left", "right"),
)
_GRAPH = (
    108,
    (0.3, 0.56, 0.74, 1.0),
    ("Layer (type)", "Output Shape", "Param #", "Connected to"),
    ("left", "left", "right", "left"),
)


def readable_memory_size(size: float) -> str:
    """Keras's `readable_memory_size`: 1024-based units, two decimals.

    >>> readable_memory_size(17_037_059 * 4)
    '64.99 MB'
    """
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"


def default_line_length(model: Model, terminal_columns: int) -> int:
    """Keras: `min(88 or 108, terminal columns - 4)`; a pipe counts as 80 columns."""
    default = (_CHAIN if model.sequential_like else _GRAPH)[0]
    return min(default, terminal_columns - 4)


class Extras(NamedTuple):
    """What `--columns` and `--explain` add: columns (header -> value per layer), footer lines,
    and explanation lines per layer."""

    columns: list[tuple[str, dict[str, str]]]
    footer: list[str]
    explanations: dict[str, list[str]]


EXTRA_WIDTH = 14


def render_text(model: Model, line_length: int, extras: Extras | None = None) -> str:
    _, positions, headers, aligns = _CHAIN if model.sequential_like else _GRAPH
    widths = column_widths(line_length, positions)
    columns = [Column(h, a, w) for h, a, w in zip(headers, aligns, widths, strict=True)]
    added = extras.columns if extras else []
    columns += [Column(header, "right", EXTRA_WIDTH) for header, _ in added]
    rows = []
    for layer in model.layers:
        row = [
            f"{layer.name} ({layer.type})",
            format_shape(layer.output_shape),
            f"{layer.params.total:,}",
        ]
        if not model.sequential_like:
            row.append(", ".join(f"{name}[0][0]" for name in layer.inputs) or "-")
        row += [values.get(layer.name, "") for _, values in added]
        rows.append(row)
    totals = model.totals
    lines = [
        f'Model: "{model.name}"',
        render(columns, rows, line_length + EXTRA_WIDTH * len(added)),
        _footer("Total", totals.total),
        _footer("Trainable", totals.trainable),
        _footer("Non-trainable", totals.non_trainable),
    ]
    if not model.complete:
        lines.append(
            f" The totals cover {len(model.layers)} of {model.expected} layers: the others "
            "could not be inferred (see below)."
        )
    if extras:
        lines += extras.footer
        if extras.explanations:
            lines += ["", "How each size comes about:"]
            for layer in model.layers:
                if layer.name in extras.explanations:
                    shape = format_shape(layer.output_shape)
                    lines.append(f"  {layer.name} ({layer.type}) -> {shape}")
                    lines += [f"      {text}" for text in extras.explanations[layer.name]]
    if model.diagnostics:
        lines.append("")
        lines.extend(format_diagnostic(d) for d in model.diagnostics)
    return "\n".join(lines) + "\n"


def _footer(label: str, count: int) -> str:
    return f" {label} params: {count:,} ({readable_memory_size(count * BYTES_PER_PARAM)})"


def model_json(model: Model, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    totals = model.totals
    per_layer = (extra or {}).get("layers", {})
    doc = {
        "name": model.name,
        "path": model.path,
        "layers": [
            {
                "name": layer.name,
                "type": layer.type,
                "output_shape": list(layer.output_shape),
                "params": layer.params.total,
                "trainable_params": layer.params.trainable,
                "non_trainable_params": layer.params.non_trainable,
                "inputs": list(layer.inputs),
                **per_layer.get(layer.name, {}),
            }
            for layer in model.layers
        ],
        "total_params": totals.total,
        "trainable_params": totals.trainable,
        "non_trainable_params": totals.non_trainable,
        "outputs": model.outputs,
        "complete": model.complete,
        "diagnostics": [diagnostic_json(d) for d in model.diagnostics],
    }
    doc.update({k: v for k, v in (extra or {}).items() if k != "layers"})
    return doc


def render_json(model: Model, extra: dict[str, Any] | None = None) -> str:
    """One object; each layer and each diagnostic on a line of its own (greppable, and written
    by json's C encoder, which `indent` would bypass: 10,000 layers in 0.05 s instead of 0.4 s)."""
    import json  # noqa: PLC0415 - only for --format json

    doc = model_json(model, extra)
    lines = []
    for key, value in doc.items():
        if key in ("layers", "diagnostics") and value:
            items = ",\n    ".join(json.dumps(item) for item in value)
            lines.append(f"  {json.dumps(key)}: [\n    {items}\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


class SummaryView(NamedTuple):
    """What `summary` prints: the model, the table's width and the optional extras."""

    model: Model
    line_length: int
    extras: Extras | None = None
    extra_json: dict[str, Any] | None = None


REPORTERS: dict[str, Callable[[SummaryView], str]] = {
    "text": lambda view: render_text(view.model, view.line_length, view.extras),
    "json": lambda view: render_json(view.model, view.extra_json),
}
