"""Speed at scale: `check` on 1,000 spec files, `summary` on very long stacks, cold starts.

    python benchmarks/scale.py [--runs 5]

Reports medians of several cold runs (a new process each time):
- `deconvcheck check` of 1,000 spec files in one call (pre-commit passes many files at once);
- `deconvcheck summary --format json` of stacks of 1,000, 10,000 and 100,000 layers, and the
  exponent of the growth (log-log slope from 10,000 to 100,000: 1.0 is linear);
- `deconvcheck summary` (the text table) of 1,000 and 10,000 layers;
- cold `--version` and `check` of one file, as ratios to `python -c "import click, yaml"`.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TOOL = [sys.executable, "-m", "deconvcheck"]


def median_seconds(command: list[str], runs: int) -> float:
    subprocess.run(command, capture_output=True, check=False, env=ENV)  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_specs(folder: Path, count: int) -> None:
    """A realistic mix: the sample specs, with the U-Net at many input sizes."""
    samples = sorted((ROOT / "sample_specs").glob("*.yaml"))
    unet = (ROOT / "sample_specs" / "unet.yaml").read_text()
    for i in range(count):
        if i % 2:
            text = unet.replace("[160, 160, 8]", f"[{32 * (1 + i % 12)}, {32 * (1 + i % 12)}, 8]")
        else:
            text = samples[i % len(samples)].read_text()
        (folder / f"spec_{i:04d}.yaml").write_text(text)
    encoder = ROOT / "sample_specs" / "vgg16_encoder.yaml"
    shutil.copy(encoder, folder / "vgg16_encoder.yaml")


def make_stack(path: Path, layers: int) -> None:
    lines = ["deconvcheck: 1", "layers:", "  - {type: Input, shape: [32, 32, 8]}"]
    lines += ["  - {type: Conv2D, filters: 8, kernel_size: 3, padding: same}"] * (layers - 1)
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "specs"
        folder.mkdir()
        make_specs(folder, 1000)
        files = sorted(str(p) for p in folder.glob("spec_*.yaml"))
        check_1000 = median_seconds([*TOOL, "check", "-q", *files], args.runs)
        print(f"check of 1,000 spec files, one call: {check_1000:.2f} s (target < 2 s)")

        sizes = (1_000, 10_000, 100_000)
        seconds = {}
        for n in sizes:
            stack = Path(tmp) / f"stack_{n}.yaml"
            make_stack(stack, n)
            runs = args.runs if n < 100_000 else max(3, args.runs // 2)
            seconds[n] = median_seconds([*TOOL, "summary", str(stack), "--format", "json"], runs)
            print(f"summary --format json, {n:>7,} layers: {seconds[n]:.2f} s")
        exponent = math.log(seconds[100_000] / seconds[10_000]) / math.log(10)
        print(f"growth exponent from 10,000 to 100,000 layers: {exponent:.2f} (1.0 = linear)")
        for n in (1_000, 10_000):  # the text table, drawn by rich as Keras draws it
            stack = Path(tmp) / f"stack_{n}.yaml"
            text = median_seconds([*TOOL, "summary", str(stack)], max(3, args.runs // 2))
            print(f"summary (text), {n:>7,} layers: {text:.2f} s")

        base = median_seconds([sys.executable, "-c", "import click, yaml"], args.runs * 3)
        version = median_seconds([*TOOL, "--version"], args.runs * 3)
        one = median_seconds([*TOOL, "check", "-q", files[1]], args.runs * 3)
        print(f"baseline import click, yaml: {base * 1000:.1f} ms")
        print(f"--version: {version * 1000:.1f} ms, ratio {version / base:.2f}")
        print(f"check of one spec: {one * 1000:.1f} ms, ratio {one / base:.2f}")


if __name__ == "__main__":
    main()
