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

MAX_STEPS = 2_000_000  # expressions and statements evaluated, over the whole file
MAX_DEPTH = 60  # calls of the file's functions within each other
MAX_ITERATIONS = 100_000  # of one loop or comprehension
MAX_ITEMS = 1_000_000  # elements of one list, tuple, dict or string
MAX_INT_BITS = 4_096  # a model's sizes are small numbers; 10 ** 10 ** 10 is not computed


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


def plain(value: Any) -> bool:
    """A value Python's own operators may be applied to safely: numbers, strings and
    containers of them (no tensor, layer or unknown inside)."""
    if isinstance(value, _PLAIN):
        return True
    if type(value) in (list, tuple):  # not an Unknown, a Tensor or another record
        return all(plain(v) for v in value)
    if isinstance(value, dict):
        return all(plain(k) and plain(v) for k, v in value.items())
    return isinstance(value, (range, slice))


def first_unknown(value: Any) -> Unknown | None:
    """The first Unknown inside a value (a list of tensors with one unknown is unknown)."""
    if isinstance(value, Unknown):
        return value
    if type(value) in (list, tuple):
        for item in value:
            found = first_unknown(item)
            if found is not None:
                return found
    if isinstance(value, dict):
        for item in value.values():
            found = first_unknown(item)
            if found is not None:
                return found
    return None


