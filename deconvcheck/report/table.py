"""Keras 3's summary table, drawn without rich.

Keras builds a `rich.table.Table(width=line_length, show_lines=True)` whose columns have fixed
widths. Importing rich's console and table costs about 40 ms, more than a third of the tool's
whole start-up budget, so this module lays the table out the way rich does for that one
configuration (heavy-head box, one space of padding, columns shrunk evenly to fit, words
wrapped, over-long words cut with an ellipsis). `tests/test_table.py` checks it against rich itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class Column(NamedTuple):
    header: str
    justify: str  # "left" | "right"
    width: int


def column_widths(line_length: int, positions: Sequence[float]) -> list[int]:
    """Keras's `print_summary`: column i ends at `int(positions[i] * line_length)`."""
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        widths.append(width)
        current += width
    return widths


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """rich's `ratio_reduce`: take `total` away from `values` in proportion to `ratios`."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _cell_widths(columns: Sequence[Column], table_width: int) -> list[int]:
    """Widths including the one-space padding on each side, as rich computes them for a table
    of fixed width whose fixed-width columns do not fit: reduced evenly."""
    widths = [c.width + 2 for c in columns]
    available = table_width - (len(columns) + 1)  # minus the vertical rules
    excess = sum(widths) - available
    if excess > 0:
        widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)
    return widths


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap; a word longer than the line gets a line of its own, cut to the width
    with an ellipsis (rich's default `overflow="ellipsis"`)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if len(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
        lines.append(line)
    return [line if len(line) <= width else line[: max(width - 1, 0)] + "…" for line in lines]


def _row(
    cells: Sequence[str],
    widths: Sequence[int],
    columns: Sequence[Column],
    bar: str,
    *,
    bottom: bool = False,
) -> list[str]:
    wrapped = [wrap(cell, w - 2) for cell, w in zip(cells, widths, strict=True)]
    height = max(len(w) for w in wrapped)
    if bottom:  # rich aligns header cells to the bottom of the header row
        wrapped = [[""] * (height - len(w)) + w for w in wrapped]
    lines = []
    for i in range(height):
        parts = []
        for cell_lines, width, column in zip(wrapped, widths, columns, strict=True):
            text = cell_lines[i] if i < len(cell_lines) else ""
            inner = width - 2
            text = text.rjust(inner) if column.justify == "right" else text.ljust(inner)
            parts.append(f" {text} ")
        lines.append(bar + bar.join(parts) + bar)
    return lines


def render(columns: Sequence[Column], rows: Sequence[Sequence[str]], table_width: int) -> str:
    """The table as text lines, exactly as rich draws Keras's summary table without colour."""
    widths = _cell_widths(columns, table_width)

    def rule(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * w for w in widths) + right

    lines = [rule("┏", "┳", "┓", "━")]
    lines += _row([c.header for c in columns], widths, columns, "┃", bottom=True)
    lines.append(rule("┡", "╇", "┩", "━"))
    for i, row in enumerate(rows):
        if i:
            lines.append(rule("├", "┼", "┤", "─"))
        lines += _row(row, widths, columns, "│")
    lines.append(rule("└", "┴", "┘", "─"))
    return "\n".join(lines)
