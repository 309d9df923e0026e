"""Speed at scale: `check` on 1,000 spec files, `summary` on very long stacks, cold starts.

    python benchmarks/scale.py [--runs 7] [--json]

Every figure is a median of cold runs (a new process each time). Ratios are taken against the
import floor `python -c "import click, yaml, rich"` run in turn with the command (command, floor,
command, floor, ...): the median of the pair-by-pair ratios, so that a machine whose speed drifts
during the run does not move them.
- `deconvcheck check` of 1,000 spec files in one call (pre-commit passes many files at once);
- `deconvcheck summary --format json` of chains of 1,000 to 100,000 layers, the 10,000-layer one as
  a ratio to the floor (target: at most 5x), and the growth exponents (log-log slopes from 10,000
  to 50,000 and 100,000 layers: 1.0 is linear); and a 10,000-layer chain as a real file has it
  (every layer named, convolutions of 8 channel counts and batch normalisations);
- `deconvcheck summary` (the text table, drawn by rich as Keras draws it) of 1,000 and 10,000;
- cold `--version` and `check` of one file, as ratios to the floor;
- JSON (alone with `--json`): `summary --format json` of DenseNet121 as Keras's `to_json()` wrote
  it (tests/fixtures/applications/densenet121.json.gz, unpacked) as a ratio to the floor (target:
  at most 1.5x), and of the 10,000 named layers written as a JSON spec; then, in this process,
  reading each file's text (to values whose positions are found when a finding asks) against
  `json.loads` of the same text, and reading with the declarations made (the loader's `load`).
"""

from __future__ import annotations

import argparse
import gzip
import json
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


FLOOR = [sys.executable, "-c", "import click, yaml, rich"]


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, env=ENV)
    return time.perf_counter() - start


def median_seconds(command: list[str], runs: int) -> float:
    seconds(command)  # warm caches
    return statistics.median(seconds(command) for _ in range(runs))


def paired(command: list[str], runs: int) -> tuple[float, float]:
    """The command's median seconds and the median ratio to FLOOR, run in turn with it."""
    seconds(command), seconds(FLOOR)  # warm caches
    times, ratios = [], []
    for _ in range(runs):
        took = seconds(command)
        times.append(took)
        ratios.append(took / seconds(FLOOR))
    return statistics.median(times), statistics.median(ratios)


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


def named_layers(layers: int) -> list[dict[str, object]]:
    """A chain as a real file has it: every layer named, sizes and channels changing."""
    rows: list[dict[str, object]] = [{"type": "Input", "shape": [32, 32, 8], "name": "image"}]
    for i in range(1, layers):
        if i % 4 == 0:
            rows.append({"type": "BatchNormalization", "name": f"bn_{i}"})
        else:
            rows.append(
                {"type": "Conv2D", "name": f"conv_{i}", "filters": 8 * (1 + i % 8),
                 "kernel_size": [3, 3], "padding": "same", "activation": "relu"}
            )  # fmt: skip
    return rows


def make_named_stack(path: Path, layers: int) -> None:
    lines = ["deconvcheck: 1", "layers:"]
    for row in named_layers(layers):
        pairs = ", ".join(f"{key}: {_flow(value)}" for key, value in row.items())
        lines.append(f"  - {{{pairs}}}")
    path.write_text("\n".join(lines) + "\n")


def _flow(value: object) -> str:
    """A value of `named_layers` as YAML's flow style writes it: names and numbers plain."""
    return json.dumps(value).replace('"', "")


def make_named_json(path: Path, layers: int) -> None:
    """The same chain as a JSON spec, one layer a line."""
    rows = ",\n".join(f"  {json.dumps(row)}" for row in named_layers(layers))
    path.write_text(f'{{"deconvcheck": 1, "layers": [\n{rows}\n]}}\n')


def in_process(path: Path, runs: int) -> dict[str, float]:
    """Median milliseconds, in this process, of `json.loads` of the file's text, of reading it
    (the loader's `parse_text`: values, positions when asked) and of reading it with the
    declarations made (`load`). They take turns, run after run."""
    from deconvcheck.read.loader import load, parse_text  # noqa: PLC0415 - only for this part

    text = path.read_text(encoding="utf-8")
    steps = {
        "json.loads": lambda: json.loads(text),
        "read": lambda: parse_text(text, str(path)),
        "read and declare": lambda: load(str(path), text),
    }
    took: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(runs):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            took[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) * 1000 for name, times in took.items()}


