"""Columns, footers and JSON fields for `summary --columns macs,memory,rf --explain`."""

from __future__ import annotations

from typing import Any

from deconvcheck.cost import DTYPE_BYTES, costs, fraction, human, total
from deconvcheck.explain import explain
from deconvcheck.model import Model
from deconvcheck.report.summary import Extras, readable_memory_size


def build(
    model: Model, columns: tuple[str, ...], batch: int, dtype: str, with_explain: bool
) -> tuple[Extras, dict[str, Any]]:
    """The text extras and the JSON fields, from one computation."""
    per_layer = costs(model)
    size = DTYPE_BYTES[dtype]
    added: list[tuple[str, dict[str, str]]] = []
    if "macs" in columns:
        added.append(("MACs", {n: _count(c.macs) for n, c in per_layer.items()}))
    if "memory" in columns:
        added.append(
            (
                f"Act. x{batch}",
                {n: _bytes(c.activations, size * batch) for n, c in per_layer.items()},
            )
        )
    if "rf" in columns:
        added.append(
            (
                "RF / jump",
                {n: f"{fraction(c.rf)} / {fraction(c.jump)}" for n, c in per_layer.items()},
            )
        )
    total_macs = total([c.macs for c in per_layer.values()])
    activations = total([c.activations for c in per_layer.values()])
    params = model.totals.total
    footer = []
    open_size = " (the input's size is open: --input-shape gives them for one size)"
    if "macs" in columns:
        footer.append(
            " Total MACs: unknown per sample" + open_size
            if total_macs is None
            else f" Total MACs: {total_macs:,} ({human(total_macs)}) per sample"
        )
    if "memory" in columns:
        footer.append(
            " Activations: unknown per sample" + open_size
            if activations is None
            else f" Activations: {readable_memory_size(activations * size)} per sample, "
            f"{readable_memory_size(activations * size * batch)} for batch {batch} ({dtype})"
        )
        footer.append(f" Parameters: {readable_memory_size(params * size)} ({dtype})")
    explanations = explain(model) if with_explain else {}
    fields: dict[str, Any] = {
        "layers": {
            name: {
                "macs": c.macs,
                "activation_elements": c.activations,
                "activation_bytes": _times(c.activations, size),
                "receptive_field": None if c.rf is None else float(c.rf),
                "jump": None if c.jump is None else float(c.jump),
                **({"explain": explanations.get(name, [])} if with_explain else {}),
            }
            for name, c in per_layer.items()
        },
        "total_macs": total_macs,
        "dtype": dtype,
        "batch_size": batch,
        "param_bytes": params * size,
        "activation_bytes_per_sample": _times(activations, size),
        "activation_bytes_batch": _times(activations, size * batch),
    }
    return Extras(added, footer, explanations), fields


def _times(count: int | None, factor: int) -> int | None:
    return None if count is None else count * factor


def _count(macs: int | None) -> str:
    """A MACs cell: `?` where a size is open."""
    return "?" if macs is None else human(macs) if macs else "0"


def _bytes(elements: int | None, factor: int) -> str:
    return "?" if elements is None else readable_memory_size(elements * factor)
