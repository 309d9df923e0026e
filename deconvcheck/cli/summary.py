"""`deconvcheck summary SPEC`."""

from __future__ import annotations

import os
import sys

import click

from deconvcheck.cli.main import (
    EXIT_FINDINGS,
    EXIT_OK,
    Command,
    FilePath,
    InputShape,
    Whole,
    color_option,
    emit,
    emit_diagnostics,
    inferred,
    model_option,
    read_spec,
    wants_color,
)
from deconvcheck.report.summary import REPORTERS

EXTRA_COLUMNS = ("macs", "memory", "rf")  # deconvcheck/report/extras.py draws them


def terminal_columns() -> int:
    """`shutil.get_terminal_size().columns` (what Keras uses) without importing shutil:
    $COLUMNS, else the terminal's width, else 80 for a pipe."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


@click.command(
    cls=Command,
    epilog="""\b
Examples:
  deconvcheck summary vgg16_decoder.yaml
  deconvcheck summary unet.yaml --format json | jq .total_params
  deconvcheck summary - < spec.yaml

\b
Under the table: what `check` reports with its default rules (a skip connection that cannot
be joined, traced to its cause; a decoder that does not restore its input).

\b
Exit status: 0 Keras would build the model (findings under the table do not change it),
1 Keras would refuse it (each problem with file:line:column and a rule code; the table
shows the layers inferred before it, and is left out when none was), 2 unreadable file.""",
)
@click.argument("spec", type=FilePath())
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(tuple(REPORTERS)),
    default="text",
    show_default=True,
    help="text: the table Keras's model.summary() prints; json: one object for scripts.",
)
@click.option(
    "--width",
    type=Whole(40, 1000),
    default=None,
    help="Table width in characters [default: as Keras, min(88 or 108, terminal width - 4)].",
)
@click.option(
    "--explain", is_flag=True, help="Under the table, each layer's formula with the numbers in."
)
@click.option(
    "--columns",
    default="",
    metavar="macs,memory,rf",
    help="Extra columns: multiply-accumulates, activation memory, receptive field / jump.",
)
@click.option(
    "--batch-size",
    type=Whole(1),
    default=1,
    show_default=True,
    help="For the memory column.",
)
@click.option(
    "--dtype",
    type=click.Choice(("float32", "float16", "bfloat16", "int8")),
    default="float32",
    show_default=True,
    help="Bytes per value for the memory figures.",
)
@click.option(
    "--input-shape",
    type=InputShape(),
    default=None,
    help="Try another input shape (without the batch axis), e.g. 100,100,8, without editing SPEC.",
)
@click.option(
    "--expand-nested",
    is_flag=True,
    help="Under a nested model's row, its own layers, as Keras's expand_nested (text).",
)
@click.option(
    "--show-trainable",
    is_flag=True,
    help="A Trainable column, as Keras's show_trainable: Y, N (frozen) or - (no weights).",
)
@color_option
@model_option
def summary(
    spec: str,
    fmt: str,
    width: int | None,
    explain: bool,
    columns: str,
    batch_size: int,
    dtype: str,
    input_shape: tuple[int | None, ...] | None,
    expand_nested: bool,
    show_trainable: bool,
) -> None:
    """Print the Keras 3 model.summary() of SPEC: every layer's output shape and parameter
    count, and the totals, identical to what Keras computes. SPEC is a YAML or JSON spec, a
    Keras model file (.json, .keras, .h5), or Keras model code (model.py, read and never run;
    `-` reads standard input)."""
    from deconvcheck.report import summary as report  # noqa: PLC0415 - keep --help fast

    loaded = read_spec(spec)
    wanted = tuple(c.strip() for c in columns.split(",") if c.strip())
    unknown = [c for c in wanted if c not in EXTRA_COLUMNS]
    if unknown:
        raise click.BadParameter(
            f"unknown column {unknown[0]!r}; choose from macs, memory, rf", param_hint="--columns"
        )
    # Under the table, what `check` reports with its default rules; the exit status is Keras's
    # verdict alone. Model code may build several models: each is printed, as Keras prints
    # several summaries, or listed under "models" in JSON.
    views = []
    builds = True
    for each in [loaded, *loaded.others]:
        model, found = inferred(each, input_shape)
        # Nothing to show and an error found (a file that does not parse, no such --model):
        # Keras would have nothing to build either.
        empty = not model.layers and any(d.severity == "error" for d in found)
        builds = builds and model.ok and not empty
        if fmt == "text" and not model.layers and found:
            # Nothing was read or built (a syntax error, no `layers:`, a refused Input): an
            # empty table would say nothing the findings do not, so only they are printed.
            emit_diagnostics(found)
            continue
        extras, extra_json = None, None
        if wanted or explain:
            from deconvcheck.report.extras import build  # noqa: PLC0415

            extras, extra_json = build(model, wanted, batch_size, dtype, explain)
        line_length = width or report.default_line_length(
            model, terminal_columns(), show_trainable=show_trainable
        )
        views.append(
            report.SummaryView(
                model, line_length, extras, extra_json, wants_color(), show_trainable,
                expand_nested, found,
            )
        )  # fmt: skip
    if fmt == "json" and len(views) > 1:
        import json  # noqa: PLC0415

        objects = [report.model_json(v.model, v.extra_json, v.findings) for v in views]
        emit(json.dumps({"models": objects}, indent=2) + "\n")
    else:
        emit("".join(report.REPORTERS[fmt](view) for view in views))
    sys.exit(EXIT_OK if builds else EXIT_FINDINGS)
