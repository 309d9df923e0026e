"""A `solve` problem and its result (printed by `deconvcheck.report.solve`)."""

from __future__ import annotations

from deconvcheck.record import Record
from deconvcheck.solve import plan
from deconvcheck.solve.plan import Answer
from deconvcheck.solve.settings import Bounds, Setting


class FrameworkResult(Record):
    framework: str
    answers: list[Answer]
    why_none: str | None
    nearest: list[tuple[int | None, int | None]]  # per axis, when there is no answer
    per_axis: list[list[Setting]]  # what fits each axis alone, when there is no answer
    stages: list[list[Setting]] | None  # per axis, with --stages


class Result(Record):
    ins: tuple[int, ...]
    outs: tuple[int, ...]
    bounds: Bounds
    limit: int
    frameworks: list[FrameworkResult]

    @property
    def upsample(self) -> bool:
        return all(m >= n for n, m in zip(self.ins, self.outs, strict=True))

    @property
    def found(self) -> bool:
        return any(f.answers or f.stages for f in self.frameworks)


class Problem(Record):
    ins: tuple[int, ...]
    outs: tuple[int, ...]
    frameworks: tuple[str, ...]
    bounds: Bounds
    limit: int = 3
    stages: bool = False

    def solve(self) -> Result:
        results = []
        budget = plan.Budget()  # one for every framework and axis: a bounded --stages
        pairs = list(zip(self.ins, self.outs, strict=True))
        for framework in self.frameworks:
            # each axis's settings enumerated once (axes of the same sizes: one for all)
            surveys = {p: plan.survey(framework, *p, self.bounds) for p in dict.fromkeys(pairs)}
            options = [surveys[p].options for p in pairs]
            answers = plan.answers(pairs, options)
            chains, why_no_chain = self._stages(framework, budget) if self.stages else (None, None)
            staged = self.stages and chains is None
            per_axis = [] if answers else options
            why = None if answers else self._why_none(framework, per_axis, staged, why_no_chain)
            near = [] if answers else [surveys[p].nearest for p in pairs]
            results.append(
                FrameworkResult(framework, answers, why, near, per_axis=per_axis, stages=chains)
            )
        return Result(self.ins, self.outs, self.bounds, self.limit, results)

    def _stages(
        self, framework: str, budget: plan.Budget
    ) -> tuple[list[list[Setting]] | None, str | None]:
        """Each axis's chain (an axis of the same sizes as another planned once), or None and
        why, where the search was cut short."""
        planned: dict[tuple[int, int], plan.Planned] = {}
        for pair in zip(self.ins, self.outs, strict=True):
            if pair not in planned:
                planned[pair] = plan.stages(framework, *pair, self.bounds, budget=budget)
        for found in planned.values():
            if found.chain is None:
                return None, found.why
        return [planned[pair].chain or [] for pair in zip(self.ins, self.outs, strict=True)], None

    def _why_none(
        self,
        framework: str,
        per_axis: list[list[Setting]],
        staged: bool,
        why_no_chain: str | None = None,
    ) -> str:
        """About the first axis nothing fits; when every axis has settings, why no one layer
        takes them. A chain search cut short (--stages) says so."""
        for (n, m), options in zip(zip(self.ins, self.outs, strict=True), per_axis, strict=True):
            if not options:
                return plan.why_not(n, m, self.bounds, staged=staged, no_chain=why_no_chain)
        return plan.why_not_together(framework)
