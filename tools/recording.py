"""What both Keras recorders need before Keras is imported: a fixed string hash seed and no
terminal (Keras words some refusals with sets of strings, printed in hash order, and sizes
its summary from the terminal)."""

from __future__ import annotations

import os
import subprocess
import sys


def reproducible_process() -> None:
    """Re-run this script with PYTHONHASHSEED=0 (0 gives the committed wording), keep Keras on
    the torch backend, and take COLUMNS/LINES away (summaries are 80-column, as in a pipe)."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    os.environ.setdefault("KERAS_BACKEND", "torch")
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)


def detached_from_terminal() -> None:
    """Keras and rich size the summary from any terminal on stdin/stdout/stderr: if there is one,
    run this script again without it and pass its output on."""
    if os.environ.get("_RECORDING_CHILD") or not any(os.isatty(fd) for fd in (0, 1, 2)):
        return
    env = dict(os.environ, _RECORDING_CHILD="1")
    proc = subprocess.run(
        [sys.executable, *sys.argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    sys.exit(proc.returncode)
