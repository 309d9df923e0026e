"""A spec as declared: its layers in file order with their positions, before any checking.

Every reader (YAML, JSON, Keras model files) fills a `Spec`; `declare` is the one builder of a
layer declaration, for the readers and for `check`'s fixes alike."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from deconvcheck.diagnostics import Diagnostic
from deconvcheck.record import Record

SPEC_VERSION = 1
VERSION_KEY = "deconvcheck"
TOP_KEYS = (
    VERSION_KEY, "name", "description", "layers", "inputs", "outputs", "restore", "encoder",
    "sequential",
)  # fmt: skip
# The classes of a Keras model file's root (and of a model nested in it); a Sequential one
# lists no InputLayer row in its summary.
MODEL_CLASSES = ("Functional", "Model", "Sequential")
SEQUENTIAL_CLASSES = ("Sequential",)
RESTORE_MODES = ("spatial", "shape", "none")
# `build_shape`: the input shape(s) the layer's weights are made for, where its first call in
# this model is not the one that made them (a Keras file's build_config; `convert` writes it).
BUILD_SHAPE = "build_shape"
RESERVED_LAYER_KEYS = ("type", "name", "inputs", BUILD_SHAPE)
# An entry of `layers:` that calls a layer declared above it again (a shared layer): `call:`
# names the layer, `inputs:` what it is called on this time.
CALL_KEY = "call"
CALL_KEYS = (CALL_KEY, "inputs")


class ReadFailure(Exception):
    """The file cannot be read at all (missing, a directory, no permission): a usage error."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


# Where a value sits in a file's document: mapping keys and list indices from the root. An int
# on a mapping is a pair's index in file order (a repeated key's later pairs have no other name).
KeyPath = tuple[str | int, ...]


class Locates(Protocol):
    """A file's text, able to say where a value is written (see `tree.Document`)."""

    def position(self, path: KeyPath, key: bool) -> tuple[int, int] | None:
        """(line, column) of the value at `path`, or of its key; None if there is none."""


class Pos:
    """Where something is written: its 1-based line and column (0 where the file does not say)
    and, in a Keras model file, the layer's JSON path (`config.layers[17]`).

    A reader gives most positions as a place in its document (`Pos.of`): the line and column
    are worked out the first time they are read. Few ever are (a finding's), and finding one
    in a large JSON text costs more than parsing it."""

    __slots__ = ("_column", "_line", "_place", "where")

    def __init__(self, line: int = 0, column: int = 0, where: str = "") -> None:
        self._line = line
        self._column = column
        self.where = where
        self._place: tuple[Locates, KeyPath, bool] | None = None

    @classmethod
    def of(cls, document: Locates, path: KeyPath, key: bool = False, where: str = "") -> Pos:
        """The position of the value at `path` in `document` (of its key if `key`)."""
        pos = object.__new__(cls)  # one made for every layer read: without __init__'s call
        pos._line = pos._column = 0
        pos.where = where
        pos._place = (document, path, key)
        return pos

    def _settle(self) -> None:
        if self._place is not None:
            document, path, key = self._place
            self._line, self._column = document.position(path, key) or (0, 0)
            self._place = None  # the document may go

    @property
    def line(self) -> int:
        self._settle()
        return self._line

    @property
    def column(self) -> int:
        self._settle()
        return self._column

    def _key(self) -> tuple[int, int, str]:
        return self.line, self.column, self.where

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pos) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Pos(line={self.line}, column={self.column}, where={self.where!r})"

    def __reduce__(self) -> tuple[type[Pos], tuple[int, int, str]]:
        return Pos, self._key()

    def __deepcopy__(self, memo: dict[int, Any]) -> Pos:
        return self  # a position never changes (a copied spec is the same file)


