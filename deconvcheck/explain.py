"""`summary --explain`: for each layer, the formula with the numbers put in, and one line of
plain words. The numbers come from `arith`, the functions inference uses."""

from __future__ import annotations

from collections.abc import Sequence

from deconvcheck import arith
from deconvcheck.infer import GraphNode, Model
from deconvcheck.layers.base import Shape, format_shape, spatial_axes
from deconvcheck.layers.convolution import Conv
from deconvcheck.layers.pooling import Pooling
from deconvcheck.layers.resampling import Cropping, UpSampling, ZeroPadding
from deconvcheck.layers.transposed import ConvTranspose


def _axes(node: GraphNode, ins: Shape, out: Shape) -> list[tuple[int | None, int | None, int]]:
    fmt = node.layer.cfg.get("data_format", "channels_last")
    return [(ins[a], out[a], i) for i, a in enumerate(spatial_axes(ins, fmt))]


def _unique(lines: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def explain_conv(node: GraphNode, ins: Shape, out: Shape) -> list[str]:
    cfg = node.layer.cfg
    lines: list[str] = []
    for n, m, i in _axes(node, ins, out):
        k, s, d = cfg["kernel_size"][i], cfg["strides"][i], cfg["dilation_rate"][i]
        k_eff = arith.effective_kernel(k, d)
        if d > 1:
            lines.append(f"effective kernel ({k} − 1)·{d} + 1 = {k_eff}")
        if n is None:
            lines.append("unknown size stays unknown")
        elif cfg["padding"] == "valid":
            lines.append(f"output ⌊({n} − {k_eff}) / {s}⌋ + 1 = {m}")
        else:
            lines.append(f"output ⌈{n} / {s}⌉ = {m} (padding '{cfg['padding']}')")
    words = "a 'valid' window cannot hang over the edge, so the size shrinks by kernel − 1"
    if cfg["padding"] != "valid":
        words = f"padding '{cfg['padding']}' keeps ⌈n / stride⌉ positions"
    if max(cfg["strides"]) > 1:
        words += f"; stride {max(cfg['strides'])} keeps every {max(cfg['strides'])}th position"
    return [*_unique(lines), words]


def explain_transpose(node: GraphNode, ins: Shape, out: Shape) -> list[str]:
    cfg = node.layer.cfg
    lines: list[str] = []
    words = ""
    for n, m, i in _axes(node, ins, out):
        k, s, d = cfg["kernel_size"][i], cfg["strides"][i], cfg["dilation_rate"][i]
        op = None if cfg["output_padding"] is None else cfg["output_padding"][i]
        k_eff = arith.effective_kernel(k, d)
        if d > 1:
            lines.append(f"effective kernel ({k} − 1)·{d} + 1 = {k_eff}")
        if n is None:
            lines.append("unknown size stays unknown")
        elif cfg["padding"] == "valid" and op is None:
            lines.append(f"output ({n} − 1)·{s} + max({k_eff}, {s}) = {m}")
        elif cfg["padding"] == "valid":
            lines.append(f"output ({n} − 1)·{s} + {k_eff} + {op} = {m}")
        elif op is None:
            lines.append(f"output {n}·{s} = {m} (padding 'same')")
        else:
            rule = "(Keras 3: 'same' with output_padding)"
            lines.append(f"output ({n} − 1)·{s} + {k_eff} % 2 + {op} = {m} {rule}")
        if n is not None and m is not None and s == 1 and d > 1:
            words = (
                f"dilation widened the {k}-wide kernel to {k_eff}, so each side grows by "
                f"{k_eff - 1}; to double the size use strides=2"
            )
        elif n is not None and m is not None and s > 1 and m != n * s:
            extra = m - n * s
            words = f"stride {s} multiplies by {s}; the kernel's overhang adds {extra} ('valid')"
    if not words:
        stride = max(cfg["strides"])
        words = f"each input pixel paints a kernel-sized patch, {stride} pixel(s) apart"
    return [*_unique(lines), words]


def explain_pool(node: GraphNode, ins: Shape, out: Shape) -> list[str]:
    cfg = node.layer.cfg
    strides = cfg["strides"] or cfg["pool_size"]
    lines = []
    dropped = False
    for n, m, i in _axes(node, ins, out):
        p, s = cfg["pool_size"][i], strides[i]
        if n is None:
            lines.append("unknown size stays unknown")
        elif cfg["padding"] == "valid":
            lines.append(f"output ⌊({n} − {p}) / {s}⌋ + 1 = {m}")
            dropped = dropped or (n - p) % s != 0
        else:
            lines.append(f"output ⌈{n} / {s}⌉ = {m} (padding 'same')")
    words = (
        "windows that would hang over the edge are dropped" if dropped else "windows tile the input"
    )
    return [*_unique(lines), words]


def explain_upsampling(node: GraphNode, ins: Shape, out: Shape) -> list[str]:
    size = node.layer.factors()  # type: ignore[attr-defined]
    lines = [f"output {n}·{size[i]} = {m}" for n, m, i in _axes(node, ins, out) if n is not None]
    return [
        *_unique(lines),
        "each pixel is repeated (nearest neighbour): no weights, no new detail",
    ]


def explain(model: Model) -> dict[str, list[str]]:
    """Per layer name, the lines to print under it."""
    shapes = model.shapes
    result: dict[str, list[str]] = {}
    for layer in model.layers:
        node = model.graph.nodes[layer.name]
        ins = [shapes[i] for i in layer.inputs if i in shapes]
        out = layer.output_shape
        kind = node.layer
        if isinstance(kind, Conv) and ins:
            result[layer.name] = explain_conv(node, ins[0], out)
        elif isinstance(kind, ConvTranspose) and ins:
            result[layer.name] = explain_transpose(node, ins[0], out)
        elif isinstance(kind, Pooling) and ins:
            result[layer.name] = explain_pool(node, ins[0], out)
        elif isinstance(kind, UpSampling) and ins:
            result[layer.name] = explain_upsampling(node, ins[0], out)
        elif layer.type in ("Concatenate", "Add") and ins:
            joined = " + ".join(format_shape(s) for s in ins)
            result[layer.name] = [f"{joined} -> {format_shape(out)}"]
        elif isinstance(kind, ZeroPadding | Cropping) and ins:
            sign = "+" if isinstance(kind, ZeroPadding) else "−"
            pairs = kind.cfg["padding" if sign == "+" else "cropping"]
            axes = _axes(node, ins[0], out)
            result[layer.name] = [
                f"{n} {sign} {a} {sign} {b} = {m}"
                for (n, m, _), (a, b) in zip(axes, pairs, strict=True)
            ]
        elif layer.type == "Dense" and ins:
            result[layer.name] = [
                f"acts on the last axis only: {ins[0][-1]} -> {out[-1]} per position"
            ]
        elif layer.type == "Flatten" and ins:
            dims = [str(d) for d in ins[0][1:]]
            result[layer.name] = [f"{'·'.join(dims)} = {out[-1]} values per sample"]
        elif layer.type == "InputLayer":
            result[layer.name] = ["the shape given, with the batch axis in front"]
        elif ins and out == ins[0]:
            result[layer.name] = ["the shape is unchanged"]
    return result
