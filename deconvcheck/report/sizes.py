"""`sizes` output, as text or JSON: which input sizes a spec accepts and gives back."""

from __future__ import annotations

from collections.abc import Callable

from deconvcheck.record import Record
from deconvcheck.report.diagnostics import terminal
from deconvcheck.sizes import Scan, failure_summary


class SizesView(Record):
    path: str
    low: int
    high: int
    restore: bool  # an encoder-decoder: sizes given back exactly are listed too
    scan: Scan


def _short(values: list[int]) -> str:
    shown = ", ".join(str(v) for v in values[:8])
    return shown + (f", ... {values[-1]}" if len(values) > 8 else "")


def render_text(view: SizesView) -> str:
    result = view.scan
    what = "given back exactly" if view.restore else "valid"
    lines = [
        f"{terminal(view.path)}: sizes {view.low}..{view.high}",
        f"  valid: {len(result.valid)} size(s)"
        + (f", {_short(result.valid)}" if result.valid else ""),
    ]
    if view.restore:
        lines.append(
            f"  restored exactly: {len(result.restored)} size(s)"
            + (f", {_short(result.restored)}" if result.restored else "")
        )
    lines.append(f"  rule ({what}): {result.rule or 'no simple rule'}")
    lines += [f"  {terminal(line)}" for line in failure_summary(result.failures)]
    return "\n".join(lines) + "\n"


def render_json(view: SizesView) -> str:
    import json  # noqa: PLC0415

    result = view.scan
    doc = {
        "range": [view.low, view.high],
        "valid": result.valid,
        "restored": result.restored if view.restore else None,
        "rule": result.rule,
        "failures": [f._asdict() for f in result.failures],
    }
    return json.dumps(doc) + "\n"


REPORTERS: dict[str, Callable[[SizesView], str]] = {"text": render_text, "json": render_json}
