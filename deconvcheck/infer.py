"""From a `Spec` to a model: layer objects, connections, and shapes and counts propagated through.

Two steps, so that later commands can re-run the cheap one:
- `build(spec)`: instantiate every layer (argument refusals), name the unnamed ones as Keras
  would, resolve connections, order the graph, find what feeds the outputs;
- `propagate(graph)`: compute every output shape and parameter count in graph order.
`infer(spec)` does both. Problems become diagnostics; nothing here raises for bad input.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from deconvcheck.diagnostics import Diagnostic, make
from deconvcheck.layers.base import AnyLayer, Params, Refusal, Role, Shape
from deconvcheck.layers.registry import INDEX, KERAS_NOT_YET, is_input, lookup
from deconvcheck.model import Graph, GraphNode, InferredLayer, Model
from deconvcheck.read.spec import RESERVED_LAYER_KEYS, LayerDecl, Pos, Spec, suggest

DEFAULT_MODEL_NAME = "functional"  # what Keras 3 names an unnamed functional model


def snake_case(name: str) -> str:
    """Keras's `to_snake_case`: Conv2DTranspose -> conv2d_transpose, InputLayer -> input_layer."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _diag(
    code: str, message: str, pos: Pos, layer: str | None, hint: str | None = None
) -> Diagnostic:
    """In a Keras model file (often one line), the layer's JSON path says where it is."""
    where = f" (at {pos.where})" if pos.where else ""
    return make(code, message + where, line=pos.line, column=pos.column, layer=layer, hint=hint)


def _instantiate(decl: LayerDecl, label: str, out: list[Diagnostic]) -> AnyLayer | None:
    cls = lookup(decl.type_name)
    if cls is None:
        out.append(_unknown_type(decl, label))
        return None
    known = cls.arg_names()
    unknown = [key for key in decl.args if key not in known]
    for key in unknown:
        out.append(
            _diag(
                "DC102",
                f"{cls.keras_name()} {label!r}: no argument {key!r}"
                f"{suggest(key, sorted(known | set(RESERVED_LAYER_KEYS)))}",
                decl.key_at(key),
                label,
                hint=f"its arguments are {', '.join(a.name for a in cls.ARGS)}",
            )
        )
    if unknown:
        return None
    raw = decl.args
    if isinstance(raw.get("model"), Spec):  # a nested model's declarations: a model to run
        raw = {**raw, "model": Submodel(raw["model"])}
    try:
        return cls.made(raw)
    except Refusal as refusal:
        pos = decl.value_at(refusal.arg or "")
        message = f"{cls.keras_name()} {label!r}: {refusal.message}"
        out.append(_diag(refusal.code, message, pos, label, refusal.hint))
        return None


class Submodel:
    """A nested model's declarations, built once and run on the shapes it is called with (the
    `model` of a nested-model layer)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.graph = build(spec)
        self.name = self.graph.name
        self._alone: Model | None = None
        # output_shape, weight_count and the cost columns each ask: propagated once per shapes
        self._runs: dict[tuple[Shape, ...], tuple[Shape, Params] | Refusal] = {}

    def run(self, inputs: Sequence[Shape]) -> tuple[Shape, Params]:
        key = tuple(inputs)
        if key not in self._runs:
            try:
                self._runs[key] = self._run(inputs)
            except Refusal as refusal:
                self._runs[key] = refusal
        found = self._runs[key]
        if isinstance(found, Refusal):
            raise found
        return found

    def standalone(self) -> Model:
        """Its layers at its own declared inputs (`summary --expand-nested`)."""
        if self._alone is None:
            self._alone = _as_listed(propagate(self.graph), self.spec)
        return self._alone

    def _run(self, inputs: Sequence[Shape]) -> tuple[Shape, Params]:
        graph = self.graph
        sources = [n for n in graph.order if graph.nodes[n].layer.ROLE is Role.INPUT]
        if len(sources) != len(inputs) or len(graph.outputs) != 1:
            raise Refusal(
                "DC109",
                f"model {self.name!r} has {len(sources)} input(s) and {len(graph.outputs)} "
                f"output(s); deconvcheck reads nested models of one input and one output",
            )
        model = propagate(graph, dict(zip(sources, inputs, strict=True)))
        errors = [d for d in model.diagnostics if d.severity == "error"]
        if errors:
            first = errors[0]
            raise Refusal(
                first.code, f"inside model {self.name!r}: {first.message}", hint=first.hint
            )
        return model.shapes[graph.outputs[0]], model.totals


def _unknown_type(decl: LayerDecl, label: str) -> Diagnostic:
    """DC101 naming the layer and its class: a Keras class not supported yet is said to be one;
    a user's own class, with where the file says it comes from, can be added by a plugin."""
    name = decl.type_name
    plugin = "a plugin can teach it to deconvcheck (README, 'Custom layers')"
    if name in KERAS_NOT_YET:
        message = f"layer {label!r}: Keras's {name} is not supported by deconvcheck yet"
        return _diag("DC101", message, decl.pos, label, hint=plugin)
    origin = f" (registered as {decl.origin!r})" if decl.origin else ""
    message = f"layer {label!r}: unknown layer type {name!r}{origin}{suggest(name, INDEX)}"
    hint = f"`deconvcheck layers` lists the supported types; {plugin}"
    return _diag("DC101", message, decl.pos, label, hint=hint)


