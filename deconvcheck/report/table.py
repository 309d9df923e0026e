"""Keras's summary table, drawn by rich's own `Table` with its cells given ready to draw.

rich draws a `Text` cell in many steps: a `Padding` around it; the text wrapped into new `Text`
lines, justified, joined again and cut into segments; the segments split into lines and padded
twice (in the `Padding`, then in the table). That is some 70 µs a cell: ResNet50's 712 cells took
50 of the 155 ms of its summary. A cell of printable ASCII (a layer name, a shape, a count:
nearly always) has one character a column and no whitespace but spaces, and wrapping it is a few
string slices. So `Cell` does that: it breaks the line where rich's own `divide_line` breaks it,
justifies and crops it as `Text.wrap` does, cuts a segment a styled run as `Text.render` does
(a line is one segment when the console has no colours), and adds the table's one space each
side. The table's own padding is 0, each header a `Padding(header, (0, 1))` as rich makes it for
a padded table; the column widths stay rich's to decide. A cell of any other text (wide or
combining characters, where a column is not a character) is drawn the `Padding(Text)` way.
A cell drawn alike (the same parts at the same width and justification: a summary repeats
shapes and counts) is drawn once a table (`Drawing`). tests/test_table.py draws random tables
both ways and requires the same output, escape codes included. What is left (about 10 ms for
ResNet50) is rich's `Table` itself.

Imported only where a table is drawn (report/summary.py, lazily), so rich is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Literal

from rich._wrap import divide_line  # rich's own line breaks (a private name: see the tests)
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.table import Column, Table

from deconvcheck.report import style

Justify = Literal["left", "center", "right"]
Overflow = Literal["fold", "crop", "ellipsis"]
Wrapped = tuple[int, int, int, int, bool]  # start, end, spaces before and after, ends in "…"
PAD = " "  # rich's Table pads a cell with one space each side: padding (0, 1)
_FAST = {"left", "center", "right"}, {"fold", "crop", "ellipsis"}


def wrapped(plain: str, width: int, justify: Justify, overflow: Overflow) -> list[Wrapped]:
    """Where `Text.wrap(width, justify=..., overflow=...)` puts the lines of a printable ASCII
    text: each line as (start, end) in `plain`, the spaces added before and after it, and whether
    its last character gives way to "…" (overflow "ellipsis", a word longer than the width).

    >>> wrapped("conv1_conv (Conv2D)", 12, "left", "ellipsis")
    [(0, 11, 0, 1, False), (11, 19, 0, 4, False)]
    >>> wrapped("9,472", 10, "right", "ellipsis")
    [(0, 5, 5, 0, False)]
    >>> wrapped("a_very_long_name", 8, "left", "ellipsis")
    [(0, 8, 0, 0, True)]
    """
    if len(plain) <= width:  # it fits: divide_line would not break it
        breaks = [0, len(plain)]
    else:
        breaks = [0, *divide_line(plain, width, fold=overflow == "fold"), len(plain)]
    lines = []
    for start, stop in pairwise(breaks):
        end = stop
        if end - start > width:  # Text.rstrip_end: the spaces beyond the width go
            spaces = end - start - len(plain[start:end].rstrip(" "))
            end -= min(spaces, end - start - width)
        if justify != "left":  # Lines.justify: right and center strip every trailing space
            end = start + len(plain[start:end].rstrip(" "))
        cut = end - start > width  # Text.truncate: cropped, the last character "…" if ellipsis
        end = min(end, start + width)
        room = width - (end - start)
        before = room if justify == "right" else room // 2 if justify == "center" else 0
        lines.append((start, end, before, room - before, cut and overflow == "ellipsis"))
    return lines


class Drawing:
    """What the cells of one table share: the styles by name (each looked up in the console's
    theme once a table, not once a cell) and the segments of each cell already drawn, by its
    parts and its column's width and justification (a summary repeats shapes and counts:
    ResNet50's 712 cells hold some 250 distinct ones)."""

    __slots__ = ("drawn", "styles")

    def __init__(self) -> None:
        self.styles: dict[str, Style] = {}
        self.drawn: dict[tuple[object, ...], list[RenderableType | Segment]] = {}


class Cell:
    """One cell's styled parts, drawn at the width and justification the table gives it."""

    def __init__(self, parts: style.Line, drawing: Drawing | None = None) -> None:
        self.parts = parts
        self.drawing = Drawing() if drawing is None else drawing

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width - 2 * len(PAD)
        justify, overflow = options.justify or "left", options.overflow or "fold"
        key = (tuple(self.parts), width, justify, overflow, options.no_wrap)
        drawn = self.drawing.drawn.get(key)
        if drawn is None:  # segments never change: a cell drawn alike is drawn once
            drawn = list(self._draw(console, width, justify, overflow, options.no_wrap))
            self.drawing.drawn[key] = drawn
        yield from drawn

    def _draw(
        self, console: Console, width: int, justify: str, overflow: str, no_wrap: bool | None
    ) -> RenderResult:
        plain = "".join(text for text, _ in self.parts)
        if not (
            plain.isascii()
            and plain.isprintable()
            and width > 0
            and not no_wrap
            and justify in _FAST[0]
            and overflow in _FAST[1]
        ):
            yield Padding(style.text(self.parts), (0, 1))
            return
        lines = wrapped(plain, width, justify, overflow)  # type: ignore[arg-type]
        new_line = Segment.line()
        if console.color_system is None:  # no colour: a line is its characters
            for start, end, before, after, ellipsis in lines:
                shown = plain[start : end - 1] + "…" if ellipsis else plain[start:end]
                yield Segment(f"{PAD}{' ' * before}{shown}{' ' * after}{PAD}")
                yield new_line
            return
        runs, offset = [], 0  # the styled runs as (start, end, style), as Text.assemble spans
        styles = self.drawing.styles
        for text, name in self.parts:
            if name and text:
                found = styles.get(name)
                if found is None:
                    found = styles[name] = console.get_style(name)
                runs.append((offset, offset + len(text), found))
            offset += len(text)
        for start, end, before, after, ellipsis in lines:
            shown = plain[start : end - 1] + "…" if ellipsis else plain[start:end]
            loose, at = PAD + " " * before, 0  # unstyled text: one segment, as Text.render
            for run_start, run_end, run_style in runs:
                first, last = max(run_start - start, 0), min(run_end - start, end - start)
                if first >= last:
                    continue
                if loose or at < first:
                    yield Segment(loose + shown[at:first])
                yield Segment(shown[first:last], run_style)
                loose, at = "", last
            yield Segment(f"{loose}{shown[at:]}{' ' * after}{PAD}")
            yield new_line


def draw(
    console: Console,
    headers: Sequence[str],
    justify: Sequence[Justify],
    widths: Sequence[int],
    rows: Sequence[Sequence[style.Line]],
) -> None:
    """Keras's table into `console`, as wide as the console: fixed column widths (`widths`
    inside the padding; rich narrows them evenly when they do not fit), one rule between rows."""
    columns = [
        Column(Padding(h, (0, 1)), justify=j, width=w + 2 * len(PAD))
        for h, j, w in zip(headers, justify, widths, strict=True)
    ]
    table = Table(*columns, width=console.width, show_lines=True, padding=0)
    drawing = Drawing()
    for row in rows:
        table.add_row(*(Cell(parts, drawing) for parts in row))
    # Columns that fit (as a summary's always do) make lines exactly the console's width:
    # print's own pass that crops each line to it (a tenth of the drawing) changes nothing then.
    asked = sum(w + 2 * len(PAD) for w in widths) + len(widths) + 1  # with the borders
    console.print(table, crop=asked > console.width)
