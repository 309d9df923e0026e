"""A `solve` problem and its result (printed by `deconvcheck.report.solve`)."""

from __future__ import annotations

from typing import NamedTuple

from deconvcheck.solve import plan
from deconvcheck.solve.plan import Answer
from deconvcheck.solve.settings import Bounds, Setting


class FrameworkResult(NamedTuple):
    framework: str
    answers: list[Answer]
    why_none: str | None
    nearest: list[tuple[int | None, int | None]]  # per axis, when there is no answer
    per_axis: list[list[Setting]]  # what fits each axis alone, when there is no answer
    stages: list[list[Setting]] | None  # per axis, with --stages


class Result(NamedTuple):
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


class Problem(NamedTuple):
    ins: tuple[int, ...]
    outs: tuple[int, ...]
    frameworks: tuple[str, ...]
    bounds: Bounds
    limit: int = 3
    stages: bool = False

    def solve(self) -> Result:
        results = []
        for framework in self.frameworks:
            answers = plan.solve(framework, self.ins, self.outs, self.bounds)
            chains = None
            if self.stages:
                planned = [
                    plan.stages(framework, n, m, self.bounds)
                    for n, m in zip(self.ins, self.outs, strict=True)
                ]
                chains = (
                    None
                    if any(c is None for c in planned)
                    else [c for c in planned if c is not None]
                )
            staged = self.stages and chains is None
            per_axis = [] if answers else self._per_axis(framework)
            why = None if answers else self._why_none(framework, per_axis, staged)
            near = (
                []
                if answers
                else [
                    plan.nearest(framework, n, m, self.bounds)
                    for n, m in zip(self.ins, self.outs, strict=True)
                ]
            )
            results.append(
                FrameworkResult(framework, answers, why, near, per_axis=per_axis, stages=chains)
            )
        return Result(self.ins, self.outs, self.bounds, self.limit, results)

    def _per_axis(self, framework: str) -> list[list[Setting]]:
        return [
            plan.axis_options(framework, n, m, self.bounds)
            for n, m in zip(self.ins, self.outs, strict=True)
        ]

    def _why_none(self, framework: str, per_axis: list[list[Setting]], staged: bool) -> str:
        """About the first axis nothing fits; when every axis has settings, why no one layer
        takes them."""
        for (n, m), options in zip(zip(self.ins, self.outs, strict=True), per_axis, strict=True):
            if not options:
                return plan.why_not(n, m, self.bounds, staged=staged)
        return plan.why_not_together(framework)
