"""`deconvcheck sizes SPEC --range LOW:HIGH`."""

from __future__ import annotations

import sys

import click

from deconvcheck.cli.main import (
    EXIT_FINDINGS,
    EXIT_OK,
    Command,
    FilePath,
    color_option,
    emit_diagnostics,
    emit_report,
    load_or_exit,
    model_option,
    shortened,
    whole_number,
)
from deconvcheck.report.sizes import REPORTERS, SizesView


def _range(value: str) -> tuple[int, int]:
    first, _, last = value.partition(":")
    low, high = whole_number(first, 1, 100_000), whole_number(last, 1, 100_000)
    if low is None or high is None or low > high:
        raise click.BadParameter(
            f"{shortened(value)}: write LOW:HIGH, e.g. 64:512 (whole numbers from 1 to 100000, "
            "LOW no more than HIGH)",
            param_hint="--range",
        )
    return low, high


@click.command(
    cls=Command,
    epilog="""\b
Examples:
  deconvcheck sizes unet.yaml --range 64:512
  deconvcheck sizes vgg16_decoder.yaml --range 1:20
  deconvcheck sizes unet.yaml --range 1:4096 --format json | jq .rule""",
)
@click.argument("spec", type=FilePath())
@click.option(
    "--range", "size_range", default="1:512", show_default=True, help="Square input sizes to try."
)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(tuple(REPORTERS)), default="text", show_default=True
)
@color_option
@model_option
def sizes(spec: str, size_range: str, fmt: str) -> None:
    """Which input sizes SPEC accepts (every spatial axis set to the size), and for an
    encoder-decoder which are given back exactly; summarised as a rule where one exists."""
    from deconvcheck.infer import infer  # noqa: PLC0415
    from deconvcheck.sizes import scan  # noqa: PLC0415

    low, high = _range(size_range)
    loaded = load_or_exit(spec)
    model = infer(loaded)
    structural = [d for d in model.diagnostics if d.code < "DC2"]
    if structural:
        emit_diagnostics(structural, err=True)
        sys.exit(EXIT_FINDINGS)
    restore = model.restore_mode(loaded.restore) is not None
    from deconvcheck.cli.progress import Progress  # noqa: PLC0415

    try:
        with Progress(high - low + 1, "sizes") as progress:
            result = scan(model, low, high, restore, progress)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    emit_report(REPORTERS[fmt](SizesView(spec, low, high, restore, result)), fmt)
    sys.exit(EXIT_OK if result.valid else EXIT_FINDINGS)
