"""Whole answers: one setting per axis combined into a layer, chains of stages, and what to say
when nothing fits."""

from __future__ import annotations

from itertools import product
from math import prod

from deconvcheck.record import Record
from deconvcheck.solve.answers import caveats, checkerboard, rank_key, ranked
from deconvcheck.solve.settings import (
    KERAS,
    PYTORCH,
    TF,
    Bounds,
    Setting,
    exact,
    settings,
    stated_output_padding,
)

# Every combination of the axes' settings is tried up to this many per group; beyond it (large
# bounds, three axes) the best few per axis are combined, the rest would rank below them.
MAX_COMBINATIONS = 20_000
PER_AXIS_CANDIDATES = 6


class Answer(Record):
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
    pairs = list(zip(ins, outs, strict=True))
    options = {pair: axis_options(framework, *pair, bounds) for pair in dict.fromkeys(pairs)}
    return answers(pairs, [options[pair] for pair in pairs])


def answers(pairs: list[tuple[int, int]], per_axis: list[list[Setting]]) -> list[Answer]:
    """`solve`'s answers from what fits each axis (axis_options): one setting repeated when
    every axis goes from the same size to the same size, else the axes combined."""
    if len(set(pairs)) == 1:
        return [Answer((s,) * len(pairs)) for s in per_axis[0]]
    return combine(per_axis)


class Survey(Record):
    """What one layer does with one axis, n -> m."""

    options: list[Setting]  # every setting that gives exactly m, best first (axis_options)
    nearest: tuple[int | None, int | None]  # the lengths it reaches just below and above m


def survey(framework: str, n: int, m: int, bounds: Bounds) -> Survey:
    """axis_options and nearest in one pass over the settings (at --max-kernel 64 and
    --max-stride 64 one pass is 1.6 million PyTorch settings)."""
    found, below, above = [], None, None
    for s in settings(framework, n, m >= n, bounds):
        if s.length_out == m:
            found.append(s)
        elif s.length_out < m and (below is None or s.length_out > below):
            below = s.length_out
        elif s.length_out > m and (above is None or s.length_out < above):
            above = s.length_out
    return Survey(ranked(found), (below, above))


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
    return survey(framework, n, m, bounds).nearest


def why_not(
    n: int, m: int, bounds: Bounds, *, staged: bool = False, no_chain: str | None = None
) -> str:
    """Why no single layer fits; `staged`: --stages was asked for and found no chain either
    (`no_chain`: why, when the search did not try every chain)."""
    up = m >= n
    ratio = m / n if up else n / m
    if ratio > bounds.max_stride:
        then = (
            no_chain
            or ("no chain of strided stages reaches it either" if staged else "use --stages")
            + ", or raise --max-stride"
        )
        return (
            f"a single layer would need a stride of about {ratio:.0f}, more than --max-stride "
            f"{bounds.max_stride}; {then}"
        )
    if not staged:
        then = "raise the bounds or use --stages"
    else:
        then = no_chain or "raise the bounds: no chain of strided stages reaches it either"
    return (
        f"no kernel up to {bounds.max_kernel}, stride up to {bounds.max_stride} and dilation up "
        f"to {bounds.max_dilation} gives exactly {m}; {then}"
    )


# A chain longer than this is no network anyone builds.
MAX_STAGES = 16
# Layer settings one `solve --stages` may look at while searching for chains (every framework
# and axis together), about 1.3 µs each: 4 s at most. 1 -> 1,048,576 needed some 400 million
# (minutes); 1 -> 4096 takes 600,000 for the three frameworks, 3 -> 30,000 1.4 million.
MAX_STAGE_SETTINGS = 3_000_000


class Planned(Record):
    """A chain of stages from n to m, or None and why not (why None: every chain within the
    bounds was tried)."""

    chain: list[Setting] | None
    why: str | None = None


class Budget:
    """Settings a chain search may still look at: one for a whole problem, so that its
    frameworks and axes together stay within MAX_STAGE_SETTINGS."""

    def __init__(self, settings: int = MAX_STAGE_SETTINGS) -> None:
        self.left = settings

    def spend(self, count: int) -> bool:
        """Whether `count` more fit."""
        self.left -= count
        return self.left >= 0


def stages(
    framework: str,
    n: int,
    m: int,
    bounds: Bounds,
    stage_stride: int = 2,
    budget: Budget | None = None,
) -> Planned:
    """A chain of exact layers from n to m, each with a stride of at most `stage_stride` (the
    decoder convention: x2 per stage), so 7 -> 224 is 7, 14, 28, 56, 112, 224. When the ratio
    is not a power of it, strides up to --max-stride are mixed in (7 -> 42: x2 then x3).
    Bounded: at most MAX_STAGES stages, and the `budget`'s settings looked at."""
    budget = Budget() if budget is None else budget
    planned = Planned(None)
    for stride in dict.fromkeys((min(stage_stride, bounds.max_stride), bounds.max_stride)):
        planned = _shortest_chain(framework, n, m, bounds._replace(max_stride=stride), budget)
        if planned.chain is not None:
            return planned
    return planned


