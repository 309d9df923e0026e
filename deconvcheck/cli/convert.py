"""`deconvcheck convert` (a Keras model file to a spec), `deconvcheck export` (a spec to code)."""

from __future__ import annotations

import sys

import click

from deconvcheck.cli.main import (
    EXIT_FINDINGS,
    Command,
    FilePath,
    emit_diagnostics,
    load_or_exit,
    model_option,
    write_output,
)


def _infer_or_exit(source: str) -> object:
    """The model, or exit 1 with what stops it being written."""
    from deconvcheck.infer import infer  # noqa: PLC0415

    model = infer(load_or_exit(source))
    errors = [d for d in model.diagnostics if d.severity == "error"]
    if errors:
        emit_diagnostics(errors, err=True)
        click.echo("deconvcheck: fix these first; nothing was written", err=True)
        sys.exit(EXIT_FINDINGS)
    from deconvcheck.convert import unwritable  # noqa: PLC0415

    blocked = unwritable(model.graph)
    if blocked:
        names = ", ".join(f"{name!r} ({kind})" for name, kind in blocked)
        click.echo(f"deconvcheck: these layers cannot be written out yet: {names}", err=True)
        sys.exit(EXIT_FINDINGS)
    return model


@click.command(
    cls=Command,
    epilog="""\b
Examples:
  deconvcheck convert model.json -o model.yaml      # model.to_json() of Keras 3 or Keras 2
  deconvcheck convert model.keras                   # a Keras 3 archive, printed to stdout""",
)
@click.argument("source", type=FilePath())
@click.option("--output", "-o", type=FilePath(), help="File to write [default: stdout].")
@model_option
def convert(source: str, output: str | None) -> None:
    """Write SOURCE (a Keras model file, or a spec) as a deconvcheck spec: readable YAML with
    Keras's defaults left out, whose summary is the source's summary."""
    from deconvcheck.convert import to_yaml  # noqa: PLC0415

    model = _infer_or_exit(source)
    write_output(to_yaml(model, source), output, source)  # type: ignore[arg-type]


@click.command(
    cls=Command,
    epilog="""\b
Examples:
  deconvcheck export unet.yaml --to keras -o unet_model.py
  python unet_model.py        # Keras's own summary, with the numbers deconvcheck printed""",
)
@click.argument("spec", type=FilePath())
@click.option("--to", "target", type=click.Choice(("keras",)), default="keras", show_default=True)
@click.option("--output", "-o", type=FilePath(), help="File to write [default: stdout].")
@model_option
def export(spec: str, target: str, output: str | None) -> None:
    """Write SPEC as a Python module that builds the model with Keras's functional API."""
    from deconvcheck.convert import EXPORTERS  # noqa: PLC0415

    model = _infer_or_exit(spec)
    write_output(EXPORTERS[target](model, spec), output, spec)  # type: ignore[arg-type]
