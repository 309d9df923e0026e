"""Hostile model code: a Python file is read, never run (deconvcheck.read.python). Whatever it
holds -- calls that would run a command, write a file or import a module; loops without end;
numbers, strings and lists too large to hold; syntax Python refuses; nesting past Python's
parser; names with terminal controls; values from the command line, a file or chance -- reading
it ends within seconds with a finding at its line: DC009 where a bound of the reader stopped it,
DC010 where Python would not parse it, DC002 where its bytes are not text, DC501 where a value
was not followed. Never a hang, a traceback, exit status 3, or a line of the file executed.

Each case goes through the reader (`read_models`), the loader (`load`) and the command line
(`summary FILE`, `check FILE`), each run timed. The expected codes and lines are the reader's
contract (its bounds, and Python's own parser for DC010), not output recorded from a run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from deconvcheck.cli.main import cli
from deconvcheck.diagnostics import Code
from deconvcheck.read.loader import load
from deconvcheck.read.python import MAX_TOKENS, read_models
from deconvcheck.read.python.interp import MAX_ITEMS, MAX_STEPS
from deconvcheck.read.spec import Spec
from tests.conftest import ROOT

SECONDS = 5.0  # a generous bound on one read or one command, on a loaded machine
EXIT_INTERNAL = 3

# Every case file opens with this model's first lines (so its own lines start at line 5) ...
HEAD = (
    "import keras\n"
    "from keras import layers\n"
    "inputs = keras.Input(shape=(8,))\n"
    'x = layers.Dense(4, name="d1")(inputs)\n'
)
# ... and ends by making the model of what `x` is then.
TAIL = 'model = keras.Model(inputs, x, name="m")\n'


def model_file(folder: Path, body: str, name: str = "model.py") -> Path:
    path = folder / name
    path.write_text(HEAD + body + "\n" + TAIL, encoding="utf-8")
    return path


def timed_load(path: Path) -> tuple[Spec, float]:
    start = time.monotonic()
    spec = load(str(path))
    return spec, time.monotonic() - start


def invoke(*args: str | Path) -> tuple[Result, float]:
    start = time.monotonic()
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result, time.monotonic() - start


def codes(spec: Spec) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in spec.diagnostics]


def assert_clean_exit(result: Result, statuses: tuple[int, ...], seconds: float) -> None:
    """An ordinary status, no exception out of the command, within SECONDS."""
    assert result.exit_code != EXIT_INTERNAL, result.output
    assert result.exit_code in statuses, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    assert seconds < SECONDS


def assert_read(path: Path, code: str, line: int, fragment: str = "") -> Spec:
    """The reader and the loader both give `code` at `line`, in bounded time."""
    start = time.monotonic()
    found = read_models(path.read_text(encoding="utf-8"), str(path))
    assert time.monotonic() - start < SECONDS
    assert [(d.code, d.line) for d in found.findings if d.code == code] == [(code, line)]
    assert fragment in " ".join(d.message for d in found.findings)
    spec, seconds = timed_load(path)
    assert seconds < SECONDS
    assert (code, line) in codes(spec)
    return spec


# -- a line of the file is never executed ----------------------------------------------------

# Each line would leave a file named PWNED_* in the folder, run a command, or import a module
# that does not exist, were it run; the model is built around them.
NEVER_RUN = """\
import os
import sys
import subprocess
import importlib
import pickle
import totally_missing_module_xyz
from totally_missing_module_xyz import thing
import keras
from keras import layers

os.system("touch {d}/PWNED_system")
open("{d}/PWNED_open", "w").write("x")
__import__("os").system("touch {d}/PWNED_import")
exec("open('{d}/PWNED_exec', 'w')")
eval("open('{d}/PWNED_eval', 'w')")
subprocess.run(["touch", "{d}/PWNED_subprocess"])
importlib.import_module("totally_missing_module_xyz")
pickle.loads(b"cos\\nsystem\\n(S'touch {d}/PWNED_pickle'\\ntR.")
thing.run()


