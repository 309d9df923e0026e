"""Check files: find the specs among them, analyse each, apply configuration and suppressions.

A file is a spec when its top level has the `deconvcheck:` version key, or a `layers:` list of
mappings with `type:`. A top-level key that is a near miss of `deconvcheck` (`deconvchek: 1`)
is reported, not skipped. Everything else (CI workflows, docker-compose, package.json) is left
alone, cheaply: the text is scanned before any YAML is parsed.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator

from deconvcheck.checks.analyze import analyze
from deconvcheck.checks.config import Config
from deconvcheck.checks.pairs import check_pair
from deconvcheck.diagnostics import Code, Diagnostic, capped, make
from deconvcheck.infer import infer, with_input_shape
from deconvcheck.layers.registry import lookup
from deconvcheck.model import Model
from deconvcheck.read.loader import Reading, decode, read_text
from deconvcheck.read.spec import MODEL_CLASSES, VERSION_KEY, ReadFailure, Spec
from deconvcheck.read.tree import LoadError, NotAModel
from deconvcheck.record import Record

SPEC_SUFFIXES = (".yaml", ".yml", ".json", ".keras", ".h5", ".py")
WEIGHTS_SUFFIX = ".weights.h5"  # Keras 3's required name for save_weights: never a model
SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"}
# Patterns as text, compiled on first use through `re`'s own cache (not at every start-up).
_TOP_KEY = r'(?m)^(?:"([^"]+)"|([A-Za-z_][\w-]*))\s*:'
_JSON_KEY = r'"([^"\\]{1,40})"\s*:'
_TYPE_VALUE = r'["\s{]type"?\s*:\s*"?([A-Za-z][A-Za-z0-9_]*)'
# A Keras model file's root, found without parsing: one that json cannot read (a trailing
# comma, 10,000 levels) is a model to report, not some other file.
_MODEL_CLASS = r'"class_name"\s*:\s*"(?:' + "|".join(MODEL_CLASSES) + ')"'
# Model code: a Python file that imports Keras (or TensorFlow) is read; others are not models.
_IMPORTS_KERAS = r"(?m)^\s*(?:from|import)\s+(?:keras|tensorflow|tf_keras)\b"
_SUPPRESS = r"#\s*deconvcheck:\s*ignore(?:\[([A-Z0-9,\s]+)\])?"


class FileResult(Record):
    path: str
    diagnostics: list[Diagnostic]
    is_spec: bool
    empty: bool = False  # skipped, but named in the tally: an empty file may be a lost spec


def discover(paths: Iterable[str]) -> Iterator[str]:
    """Files as given; folders walked for .yaml, .yml, .json, .keras and .h5 (vendored folders
    and Keras weights files skipped). Nothing that could be a spec is passed over in silence:
    a folder that cannot be listed is given too (`check_file` names it), and so is a file of
    those names that is not a regular one (a FIFO, a broken link), which it reports."""
    for raw in paths:
        if os.path.isdir(raw):
            yield from _walk(raw)
        else:
            yield raw


def _walk(folder: str) -> Iterator[str]:
    from pathlib import Path  # noqa: PLC0415 - files (what pre-commit passes) need none

    found: list[str] = []

    def unreadable(error: OSError) -> None:
        found.append(error.filename if isinstance(error.filename, str) else folder)

    for parent, folders, files in os.walk(folder, onerror=unreadable):
        folders[:] = [name for name in folders if name not in SKIP_DIRS]
        found += [
            os.path.join(parent, name)
            for name in files
            if os.path.splitext(name)[1] in SPEC_SUFFIXES and not name.endswith(WEIGHTS_SUFFIX)
        ]
    for path in sorted(map(Path, found)):
        yield str(path)


def _near_miss(key: str) -> bool:
    import difflib  # noqa: PLC0415

    return (
        key != VERSION_KEY
        and difflib.SequenceMatcher(None, key.lower(), VERSION_KEY).ratio() >= 0.8
    )


def _json_top_keys(text: str) -> list[str]:
    """The top-level keys of a JSON object (a saved Keras model counts as having the version
    key); for text that is not valid JSON, every key."""
    import json  # noqa: PLC0415

    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        keys: list[str] = re.findall(_JSON_KEY, text)
        return [*keys, VERSION_KEY] if re.search(_MODEL_CLASS, text) else keys
    if not isinstance(document, dict):
        return []
    if document.get("class_name") in MODEL_CLASSES and "config" in document:
        return [VERSION_KEY]  # model.to_json() of Keras 3 or Keras 2
    return list(document)


def classify(text: str) -> str:
    """'spec', 'typo' (a near miss of the version key), or 'other'. Reads top-level keys from
    the text without parsing it (fast for the unrelated files a hook sees)."""
    keys = [a or b for a, b in re.findall(_TOP_KEY, text)]
    if text.lstrip().startswith("{"):
        keys += _json_top_keys(text)
    if VERSION_KEY in keys:
        return "spec"
    if any(_near_miss(k) for k in keys):
        return "typo"
    if "layers" in keys and any(lookup(t) for t in re.findall(_TYPE_VALUE, text)):
        return "spec"  # no version key, but a layer list of Keras layer types
    return "other"


class Suppressions:
    """`# deconvcheck: ignore[DC303]` (or a bare `ignore`) on the line a finding points at.
    Each line is searched once, whatever the number of findings on it (a one-line JSON file of
    280,000 findings was searched whole 280,000 times: 5 minutes)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self._codes: dict[int, frozenset[str] | bool | None] = {}  # True: every code

    def __call__(self, diag: Diagnostic) -> bool:
        if not 0 < diag.line <= len(self.lines):
            return False
        if diag.line not in self._codes:
            self._codes[diag.line] = self._on(self.lines[diag.line - 1])
        codes = self._codes[diag.line]
        return codes is True or (isinstance(codes, frozenset) and diag.code in codes)

    @staticmethod
    def _on(line: str) -> frozenset[str] | bool | None:
        """The codes a line suppresses; True for all of them; None where it says nothing."""
        match = re.search(_SUPPRESS, line)
        if match is None:
            return None
        listed = match.group(1)
        return True if listed is None else frozenset(c.strip() for c in listed.split(","))


