"""Cold-start benchmark: deconvcheck's commands against importing its dependencies.

    python benchmarks/startup.py [--runs 21]

Prints the median wall time and CPU time of each command over several runs, and each one's ratio
to its import floor, measured in the same run:
- commands that draw text with rich (summary, solve, draw): `import click, yaml, rich`
  (target: at most 1.3); for reference also the floor of any rich table,
  `import click, yaml, rich.console, rich.table`;
- `check`, which draws nothing with rich when there is nothing to report: `import click, yaml`
  (target: at most 1.3);
- `--version`: `import click, yaml`.
Ratios travel between machines better than milliseconds do.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Measure an installed tool as users run it: with bytecode caches. (Some environments set
# PYTHONDONTWRITEBYTECODE, which makes every run recompile the package from source while the
# dependencies, installed by pip, keep their caches: an unfair comparison.)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall time and CPU time (user + system) of each command. The commands take turns,
    run after run, so that a machine that slows down part-way affects them all alike; CPU time
    is steadier than wall time on a shared machine."""
    for command in commands.values():  # write bytecode caches, warm the file cache
        for _ in range(2):
            subprocess.run(command, capture_output=True, check=False, env=ENV)
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False, env=ENV)
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
    py = sys.executable
    floors = {
        "floor: import click, yaml": [py, "-c", "import click, yaml"],
        "floor: import click, yaml, rich": [py, "-c", "import click, yaml, rich"],
        "floor: ... rich.console, rich.table": [
            py, "-c", "import click, yaml, rich.console, rich.table",
        ],
    }  # fmt: skip
    light, drawn = "floor: import click, yaml", "floor: import click, yaml, rich"
    specs = ROOT / "sample_specs"
    cases = {
        "deconvcheck --version": ([py, "-m", "deconvcheck", "--version"], light),
        "deconvcheck check unet.yaml": (
            [py, "-m", "deconvcheck", "check", "-q", str(specs / "unet.yaml")], light,
        ),
        "deconvcheck check sample_specs/": (
            [py, "-m", "deconvcheck", "check", "-q", str(specs)], light,
        ),
        "deconvcheck summary vgg16_decoder.yaml": (
            [py, "-m", "deconvcheck", "summary", str(specs / "vgg16_decoder.yaml")], drawn,
        ),
        "deconvcheck summary unet.yaml --format json": (
            [py, "-m", "deconvcheck", "summary", str(specs / "unet.yaml"), "--format", "json"],
            drawn,
        ),
        "deconvcheck solve --in 64 --out 128": (
            [py, "-m", "deconvcheck", "solve", "--in", "64", "--out", "128"], drawn,
        ),
        "deconvcheck draw unet.yaml": (
            [py, "-m", "deconvcheck", "draw", str(specs / "unet.yaml")], drawn,
        ),
    }  # fmt: skip
    commands = {**floors, **{name: command for name, (command, _) in cases.items()}}
    results = medians(commands, args.runs)
    print(f"median of {args.runs} runs, Python {sys.version.split()[0]}")
    print(f"  {'command':45s} {'wall':>9s} {'ratio':>6s} {'cpu':>9s} {'ratio':>6s}  floor")
    rows = [(name, light) for name in floors] + [(name, f) for name, (_, f) in cases.items()]
    for name, floor in rows:
        wall, cpu = results[name]
        base_wall, base_cpu = results[floor]
        print(
            f"  {name:45s} {wall * 1000:6.1f} ms {wall / base_wall:6.2f} "
            f"{cpu * 1000:6.1f} ms {cpu / base_cpu:6.2f}  {floor.removeprefix('floor: ')}"
        )


if __name__ == "__main__":
    main()
