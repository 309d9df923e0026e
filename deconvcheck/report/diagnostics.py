"""A diagnostic as every command prints it: one greppable line and its fixes, or a JSON object;
and `terminal`, the one way text from a file reaches a terminal."""

from __future__ import annotations

import re
from typing import Any

from deconvcheck.diagnostics import Diagnostic

# What a terminal (or a log viewer, or an editor) would act on rather than show: C0 and C1
# controls (ESC starts colour, title and hyperlink sequences; CR overprints; LF starts a line
# that may read as a finding or a GitHub workflow command), DEL, the bidi controls that reorder
# a line, the line and paragraph separators, the byte-order mark and non-characters, and lone
# surrogates (a `"\ud800"` in JSON; no encoder can write them).
# A pattern as text: compiling it (its ranges) takes half a millisecond, which only a text that
# holds such a character pays (see `terminal`), not every start-up.
_HIDDEN = (
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufeff\ufffe\uffff]"
)
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _shown(char: str) -> str:
    r"""One hidden character as Python writes it in a string literal: `\x1b`, `\n`, `\u202e`."""
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def terminal(text: str) -> str:
    r"""Text from a file (a name, a path, a message quoting one) as a terminal may print it:
    every control, bidi control and lone surrogate shown as its escape, never emitted; all
    else (letters of any script, `[red]`, quotes, backslashes) exactly as written, so that a
    summary of ordinary names stays Keras's byte for byte.

    >>> terminal("up\x1b]0;pwned\x07 \u202eevil\r\n")
    'up\\x1b]0;pwned\\x07 \\u202eevil\\r\\n'
    """
    # Every character hidden is one str.isprintable() refuses (control, format, separator,
    # surrogate, non-character; tests/test_hostile_output.py checks all of them), so a printable
    # text, nearly every one, has none: one scan, and no expression compiled.
    if text.isprintable():
        return text
    return re.sub(_HIDDEN, lambda match: _shown(match.group()), text)


def hint_lines(hint: str | None) -> list[str]:
    r"""A hint's fixes, one a line, each as `terminal` shows it. A hint of several fixes numbers
    them `(1) `, `(2) `, ... one a line (check.analyze); a line break anywhere else came from a
    name and is shown as `\n`, so a name cannot start a line of its own."""
    if not hint:
        return []
    pieces = hint.split("\n")
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if lines[0].startswith("(1) ") and piece.startswith(f"({len(lines) + 1}) "):
            lines.append(piece)
        else:
            lines[-1] += "\n" + piece
    return [terminal(line) for line in lines]


def format_diagnostic(diag: Diagnostic) -> str:
    """`path:line:column: CODE message` and a `    fix:` line per fix, text from files escaped."""
    text = f"{terminal(diag.path)}:{diag.line}:{diag.column}: {diag.code} {terminal(diag.message)}"
    for line in hint_lines(diag.hint):
        text += f"\n    fix: {line}"
    return text


def diagnostic_json(diag: Diagnostic) -> dict[str, Any]:
    return {
        "code": diag.code,
        "severity": diag.severity.value,
        "message": diag.message,
        "path": diag.path,
        "line": diag.line,
        "column": diag.column,
        "layer": diag.layer,
        "fix": diag.hint,  # what the text prints after `fix:`
        "hint": diag.hint,  # the same, under its earlier name (kept for existing readers)
    }
