"""The one place results are kept between calls: answers of pure functions, by their inputs.

Nothing here changes what a call returns, only how fast: every table holds answers that
depend on their key alone (a layer made from the same arguments, a YAML scalar's value, a
did-you-mean), so that a check at another size and then a summary, or two notebooks' calls,
never see each other's specs. Each table is bounded, emptied when it fills, so that checking
thousands of files keeps memory flat; `MEMO.clear()` empties them all.
"""

from __future__ import annotations

from typing import Any


class Table:
    """A bounded dictionary: emptied (not evicted one by one) when it reaches `limit`."""

    __slots__ = ("entries", "limit")

    def __init__(self, limit: int) -> None:
        self.entries: dict[Any, Any] = {}
        self.limit = limit

    def get(self, key: Any) -> Any:
        return self.entries.get(key)

    def keep(self, key: Any, value: Any) -> Any:
        if len(self.entries) >= self.limit:
            self.entries.clear()
        self.entries[key] = value
        return value

    def __len__(self) -> int:
        return len(self.entries)


class ByObject:
    """A bounded table of answers about objects that never change once made (a layer, a
    nested model), by the object's identity and the question. Each entry holds its object,
    so that no other object can take its identity while the answer is kept."""

    __slots__ = ("table",)

    def __init__(self, limit: int) -> None:
        self.table = Table(limit)

    def get(self, owner: object, question: Any) -> Any:
        """The answer kept, or None."""
        kept = self.table.entries.get((id(owner), question))
        return kept[1] if kept is not None and kept[0] is owner else None

    def keep(self, owner: object, question: Any, answer: Any) -> Any:
        self.table.keep((id(owner), question), (owner, answer))
        return answer

    def __len__(self) -> int:
        return len(self.table)


class Memo:
    """Every table, by what it keeps."""

    def __init__(self) -> None:
        self.layers = Table(4096)  # built-in layers by (class, arguments): immutable once made
        self.scalars = Table(4096)  # a YAML plain scalar's text -> its value
        self.suggestions = Table(1024)  # (unknown argument, a type's names) -> did-you-mean
        # a layer's or a nested model's answer on input shapes (`sizes --range` asks thousands)
        self.calls = ByObject(16_384)
        self.windows = ByObject(4096)  # a layer's windows (tracing, rules, receptive field)
        # layer types: a family module's by name, an installed package's (entry point) by name
        self.families = Table(64)
        self.plugins = Table(1024)

    def clear(self) -> None:
        for table in (self.layers, self.scalars, self.suggestions, self.families, self.plugins):
            table.entries.clear()
        for by_object in (self.calls, self.windows):
            by_object.table.entries.clear()


MEMO = Memo()
