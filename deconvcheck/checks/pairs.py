"""An encoder and a decoder kept in separate files (a VGG-16 encoder and its mirror), checked
together: the decoder must start where the encoder ends and end where the encoder starts."""

from __future__ import annotations

import os

from deconvcheck.diagnostics import Code, Diagnostic, make
from deconvcheck.infer import infer
from deconvcheck.layers.base import format_shape
from deconvcheck.model import Model
from deconvcheck.read.loader import Reading
from deconvcheck.read.spec import Pos, ReadFailure, Spec


def _ends(model: Model) -> tuple[tuple[int | None, ...], tuple[int | None, ...]] | None:
    ends = model.ends()
    return None if ends is None else (ends[0].output_shape[1:], ends[1].output_shape[1:])


def mismatches(encoder: Model, decoder: Model) -> list[str]:
    """What does not fit, in words; empty when the pair round-trips."""
    enc, dec = _ends(encoder), _ends(decoder)
    if enc is None or dec is None:
        return ["a pair needs one input and one output on each side"]
    problems = []
    if dec[0] != enc[1]:
        problems.append(
            f"the decoder takes {format_shape(dec[0])} but the encoder gives {format_shape(enc[1])}"
        )
    if dec[1] != enc[0]:
        problems.append(
            f"the decoder gives {format_shape(dec[1])} but the encoder takes {format_shape(enc[0])}"
        )
    return problems


def check_pair(spec: Spec, decoder: Model, reading: Reading | None = None) -> list[Diagnostic]:
    """DC306 for a spec whose `encoder:` names its encoder (relative to the spec's folder)."""
    assert spec.encoder is not None
    ref, pos = spec.encoder
    encoder = os.path.join(os.path.dirname(spec.path), ref)
    return pair_diagnostics(encoder, decoder, spec.path, pos, reading)


def pair_diagnostics(
    encoder_path: str, decoder: Model, path: str, pos: Pos, reading: Reading | None = None
) -> list[Diagnostic]:
    """DC306 where the decoder does not mirror the encoder. `reading` is the run's: many
    decoders may name one encoder in a single `check`, which reads and infers it once."""

    def diag(message: str, hint: str | None = None) -> Diagnostic:
        return make(
            Code.ENCODER_DECODER_MISFIT, message, line=pos.line, column=pos.column, hint=hint
        ).at(path)

    try:
        encoder = (reading or Reading()).made(encoder_path, infer)
    except ReadFailure as failure:
        return [diag(f"encoder {encoder_path}: {failure.diagnostic.message}")]
    if not encoder.ok:
        return [
            diag(
                f"encoder {encoder_path} has errors of its own", f"deconvcheck check {encoder_path}"
            )
        ]
    if not decoder.ok:
        return []
    return [
        diag(f"{problem} ({encoder_path})", "make the decoder mirror the encoder")
        for problem in mismatches(encoder, decoder)
    ]