def json_files(tmp: Path, runs: int) -> None:
    """Keras's DenseNet121 and a 10,000-layer JSON spec: cold summaries, then reading."""
    densenet = tmp / "densenet121.json"
    gz = ROOT / "tests" / "fixtures" / "applications" / "densenet121.json.gz"
    densenet.write_bytes(gzip.decompress(gz.read_bytes()))
    named = tmp / "named_10000.json"
    make_named_json(named, 10_000)
    for label, path, target in (
        ("DenseNet121 (Keras to_json)", densenet, " (target: at most 1.5x)"),
        ("10,000 named layers (JSON spec)", named, ""),
    ):
        took, ratio = paired([*TOOL, "summary", str(path), "--format", "json"], runs * 3)
        print(
            f"summary --format json, {label}: {took * 1000:.1f} ms, {ratio:.2f}x the floor{target}"
        )
    for label, path in (("DenseNet121", densenet), ("10,000 named layers", named)):
        ms = in_process(path, runs * 3)
        loads, read, declared = ms["json.loads"], ms["read"], ms["read and declare"]
        print(
            f"reading {label} ({path.stat().st_size / 1024:,.0f} KiB), in process: json.loads "
            f"{loads:.1f} ms; read {read:.1f} ms ({read / loads:.2f}x); read and declare "
            f"{declared:.1f} ms ({declared / loads:.2f}x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="only the JSON files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.json:
            json_files(Path(tmp), args.runs)
            return
        folder = Path(tmp) / "specs"
        folder.mkdir()
        make_specs(folder, 1000)
        files = sorted(str(p) for p in folder.glob("spec_*.yaml"))
        check_1000 = median_seconds([*TOOL, "check", "-q", *files], args.runs)
        print(f"check of 1,000 spec files, one call: {check_1000:.2f} s (target < 2 s)")

        sizes = (1_000, 10_000, 50_000, 100_000)
        took = {}
        for n in sizes:
            stack = Path(tmp) / f"stack_{n}.yaml"
            make_stack(stack, n)
            command = [*TOOL, "summary", str(stack), "--format", "json"]
            if n == 10_000:
                took[n], ratio = paired(command, args.runs * 2)
                print(
                    f"summary --format json, {n:>7,} layers: {took[n]:.2f} s, "
                    f"{ratio:.2f}x the floor (target: at most 5x)"
                )
            else:
                took[n] = median_seconds(command, args.runs if n < 50_000 else 3)
                print(f"summary --format json, {n:>7,} layers: {took[n]:.2f} s")
        named = Path(tmp) / "named_10000.yaml"
        make_named_stack(named, 10_000)
        took_named, ratio = paired([*TOOL, "summary", str(named), "--format", "json"], args.runs)
        print(
            f"summary --format json, 10,000 named layers (channels changing): {took_named:.2f} s, "
            f"{ratio:.2f}x the floor"
        )
        for n in (50_000, 100_000):
            slope = math.log(took[n] / took[10_000]) / math.log(n / 10_000)
            print(f"growth exponent from 10,000 to {n:,} layers: {slope:.2f} (1.0 = linear)")
        for n in (1_000, 10_000):  # the text table, drawn by rich as Keras draws it
            stack = Path(tmp) / f"stack_{n}.yaml"
            text = median_seconds([*TOOL, "summary", str(stack)], 3)
            print(f"summary (text), {n:>7,} layers: {text:.2f} s")

        floor = median_seconds(FLOOR, args.runs * 3)
        print(f"floor, import click, yaml, rich: {floor * 1000:.1f} ms")
        for label, command in (
            ("--version", [*TOOL, "--version"]),
            ("check of one spec", [*TOOL, "check", "-q", files[1]]),
        ):
            took_one, ratio = paired(command, args.runs * 3)
            print(f"{label}: {took_one * 1000:.1f} ms, ratio {ratio:.2f}")
        json_files(Path(tmp), args.runs)


if __name__ == "__main__":
    main()