def check_file(
    path: str, config: Config, text: str | bytes | None = None, reading: Reading | None = None
) -> FileResult:
    """One file's findings; `text` is given for standard input, which is always a spec.
    `reading` is the run's (the nested models and encoders read once)."""
    reading = reading or Reading()
    if isinstance(text, bytes):
        try:
            text = decode(text)
        except LoadError as error:
            return FileResult(path, [error.diagnostic.at(path)], True)
    if text is None:
        if os.path.isdir(path):  # one `discover` could not list
            return FileResult(path, [_unlisted(path)], True)
        try:
            text = read_text(path)
        except ReadFailure as failure:
            return FileResult(path, [failure.diagnostic], True)
        except NotAModel:  # an HDF5 file of weights or data, like a JSON file that is no spec
            return FileResult(path, [], False)
        except LoadError as error:
            if os.path.splitext(path)[1] not in SPEC_SUFFIXES:
                return FileResult(path, [], False)
            return FileResult(path, [error.diagnostic.at(path)], True)
        # The model_config of a Keras .h5 file is checked, not classified: truncated JSON in it
        # is a broken model, not some other file.
        if path.endswith(".h5"):
            kind = "spec"
        elif path.endswith(".py"):
            kind = "spec" if re.search(_IMPORTS_KERAS, text) else "other"
        else:
            kind = classify(text)
    else:
        kind = "typo" if classify(text) == "typo" else "spec"
    if kind == "other":
        empty = not any(
            line.strip() and not line.lstrip().startswith("#") for line in text[:4096].splitlines()
        )
        return FileResult(path, [], False, empty and len(text) < 4096)
    if kind == "typo":
        return FileResult(path, [_typo(path, text)], True)
    first = reading.load(path, text)
    if path.endswith(".py") and not first.layers and _no_model(first):
        return FileResult(path, [], False)  # code that imports Keras but builds no model
    found: list[Diagnostic] = []
    for read in [first, *first.others]:
        spec = read
        if config.input_shape is not None:
            resized = with_input_shape(read, config.input_shape)
            if not isinstance(resized, Spec):
                return FileResult(path, [resized], True)
            spec = resized
        model = infer(spec)
        found += analyze(spec, model, lambda code: config.selects(code, path))
        found += check_pair(spec, model, reading) if spec.encoder else []
        budgets = config.budgets_for(path)
        if budgets and model.ok:
            found += over_budget(model, budgets, path)
    hidden = Suppressions(text.splitlines() if found else [])
    kept = [d for d in found if config.selects(d.code, path) and not hidden(d)]
    return FileResult(path, capped(kept), True)


def _no_model(spec: Spec) -> bool:
    """Model code whose only finding is that it builds no model at module level (a module of
    helpers, a training script): not a model file, as a JSON file that is no spec is not."""
    return all(d.code == Code.NO_INPUT for d in spec.diagnostics)