def layer_names(decls: list[LayerDecl]) -> list[str]:
    """Explicit names as given; others as Keras's `uniquify(snake_case(class))` would name them."""
    counts: dict[str, int] = defaultdict(int)
    prefixes: dict[str, str] = {}  # by type name
    names = []
    for decl in decls:
        if decl.name is not None:
            names.append(decl.name)
            continue
        prefix = prefixes.get(decl.type_name)
        if prefix is None:
            cls = lookup(decl.type_name)
            prefix = snake_case(cls.keras_name() if cls else decl.type_name)
            prefixes[decl.type_name] = prefix
        names.append(prefix if counts[prefix] == 0 else f"{prefix}_{counts[prefix]}")
        counts[prefix] += 1
    return names


def build(spec: Spec) -> Graph:
    """Layers, names and connections; diagnostics for everything that cannot be built."""
    diags: list[Diagnostic] = []
    names = layer_names(spec.layers)
    first_pos: dict[str, Pos] = {}
    for decl, name in zip(spec.layers, names, strict=True):
        if name in first_pos:
            auto = "" if decl.name else " (the name Keras gives this unnamed layer)"
            diags.append(
                _diag(
                    "DC105",
                    f"layer name {name!r}{auto} is already used at line {first_pos[name].line}; "
                    "Keras requires unique names",
                    decl.pos,
                    name,
                    hint="give the layer a name of its own",
                )
            )
        else:
            first_pos[name] = decl.pos

    nodes: dict[str, GraphNode] = {}
    known = set(names)
    for i, (decl, name) in enumerate(zip(spec.layers, names, strict=True)):
        layer = _instantiate(decl, name, diags)
        if layer is None or name in nodes:
            continue
        inputs = _connect(decl, layer, name, names[i - 1] if i else None, known, diags)
        if inputs is not None:
            nodes[name] = GraphNode(decl, layer, name, inputs)

    if spec.layers and not any(_is_input(d) for d in spec.layers):
        diags.append(
            _diag(
                "DC108",
                "the model has no Input layer",
                spec.layers[0].pos,
                None,
                hint="start `layers:` with `- {type: Input, shape: [height, width, channels]}`",
            )
        )
    outputs = _outputs(spec, names, diags)
    roots = [o for o in outputs if o in nodes]
    if diags:
        # A broken model still shows what can be inferred: every built layer is a root too.
        roots += [name for name in reversed(list(nodes)) if name not in roots]
    order, cyclic = _keras_order(nodes, roots)
    # Layers that lead to no output are not in the model, but the code that builds it calls
    # them: a refusal there is the model's. They are inferred after the model's own layers.
    placed = set(order)
    loose = [name for name in reversed(list(nodes)) if name not in placed]
    dangling = _keras_order(nodes, loose)[0] if loose and not cyclic else []
    for name in cyclic:
        diags.append(
            _diag(
                "DC107",
                f"layer {name!r} depends on itself through its inputs",
                nodes[name].decl.pos,
                name,
                hint="a layer can only take inputs from layers that do not depend on it",
            )
        )
    # Only a graph that built cleanly is worth this warning: a broken link would make every
    # layer before it look unused. Built cleanly, every declaration is a node linked as declared,
    # so the layers the outputs depend on are the ones the order placed.
    unused = None if diags else next((name for name in nodes if name not in placed), None)
    if unused is not None:
        diags.append(
            _diag(
                "DC208",
                f"layer {unused!r} does not lead to the model's outputs "
                f"({', '.join(outputs)}), so Keras leaves it out of the model",
                nodes[unused].decl.pos,
                unused,
                hint="connect it, or list it under `outputs:`",
            )
        )
    return Graph(
        path=spec.path,
        name=spec.name or DEFAULT_MODEL_NAME,
        nodes=nodes,
        order=order,
        outputs=outputs,
        sequential_like=_sequential_like(nodes, order, outputs),
        dangling=[name for name in dangling if name not in placed],
        declared=len(spec.layers),
        layout=next(
            (f for n in nodes.values() if (f := n.layer.layout()) == "channels_first"),
            "channels_last",
        ),
        diagnostics=[d.at(spec.path) for d in diags],
    )


