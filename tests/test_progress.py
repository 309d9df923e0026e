"""The progress bar: in a terminal after a second of work, never in a pipe or under pre-commit."""

from __future__ import annotations

import io

import pytest

from deconvcheck.cli.progress import DELAY, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("stream", "env", "shown"),
    [
        (Terminal(), {}, True),
        (io.StringIO(), {}, False),  # a pipe or a file
        (Terminal(), {"PRE_COMMIT": "1"}, False),  # pre-commit gives hooks a terminal
        (Terminal(), {"TERM": "dumb"}, False),
    ],
)
def test_bar_after_a_second_in_a_terminal_only(
    stream: io.StringIO, env: dict[str, str], shown: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    clock = Clock()
    with Progress(10, "checking", stream=stream, clock=clock) as progress:
        progress(3)
        assert progress.bar is None  # quick work shows nothing
        assert stream.getvalue() == ""
        clock.now += DELAY
        progress(4)
        assert (progress.bar is not None) == shown
        if shown:
            assert progress.bar.tasks[0].completed == 7
            assert progress.bar.tasks[0].total == 10
    assert progress.done == 7
    if shown:  # transient: the bar is drawn, then taken away
        assert "checking" in stream.getvalue()
    else:
        assert stream.getvalue() == ""
