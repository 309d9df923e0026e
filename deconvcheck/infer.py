"""From a `Spec` to a model: layer objects, connections, and shapes and counts propagated through.

Two steps, so that later commands can re-run the cheap one:
- `build(spec)`: make the models the spec nests, in a pass of their own (innermost first), then
  instantiate every layer (argument refusals), name the unnamed ones as Keras would, resolve
  connections, order the graph, find what feeds the outputs;
- `propagate(graph)`: compute every output shape and parameter count in graph order; the one
  pass that runs a graph, for the model, a nested model's calls, `check`'s trials at other
  sizes and the repairs it verifies (`sizes`, which tries thousands of sizes without counts,
  runs the same graph through its own shape-only loop).
`infer(spec)` does both. Problems become diagnostics; nothing here raises for bad input.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence

from deconvcheck.diagnostics import Code, Diagnostic, make
from deconvcheck.layers.base import AnyLayer, Params, Refusal, Role, Shape, format_shape
from deconvcheck.layers.registry import INDEX, KERAS_NOT_YET, is_input, lookup
from deconvcheck.memo import MEMO
from deconvcheck.model import Call, Graph, GraphNode, InferredCall, InferredLayer, Model, Ref
from deconvcheck.read.spec import RESERVED_LAYER_KEYS, CallDecl, LayerDecl, Pos, Spec, suggest
from deconvcheck.record import Record

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


def _instantiate(
    decl: LayerDecl, label: str, out: list[Diagnostic], nested: Mapping[int, Submodel]
) -> AnyLayer | None:
    cls = lookup(decl.type_name)
    if cls is None:
        out.append(_unknown_type(decl, label))
        return None
    known = cls.arg_names()
    # nearly always every argument is known: one set test, not a test per argument
    unknown = [] if known.issuperset(decl.args) else [k for k in decl.args if k not in known]
    for key in unknown:
        out.append(
            _diag(
                Code.UNKNOWN_ARGUMENT,
                f"{cls.keras_name()} {label!r}: no argument {key!r}"
                f"{_near(key, tuple(sorted(known | set(RESERVED_LAYER_KEYS))))}",
                decl.key_at(key),
                label,
                hint=f"its arguments are {', '.join(a.name for a in cls.ARGS)}",
            )
        )
    if unknown:
        return None
    raw = decl.args
    if "model" in raw and isinstance(raw["model"], Spec):  # a nested model: its model, made
        raw = {**raw, "model": nested[id(raw["model"])]}
    try:
        return cls.made(raw)
    except Refusal as refusal:
        pos = decl.value_at(refusal.arg or "")
        message = f"{cls.keras_name()} {label!r}: {refusal.message}"
        out.append(_diag(refusal.code, message, pos, label, refusal.hint))
        return None


def _near(key: str, names: tuple[str, ...]) -> str:
    """`; did you mean 'x'?` for an unknown argument, worked out once per (argument, type): a
    spec of 64,500 layers with the same 14 typos asked difflib 900,000 times (12 s)."""
    found: str | None = MEMO.suggestions.get((key, names))
    if found is None:
        found = MEMO.suggestions.keep((key, names), suggest(key, names))
    return found


def _nested_models(spec: Spec) -> dict[int, Submodel]:
    """Every model the spec nests, at any depth (a backbone inside a backbone), made in a pass
    of its own before the spec's graph is built: each after the models it nests, so that its
    own graph is built with them already made. By the identity of its declarations."""
    found: list[Spec] = []  # each after the model that nests it
    seen: set[int] = set()
    stack = [spec]
    while stack:
        for decl in stack.pop().layers:
            inner = decl.args.get("model")
            if isinstance(inner, Spec) and id(inner) not in seen:
                seen.add(id(inner))
                found.append(inner)
                stack.append(inner)
    made: dict[int, Submodel] = {}
    for inner in reversed(found):  # the innermost first
        made[id(inner)] = Submodel(inner, made)
    return made


class Submodel:
    """A nested model's declarations, built once and run on the shapes it is called with (the
    `model` of a nested-model layer): its inputs in the model's order, its outputs as tensors.
    Made by `_nested_models`, with the models it nests in turn already made (`nested`)."""

    def __init__(self, spec: Spec, nested: Mapping[int, Submodel]) -> None:
        self.spec = spec
        self.graph = _graph(spec, nested)
        self.name = self.graph.name
        declared = [n for n, node in self.graph.nodes.items() if node.layer.ROLE is Role.INPUT]
        self.inputs = list(self.graph.inputs) or declared
        self.outputs = len(self.graph.output_refs)

    def run(self, inputs: Sequence[Shape]) -> tuple[tuple[Shape, ...], Params]:
        """Its outputs and totals on `inputs`; output_shape, weight_count and the cost columns
        each ask, so each answer (or refusal) is kept in deconvcheck.memo."""
        key = tuple(inputs)
        found: tuple[tuple[Shape, ...], Params] | Refusal | None = MEMO.calls.get(self, key)
        if found is None:
            try:
                found = self._run(inputs)
            except Refusal as refusal:
                found = refusal
            MEMO.calls.keep(self, key, found)
        if isinstance(found, Refusal):
            raise found
        return found

    def standalone(self) -> Model:
        """Its layers at its own declared inputs (`summary --expand-nested`)."""
        alone: Model | None = MEMO.calls.get(self, "standalone")
        if alone is None:
            alone = MEMO.calls.keep(
                self, "standalone", _as_listed(propagate(self.graph), self.spec)
            )
        return alone

    def _run(self, inputs: Sequence[Shape]) -> tuple[tuple[Shape, ...], Params]:
        graph, sources = self.graph, self.inputs
        if len(sources) != len(inputs):
            raise Refusal(
                Code.INPUT_COUNT,
                f"model {self.name!r} takes {len(sources)} input(s); received {len(inputs)}",
            )
        for index, (source, given) in enumerate(zip(sources, inputs, strict=True)):
            node = graph.nodes.get(source)
            declared = node.layer.output_shape([]) if node is not None else None
            if declared is not None and not _takes(declared, given):
                raise Refusal(
                    Code.NESTED_INPUT_REFUSED,
                    f"model {self.name!r} takes {format_shape(declared)} at input {index} "
                    f"({source!r}); received {format_shape(given)}",
                    hint="call it on tensors its Input takes, or declare the Input's varying "
                    "sizes as null",
                )
        model = propagate(graph, dict(zip(sources, inputs, strict=True)))
        errors = [d for d in model.diagnostics if d.severity == "error"]
        if errors:
            first = errors[0]
            raise Refusal(
                first.code, f"inside model {self.name!r}: {first.message}", hint=first.hint
            )
        refs = graph.output_refs
        return tuple(model.tensors[r.layer, r.call][r.output] for r in refs), model.totals


def _takes(declared: Shape, given: Shape) -> bool:
    """Keras's check of a call of a model against its Input's shape (the batch axis aside): a
    last axis of 1 is dropped from either, then the sizes both know must agree, as far as the
    shorter reaches (so a model built for 3 channels takes 1)."""
    want, have = list(declared[1:]), list(given[1:])
    if want and want[-1] == 1:
        want.pop()
    if have and have[-1] == 1:
        have.pop()
    return all(a is None or b is None or a == b for a, b in zip(want, have, strict=False))


def _unknown_type(decl: LayerDecl, label: str) -> Diagnostic:
    """DC101 naming the layer and its class: a Keras class not supported yet is said to be one;
    a user's own class, with where the file says it comes from, can be added by a plugin."""
    name = decl.type_name
    plugin = "a plugin can teach it to deconvcheck (README, 'Custom layers')"
    if name in KERAS_NOT_YET:
        message = f"layer {label!r}: Keras's {name} is not supported by deconvcheck yet"
        return _diag(Code.UNKNOWN_LAYER_TYPE, message, decl.pos, label, hint=plugin)
    origin = f" (registered as {decl.origin!r})" if decl.origin else ""
    message = f"layer {label!r}: unknown layer type {name!r}{origin}{suggest(name, INDEX)}"
    hint = f"`deconvcheck layers` lists the supported types; {plugin}"
    return _diag(Code.UNKNOWN_LAYER_TYPE, message, decl.pos, label, hint=hint)


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


