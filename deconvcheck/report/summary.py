"""`summary` output: Keras 3's `model.summary()` as text, and the JSON contract for scripts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from deconvcheck.model import InferredLayer, Model
from deconvcheck.record import Record
from deconvcheck.report import style
from deconvcheck.report.diagnostics import diagnostic_json, terminal
from deconvcheck.report.style import Line, Part

if TYPE_CHECKING:
    from deconvcheck.diagnostics import Diagnostic
    from deconvcheck.report.table import Justify

BYTES_PER_PARAM = 4  # float32, Keras's default dtype policy

# Keras's print_summary: (default line length, column positions, headers, alignment)
_Layout = tuple[int, tuple[float, ...], tuple[str, ...], tuple["Justify", ...]]
_CHAIN: _Layout = (
    88,
    (0.45, 0.80, 1.0),
    ("Layer (type)", "Output Shape", "Param #"),
    ("left", "left", "right"),
)
_GRAPH: _Layout = (
    108,
    (0.3, 0.56, 0.74, 1.0),
    ("Layer (type)", "Output Shape", "Param #", "Connected to"),
    ("left", "left", "right", "left"),
)
TRAINABLE_WIDTH = 12  # Keras: show_trainable adds 12 columns and a "Trainable" column at the end


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


def default_line_length(
    model: Model, terminal_columns: int, *, show_trainable: bool = False
) -> int:
    """Keras: `min(88 or 108 (12 more with show_trainable), terminal columns - 4)`; a pipe
    counts as 80 columns."""
    default = (_CHAIN if model.sequential_like else _GRAPH)[0] + TRAINABLE_WIDTH * show_trainable
    return min(default, terminal_columns - 4)


def column_widths(line_length: int, positions: Sequence[float]) -> list[int]:
    """Keras's `print_summary`: column i ends at `int(positions[i] * line_length)`."""
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        widths.append(width)
        current += width
    return widths


class Extras(Record):
    """What `--columns` and `--explain` add: columns (header -> value per layer), footer lines,
    and explanation lines per layer."""

    columns: list[tuple[str, dict[str, str]]]
    footer: list[str]
    explanations: dict[str, list[str]]


EXTRA_WIDTH = 14


def _shape(shape: tuple[int | None, ...]) -> Line:
    """Keras's `format_shape`: each size in its colour, `None` in another."""
    parts: list[Part] = [("(", "")]
    for i, size in enumerate(shape):
        if i:
            parts.append((", ", ""))
        parts.append((str(size), style.NONE if size is None else style.NUMBER))
    return [*parts, (")", "")]


def _shapes(layer: InferredLayer) -> Line:
    """The Output Shape cell: the shape, or Keras's list of them for several outputs."""
    shapes = layer.output_shapes
    if len(shapes) == 1:
        return _shape(shapes[0])
    parts: list[Part] = [("[", "")]
    for i, shape in enumerate(shapes):
        parts += [(", ", ""), *_shape(shape)] if i else _shape(shape)
    return [*parts, ("]", "")]


def shape_text(layer: InferredLayer) -> str:
    """The Output Shape cell as plain text: `(None, 8)`, `[(None, 32), (None, 32)]`."""
    return "".join(text for text, _ in _shapes(layer))


def _named(layer: InferredLayer, prefix: str = "") -> Line:
    """`name (Class)`, the class in Keras's symbol colour; both as the terminal shows them."""
    return [
        (f"{prefix}{terminal(layer.name)} (", ""),
        (terminal(layer.type), style.SYMBOL),
        (")", ""),
    ]


def _trainable(layer: InferredLayer) -> Line:
    """Keras's show_trainable cell: Y or N for a layer with weights, - for one without."""
    if not layer.params.total:
        return [("-", style.BOLD)]
    return [("Y", style.YES)] if layer.trainable else [("N", style.NO)]


