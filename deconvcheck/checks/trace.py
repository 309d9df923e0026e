"""Follow spatial sizes through a model: which layers a layer depends on, where the size was
lost, the sizes along a path, and whether the output gives back the input. (Where each layer
changes the size is `model.steps`.)"""

from __future__ import annotations

from deconvcheck.model import Graph, Model, Ref, Step, sizes_text, steps


def ancestors(graph: Graph, tensor: Ref) -> list[str]:
    """Every layer the tensor depends on, nearest first (breadth-first), its own included,
    following the calls that made it (a shared layer's other calls are not its past)."""
    seen: list[str] = []
    visited: set[tuple[str, int]] = set()
    queue = [(tensor.layer, tensor.call)]
    while queue:
        step = queue.pop(0)
        node = graph.nodes.get(step[0])
        if step in visited or node is None or step[1] >= len(node.calls):
            continue
        visited.add(step)
        if step[0] not in seen:
            seen.append(step[0])
        call = node.calls[step[1]]
        if call is not None:
            queue.extend((ref.layer, ref.call) for ref in call.inputs)
    return seen


def first_lossy(model: Model, names: list[str], *, lossy: bool = True) -> Step | None:
    """The lossy step (with `lossy=False`: any change of size) closest to the model's inputs
    among `names` (in graph order)."""
    found = steps(model)
    ordered = [
        n for n in model.graph.order if n in names and n in found and (found[n].lossy or not lossy)
    ]
    return found[ordered[0]] if ordered else None


def path_sizes(model: Model, output: Ref) -> str:
    """`160 → 80 → ... → 160` along the first-input chain of calls ending at `output`."""
    graph = model.graph
    chain = []
    tensor: Ref | None = output
    while tensor is not None and (shape := model.tensor(tensor)) is not None:
        chain.append(sizes_text(model.spatial(shape)))
        call = graph.nodes[tensor.layer].calls[tensor.call]
        tensor = call.inputs[0] if call is not None and call.inputs else None
    collapsed = [
        s for i, s in enumerate(reversed(chain)) if i == 0 or s != list(reversed(chain))[i - 1]
    ]
    return " → ".join(collapsed)


def restored(model: Model, mode: str) -> bool | None:
    """Does the single output give back the single input (None: not applicable)?"""
    ends = model.ends()
    if ends is None:
        return None
    src, dst = ends[0].output_shape, ends[1].output_shape
    if None in src[1:] or None in dst[1:]:
        return None  # an unknown size cannot be compared
    if mode == "shape":
        return src[1:] == dst[1:]
    return model.spatial(src) == model.spatial(dst)


def works(model: Model, mode: str | None) -> bool:
    return model.ok and (mode is None or restored(model, mode) is not False)
