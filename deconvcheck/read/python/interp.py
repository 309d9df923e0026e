"""A bounded interpreter of the Python that model code is written in, over `ast`: the file is
never imported, executed or `eval`ed, and nothing it names is imported.

It evaluates what builds a model — constants, arithmetic, tuples, lists and dicts, `if`,
`for`/`while` over ranges and lists, comprehensions, functions with defaults, `*args` and
`**kwargs`, closures, f-strings — and hands every call into Keras to `keras.KerasWorld`. What it
does not follow (data, the command line, a class of the file's own) becomes an `Unknown`, and
what depends on it is not inferred; every bound (steps, call depth, loop iterations, the size
of a value) stops the run with a finding rather than a hang.
"""

from __future__ import annotations

import ast
import contextlib
import operator
import re
import reprlib
import string
from collections.abc import Callable, Iterator
from typing import Any

from deconvcheck.read.python.values import (
    Bound,
    CustomClass,
    Function,
    KerasName,
    LayerObj,
    ModelObj,
    Other,
    Outputs,
    Tensor,
    Unknown,
)

# Expressions and statements evaluated, over the whole file: some 3 s. A model file takes ten
# a layer (the corpus of tests/fixtures/python at most 1,339); 100,000 layers, 700,000.
MAX_STEPS = 1_000_000
MAX_DEPTH = 60  # calls of the file's functions within each other
MAX_ITERATIONS = 100_000  # of one loop or comprehension
MAX_ITEMS = 1_000_000  # elements of one list, tuple, dict or string
MAX_INT_BITS = 4_096  # a model's sizes are small numbers; 10 ** 10 ** 10 is not computed
# Layers of the graph built so far that the world infers to answer the code's questions while
# it builds (`x.shape`, `model.layers`): each question walks the whole graph, so a loop asking
# x.shape of a growing stack would take the square of its length (some 40 us a layer).
MAX_GRAPH_WORK = 50_000
MAX_MODELS = 1_000  # models one file makes (each is a spec; each is compared at every binding)
# Items gone through (by `walk`, or by Python's own code in a sum, a join, a slice) that count
# as one step: eight cost about what a step does, so MAX_STEPS bounds the time of both.
WORK_PER_STEP = 8


