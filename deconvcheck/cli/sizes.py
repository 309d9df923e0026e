"""`deconvcheck sizes SPEC --range LOW:HIGH`."""

from __future__ import annotations

import sys

import click

from deconvcheck.cli.main import EXIT_FINDINGS, EXIT_OK, load_or_exit


def _range(value: str) -> tuple[int, int]:
    low, _, high = value.partition(":")
    if not (low.isdigit() and high.isdigit()) or not 0 < int(low) <= int(high) <= 100_000:
        raise click.BadParameter(f"{value!r}: write LOW:HIGH, e.g. 64:512 (1 to 100000)")
    return int(low), int(high)


@click.command(
    epilog="""\b
Examples:
  deconvcheck sizes sample_specs/unet.yaml --range 64:512
  deconvcheck sizes sample_specs/vgg16_decoder.yaml --range 1:20
  deconvcheck sizes sample_specs/unet.yaml --range 1:4096 --format json | jq .rule"""
)
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "--range", "size_range", default="1:512", show_default=True, help="Square input sizes to try."
)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True
)
def sizes(spec: str, size_range: str, fmt: str) -> None:
    """Which input sizes SPEC accepts (every spatial axis set to the size), and for an
    encoder-decoder which are given back exactly; summarised as a rule where one exists."""
    from deconvcheck.infer import infer  # noqa: PLC0415
    from deconvcheck.report.summary import format_diagnostic  # noqa: PLC0415
    from deconvcheck.sizes import failure_summary, scan  # noqa: PLC0415

    low, high = _range(size_range)
    loaded = load_or_exit(spec)
    model = infer(loaded)
    structural = [d for d in model.diagnostics if d.code < "DC2"]
    if structural:
        click.echo("".join(format_diagnostic(d) + "\n" for d in structural), nl=False, err=True)
        sys.exit(EXIT_FINDINGS)
    restore = model.restore_mode(loaded.restore) is not None
    try:
        result = scan(model, low, high, restore)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if fmt == "json":
        import json  # noqa: PLC0415

        doc = {
            "range": [low, high],
            "valid": result.valid,
            "restored": result.restored if restore else None,
            "rule": result.rule,
            "failures": [f._asdict() for f in result.failures],
        }
        click.echo(json.dumps(doc))
    else:
        what = "given back exactly" if restore else "valid"
        click.echo(f"{spec}: sizes {low}..{high}")
        click.echo(
            f"  valid: {len(result.valid)} size(s)"
            + (f", {_short(result.valid)}" if result.valid else "")
        )
        if restore:
            click.echo(
                f"  restored exactly: {len(result.restored)} size(s)"
                + (f", {_short(result.restored)}" if result.restored else "")
            )
        click.echo(f"  rule ({what}): {result.rule or 'no simple rule'}")
        for line in failure_summary(result.failures):
            click.echo(f"  {line}")
    sys.exit(EXIT_OK if result.valid else EXIT_FINDINGS)


def _short(values: list[int]) -> str:
    shown = ", ".join(str(v) for v in values[:8])
    return shown + (f", ... {values[-1]}" if len(values) > 8 else "")