class LayerDecl:
    """One entry of `layers:` as written, before any checking of its arguments."""

    def __init__(self, index: int, type_name: str, pos: Pos) -> None:
        self.index = index
        self.type_name = type_name
        self.pos = pos
        self.name: str | None = None
        self.inputs: list[tuple[str, Pos]] | None = None
        self.args: dict[str, Any] = {}
        # The layer's mapping in its file, where a reader has one: its arguments' positions are
        # worked out from it when a diagnostic needs one (`key_at`, `value_at`).
        self.written: Written | None = None
        self.origin: str | None = None  # a Keras file's registered name or module for the class
        # A Keras file's `build_config` input shape(s): what Keras makes the weights for when it
        # loads the file (the layer's first call may have been in another model).
        self.built_on: list[tuple[int | None, ...]] | None = None
        # Keras's number for each of its calls here, where it differs from the spec's 0, 1, ...:
        # model code that called the layer in another model too (Keras numbers its calls, its
        # nodes, over the session, and Connected to shows that number).
        self.node_numbers: list[int] | None = None

    def key_at(self, arg: str) -> Pos:
        """Where an argument's key is written; the layer's position if the file does not say."""
        return self._at(arg, key=True)

    def value_at(self, arg: str) -> Pos:
        """Where an argument's value is written; the layer's position if the file does not say."""
        return self._at(arg, key=False)

    def _at(self, arg: str, *, key: bool) -> Pos:
        written = self.written
        if written is None or arg not in self.args or arg not in written.keys:
            return self.pos  # an argument a fix gave, or a file that does not say
        return Pos.of(written.document, (*written.path, arg), key)


class Written(Record):
    """A layer's mapping as its file has it: where it is, and the keys written in it."""

    document: Locates
    path: KeyPath
    keys: Collection[str]

    def __deepcopy__(self, memo: dict[int, Any]) -> Written:
        return self  # the file's, never changed (a spec's copy is edited, not its file)


class CallDecl(Record):
    """A later call of a declared layer (a shared layer): the layer's first call is its
    declaration, each `CallDecl` of it one more, numbered 1, 2, ... in file order, as Keras
    numbers a layer's inbound nodes. `after` is how many layer declarations precede it in the
    file: without `inputs`, the call takes the entry just above it."""

    layer: str
    inputs: list[tuple[str, Pos]] | None
    pos: Pos
    after: int


class Spec:
    """A spec file as declared: its layers in file order and what loading it found wrong."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name: str | None = None
        self.layers: list[LayerDecl] = []
        self.calls: list[CallDecl] = []  # later calls of declared layers, in file order
        self.outputs: list[tuple[str, Pos]] | None = None
        self.restore: str | None = None  # what the output must give back: see `check`
        self.encoder: tuple[str, Pos] | None = None  # the encoder this spec decodes for
        self.sequential = False  # a Keras Sequential model: its summary shows no InputLayer
        # `inputs:` (a Keras file's `input_layers`): the model's inputs, in the order a call
        # of the model takes them; else its Input layers in file order. An input no output
        # uses is listed all the same, as Keras lists it.
        self.input_order: list[str] | None = None
        self.input_places: list[Pos] = []
        self.diagnostics: list[Diagnostic] = []
        # Model code (`model.py`): the other models the file builds (each a spec of its own;
        # this one is the first), and whether the reader followed everything it read.
        self.others: list[Spec] = []
        self.complete = True


def suggest(word: str, options: Any) -> str:
    """`; did you mean 'x'?` or nothing."""
    import difflib  # noqa: PLC0415 - only needed when something is wrong

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


# Where a layer made by the tool itself (a verified fix) is: nowhere in the file.
NOWHERE = Pos()


def declare(
    type_name: str,
    name: str | None,
    args: dict[str, Any],
    *,
    inputs: list[tuple[str, Pos]] | None = None,
    pos: Pos = NOWHERE,
    index: int = -1,
    written: Written | None = None,
) -> LayerDecl:
    """A layer declaration; arguments not in the file's mapping (`written`) are at its `pos`."""
    decl = LayerDecl(index, type_name, pos)
    decl.name = name
    decl.inputs = inputs
    decl.args = args
    decl.written = written
    return decl
