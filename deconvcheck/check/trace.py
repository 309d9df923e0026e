"""Follow spatial sizes through a model: which layers a layer depends on, where the size was
lost, the sizes along a path, and whether the output gives back the input. (Where each layer
changes the size is `model.steps`.)"""

from __future__ import annotations

from deconvcheck.model import Graph, Model, Step, sizes_text, steps


def ancestors(graph: Graph, name: str) -> list[str]:
    """Every layer `name` depends on, nearest first (breadth-first), itself included."""
    seen: list[str] = []
    queue = [name]
    while queue:
        current = queue.pop(0)
        if current in seen or current not in graph.nodes:
            continue
        seen.append(current)
        queue.extend(graph.nodes[current].inputs)
    return seen


def first_lossy(model: Model, names: list[str]) -> Step | None:
    """The lossy step closest to the model's inputs among `names` (in graph order)."""
    found = steps(model)
    ordered = [n for n in model.graph.order if n in names and n in found and found[n].lossy]
    return found[ordered[0]] if ordered else None


def path_sizes(model: Model, output: str) -> str:
    """`160 → 80 → ... → 160` along the first-input chain ending at `output`."""
    graph, shapes = model.graph, model.shapes
    chain = []
    name: str | None = output
    while name is not None and name in shapes:
        chain.append(sizes_text(model.spatial(shapes[name])))
        inputs = graph.nodes[name].inputs
        name = inputs[0] if inputs else None
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
