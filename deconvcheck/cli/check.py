"""`deconvcheck check PATH...`: the command for pre-commit hooks and CI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from deconvcheck.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from deconvcheck.report.check import REPORTERS

if TYPE_CHECKING:
    from deconvcheck.check.run import FileResult


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (value or "").split(",") if c.strip())


@click.command(
    epilog="""\b
Examples:
  deconvcheck check sample_specs/*.yaml
  deconvcheck check --format github specs/          # annotations in a GitHub Actions log
  deconvcheck check --ignore DC303 models/
  deconvcheck check --pair enc.yaml dec.yaml        # an encoder and its decoder together

\b
Files without the `deconvcheck:` key (CI workflows, docker-compose, package.json) are skipped;
a misspelt key is reported. Silence one finding with a comment on its line:
  - {type: Conv2DTranspose, ...}   # deconvcheck: ignore[DC303]
Configure rules in pyproject.toml, [tool.deconvcheck] select = [...], ignore = [...].
`deconvcheck rules` lists every rule. Files are only read, never modified.

\b
Exit status: 0 no problems, 1 problems found, 2 usage error or unreadable file."""
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format", "-f", "fmt", type=click.Choice(tuple(REPORTERS)), default="text", show_default=True
)
@click.option("--select", help="Only these rules (codes or prefixes, comma-separated): DC3,DC201.")
@click.option("--ignore", help="Skip these rules (codes or prefixes, comma-separated): DC303.")
@click.option(
    "--pair",
    nargs=2,
    type=click.Path(),
    metavar="ENCODER DECODER",
    help="Also check that DECODER starts where ENCODER ends and ends where it starts.",
)
@click.option("--quiet", "-q", is_flag=True, help="No summary line on standard error.")
def check(
    paths: tuple[str, ...],
    fmt: str,
    select: str | None,
    ignore: str | None,
    pair: tuple[str, str] | None,
    quiet: bool,
) -> None:
    """Check spec files (and folders of them): Keras refusals, decoders that do not restore the
    input size (traced to the layer that lost it, with fixes verified by re-running inference),
    skip connections that cannot be joined, and design rules such as checkerboard-prone
    transposed convolutions."""
    from deconvcheck.check.config import ConfigError, load_config, merge  # noqa: PLC0415
    from deconvcheck.check.run import check_paths  # noqa: PLC0415
    from deconvcheck.report.check import tally  # noqa: PLC0415

    if not paths and not pair:
        raise click.UsageError("give spec files or folders to check (or --pair ENCODER DECODER)")
    try:
        config = merge(load_config(Path.cwd()), _codes(select), _codes(ignore))
    except ConfigError as error:
        click.echo(f"deconvcheck: {error}", err=True)
        sys.exit(EXIT_USAGE)
    results = check_paths(paths, config)
    if pair:
        results.append(_check_pair(*pair))
    click.echo(REPORTERS[fmt](results), nl=False)
    if not quiet:
        click.echo(tally(results), err=True)
    unreadable = any(d.code == "DC001" for r in results for d in r.diagnostics)
    if unreadable:
        sys.exit(EXIT_USAGE)
    found = any(r.diagnostics for r in results)
    sys.exit(EXIT_FINDINGS if found else EXIT_OK)


def _check_pair(encoder: str, decoder: str) -> FileResult:
    from deconvcheck.check.pairs import pair_diagnostics  # noqa: PLC0415
    from deconvcheck.check.run import FileResult  # noqa: PLC0415
    from deconvcheck.infer import infer  # noqa: PLC0415
    from deconvcheck.read.loader import load  # noqa: PLC0415
    from deconvcheck.read.spec import Pos, ReadFailure  # noqa: PLC0415

    try:
        model = infer(load(decoder))
    except ReadFailure as failure:
        return FileResult(decoder, [failure.diagnostic], True)
    return FileResult(decoder, pair_diagnostics(encoder, model, decoder, Pos()), True)
