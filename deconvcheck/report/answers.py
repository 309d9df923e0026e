"""One `solve` answer in its framework's own words: fields, a line of code, a spec snippet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deconvcheck.solve.answers import arithmetic, caveats, lossy, usual_upscale_rule
from deconvcheck.solve.plan import Answer
from deconvcheck.solve.settings import KERAS, PYTORCH, TF, Setting

TITLES = {
    (KERAS, True): "Keras: Conv{r}DTranspose",
    (PYTORCH, True): "PyTorch: torch.nn.ConvTranspose{r}d",
    (TF, True): "TensorFlow: tf.nn.conv{r}d_transpose with an explicit output_shape",
    (KERAS, False): "Keras: Conv{r}D or MaxPooling{r}D",
    (PYTORCH, False): "PyTorch: torch.nn.Conv{r}d or MaxPool{r}d",
    (TF, False): "TensorFlow: tf.nn.conv{r}d or max_pool{r}d",
}


LAYERS = {
    (KERAS, "transpose"): "Conv{r}DTranspose",
    (KERAS, "conv"): "Conv{r}D",
    (KERAS, "pool"): "MaxPooling{r}D",
    (PYTORCH, "transpose"): "ConvTranspose{r}d",
    (PYTORCH, "conv"): "Conv{r}d",
    (PYTORCH, "pool"): "MaxPool{r}d",
    (TF, "transpose"): "conv{r}d_transpose",
    (TF, "conv"): "conv{r}d",
    (TF, "pool"): "max_pool{r}d",
}


def _value(values: Sequence[Any]) -> str:
    """`4` when every axis agrees, `(4, 3)` otherwise."""
    if len(set(values)) == 1:
        return repr(values[0]) if isinstance(values[0], str) else str(values[0])
    return "(" + ", ".join(str(v) for v in values) + ")"


def fields(answer: Answer) -> dict[str, Any]:
    """The framework's own argument names and values, per axis."""
    axes = answer.axes
    s = answer.first
    field: dict[str, Any] = {
        "kernel_size": [a.kernel for a in axes],
        "strides": [a.stride for a in axes],
    }
    field["dilation_rate"] = [a.dilation for a in axes]
    if s.framework == PYTORCH:
        field["padding"] = [a.padding for a in axes]
        field["output_padding"] = (
            [a.output_padding or 0 for a in axes] if s.kind == "transpose" else None
        )
    else:
        field["padding"] = s.padding if s.framework == KERAS else str(s.padding).upper()
        ops = [a.output_padding for a in axes]
        field["output_padding"] = None if ops[0] is None else ops
    return field


def code(answer: Answer) -> str:
    """A line to paste into the chosen framework's code."""
    axes, s, r = answer.axes, answer.first, len(answer.axes)
    k = _value([a.kernel for a in axes])
    st = _value([a.stride for a in axes])
    d = _value([a.dilation for a in axes])
    dil = f", dilation_rate={d}" if d != "1" else ""
    if s.framework == KERAS:
        pad = f'padding="{s.padding}"'
        if s.kind == "pool":
            return f"keras.layers.MaxPooling{r}D(pool_size={k}, strides={st}, {pad})"
        op = (
            ""
            if s.output_padding is None
            else f", output_padding={_value([a.output_padding for a in axes])}"
        )
        layer = f"Conv{r}DTranspose" if s.kind == "transpose" else f"Conv{r}D"
        return f"keras.layers.{layer}(filters, kernel_size={k}, strides={st}, {pad}{op}{dil})"
    if s.framework == PYTORCH:
        p = _value([a.padding for a in axes])
        tdil = f", dilation={d}" if d != "1" else ""
        if s.kind == "pool":
            return f"torch.nn.MaxPool{r}d(kernel_size={k}, stride={st}, padding={p})"
        if s.kind == "conv":
            return (
                f"torch.nn.Conv{r}d(in_channels, out_channels, kernel_size={k}, stride={st}, "
                f"padding={p}{tdil})"
            )
        ops = [a.output_padding or 0 for a in axes]
        op = f", output_padding={_value(ops)}" if any(ops) else ""
        return (
            f"torch.nn.ConvTranspose{r}d(in_channels, out_channels, kernel_size={k}, stride={st}, "
            f"padding={p}{op}{tdil})"
        )
    pad = f'padding="{str(s.padding).upper()}"'
    if s.kind == "pool":
        return f"tf.nn.max_pool{r}d(x, ksize={k}, strides={st}, {pad})"
    if s.kind == "conv":
        kernel = ", ".join(str(a.kernel) for a in axes)
        return f"tf.nn.conv{r}d(x, kernel, strides={st}, {pad})  # kernel shape [{kernel}, in, out]"
    shape = ", ".join(str(a.length_out) for a in axes)
    kernel = ", ".join(str(a.kernel) for a in axes)
    return (
        f"tf.nn.conv{r}d_transpose(x, kernel, output_shape=[batch, {shape}, out_channels], "
        f"strides={st}, {pad})  # kernel shape [{kernel}, out_channels, in_channels]"
    )


