"""`deconvcheck check PATH...`: the command for pre-commit hooks and CI."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING

import click

from deconvcheck.cli.main import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    FilePath,
    InputShape,
    color_option,
    emit_diagnostics,
    read_stdin,
    wants_color,
)
from deconvcheck.diagnostics import Code
from deconvcheck.report.check import REPORTERS
from deconvcheck.report.diagnostics import terminal

if TYPE_CHECKING:
    from deconvcheck.checks.run import FileResult


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (value or "").split(",") if c.strip())


@click.command(
    cls=Command,
    epilog="""\b
Examples:
  deconvcheck check specs/*.yaml
  deconvcheck check --format github specs/          # annotations in a GitHub Actions log
  deconvcheck check --extend-select DC302,DC303 models/   # and the design advice
  deconvcheck check --pair enc.yaml dec.yaml        # an encoder and its decoder together

\b
Files without the `deconvcheck:` key (CI workflows, docker-compose, package.json) are skipped;
a misspelt key is reported. Silence one finding with a comment on its line:
  - {type: Conv2DTranspose, ...}   # deconvcheck: ignore[DC303]
The default rules report what is wrong (Keras would refuse, the decoder does not restore, a
merge cannot join); advice (DC302 floors, DC303 checkerboard) is opt-in. Configure in
pyproject.toml: [tool.deconvcheck] select, extend-select, ignore, per-file-ignores.
`deconvcheck rules` lists every rule and whether it runs by default. Files are only read,
never modified.

\b
Exit status: 0 no findings, 1 findings reported (see --fail-on, --exit-zero), 2 usage error or
unreadable file.""",
)
@click.argument("paths", nargs=-1, type=FilePath(dir_okay=True))
@click.option(
    "--format", "-f", "fmt", type=click.Choice(tuple(REPORTERS)), default="text", show_default=True
)
@click.option(
    "--select",
    help="Only these rules (codes or prefixes, comma-separated), instead of the default set.",
)
@click.option(
    "--extend-select",
    help="Add these rules to the default set: the opt-in advice, e.g. DC302,DC303.",
)
@click.option("--ignore", help="Skip these rules (codes or prefixes, comma-separated): DC208.")
@click.option(
    "--pair",
    nargs=2,
    type=FilePath(dir_okay=True),
    metavar="ENCODER DECODER",
    help="Also check that DECODER starts where ENCODER ends and ends where it starts.",
)
@click.option(
    "--fail-on",
    type=click.Choice(("error", "warning")),
    default="warning",
    show_default=True,
    help="Exit 1 for findings of this severity or worse.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--input-shape",
    type=InputShape(),
    default=None,
    help="Check every spec at another input shape (without the batch axis), e.g. 100,100,8.",
)
@click.option("--quiet", "-q", is_flag=True, help="No summary line on standard error.")
@color_option
def check(
    paths: tuple[str, ...],
    fmt: str,
    select: str | None,
    extend_select: str | None,
    ignore: str | None,
    pair: tuple[str, str] | None,
    fail_on: str,
    exit_zero: bool,
    input_shape: tuple[int | None, ...] | None,
    quiet: bool,
) -> None:
    """Check spec files (and folders of them): Keras refusals, decoders that do not restore the
    input size (traced to the layer that lost it, with fixes verified by re-running inference),
    skip connections that cannot be joined, and design rules such as checkerboard-prone
    transposed convolutions."""
    from deconvcheck.checks.config import Config, ConfigError, load_config, merge  # noqa: PLC0415
    from deconvcheck.checks.run import check_paths  # noqa: PLC0415
    from deconvcheck.report.check import tally  # noqa: PLC0415

    _escape_unencodable()
    if not paths and not pair:
        raise click.UsageError("give spec files or folders to check (or --pair ENCODER DECODER)")
    try:
        here = os.getcwd()
    except OSError:  # the working folder was deleted: there is no pyproject.toml to find
        here = None
    try:
        settings = load_config(here) if here is not None else Config()
        config = merge(settings, _codes(select), _codes(ignore), _codes(extend_select))._replace(
            input_shape=input_shape
        )
    except ConfigError as error:
        click.echo(f"deconvcheck: {terminal(str(error))}", err=True)
        sys.exit(EXIT_USAGE)
    files = [p for p in paths if p != "-"]
    results = []
    if files:
        from deconvcheck.checks.run import discover  # noqa: PLC0415
        from deconvcheck.cli.progress import Progress  # noqa: PLC0415

        listed = list(discover(files))  # once: the bar needs the count
        with Progress(len(listed), "checking") as progress:
            results = check_paths(listed, config, progress)
    if "-" in paths:  # standard input, as `summary -` reads it
        from deconvcheck.checks.run import check_file  # noqa: PLC0415

        results.insert(0, check_file("<stdin>", config, read_stdin()))
    if pair:
        results.append(_check_pair(*pair))
    if fmt == "text" and any(r.diagnostics for r in results) and wants_color():
        emit_diagnostics([d for r in results for d in r.diagnostics])  # imports rich
    else:
        click.echo(REPORTERS[fmt](results), nl=False)
    if not quiet:
        click.echo(tally(results), err=True)
    unreadable = any(d.code == Code.FILE_UNREADABLE for r in results for d in r.diagnostics)
    if unreadable:
        sys.exit(EXIT_USAGE)
    failing = ("error",) if fail_on == "error" else ("error", "warning")
    found = any(d.severity in failing for r in results for d in r.diagnostics)
    sys.exit(EXIT_FINDINGS if found and not exit_zero else EXIT_OK)


def _escape_unencodable() -> None:
    """What the output's encoding cannot write (an arrow under PYTHONIOENCODING=latin-1 or a C
    locale) as a `\\u2192` escape rather than an internal error; text from files is already
    escaped (report.diagnostics.terminal), so only our own characters can be left."""
    for stream in (sys.stdout, sys.stderr):
        # not a text file (a test's capture), closed, or None (`>&-`): nothing to do
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


def _check_pair(encoder: str, decoder: str) -> FileResult:
    from deconvcheck.checks.pairs import pair_diagnostics  # noqa: PLC0415
    from deconvcheck.checks.run import FileResult  # noqa: PLC0415
    from deconvcheck.infer import infer  # noqa: PLC0415
    from deconvcheck.read.loader import load  # noqa: PLC0415
    from deconvcheck.read.spec import Pos, ReadFailure  # noqa: PLC0415

    try:
        model = infer(load(decoder))
    except ReadFailure as failure:
        return FileResult(decoder, [failure.diagnostic], True)
    return FileResult(decoder, pair_diagnostics(encoder, model, decoder, Pos()), True)
