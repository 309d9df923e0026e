"""Whole answers: one setting per axis combined into a layer, chains of stages, and what to say
when nothing fits."""

from __future__ import annotations

from itertools import product
from math import prod
from typing import NamedTuple

from deconvcheck.solve.answers import caveats, checkerboard, rank_key, ranked
from deconvcheck.solve.settings import (
    KERAS,
    PYTORCH,
    TF,
    Bounds,
    Setting,
    exact,
    reachable,
    settings,
    stated_output_padding,
)

# Every combination of the axes' settings is tried up to this many per group; beyond it (large
# bounds, three axes) the best few per axis are combined, the rest would rank below them.
MAX_COMBINATIONS = 20_000
PER_AXIS_CANDIDATES = 6


class Answer(NamedTuple):
    """A layer setting for every axis (the same Setting repeated for a square problem)."""

    axes: tuple[Setting, ...]

    @property
    def first(self) -> Setting:
        return self.axes[0]

    @property
    def caveats(self) -> list[str]:
        seen: list[str] = []
        for axis in self.axes:
            seen += [c for c in caveats(axis) if c not in seen]
        return seen

    def key(self) -> tuple[int, ...]:
        keys = [rank_key(a) for a in self.axes]
        return tuple(sum(k[i] for k in keys) for i in range(len(keys[0])))


def _shared(s: Setting) -> tuple[object, ...]:
    """What one layer must share across its axes: the kind; for Keras and TensorFlow one padding
    mode; for Keras output_padding given for every axis or for none."""
    if s.framework == PYTORCH:
        return (s.kind,)
    return (s.kind, s.padding, s.framework == KERAS and s.output_padding is not None)


def _compatible(axes: tuple[Setting, ...]) -> bool:
    """One layer can take all axes: what it shares (`_shared`) agrees, and no strides > 1 on
    any axis together with dilation > 1 on any axis (Keras refuses it)."""
    if len({_shared(a) for a in axes}) != 1:
        return False
    return not (max(a.stride for a in axes) > 1 and max(a.dilation for a in axes) > 1)


def axis_options(framework: str, n: int, m: int, bounds: Bounds) -> list[Setting]:
    """Every setting that takes one axis from n to exactly m, best first."""
    return ranked(exact(framework, n, m, bounds))


def _candidates(options: list[Setting]) -> list[Setting]:
    """The best few of one axis's options: strided ones and dilated ones kept apart, so that
    the dilated cannot crowd out every option another axis could be combined with."""
    undilated = [s for s in options if s.dilation == 1][:PER_AXIS_CANDIDATES]
    unstrided = [s for s in options if s.stride == 1][:PER_AXIS_CANDIDATES]
    return list(dict.fromkeys(undilated + unstrided))


def combine(per_axis: list[list[Setting]]) -> list[Answer]:
    """One layer from one setting per axis, best first.

    Each axis's options are grouped by what a layer shares across axes (`_shared`) and combined
    within a group, so one axis's overall favourite (no output_padding) cannot hide a
    combination that works (output_padding on both); every combination is tried unless there
    are very many. Keras's default output_padding is also tried written out, to go with an axis
    that needs one; stating it on every axis is the same layer as on none, and is left out.
    46x62 -> 368x489: kernel 7, strides 8, 'same', output_padding (7, 0) (keras issue 13231).
    """
    stated = [[t for s in axis if (t := stated_output_padding(s))] for axis in per_axis]
    written_out = {t for axis in stated for t in axis}
    pools = [ranked([*axis, *extra]) for axis, extra in zip(per_axis, stated, strict=True)]
    answers = []
    for group in dict.fromkeys(_shared(s) for s in pools[0]):
        grouped = [[s for s in pool if _shared(s) == group] for pool in pools]
        if prod(len(g) for g in grouped) > MAX_COMBINATIONS:
            grouped = [_candidates(g) for g in grouped]
        answers += [
            Answer(combo)
            for combo in product(*grouped)
            if _compatible(combo) and not all(a in written_out for a in combo)
        ]
    return sorted(answers, key=Answer.key)


def solve(
    framework: str, ins: tuple[int, ...], outs: tuple[int, ...], bounds: Bounds
) -> list[Answer]:
    """Every answer within bounds, best first. Equal sizes on all axes solve one axis; otherwise
    each axis is solved alone and the settings combined where one layer can take them (Keras
    takes a kernel_size, strides and output_padding per axis, but one padding for all)."""
    if len(set(ins)) == 1 and len(set(outs)) == 1:
        return [Answer((s,) * len(ins)) for s in axis_options(framework, ins[0], outs[0], bounds)]
    return combine([axis_options(framework, n, m, bounds) for n, m in zip(ins, outs, strict=True)])


WHY_NOT_TOGETHER = {
    KERAS: "Keras takes one padding for all axes, output_padding for all axes or none, and "
    "no strides > 1 with dilation > 1",
    TF: "tf.nn takes one padding for all axes (and here no strides > 1 with dilation > 1)",
    PYTORCH: "one layer kind for all axes (and here no strides > 1 with dilation > 1)",
}


