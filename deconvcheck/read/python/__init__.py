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
import codecs
import re
import sys

from deconvcheck.diagnostics import Code, Diagnostic, make
from deconvcheck.read.python.interp import Bounded, Interpreter
from deconvcheck.read.python.values import Function, ModelObj
from deconvcheck.read.python.world import KerasWorld
from deconvcheck.read.spec import Spec
from deconvcheck.record import Record

# ast.parse recurses once per nesting level; the reader's own walk a few times more.
_RECURSION = 6_000
# Words and symbols of code in one file, counted before it is parsed: Python's syntax tree
# takes some 700 bytes a node (15 MiB of `x = 1` lines took 6 GB and a minute), and a model
# file is a few thousand. 200,000 is some 700 KB of code (3.6 bytes each in this project's
# own), parsed in about a second into a tree of at most some 150 MB.
MAX_TOKENS = 200_000
# Layers and calls of all the models a file builds, together: each is inferred and drawn, and
# 100,000 is what one model may hold (deconvcheck.read.loader.MAX_LAYERS).
MAX_LAYERS = 100_000
_WORDS = bytes(
    ord("a") if chr(b).isalnum() or b in (ord("_"), *range(0x80, 0x100)) else ord(" ")
    for b in range(256)
)
_SYMBOLS = bytes(b for b in range(0x21, 0x7F) if not chr(b).isalnum() and b != ord("_")) + b"\n"
# PEP 263: an encoding declared on line 1, or on line 2 below a comment or blank line.
_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
_BLANK_OR_COMMENT = re.compile(r"^[ \t\f]*(?:[#\r\n]|$)")


class PythonModels(Record):
    """The models a Python file builds, each a spec; what the reader found wrong or did not
    follow (findings with a line); whether everything was followed."""

    specs: list[Spec]
    findings: list[Diagnostic]
    complete: bool


def looks_like_python(path: str) -> bool:
    return path.endswith((".py", ".pyw"))


def tokens(text: str) -> int:
    """About how many words and symbols the code has (those inside strings and comments
    too): what parsing it costs, counted at C speed (15 MiB in some 30 ms)."""
    data = text.encode("utf-8", "surrogatepass")
    words = data.translate(_WORDS)
    starts = words.count(b" a") + words.startswith(b"a")
    return starts + len(data) - len(data.translate(None, _SYMBOLS))


def encoding_declaration(text: str) -> tuple[int, re.Match[str]] | None:
    """PEP 263: the encoding declared on line 1, or on line 2 below a comment or blank line,
    with its line number; None without one. (Only the first two lines are looked at.)"""
    first = text.find("\n")
    if first < 0:
        lines = [text]
    else:
        second = text.find("\n", first + 1)
        lines = [text[:first], text[first + 1 :] if second < 0 else text[first + 1 : second]]
    for number, line in enumerate(lines, 1):
        match = _COOKIE.match(line)
        if match is not None:
            return number, match
        if not _BLANK_OR_COMMENT.match(line):
            return None
    return None


def _declared_encoding(text: str) -> Diagnostic | None:
    """DC010 for an encoding declaration Python does not know (`# coding: klingon`): Python
    refuses the file before it runs a line of it."""
    declared = encoding_declaration(text)
    if declared is None:
        return None
    number, match = declared
    try:
        codecs.lookup(match[1])
    except LookupError:
        return make(
            Code.PYTHON_SYNTAX,
            f"Python syntax error: unknown encoding: {match[1][:80]}",
            line=number,
            column=match.start(1) + 1,
            hint="declare utf-8 (# -*- coding: utf-8 -*-) or remove the line: Python "
            "reads UTF-8 without one",
        )
    return None


def parse(text: str) -> ast.Module | Diagnostic:
    """The syntax tree, or a finding at the line where Python's parser stopped (DC010), or
    DC009 for code too large to parse (MAX_TOKENS)."""
    count = tokens(text)
    if count > MAX_TOKENS:
        return make(
            Code.INPUT_TOO_LARGE,
            f"the file has about {count:,} words and symbols of code; model code is read up "
            f"to {MAX_TOKENS:,} (some 700 KB)",
            hint="give the file that builds the model, without data written into the code",
        )
    problem = _declared_encoding(text)
    if problem is not None:
        return problem
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
        # ValueError: a NUL, or a lone surrogate in text given by the API (UnicodeEncodeError)
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
        models = world.built_models()
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
        models = world.built_models()
        world.complete = False
    except (RecursionError, MemoryError) as exc:
        what = "nests too deeply" if isinstance(exc, RecursionError) else "takes too much memory"
        message = f"the reader stopped: the code {what} to read"
        findings.append(make(Code.INPUT_TOO_LARGE, message, line=interp.line))
        models = world.built_models()
        world.complete = False
    finally:
        sys.setrecursionlimit(old)
    if select is not None and not models and not findings:
        findings.append(
            make(
                Code.UNKNOWN_REFERENCE,
                f"--model {select!r}: no model of that name in the file",
                hint="name one of: "
                + (", ".join(n for n, _ in world.built_models()) or "none found"),
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
    specs = _specs(models, world, findings)
    for _, model in models:  # an incomplete model says why, where it was not said yet
        unknown = model.unknown
        if unknown is not None and not any(unknown.why in d.message for d in world.findings):
            world.not_followed(unknown)
        world.complete = world.complete and unknown is None
    findings = [*world.findings, *findings]
    return PythonModels(specs, findings, world.complete)


def _specs(
    models: list[tuple[str, ModelObj]], world: KerasWorld, findings: list[Diagnostic]
) -> list[Spec]:
    """Each model's spec, while they hold MAX_LAYERS layers and calls together (the first
    always: the loader says when it alone is too large); DC009 for the ones left out."""
    specs: list[Spec] = []
    size = 0
    for _, model in models:
        spec = world.spec_of(model)
        size += len(spec.layers) + len(spec.calls)
        if specs and size > MAX_LAYERS:
            findings.append(
                make(
                    Code.INPUT_TOO_LARGE,
                    f"the file's models hold more than {MAX_LAYERS:,} layers together: the "
                    f"first {len(specs)} of {len(models)} are read",
                    line=model.place.line,
                    hint="name one with --model",
                )
            )
            world.complete = False
            break
        specs.append(spec)
    return specs


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
    except (SyntaxError, ValueError, RecursionError, MemoryError):
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
    shown, made = len(world.shown), len(world.made_models)
    built = interp.expr(expression, interp.module)
    if isinstance(built, tuple) and built:
        built = next((b for b in built if isinstance(b, ModelObj)), built[0])
    if isinstance(built, ModelObj):
        return [(select, built)]
    # A builder that returns nothing: the model it showed, else the last it made.
    new = world.shown[shown:] or world.made_models[made:][-1:]
    return [(select, model) for model in new[:1]]
