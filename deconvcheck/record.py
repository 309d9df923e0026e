"""`Record`, the base of the package's immutable records: `typing.NamedTuple` to the type
checker and, at run time, the same class made the cheaper way.

`typing.NamedTuple` turns every field's annotation into a type when the class is made (with
`from __future__ import annotations`, by compiling each one as an expression): some 80 µs a
class, and the summary of a Keras file makes about 25 of them at start-up. Nothing here reads
a record's annotations at run time, so `Record` skips that step and makes the class as
`typing.NamedTuple` then does: `collections.namedtuple` with the fields in order and their
defaults, the class body's methods and docstring copied on. mypy checks every record as the
NamedTuple it is declared as (tests/test_record.py holds the two to the same behaviour).
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any

__all__ = ["Record"]

if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    # What a NamedTuple's body may not define, and what it does not copy (as typing's).
    _RESERVED = frozenset(
        {"_source", "_field_defaults", "_replace", "__slots__", "_asdict", "__new__",
         "__init__", "_fields", "_make", "__getnewargs__"}
    )  # fmt: skip
    _NOT_COPIED = frozenset({"__name__", "__annotations__", "__module__", "__qualname__"})

    class _RecordType(type):
        def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
            if not bases:  # `Record` itself
                return super().__new__(mcs, name, bases, namespace)
            if bases != (Record,):
                raise TypeError("a record derives from Record alone")
            fields = namespace.get("__annotations__", {})
            defaults = [field for field in fields if field in namespace]
            if defaults and defaults != list(fields)[-len(defaults) :]:
                raise TypeError(f"{name}: a field without a default follows one with a default")
            made = collections.namedtuple(
                name,
                fields,
                defaults=[namespace[f] for f in defaults],
                module=namespace["__module__"],
            )
            made.__qualname__ = namespace.get("__qualname__", name)
            made.__annotations__ = dict(fields)
            for key, value in namespace.items():
                if key in _RESERVED:
                    raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
                if key not in _NOT_COPIED and key not in fields:
                    setattr(made, key, value)
            return made

    class Record(metaclass=_RecordType):
        """The base of a record: `class Ref(Record): layer: str; call: int = 0`."""