class Evil:
    def __del__(self):
        os.system("touch {d}/PWNED_del")

    def __getattr__(self, name):
        os.system("touch {d}/PWNED_getattr")


class Meta(type):
    def __new__(mcs, name, bases, namespace):
        os.system("touch {d}/PWNED_meta")
        return super().__new__(mcs, name, bases, namespace)


class WithMeta(metaclass=Meta):
    os.system("touch {d}/PWNED_class_body")


def decorate(fn):
    os.system("touch {d}/PWNED_decorator")
    return fn


@decorate
def build():
    inputs = keras.Input(shape=(8,))
    x = layers.Dense(4, name="d1")(inputs)
    return keras.Model(inputs, x, name="m")


evil = Evil()
evil.anything
model = build()
sys.exit(0)
raise SystemExit(1)
"""
EVIL_LINE = 52  # evil = Evil(): a class of the file, not followed (DC501)


def never_run_file(folder: Path) -> Path:
    path = folder / "model.py"
    path.write_text(NEVER_RUN.replace("{d}", str(folder)), encoding="utf-8")
    assert path.read_text().splitlines()[EVIL_LINE - 1] == "evil = Evil()"
    return path


def test_nothing_in_the_file_runs_and_its_model_is_read(tmp_path: Path) -> None:
    path = never_run_file(tmp_path)
    spec, seconds = timed_load(path)
    assert seconds < SECONDS
    assert spec.name == "m"
    assert [(d.name, d.type_name) for d in spec.layers] == [
        ("input_layer", "InputLayer"),
        ("d1", "Dense"),
    ]
    assert codes(spec) == [(Code.NOT_FOLLOWED, EVIL_LINE)]
    for args, status in ((["summary", path], 0), (["check", path], 0)):
        result, seconds = invoke(*args)
        assert_clean_exit(result, (status,), seconds)
    summary, _ = invoke("summary", path)
    assert "d1 (Dense)" in summary.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]
    assert "totally_missing_module_xyz" not in sys.modules


AUDIT = """\
import sys
seen = []
WATCHED = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
           "os.forkpty", "pickle.find_class", "ctypes.dlopen", "os.remove", "os.rename")
def hook(event, args):
    if event in WATCHED:
        seen.append([event, str(args[0])])
    elif event == "open" and "PWNED" in str(args[0]):
        seen.append([event, str(args[0])])
    elif event == "import" and args[0] == "totally_missing_module_xyz":
        seen.append([event, args[0]])
    elif event == "exec" and getattr(args[0], "co_filename", "") == sys.argv[1]:
        seen.append([event, sys.argv[1]])
