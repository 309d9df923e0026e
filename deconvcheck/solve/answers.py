"""Rank settings, and say for each its arithmetic and its caveats, in plain words."""

from __future__ import annotations

from deconvcheck import arith
from deconvcheck.solve.settings import KERAS, PYTORCH, TF, Setting

CHECKERBOARD = "checkerboard risk: kernel {k} is not divisible by stride {s} (Odena et al. 2016)"


def checkerboard(s: Setting) -> bool:
    """Uneven overlap of a transposed convolution's kernel footprints (a kernel at least as
    wide as the stride; a narrower one leaves holes instead)."""
    return s.kind == "transpose" and s.k_eff >= s.stride > 1 and s.k_eff % s.stride != 0


def holes(s: Setting) -> bool:
    """A transposed convolution whose kernel is narrower than its stride: the footprints do not
    touch, so some output positions receive no input at all (only the bias)."""
    return s.kind == "transpose" and s.k_eff < s.stride


def dropped_pixels(s: Setting) -> int:
    """Border pixels a downsampling layer ignores: `valid` windows that do not tile the input."""
    if s.kind == "transpose":
        return 0
    if s.framework == PYTORCH:
        span = s.length_in + 2 * int(s.padding) - s.k_eff
        return span % s.stride
    if s.padding == "valid":
        return (s.length_in - s.k_eff) % s.stride
    return 0


def skips_pixels(s: Setting) -> bool:
    """A downsampling window smaller than its stride never looks at some pixels."""
    return s.kind != "transpose" and s.k_eff < s.stride


def lossy(s: Setting) -> bool:
    return checkerboard(s) or holes(s) or skips_pixels(s) or dropped_pixels(s) > 0


def caveats(s: Setting) -> list[str]:
    notes = []
    if skips_pixels(s):
        notes.append(
            f"window {s.k_eff} is smaller than stride {s.stride}: some pixels are never read"
        )
    if checkerboard(s):
        notes.append(CHECKERBOARD.format(k=s.k_eff, s=s.stride))
    if holes(s):
        gap = s.stride - s.k_eff
        notes.append(
            f"leaves holes: kernel {s.k_eff} is narrower than stride {s.stride}, so {gap} of "
            f"every {s.stride} output rows (and columns) receive no input, only the bias"
        )
    if s.framework == KERAS and s.kind == "transpose" and s.padding == "same":
        left, right = arith.keras_same_transpose_pads(
            s.kernel, s.stride, s.output_padding, s.dilation
        )
        if left != right:
            notes.append(f"asymmetric padding ({left} before, {right} after): a half-pixel shift")
    if s.framework == PYTORCH and s.kind == "transpose" and s.output_padding:
        notes.append(f"output_padding adds {s.output_padding} row(s) on one side only")
    dropped = dropped_pixels(s)
    if dropped:
        notes.append(f"drops the last {dropped} pixel(s) of each row: the windows do not tile")
    if s.dilation > 1:
        notes.append(f"dilation {s.dilation} widens the kernel to {s.k_eff}")
    return notes


def rank_key(s: Setting) -> tuple[int, ...]:
    """Exact and artefact-free first (kernel divisible by stride, nothing dropped), then the
    smallest kernel, no output_padding, no dilation, padding 'same' before 'valid'."""
    return (
        int(lossy(s)),
        s.k_eff,
        int(bool(s.output_padding)),
        s.dilation,
        int(s.kind == "pool"),
        int(s.padding not in ("same", 0)),
        s.stride,
    )


def ranked(found: list[Setting]) -> list[Setting]:
    return sorted(found, key=rank_key)


def usual_upscale_rule(s: Setting) -> bool:
    """F = 2f, S = f, P = f/2 for an f-times upscale (f even), the usual recipe."""
    f = s.stride
    return (
        s.framework == PYTORCH
        and s.kind == "transpose"
        and f % 2 == 0
        and (s.kernel, s.padding, s.output_padding, s.dilation) == (2 * f, f // 2, 0, 1)
    )


def arithmetic(s: Setting) -> str:
    """The formula with the numbers in, e.g. `(64 − 1)·2 − 2·1 + 4 = 128`."""
    n, k, st, d, out = s.length_in, s.kernel, s.stride, s.dilation, s.length_out
    keff = f"{s.k_eff}" if d == 1 else f"((({k} − 1)·{d} + 1) = {s.k_eff})"
    if s.framework == PYTORCH and s.kind == "transpose":
        tail = f" + {s.output_padding}" if s.output_padding else ""
        dk = f"{d}·({k} − 1) + 1" if d > 1 else f"{k}"
        return f"({n} − 1)·{st} − 2·{s.padding} + {dk}{tail} = {out}"
    if s.framework == PYTORCH:
        return f"⌊({n} + 2·{s.padding} − {keff}) / {st}⌋ + 1 = {out}"
    if s.kind == "transpose" and s.framework == TF:
        same, valid = f"⌈{out} / {st}⌉", f"⌊({out} − {keff}) / {st}⌋ + 1"
        forward = same if s.padding == "same" else valid
        return f"forward check: {forward} = {n}"
    if s.kind == "transpose":
        op = s.output_padding
        if s.padding == "same":
            if op is None:
                return f"{n}·{st} = {out}"
            return f"({n} − 1)·{st} + {s.k_eff} % 2 + {op} = {out}"
        if op is None:
            return f"({n} − 1)·{st} + max({keff}, {st}) = {out}"
        return f"({n} − 1)·{st} + {keff} + {op} = {out}"
    if s.padding == "same":
        return f"⌈{n} / {st}⌉ = {out}"
    return f"⌊({n} − {keff}) / {st}⌋ + 1 = {out}"
