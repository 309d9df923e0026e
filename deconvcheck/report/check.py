"""`check` reporters, chosen by name: text (greppable), json, github (workflow commands), sarif."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from deconvcheck import __version__
from deconvcheck.diagnostics import RULES, Diagnostic, Severity
from deconvcheck.report.diagnostics import (
    diagnostic_json,
    format_diagnostic,
    hint_lines,
    terminal,
)

if TYPE_CHECKING:
    from deconvcheck.checks.run import FileResult


def _all(results: Sequence[FileResult]) -> list[Diagnostic]:
    return [d for r in results for d in r.diagnostics]


def render_text(results: Sequence[FileResult]) -> str:
    return "".join(format_diagnostic(d) + "\n" for d in _all(results))


def tally(results: Sequence[FileResult]) -> str:
    found = _all(results)
    specs = sum(r.is_spec for r in results)
    errors = sum(d.severity == Severity.ERROR for d in found)
    warnings = sum(d.severity == Severity.WARNING for d in found)
    files = len({d.path for d in found})
    skipped = f"{len(results) - specs} other file(s) skipped"
    empty = [terminal(r.path) for r in results if r.empty]
    if empty:  # say which: an empty file may be a spec that lost its content
        named = ", ".join(empty[:3]) + (f" and {len(empty) - 3} more" if len(empty) > 3 else "")
        skipped += f", {len(empty)} of them empty: {named}"
    if not found:
        return f"{specs} spec file(s) checked, no findings ({skipped})"
    return (
        f"{len(found)} finding(s): {errors} error(s), {warnings} warning(s) in {files} of {specs} "
        f"spec file(s) ({skipped})"
    )


def render_json(results: Sequence[FileResult]) -> str:
    import json  # noqa: PLC0415

    found = _all(results)
    files = []
    for r in results:
        each = [diagnostic_json(d) for d in r.diagnostics]
        # "diagnostics": the same list, under its earlier name (kept for existing readers)
        files.append({"path": r.path, "is_spec": r.is_spec, "findings": each, "diagnostics": each})
    doc = {
        "files": files,
        "summary": {
            "files": len(results),
            "specs": sum(r.is_spec for r in results),
            "errors": sum(d.severity == Severity.ERROR for d in found),
            "warnings": sum(d.severity == Severity.WARNING for d in found),
        },
    }
    return json.dumps(doc, indent=2) + "\n"


def github_data(text: str) -> str:
    r"""Text from a file in a GitHub workflow command's message: `%`, CR and LF as the runner's
    escapes (actions/toolkit's escapeData), so that nothing can end the annotation or start a
    command of its own, and every other control as the terminal shows it (the log is a
    terminal: ESC would colour it, a bidi control reorder it).

    >>> github_data("50% of 'a\n::error::x\x1b[2J'")
    "50%25 of 'a%0A::error::x\\x1b[2J'"
    """
    return "%0A".join(
        "%0D".join(terminal(part).replace("%", "%25") for part in line.split("\r"))
        for line in text.split("\n")
    )


def github_property(text: str) -> str:
    """Text from a file in a property value (file=, title=): github_data, and ':' and ','
    too, which end a property (actions/toolkit's escapeProperty)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def render_github(results: Sequence[FileResult]) -> str:
    lines = []
    for d in _all(results):
        props = [f"file={github_property(d.path)}"]
        if d.line:
            props += [f"line={d.line}", f"col={d.column}"]
        props.append(f"title={github_property(d.code + ' ' + RULES[d.code].title)}")
        # Our own line breaks (before the fixes, between them) as %0A; those of names escaped.
        fixes = "%0A".join(github_data(fix) for fix in hint_lines(d.hint))
        message = github_data(d.message) + (f"%0Afix: {fixes}" if fixes else "")
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{message}")
    return "".join(line + "\n" for line in lines)


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def sarif(results: Sequence[FileResult]) -> dict[str, Any]:
    rules = [
        {
            "id": rule.code,
            "name": rule.title,
            "shortDescription": {"text": rule.title},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        for rule in RULES.values()
    ]
    index = {code: i for i, code in enumerate(RULES)}
    sarif_results = []
    for d in _all(results):
        location: dict[str, Any] = {"artifactLocation": {"uri": d.path.replace("\\", "/")}}
        if d.line > 0:
            location["region"] = {"startLine": d.line, "startColumn": max(d.column, 1)}
        text = d.message + (f" Fix: {d.hint}" if d.hint else "")
        sarif_results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _SARIF_LEVEL[d.severity],
                "message": {"text": text},
                "locations": [{"physicalLocation": location}],
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "deconvcheck", "version": __version__, "rules": rules}},
                "results": sarif_results,
            }
        ],
    }


def render_sarif(results: Sequence[FileResult]) -> str:
    import json  # noqa: PLC0415

    return json.dumps(sarif(results), indent=2) + "\n"


REPORTERS: dict[str, Callable[[Sequence[FileResult]], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}
