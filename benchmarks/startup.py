"""Cold-start benchmark: deconvcheck's commands against importing its dependencies.

    python benchmarks/startup.py [--runs 21]

Prints the median wall time and CPU time of each command over several runs, and each one's ratio
to its import floor, measured in the same run:
- commands that draw text with rich (summary, solve, draw): `import click, yaml, rich`
  (target: at most 1.3); for reference also the floor of any rich table,
  `import click, yaml, rich.console, rich.table`;
- `check`, which draws nothing with rich when there is nothing to report: `import click, yaml`
  (target: at most 1.3);
- `--version`: `import click, yaml`;
- Keras model code (`check` and `summary` of a U-Net builder, tests/fixtures/python/), read
  with `ast` and never run, against the same floors as specs (target for `check`: 1.3);
- the summary of a large model, ResNet50 (177 layers) and DenseNet121 (429), as Keras recorded
  them (tests/fixtures/applications/): the text table in a pipe and in a 120-column terminal
  (COLUMNS=120 FORCE_COLOR=1: colours and the terminal's width) against
  `import click, yaml, rich.console, rich.table` (target for ResNet50: at most 1.3), and the
  same file as `--format json`, which reads the file as the table does but draws nothing,
  against `import click, yaml`. Below the table, each model's time split into reading (JSON's
  time over its floor) and drawing (the text's time over JSON's and over rich's import).
Every command runs as in a pipe (80 columns, no colour) unless its case says otherwise.
Ratios travel between machines better than milliseconds do.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Measure an installed tool as users run it: with bytecode caches. (Some environments set
# PYTHONDONTWRITEBYTECODE, which makes every run recompile the package from source while the
# dependencies, installed by pip, keep their caches: an unfair comparison.)
# The terminal's width and colour come from the environment: unset, a command runs as in a pipe.
UNSET = ("PYTHONDONTWRITEBYTECODE", "COLUMNS", "FORCE_COLOR", "NO_COLOR")
ENV = {k: v for k, v in os.environ.items() if k not in UNSET}
TERMINAL = {"COLUMNS": "120", "FORCE_COLOR": "1", "TERM": "xterm-256color"}
MODELS = {"ResNet50": "resnet50", "DenseNet121": "densenet121"}

Command = tuple[list[str], dict[str, str]]  # arguments, environment over ENV


def medians(commands: dict[str, Command], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall time and CPU time (user + system) of each command. The commands take turns,
    run after run, so that a machine that slows down part-way affects them all alike; CPU time
    is steadier than wall time on a shared machine."""
    for command, env in commands.values():  # write bytecode caches, warm the file cache
        for _ in range(2):
            subprocess.run(command, capture_output=True, check=False, env={**ENV, **env})
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, env) in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False, env={**ENV, **env})
            wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in commands
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as models:
        for name in MODELS.values():  # Keras's to_json(), gunzipped as a user would have it
            gz = ROOT / "tests" / "fixtures" / "applications" / f"{name}.json.gz"
            (Path(models) / f"{name}.json").write_bytes(gzip.decompress(gz.read_bytes()))
        measure(args.runs, Path(models))


def measure(runs: int, models: Path) -> None:
    py = sys.executable
    floors = {
        "floor: import click, yaml": [py, "-c", "import click, yaml"],
        "floor: import click, yaml, rich": [py, "-c", "import click, yaml, rich"],
        "floor: ... rich.console, rich.table": [
            py, "-c", "import click, yaml, rich.console, rich.table",
        ],
    }  # fmt: skip
    light, drawn = "floor: import click, yaml", "floor: import click, yaml, rich"
    table = "floor: ... rich.console, rich.table"
    specs = ROOT / "sample_specs"
    code = ROOT / "tests" / "fixtures" / "python"
    summary = [py, "-m", "deconvcheck", "summary"]
    cases: dict[str, tuple[list[str], str, dict[str, str]]] = {
        "deconvcheck --version": ([py, "-m", "deconvcheck", "--version"], light, {}),
        "deconvcheck check unet.yaml": (
            [py, "-m", "deconvcheck", "check", "-q", str(specs / "unet.yaml")], light, {},
        ),
        "deconvcheck check sample_specs/": (
            [py, "-m", "deconvcheck", "check", "-q", str(specs)], light, {},
        ),
        "deconvcheck summary vgg16_decoder.yaml": (
            [*summary, str(specs / "vgg16_decoder.yaml")], drawn, {},
        ),
        "deconvcheck summary unet.yaml --format json": (
            [*summary, str(specs / "unet.yaml"), "--format", "json"], drawn, {},
        ),
        "deconvcheck solve --in 64 --out 128": (
            [py, "-m", "deconvcheck", "solve", "--in", "64", "--out", "128"], drawn, {},
        ),
        "deconvcheck draw unet.yaml": (
            [py, "-m", "deconvcheck", "draw", str(specs / "unet.yaml")], drawn, {},
        ),
        # Keras model code, read statically: a U-Net builder with loops and helpers (two
        # models of 53 and 50 layers) read by check and drawn by summary.
        "deconvcheck check unet_loop_upconv.py": (
            [py, "-m", "deconvcheck", "check", "-q", str(code / "unet_loop_upconv.py")],
            light, {},
        ),
        "deconvcheck summary unet_loop_upconv.py": (
            [*summary, str(code / "unet_loop_upconv.py")], table, {},
        ),
    }  # fmt: skip
    for model, name in MODELS.items():
        path = str(models / f"{name}.json")
        cases[f"summary {model}, piped"] = ([*summary, path], table, {})
        cases[f"summary {model}, 120-column terminal"] = ([*summary, path], table, TERMINAL)
        cases[f"summary {model} --format json"] = ([*summary, path, "--format", "json"], light, {})
    commands: dict[str, Command] = {name: (command, {}) for name, command in floors.items()}
    commands.update({name: (command, env) for name, (command, _, env) in cases.items()})
    results = medians(commands, runs)
    print(f"median of {runs} runs, Python {sys.version.split()[0]}")
    print(f"  {'command':45s} {'wall':>9s} {'ratio':>6s} {'cpu':>9s} {'ratio':>6s}  floor")
    rows = [(name, light) for name in floors] + [(name, f) for name, (_, f, _) in cases.items()]
    for name, floor in rows:
        wall, cpu = results[name]
        base_wall, base_cpu = results[floor]
        print(
            f"  {name:45s} {wall * 1000:6.1f} ms {wall / base_wall:6.2f} "
            f"{cpu * 1000:6.1f} ms {cpu / base_cpu:6.2f}  {floor.removeprefix('floor: ')}"
        )
    print("the summary's time (cpu), split: reading and inferring, drawing (piped; terminal)")
    rich_import = results[table][1] - results[light][1]
    for model in MODELS:
        json = results[f"summary {model} --format json"][1]
        piped = results[f"summary {model}, piped"][1] - json - rich_import
        shown = results[f"summary {model}, 120-column terminal"][1] - json - rich_import
        print(
            f"  {model:12s} reading {(json - results[light][1]) * 1000:6.1f} ms, "
            f"drawing {piped * 1000:6.1f} ms; {shown * 1000:6.1f} ms"
        )


if __name__ == "__main__":
    main()
