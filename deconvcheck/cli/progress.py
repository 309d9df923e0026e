"""A progress bar for long work (`check` of many files, a wide `sizes --range`): drawn by rich
on standard error, only in a terminal, only once the work has taken DELAY seconds, and never
under pre-commit (which gives hooks a terminal but collects their output) or in a pipe."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

from deconvcheck.cli.main import is_terminal

DELAY = 1.0  # seconds: quick runs never show a bar


def wanted(stream: TextIO) -> bool:
    """A terminal, and not pre-commit (it sets PRE_COMMIT=1). (NO_COLOR is about colour: rich
    draws the bar without it.)"""
    return not os.environ.get("PRE_COMMIT") and is_terminal(stream)


class Progress:
    """Call it with the number of items done since the last call; use it as a context manager
    so that the bar goes away when the work ends."""

    def __init__(
        self,
        total: int,
        what: str,
        *,
        stream: TextIO | None = None,
        delay: float = DELAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.what, self.done = total, what, 0
        self.stream = stream or sys.stderr
        self.enabled = wanted(self.stream)
        self.clock, self.started, self.delay = clock, clock(), delay
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        if self.bar is None and self.clock() - self.started >= self.delay:
            self._start()
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def _start(self) -> None:
        from rich.console import Console  # noqa: PLC0415 - only once the work is long
        from rich.progress import (  # noqa: PLC0415
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar  # noqa: PLC0415

        self.bar = Bar(
            TextColumn(self.what),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=self.stream, force_terminal=True),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(self.what, total=self.total, completed=self.done)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()