sys.addaudithook(hook)
from click.testing import CliRunner
from deconvcheck.cli.main import cli
from deconvcheck.read.loader import load
spec = load(sys.argv[1])
statuses = [CliRunner().invoke(cli, [c, sys.argv[1]]).exit_code for c in ("summary", "check")]
print(__import__("json").dumps({"seen": seen, "layers": len(spec.layers), "statuses": statuses}))
"""


def test_no_command_file_import_or_code_of_the_file_is_run_in_a_process(tmp_path: Path) -> None:
    """Python's audit hooks see every command run, file opened, module imported and code
    object executed in a fresh process that reads the file and runs summary and check on it."""
    path = never_run_file(tmp_path)
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", AUDIT, str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert time.monotonic() - start < 2 * SECONDS
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report == {"seen": [], "layers": 2, "statuses": [0, 0]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


# -- bounds ----------------------------------------------------------------------------------

SLOW = pytest.mark.slow  # a case that runs the reader up to a bound of steps, items or loops


def bound(case: str, body: str, line: int, fragment: str, slow: bool = False) -> Any:
    return pytest.param(body, line, fragment, id=case, marks=(SLOW,) if slow else ())


# (id, the case's lines (from line 5), the finding's line, what its message says). Every one is
# DC009: the reader stopped at a bound, at the line that reached it. Those marked slow go up
# to a bound of work (a loop of 100,000, a million steps): half a second to two each.
BOUNDS = [
    bound("while_true", "while True: pass", 5, "a loop runs more than 100,000 times", slow=True),
    bound("while_true_body", "n = 0\nwhile True:\n    n = n + 1", 6, "a loop runs", slow=True),
    bound(
        "range_10_12_layers",
        "for i in range(10**12): x = layers.Dense(1)(x)",
        5,
        f"a range of more than {MAX_ITEMS:,} items",
    ),
    bound("recursion", "def f(n): return f(n+1)\nf(0)", 5, "functions call each other more than"),
    bound("mutual_recursion", "def f(n): return g(n)\ndef g(n): return f(n)\nf(0)", 6, "deep"),
    bound("lambda_recursion", "f = lambda n: f(n + 1)\nf(0)", 5, "60 deep"),
    bound("power_tower", "y = 10 ** 10 ** 10", 5, "a power too large to compute"),
    bound("big_power", "y = (2 ** 4000) ** 4000", 5, "a number of more than 4096 bits"),
    bound("builtin_pow", "y = pow(2 ** 4000, 4000)", 5, "a number of more than 4096 bits"),
    bound("shift", "y = 2 << 10**9", 5, "a number of more than 4096 bits"),
    bound("string_times", 'y = "a" * 10**10', 5, f"a value of more than {MAX_ITEMS:,} items"),
    bound("list_times", "y = [0] * 10**10", 5, f"a value of more than {MAX_ITEMS:,} items"),
    bound("append_forever", "xs = []\nwhile True: xs.append(1)", 6, "a loop runs", slow=True),
    bound("extend_doubling", "xs = [1]\nwhile True: xs.extend(xs)", 6, "a value of", slow=True),
    bound("plus_doubling", "xs = [1]\nwhile True: xs = xs + xs", 6, "a value of", slow=True),
    bound("slice_doubling", "xs = [1]\nfor i in range(100):\n    xs[:0] = xs", 7, "a value of"),
    bound("comprehension_range", "y = [i for i in range(10**9)]", 5, "a range of more than"),
    bound(
        "comprehension_product",
        "y = [0 for i in range(99999) for j in range(99999) if False]",
        5,
        f"more than {MAX_STEPS:,} steps",
        slow=True,
    ),
    bound("starred_repeats", "b = [0] * 600000\ny = [*b, *b]", 6, "a value of more than"),
    bound("fstring_huge_value", 'y = f"{10 ** 4000}"', 5, "a number of more than 4096 bits"),
    bound("fstring_width", 'y = f"{1:>999999999}"', 5, "a value of more than"),
    bound("percent_width", 'y = "%*d" % (999999999, 1)', 5, "a value of more than"),
    bound("format_width", 'y = "{:>{}}".format(1, 999999999)', 5, "a value of more than"),
    bound("format_repeats", 'b = "a" * 999999\ny = "{0}{0}{0}".format(b)', 6, "a value of"),
    bound("join_product", 'y = "x".join(["a" * 999999] * 999999)', 5, "a value of more than"),
    bound("replace_growth", 'y = ("a" * 999999).replace("a", "bb")', 5, "a value of more than"),
    bound(
        "sum_in_a_loop",
        "big = list(range(999999))\nfor i in range(100000):\n    s = sum(big)",
        7,
        "steps",
        slow=True,
    ),
    # A tuple holding the one before twice, sixty deep: 2**60 items to str(), hash() or ==.
    bound(
        "shared_str", "t = (1,)\nfor i in range(60):\n    t = (t, t)\ny = str(t)", 8, "twice", True
    ),
    bound(
        "shared_hash", "t = (1,)\nfor i in range(60):\n    t = (t, t)\nd = {t: 1}", 8, "twice", True
    ),
    bound(
        "shared_eq",
        "a = (1,)\nb = (1,)\nfor i in range(60):\n    a = (a, a)\n    b = (b, b)\ny = a == b",
        10,
        "twice",
        slow=True,
    ),
    bound(
        "shared_layer_argument",
        "t = (4,)\nfor i in range(60):\n    t = (t, t)\nx = layers.Dense(4, foo=t)(x)",
        8,
        "twice",
        slow=True,
    ),
    bound("list_holding_itself", "a = []\na.append(a)\ny = str(a)", 7, "twice", slow=True),
    bound(
        "nested_100000_deep",
        "a = []\nfor i in range(100000):\n    a = [a]\ny = str(a)",
        8,
        "nests too deeply",
        slow=True,
    ),
    bound(
        "shape_asked_in_a_loop",
        "for i in range(3000):\n    x = layers.Dense(x.shape[-1])(x)",
        6,
        "shapes or layers",
        slow=True,
    ),
    bound(
        "models_in_a_loop",
        "for i in range(5000):\n    m = keras.Model(inputs, x)",
        6,
        "1,000 models",
        slow=True,
    ),
]


@pytest.mark.parametrize(("body", "line", "fragment"), BOUNDS)
def test_a_bound_stops_the_reader_with_dc009_at_its_line(
    tmp_path: Path, body: str, line: int, fragment: str
) -> None:
    path = model_file(tmp_path, body)
    assert_read(path, Code.INPUT_TOO_LARGE, line, fragment)
    for command in ("summary", "check"):
        result, seconds = invoke(command, path)
        assert_clean_exit(result, (1,), seconds)
        assert f"{path}:{line}:" in result.output
        assert "DC009" in result.output


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("while True: pass", 5),
        ("t = (1,)\nfor i in range(60):\n    t = (t, t)\ny = str(t)", 8),
    ],
    ids=["while_true", "shared_str"],
)
def test_an_endless_loop_stops_within_a_second(body: str, line: int) -> None:
    """The quick suite's share of the slow rounds above (every one of them runs there through
    the loader and both commands too): the reader alone, up to a bound of work."""
    start = time.monotonic()
    found = read_models(HEAD + body + "\n" + TAIL, "model.py")
    assert time.monotonic() - start < SECONDS
    assert [(d.code, d.line) for d in found.findings] == [(Code.INPUT_TOO_LARGE, line)]
    assert found.specs == []
    assert not found.complete


@SLOW
def test_a_hundred_thousand_layers_are_read_to_the_loaders_bound(tmp_path: Path) -> None:
    """100,000 layers built in a loop are all read (700,000 steps, within MAX_STEPS); with its
    input the model has 100,002 layers and calls, past what one model may hold, which the
    loader says (DC009, for the whole model). Its time and peak memory, in a process of its own:
    about 7 s and 240 MB here, 99,000 layers the same and a summary that draws them."""
    slow_100k = model_file(tmp_path, "for i in range(100000): x = layers.Dense(1)(x)")
    report = measured(slow_100k)
    assert report["codes"] == [[Code.INPUT_TOO_LARGE, 0]]
    assert "100,002 layers and calls" in report["messages"][0]
    assert report["seconds"] < 30
    assert report["peak_mb"] < 1024


# Peak memory: Linux carries a process's peak across exec (a child of a large pytest starts
# at its parent's peak), so the child resets its own high-water mark (clear_refs 5) and reads
# VmHWM; getrusage where /proc does not allow it.
MEASURE = """\
import json, resource, sys, time
def peak_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
except OSError:
    pass
