"""`deconvcheck solve --in N --out M`: layer settings that take one size to another."""

from __future__ import annotations

import sys
from typing import Any

import click

from deconvcheck.cli.main import (
    EXIT_FINDINGS,
    EXIT_OK,
    Command,
    Whole,
    color_option,
    emit_report,
    shortened,
    whole_number,
)
from deconvcheck.report.solve import REPORTERS

FRAMEWORK_CHOICES = ("all", "keras", "pytorch", "tf")
MAX_SIZE = 2**63 - 1  # Keras's sizes are int64


class SizeType(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """`64`, or one size per axis: `7x5`, `2x7x7`."""

    name = "SIZE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        sizes = [whole_number(p, 1, MAX_SIZE) for p in str(value).lower().split("x")]
        if None in sizes or len(sizes) > 3:
            self.fail(
                f"{shortened(value)} is not a size: write 64, or one size per axis like 7x5 or "
                "2x7x7 (whole numbers from 1 to 2**63 - 1)",
                param,
                ctx,
            )
        return tuple(s for s in sizes if s is not None)


@click.command(
    cls=Command,
    epilog="""\b
Examples:
  deconvcheck solve --in 64 --out 128
  deconvcheck solve --in 7 --out 14 --framework keras
  deconvcheck solve --in 3 --out 5 --framework tf      # which output_shape values are valid
  deconvcheck solve --in 7x5 --out 14x10               # one size per axis
  deconvcheck solve --in 7 --out 224 --stages          # 7 -> 14 -> 28 -> 56 -> 112 -> 224
  deconvcheck solve --in 128 --out 64                  # downsampling: convolution, pooling
  deconvcheck solve --in 64 --out 128 --format json

\b
Answers are exact (every one is recomputed with the arithmetic `summary` uses) and ranked:
no checkerboard risk (kernel divisible by stride) and no dropped pixels first, then the
smallest kernel, then no output_padding. Exit status: 0 answers found, 1 none, 2 usage.""",
)
@click.option(
    "--in", "size_in", type=SizeType(), required=True, help="Input size: 64, or per axis 7x5."
)
@click.option(
    "--out", "size_out", type=SizeType(), required=True, help="Wanted output size, same form."
)
@click.option(
    "--framework",
    "-F",
    type=click.Choice(FRAMEWORK_CHOICES),
    default="all",
    show_default=True,
    help="Whose terms: Keras (padding, output_padding), PyTorch (integer padding), "
    "tf.nn (output_shape).",
)
@click.option(
    "--dims",
    type=Whole(1, 3),
    default=2,
    show_default=True,
    help="Spatial axes when --in is one number.",
)
@click.option("--max-kernel", type=Whole(1, 64), default=8, show_default=True)
@click.option("--max-stride", type=Whole(1, 64), default=8, show_default=True)
@click.option("--max-dilation", type=Whole(1, 16), default=3, show_default=True)
@click.option(
    "--limit",
    type=Whole(0),
    default=3,
    show_default=True,
    help="Answers shown per framework (0: all).",
)
@click.option("--stages", is_flag=True, help="Plan a chain of exact layers for sizes far apart.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(tuple(REPORTERS)), default="text", show_default=True
)
@color_option
def solve(
    size_in: tuple[int, ...],
    size_out: tuple[int, ...],
    framework: str,
    dims: int,
    max_kernel: int,
    max_stride: int,
    max_dilation: int,
    limit: int,
    stages: bool,
    fmt: str,
) -> None:
    """Find every transposed-convolution setting (or, when --out is smaller than --in, every
    convolution and pooling setting) that maps --in to exactly --out, in Keras, PyTorch and
    tf.nn terms, with the arithmetic, a line of code and a spec snippet for each."""
    from deconvcheck.solve.problem import Problem  # noqa: PLC0415
    from deconvcheck.solve.settings import FRAMEWORKS, Bounds  # noqa: PLC0415

    if len(size_in) != len(size_out) and 1 not in (len(size_in), len(size_out)):
        raise click.BadParameter(f"--in has {len(size_in)} axes but --out has {len(size_out)}")
    rank = max(len(size_in), len(size_out)) if max(len(size_in), len(size_out)) > 1 else dims
    ins = size_in * rank if len(size_in) == 1 else size_in
    outs = size_out * rank if len(size_out) == 1 else size_out
    pairs = list(zip(ins, outs, strict=True))
    if any(m >= n for n, m in pairs) and any(m < n for n, m in pairs):
        raise click.BadParameter("every axis must grow or every axis must shrink, not both")
    problem = Problem(
        ins=ins,
        outs=outs,
        frameworks=FRAMEWORKS if framework == "all" else (framework,),
        bounds=Bounds(max_kernel, max_stride, max_dilation),
        limit=limit,
        stages=stages,
    )
    result = problem.solve()
    emit_report(REPORTERS[fmt](result), fmt)
    sys.exit(EXIT_OK if result.found else EXIT_FINDINGS)
