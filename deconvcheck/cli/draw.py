"""`deconvcheck draw SPEC`: the network's size profile as text, Mermaid, Graphviz or SVG."""

from __future__ import annotations

import sys

import click

from deconvcheck.cli.main import (
    EXIT_FINDINGS,
    EXIT_OK,
    Command,
    FilePath,
    InputShape,
    color_option,
    emit_diagnostics,
    inferred,
    model_option,
    read_spec,
    wants_color,
    write_output,
)

FORMATS = ("text", "mermaid", "dot", "svg")


@click.command(
    cls=Command,
    epilog="""\b
Examples:
  deconvcheck draw unet.yaml
  deconvcheck draw unet.yaml --input-shape 100,100,8   # marks the broken level
  deconvcheck draw unet.yaml --to mermaid >> README.md  # GitHub renders it
  deconvcheck draw model.keras --to dot | dot -Tsvg -o model.svg
  deconvcheck draw unet.yaml --to svg -o unet.svg      # no Graphviz needed

\b
text: one row per run of layers at one scale (sizes within 1.5x; --expand: one per layer),
a bar as long as the size, the skip connections as lines on the right, joined where the
arrow is; a level where `check` finds a problem (a merge that cannot join, a decoder that
does not restore) is marked with the rule code and the layer. mermaid and dot: every layer
with its type, output shape and parameters, skip connections dashed, failing layers in red.
svg: the size profile as a picture (one bar per row, skip connections as arcs). With a
picture format or -o, the findings are printed on standard error.

\b
Exit status: 0 drawn, 1 drawn but Keras would refuse the model (the layers after the
refusal are drawn without a shape), 2 unreadable file or usage error.""",
)
@click.argument("spec", type=FilePath())
@click.option(
    "--to",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for the terminal; mermaid for a README; dot for Graphviz; svg, a picture.",
)
@click.option("--output", "-o", type=FilePath(), help="Write to this file, not stdout.")
@click.option("--expand", is_flag=True, help="One row per layer instead of one per size.")
@click.option("--ascii", "ascii_only", is_flag=True, help="Only ASCII characters (text).")
@click.option(
    "--input-shape",
    type=InputShape(),
    default=None,
    help="Draw at another input shape (without the batch axis), e.g. 100,100,8.",
)
@color_option
@model_option
def draw(
    spec: str,
    fmt: str,
    output: str | None,
    expand: bool,
    ascii_only: bool,
    input_shape: tuple[int | None, ...] | None,
) -> None:
    """Draw SPEC's size profile: the encoder going down, the decoder coming back up, the skip
    connections between the levels they join, and where it breaks. SPEC is a spec (YAML or
    JSON) or a Keras model file; `-` reads standard input."""
    from deconvcheck.profile import build  # noqa: PLC0415 - keep --help fast
    from deconvcheck.report.draw import REPORTERS, DrawView  # noqa: PLC0415

    model, found = inferred(read_spec(spec), input_shape)
    profile = build(model, found, expand=expand)
    to_file = output is not None and output != "-"
    color = fmt == "text" and not to_file and wants_color()
    write_output(REPORTERS[fmt](DrawView(profile, ascii_only, color)), output, spec)
    if (fmt != "text" or to_file) and found:  # the picture marks them; say what they are
        emit_diagnostics(found, err=True)
    sys.exit(EXIT_OK if model.ok else EXIT_FINDINGS)
