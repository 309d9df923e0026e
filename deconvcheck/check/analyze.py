"""`check`'s analyses of an inferred model: restoration of the input size, skip connections
traced to their cause, and the design rules (DC3xx). Everything returns diagnostics."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from deconvcheck import arith
from deconvcheck.check.trace import ancestors, first_lossy, path_sizes, restored
from deconvcheck.diagnostics import Diagnostic, make
from deconvcheck.layers.base import Role, format_shape
from deconvcheck.model import Model, steps
from deconvcheck.read.spec import Pos, Spec


def _at(model: Model, name: str) -> Pos:
    node = model.graph.nodes.get(name)
    return node.decl.pos if node else Pos()


def _diag(
    code: str, message: str, pos: Pos, layer: str | None, hint: str | None = None
) -> Diagnostic:
    return make(code, message, line=pos.line, column=pos.column, layer=layer, hint=hint)


def _fix_hint(spec: Spec, model: Model, mode: str | None) -> str:
    """Only fixes verified by re-running inference on the changed spec."""
    from deconvcheck.check import repair  # noqa: PLC0415 - only when there is something to fix

    options = [fix.describe() for fix in repair.fixes(spec, mode)]
    below, above = repair.nearest_sizes(model, mode)
    sizes = [str(s) for s in (below, above) if s is not None]
    if sizes:
        what = "round-trips" if mode else "every layer can take"
        options.insert(0, f"use an input size that {what}: {' or '.join(sizes)}")
    if not options:
        return "no single change found; `deconvcheck solve` finds settings between two sizes"
    return "\n".join(f"({i}) {o}" for i, o in enumerate(options, 1))


def restoration(spec: Spec, model: Model) -> Iterator[Diagnostic]:
    """DC301: an encoder-decoder (or a spec that says `restore:`) whose output is not its input."""
    mode = model.restore_mode(spec.restore)
    if mode is None or not model.ok or restored(model, mode) is not False:
        return
    inputs = model.input_layers
    output = model.output_layers[0]
    lossy = first_lossy(model, ancestors(model.graph, output.name))
    what = "shape" if mode == "shape" else "spatial size"
    message = (
        f"the output {format_shape(output.output_shape)} of '{output.name}' does not restore the "
        f"input's {what} {format_shape(inputs[0].output_shape)}; sizes along the way: "
        f"{path_sizes(model, output.name)}"
    )
    if lossy is not None:
        message += f"; the size was lost where {lossy.describe()}"
    where = _at(model, lossy.layer if lossy else output.name)
    yield _diag(
        "DC301", message, where, lossy.layer if lossy else output.name, _fix_hint(spec, model, mode)
    )


def explain_merge(spec: Spec, model: Model, diag: Diagnostic) -> Diagnostic:
    """DC201 from inference, traced back to the layer that made the inputs disagree."""
    if diag.code != "DC201" or diag.layer not in model.graph.nodes:
        return diag
    merge = model.graph.nodes[diag.layer]
    shapes = model.shapes
    inputs = [i for i in merge.inputs if i in shapes]
    described = " with ".join(f"{format_shape(shapes[i])} from '{i}'" for i in inputs)
    kind = merge.layer.keras_name()
    message = f"{kind} '{merge.name}' cannot join {described}"
    lines = [set(ancestors(model.graph, i)) for i in inputs]
    common = set.intersection(*lines) if lines else set()
    only = [n for line in lines for n in line if n not in common]
    cause = first_lossy(model, only)
    if cause is not None:
        message += f": {cause.describe()}"
    return diag._replace(
        message=message, hint=_fix_hint(spec, model, model.restore_mode(spec.restore))
    )


# ---------------------------------------------------------------- design rules


def lossy_downsampling(model: Model) -> Iterator[Diagnostic]:
    """DC302: a strided window that does not tile its input drops the last rows and columns."""
    for step in steps(model).values():
        if any(step.dropped()):
            yield _diag(
                "DC302",
                step.describe(),
                _at(model, step.layer),
                step.layer,
                "use padding 'same', or an input size divisible by the stride at every level",
            )


def checkerboard(model: Model) -> Iterator[Diagnostic]:
    """DC303: kernel not divisible by stride in a transposed convolution (Odena et al. 2016)."""
    for name in model.graph.order:
        node = model.graph.nodes[name]
        windows = node.layer.windows()
        if node.layer.ROLE is not Role.UPSAMPLING or not windows or name not in model.shapes:
            continue
        pairs = [(w.effective, w.stride) for w in windows]
        if any(s > 1 and k % s for k, s in pairs):
            kernels = "x".join(str(k) for k, _ in pairs)
            strides = "x".join(str(s) for _, s in pairs)
            stride = max(s for _, s in pairs)
            effect = (
                "so some output pixels get no contribution at all: holes between the kernel's "
                "footprints, filled only by the bias"
                if any(k < s for k, s in pairs)
                else "so output pixels get unequal numbers of contributions (checkerboard "
                "artefacts, Odena et al. 2016)"
            )
            yield _diag(
                "DC303",
                f"{node.layer.keras_name()} '{name}': kernel {kernels} is not divisible by "
                f"stride {strides}, {effect}",
                node.decl.pos,
                name,
                f"use kernel_size {2 * stride} (divisible by the stride), or UpSampling then a "
                "convolution (resize-convolution)",
            )


def unreachable_output_shape(model: Model) -> Iterator[Diagnostic]:
    """DC304: a transposed convolution's stated `output_shape` (tf.nn.conv2d_transpose style)
    that it does not produce, saying which sizes are valid and what would give the wanted one."""
    nodes = model.graph.nodes
    stated: list[tuple[str, tuple[int, ...]]] = []  # each layer's own, asked once
    for name in model.graph.order:
        size = nodes[name].layer.stated_output()
        if size:
            stated.append((name, size))
    shapes = model.shapes if stated else {}
    for name, wanted in stated:
        node = nodes[name]
        windows = node.layer.windows()
        if windows is None or name not in shapes:
            continue
        if not node.inputs or node.inputs[0] not in shapes:
            continue
        got = model.spatial(shapes[name])
        if tuple(got) == tuple(wanted):
            continue
        source = model.spatial(shapes[node.inputs[0]])
        parts = []
        for axis, (n, m, w) in enumerate(zip(source, wanted, windows, strict=True)):
            if n is None:
                continue
            s, padding = w.stride, w.padding
            valid = arith.tf_transpose_output_range(n, w.kernel, s, padding, w.dilation)
            sizes = " or ".join(str(v) for v in valid)
            if m not in valid:
                parts.append(
                    f"axis {axis}: {m} cannot come from {n} with stride {s} and padding "
                    f"'{padding}' (tf.nn.conv2d_transpose accepts {sizes})"
                )
            else:
                op = (
                    m - ((n - 1) * s + w.effective % 2)
                    if padding == "same"
                    else (m - ((n - 1) * s + w.effective))
                )
                parts.append(
                    f"axis {axis}: {m} is valid ({sizes}); Keras needs output_padding={op}"
                )
        yield _diag(
            "DC304",
            f"{node.layer.keras_name()} '{name}' gives {'x'.join(str(g) for g in got)}, not the "
            f"output_shape {'x'.join(str(w) for w in wanted)}: " + "; ".join(parts),
            node.decl.value_at("output_shape"),
            name,
            "`deconvcheck solve --in N --out M --framework tf` lists the settings",
        )


def dilation_surprise(model: Model) -> Iterator[Diagnostic]:
    """DC305: dilation that grows a transposed convolution's output, where a stride was meant
    (seed 000: a 2x2 kernel with dilation_rate=2 takes 7 to 9, not 14)."""
    nodes = model.graph.nodes
    upsampling = [n for n in model.graph.order if nodes[n].layer.ROLE is Role.UPSAMPLING]
    shapes = model.shapes if upsampling else {}
    for name in upsampling:
        node = nodes[name]
        windows = node.layer.windows()
        if not windows:
            continue
        if max(w.dilation for w in windows) == 1:
            continue
        if name not in shapes or node.inputs[0] not in shapes:
            continue
        before = model.spatial(shapes[node.inputs[0]])
        after = model.spatial(shapes[name])
        k, d = windows[0].kernel, windows[0].dilation
        n = before[0]
        doubled = f"{n}·2 = {2 * n}" if n is not None else "twice the size"
        yield _diag(
            "DC305",
            f"{node.layer.keras_name()} '{name}': dilation_rate {d} widens the {k}-wide "
            f"kernel to {arith.effective_kernel(k, d)}, so {format_shape(before)} grows to "
            f"{format_shape(after)}; dilation enlarges the receptive field, it does not upsample",
            node.decl.value_at("dilation_rate"),
            name,
            f"to double the size use strides=2 without dilation ({doubled})",
        )


RULES = (  # each design rule and the code it reports
    ("DC302", lossy_downsampling),
    ("DC303", checkerboard),
    ("DC304", unreachable_output_shape),
    ("DC305", dilation_surprise),
)


def analyze(
    spec: Spec, model: Model, selects: Callable[[str], bool] = lambda code: True
) -> list[Diagnostic]:
    """Inference's diagnostics (skip-connection errors traced to their cause), the restoration
    check and the design rules `selects` chooses (the others are not run): everything `check`
    may report, before its selection."""
    found = [explain_merge(spec, model, d) for d in model.diagnostics]
    found += restoration(spec, model)
    for code, rule in RULES:
        if selects(code):
            found += rule(model)
    return sorted((d.at(spec.path) for d in found), key=lambda d: (d.line, d.column, d.code))