from deconvcheck.read.loader import load
start = time.monotonic()
spec = load(sys.argv[1])
seconds = time.monotonic() - start
print(json.dumps({
    "codes": [[d.code, d.line] for d in spec.diagnostics],
    "messages": [d.message for d in spec.diagnostics],
    "layers": len(spec.layers),
    "seconds": seconds,
    "peak_mb": peak_kb() / 1024,
}))
"""


def measured(path: Path) -> dict[str, Any]:
    """What `load` gives for the file, its time and the peak memory of a process that only
    reads it (resource.getrusage; Linux counts kilobytes)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


# -- what Python would not parse, and files too large to -------------------------------------


def python_says(text: str) -> tuple[int, int]:
    """Where Python's own compiler stops (compiled, never run): the line and column DC010
    names."""
    with pytest.raises(SyntaxError) as caught:
        compile(text, "model.py", "exec", flags=0x400, dont_inherit=True)  # PyCF_ONLY_AST
    return caught.value.lineno or 0, caught.value.offset or 0


def nested(opening: str, closing: str, depth: int) -> str:
    return "y = " + opening * depth + "1" + closing * depth


# (id, the case's lines, the code, its line: None for where Python's compiler stops; 0 for the
# whole file). Nesting 200 deep parses (and builds); Python's parser refuses 200 parentheses
# open at once, and a chain of 10,000 operators it cannot recurse through; 1,000 terms of
# `1 + 1 + ...` parse but nest the reader's own walk past its depth (DC009 at the line); past
# MAX_TOKENS words and symbols the file is not parsed at all (DC009).
PARSE = [
    ("syntax_error", "y = (1 +\nz = 3", Code.PYTHON_SYNTAX, None),
    ("syntax_error_column", "y = [1, 2 3]", Code.PYTHON_SYNTAX, None),
    ("indentation", "if True:\ny = 1", Code.PYTHON_SYNTAX, None),
    ("python_2", 'print "hello"', Code.PYTHON_SYNTAX, None),
    ("parentheses_200", nested("(", ")", 200), None, None),
    ("parentheses_1000", nested("(", ")", 1000), Code.PYTHON_SYNTAX, None),
    ("parentheses_100000", nested("(", ")", 100_000), Code.INPUT_TOO_LARGE, 0),
    ("negations_200", nested("-(", ")", 200), None, None),
    ("negations_1000", nested("-(", ")", 1000), Code.PYTHON_SYNTAX, None),
    ("negations_100000", nested("-(", ")", 100_000), Code.INPUT_TOO_LARGE, 0),
    ("lists_200", nested("[", "]", 200), None, None),
    ("lists_1000", nested("[", "]", 1000), Code.PYTHON_SYNTAX, None),
    ("lists_100000", nested("[", "]", 100_000), Code.INPUT_TOO_LARGE, 0),
    ("bare_minus_1000", "y = " + "-" * 1000 + "1", None, None),
    ("bare_minus_10000", "y = " + "-" * 10_000 + "1", Code.PYTHON_SYNTAX, 0),
    ("bare_minus_100000", "y = " + "-" * 100_000 + "1", Code.PYTHON_SYNTAX, 0),
    ("sum_1000_terms", "y = " + "+".join(["1"] * 1000), None, None),
    ("sum_10000_terms", "y = " + "+".join(["1"] * 10_000), Code.INPUT_TOO_LARGE, 5),
    ("sum_20000_terms", "y = " + "+".join(["1"] * 20_000), Code.PYTHON_SYNTAX, 0),
    ("sum_100000_terms", "y = " + "+".join(["a"] * 100_000), Code.INPUT_TOO_LARGE, 0),
    ("attributes_10000", "y = inputs" + ".shape" * 10_000, Code.INPUT_TOO_LARGE, 5),
    ("attributes_20000", "y = inputs" + ".shape" * 20_000, Code.PYTHON_SYNTAX, 0),
    ("unknown_encoding", None, Code.PYTHON_SYNTAX, 1),
]