def _unlisted(folder: str) -> Diagnostic:
    try:
        with os.scandir(folder):
            reason = "it could not be listed"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    return make(
        Code.FILE_UNREADABLE, f"cannot read folder: {reason}; the specs in it are not checked"
    ).at(folder)


def _typo(path: str, text: str) -> Diagnostic:
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(_TOP_KEY, line)
        if match and _near_miss(match.group(1) or match.group(2)):
            key = match.group(1) or match.group(2)
            return make(
                Code.UNKNOWN_TOP_KEY,
                f"top-level key {key!r} looks like a misspelt {VERSION_KEY!r}: this file is "
                "checked as a spec, not skipped",
                line=number,
                column=1,
                hint=f"write `{VERSION_KEY}: 1`",
            ).at(path)
    return make(
        Code.UNKNOWN_TOP_KEY,
        f"a key looks like a misspelt {VERSION_KEY!r}",
        hint=f"write `{VERSION_KEY}: 1`",
    ).at(path)


def over_budget(model: Model, budgets: tuple[tuple[str, int], ...], path: str) -> list[Diagnostic]:
    """DC401 for every budget of [tool.deconvcheck] the model exceeds."""
    from deconvcheck.cost import costs, total  # noqa: PLC0415 - only when a budget is set

    per_layer = costs(model)
    activations = total([c.activations for c in per_layer.values()])
    measured = {
        "max-params": (model.totals.total, "parameters"),
        "max-macs": (total([c.macs for c in per_layer.values()]), "MACs per sample"),
        "max-activation-memory": (
            None if activations is None else 4 * activations,
            "bytes of float32 activations per sample",
        ),
    }
    found = []
    for key, limit in budgets:
        value, what = measured[key]
        # A model whose input size is open has no such figure (check --input-shape gives it)
        if value is not None and value > limit:
            found.append(
                make(
                    Code.OVER_BUDGET,
                    f"model '{model.name}' has {value:,} {what}, over the budget {key} = {limit:,}",
                    hint="a smaller model, or a larger budget in [tool.deconvcheck]",
                ).at(path)
            )
    return found


PARALLEL_FROM = 200  # files; below this a second process costs more than it saves


def check_paths(
    paths: Iterable[str], config: Config, progress: Callable[[int], None] | None = None
) -> list[FileResult]:
    """Every file's result, in the order given; `progress(1)` after each file. Many files are
    split across the machine's cores (forked workers inherit the imported modules, so they
    start at once)."""
    files = list(discover(paths))
    step = progress or (lambda count: None)
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_FROM or workers < 2 or sys.platform != "linux":
        reading = Reading()  # the run's: an encoder many decoders name is read once
        results = []
        for path in files:
            results.append(check_file(path, config, reading=reading))
            step(1)
        return results
    return _in_parallel(files, config, workers, step)


# A worker process's run: the configuration, set once as the worker starts (a fork, so never
# pickled) rather than sent with every chunk of files (20,000 per-file-ignores patterns compiled
# again for each), and the worker's Reading, one for the files it checks.
_worker: tuple[Config, Reading] | None = None


def _start_worker(config: Config) -> None:
    """Ctrl-C in a terminal reaches every process of the foreground group: a worker ignores it
    (a traceback from each otherwise) and the parent, which handles it, ends the workers."""
    import signal  # noqa: PLC0415 - loaded by multiprocessing already

    global _worker  # noqa: PLW0603 - the worker process's own state, set once
    _worker = (config, Reading())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _check_in_worker(path: str) -> FileResult:
    assert _worker is not None  # set by _start_worker
    config, reading = _worker
    return check_file(path, config, reading=reading)


def _in_parallel(
    files: list[str], config: Config, workers: int, step: Callable[[int], None]
) -> list[FileResult]:
    import multiprocessing  # noqa: PLC0415
    import signal  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    chunk = max(1, len(files) // (workers * 4))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(config,),
    )
    results = []
    # Ctrl-C is held back from the fork until each worker has chosen to ignore it; the parent
    # gets it once the workers are started (a fork context starts them all at the first job,
    # and `map` submits every job before it returns).
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        try:
            checked = pool.map(_check_in_worker, files, chunksize=chunk)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        for result in checked:
            results.append(result)
            step(1)
    except BaseException:  # Ctrl-C (cli.main.Interrupted) or a worker's error: stop them all
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in multiprocessing.active_children():
            worker.terminate()
        raise
    pool.shutdown()
    return results