def render_text(
    model: Model,
    line_length: int,
    extras: Extras | None = None,
    *,
    color: bool = False,
    show_trainable: bool = False,
    expand_nested: bool = False,
    findings: Sequence[Diagnostic] | None = None,
) -> str:
    """Keras 3's `print_summary`: the same rich table (fixed column widths, one rule between
    rows), the same colours when `color`, the same characters without. Under it `findings`
    (what `check` reports), by default the model's own refusals."""
    from deconvcheck.report import table  # noqa: PLC0415 - imports rich

    _, layout, names, justify = _CHAIN if model.sequential_like else _GRAPH
    positions, headers, aligns = list(layout), list(names), list(justify)
    if show_trainable:
        positions = [p * 0.90 for p in positions] + [1.0]
        headers.append("Trainable")
        aligns.append("center")
    widths = column_widths(line_length, positions)
    added = extras.columns if extras else []
    width = line_length + EXTRA_WIDTH * len(added)
    headers += [header for header, _ in added]
    aligns += ["right"] * len(added)
    widths += [EXTRA_WIDTH] * len(added)
    rows: list[list[Line]] = []
    for layer, level in _listed(model, expand_nested):
        prefix = "   " * level + "└ " if level else ""  # Keras's print_layer
        row: list[Line] = [
            _named(layer, prefix),
            _shapes(layer),
            [(f"{layer.params.total:,}", style.NUMBER)],
        ]
        if not model.sequential_like:  # a nested model's own connections are not the model's
            row.append(_connections(layer) if not level else [("-", "")])
        if show_trainable:
            row.append(_trainable(layer))
        row += [[(values.get(layer.name, "") if not level else "", "")] for _, values in added]
        rows.append(row)
    totals = model.totals
    out = style.console(width, color)
    out.print(style.text([(f'Model: "{terminal(model.name)}"', style.BOLD)]), soft_wrap=True)
    table.draw(out, headers, aligns, widths, rows)
    lines: list[Line] = [
        _footer("Total", totals.total),
        _footer("Trainable", totals.trainable),
        _footer("Non-trainable", totals.non_trainable),
    ]
    if len(model.layers) < model.expected:
        lines.append(
            [
                (
                    f" The totals cover {len(model.layers)} of {model.expected} layers: the "
                    "others could not be inferred (see below).",
                    "",
                )
            ]
        )
    elif not model.complete:  # model code the reader did not follow in full
        lines.append([(" The totals cover the layers read: the code holds more (see below).", "")])
    if extras:
        lines += [[(line, "")] for line in extras.footer]
        if extras.explanations:
            lines += [[("", "")], [("How each size comes about:", style.BOLD)]]
            for layer in model.layers:
                if layer.name in extras.explanations:
                    lines.append([*_named(layer, "  "), (" -> ", ""), *_shape(layer.output_shape)])
                    lines += [
                        [(f"      {terminal(t)}", "")] for t in extras.explanations[layer.name]
                    ]
    shown = model.diagnostics if findings is None else findings
    if shown:
        lines.append([("", "")])
        for diag in shown:
            lines += style.diagnostic_lines(diag)
    return style.drawn(out) + style.paint(lines, color)


def _listed(model: Model, expand: bool, level: int = 0) -> Iterator[tuple[InferredLayer, int]]:
    """The model's layers; with `expand`, each nested model's own layers under it, indented
    (Keras's `expand_nested`), at the shapes the nested model was built with."""
    for layer in model.layers:
        yield layer, level
        inner = model.graph.nodes[layer.name].layer.inner() if expand else None
        alone = inner.standalone() if inner is not None else None
        if alone is not None:
            yield from _listed(alone, expand, level + 1)


def _connections(layer: InferredLayer) -> Line:
    """Keras's "Connected to": the tensors of every call of the layer in the model, each as
    `name[call][output]`, the indices as numbers."""
    refs = [ref for call in layer.calls for ref in call.inputs]
    if not refs:
        return [("-", "")]
    parts: list[Part] = []
    for i, ref in enumerate(refs):
        parts += [(", " if i else "", ""), (f"{terminal(ref.layer)}[", "")]
        parts.append((str(ref.call), style.NUMBER))
        parts += [("][", ""), (str(ref.output), style.NUMBER), ("]", "")]
    return parts