def with_input_shape(spec: Spec, shape: tuple[int | None, ...]) -> Diagnostic | None:
    """Give the spec's one Input layer another shape (without the batch axis), to try another
    size without editing the file; a diagnostic when the spec has not exactly one."""
    inputs = [decl for decl in spec.layers if _is_input(decl)]
    if len(inputs) != 1:
        return make(
            "DC109",
            f"--input-shape needs a spec with exactly one Input layer; this one has {len(inputs)}",
        ).at(spec.path)
    inputs[0].args["shape"] = list(shape)
    return None


def _is_input(decl: LayerDecl) -> bool:
    return is_input(decl.type_name)


def _connect(
    decl: LayerDecl,
    layer: AnyLayer,
    name: str,
    previous: str | None,
    known: set[str],
    diags: list[Diagnostic],
) -> list[str] | None:
    """The names of a layer's inputs: explicit `inputs:`, or else the layer above it."""
    cls = type(layer)
    if decl.inputs is None:
        if cls.MAX_INPUTS == 0:
            return []
        if cls.ROLE is Role.MERGE:
            diags.append(
                _diag(
                    "DC109",
                    f"{cls.keras_name()} joins several tensors: name them with `inputs: [a, b]`",
                    decl.pos,
                    name,
                )
            )
            return None
        if previous is None:
            diags.append(
                _diag(
                    "DC109",
                    f"{cls.keras_name()} is the first layer, so it has no input",
                    decl.pos,
                    name,
                    hint="start `layers:` with an Input layer",
                )
            )
            return None
        return [previous]
    count = len(decl.inputs)
    if count < cls.MIN_INPUTS or (cls.MAX_INPUTS is not None and count > cls.MAX_INPUTS):
        if cls.MAX_INPUTS == 0:
            expected = "no inputs"
        elif cls.MAX_INPUTS == 1:
            expected = "one input"
        elif cls.MAX_INPUTS == cls.MIN_INPUTS:
            expected = f"exactly {cls.MIN_INPUTS} inputs"
        else:
            expected = f"at least {cls.MIN_INPUTS} input"
        message = f"{cls.keras_name()} takes {expected}; received {count}"
        diags.append(_diag("DC109", message, decl.pos, name))
        return None
    missing = [(ref, pos) for ref, pos in decl.inputs if ref not in known]
    for ref, pos in missing:
        diags.append(
            _diag(
                "DC106",
                f"input {ref!r} of layer {name!r} is not a layer of this spec{suggest(ref, known)}",
                pos,
                name,
            )
        )
    return None if missing else [ref for ref, _ in decl.inputs]


def _outputs(spec: Spec, names: list[str], diags: list[Diagnostic]) -> list[str]:
    if spec.outputs is None:
        return names[-1:]
    result = []
    for ref, pos in spec.outputs:
        if ref in names:
            result.append(ref)
        else:
            diags.append(
                _diag(
                    "DC106",
                    f"output {ref!r} is not a layer of this spec{suggest(ref, names)}",
                    pos,
                    None,
                )
            )
    return result


