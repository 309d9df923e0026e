"""Text output drawn by rich: Keras's colours for numbers and class names, diagnostics coloured by
severity, plain text when colour is off.

rich is imported inside the functions that draw (about 40 ms), so that `--help`, `--version`, JSON
output and `check` on clean files never pay for it. Colour is decided at the edge (cli/) and
passed in as `color`; without it nothing here emits an escape code.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from deconvcheck.diagnostics import Diagnostic
from deconvcheck.report.diagnostics import hint_lines, terminal

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# keras/src/utils/summary_utils.py: highlight_number, highlight_symbol, bold_text
NUMBER = "color(34)"
NONE = "color(45)"
SYMBOL = "color(33)"
BOLD = "bold"
YES, NO = "bold color(34)", "bold color(9)"  # show_trainable's Y and N
SEVERITY = {"error": "bold red", "warning": "bold yellow"}
FIX = "cyan"

Part = tuple[str, str]  # text and a rich style ("" for none)
Line = Sequence[Part]

UNLIMITED = 1_000_000  # a console this wide never wraps a line of text


def console(width: int, color: bool) -> Console:
    """A console that draws into a string, `width` columns wide, with or without colour (the
    colour system from TERM/COLORTERM, as rich detects it for a terminal)."""
    from rich.console import Console  # noqa: PLC0415 - see the module docstring

    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )


def drawn(out: Console) -> str:
    file = out.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def text(line: Line) -> Text:
    from rich.text import Text  # noqa: PLC0415

    return Text.assemble(*((t, s) if s else t for t, s in line))


def paint(lines: Iterable[Line], color: bool) -> str:
    """Lines of styled parts as text: escape codes when `color`, else the plain characters
    (without importing rich)."""
    if not color:
        return "".join("".join(t for t, _ in line) + "\n" for line in lines)
    out = console(UNLIMITED, True)
    for line in lines:
        out.print(text(line), soft_wrap=True)
    return drawn(out)


def diagnostic_lines(diag: Diagnostic) -> list[Line]:
    """`path:line:column: CODE message` and its `fix:` lines, the code in its severity's colour
    (format_diagnostic's characters, text from files escaped for the terminal)."""
    lines: list[Line] = [
        [
            (f"{terminal(diag.path)}:{diag.line}:{diag.column}:", BOLD),
            (" ", ""),
            (diag.code, SEVERITY[diag.severity.value]),
            (f" {terminal(diag.message)}", ""),
        ]
    ]
    lines += [[("    fix:", FIX), (f" {fix}", "")] for fix in hint_lines(diag.hint)]
    return lines


# What the other text outputs (solve, sizes, layers, rules, explain) highlight in a terminal.
# Patterns as text: rich compiles them through `re`'s own cache when a terminal needs them,
# rather than every start-up compiling them at import.
_HIGHLIGHTS = (
    (r"\bDC\d{3}\b", BOLD),
    (r"\berror\b", "red"),
    (r"\bwarning\b", "yellow"),
    (r"\b(?:keras\.layers|torch\.nn|tf\.nn)\.\w+", SYMBOL),
    (r"\bNone\b", NONE),
    (r"(?<![\w.-])\d+(?:,\d{3})*(?:\.\d+)?(?![\w.])", NUMBER),
)


def highlighted(output: str, color: bool) -> str:
    """Plain report text with Keras's number colours and the symbols and rule codes picked out;
    `output` unchanged when colour is off. Lines that end in ':' and start in column 0 (the
    section titles) are bold."""
    if not color or not output:
        return output
    from rich.text import Text  # noqa: PLC0415

    out = console(UNLIMITED, True)
    for raw in output.removesuffix("\n").split("\n"):
        line = Text(raw)
        if raw and not raw[0].isspace() and raw.rstrip().endswith(":"):
            line.stylize(BOLD)
        for pattern, style in _HIGHLIGHTS:
            line.highlight_regex(pattern, style)
        out.print(line, soft_wrap=True)
    return drawn(out)