def why_not_together(framework: str) -> str:
    """Why settings that each fit their own axis are no one layer."""
    return f"each axis has settings, but no one layer takes them: {WHY_NOT_TOGETHER[framework]}"


def nearest(framework: str, n: int, m: int, bounds: Bounds) -> tuple[int | None, int | None]:
    """The reachable lengths just below and just above m."""
    sizes = reachable(framework, n, m >= n, bounds)
    below = max((s for s in sizes if s < m), default=None)
    above = min((s for s in sizes if s > m), default=None)
    return below, above


def why_not(n: int, m: int, bounds: Bounds, *, staged: bool = False) -> str:
    """Why no single layer fits; `staged`: --stages was asked for and found no chain either."""
    up = m >= n
    ratio = m / n if up else n / m
    stages = "no chain of strided stages reaches it either" if staged else "use --stages"
    if ratio > bounds.max_stride:
        return (
            f"a single layer would need a stride of about {ratio:.0f}, more than --max-stride "
            f"{bounds.max_stride}; {stages}, or raise --max-stride"
        )
    return (
        f"no kernel up to {bounds.max_kernel}, stride up to {bounds.max_stride} and dilation up "
        f"to {bounds.max_dilation} gives exactly {m}; "
        + (
            "raise the bounds: no chain of strided stages reaches it either"
            if staged
            else "raise the bounds or use --stages"
        )
    )


def stages(
    framework: str, n: int, m: int, bounds: Bounds, stage_stride: int = 2
) -> list[Setting] | None:
    """A chain of exact layers from n to m, each with a stride of at most `stage_stride` (the
    decoder convention: x2 per stage), so 7 -> 224 is 7, 14, 28, 56, 112, 224. When the ratio
    is not a power of it, strides up to --max-stride are mixed in (7 -> 42: x2 then x3)."""
    for stride in dict.fromkeys((min(stage_stride, bounds.max_stride), bounds.max_stride)):
        chain = _shortest_chain(framework, n, m, bounds._replace(max_stride=stride))
        if chain is not None:
            return chain
    return None


def _shortest_chain(
    framework: str, n: int, m: int, bounds: Bounds, limit: int = 16
) -> list[Setting] | None:
    """Breadth-first over lengths: the fewest stages, then the best-ranked chain. Every stage
    but the last moves by a stride of 2 or more without checkerboard risk."""
    up = m >= n
    frontier: dict[int, tuple[tuple[int, ...], list[Setting]]] = {n: ((), [])}
    for _ in range(limit):
        finals: list[tuple[tuple[int, ...], list[Setting]]] = []
        following: dict[int, tuple[tuple[int, ...], list[Setting]]] = {}
        for length, (cost, chain) in frontier.items():
            for option in exact_or_strided(framework, length, m, up, bounds):
                new_cost = _add(cost, rank_key(option))
                if option.length_out == m:
                    finals.append((new_cost, [*chain, option]))
                elif option.stride >= 2 and not checkerboard(option):
                    best = following.get(option.length_out)
                    if best is None or new_cost < best[0]:
                        following[option.length_out] = (new_cost, [*chain, option])
        if finals:
            return min(finals, key=lambda f: f[0])[1]
        if not following:
            return None
        frontier = following
    return None


def stage_layers(
    framework: str, chains: list[list[Setting]], bounds: Bounds
) -> list[Answer] | None:
    """Stage i of every axis's chain as one layer: the axes' own settings where one layer takes
    them, else the best layer that takes stage i's sizes on every axis (Keras: one padding, and
    output_padding on every axis or none). None when the axes need different numbers of stages
    or a stage has no such layer."""
    if len({len(c) for c in chains}) != 1:
        return None
    layers = []
    for stage in zip(*chains, strict=True):
        if _compatible(stage):
            layers.append(Answer(stage))
            continue
        ins, outs = tuple(s.length_in for s in stage), tuple(s.length_out for s in stage)
        joint = solve(framework, ins, outs, bounds)
        if not joint:
            return None
        layers.append(joint[0])
    return layers


def exact_or_strided(
    framework: str, length: int, m: int, up: bool, bounds: Bounds
) -> list[Setting]:
    """Candidate stages from `length`: moving toward m without passing it, no output_padding,
    no dilation (chains of those are better written as one layer)."""
    result = []
    for s in settings(framework, length, up, bounds._replace(max_dilation=1)):
        moves = s.length_out > length if up else s.length_out < length
        within = s.length_out <= m if up else s.length_out >= m
        if moves and within and not s.output_padding:
            result.append(s)
    return result


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    # cost of a chain: first the number of stages, then the summed rank keys
    if not a:
        return (1, *b)
    return (a[0] + 1, *(x + y for x, y in zip(a[1:], b, strict=True)))


def resize_alternative(n: int, m: int) -> int | None:
    """The integer factor for an UpSampling + convolution, where one exists."""
    return m // n if m > n and m % n == 0 else None
