"""Record what real Keras 3 builds from each model file in tests/fixtures/python/, for the tests
of the reader of Keras Python model code (which parses such a file and never runs it).

Run it from the repository root with the Keras environment (see tools/record_keras_models.py):

    KERAS_BACKEND=torch /tmp/kerasenv/bin/python tools/record_python_models.py

The run is deterministic as tools/record_keras_calls.py's is: it re-runs itself with a fixed
string hash seed and detached from any terminal (tools/recording.py). For each
`tests/fixtures/python/*.py`, in sorted order, it calls `keras.utils.set_random_seed(0)` and
`keras.backend.clear_session()` (so the automatic names start again at conv2d, conv2d_1, ...),
then runs the file as a script (`runpy.run_path(path, run_name="__main__")`: these are our own
fixture files, and this is a development tool) with what it prints, `model.summary()` included,
and its Python warnings swallowed. The module-level globals of the finished run that are
`keras.Model` instances (Sequential ones too) are its models, in the order their names were
first bound (the order of the globals dict), each model once (the first name it was bound to).

It writes `<stem>.expected.json` beside each file (and removes any other `*.expected.json`
there first):

- `keras_version`, `about` (the file's first line, a comment saying what the model is, without
  its `# `) and `models`: for each model, `variable` (its global name), `name`, `sequential`,
  `totals`, `connected_to_column` and `summary_layers` exactly as in the expected files of
  tools/record_keras_calls.py (its `expected()` makes them; see its docstring: one row per row of
  the summary, operations such as `x[..., 0]` included, with each call's inputs and output
  shapes), and `summary_text`, Keras's `model.summary()` text on an 80-column console
  (tools/record_keras_models.py's `summary_text`). The summaries are taken after the whole file
  has run, so they show every layer's last call, even one made by a model built later.
- For a file Keras refuses to build, instead of `models`: `refused` with `type` (the exception's
  class name), `message` (`str(exc)`, without the terminal escapes Keras puts around some of
  its words) and `line`, the line of the fixture file the exception came through last (the
  innermost traceback frame of that file: a line in a builder function when one raised).

A file whose name starts with `refused_` must be refused and any other must build: otherwise
the run stops, before writing that file's record.

TensorFlow is not installed in the Keras environment, so files written with
`from tensorflow import keras`, `from tensorflow.keras.layers import *` or `import tensorflow as
tf` (`tf.keras.layers.Conv2D`) run here against a stand-in module: `sys.modules["tensorflow"]`
is a module whose only attributes are `keras` (Keras 3 itself, as `tf.keras` is with
TensorFlow 2.16 and later) and `executing_eagerly()` (True: Keras asks it once `tensorflow` is
imported, from its preprocessing layers), and every public `keras.X` module is also
`tensorflow.keras.X`. Keras's own check for TensorFlow is made (and cached as "not installed")
before the stand-in exists, so the torch backend does not try to use it.
The stand-in also has `random_normal_initializer`, TensorFlow's initializer as pix2pix-style
code passes it to its layers (`tf.random_normal_initializer(0.0, 0.02)`): Keras's `RandomNormal`,
which takes the same mean, stddev and seed. An initializer changes no shape.
"""

from __future__ import annotations

import contextlib
import io
import json
import runpy
import sys
import traceback
import types
import warnings
from pathlib import Path
from typing import Any

from recording import detached_from_terminal, reproducible_process

if __name__ == "__main__":
    reproducible_process()  # before Keras is imported

import keras
from keras.src.utils import module_utils
from record_keras_calls import ANSI, expected
from record_keras_models import summary_text

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "python"
SEED = 0
REFUSED_PREFIX = "refused_"


def alias_tensorflow_keras() -> None:
    """Let `tensorflow.keras` name Keras 3 in the fixture files (TensorFlow is not installed)."""
    if module_utils.tensorflow.available:  # caches the answer before the stand-in exists
        raise SystemExit("TensorFlow is installed: run this with the torch-only Keras environment")
    stand_in = types.ModuleType("tensorflow", "A stand-in: tensorflow.keras is Keras 3.")
    stand_in.keras = keras  # type: ignore[attr-defined]
    stand_in.executing_eagerly = lambda: True  # type: ignore[attr-defined]
    # tf.random_normal_initializer(mean, stddev), as pix2pix-style code passes it to layers
    stand_in.random_normal_initializer = keras.initializers.RandomNormal  # type: ignore[attr-defined]
    sys.modules["tensorflow"] = stand_in
    public = [
        name
        for name in sys.modules
        if name == "keras" or (name.startswith("keras.") and not name.startswith("keras.src"))
    ]
    for name in public:
        if not name.startswith("keras._"):
            sys.modules[f"tensorflow.{name}"] = sys.modules[name]


def about(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    if not first.startswith("# "):
        raise SystemExit(f"{path.name}: the first line must be a comment saying what the model is")
    return first[2:].strip()


def models_in(namespace: dict[str, Any]) -> list[tuple[str, keras.Model]]:
    """The module-level models, by the first name each was bound to, in binding order."""
    found: list[tuple[str, keras.Model]] = []
    for variable, value in namespace.items():
        if isinstance(value, keras.Model) and not any(value is model for _, model in found):
            found.append((variable, value))
    return found


def recorded_model(variable: str, model: keras.Model) -> dict[str, Any]:
    summary = summary_text(model)
    document = expected(model, "", summary)
    return {
        "variable": variable,
        "name": model.name,
        "sequential": document["sequential"],
        "totals": document["totals"],
        "connected_to_column": document["connected_to_column"],
        "summary_layers": document["summary_layers"],
        "summary_text": summary,
    }


def refusal(exc: Exception, path: Path) -> dict[str, Any]:
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == str(path)
    ]
    if not lines:
        raise SystemExit(f"{path.name}: {type(exc).__name__} raised outside the file") from exc
    return {"type": type(exc).__name__, "message": ANSI.sub("", str(exc)), "line": lines[-1]}


def run_fixture(path: Path) -> dict[str, Any]:
    """Run one fixture file; its models, or Keras's refusal."""
    keras.utils.set_random_seed(SEED)
    keras.backend.clear_session()
    document: dict[str, Any] = {"keras_version": keras.__version__, "about": about(path)}
    refused = path.stem.startswith(REFUSED_PREFIX)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            namespace = runpy.run_path(str(path), run_name="__main__")
    except Exception as exc:  # the refusal is the record
        if not refused:
            raise SystemExit(f"{path.name}: Keras refused a model expected to build") from exc
        document["refused"] = refusal(exc, path)
        return document
    if refused:
        raise SystemExit(f"{path.name}: Keras built a model it was expected to refuse")
    models = models_in(namespace)
    if not models:
        raise SystemExit(f"{path.name}: no keras.Model among the module's globals")
    document["models"] = [recorded_model(variable, model) for variable, model in models]
    return document


def main() -> None:
    detached_from_terminal()
    alias_tensorflow_keras()
    for stale in FIXTURES.glob("*.expected.json"):  # only this script writes them
        stale.unlink()
    built = refused = 0
    for path in sorted(FIXTURES.glob("*.py")):
        document = run_fixture(path)
        text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        path.with_suffix(".expected.json").write_text(text, encoding="utf-8")
        if "refused" in document:
            refused += 1
            summary = f"refused at line {document['refused']['line']}"
        else:
            built += len(document["models"])
            summary = ", ".join(model["variable"] for model in document["models"])
        print(f"{path.name}: {summary}")
    print(f"Keras {keras.__version__}: {built} models, {refused} files refused, in {FIXTURES}")


if __name__ == "__main__":
    main()
