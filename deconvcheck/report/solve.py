"""`solve` output, as text or JSON: the settings found, in each framework's own words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from deconvcheck.report.answers import (
    TITLES,
    answer_json,
    answer_text,
    axis_json,
    axis_text,
    code,
)
from deconvcheck.solve import plan
from deconvcheck.solve.answers import arithmetic
from deconvcheck.solve.problem import FrameworkResult, Result
from deconvcheck.solve.settings import Setting

T = TypeVar("T")


def _shown(result: Result, answers: list[T]) -> list[T]:
    return answers if result.limit == 0 else answers[: result.limit]


def _sizes(sizes: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in sizes)


def render_text(result: Result) -> str:
    rank = len(result.ins)
    direction = "upsampling" if result.upsample else "downsampling"
    b = result.bounds
    lines = [
        f"{_sizes(result.ins)} -> {_sizes(result.outs)} ({direction}, {rank} spatial axes); "
        f"kernel <= {b.max_kernel}, stride <= {b.max_stride}, dilation <= {b.max_dilation}",
    ]
    for fw in result.frameworks:
        title = TITLES[fw.framework, result.upsample].format(r=rank)
        shown = _shown(result, fw.answers)
        count = f"{len(fw.answers)} exact setting{'s' if len(fw.answers) != 1 else ''}"
        more = (
            f", best {len(shown)} shown (--limit 0 for all)" if len(shown) < len(fw.answers) else ""
        )
        lines += ["", f"{title}: {count}{more}"]
        for i, answer in enumerate(shown, 1):
            lines += answer_text(i, answer)
        if fw.why_none:
            lines.append(f"  none: {fw.why_none}")
            lines += _per_axis_text(result, fw)
        if fw.stages is not None:
            lines += _stages_text(result, fw, fw.stages)
    factor = plan.resize_alternative(max(result.ins), max(result.outs))
    if result.upsample and len(set(result.ins)) == 1 and len(set(result.outs)) == 1 and factor:
        lines += [
            "",
            "Without checkerboard artefacts: resize, then convolve (Odena et al. 2016):",
            f"  keras.layers.UpSampling{rank}D(size={factor}) then "
            f'keras.layers.Conv{rank}D(filters, 3, padding="same")',
            f"  torch.nn.Upsample(scale_factor={factor}) then "
            f"torch.nn.Conv{rank}d(in_channels, out_channels, 3, padding=1)",
        ]
    return "\n".join(lines) + "\n"


def _per_axis_text(result: Result, fw: FrameworkResult) -> list[str]:
    """For each axis (once per distinct pair of sizes): what fits it alone, or else the
    nearest sizes one layer reaches."""
    rank, lines = len(result.ins), []
    axes = zip(result.ins, result.outs, fw.per_axis, fw.nearest, strict=True)
    seen = set()
    for i, (n, m, options, (below, above)) in enumerate(axes, 1):
        if (n, m) in seen:
            continue
        seen.add((n, m))
        if not options:
            near = " and ".join(str(x) for x in (below, above) if x is not None) or "none"
            lines.append(f"  nearest sizes reachable from {n} in one layer: {near}")
            continue
        shown = _shown(result, options)
        count = f"{len(options)} setting{'s' if len(options) != 1 else ''}"
        more = f", best {len(shown)} shown" if len(shown) < len(options) else ""
        lines.append(f"  axis {i} alone, {n} -> {m}: {count}{more}")
        lines += [f"    {axis_text(s, rank)}" for s in shown]
    return lines


def _stages_text(result: Result, fw: FrameworkResult, chains: list[list[Setting]]) -> list[str]:
    stage_answers = plan.stage_layers(fw.framework, chains, result.bounds)
    if stage_answers is None:
        counts = ", ".join(str(len(c)) for c in chains)
        why = (
            f"the axes need different numbers of stages ({counts})"
            if len({len(c) for c in chains}) != 1
            else "no one layer takes every axis's stage"
        )
        return [f"  stages: {why}; solve them one by one"]
    path = " -> ".join(
        [_sizes(tuple(a.length_in for a in stage_answers[0].axes))]
        + [_sizes(tuple(a.length_out for a in s.axes)) for s in stage_answers]
    )
    lines = [f"  stages: {path}"]
    for i, answer in enumerate(stage_answers, 1):
        arith_text = "; ".join(dict.fromkeys(arithmetic(a) for a in answer.axes))
        lines.append(f"    {i}. {arith_text}: {code(answer)}")
    return lines


def render_json(result: Result) -> str:
    import json  # noqa: PLC0415

    doc: dict[str, Any] = {
        "in": list(result.ins),
        "out": list(result.outs),
        "direction": "up" if result.upsample else "down",
        "bounds": result.bounds._asdict(),
        "answers": [],
        "none": {},
        "stages": {},
    }
    for fw in result.frameworks:
        doc["answers"] += [answer_json(a) for a in _shown(result, fw.answers)]
        if fw.why_none:
            doc["none"][fw.framework] = {
                "why": fw.why_none,
                "nearest": [list(n) for n in fw.nearest],
                "per_axis": [
                    [axis_json(s, len(result.ins)) for s in _shown(result, options)]
                    for options in fw.per_axis
                ],
            }
        if fw.stages is not None:
            stage_answers = plan.stage_layers(fw.framework, fw.stages, result.bounds) or []
            doc["stages"][fw.framework] = [
                {
                    **answer_json(a),
                    "in": [x.length_in for x in a.axes],
                    "out": [x.length_out for x in a.axes],
                }
                for a in stage_answers
            ]
    return json.dumps(doc, indent=2) + "\n"


REPORTERS: dict[str, Callable[[Result], str]] = {"text": render_text, "json": render_json}
