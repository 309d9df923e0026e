"""A diagnostic as every command prints it: one greppable line and its fixes, or a JSON object."""

from __future__ import annotations

from typing import Any

from deconvcheck.diagnostics import Diagnostic


def format_diagnostic(diag: Diagnostic) -> str:
    text = diag.format_line()
    for line in (diag.hint or "").splitlines():
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
        "hint": diag.hint,
    }