_REF = r"(.+)\[(\d{1,30})\]\[(\d{1,30})\]"  # re.fullmatch, compiled when a spec names one


def parse_ref(text: str, known: Mapping[str, object]) -> Ref | None:
    """A tensor as a spec names it: a layer's name (its first call's first output), or Keras's
    `name[call][output]`; None when `text` names no layer. A name that is itself written like
    `x[1][0]` is that layer."""
    if text in known:
        return Ref(text)
    match = re.fullmatch(_REF, text)
    if match is None or match[1] not in known:
        return None
    return Ref(match[1], int(match[2]), int(match[3]))


def _entries(spec: Spec) -> Iterator[LayerDecl | CallDecl]:
    """The declarations and the later calls in file order: a call follows the `after` layers
    declared above it."""
    calls = iter(spec.calls)
    call = next(calls, None)
    for index, decl in enumerate(spec.layers):
        while call is not None and call.after <= index:
            yield call
            call = next(calls, None)
        yield decl
    while call is not None:
        yield call
        call = next(calls, None)


def build(spec: Spec) -> Graph:
    """Layers, names, calls and connections; diagnostics for everything that cannot be built.
    The models it nests are made first, in a pass of their own (`_nested_models`)."""
    return _graph(spec, _nested_models(spec))


def _graph(spec: Spec, nested: Mapping[int, Submodel]) -> Graph:
    diags: list[Diagnostic] = []
    names = layer_names(spec.layers)
    first_pos: dict[str, Pos] = {}
    for decl, name in zip(spec.layers, names, strict=True):
        if name in first_pos:
            auto = "" if decl.name else " (the name Keras gives this unnamed layer)"
            diags.append(
                _diag(
                    Code.DUPLICATE_NAME,
                    f"layer name {name!r}{auto} is already used at line {first_pos[name].line}; "
                    "Keras requires unique names",
                    decl.pos,
                    name,
                    hint="give the layer a name of its own",
                )
            )
        else:
            first_pos[name] = decl.pos

    known = dict.fromkeys(names, 0)  # each layer's number of later calls
    for call_decl in spec.calls:
        if call_decl.layer in known:
            known[call_decl.layer] += 1
    nodes, previous = _wire(spec, names, known, diags, nested)
    if spec.layers and not any(_is_input(d) for d in spec.layers):
        diags.append(
            _diag(
                Code.NO_INPUT,
                "the model has no Input layer",
                spec.layers[0].pos,
                None,
                hint="start `layers:` with `- {type: Input, shape: [height, width, channels]}`",
            )
        )
    output_refs = _outputs(spec, previous, known, diags)
    nodes = _outputs_exist(nodes, output_refs, diags)
    outputs = list(dict.fromkeys(ref.layer for ref in output_refs))
    roots = [(r.layer, r.call) for r in output_refs if _built(nodes, r.layer, r.call)]
    if diags:
        # A broken model still shows what can be inferred: every built call is a root too.
        roots += [step for name in reversed(list(nodes)) for step in _steps(nodes[name])]
    model_inputs = _model_inputs(spec, nodes, diags)
    chain = _chain_order(nodes, roots)
    ordered = chain or _keras_order(nodes, roots, inputs=model_inputs)
    order, cyclic = ordered.layers, ordered.cyclic
    # Layers that lead to no output are not in the model, but the code that builds it calls
    # them: a refusal there is the model's. They are inferred after the model's own layers.
    placed = set(order)
    reached = frozenset(ordered.calls)
    every_call = sum(len(node.calls) for node in nodes.values())
    loose = [
        step
        for name in reversed(list(nodes))
        for step in _steps(nodes[name])
        if step not in reached
    ] if len(reached) < every_call else []  # fmt: skip
    extra = [
        step
        for step in (_keras_order(nodes, loose).calls if loose and not cyclic else [])
        if step not in reached
    ]
    # Inferred with each layer's calls in their order: its weights are made at the first.
    steps = [*ordered.calls, *extra]
    scheduled = _keras_order(nodes, steps, in_call_order=True) if len(steps) > len(nodes) else None
    if scheduled is not None:
        cyclic += [name for name in scheduled.cyclic if name not in cyclic]
        steps = scheduled.calls
    for name in cyclic:
        diags.append(
            _diag(
                Code.CYCLE,
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
                Code.DISCONNECTED,
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
        sequential_like=chain is not None or _sequential_like(nodes, ordered),
        dangling=list(dict.fromkeys(name for name, _ in extra if name not in placed)),
        declared=len(spec.layers),
        layout=next(
            (f for n in nodes.values() if (f := n.layer.layout()) == "channels_first"),
            "channels_last",
        ),
        # What reading found comes first (the graph is built with it, not told of it later).
        diagnostics=[*spec.diagnostics, *(d.at(spec.path) for d in diags)],
        schedule=steps if not cyclic else [],
        reached=reached,
        output_refs=tuple(output_refs),
        inputs=tuple(model_inputs),
        followed=spec.complete,
        execution=(
            *sorted(ordered.depths, key=lambda step: -ordered.depths[step]),
            *(step for step in extra if step not in ordered.depths),
        ),
    )


def _wire(
    spec: Spec,
    names: list[str],
    known: Mapping[str, int],
    diags: list[Diagnostic],
    nested: Mapping[int, Submodel],
) -> tuple[dict[str, GraphNode], Ref | None]:
    """Every layer made and every call connected, in file order; also the last entry's tensor
    (the output of a spec that does not name one)."""
    made: dict[str, AnyLayer] = {}
    calls: dict[str, list[Call | None]] = {}  # every call of every declared layer, in order
    declared: dict[str, LayerDecl] = {}
    previous: Ref | None = None  # the tensor of the entry above
    numbers = iter(names)
    for entry in _entries(spec):
        if isinstance(entry, LayerDecl):
            name = next(numbers)
            if name in declared:  # a duplicate name: reported above
                previous = None
                continue
            declared[name] = entry
            calls[name] = []
            layer = _instantiate(entry, name, diags, nested)
            refs = None
            if layer is not None:
                made[name] = layer
                refs = _connect(entry.inputs, entry.pos, layer, name, previous, known, diags)
            calls[name].append(None if refs is None else Call(refs, entry.pos))
            previous = Ref(name)
            continue
        target = entry.layer
        if target not in calls:
            diags.append(
                _diag(
                    Code.UNKNOWN_REFERENCE,
                    f"`call: {target}` calls a layer that is not declared above it"
                    f"{suggest(target, calls or names)}",
                    entry.pos,
                    None,
                    hint="declare the layer first (with `type:`), then call it again with `call:`",
                )
            )
            previous = None
            continue
        refs = None
        if target in made and made[target].MAX_INPUTS == 0:  # an Input is named, not called
            diags.append(
                _diag(
                    Code.INPUT_COUNT,
                    f"`call: {target}` calls an Input layer, which takes no inputs",
                    entry.pos,
                    target,
                    hint=f"name it in the `inputs:` of the layers that take it: `[{target}]`",
                )
            )
        elif target in made:
            refs = _connect(entry.inputs, entry.pos, made[target], target, previous, known, diags)
        calls[target].append(None if refs is None else Call(refs, entry.pos))
        previous = Ref(target, len(calls[target]) - 1)
    nodes: dict[str, GraphNode] = {}
    for name, layer in made.items():
        first = calls[name][0]
        if first is not None:
            inputs = [ref.layer for ref in first.inputs]
            nodes[name] = GraphNode(declared[name], layer, name, inputs, tuple(calls[name]))
    return nodes, previous


def _outputs_exist(
    nodes: dict[str, GraphNode], outputs: list[Ref], diags: list[Diagnostic]
) -> dict[str, GraphNode]:
    """The graph without the calls that take an output their layer does not give (DC106), and
    `outputs` without such tensors."""

    def missing(ref: Ref) -> bool:
        node = nodes.get(ref.layer)
        return node is not None and ref.output >= node.layer.output_count()

    def said(ref: Ref, what: str, pos: Pos, layer: str | None) -> None:
        count = nodes[ref.layer].layer.output_count()
        gives = "one output (output 0)" if count == 1 else f"{count} outputs (0 to {count - 1})"
        message = (
            f"{what} {str(ref)!r} names output {ref.output} of {ref.layer!r}, which gives {gives}"
        )
        diags.append(_diag(Code.UNKNOWN_REFERENCE, message, pos, layer))

    for name, node in list(nodes.items()):
        calls: list[Call | None] | None = None  # a copy, made when a call is dropped
        for k, call in enumerate(node.calls):
            if call is None or not any(map(missing, call.inputs)):
                continue
            for ref in filter(missing, call.inputs):
                said(ref, f"input of layer {name!r}", call.pos, name)
            calls = list(node.calls) if calls is None else calls
            calls[k] = None
        if calls is not None:
            nodes[name] = node._replace(calls=tuple(calls))
    for ref in outputs:
        if missing(ref):
            said(ref, "output", Pos(), None)
    outputs[:] = [ref for ref in outputs if not missing(ref)]
    return {name: node for name, node in nodes.items() if node.calls[0] is not None}


def _model_inputs(spec: Spec, nodes: Mapping[str, GraphNode], diags: list[Diagnostic]) -> list[str]:
    """`inputs:`, each an Input layer of the spec (DC106, DC109 where not)."""
    found = []
    places = spec.input_places or [Pos()] * len(spec.input_order or ())
    for name, pos in zip(spec.input_order or (), places, strict=False):
        node = nodes.get(name)
        if node is None and not any(d.layer == name for d in diags):
            known = [n for n, other in nodes.items() if other.layer.MAX_INPUTS == 0]
            message = (
                f"model input {name!r} is not an Input layer of this spec{suggest(name, known)}"
            )
            diags.append(_diag(Code.UNKNOWN_REFERENCE, message, pos, None))
        elif node is not None and node.layer.MAX_INPUTS != 0:
            kind = node.layer.keras_name()
            diags.append(
                _diag(
                    Code.INPUT_COUNT, f"model input {name!r} is a {kind}, not an Input", pos, name
                )
            )
        elif node is not None:
            found.append(name)
    return found


def _steps(node: GraphNode) -> list[tuple[str, int]]:
    """The calls of a layer that could be connected."""
    return [(node.name, k) for k, call in enumerate(node.calls) if call is not None]


def _built(nodes: Mapping[str, GraphNode], name: str, call: int) -> bool:
    node = nodes.get(name)
    return node is not None and call < len(node.calls) and node.calls[call] is not None


def with_input_shape(spec: Spec, shape: tuple[int | None, ...]) -> Spec | Diagnostic:
    """The spec with its one Input layer given another shape (without the batch axis), to try
    another size without editing the file; the spec read is left as it was (a check at another
    size, then a summary, shows the file's own sizes). A diagnostic when the spec has not
    exactly one Input."""
    inputs = [i for i, decl in enumerate(spec.layers) if _is_input(decl)]
    if len(inputs) != 1:
        return make(
            Code.INPUT_COUNT,
            f"--input-shape needs a spec with exactly one Input layer; this one has {len(inputs)}",
        ).at(spec.path)
    import copy  # noqa: PLC0415 - only for --input-shape

    resized = copy.copy(spec.layers[inputs[0]])
    resized.args = {**resized.args, "shape": list(shape)}
    changed = copy.copy(spec)
    changed.layers = [resized if i == inputs[0] else d for i, d in enumerate(spec.layers)]
    return changed


def _is_input(decl: LayerDecl) -> bool:
    return is_input(decl.type_name)


def _connect(
    written: list[tuple[str, Pos]] | None,
    pos: Pos,
    layer: AnyLayer,
    name: str,
    previous: Ref | None,
    known: Mapping[str, int],
    diags: list[Diagnostic],
) -> tuple[Ref, ...] | None:
    """The tensors a call takes: its explicit `inputs:`, or else the entry above it."""
    cls = type(layer)
    if written is None:
        if cls.MAX_INPUTS == 0:
            return ()
        if cls.ROLE is Role.MERGE:
            diags.append(
                _diag(
                    Code.INPUT_COUNT,
                    f"{cls.keras_name()} joins several tensors: name them with `inputs: [a, b]`",
                    pos,
                    name,
                )
            )
            return None
        if previous is None:
            diags.append(
                _diag(
                    Code.INPUT_COUNT,
                    f"{cls.keras_name()} is the first layer, so it has no input",
                    pos,
                    name,
                    hint="start `layers:` with an Input layer",
                )
            )
            return None
        return (previous,)
    count = len(written)
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
        diags.append(_diag(Code.INPUT_COUNT, message, pos, name))
        return None
    refs = [
        _tensor(text, where, f"input {{}} of layer {name!r}", known, diags, name)
        for text, where in written
    ]
    return None if None in refs else tuple(r for r in refs if r is not None)


def _tensor(
    text: str,
    pos: Pos,
    what: str,
    known: Mapping[str, int],
    diags: list[Diagnostic],
    layer: str | None,
) -> Ref | None:
    """A tensor a spec names, or a DC106 that says which part names nothing."""
    ref = parse_ref(text, known)
    if ref is None:
        match = re.fullmatch(_REF, text)
        named = match[1] if match is not None else text
        message = f"{what.format(repr(text))} is not a layer of this spec{suggest(named, known)}"
        diags.append(_diag(Code.UNKNOWN_REFERENCE, message, pos, layer))
        return None
    count = known[ref.layer] + 1
    if ref.call >= count:
        times = "once (call 0)" if count == 1 else f"{count} times (calls 0 to {count - 1})"
        diags.append(
            _diag(
                Code.UNKNOWN_REFERENCE,
                f"{what.format(repr(text))} names call {ref.call} of {ref.layer!r}, "
                f"which is called {times}",
                pos,
                layer,
                hint=f"name one of its calls: `{ref.layer}`"
                + (f" to `{ref.layer}[{count - 1}][0]`" if count > 1 else ""),
            )
        )
        return None
    return ref


def _outputs(
    spec: Spec, last: Ref | None, known: Mapping[str, int], diags: list[Diagnostic]
) -> list[Ref]:
    """The model's output tensors: `outputs:`, or else the last entry's."""
    if spec.outputs is None:
        return [last] if last is not None else []
    refs = [_tensor(text, pos, "output {}", known, diags, None) for text, pos in spec.outputs]
    return [ref for ref in refs if ref is not None]


class _Order(Record):
    layers: list[str]  # Keras's `model.layers` order
    calls: list[tuple[str, int]]  # every call reached, each after the calls it takes
    cyclic: list[str]  # layers found on a cycle (then nothing is ordered)
    depths: dict[tuple[str, int], int]  # each call's depth: its longest distance to an output


def _chain_order(nodes: Mapping[str, GraphNode], roots: list[tuple[str, int]]) -> _Order | None:
    """`_keras_order` of a plain chain (each layer called once, on the tensor of the layer
    declared above it; the first an Input; the output the last): the file's order, each call
    one deeper than the next. None for any other graph. Found in one pass where the search
    takes a dozen dictionary operations a call (tests/test_random_models.py holds the two
    to the same answer)."""
    names = list(nodes)
    if not names or roots != [(names[-1], 0)]:
        return None
    above: tuple[str, int, int] | None = None  # the tensor a chain's next layer takes
    for name in names:
        calls = nodes[name].calls
        if len(calls) != 1 or calls[0] is None:
            return None
        inputs = calls[0].inputs
        if inputs != (() if above is None else (above,)):  # a Ref equals its tuple
            return None
        above = (name, 0, 0)
    steps = [(name, 0) for name in names]
    last = len(steps) - 1
    return _Order(names, steps, [], {step: last - i for i, step in enumerate(steps)})


def _parents(
    nodes: Mapping[str, GraphNode],
    step: tuple[str, int],
    *,
    in_call_order: bool,
    kept: dict[tuple[str, int], list[tuple[str, int]]],
) -> list[tuple[str, int]]:
    """The calls whose tensors a call takes (also `kept` by call, the depths' pass reads them);
    `in_call_order`, also the layer's call before it (its weights are made at its first)."""
    call = nodes[step[0]].calls[step[1]]
    refs = call.inputs if call is not None else ()
    found = kept[step] = [(r.layer, r.call) for r in refs if _built(nodes, r.layer, r.call)]
    earlier = (step[0], step[1] - 1)
    if in_call_order and step[1] and _built(nodes, *earlier):
        return [*found, earlier]
    return found


def _keras_order(
    nodes: Mapping[str, GraphNode],
    roots: list[tuple[str, int]],
    *,
    in_call_order: bool = False,
    inputs: Sequence[str] = (),
) -> _Order:
    """Keras's `map_graph` over calls (Keras's nodes): a DFS from the outputs numbers the layers
    in the order it first meets them and lists the calls in post-order; going back from the
    outputs, a call's depth is one more than the deepest call it feeds, and never less than an
    earlier-placed call of the same layer; a layer's depth is its deepest call's. Layers are
    listed by decreasing depth, ties by DFS number. The model's `inputs` that no output uses are
    listed at depth 0, first among their depth, as Keras's map_graph lists them."""
    index: dict[str, int] = {}  # DFS pre-order number of every layer reached
    state: dict[tuple[str, int], bool] = {}  # False while on the DFS path, True when done
    tensors: dict[tuple[str, int], list[tuple[str, int]]] = {}  # each call's, for its depth
    post: list[tuple[str, int]] = []
    cyclic: list[str] = []
    for root in roots:  # an iterative DFS: a spec may have thousands of layers
        if root in state:
            continue
        state[root] = False
        index.setdefault(root[0], len(index))
        stack = [(root, iter(_parents(nodes, root, in_call_order=in_call_order, kept=tensors)))]
        while stack:
            step, parents = stack[-1]
            for parent in parents:
                done = state.get(parent)
                if done is None:
                    state[parent] = False
                    index.setdefault(parent[0], len(index))
                    parents_of = _parents(nodes, parent, in_call_order=in_call_order, kept=tensors)
                    stack.append((parent, iter(parents_of)))
                    break
                if not done and parent[0] not in cyclic:  # on the path: a cycle
                    cyclic.append(parent[0])
            else:
                state[step] = True
                post.append(step)
                stack.pop()
    if cyclic:
        return _Order([], [], cyclic, {})
    depths: dict[tuple[str, int], int] = {}
    layer_depth: dict[str, int] = {}
    for step in reversed(post):
        depth = max(depths.setdefault(step, 0), layer_depth.get(step[0], 0))
        layer_depth[step[0]] = depths[step] = depth
        for parent in tensors[step]:
            depths[parent] = max(depth + 1, depths.get(parent, 0))
    for name in inputs:  # a model input no output uses: Keras lists it all the same
        if name in nodes and name not in layer_depth and _built(nodes, name, 0):
            layer_depth[name], index[name], depths[name, 0] = 0, -1, 0
            post.insert(0, (name, 0))
    order = sorted(layer_depth, key=lambda n: (-layer_depth[n], index[n]))
    return _Order(order, post, [], depths)


def _sequential_like(nodes: Mapping[str, GraphNode], order: _Order) -> bool:
    """Keras shows the "Connected to" column unless the model is one plain chain: one call at
    each depth, taking at most one tensor, and no layer called twice."""
    by_depth: dict[int, int] = defaultdict(int)
    for step, depth in order.depths.items():
        by_depth[depth] += 1
        call = nodes[step[0]].calls[step[1]]
        if by_depth[depth] > 1 or (call is not None and len(call.inputs) > 1):
            return False
    return len({name for name, _ in order.calls}) == len(order.calls)


def propagate(graph: Graph, input_shapes: Mapping[str, Shape] | None = None) -> Model:
    """Shapes and counts, call by call in graph order. `input_shapes` overrides Input layers'
    shapes (with batch axis), for commands that try other sizes without re-reading the file.
    A layer's weights are made at its first call; a later call must fit them (DC209)."""
    outs: dict[tuple[str, int], tuple[Shape, ...]] = {}  # every call's outputs
    # each layer's weights and the inputs they were made for: its first call's
    built: dict[str, tuple[Params, list[Shape]]] = {}
    diags: list[Diagnostic] = list(graph.diagnostics)
    for name, number in graph.schedule:
        node = graph.nodes[name]
        call = node.calls[number]
        assert call is not None  # the schedule holds connected calls only
        try:
            ins = [outs[ref.layer, ref.call][ref.output] for ref in call.inputs]
        except KeyError:
            continue  # an input failed: its own diagnostic says why
        shapes: tuple[Shape, ...]
        try:
            if input_shapes is not None and name in input_shapes and number == 0:
                shapes, params = (input_shapes[name],), node.layer.param_count(ins)
            else:
                shapes, params = node.layer.called(ins)
            weights = built.get(name) or _weights(node, params, ins)
            built[name] = weights
            unfit = node.layer.refuses_later(weights[1], ins) if weights[1] != ins else None
            if unfit is not None:
                raise Refusal(
                    Code.SHARED_WEIGHTS_MISFIT,
                    unfit,
                    hint="call it on tensors shaped like its first call's, or give this call a "
                    "layer of its own",
                )
        except Refusal as refusal:
            pos = node.decl.value_at(refusal.arg or "") if number == 0 else call.pos
            at = f" (call {number})" if number else ""
            message = f"{type(node.layer).keras_name()} {name!r}{at}: {refusal.message}"
            diags.append(_diag(refusal.code, message, pos, name, refusal.hint).at(graph.path))
            continue
        outs[name, number] = shapes
    numbered = graph.nodes if _renumbered(graph.nodes) else None
    layers = [
        _inferred(graph.nodes[name], numbered, built[name][0], outs, graph.reached)
        for name in graph.order
        if (name, 0) in outs
    ]
    return Model(
        path=graph.path,
        name=graph.name,
        layers=layers,
        outputs=graph.outputs,
        sequential_like=graph.sequential_like,
        diagnostics=sorted(diags, key=lambda d: (d.line, d.column, d.code)),
        graph=graph,
        expected=graph.declared - len(graph.dangling),
        tensors=outs,
    )


def _weights(node: GraphNode, params: Params, ins: list[Shape]) -> tuple[Params, list[Shape]]:
    """A layer's weights and the inputs they are made for: its first call's, or, read from a
    Keras file, the shapes its build_config records where they differ (the layer was first
    called in another model; Keras builds it from them when it loads the file)."""
    built_on = node.decl.built_on
    if built_on is None or built_on == ins or node.layer.inner() is not None:
        return params, ins
    try:
        return node.layer.param_count(built_on), list(built_on)
    except Refusal:
        return params, ins


def _keras_number(nodes: Mapping[str, GraphNode], layer: str, call: int) -> int:
    """Keras's number for a call: the same as the spec's, unless model code called the layer
    in another model too (Keras numbers a layer's calls over the whole session)."""
    numbers = nodes[layer].decl.node_numbers if layer in nodes else None
    return numbers[call] if numbers is not None and call < len(numbers) else call


def _keras_refs(nodes: Mapping[str, GraphNode], refs: tuple[Ref, ...]) -> tuple[Ref, ...]:
    return tuple(Ref(r.layer, _keras_number(nodes, r.layer, r.call), r.output) for r in refs)


def _renumbered(nodes: Mapping[str, GraphNode]) -> bool:
    """Whether model code numbered some layer's calls as Keras does over a session."""
    return any(node.decl.node_numbers is not None for node in nodes.values())


def _inferred(
    node: GraphNode,
    numbered: Mapping[str, GraphNode] | None,
    params: Params,
    outs: Mapping[tuple[str, int], tuple[Shape, ...]],
    reached: frozenset[tuple[str, int]],
) -> InferredLayer:
    """A layer's row: its calls in the model; the shape of its last call, as Keras prints it.
    `numbered`: the nodes, where model code numbered calls as Keras does (else the spec's
    numbers are Keras's)."""
    name, layer = node.name, node.layer
    calls: tuple[InferredCall, ...]
    if numbered is None and len(node.calls) == 1:  # nearly every layer: one call, inferred
        first, last = node.calls[0], outs[name, 0]  # (a layer is listed only if it is)
        assert first is not None  # inferred, so connected
        calls = (InferredCall(0, first.inputs, last),) if (name, 0) in reached else ()
    else:
        done = [k for k in range(len(node.calls)) if (name, k) in outs]
        last = outs[name, done[-1]]
        calls = tuple(
            InferredCall(k, call.inputs, outs[name, k])
            if numbered is None
            else InferredCall(
                _keras_number(numbered, name, k), _keras_refs(numbered, call.inputs), outs[name, k]
            )
            for k in done
            if (name, k) in reached and (call := node.calls[k]) is not None
        )
    # name, type, output_shape, params, inputs, pos, role, trainable, calls (positional:
    # a third faster than by keyword, for 10,000 layers)
    return InferredLayer(
        name,
        type(layer).keras_name(),
        last[0],
        params,
        tuple(node.inputs),
        node.decl.pos,
        layer.ROLE,
        layer.trainable,
        calls,
    )


def infer(spec: Spec) -> Model:
    """The whole pipeline after loading: build the graph, then propagate."""
    return _as_listed(propagate(build(spec)), spec)


def _as_listed(model: Model, spec: Spec) -> Model:
    """The model's layers as Keras lists them: a Sequential model's summary (and a nested
    Sequential's expanded rows) has no InputLayer."""
    if not spec.sequential:
        return model
    layers = [layer for layer in model.layers if layer.role is not Role.INPUT]
    inputs = sum(_is_input(decl) for decl in spec.layers)
    return model._replace(layers=layers, sequential_like=True, expected=model.expected - inputs)
