"""An encoder and a decoder kept in separate files (a VGG-16 encoder and its mirror), checked
together: the decoder must start where the encoder ends and end where the encoder starts."""

from __future__ import annotations

import functools
import os

from deconvcheck.diagnostics import Diagnostic, make
from deconvcheck.infer import infer
from deconvcheck.layers.base import format_shape
from deconvcheck.model import Model
from deconvcheck.read.loader import load
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


def check_pair(spec: Spec, decoder: Model) -> list[Diagnostic]:
    """DC306 for a spec whose `encoder:` names its encoder (relative to the spec's folder)."""
    assert spec.encoder is not None
    ref, pos = spec.encoder
    return pair_diagnostics(os.path.join(os.path.dirname(spec.path), ref), decoder, spec.path, pos)


@functools.lru_cache(maxsize=64)
def _encoder(path: str) -> Model:
    """Many decoders may name one encoder in a single `check` run: read it once."""
    return infer(load(path))


def pair_diagnostics(encoder_path: str, decoder: Model, path: str, pos: Pos) -> list[Diagnostic]:
    def diag(message: str, hint: str | None = None) -> Diagnostic:
        return make("DC306", message, line=pos.line, column=pos.column, hint=hint).at(path)

    try:
        encoder = _encoder(encoder_path)
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