@pytest.mark.parametrize(
    ("body", "code", "line"), [c[1:] for c in PARSE], ids=[c[0] for c in PARSE]
)
def test_code_python_would_not_parse_is_dc010_and_too_deep_dc009(
    tmp_path: Path, body: str | None, code: str | None, line: int | None
) -> None:
    text = (
        HEAD + body + "\n" + TAIL
        if body is not None
        else "# -*- coding: klingon -*-\n" + HEAD + TAIL
    )
    if code == Code.PYTHON_SYNTAX and line is None:
        line, column = python_says(text)
    path = tmp_path / "model.py"
    path.write_text(text, encoding="utf-8")
    start = time.monotonic()
    found = read_models(text, str(path))
    assert time.monotonic() - start < SECONDS
    spec, seconds = timed_load(path)
    assert seconds < SECONDS
    if code is None:  # parsed and read: the model is there
        assert found.findings == [] and spec.diagnostics == []
        assert [d.name for d in spec.layers] == ["input_layer", "d1"]
    else:
        assert [(d.code, d.line) for d in found.findings] == [(code, line)]
        assert codes(spec) == [(code, line)]
    if code == Code.PYTHON_SYNTAX and body is not None and line:
        assert (spec.diagnostics[0].line, spec.diagnostics[0].column) == (line, column)
    for command in ("summary", "check"):
        result, seconds = invoke(command, path)
        assert_clean_exit(result, (0,) if code is None else (1,), seconds)
        if code is not None:
            assert code in result.output