def fewest_stages(n: int, m: int, bounds: Bounds, limit: int = MAX_STAGES) -> int | None:
    """The fewest stages that could take n to m, None beyond `limit`: a lower bound (each stage
    at most ×stride plus the kernel going up, at least ÷stride less the kernel going down),
    which the search starts from.

    >>> fewest_stages(7, 224, Bounds(max_stride=2)), fewest_stages(1, 2**20, Bounds(max_stride=2))
    (4, None)
    """
    return next((r for r in range(1, limit + 1) if _within(n, r, m, m >= n, bounds)), None)


def _within(length: int, stages_left: int, m: int, up: bool, bounds: Bounds) -> bool:
    """Whether `stages_left` stages could take `length` to m at all (see fewest_stages)."""
    s, k = bounds.max_stride, bounds.max_kernel
    for _ in range(stages_left):
        if length >= m if up else length <= m:
            return True
        length = length * s + k if up else (length - k) // s
    return length >= m if up else length <= m


def _shortest_chain(framework: str, n: int, m: int, bounds: Bounds, budget: Budget) -> Planned:
    """The fewest stages, then the best-ranked chain: for each number of stages from the
    fewest that could do, breadth-first over lengths, keeping only the lengths that can still
    reach m in the stages left (the chains found are those of a search without that pruning,
    which 1 -> 4096 made look at 1.3 million settings). Every stage but the last moves by a
    stride of 2 or more without checkerboard risk. Why not, when n is too far from m or the
    budget runs out."""
    fewest = fewest_stages(n, m, bounds)
    if fewest is None:
        return Planned(None, _too_far(n, m, bounds))
    for depth in range(fewest, MAX_STAGES + 1):
        chain = _chain_within(framework, n, m, bounds, depth, budget)
        if chain is None:
            return Planned(None, _out_of_budget(n, m))
        if chain:
            return Planned(chain)
    return Planned(None)


def _chain_within(
    framework: str, n: int, m: int, bounds: Bounds, depth: int, budget: Budget
) -> list[Setting] | None:
    """The best chain of at most `depth` stages, [] when there is none, None when the budget
    ran out."""
    up = m >= n
    frontier: dict[int, tuple[tuple[int, ...], list[Setting]]] = {n: ((), [])}
    for level in range(depth):
        finals: list[tuple[tuple[int, ...], list[Setting]]] = []
        following: dict[int, tuple[tuple[int, ...], list[Setting]]] = {}
        for length, (cost, chain) in frontier.items():
            options = exact_or_strided(framework, length, m, up, bounds, budget)
            if options is None:
                return None
            for option in options:
                new_cost = _add(cost, rank_key(option))
                if option.length_out == m:
                    finals.append((new_cost, [*chain, option]))
                elif (
                    option.stride >= 2
                    and not checkerboard(option)
                    and _within(option.length_out, depth - level - 1, m, up, bounds)
                ):
                    best = following.get(option.length_out)
                    if best is None or new_cost < best[0]:
                        following[option.length_out] = (new_cost, [*chain, option])
        if finals:
            return min(finals, key=lambda f: f[0])[1]
        frontier = following
    return []


def _too_far(n: int, m: int, bounds: Bounds) -> str:
    more = "" if bounds.max_stride >= 64 else ", or raise --max-stride"
    return (
        f"{n} -> {m} needs more than {MAX_STAGES} stages of stride {bounds.max_stride} or "
        f"less, the most --stages plans: {_split(n, m)}{more}"
    )


def _out_of_budget(n: int, m: int) -> str:
    return (
        f"the search for a chain from {n} to {m} stopped unfinished, with too many chains to "
        f"try (--stages looks at {MAX_STAGE_SETTINGS:,} layer settings at most): {_split(n, m)}"
    )


def _split(n: int, m: int) -> str:
    """Advice to plan a long way in two parts, at a size between (a power of 2 where one is):
    1 -> 1048576 by 1 -> 1024 and 1024 -> 1048576."""
    low, high = min(n, m), max(n, m)
    middle = 1 << max(0, (low.bit_length() + high.bit_length()) // 2 - 1)
    if not low < middle < high:
        middle = (low + high) // 2
    return f"plan it in parts, {n} -> {middle} and {middle} -> {m}"


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
    framework: str, length: int, m: int, up: bool, bounds: Bounds, budget: Budget | None = None
) -> list[Setting] | None:
    """Candidate stages from `length`: moving toward m without passing it, no output_padding,
    no dilation (chains of those are better written as one layer). None when the `budget` of
    settings to look at runs out on the way."""
    result = []
    for s in settings(framework, length, up, bounds._replace(max_dilation=1)):
        if budget is not None and not budget.spend(1):
            return None
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
