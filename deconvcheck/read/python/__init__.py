"""Keras model code (`model.py`) read statically: parsed with `ast`, run by a bounded
interpreter (`interp`) whose calls into Keras (`world`) record layers and calls, never
imported, executed or `eval`ed. Each model the file builds becomes a `Spec`, as a YAML spec
would declare it, positions pointing at the code.

Which models: every model bound to a name at module level (a builder called there and
assigned), in order; `select` picks one by variable, model or builder name, or calls a builder
with other arguments (`unet(size=100)`, evaluated by the same interpreter).
"""

from __future__ import annotations

import ast
import sys
from typing import NamedTuple

from deconvcheck.diagnostics import Code, Diagnostic, make
from deconvcheck.read.python.interp import Bounded, Interpreter
from deconvcheck.read.python.values import Function, ModelObj, Outputs, Tensor, Unknown
from deconvcheck.read.python.world import KerasWorld
from deconvcheck.read.spec import Spec

# ast.parse recurses once per nesting level; the reader's own walk a few times more.
_RECURSION = 6_000


class PythonModels(NamedTuple):
    """The models a Python file builds, each a spec; what the reader found wrong or did not
    follow (findings with a line); whether everything was followed."""

    specs: list[Spec]
    findings: list[Diagnostic]
    complete: bool


def looks_like_python(path: str) -> bool:
    return path.endswith((".py", ".pyw"))


def parse(text: str) -> ast.Module | Diagnostic:
    """The syntax tree, or a finding at the line where Python's parser stopped."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, _RECURSION))
    try:
        return ast.parse(text, type_comments=False)
    except SyntaxError as exc:
        return make(
            Code.PYTHON_SYNTAX,
            f"Python syntax error: {exc.msg}",
            line=exc.lineno or 0,
            column=exc.offset or 0,
            hint="the file must parse as Python 3 (python -m py_compile FILE says the same)",
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        what = "nested too deeply to parse" if not isinstance(exc, ValueError) else str(exc)
        return make(Code.PYTHON_SYNTAX, f"Python code cannot be parsed: {what}")
    finally:
        sys.setrecursionlimit(old)


def read_models(text: str, path: str, select: str | None = None) -> PythonModels:
    tree = parse(text)
    if isinstance(tree, Diagnostic):
        return PythonModels([], [tree], False)
    world = KerasWorld(path)
    interp = Interpreter(world, path)
    world.interp = interp
    findings: list[Diagnostic] = []
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, _RECURSION))
    models: list[tuple[str, ModelObj]] = []
    try:
        interp.run_module(tree)
        models = list(world.models)
        if select is not None:
            models = _select(select, interp, world, models)
    except Bounded as exc:
        findings.append(
            make(
                Code.INPUT_TOO_LARGE,
                f"the reader stopped: {exc}",
                line=exc.line or interp.line,
                hint="model code that builds its layers in a few thousand steps is read whole",
            )
        )
        models = list(world.models)
        world.complete = False
    except RecursionError:
        findings.append(
            make(Code.INPUT_TOO_LARGE, "the code nests too deeply to read", line=interp.line)
        )
        world.complete = False
    finally:
        sys.setrecursionlimit(old)
    if select is not None and not models and not findings:
        findings.append(
            make(
                Code.UNKNOWN_REFERENCE,
                f"--model {select!r}: no model of that name in the file",
                hint=f"name one of: {', '.join(n for n, _ in world.models) or 'none found'}",
            )
        )
    elif not models and not findings:
        findings.append(
            make(
                Code.NO_INPUT,
                "the file builds no Keras model at module level",
                hint="assign the model at module level (model = build_model()), or name a "
                "builder with --model 'build_model()'",
            )
        )
    specs = [world.spec_of(model) for _, model in models]
    if any(model.unknown is not None for _, model in models):
        world.complete = False
    findings = [*world.findings, *findings]
    return PythonModels(specs, findings, world.complete)


def _select(
    select: str, interp: Interpreter, world: KerasWorld, models: list[tuple[str, ModelObj]]
) -> list[tuple[str, ModelObj]]:
    """The model `select` names: a variable, a model's name, a builder (called with its
    defaults), or a call of a builder (`unet(size=100)`)."""
    for variable, model in models:
        if select in (variable, model.name):
            return [(variable, model)]
    try:
        expression = ast.parse(select.strip(), mode="eval").body
    except SyntaxError:
        return []
    for node in ast.walk(expression):  # no line of the file: findings say "called by --model"
        if isinstance(node, (ast.expr, ast.stmt)):
            node.lineno = node.end_lineno = 0
    world.counters.clear()  # named as in a session that calls only this builder
    if isinstance(expression, ast.Name):
        value = interp.module.lookup(expression.id)
        if isinstance(value, Function):
            expression = ast.Call(func=expression, args=[], keywords=[])
            ast.fix_missing_locations(expression)
    built = interp.expr(expression, interp.module)
    if isinstance(built, tuple) and built:
        built = next((b for b in built if isinstance(b, ModelObj)), built[0])
    if isinstance(built, ModelObj):
        return [(select, built)]
    if isinstance(built, (Tensor, Outputs, Unknown)):
        return []
    return []