def test_a_declared_encoding_python_knows_is_read_and_one_it_does_not_is_dc010() -> None:
    for head, problem in (
        ("# -*- coding: utf-8 -*-\n", []),
        ("#!/usr/bin/env python\n# vim: set fileencoding=ascii :\n", []),
        ("#!/usr/bin/env python\n# vim: set fileencoding=klingon :\n", [(Code.PYTHON_SYNTAX, 2)]),
        ("x = 1\n# coding: klingon\n", []),  # only the first two lines declare, after a comment
        ("# coding=" + "k" * 100_000 + "\n", [(Code.PYTHON_SYNTAX, 1)]),
    ):
        found = read_models(head + HEAD + TAIL, "model.py")
        assert [(d.code, d.line) for d in found.findings] == problem, head[:40]


def test_bytes_that_are_not_text(tmp_path: Path) -> None:
    """A NUL, or Latin-1 without a declaration: the loader says DC002 at the byte's line and
    column; text with a NUL given to the reader itself is DC010, as Python's compiler says."""
    cases = [
        ("nul", (HEAD + "y = 1\x00\n" + TAIL).encode(), (Code.NOT_UTF8, 5, 0)),
        ("latin_1", (HEAD + "y = 'caf\xe9'\n" + TAIL).encode("latin-1"), (Code.NOT_UTF8, 5, 9)),
    ]
    for name, data, (code, line, column) in cases:
        path = tmp_path / f"{name}.py"
        path.write_bytes(data)
        spec, seconds = timed_load(path)
        assert seconds < SECONDS
        assert [(d.code, d.line, d.column) for d in spec.diagnostics] == [(code, line, column)]
        for command in ("summary", "check"):
            result, seconds = invoke(command, path)
            assert_clean_exit(result, (1,), seconds)
            assert code in result.output
    found = read_models(HEAD + "y = 1\x00\n" + TAIL, "model.py")
    assert [(d.code, d.line) for d in found.findings] == [(Code.PYTHON_SYNTAX, 0)]
    assert "null bytes" in found.findings[0].message
    lone = read_models(HEAD + "y = '\ud800'\n" + TAIL, "model.py")  # text no file decodes to
    assert [(d.code, d.line) for d in lone.findings] == [(Code.PYTHON_SYNTAX, 0)]


