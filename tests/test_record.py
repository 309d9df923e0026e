"""`Record` makes at run time the class `typing.NamedTuple` makes (deconvcheck/record.py)."""

from __future__ import annotations

import pickle
from typing import NamedTuple

import pytest

from deconvcheck.model import Ref
from deconvcheck.record import Record


class Point(Record):
    """A point."""

    x: int
    y: int = 0
    label: str | None = None

    def moved(self, by: int) -> Point:
        return self._replace(x=self.x + by)

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)


class TypedPoint(NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: str | None = None

    def moved(self, by: int) -> TypedPoint:
        return self._replace(x=self.x + by)

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)


def test_a_record_behaves_as_the_named_tuple_of_the_same_body() -> None:
    ours, theirs = Point(3, -4), TypedPoint(3, -4)
    assert tuple(ours) == tuple(theirs) == (3, -4, None)
    assert ours._fields == theirs._fields == ("x", "y", "label")
    assert ours._field_defaults == theirs._field_defaults == {"y": 0, "label": None}
    assert repr(ours) == "Point(x=3, y=-4, label=None)"
    assert repr(theirs) == "TypedPoint(x=3, y=-4, label=None)"
    assert ours.moved(2) == Point(5, -4) and theirs.moved(2) == TypedPoint(5, -4)
    assert ours.norm1 == theirs.norm1 == 7
    assert ours._asdict() == theirs._asdict() == {"x": 3, "y": -4, "label": None}
    assert Point._make([1, 2, "a"]) == (1, 2, "a")
    assert Point(x=1, label="b") == (1, 0, "b")
    assert Point.__doc__ == TypedPoint.__doc__ == "A point."
    assert Point.__mro__ == (Point, tuple, object)
    assert TypedPoint.__mro__ == (TypedPoint, tuple, object)
    assert Point.__module__ == TypedPoint.__module__ == __name__
    assert Point.__qualname__ == "Point"
    assert hash(ours) == hash((3, -4, None))
    with pytest.raises(AttributeError):
        ours.x = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


def test_a_record_pickles_and_a_package_record_is_one() -> None:
    assert pickle.loads(pickle.dumps(Point(1, 2))) == Point(1, 2)
    ref = Ref("conv", 1)
    assert (ref.layer, ref.call, ref.output) == ("conv", 1, 0)
    assert pickle.loads(pickle.dumps(ref)) == ref and type(ref).__bases__ == (tuple,)


def test_what_a_named_tuple_refuses_a_record_refuses() -> None:
    with pytest.raises(TypeError, match="without a default follows"):

        class Bad(Record):
            a: int = 0
            b: int  # type: ignore[misc]  # mypy refuses it as well

    with pytest.raises(AttributeError, match="_replace"):

        class Shadowing(Record):
            a: int

            def _replace(self) -> None:  # type: ignore[misc]
                pass

    with pytest.raises(TypeError, match="from Record alone"):

        class Mixed(Record, dict[str, int]):  # type: ignore[misc]
            a: int
