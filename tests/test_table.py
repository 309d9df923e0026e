"""The hand-drawn table must be exactly what rich draws for Keras's summary configuration
(`keras/src/utils/summary_utils.py`: `Table(width=line_length, show_lines=True)` with fixed
column widths, printed by a console without colour). rich is a test dependency only."""

from __future__ import annotations

import itertools

import pytest
import rich.console
import rich.markup
import rich.table

from deconvcheck.report.table import Column, column_widths, render, wrap

CHAIN = ((0.45, 0.80, 1.0), ("Layer (type)", "Output Shape", "Param #"), ("left", "left", "right"))
GRAPH = (
    (0.3, 0.56, 0.74, 1.0),
    ("Layer (type)", "Output Shape", "Param #", "Connected to"),
    ("left", "left", "right", "left"),
)
ROWS = [
    ["input (InputLayer)", "(None, 7, 7, 512)", "0", "-"],
    [
        "batch_normalization_12 (BatchNormalization)",
        "(None, 128, 128, 128)",
        "2,359,808",
        "activation_1[0][0], up1[0][0], conv2d_transpose_3[0][0]",
    ],
    [
        "averyveryveryverylongnamewithoutanyspacesatallreally (Conv2DTranspose)",
        "(None, None, 1024, 1024, 3)",
        "123,456,789",
        "x[0][0]",
    ],
    ["[red]x (Dense)", "(None, 10)", "1,290", "flatten[0][0]"],
]


def rich_table(layout: tuple[object, ...], rows: list[list[str]], line_length: int) -> str:
    positions, headers, aligns = layout
    widths = column_widths(line_length, positions)  # type: ignore[arg-type]
    columns = [
        rich.table.Column(h, justify=a, width=w)  # type: ignore[arg-type]
        for h, a, w in zip(headers, aligns, widths, strict=True)  # type: ignore[call-overload]
    ]
    table = rich.table.Table(*columns, width=line_length, show_lines=True)
    for row in rows:
        table.add_row(*(rich.markup.escape(cell) for cell in row[: len(columns)]))
    console = rich.console.Console(
        highlight=False, force_terminal=False, color_system=None, width=1000
    )
    console.begin_capture()
    console.print(table)
    return console.end_capture().rstrip("\n")


@pytest.mark.parametrize(
    ("layout", "line_length"),
    list(itertools.product([CHAIN, GRAPH], [40, 60, 76, 88, 104, 108, 140])),
)
def test_render_matches_rich(layout: tuple[object, ...], line_length: int) -> None:
    positions, headers, aligns = layout
    widths = column_widths(line_length, positions)  # type: ignore[arg-type]
    columns = [Column(h, a, w) for h, a, w in zip(headers, aligns, widths, strict=True)]  # type: ignore[call-overload]
    rows = [row[: len(columns)] for row in ROWS]
    assert render(columns, rows, line_length) == rich_table(layout, ROWS, line_length)


def test_column_widths_as_keras() -> None:
    # int(0.45·88) = 39, int(0.80·88) = 70 -> 31, 88 - 70 = 18
    assert column_widths(88, (0.45, 0.80, 1.0)) == [39, 31, 18]
    assert column_widths(76, (0.3, 0.56, 0.74, 1.0)) == [22, 20, 14, 20]


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("(None, 128, 128, 64)", 17, ["(None, 128, 128,", "64)"]),
        ("abcdefghij", 5, ["abcd…"]),
        ("a b", 10, ["a b"]),
    ],
)
def test_wrap(text: str, width: int, expected: list[str]) -> None:
    assert wrap(text, width) == expected
