"""`check`'s analyses of an inferred model: restoration of the input size, skip connections
traced to their cause, and the design rules (DC3xx). Everything returns diagnostics."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from deconvcheck import arith
from deconvcheck.checks.trace import ancestors, first_lossy, path_sizes, restored
from deconvcheck.diagnostics import Code, Diagnostic, make
from deconvcheck.infer import propagate
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
    from deconvcheck.checks import repair  # noqa: PLC0415 - only when there is something to fix

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
    tensor = model.graph.output_refs[0]
    lossy = first_lossy(model, ancestors(model.graph, tensor))
    what = "shape" if mode == "shape" else "spatial size"
    message = (
        f"the output {format_shape(output.output_shape)} of '{output.name}' does not restore the "
        f"input's {what} {format_shape(inputs[0].output_shape)}; sizes along the way: "
        f"{path_sizes(model, tensor)}"
    )
    if lossy is not None:
        message += f"; the size was lost where {lossy.describe()}"
    where = _at(model, lossy.layer if lossy else output.name)
    yield _diag(
        Code.NOT_RESTORED,
        message,
        where,
        lossy.layer if lossy else output.name,
        _fix_hint(spec, model, mode),
    )


def explain_merge(spec: Spec, model: Model, diag: Diagnostic) -> Diagnostic:
    """DC201 from inference, traced back to the layer that made the inputs disagree: the
    tensors of the call that could not be joined, and what lost the size on one path only."""
    if diag.code != Code.MERGE_MISMATCH or diag.layer not in model.graph.nodes:
        return diag
    merge = model.graph.nodes[diag.layer]
    failed = [
        call
        for number, call in enumerate(merge.calls)
        if call is not None
        and (merge.name, number) not in model.tensors
        and all(model.tensor(ref) is not None for ref in call.inputs)
    ]
    if not failed:
        return diag
    inputs = failed[0].inputs
    described = " with ".join(
        f"{format_shape(model.tensor(ref) or ())} from '{ref.written}'" for ref in inputs
    )
    kind = merge.layer.keras_name()
    message = f"{kind} '{merge.name}' cannot join {described}"
    lines = [set(ancestors(model.graph, ref)) for ref in inputs]
    common = set.intersection(*lines) if lines else set()
    only = [n for line in lines for n in line if n not in common]
    # what lost the size on one path; else what changed it there (one scale pooled, not the other)
    cause = first_lossy(model, only) or first_lossy(model, only, lossy=False)
    if cause is not None:
        message += f": {cause.describe()}"
    where = merge.decl.pos.where  # in model code, the builder calls and loops that made it
    if where and not where.startswith("config."):  # (a Keras file's JSON path is not said here)
        message += f" ({where})"
    return diag._replace(
        message=message, hint=_fix_hint(spec, model, model.restore_mode(spec.restore))
    )


def open_sizes(spec: Spec, model: Model) -> Iterator[Diagnostic]:
    """DC307: an input that leaves its size open (`Input(shape=(None, None, 3))`, as fully
    convolutional nets are written) on a model that works on some sizes only: the others fail
    when it runs, where a skip connection cannot be joined, or an encoder-decoder gives back
    another size than it was given. Says which sizes it takes and gives back, as a rule, and
    the first that fails, traced to its cause. Sizes too small for a layer (a pooling of 1x1)
    are no such fault, and not reported."""
    inputs = model.input_layers
    if not model.ok or len(inputs) != 1 or None not in model.spatial(inputs[0].output_shape):
        return
    nodes = model.graph.nodes
    roles = {nodes[layer.name].layer.ROLE for layer in model.layers}
    if Role.MERGE not in roles and Role.UPSAMPLING not in roles:
        return
    from deconvcheck.sizes import describe, reduction, scan, trial  # noqa: PLC0415 - open sizes

    source = inputs[0]
    fmt = model.graph.layout
    # Enough sizes to show the rule: four times what the network divides its input by
    high = min(max(4 * reduction(model.graph, source.name, source.output_shape, fmt), 64), 512)
    found = scan(model, 1, high, restore=True)
    rule = describe(found.valid, 1, high)
    if not found.valid or rule is None:
        return
    joins = [f.size for f in found.failures if nodes[f.layer].layer.ROLE is Role.MERGE]
    lost = [n for n in found.valid if n not in found.restored] if found.restored else []
    if not joins and not (Role.UPSAMPLING in roles and lost):
        return
    # The first size past the first one given back (below it, nothing is an encoder-decoder)
    size = min(joins) if joins else next((n for n in lost if n > found.restored[0]), lost[0])
    at = propagate(model.graph, {source.name: trial(source.output_shape, fmt, size)})
    if joins:
        cause: Diagnostic | None = explain_merge(
            spec, at, next(d for d in at.diagnostics if d.code == Code.MERGE_MISMATCH)
        )
    else:
        cause = next(restoration(spec, at), None)
    if cause is None:
        return
    back = " and gives each back" if not lost else ""
    if lost:
        back = f" and gives back {describe(found.restored, 1, high) or 'some of them'}"
    shape = ", ".join(str(d) for d in source.output_shape[1:])
    axes = "x".join(str(size) for d in model.spatial(source.output_shape) if d is None)
    others = "fail when it runs" if joins else "come back changed"
    message = (
        f"input '{source.name}' leaves its size open, shape=({shape}): the model takes {rule}"
        f"{back} (tried 1 to {high}); other sizes {others}: at {axes}, {cause.message}"
    )
    kept = describe(found.restored, 1, high) if lost and not joins else rule
    hint = (
        f"give it inputs of {kept} (resize or pad them), or change the layers that lose the size; "
        "`deconvcheck sizes` lists the sizes"
    )
    yield _diag(Code.OPEN_SIZE_FAILS, message, _at(model, source.name), source.name, hint)


# ---------------------------------------------------------------- design rules


def lossy_downsampling(model: Model) -> Iterator[Diagnostic]:
    """DC302: a strided window that does not tile its input drops the last rows and columns."""
    for step in steps(model).values():
        if any(step.dropped()):
            yield _diag(
                Code.LOSSY_DOWNSAMPLING,
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
                Code.CHECKERBOARD,
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
            Code.UNREACHABLE_OUTPUT_SHAPE,
            f"{node.layer.keras_name()} '{name}' gives {'x'.join(str(g) for g in got)}, not the "
            f"output_shape {'x'.join(str(w) for w in wanted)}: " + "; ".join(parts),
            node.decl.value_at("output_shape"),
            name,
            "`deconvcheck solve --in N --out M --framework tf` lists the settings",
        )


def dilation_surprise(model: Model) -> Iterator[Diagnostic]:
    """DC305: dilation that grows a transposed convolution's output, where a stride was meant
    (a VGG-16 decoder's 2x2 kernel with dilation_rate=2 takes 7 to 9, not 14)."""
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
            Code.DILATION_SURPRISE,
            f"{node.layer.keras_name()} '{name}': dilation_rate {d} widens the {k}-wide "
            f"kernel to {arith.effective_kernel(k, d)}, so {format_shape(before)} grows to "
            f"{format_shape(after)}; dilation enlarges the receptive field, it does not upsample",
            node.decl.value_at("dilation_rate"),
            name,
            f"to double the size use strides=2 without dilation ({doubled})",
        )


DESIGN_CHECKS = (  # the function behind each design rule (declared in diagnostics.RULES)
    (Code.LOSSY_DOWNSAMPLING, lossy_downsampling),
    (Code.CHECKERBOARD, checkerboard),
    (Code.UNREACHABLE_OUTPUT_SHAPE, unreachable_output_shape),
    (Code.DILATION_SURPRISE, dilation_surprise),
)


def analyze(
    spec: Spec, model: Model, selects: Callable[[str], bool] = lambda code: True
) -> list[Diagnostic]:
    """Inference's diagnostics (skip-connection errors traced to their cause), the restoration
    check and the design rules `selects` chooses (the others are not run): everything `check`
    may report, before its selection."""
    found = [explain_merge(spec, model, d) for d in model.diagnostics]
    found += restoration(spec, model)
    if selects(Code.OPEN_SIZE_FAILS):
        found += open_sizes(spec, model)
    for code, check in DESIGN_CHECKS:
        if selects(code):
            found += check(model)
    return sorted((d.at(spec.path) for d in found), key=lambda d: (d.line, d.column, d.code))