class Bounded(Exception):
    """A bound was reached: the run stops, with where and which."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Scope:
    """A function's (or the module's) names; reads fall back to the enclosing scopes."""

    def __init__(self, parent: Scope | None = None, name: str = "<module>") -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.name = name
        self.globals_: set[str] = set()

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return _MISSING

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def assign(self, name: str, value: Any) -> None:
        if name in self.globals_:
            self.module().vars[name] = value
        else:
            self.vars[name] = value


_MISSING = object()
# Python's `lambda` expression (a name of its own: Keras has a layer of that name too).
_LAMBDA = ast.Lambda

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.MatMult: operator.matmul,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_,
    ast.BitXor: operator.xor,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_PLAIN = (int, float, str, bool, type(None), bytes, complex)
# Python's own containers, told by their exact type: a Tensor, an Unknown or sys.argv (an
# Other) is a NamedTuple, whose fields are not the code's items.
_DATA = frozenset((list, tuple, str, dict, range))
# Statements that do not build a model (see the end of `statement`), told at once.
_NOTHING = frozenset((ast.Pass, ast.Assert, ast.Raise, ast.Nonlocal, ast.Match))
_LEAVES = (*_PLAIN, range, slice)
_TOO_BIG = f"a value of more than {MAX_ITEMS:,} items"
# Items one walk of a value goes through (see `walk`): a value may hold MAX_ITEMS, and a value
# that holds one twice is gone through twice, as Python's str(), hash() and == would.
MAX_WALK = 2 * MAX_ITEMS
_TOO_LONG = (
    f"a value of more than {MAX_WALK:,} items, counted at each place that holds one (a tuple "
    "that holds the one before it twice, again and again)"
)


def walk(value: Any) -> tuple[bool, int]:
    """Whether a value is plain (see `plain`), and how many items and characters Python's own
    code goes through in it (str(), hash(), ==): a list held twice counts twice. Bounded past
    MAX_WALK: a tuple holding the one before it twice, forty deep, is 2**40 items to str() or
    hash(), and a list that holds itself never ends. Iterative: a list nested 100,000 deep is
    counted, not recursed into."""
    stack = [value]
    count = 0
    is_plain = True
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bytes:
            count += len(item) + 1
        elif kind is int:  # and a word per 64 bits (a 4,096-bit number is 1,234 digits)
            count += 1 + (item.bit_length() >> 6)
        else:
            count += 1
        if count > MAX_WALK:
            raise Bounded(_TOO_LONG, 0)
        if kind is list or kind is tuple:  # not an Unknown, a Tensor or another record
            stack.extend(item)
        elif kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        elif not isinstance(item, _LEAVES):
            is_plain = False
    return is_plain, count


_DIGITS = re.compile(r"\d+")
# A %-conversion's width and precision: "%-*.3f" -> "*.3"
_PERCENT_WIDTHS = re.compile(r"%(?:\([^)]*\))?[#0\- +]*((?:\*|\d+)?(?:\.(?:\*|\d+))?)")
_FORMATTER = string.Formatter()


def _too_wide(spec: str) -> bool:
    """A format spec with a width or precision past MAX_ITEMS (f"{x:>999999999}")."""
    return any(len(d) > 7 or int(d) > MAX_ITEMS for d in _DIGITS.findall(spec))


def _big_argument(args: Any) -> bool:
    """An integer past MAX_ITEMS among format arguments (and one level inside them), which a
    `*` or a nested `{}` may take as a width."""
    items = list(args.values()) if type(args) is dict else args
    items = list(items) if type(items) in (list, tuple) else [items]
    for item in list(items):
        if type(item) in (list, tuple):
            items.extend(item)
        elif type(item) is dict:
            items.extend(item.values())
    return any(isinstance(i, int) and abs(i) > MAX_ITEMS for i in items)


def plain(value: Any) -> bool:
    """A value Python's own operators may be applied to safely: numbers, strings and
    containers of them (no tensor, layer or unknown inside). Bounded (see `walk`)."""
    return walk(value)[0]


def first_unknown(value: Any) -> Unknown | None:
    """The first Unknown inside a value (a list of tensors with one unknown is unknown).
    Iterative and bounded, as `walk`."""
    stack = [value]
    count = 0
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return item
        count += 1
        if count > MAX_WALK:
            raise Bounded(_TOO_LONG, 0)
        if type(item) in (list, tuple):
            stack.extend(reversed(item))
        elif type(item) is dict:
            stack.extend(reversed(item.values()))
    return None


class Frame:
    """One call of a file's function (or a loop iteration) on the way to a layer: what a
    finding's chain says. A loop's is written only when a chain is (`iteration`, `line`)."""

    def __init__(self, text: str = "", iteration: int = 0, line: int = 0) -> None:
        self._text = text
        self.iteration = iteration
        self.line = line

    @property
    def text(self) -> str:
        if not self._text:
            self._text = f"iteration {self.iteration} of the loop at line {self.line}"
        return self._text


class Interpreter:
    """Runs a module's syntax tree; `world` answers everything about Keras."""

    def __init__(self, world: Any, path: str) -> None:
        self.world = world
        self.path = path
        self.steps = 0
        self.depth = 0
        self.frames: list[Frame] = []
        self.module = Scope()
        self.module.vars["__name__"] = "__main__"
        self.module.vars["__file__"] = path
        self.line = 0
        self.graph_work = 0  # see MAX_GRAPH_WORK
        self.models = 0  # made by calls into Keras

    # -- bounds ------------------------------------------------------------------------------

    def step(self, node: ast.AST) -> None:
        self.steps += 1
        self.line = getattr(node, "lineno", self.line)
        if self.steps > MAX_STEPS:
            raise Bounded(
                f"the code takes more than {MAX_STEPS:,} steps to build its models", self.line
            )

    def charge(self, work: int) -> None:
        """Items Python's own code went through for a step (see WORK_PER_STEP)."""
        self.steps += work // WORK_PER_STEP
        if self.steps > MAX_STEPS:
            raise Bounded(
                f"the code takes more than {MAX_STEPS:,} steps to build its models", self.line
            )

    def plain(self, value: Any) -> bool:
        """`plain(value)`, its walk charged."""
        is_plain, work = walk(value)
        self.charge(work)
        return is_plain

    def walked(self, *values: Any) -> None:
        """Before Python hashes or compares values (a dict key, ==, `in`): their walk, bounded
        and charged, whatever they hold."""
        for value in values:
            self.charge(walk(value)[1])

    def room(self, items: int) -> None:
        """Before a value of `items` items or characters is made."""
        if items > MAX_ITEMS:
            raise Bounded(_TOO_BIG, self.line)

    def graph(self, node: ast.AST, share: int = 1) -> None:
        """Before the world answers a question by walking the graph built so far (a tensor's
        shape, a model's layers; a model made, at 1/`share` of the cost)."""
        self.graph_work += len(getattr(self.world, "tape", ())) // share + 1
        if self.graph_work > MAX_GRAPH_WORK:
            raise Bounded(
                "the code asks the shapes or layers of what it built so often that answering "
                f"takes more than {MAX_GRAPH_WORK:,} layers inferred (a growing graph asked "
                "at every step)",
                getattr(node, "lineno", self.line),
            )

    def sized(self, value: Any) -> Any:
        if isinstance(value, (list, tuple, dict, str, bytes)) and len(value) > MAX_ITEMS:
            raise Bounded(_TOO_BIG, self.line)
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise Bounded(f"a number of more than {MAX_INT_BITS} bits", self.line)
        return value

    def chain(self) -> str:
        return ", ".join(frame.text for frame in reversed(self.frames))

    # -- statements --------------------------------------------------------------------------

    def run_module(self, tree: ast.Module) -> None:
        self.block(tree.body, self.module)

    def block(self, body: list[ast.stmt], scope: Scope) -> None:
        for statement in body:
            self.statement(statement, scope)

    def statement(self, node: ast.stmt, scope: Scope) -> None:  # noqa: PLR0915
        self.step(node)
        if type(node) in _NOTHING:
            return
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant):  # a docstring
                return
            self.expr(node.value, scope)
        elif isinstance(node, ast.Assign):
            value = self.expr(node.value, scope)
            for target in node.targets:
                self.bind(target, value, scope)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.bind(node.target, self.expr(node.value, scope), scope)
        elif isinstance(node, ast.AugAssign):
            current = self.expr(_as_load(node.target), scope)
            value = self.binop(type(node.op), current, self.expr(node.value, scope), node)
            self.bind(node.target, value, scope)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.world.imported(node, scope)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defaults = tuple(self.expr(d, scope) for d in node.args.defaults)
            kw_defaults = tuple(
                self.expr(d, scope) if d is not None else _MISSING for d in node.args.kw_defaults
            )
            scope.assign(node.name, Function(node, scope, defaults, kw_defaults))
        elif isinstance(node, ast.ClassDef):
            bases = [self.expr(b, scope) for b in node.bases]
            keras_base = next(
                (b.path.rsplit(".", 1)[-1] for b in bases if isinstance(b, KerasName)), None
            )
            if keras_base is None:
                keras_base = next(
                    (b.keras_base for b in bases if isinstance(b, CustomClass) and b.keras_base),
                    None,
                )
            scope.assign(node.name, CustomClass(node.name, node.lineno, keras_base))
        elif isinstance(node, ast.Return):
            raise _Return(self.expr(node.value, scope) if node.value is not None else None)
        elif isinstance(node, ast.If):
            test = self.expr(node.test, scope)
            if isinstance(test, Unknown):
                self.world.not_followed(test, node)
                return
            self.block(node.body if self.truth(test) else node.orelse, scope)
        elif isinstance(node, ast.For):
            self.for_loop(node, scope)
        elif isinstance(node, ast.While):
            self.while_loop(node, scope)
        elif isinstance(node, ast.Break):
            raise _Break
        elif isinstance(node, ast.Continue):
            raise _Continue
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.expr(item.context_expr, scope)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, value, scope)
            self.block(node.body, scope)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            try_node: Any = node
            self.block(try_node.body, scope)
            self.block(try_node.orelse, scope)
            self.block(try_node.finalbody, scope)
        elif isinstance(node, ast.Global):
            scope.globals_.update(node.names)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    scope.vars.pop(target.id, None)
        # pass, assert, raise, nonlocal, match: they do not build a model

    def for_loop(self, node: ast.For, scope: Scope) -> None:
        items = self.iterate(self.expr(node.iter, scope), node)
        if items is None:
            return
        done = False
        for count, item in enumerate(items, 1):
            if count > MAX_ITERATIONS:
                raise Bounded(f"a loop runs more than {MAX_ITERATIONS:,} times", node.lineno)
            self.bind(node.target, item, scope)
            self.frames.append(Frame(iteration=count, line=node.lineno))
            try:
                self.block(node.body, scope)
            except _Break:
                done = True
            except _Continue:
                pass
            finally:
                self.frames.pop()
            if done:
                return
        self.block(node.orelse, scope)

    def while_loop(self, node: ast.While, scope: Scope) -> None:
        count = 0
        while True:
            test = self.expr(node.test, scope)
            if isinstance(test, Unknown):
                self.world.not_followed(test, node)
                return
            if not self.truth(test):
                break
            count += 1
            if count > MAX_ITERATIONS:
                raise Bounded(f"a loop runs more than {MAX_ITERATIONS:,} times", node.lineno)
            self.frames.append(Frame(iteration=count, line=node.lineno))
            try:
                self.block(node.body, scope)
            except _Break:
                return
            except _Continue:
                pass
            finally:
                self.frames.pop()
        self.block(node.orelse, scope)

    def truth(self, value: Any) -> bool:
        if isinstance(value, (Tensor, Outputs, LayerObj, ModelObj, KerasName, Function)):
            return True
        try:
            return bool(value)
        except Exception:
            return True

    def iterate(self, value: Any, node: ast.AST) -> Iterator[Any] | None:
        """The items a `for` or a comprehension goes over; None (and a finding) when unknown."""
        if isinstance(value, Unknown):
            self.world.not_followed(value, node)
            return None
        if isinstance(value, Outputs):
            self.graph(node)  # how many tensors: the layer's call inferred
            items: list[Any] = self.world.unpack(value, None)
            return iter(items)
        if type(value) in _DATA:
            data: list[Any] | tuple[Any, ...] | str | dict[Any, Any] | range = value
            return iter(data)
        self.world.not_followed(
            Unknown(f"a loop over {self.world.describe(value)}", getattr(node, "lineno", 0)), node
        )
        return None

    def bind(self, target: ast.expr, value: Any, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.assign(target.id, value)
            self.world.named(target.id, value, scope is self.module)
        elif isinstance(target, (ast.Tuple, ast.List)):
            starred = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
            count = len(target.elts)
            if isinstance(value, Unknown):
                items: list[Any] = [value] * count
            elif isinstance(value, Outputs):
                if starred:
                    self.graph(target)
                items = self.world.unpack(value, None if starred else count)
            else:
                try:
                    if type(value) not in _DATA:  # a tensor, sys.argv: not their fields
                        raise TypeError
                    items = list(value)
                    self.charge(len(items))
                except TypeError:
                    items = [
                        Unknown(f"unpacking {self.world.describe(value)}", target.lineno)
                    ] * count
            if starred:
                at = starred[0]
                tail = count - at - 1
                middle = items[at : len(items) - tail]
                items = [*items[:at], middle, *items[len(items) - tail :]]
            if len(items) != count:
                items = (items + [Unknown("unpacking", target.lineno)] * count)[:count]
            for sub, item in zip(target.elts, items, strict=True):
                self.bind(sub.value if isinstance(sub, ast.Starred) else sub, item, scope)
        elif isinstance(target, ast.Subscript):
            container = self.expr(target.value, scope)
            key = self.expr(target.slice, scope)
            if isinstance(container, (list, dict)) and self.plain(key):
                with contextlib.suppress(IndexError, KeyError, TypeError, ValueError):
                    container[key] = value  # a slice's may grow the list: sized below
                self.charge(len(container))
                self.sized(container)
        elif isinstance(target, ast.Attribute):
            owner = self.expr(target.value, scope)
            if isinstance(owner, ModelObj):
                self.graph(target)  # model.trainable = False: each of its layers
            self.world.set_attribute(owner, target.attr, value, target)

    # -- expressions -------------------------------------------------------------------------

    def expr(self, node: ast.expr, scope: Scope) -> Any:  # noqa: PLR0915
        self.step(node)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            value = scope.lookup(node.id)
            if value is _MISSING:
                return self.builtin(node.id, node)
            return value
        if isinstance(node, ast.Attribute):
            return self.attribute(self.expr(node.value, scope), node.attr, node)
        if isinstance(node, ast.Call):
            return self.call(node, scope)
        if isinstance(node, ast.BinOp):
            left = self.expr(node.left, scope)
            right = self.expr(node.right, scope)
            return self.binop(type(node.op), left, right, node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, self.expr(node.operand, scope))
        if isinstance(node, ast.BoolOp):
            result: Any = None
            for value_node in node.values:
                result = self.expr(value_node, scope)
                if isinstance(result, Unknown):
                    return result
                if isinstance(node.op, ast.And) != self.truth(result):
                    return result
            return result
        if isinstance(node, ast.Compare):
            return self.compare(node, scope)
        if isinstance(node, ast.IfExp):
            test = self.expr(node.test, scope)
            if isinstance(test, Unknown):
                return test
            return self.expr(node.body if self.truth(test) else node.orelse, scope)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items: list[Any] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.iterate(self.expr(element.value, scope), element)
                    before = len(items)
                    items.extend(inner if inner is not None else [])
                    self.charge(len(items) - before)
                    self.sized(items)  # [*xs, *xs, *xs, ...]: at each
                else:
                    items.append(self.expr(element, scope))
            self.sized(items)
            if isinstance(node, ast.Tuple):
                return tuple(items)
            if isinstance(node, ast.Set):
                self.walked(items)  # hashed
                return _as_set(items)
            return items
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for key, val in zip(node.keys, node.values, strict=True):
                if key is None:
                    merged = self.expr(val, scope)
                    if isinstance(merged, dict):
                        self.charge(len(merged))
                        out.update(merged)
                        self.sized(out)
                    continue
                k = self.expr(key, scope)
                self.walked(k)  # hashed
                try:
                    out[k] = self.expr(val, scope)
                except TypeError:
                    continue
            return self.sized(out)
        if isinstance(node, ast.Subscript):
            return self.subscript(self.expr(node.value, scope), self.expr(node.slice, scope), node)
        if isinstance(node, ast.Slice):
            parts = [
                self.expr(p, scope) if p is not None else None
                for p in (node.lower, node.upper, node.step)
            ]
            if any(isinstance(p, Unknown) for p in parts):
                return next(p for p in parts if isinstance(p, Unknown))
            return slice(*parts)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, scope)
        if isinstance(node, ast.FormattedValue):
            return self.fstring(ast.JoinedStr(values=[node]), scope)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            values = self.comprehension(node.generators, [node.elt], scope)
            if isinstance(values, Unknown):
                return values
            flat = [v[0] for v in values]
            if isinstance(node, ast.SetComp):
                self.walked(flat)  # hashed
                return _as_set(flat)
            return flat
        if isinstance(node, ast.DictComp):
            pairs = self.comprehension(node.generators, [node.key, node.value], scope)
            if isinstance(pairs, Unknown):
                return pairs
            self.walked([key for key, _ in pairs])  # hashed
            try:
                return dict(pairs)
            except TypeError:
                return Unknown("a dict of unhashable keys", node.lineno)
        if isinstance(node, _LAMBDA):
            defaults = tuple(self.expr(d, scope) for d in node.args.defaults)
            return Function(node, scope, defaults, ())
        if isinstance(node, ast.NamedExpr):
            value = self.expr(node.value, scope)
            self.bind(node.target, value, scope)
            return value
        if isinstance(node, ast.Starred):
            return self.expr(node.value, scope)
        return Unknown(f"a {type(node).__name__} expression", getattr(node, "lineno", 0))

    def comprehension(
        self, generators: list[ast.comprehension], elements: list[ast.expr], scope: Scope
    ) -> list[list[Any]] | Unknown:
        inner = Scope(scope, scope.name)
        out: list[list[Any]] = []

        def walk(index: int) -> Unknown | None:
            if index == len(generators):
                out.append([self.expr(e, inner) for e in elements])
                if len(out) > MAX_ITEMS:
                    raise Bounded(_TOO_BIG, self.line)
                return None
            gen = generators[index]
            source = self.expr(gen.iter, inner)
            if isinstance(source, Unknown):
                return source
            items = self.iterate(source, gen.iter)
            if items is None:
                return Unknown("a comprehension over an unknown value", gen.iter.lineno)
            for count, item in enumerate(items, 1):
                if count > MAX_ITERATIONS:
                    raise Bounded(
                        f"a loop runs more than {MAX_ITERATIONS:,} times", gen.iter.lineno
                    )
                self.step(gen.target)  # an iteration is a step, as a loop's statement
                self.bind(gen.target, item, inner)
                tests = [self.expr(t, inner) for t in gen.ifs]
                if any(isinstance(t, Unknown) for t in tests):
                    return next(t for t in tests if isinstance(t, Unknown))
                if all(self.truth(t) for t in tests):
                    found = walk(index + 1)
                    if found is not None:
                        return found
            return None

        found = walk(0)
        return found if found is not None else out

    def fstring(self, node: ast.JoinedStr, scope: Scope) -> Any:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            assert isinstance(value, ast.FormattedValue)
            shown = self.expr(value.value, scope)
            if not self.plain(shown):
                return Unknown("an f-string of a value that is not a number or text", node.lineno)
            spec = (
                self.fstring(value.format_spec, scope)
                if isinstance(value.format_spec, ast.JoinedStr)
                else ""
            )
            if isinstance(spec, Unknown):
                return spec
            if _too_wide(spec):  # f"{x:>999999999}" is a gigabyte of spaces
                raise Bounded(_TOO_BIG, node.lineno)
            if value.conversion == ord("r"):
                shown = repr(shown)
            elif value.conversion == ord("s"):
                shown = str(shown)
            elif value.conversion == ord("a"):
                shown = ascii(shown)
            try:
                parts.append(format(shown, spec))
            except (ValueError, TypeError):
                return Unknown("a format the reader does not know", node.lineno)
            self.charge(len(parts[-1]))
            self.room(sum(len(part) for part in parts))
        return self.sized("".join(parts))

    def compare(self, node: ast.Compare, scope: Scope) -> Any:
        left = self.expr(node.left, scope)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.expr(right_node, scope)
            if isinstance(left, Unknown) or isinstance(right, Unknown):
                return left if isinstance(left, Unknown) else right
            compare = _COMPARE[type(op)]
            if isinstance(op, (ast.Is, ast.IsNot)):
                ok = compare(left, right)
            elif self.plain(left) and self.plain(right):
                try:
                    ok = compare(left, right)
                except TypeError as exc:
                    return Unknown(str(exc), node.lineno)
            elif isinstance(op, (ast.Eq, ast.NotEq)) or (
                isinstance(op, (ast.In, ast.NotIn)) and type(right) in (list, tuple, dict)
            ):
                self.walked(left, right)
                ok = compare(left, right)
            else:
                return Unknown(f"comparing {self.world.describe(left)}", node.lineno)
            if not ok:
                return False
            left = right
        return True

    def binop(self, op: type[ast.operator], left: Any, right: Any, node: ast.AST) -> Any:
        line = getattr(node, "lineno", 0)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return left if isinstance(left, Unknown) else right
        if self.world.is_tensor(left) or self.world.is_tensor(right):
            return self.world.tensor_binop(op, left, right, node)
        if not (self.plain(left) and self.plain(right)):
            return Unknown(
                f"{self.world.describe(left)} {op.__name__} {self.world.describe(right)}", line
            )
        if op is ast.Pow:
            power_bound(left, right, line)
        if op is ast.Mult and isinstance(left, (str, list, tuple)) and isinstance(right, int):
            self.room(len(left) * right)  # before: "a" * 10**10 is ten gigabytes
        if op is ast.Mult and isinstance(right, (str, list, tuple)) and isinstance(left, int):
            self.room(len(right) * left)
        if op is ast.LShift and isinstance(right, int) and right > MAX_INT_BITS:
            raise Bounded(f"a number of more than {MAX_INT_BITS} bits", line)
        if op is ast.Mod and isinstance(left, str):
            self.formatting(left, right, line)
            try:
                return self.sized(left % right)
            except (TypeError, ValueError, KeyError, OverflowError) as exc:
                return Unknown(f"{type(exc).__name__}: {exc}", line)
        try:
            result = _BINOPS[op](left, right)
        except (ArithmeticError, TypeError, ValueError) as exc:
            return Unknown(f"{type(exc).__name__}: {exc}", line)
        if isinstance(result, (str, bytes, list, tuple)):
            self.charge(len(result))
        return self.sized(result)

    def formatting(self, template: str, args: Any, line: int) -> None:
        """Before `template % args` or `template.format(*args)`: Bounded when a width or a
        precision, written or taken from the arguments (`%*d`, `{:{}}`), passes MAX_ITEMS."""
        if "%" not in template and "{" not in template:
            return
        widths = _PERCENT_WIDTHS.findall(template) if "%" in template else []
        fields = len(widths)
        if "{" in template:
            with contextlib.suppress(ValueError):
                parsed = [(f, spec) for _, f, spec, _ in _FORMATTER.parse(template)]
                fields += sum(1 for f, _ in parsed if f is not None)
                widths += [spec for _, spec in parsed if spec]
        starred = any("*" in w or "{" in w for w in widths)
        if any(_too_wide(w) for w in widths) or (starred and _big_argument(args)):
            raise Bounded(_TOO_BIG, line)
        items = list(args.values()) if type(args) is dict else args
        items = items if type(items) in (list, tuple) else [items]
        largest = max((walk(item)[1] for item in items), default=0)
        self.room(len(template) + fields * largest)  # "{0}{0}{0}".format(a million characters)

    def unary(self, node: ast.UnaryOp, value: Any) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(node.op, ast.Not):
            return not self.truth(value)
        if self.world.is_tensor(value):
            return self.world.tensor_unary(node, value)
        if not self.plain(value):
            return Unknown(f"an operator on {self.world.describe(value)}", node.lineno)
        try:
            if isinstance(node.op, ast.USub):
                return -value
            if isinstance(node.op, ast.UAdd):
                return +value
            return ~value
        except TypeError as exc:
            return Unknown(str(exc), node.lineno)

    def subscript(self, value: Any, key: Any, node: ast.Subscript) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(key, Unknown):
            return key
        if isinstance(value, Outputs):
            if isinstance(key, int):
                count = self.world.output_count(value) if key < 0 else 0
                return Tensor(value.layer, value.call, key + count if key < 0 else key)
            return self.world.subscript_tensor(value.first(), key, node)
        if self.world.is_tensor(value):
            return self.world.subscript_tensor(value, key, node)
        if type(value) in _DATA:
            if isinstance(value, dict):
                self.walked(key)  # hashed
            try:
                found = value[key]
            except (IndexError, KeyError, TypeError, ValueError) as exc:
                return Unknown(f"{type(exc).__name__}: {exc}", node.lineno)
            if isinstance(key, slice) and isinstance(found, (list, tuple, str)):
                self.charge(len(found))
            return found
        return self.world.subscript_other(value, key, node)

    def attribute(self, owner: Any, name: str, node: ast.AST) -> Any:
        if isinstance(owner, Unknown):
            return owner
        if isinstance(owner, KerasName):
            return owner.attr(name)
        if isinstance(owner, Other):
            return Other(f"{owner.path}.{name}")
        if type(owner) in _DATA or isinstance(owner, (int, float)):
            return Bound(owner, name)
        if (isinstance(owner, (Tensor, Outputs)) and name == "shape") or (
            isinstance(owner, ModelObj) and name in ("layers", "get_layer")
        ):
            self.graph(node)
        return self.world.attribute(owner, name, node)

    # -- calls -------------------------------------------------------------------------------

    def call(self, node: ast.Call, scope: Scope) -> Any:
        callee = self.expr(node.func, scope)
        args: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                spread = self.iterate(self.expr(arg.value, scope), arg)
                if spread is None:
                    return Unknown("a call with *arguments the reader cannot follow", node.lineno)
                before = len(args)
                args.extend(spread)
                self.charge(len(args) - before)
                self.sized(args)
            else:
                args.append(self.expr(arg, scope))
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.expr(keyword.value, scope)
            if keyword.arg is None:
                if isinstance(value, dict) and all(isinstance(k, str) for k in value):
                    kwargs.update(value)
                else:
                    return Unknown("a call with **arguments the reader cannot follow", node.lineno)
            else:
                kwargs[keyword.arg] = value
        return self.apply(callee, args, kwargs, node)

    def apply(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if isinstance(callee, Function):
            return self.call_function(callee, args, kwargs, node)
        if isinstance(callee, Bound) and not isinstance(
            callee.target, (LayerObj, ModelObj, Tensor, Outputs)
        ):
            return self.method(callee, args, kwargs, node)
        if isinstance(callee, _Builtin):
            return callee.run(self, args, kwargs, node)
        if isinstance(callee, ModelObj) or (
            isinstance(callee, KerasName) and callee.path.rsplit(".", 1)[-1] in _SHAPE_CALLS
        ):
            self.graph(node)  # a model called (made a layer), keras.ops.shape(x)
        self.walked(args, kwargs)  # the world copies a layer's arguments into its config
        result = self.world.call(callee, args, kwargs, node)
        if isinstance(result, ModelObj) and isinstance(callee, KerasName):
            self.models += 1
            if self.models > MAX_MODELS:
                raise Bounded(f"the code makes more than {MAX_MODELS:,} models", node.lineno)
            self.graph(node, share=20)  # each is a spec of the graph at the end
        return result

    def call_function(
        self, function: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        fn = function.node
        line = getattr(node, "lineno", 0)
        if self.depth >= MAX_DEPTH:
            raise Bounded(f"functions call each other more than {MAX_DEPTH} deep", line)
        scope = Scope(function.closure, getattr(fn, "name", "<lambda>"))
        spec = fn.args
        positional = [*spec.posonlyargs, *spec.args]
        defaults = dict(
            zip([a.arg for a in positional][len(positional) - len(function.defaults) :],
                function.defaults, strict=True)
        )  # fmt: skip
        given: dict[str, Any] = {}
        for param, value in zip(positional, args, strict=False):
            given[param.arg] = value
        extra = args[len(positional) :]
        if spec.vararg is not None:
            given[spec.vararg.arg] = tuple(extra)
        rest: dict[str, Any] = {}
        names = {a.arg for a in positional} | {a.arg for a in spec.kwonlyargs}
        for key, value in kwargs.items():
            if key in names:
                given[key] = value
            else:
                rest[key] = value
        called = getattr(fn, "name", "<lambda>")
        if rest and spec.kwarg is None:  # Python's TypeError: the call does not run
            unknown = Unknown(
                f"{called}() got an unexpected keyword argument {next(iter(rest))!r}", line
            )
            self.world.not_followed(unknown, node)
            return unknown
        if len(args) > len(positional) and spec.vararg is None:
            unknown = Unknown(f"{called}() takes {len(positional)} positional arguments", line)
            self.world.not_followed(unknown, node)
            return unknown
        if spec.kwarg is not None:
            given[spec.kwarg.arg] = rest
        missing = [p.arg for p in positional if p.arg not in given and p.arg not in defaults]
        if missing:
            unknown = Unknown(f"{called}() missing argument {missing[0]!r}", line)
            self.world.not_followed(unknown, node)
            return unknown
        for param in positional:
            if param.arg not in given:
                given[param.arg] = defaults[param.arg]
        for param, default in zip(spec.kwonlyargs, function.kw_defaults, strict=False):
            if param.arg not in given:
                given[param.arg] = (
                    default
                    if default is not _MISSING
                    else Unknown(f"argument {param.arg!r} not given", line)
                )
        scope.vars.update(given)
        shown = ", ".join(
            f"{k}={_short(v)}" for k, v in given.items() if not isinstance(v, str) and self.plain(v)
        )
        where = f"called at line {line}" if line else "called by --model"
        self.frames.append(Frame(f"in {scope.name}({shown}) {where}"))
        self.depth += 1
        try:
            if isinstance(fn, _LAMBDA):
                return self.expr(fn.body, scope)
            try:
                self.block(fn.body, scope)
            except _Return as returned:
                return returned.value
            return None
        finally:
            self.depth -= 1
            self.frames.pop()

    def method(self, bound: Bound, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        target, name = bound.target, bound.name
        line = getattr(node, "lineno", 0)
        if isinstance(target, list) and name in _LIST_METHODS:
            if name != "append" and (name != "pop" or args):  # through the list, or its items
                self.charge(len(target))
                self.walked(args)
            if name == "extend" and args and isinstance(args[0], (list, tuple, str, dict)):
                self.room(len(target) + len(args[0]))
            try:
                result = getattr(target, name)(*args, **kwargs)
            except (IndexError, ValueError, TypeError) as exc:
                return Unknown(str(exc), line)
            self.sized(target)
            return result
        if isinstance(target, dict) and name in _DICT_METHODS:
            self.charge(len(target) if name not in ("get", "setdefault", "pop") else 0)
            self.walked(args, kwargs)  # keys hashed
            try:
                result = getattr(target, name)(*args, **kwargs)
            except (KeyError, TypeError) as exc:
                return Unknown(str(exc), line)
            self.sized(target)
            return list(result) if name in ("keys", "values", "items") else result
        if isinstance(target, str) and name in _STR_METHODS and self.plain([args, kwargs]):
            self.text_method(target, name, args, kwargs, line)
            try:
                result = getattr(target, name)(*args, **kwargs)
            except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
                return Unknown(str(exc), line)
            self.charge(len(target) + (len(result) if isinstance(result, (str, list)) else 0))
            return self.sized(result)
        if type(target) is tuple and name in ("index", "count"):
            self.charge(len(target))
            self.walked(args)
            return getattr(target, name)(*args)
        return Unknown(f"the method {name!r}", line)

    def text_method(
        self, text: str, name: str, args: list[Any], kwargs: dict[str, Any], line: int
    ) -> None:
        """Before a string method that may make a string far longer than its own: Bounded
        when the result would pass MAX_ITEMS ("".join, replace, format)."""
        if name == "join" and args and isinstance(args[0], (list, tuple, str)):
            parts = args[0]
            size = sum(len(p) if isinstance(p, str) else 1 for p in parts)
            self.room(size + len(text) * max(len(parts) - 1, 0))
        elif name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
            old, new = args[0], args[1]
            count = len(text) + 1 if not old else text.count(old)
            if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
                count = min(count, args[2])
            self.room(len(text) + count * max(len(new) - len(old), 0))
        elif name == "format":
            self.formatting(text, [*args, *kwargs.values()], line)

    def builtin(self, name: str, node: ast.AST) -> Any:
        found = BUILTINS.get(name)
        if found is not None:
            return found
        return Unknown(f"the name {name!r}", getattr(node, "lineno", 0))


_SHAPE_CALLS = frozenset(("shape", "int_shape"))  # keras.ops.shape, keras.backend.int_shape
_LIST_METHODS = frozenset(
    ("append", "extend", "insert", "pop", "reverse", "index", "count", "copy", "remove", "clear")
)
_DICT_METHODS = frozenset(("get", "keys", "values", "items", "update", "setdefault", "pop", "copy"))
_STR_METHODS = frozenset(
    ("format", "join", "upper", "lower", "replace", "split", "strip", "startswith", "endswith")
)


class _Builtin:
    """A builtin the reader evaluates: only on plain values (and lists of tensors for `len`,
    `zip`, `reversed`, `list`, `enumerate`)."""

    def __init__(self, name: str, fn: Callable[..., Any], tensors_ok: bool = False) -> None:
        self.name = name
        self.fn = fn
        self.tensors_ok = tensors_ok

    def run(
        self, interp: Interpreter, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        line = getattr(node, "lineno", 0)
        given = [*args, *kwargs.values()]
        found = next((a for a in given if isinstance(a, Unknown)), None)
        if found is not None:
            return found
        if self.tensors_ok:
            if self.fn is _ignored:
                return None
            record = next((a for a in given if isinstance(a, tuple) and type(a) is not tuple), None)
            if record is not None:  # len(sys.argv), list(tensor): not their fields
                return Unknown(f"{self.name}() of {interp.world.describe(record)}", line)
            if self.fn is dict:
                interp.walked(given)  # its keys are hashed
        elif not interp.plain(given):
            found = first_unknown(given)
            if found is not None:
                return found
            return Unknown(f"{self.name}() of {interp.world.describe(args)}", line)
        try:
            result = self.fn(*args, **kwargs)
        except Bounded as exc:  # range(10**12): the bound, at this call
            raise Bounded(str(exc), exc.line or line) from None
        except (RecursionError, MemoryError):
            raise
        except Exception as exc:
            return Unknown(f"{self.name}(): {type(exc).__name__}: {exc}", line)
        if isinstance(result, (list, tuple, str, dict, set)):
            interp.charge(len(result))
        return interp.sized(result)


def _range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_ITEMS:
        raise Bounded(f"a range of more than {MAX_ITEMS:,} items", 0)
    return result


def _ignored(*args: Any, **kwargs: Any) -> None:
    return None


def _sum(items: Any, start: Any = 0) -> Any:
    """sum() of numbers: of lists it would copy at each item (a square of the length)."""
    if not all(isinstance(i, (int, float, complex)) for i in [*items, start]):
        raise TypeError("the reader sums only numbers")
    return sum(items, start)


def _pow(base: Any, exponent: Any, *mod: Any) -> Any:
    power_bound(base, exponent, 0)
    return pow(base, exponent, *mod)


def power_bound(base: Any, exponent: Any, line: int) -> None:
    """Before `base ** exponent`: Bounded when it would pass MAX_INT_BITS (10 ** 10 ** 10, or
    a 4,000-bit number to the 4,000th)."""
    if isinstance(exponent, int) and abs(exponent) > 4096:
        raise Bounded("a power too large to compute", line)
    big = isinstance(base, int) and isinstance(exponent, int) and exponent > 0
    if big and (base.bit_length() - 1) * exponent > MAX_INT_BITS:
        raise Bounded(f"a number of more than {MAX_INT_BITS} bits", line)


BUILTINS: dict[str, _Builtin] = {
    b.name: b
    for b in (
        _Builtin("len", len, True),
        _Builtin("range", _range),
        _Builtin("min", min),
        _Builtin("max", max),
        _Builtin("abs", abs),
        _Builtin("int", int),
        _Builtin("float", float),
        _Builtin("round", round),
        _Builtin("str", str),
        _Builtin("bool", bool),
        _Builtin("sum", _sum),
        _Builtin("sorted", sorted),
        _Builtin("divmod", divmod),
        _Builtin("pow", _pow),
        _Builtin("list", list, True),
        _Builtin("tuple", tuple, True),
        _Builtin("dict", dict, True),
        _Builtin("set", set),
        _Builtin("zip", lambda *a, strict=False: list(zip(*a, strict=strict)), True),
        _Builtin("enumerate", lambda a, start=0: list(enumerate(a, start)), True),
        _Builtin("reversed", lambda a: list(reversed(a)), True),
        _Builtin("any", any),
        _Builtin("all", all),
        _Builtin("print", _ignored, True),
        _Builtin("isinstance", _ignored, True),
        _Builtin("hasattr", _ignored, True),
        _Builtin("super", _ignored, True),
        _Builtin("type", _ignored, True),
    )
}


def _as_set(items: list[Any]) -> Any:
    try:
        return set(items)
    except TypeError:
        return items


def _as_load(target: ast.expr) -> ast.expr:
    """The expression that reads an augmented assignment's target."""
    copy = ast.parse(ast.unparse(target), mode="eval").body
    return ast.copy_location(copy, target)


_REPR = reprlib.Repr()  # a few items of a few levels: a million-item list is not written out
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict = 3, 8, 8, 4


def _short(value: Any) -> str:
    text = _REPR.repr(value)
    return text if len(text) <= 24 else text[:21] + "..."