def _footer(label: str, count: int) -> Line:
    return [
        (f" {label} params: ", style.BOLD),
        (f"{count:,}", style.NUMBER),
        (f" ({readable_memory_size(count * BYTES_PER_PARAM)})", ""),
    ]


def model_json(
    model: Model,
    extra: dict[str, Any] | None = None,
    findings: Sequence[Diagnostic] | None = None,
) -> dict[str, Any]:
    totals = model.totals
    per_layer = (extra or {}).get("layers", {})
    layers = [
        {
            "name": layer.name,
            "type": layer.type,
            "output_shape": list(layer.output_shape),
            "params": (params := layer.params).total,
            "trainable_params": params.trainable,
            "non_trainable_params": params.non_trainable,
            "inputs": list(layer.inputs),
            "calls": [
                {
                    "inputs": [list(ref) for ref in call.inputs],
                    "output_shapes": [list(shape) for shape in call.outputs],
                }
                for call in layer.calls
            ],
        }
        for layer in model.layers
    ]
    if per_layer:  # the extra columns' values, after each layer's own
        for row in layers:
            row.update(per_layer.get(row["name"], {}))
    found = [diagnostic_json(d) for d in (model.diagnostics if findings is None else findings)]
    doc = {
        "name": model.name,
        "path": model.path,
        "layers": layers,
        "total_params": totals.total,
        "trainable_params": totals.trainable,
        "non_trainable_params": totals.non_trainable,
        "outputs": model.outputs,
        "complete": model.complete,
        "findings": found,
        "diagnostics": found,  # the same, under its earlier name (kept for existing readers)
    }
    doc.update({k: v for k, v in (extra or {}).items() if k != "layers"})
    return doc


def render_json(
    model: Model,
    extra: dict[str, Any] | None = None,
    findings: Sequence[Diagnostic] | None = None,
) -> str:
    """One object; each layer and each diagnostic on a line of its own (greppable, and written
    by json's C encoder, which `indent` would bypass: 10,000 layers in 0.05 s instead of 0.4 s)."""
    import json  # noqa: PLC0415 - only for --format json

    doc = model_json(model, extra, findings)
    parts = []  # joined once: 10,000 layers' lines are 2.5 MB, each copy of them 0.5 ms
    for key, value in doc.items():
        parts.append(f"  {json.dumps(key)}: ")
        if key in ("layers", "findings", "diagnostics") and value:
            parts += ("[\n    ", _one_a_line(value), "\n  ]")
        else:
            parts.append(json.dumps(value))
        parts.append(",\n")
    parts[-1] = "\n}\n"
    return "{\n" + "".join(parts)


def _one_a_line(items: list[dict[str, Any]]) -> str:
    """Each object as `json.dumps` writes it, one a line. The list is encoded in one call and cut
    between its objects: an array of n objects holds n - 1 separators `}, {`, so a count of
    exactly n - 1 proves no name holds one (10,000 layers: 0.04 s instead of 0.06 s)."""
    import json  # noqa: PLC0415 - only for --format json

    text = json.dumps(items, check_circular=False)  # a tree made here: no cycle to look for
    if text.count("}, {") == len(items) - 1:
        return text.replace("}, {", "},\n    {")[1:-1]
    return ",\n    ".join(json.dumps(item) for item in items)


class SummaryView(Record):
    """What `summary` prints: the model, the table's width and the optional extras."""

    model: Model
    line_length: int
    extras: Extras | None = None
    extra_json: dict[str, Any] | None = None
    color: bool = False
    show_trainable: bool = False
    expand_nested: bool = False
    findings: Sequence[Diagnostic] | None = None  # under the table; default: Keras's refusals


REPORTERS: dict[str, Callable[[SummaryView], str]] = {
    "text": lambda view: render_text(
        view.model,
        view.line_length,
        view.extras,
        color=view.color,
        show_trainable=view.show_trainable,
        expand_nested=view.expand_nested,
        findings=view.findings,
    ),
    "json": lambda view: render_json(view.model, view.extra_json, view.findings),
}