class Frame:
    """One call of a file's function (or a loop iteration) on the way to a layer: what a
    finding's chain says."""

    def __init__(self, text: str) -> None:
        self.text = text


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

    # -- bounds ------------------------------------------------------------------------------

    def step(self, node: ast.AST) -> None:
        self.steps += 1
        self.line = getattr(node, "lineno", self.line)
        if self.steps > MAX_STEPS:
            raise Bounded(
                f"the code takes more than {MAX_STEPS:,} steps to build its models", self.line
            )

    def sized(self, value: Any) -> Any:
        if isinstance(value, (list, tuple, dict, str, bytes)) and len(value) > MAX_ITEMS:
            raise Bounded(f"a value of more than {MAX_ITEMS:,} items", self.line)
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
            self.frames.append(Frame(f"iteration {count} of the loop at line {node.lineno}"))
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
            self.frames.append(Frame(f"iteration {count} of the loop at line {node.lineno}"))
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
            items: list[Any] = self.world.unpack(value, None)
            return iter(items)
        if isinstance(value, (list, tuple, range, str, dict)):
            return iter(value)
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
                items = self.world.unpack(value, None if starred else count)
            else:
                try:
                    items = list(value)
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
            if isinstance(container, (list, dict)) and plain(key):
                with contextlib.suppress(IndexError, KeyError, TypeError):
                    container[key] = value
        elif isinstance(target, ast.Attribute):
            owner = self.expr(target.value, scope)
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
                    items.extend(inner if inner is not None else [])
                else:
                    items.append(self.expr(element, scope))
            self.sized(items)
            if isinstance(node, ast.Tuple):
                return tuple(items)
            return items if isinstance(node, ast.List) else _as_set(items)
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for key, val in zip(node.keys, node.values, strict=True):
                if key is None:
                    merged = self.expr(val, scope)
                    if isinstance(merged, dict):
                        out.update(merged)
                    continue
                k = self.expr(key, scope)
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
            return _as_set(flat) if isinstance(node, ast.SetComp) else flat
        if isinstance(node, ast.DictComp):
            pairs = self.comprehension(node.generators, [node.key, node.value], scope)
            if isinstance(pairs, Unknown):
                return pairs
            try:
                return dict(pairs)
            except TypeError:
                return Unknown("a dict of unhashable keys", node.lineno)
        if isinstance(node, ast.Lambda):
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
                    raise Bounded(f"a value of more than {MAX_ITEMS:,} items", self.line)
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
            if not plain(shown):
                return Unknown("an f-string of a value that is not a number or text", node.lineno)
            spec = (
                self.fstring(value.format_spec, scope)
                if isinstance(value.format_spec, ast.JoinedStr)
                else ""
            )
            if isinstance(spec, Unknown):
                return spec
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
            elif plain(left) and plain(right):
                try:
                    ok = compare(left, right)
                except TypeError as exc:
                    return Unknown(str(exc), node.lineno)
            elif isinstance(op, (ast.Eq, ast.NotEq)) or (
                isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (list, tuple, dict))
            ):
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
        if not (plain(left) and plain(right)):
            return Unknown(
                f"{self.world.describe(left)} {op.__name__} {self.world.describe(right)}", line
            )
        if op is ast.Pow and isinstance(right, int) and abs(right) > 4096:
            raise Bounded("a power too large to compute", line)
        if op is ast.Mult and isinstance(left, (str, list, tuple)) and isinstance(right, int):
            self.sized(range(len(left) * right))
        if op is ast.Mult and isinstance(right, (str, list, tuple)) and isinstance(left, int):
            self.sized(range(len(right) * left))
        if op is ast.LShift and isinstance(right, int) and right > MAX_INT_BITS:
            raise Bounded(f"a number of more than {MAX_INT_BITS} bits", line)
        if op is ast.Mod and isinstance(left, str):
            try:
                return self.sized(left % right)
            except (TypeError, ValueError) as exc:
                return Unknown(str(exc), line)
        try:
            return self.sized(_BINOPS[op](left, right))
        except (ArithmeticError, TypeError, ValueError) as exc:
            return Unknown(f"{type(exc).__name__}: {exc}", line)

    def unary(self, node: ast.UnaryOp, value: Any) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(node.op, ast.Not):
            return not self.truth(value)
        if self.world.is_tensor(value):
            return self.world.tensor_unary(node, value)
        if not plain(value):
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
                return Tensor(value.layer, value.call, key if key >= 0 else 0)
            return self.world.subscript_tensor(value.first(), key, node)
        if self.world.is_tensor(value):
            return self.world.subscript_tensor(value, key, node)
        if isinstance(value, (list, tuple, str, dict, range)):
            try:
                return value[key]
            except (IndexError, KeyError, TypeError) as exc:
                return Unknown(f"{type(exc).__name__}: {exc}", node.lineno)
        return self.world.subscript_other(value, key, node)

    def attribute(self, owner: Any, name: str, node: ast.AST) -> Any:
        if isinstance(owner, Unknown):
            return owner
        if isinstance(owner, KerasName):
            return owner.attr(name)
        if isinstance(owner, Other):
            return Other(f"{owner.path}.{name}")
        if isinstance(owner, (list, dict, str, tuple, int, float)) and not isinstance(
            owner, (Tensor, Outputs)
        ):
            return Bound(owner, name)
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
                args.extend(spread)
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
        return self.world.call(callee, args, kwargs, node)

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
            f"{k}={_short(v)}" for k, v in given.items() if plain(v) and not isinstance(v, str)
        )
        where = f"called at line {line}" if line else "called by --model"
        self.frames.append(Frame(f"in {scope.name}({shown}) {where}"))
        self.depth += 1
        try:
            if isinstance(fn, ast.Lambda):
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
            try:
                result = getattr(target, name)(*args, **kwargs)
            except (IndexError, ValueError, TypeError) as exc:
                return Unknown(str(exc), line)
            self.sized(target)
            return result
        if isinstance(target, dict) and name in _DICT_METHODS:
            try:
                result = getattr(target, name)(*args, **kwargs)
            except (KeyError, TypeError) as exc:
                return Unknown(str(exc), line)
            return list(result) if name in ("keys", "values", "items") else result
        if isinstance(target, str) and name in _STR_METHODS and plain([args, kwargs]):
            try:
                return self.sized(getattr(target, name)(*args, **kwargs))
            except (ValueError, TypeError, IndexError, KeyError) as exc:
                return Unknown(str(exc), line)
        if isinstance(target, tuple) and name in ("index", "count"):
            return getattr(target, name)(*args)
        return Unknown(f"the method {name!r}", line)

    def builtin(self, name: str, node: ast.AST) -> Any:
        found = BUILTINS.get(name)
        if found is not None:
            return found
        return Unknown(f"the name {name!r}", getattr(node, "lineno", 0))


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
        found = first_unknown([args, kwargs])
        if found is not None:
            return found
        if not self.tensors_ok and not plain([args, list(kwargs.values())]):
            if self.name in ("print", "isinstance", "hasattr", "setattr", "super", "type"):
                return None if self.name != "isinstance" else Unknown("isinstance", line)
            return Unknown(f"{self.name}() of {interp.world.describe(args)}", line)
        try:
            return interp.sized(self.fn(*args, **kwargs))
        except Exception as exc:
            return Unknown(f"{self.name}(): {type(exc).__name__}: {exc}", line)


def _range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_ITEMS:
        raise Bounded(f"a range of more than {MAX_ITEMS:,} items", 0)
    return result


def _ignored(*args: Any, **kwargs: Any) -> None:
    return None


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
        _Builtin("sum", sum),
        _Builtin("sorted", sorted),
        _Builtin("divmod", divmod),
        _Builtin("pow", lambda a, b: a**b if abs(b) <= 4096 else None),
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


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."