@pytest.mark.parametrize("mib", [pytest.param(10, marks=SLOW), 15])
def test_a_file_of_megabytes_is_refused_before_it_is_parsed(tmp_path: Path, mib: int) -> None:
    """`x = 1` lines up to 10 and 15 MiB (the loader reads files up to 16 MiB): parsed, 15 MiB
    would take a minute and 6 GB; counted, some 10 million words and symbols, DC009."""
    path = tmp_path / "model.py"
    path.write_text(HEAD + "x = 1\n" * (mib * 2**20 // 6) + TAIL, encoding="utf-8")
    spec, seconds = timed_load(path)
    assert seconds < SECONDS
    assert codes(spec) == [(Code.INPUT_TOO_LARGE, 0)]
    assert f"read up to {MAX_TOKENS:,}" in spec.diagnostics[0].message
    for command in ("summary", "check"):
        result, seconds = invoke(command, path)
        assert_clean_exit(result, (1,), seconds)


@SLOW
def test_the_largest_file_read_its_time_and_memory(tmp_path: Path) -> None:
    """15 MiB in a process of its own: refused in well under a second, in about 100 MB (the
    text, its bytes and their count); the largest file parsed, just under MAX_TOKENS, in some
    150 MB."""
    big = tmp_path / "big.py"
    big.write_text(HEAD + "x = 1\n" * (15 * 2**20 // 6) + TAIL, encoding="utf-8")
    report = measured(big)
    assert report["codes"] == [[Code.INPUT_TOO_LARGE, 0]]
    assert report["seconds"] < SECONDS
    assert report["peak_mb"] < 300
    largest = tmp_path / "largest.py"
    largest.write_text(HEAD + "y = 1\n" * ((MAX_TOKENS - 100) // 4) + TAIL, encoding="utf-8")
    report = measured(largest)
    assert report["codes"] == []
    assert report["layers"] == 2
    assert report["seconds"] < SECONDS
    assert report["peak_mb"] < 500


# -- names that are terminal controls, line breaks and format strings -------------------------

NAMES = {
    "input": "in\x1b[31mred\x1b]0;title\x07",
    "d1": "line\nbreak\rover",
    "d2": "per%cent%s{}{0}%(x)s",
    "d3": "quotes'''\"\"\"\\",
    "model": "m\x1b[2J\x9b31m\u202eevil",
}
HOSTILE_NAMES = f"""\
import keras
from keras import layers

inputs = keras.Input(shape=(8,), name={NAMES["input"]!r})
x = layers.Dense(4, name={NAMES["d1"]!r})(inputs)
x = layers.Dense(4, name={NAMES["d2"]!r})(x)
x = layers.Dense(4, name={NAMES["d3"]!r})(x)
model = keras.Model(inputs, x, name={NAMES["model"]!r})
missing = model.get_layer("\\x1b]0;gone\\x07")
"""
# What no output may hold raw when it came from the file (as tests/test_hostile_output.py):
# C0 controls but the line ends of our own, DEL, C1, bidi controls.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_names_from_the_code_are_data_in_every_output(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(HOSTILE_NAMES, encoding="utf-8")
    spec, _ = timed_load(path)
    assert spec.name == NAMES["model"]
    assert [d.name for d in spec.layers] == [NAMES[k] for k in ("input", "d1", "d2", "d3")]
    assert codes(spec) == [(Code.NOT_FOLLOWED, 9)]  # the layer get_layer names is not there
    for args, status in (
        (["summary", path], 0),
        (["summary", path, "--format", "json"], 0),
        (["check", path], 0),
        (["check", path, "--format", "json"], 0),
    ):
        result, seconds = invoke(*args)
        assert_clean_exit(result, (status,), seconds)
        assert RAW.findall(result.stdout) == [] and RAW.findall(result.stderr) == []
        assert not any(line.startswith(("break", "over")) for line in result.output.splitlines())
    summary, _ = invoke("summary", path)
    assert summary.stdout.startswith('Model: "m\\x1b[2J')
    assert "per%cent%s{}{0}%(x)s (Dense)" in summary.stdout
    document, _ = invoke("summary", path, "--format", "json")
    found = json.loads(document.stdout)
    assert found["name"] == NAMES["model"]
    assert [layer["name"] for layer in found["layers"]] == [
        NAMES[k] for k in ("input", "d1", "d2", "d3")
    ]
    assert found["complete"] is False
    assert [(d["code"], d["line"]) for d in found["diagnostics"]] == [(Code.NOT_FOLLOWED, 9)]


# -- values the reader does not follow ---------------------------------------------------------

# (id, the case's lines (from line 5), the line of the DC501 finding). The model is built of
# the input and `d1`, and a second output `y` that depends on what is not followed, or (the
# last) a layer added only by chance; it comes out of what is known, marked incomplete.
TWO_OUTPUTS = '\nmodel = keras.Model(inputs, [x, y], name="m")'
UNKNOWNS = [
    (
        "custom_layer_class",
        "class Block(layers.Layer):\n    def call(self, t):\n        return t\n\n"
        "y = Block()(x)" + TWO_OUTPUTS,
        9,
    ),
    ("tf_image_resize", "import tensorflow as tf\ny = tf.image.resize(x, (4, 4))" + TWO_OUTPUTS, 6),
    (
        "argparse",
        "import argparse\nparser = argparse.ArgumentParser()\n"
        'parser.add_argument("--units", type=int, default=8)\nargs = parser.parse_args()\n'
        "y = layers.Dense(args.units)(x)" + TWO_OUTPUTS,
        6,
    ),
    ("sys_argv", "import sys\ny = layers.Dense(int(sys.argv[1]))(x)" + TWO_OUTPUTS, 6),
    ("open_read", 'y = layers.Dense(len(open("units.txt").read()))(x)' + TWO_OUTPUTS, 5),
    (
        "numpy_load",
        'import numpy as np\nw = np.load("w.npy")\ny = layers.Dense(w.shape[0])(x)' + TWO_OUTPUTS,
        6,
    ),
    ("lambda_without_output_shape", "y = layers.Lambda(lambda t: t * 2)(x)" + TWO_OUTPUTS, 5),
    (
        "random_decides_a_layer",
        "import random\nif random.random() > 0.5:\n    x = layers.Dense(2)(x)\n" + TAIL,
        6,
    ),
    ("sum_of_lists", "y = layers.Dense(sum([[1]] * 3, []))(x)" + TWO_OUTPUTS, 5),
]


@pytest.mark.parametrize(("body", "line"), [c[1:] for c in UNKNOWNS], ids=[c[0] for c in UNKNOWNS])
def test_what_is_not_followed_is_named_and_the_rest_is_read(
    tmp_path: Path, body: str, line: int
) -> None:
    path = tmp_path / "model.py"
    path.write_text(HEAD + body + "\n", encoding="utf-8")
    spec = assert_read(path, Code.NOT_FOLLOWED, line)
    assert codes(spec) == [(Code.NOT_FOLLOWED, line)]
    assert [(d.name, d.type_name) for d in spec.layers] == [
        ("input_layer", "InputLayer"),
        ("d1", "Dense"),
    ]
    assert spec.complete is False
    document, seconds = invoke("summary", path, "--format", "json")
    assert_clean_exit(document, (0,), seconds)
    found = json.loads(document.stdout)
    assert found["complete"] is False
    assert [layer["name"] for layer in found["layers"]] == ["input_layer", "d1"]
    assert [(d["code"], d["line"]) for d in found["diagnostics"]] == [(Code.NOT_FOLLOWED, line)]
    for command, status in (("summary", 0), ("check", 0)):  # DC501 is opt-in for check
        result, seconds = invoke(command, path)
        assert_clean_exit(result, (status,), seconds)


@SLOW
def test_the_models_of_a_file_hold_a_bounded_number_of_layers_together() -> None:
    """Forty models of one 3,000-layer stack: each is inferred and drawn, so the reader keeps
    the first that hold MAX_LAYERS layers together and says so (DC009 at the model after)."""
    body = (
        "for i in range(3000):\n    x = layers.Dense(1)(x)\n"
        "for i in range(40):\n    m = keras.Model(inputs, x)"
    )
    start = time.monotonic()
    found = read_models(HEAD + body + "\n", "model.py")
    assert time.monotonic() - start < SECONDS
    assert [(d.code, d.line) for d in found.findings] == [(Code.INPUT_TOO_LARGE, 8)]
    assert "the first 33 of 40 are read" in found.findings[0].message
    assert len(found.specs) == 33
    assert not found.complete