def _keras_order(nodes: Mapping[str, GraphNode], outputs: list[str]) -> tuple[list[str], list[str]]:
    """Keras's `map_graph` order: a DFS from the outputs numbers the layers (pre-order); each
    layer's depth is its longest distance to an output; layers are listed by decreasing depth,
    ties by DFS number. Also returns the layers found on a cycle."""
    index: dict[str, int] = {}  # DFS pre-order number of every layer reached
    done: set[str] = set()
    post: list[str] = []
    cyclic: list[str] = []
    links = {name: [i for i in node.inputs if i in nodes] for name, node in nodes.items()}
    for out in outputs:  # an iterative DFS: a spec may have thousands of layers
        if out in index:
            continue
        index[out] = len(index)
        stack = [(out, iter(links[out]))]
        while stack:
            name, inputs = stack[-1]
            for parent in inputs:
                if parent not in index:
                    index[parent] = len(index)
                    stack.append((parent, iter(links[parent])))
                    break
                if parent not in done and parent not in cyclic:  # on the path: a cycle
                    cyclic.append(parent)
            else:
                done.add(name)
                post.append(name)
                stack.pop()
    if cyclic:
        return [], cyclic
    depth = dict.fromkeys(post, 0)
    for name in reversed(post):
        below = depth[name] + 1
        for parent in links[name]:
            depth[parent] = max(depth[parent], below)
    order = sorted(post, key=lambda n: (-depth[n], index[n]))
    return order, []


def _sequential_like(nodes: Mapping[str, GraphNode], order: list[str], outputs: list[str]) -> bool:
    """Keras shows the "Connected to" column unless the model is one plain chain."""
    if len(outputs) != 1:
        return False
    consumers: dict[str, int] = defaultdict(int)
    for name in order:
        node = nodes[name]
        if len(node.inputs) > 1:
            return False
        for parent in node.inputs:
            consumers[parent] += 1
    inputs = [n for n in order if not nodes[n].inputs]
    return len(inputs) == 1 and all(count == 1 for count in consumers.values())


def propagate(graph: Graph, input_shapes: Mapping[str, Shape] | None = None) -> Model:
    """Shapes and counts in graph order. `input_shapes` overrides Input layers' shapes (with
    batch axis), for commands that try other sizes without re-reading the file."""
    shapes: dict[str, Shape] = {}
    layers: list[InferredLayer] = []
    diags: list[Diagnostic] = list(graph.diagnostics)
    listed = len(graph.order)
    for index, name in enumerate(graph.order + graph.dangling):
        node = graph.nodes[name]
        try:
            ins = [shapes[parent] for parent in node.inputs]
        except KeyError:
            continue  # an input failed: its own diagnostic says why
        try:
            if input_shapes is not None and name in input_shapes:
                shape, params = input_shapes[name], node.layer.param_count(ins)
            else:
                shape, params = node.layer.called(ins)
        except Refusal as refusal:
            pos = node.decl.value_at(refusal.arg or "")
            message = f"{type(node.layer).keras_name()} {name!r}: {refusal.message}"
            diags.append(_diag(refusal.code, message, pos, name, refusal.hint).at(graph.path))
            continue
        shapes[name] = shape
        if index >= listed:
            continue  # called by the code, but not a layer of the model
        layers.append(
            InferredLayer(
                name=name,
                type=type(node.layer).keras_name(),
                output_shape=shape,
                params=params,
                inputs=tuple(node.inputs),
                line=node.decl.pos.line,
                column=node.decl.pos.column,
                role=node.layer.ROLE,
                trainable=node.layer.trainable,
            )
        )
    return Model(
        path=graph.path,
        name=graph.name,
        layers=layers,
        outputs=graph.outputs,
        sequential_like=graph.sequential_like,
        diagnostics=sorted(diags, key=lambda d: (d.line, d.column, d.code)),
        graph=graph,
        expected=graph.declared - len(graph.dangling),
    )


def infer(spec: Spec) -> Model:
    """The whole pipeline after loading: build the graph, then propagate."""
    graph = build(spec)
    graph.diagnostics[:0] = spec.diagnostics
    return _as_listed(propagate(graph), spec)


def _as_listed(model: Model, spec: Spec) -> Model:
    """The model's layers as Keras lists them: a Sequential model's summary (and a nested
    Sequential's expanded rows) has no InputLayer."""
    if not spec.sequential:
        return model
    layers = [layer for layer in model.layers if layer.role is not Role.INPUT]
    inputs = sum(_is_input(decl) for decl in spec.layers)
    return model._replace(layers=layers, sequential_like=True, expected=model.expected - inputs)
