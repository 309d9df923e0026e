"""`summary` output: Keras 3's `model.summary()` as text, and the JSON contract for scripts."""

from __future__ import annotations

from typing import Any

from deconvcheck.diagnostics import Diagnostic
from deconvcheck.infer import Model
from deconvcheck.layers.base import format_shape
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


def format_diagnostic(diag: Diagnostic) -> str:
    text = diag.format_line()
    for line in (diag.hint or "").splitlines():
        text += f"\n    fix: {line}"
    return text


def render_text(model: Model, line_length: int) -> str:
    _, positions, headers, aligns = _CHAIN if model.sequential_like else _GRAPH
    widths = column_widths(line_length, positions)
    columns = [Column(h, a, w) for h, a, w in zip(headers, aligns, widths, strict=True)]
    rows = []
    for layer in model.layers:
        row = [
            f"{layer.name} ({layer.type})",
            format_shape(layer.output_shape),
            f"{layer.params.total:,}",
        ]
        if not model.sequential_like:
            row.append(", ".join(f"{name}[0][0]" for name in layer.inputs) or "-")
        rows.append(row)
    totals = model.totals
    lines = [
        f'Model: "{model.name}"',
        render(columns, rows, line_length),
        _footer("Total", totals.total),
        _footer("Trainable", totals.trainable),
        _footer("Non-trainable", totals.non_trainable),
    ]
    if model.diagnostics:
        lines.append("")
        lines.extend(format_diagnostic(d) for d in model.diagnostics)
    return "\n".join(lines) + "\n"


def _footer(label: str, count: int) -> str:
    return f" {label} params: {count:,} ({readable_memory_size(count * BYTES_PER_PARAM)})"


def diagnostic_json(diag: Diagnostic) -> dict[str, Any]:
    return {
        "code": diag.code,
        "severity": diag.severity.value,
        "message": diag.message,
        "path": diag.path,
        "line": diag.line,
        "column": diag.column,
        "layer": diag.layer,
        "hint": diag.hint,
    }


def model_json(model: Model) -> dict[str, Any]:
    totals = model.totals
    return {
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
            }
            for layer in model.layers
        ],
        "total_params": totals.total,
        "trainable_params": totals.trainable,
        "non_trainable_params": totals.non_trainable,
        "outputs": model.outputs,
        "diagnostics": [diagnostic_json(d) for d in model.diagnostics],
    }


def render_json(model: Model) -> str:
    import json  # noqa: PLC0415 - only for --format json

    return json.dumps(model_json(model), indent=2) + "\n"
