"""Record fvcore's multiply-accumulate counts for a few layers, to cross-check deconvcheck's MAC
convention (tests/test_cost.py) against a published tool without installing it in the tests.

    /tmp/kerasenv/bin/pip install torch==2.13.0 fvcore
    /tmp/kerasenv/bin/python tools/record_fvcore_macs.py

fvcore counts one fused multiply-add as one "flop" for convolutions, so its numbers are MACs.
Shapes are written in Keras's channels_last order; the PyTorch modules get channels_first.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from fvcore.nn import FlopCountAnalysis

OUT = Path(__file__).resolve().parent.parent / "tests" / "goldens" / "fvcore_macs.json"

# (Keras layer type, Keras args, input shape without batch, channels_last)
CASES = [
    ("Conv2D", {"filters": 64, "kernel_size": 3, "padding": "same"}, [224, 224, 3]),
    ("Conv2D", {"filters": 32, "kernel_size": 5, "strides": 2, "padding": "valid"}, [65, 65, 16]),
    ("Conv2D", {"filters": 16, "kernel_size": 3, "groups": 4, "padding": "same"}, [32, 32, 8]),
    ("Conv2DTranspose", {"filters": 512, "kernel_size": 2, "dilation_rate": 2}, [7, 7, 512]),
    (
        "Conv2DTranspose",
        {"filters": 64, "kernel_size": 4, "strides": 2, "padding": "valid"},
        [16, 16, 32],
    ),
    ("Conv1D", {"filters": 8, "kernel_size": 3}, [50, 4]),
    ("Dense", {"units": 10}, [128]),
]


def module(kind: str, args: dict[str, object], shape: list[int]) -> torch.nn.Module:
    channels = shape[-1]
    k = args.get("kernel_size", 1)
    s = args.get("strides", 1)
    d = args.get("dilation_rate", 1)
    # 'same' as explicit padding (odd kernels, stride 1 in these cases): fvcore does not count
    # PyTorch's padding="same" convolution op at all.
    pad = (k - 1) // 2 if args.get("padding") == "same" else 0
    if kind == "Conv2D":
        groups = args.get("groups", 1)
        return torch.nn.Conv2d(
            channels, args["filters"], k, s, padding=pad, dilation=d, groups=groups
        )
    if kind == "Conv1D":
        return torch.nn.Conv1d(channels, args["filters"], k, s, padding=pad, dilation=d)
    if kind == "Conv2DTranspose":
        return torch.nn.ConvTranspose2d(channels, args["filters"], k, s, dilation=d)
    return torch.nn.Linear(channels, args["units"])


def main() -> None:
    records = []
    for kind, args, shape in CASES:
        x = torch.zeros(1, shape[-1], *shape[:-1])  # channels_first for PyTorch
        analysis = FlopCountAnalysis(module(kind, args, shape), x)
        analysis.unsupported_ops_warnings(False)
        records.append(
            {"type": kind, "args": args, "input_shape": shape, "fvcore_macs": int(analysis.total())}
        )
    OUT.write_text(json.dumps({"tool": "fvcore 0.1.5", "cases": records}, indent=1) + "\n")


if __name__ == "__main__":
    main()
