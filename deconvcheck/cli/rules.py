"""`deconvcheck rules`: every rule code, its severity and what it catches."""

from __future__ import annotations

import click

from deconvcheck.cli.main import Command, color_option, emit_report


@click.command(cls=Command)
@click.argument("code", required=False)
@color_option
def rules(code: str | None) -> None:
    """List the rule codes, their severity and whether `check` runs them by default (opt-in
    rules are advice: `check --extend-select CODE`); with a CODE (or a prefix such as DC3), an
    example and the fix."""
    from deconvcheck.diagnostics import RULES  # noqa: PLC0415

    selected = [r for r in RULES.values() if code is None or r.code.startswith(code.upper())]
    if not selected:
        raise click.BadParameter(f"no rule matches {code!r}", param_hint="CODE")
    lines = []
    for rule in selected:
        kind = "default" if rule.default else "opt-in"
        lines.append(f"{rule.code}  {rule.severity.value:7}  {kind:7}  {rule.title}")
        if code is not None and rule.example:  # details when asking about a rule
            lines.append(f"       example: {rule.example}")
            lines.append(f"       fix:     {rule.fix}")
    emit_report("".join(line + "\n" for line in lines))
