"""The summary table's cells, wrapped ahead of rich (report/table.py), draw exactly what rich
draws from `Text` cells in a padded table: the same characters, and in colour the same escape
codes. Random tables of random cells (spaces anywhere, words longer than the column, empty
cells, wide and combining characters, columns rich narrows to fit), every justification."""

from __future__ import annotations

import io
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.table import Column, Table
from rich.text import Text

from deconvcheck.report import style, table

SETTINGS = settings(max_examples=300, deadline=None)
JUSTIFY: list[table.Justify] = ["left", "center", "right"]
STYLES = ["", "", style.NUMBER, style.NONE, style.SYMBOL, style.BOLD]


def _console(width: int, color: bool) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="256" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )


class Case(NamedTuple):
    headers: list[str]
    justify: list[table.Justify]
    widths: list[int]
    rows: list[list[style.Line]]
    width: int
    color: bool


def _with_rich(case: Case) -> str:
    """The table as Keras has rich draw it: Text cells in a padded table."""
    out = _console(case.width, case.color)
    columns = [
        Column(h, justify=j, width=w)
        for h, j, w in zip(case.headers, case.justify, case.widths, strict=True)
    ]
    drawn = Table(*columns, width=case.width, show_lines=True)
    for row in case.rows:
        drawn.add_row(*(style.text(cell) for cell in row))
    out.print(drawn)
    return style.drawn(out)


def _ours(case: Case) -> str:
    out = _console(case.width, case.color)
    table.draw(out, case.headers, case.justify, case.widths, case.rows)
    return style.drawn(out)


ascii_words = st.text(alphabet="ab_(),[]09 ", max_size=30)
any_words = st.one_of(
    ascii_words,
    st.text(alphabet="ab_( )09é中└\u0301\u00a0…", max_size=20),  # not a column a character
)
parts = st.lists(st.tuples(any_words, st.sampled_from(STYLES)), max_size=4)


@st.composite
def tables(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 4))
    widths = draw(st.lists(st.integers(1, 14), min_size=n, max_size=n))
    justify = draw(st.lists(st.sampled_from(JUSTIFY), min_size=n, max_size=n))
    rows: list[list[style.Line]] = draw(
        st.lists(st.lists(parts, min_size=n, max_size=n), max_size=4)
    )
    natural = sum(widths) + 3 * n + 1  # columns, their padding and the borders
    width = draw(st.integers(max(n * 2 + 1, natural - 12), natural))  # at times narrowed
    header = st.sampled_from(["Layer (type)", "Param #", "", "x"])
    headers = draw(st.lists(header, min_size=n, max_size=n))
    return Case(headers, justify, widths, rows, width, draw(st.booleans()))


@SETTINGS
@given(tables())
def test_random_tables_draw_as_rich_draws_them(case: Case) -> None:
    assert _ours(case) == _with_rich(case)


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "     ",
        "   leading",
        "trailing   ",
        "conv2_block1_0_conv (Conv2D)",
        "exactly_ten",
        "a_word_longer_than_the_column and more",
        "x  y",
        "(None, 224, 224, 3)",
        "input_layer[0][0], conv1_pad[0][0]",
        "中文 (Conv2D)",
        "└ dense (Dense)",
    ],
)
@pytest.mark.parametrize("justify", ["left", "center", "right"])
@pytest.mark.parametrize("width", [1, 2, 5, 10, 11, 40])
def test_cells_draw_as_rich_draws_them(
    text: str, justify: table.Justify, width: int, color: bool
) -> None:
    cell: style.Line = [(text[:4], style.SYMBOL), (text[4:9], ""), (text[9:], style.NUMBER)]
    case = Case(["h"], [justify], [width], [[cell], [[(text, "")]]], width + 4, color)
    assert _ours(case) == _with_rich(case)


@SETTINGS
@given(
    plain=ascii_words,
    width=st.integers(1, 12),
    justify=st.sampled_from(JUSTIFY),
    overflow=st.sampled_from(["fold", "crop", "ellipsis"]),
)
def test_wrapped_lines_are_text_wrap_lines(
    plain: str, width: int, justify: table.Justify, overflow: table.Overflow
) -> None:
    ours = [
        " " * before + (plain[start : end - 1] + "…" if cut else plain[start:end]) + " " * after
        for start, end, before, after, cut in table.wrapped(plain, width, justify, overflow)
    ]
    lines = Text(plain).wrap(_console(80, False), width, justify=justify, overflow=overflow)
    assert ours == [line.plain for line in lines]


def test_ascii_cells_are_not_drawn_by_text() -> None:
    """The wrapping here is used (else the tests above would compare rich with itself)."""
    out = _console(20, False)
    options = out.options.update(width=12, justify="left", overflow="ellipsis")
    cell = table.Cell([("conv1 (", ""), ("Conv2D", style.SYMBOL), (")", "")])
    drawn = list(cell.__rich_console__(out, options))
    texts = [segment.text for segment in drawn if isinstance(segment, Segment)]
    assert len(texts) == len(drawn)
    assert texts == [" conv1      ", "\n", " (Conv2D)   ", "\n"]