def spec_snippet(answer: Answer) -> str | None:
    """The same layer in deconvcheck's spec format (Keras terms); None for other frameworks."""
    axes, s, r = answer.axes, answer.first, len(answer.axes)
    if s.framework != KERAS:
        return None
    k = _value([a.kernel for a in axes])
    st = _value([a.stride for a in axes])
    d = _value([a.dilation for a in axes])
    extra = f", dilation_rate: {d}" if d != "1" else ""
    if s.output_padding is not None:
        extra += f", output_padding: {_value([a.output_padding for a in axes])}"
    k, st, extra = (v.replace("(", "[").replace(")", "]") for v in (k, st, extra))
    if s.kind == "pool":
        return f"- {{type: MaxPooling{r}D, pool_size: {k}, strides: {st}, padding: {s.padding}}}"
    layer = f"Conv{r}DTranspose" if s.kind == "transpose" else f"Conv{r}D"
    return (
        f"- {{type: {layer}, filters: F, kernel_size: {k}, strides: {st}, "
        f"padding: {s.padding}{extra}}}"
    )


def notes(answer: Answer) -> list[str]:
    result = list(answer.caveats)
    if usual_upscale_rule(answer.first):
        f = answer.first.stride
        result.append(
            f"the usual recipe for a {f}x upscale: F = 2f = {2 * f}, S = f = {f}, "
            f"P = f/2 = {f // 2}"
        )
    return result


def tf_accepted(setting: Setting) -> str:
    from deconvcheck.arith import tf_transpose_output_range  # noqa: PLC0415

    sizes = list(
        tf_transpose_output_range(
            setting.length_in, setting.kernel, setting.stride, str(setting.padding)
        )
    )
    return " or ".join(str(x) for x in sizes)


def answer_json(answer: Answer) -> dict[str, Any]:
    s = answer.first
    result: dict[str, Any] = {"framework": s.framework, "layer": s.kind, **fields(answer)}
    result["arithmetic"] = [arithmetic(a) for a in answer.axes]
    result["caveats"] = notes(answer)
    result["artefact_free"] = not any(lossy(a) for a in answer.axes)
    result["code"] = code(answer)
    result["spec"] = spec_snippet(answer)
    if s.framework == TF and s.kind == "transpose":
        result["accepted_output_sizes"] = [tf_accepted(a) for a in answer.axes]
    return result


def answer_text(index: int, answer: Answer) -> list[str]:
    s = answer.first
    arith_text = "; ".join(dict.fromkeys(arithmetic(a) for a in answer.axes))
    lines = [f"  {index}. {arith_text}", f"     {code(answer)}"]
    if s.framework == TF and s.kind == "transpose":
        accepted = "; ".join(dict.fromkeys(tf_accepted(a) for a in answer.axes))
        lines.append(f"     output_shape sizes this input accepts with these strides: {accepted}")
    snippet = spec_snippet(answer)
    if snippet:
        lines.append(f"     spec: {snippet}")
    lines += [f"     note: {n}" for n in notes(answer)]
    return lines


def axis_arguments(s: Setting, rank: int) -> str:
    """One axis's setting in its framework's words, for an axis solved alone, e.g.
    `Conv2DTranspose kernel_size=7, strides=8, padding="same", output_padding=7`."""
    layer = LAYERS[s.framework, s.kind].format(r=rank)
    if s.framework == PYTORCH:
        words = [f"kernel_size={s.kernel}", f"stride={s.stride}", f"padding={s.padding}"]
        if s.output_padding:
            words.append(f"output_padding={s.output_padding}")
        if s.dilation > 1:
            words.append(f"dilation={s.dilation}")
        return f"{layer} " + ", ".join(words)
    size = "pool_size" if s.kind == "pool" and s.framework == KERAS else "kernel_size"
    padding = s.padding if s.framework == KERAS else str(s.padding).upper()
    words = [f"{size}={s.kernel}", f"strides={s.stride}", f'padding="{padding}"']
    if s.output_padding is not None:
        words.append(f"output_padding={s.output_padding}")
    if s.dilation > 1:
        words.append(f"dilation_rate={s.dilation}")
    if s.framework == TF and s.kind == "transpose":
        words.append(f"output size {s.length_out}")
    return f"{layer} " + ", ".join(words)


def axis_text(s: Setting, rank: int) -> str:
    return f"{arithmetic(s)}: {axis_arguments(s, rank)}"


def axis_json(s: Setting, rank: int) -> dict[str, Any]:
    return {
        "layer": s.kind,
        "kernel_size": s.kernel,
        "strides": s.stride,
        "dilation_rate": s.dilation,
        "padding": s.padding,
        "output_padding": s.output_padding,
        "arithmetic": arithmetic(s),
        "caveats": caveats(s),
        "setting": axis_arguments(s, rank),
    }
