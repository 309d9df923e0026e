"""A spec file (YAML or JSON, chosen by content) to a `Spec`: layer declarations with positions.

The format, documented in the README:

    deconvcheck: 1              # version key: marks the file as a deconvcheck spec
    name: vgg-16_decoder        # optional, Keras's default is "functional"
    layers:                     # read top to bottom; each layer takes the previous one's output
      - {type: Input, shape: [7, 7, 512], name: input}
      - {type: Conv2DTranspose, filters: 512, kernel_size: 2, strides: 2, name: conv1}
      - {type: Concatenate, inputs: [conv1, skip]}    # or name its inputs
    outputs: [conv1]            # optional, defaults to the last layer

Problems are returned as diagnostics; only an unreadable file is fatal (`ReadFailure`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeGuard

from deconvcheck.diagnostics import PER_CODE, make
from deconvcheck.read.spec import (
    BUILD_SHAPE,
    CALL_KEY,
    CALL_KEYS,
    RESERVED_LAYER_KEYS,
    RESTORE_MODES,
    SPEC_VERSION,
    TOP_KEYS,
    VERSION_KEY,
    CallDecl,
    LayerDecl,
    Pos,
    ReadFailure,
    Spec,
    declare,
    suggest,
)
from deconvcheck.read.tree import LoadError, Node, looks_like_json
from deconvcheck.read.yamlreader import parse_yaml

MAX_BYTES = 16 * 1024 * 1024
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
JSON_ONLY = (".json", ".h5", ".hdf5")  # files held to JSON: a Keras .h5 holds model.to_json()


def _keras_archive(data: bytes) -> bytes:
    """The config.json of a Keras 3 `.keras` archive (a zip); the weights are not read."""
    import io  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > MAX_BYTES:
                raise LoadError(make("DC009", "config.json in the archive is too large"))
            return archive.read(info)
    except KeyError:
        raise LoadError(
            make("DC006", "a zip file without config.json: not a Keras 3 .keras archive")
        ) from None
    except zipfile.BadZipFile as exc:
        raise LoadError(make("DC006", f"a broken zip file: {exc}")) from None


def read_text(path: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM) or UTF-16 with a BOM; NUL bytes refused.
    A `.keras` archive (zip) gives its config.json, a Keras HDF5 file (`.h5`) its model_config."""
    try:
        if os.path.isdir(path):
            raise ReadFailure(make("DC001", "is a directory, not a spec file").at(path))
        with open(path, "rb") as file:
            head = file.read(len(HDF5_SIGNATURE))
            if head == HDF5_SIGNATURE:  # the size limit is the attribute's: weights make it large
                from deconvcheck.read.h5file import model_config  # noqa: PLC0415

                data = model_config(file, path, MAX_BYTES)
            elif os.fstat(file.fileno()).st_size > MAX_BYTES:
                raise ReadFailure(
                    make("DC009", f"file is larger than {MAX_BYTES // 2**20} MiB").at(path)
                )
            else:
                data = head + file.read()
    except OSError as exc:
        raise ReadFailure(make("DC001", f"cannot read file: {exc.strerror}").at(path)) from None
    if data.startswith(b"PK\x03\x04"):
        data = _keras_archive(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError(make("DC002", f"invalid UTF-16 text: {exc.reason}")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            make(
                "DC002",
                f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
                line=line,
                column=column,
                hint="save the file as UTF-8",
            )
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        raise LoadError(
            make(
                "DC002",
                "the file contains a NUL byte: it is not a text file",
                line=text.count("\n", 0, offset) + 1,
            )
        )
    return text


def parse_text(text: str, path: str = "") -> Node | None:
    """JSON when the document opens with '{' or '['; YAML otherwise. A '.json' or '.h5' file is
    held to JSON; any other that fails as JSON is tried as YAML ('{a: 1}' is YAML flow style)."""
    if looks_like_json(text):
        try:
            from deconvcheck.read.jsonreader import parse_json  # noqa: PLC0415 - JSON only

            return parse_json(text)
        except LoadError as json_error:
            if path.lower().endswith(JSON_ONLY):
                raise
            try:
                return parse_yaml(text)
            except LoadError:
                raise json_error from None
    return parse_yaml(text)


MAX_NESTING = 8  # models used as layers inside models used as layers ...
_loading: list[str] = []  # the files being read, outermost first (a model may not contain itself)


def load(path: str, text: str | None = None) -> Spec:
    """Read and structure a spec. Raises ReadFailure only when the file cannot be read."""
    _loading.append(os.path.realpath(path) if path != "<stdin>" else path)
    try:
        return _load(path, text)
    finally:
        _loading.pop()


def _load(path: str, text: str | None) -> Spec:
    spec = Spec(path=path)
    try:
        root = parse_text(read_text(path) if text is None else text, path)
    except LoadError as exc:
        spec.diagnostics.append(exc.diagnostic.at(path))
        return spec
    keras_model = False
    if root is not None and _has_key(root, "class_name"):  # only then load the Keras reader
        from deconvcheck.read.keras_model import build_keras_spec, is_keras_model  # noqa: PLC0415

        keras_model = is_keras_model(root)
        if keras_model:
            build_keras_spec(spec, root)
    if not keras_model:
        _Builder(spec).build(root)
    spec.diagnostics = [d.at(path) for d in spec.diagnostics]
    return spec


def _has_key(root: Node, key: str) -> bool:
    return root.kind == "map" and any(k.value == key for k, _ in root.value)


def _describe(node: Node) -> str:
    if node.kind in ("map", "flat"):
        return "a mapping"
    if node.kind == "seq":
        return "a list"
    return repr(node.value)


def _is_name(value: object) -> TypeGuard[str]:
    """A non-empty string: what `type`, `name` and each of `inputs` must be."""
    return type(value) is str and value != ""


def _flat_names(
    line: int, written: tuple[Any, int, tuple[int, ...] | None]
) -> list[tuple[str, Pos]]:
    """`inputs:` of a flat line as names with positions; [] when they are not all names (the
    general path reports it)."""
    value, column, columns = written
    if columns is None:
        return [(value, Pos(line, column))] if _is_name(value) else []
    if not all(_is_name(item) for item in value):
        return []
    return [(item, Pos(line, at)) for item, at in zip(value, columns, strict=True)]


def _calls_again(item: Node) -> bool:
    """An entry of `layers:` that calls a declared layer again (`call:`)."""
    if item.kind == "flat":
        return any(entry[0] == CALL_KEY for entry in item.value)
    return item.kind == "map" and any(key.value == CALL_KEY for key, _ in item.value)


class _Builder:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.not_layers = 0  # list items that are not mappings, reported so far

    def submodel(self, reference: str, node: Node) -> Spec | str:
        """The spec or Keras model file a layer's `model:` names, relative to this spec's
        folder; its problems are reported here, at the reference."""
        path = os.path.join(os.path.dirname(self.spec.path), reference)
        if os.path.realpath(path) in _loading or len(_loading) > MAX_NESTING:
            self.error("DC107", f"model {reference!r} contains itself", node)
            return reference
        try:
            inner = load(path)
        except ReadFailure as failure:
            self.error("DC106", f"model {reference!r}: {failure.diagnostic.message}", node)
            return reference
        for diag in inner.diagnostics:
            where = f"{diag.path}:{diag.line}:{diag.column}" if diag.line else diag.path
            self.error(diag.code, f"in model {reference!r} ({where}): {diag.message}", node)
        inner.diagnostics = []
        return inner

    def inline(self, node: Node) -> Spec:
        """A model written in place of a file reference (`model: {name: ..., layers: [...]}`,
        the keys of a spec): read as a spec of its own, its problems reported where they are in
        this file."""
        inner = Spec(self.spec.path)
        _Builder(inner).build(node)
        label = f"in model {inner.name!r}: " if inner.name else "in the nested model: "
        for diag in inner.diagnostics:
            self.spec.diagnostics.append(diag._replace(message=label + diag.message))
        inner.diagnostics = []
        return inner

    def error(self, code: str, message: str, node: Node | Pos, hint: str | None = None) -> None:
        self.spec.diagnostics.append(
            make(code, message, line=node.line, column=node.column, hint=hint)
        )

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]]:
        """Keys to (key node, value node); reports duplicate and non-string keys."""
        result: dict[str, tuple[Node, Node]] = {}
        for key, val in node.value:
            if self.is_new_key(key, result, what):
                result[key.value] = (key, val)
        return result

    def is_new_key(self, key: Node, seen: Mapping[str, tuple[Node, Node]], what: str) -> bool:
        """Whether a key is a name not seen before in its mapping; reports it if not."""
        if key.kind != "scalar" or type(key.value) is not str:
            self.error("DC006", f"keys of {what} must be names; found {_describe(key)}", key)
            return False
        if key.value in seen:
            first = seen[key.value][0]
            self.error(
                "DC005",
                f"duplicate key {key.value!r} in {what} (first at line {first.line}); "
                "YAML would silently keep the last one",
                key,
                hint="remove one of the two",
            )
            return False
        return True

    def build(self, root: Node | None) -> None:
        if root is None:
            self.error(
                "DC006",
                "the file is empty; a spec needs `layers:`",
                Pos(),
                hint="start from a sample spec: deconvcheck --help",
            )
            return
        if root.kind != "map":
            self.error(
                "DC006",
                f"a spec is a mapping with `layers:`; the file holds {_describe(root)}",
                root,
            )
            return
        top = self.mapping(root, "the spec")
        self.version(top)
        for key, (key_node, _) in top.items():
            if key not in TOP_KEYS:
                self.error(
                    "DC008",
                    f"unknown top-level key {key!r}{suggest(key, TOP_KEYS)}",
                    key_node,
                    hint=f"the keys are {', '.join(TOP_KEYS)}",
                )
        if "name" in top:
            self.spec.name = self.string(top["name"][1], "the model name")
        if "layers" not in top:
            self.error("DC006", "the spec has no `layers:` list", root)
        else:
            self.layers(top["layers"][1])
        if "outputs" in top:
            self.spec.outputs = self.names(top["outputs"][1], "outputs")
        if "inputs" in top:
            found = self.names(top["inputs"][1], "inputs")
            if found is not None:
                self.spec.input_order = [name for name, _ in found]
                self.spec.input_places = [pos for _, pos in found]
        if "restore" in top:
            node = top["restore"][1]
            if node.value in RESTORE_MODES:
                self.spec.restore = node.value
            else:
                self.error(
                    "DC006",
                    f"`restore` must be one of {', '.join(RESTORE_MODES)}; found {_describe(node)}",
                    node,
                    hint="spatial: the output has the input's height and width; shape: channels "
                    "too; none: not an encoder-decoder (a classifier, a generator)",
                )
        if "sequential" in top:
            node = top["sequential"][1]
            if isinstance(node.value, bool):
                self.spec.sequential = node.value
            else:
                self.error(
                    "DC006", f"`sequential` must be true or false; found {_describe(node)}", node
                )
        if "encoder" in top:
            node = top["encoder"][1]
            path = self.string(node, "`encoder` (the encoder spec's path)")
            if path is not None:
                self.spec.encoder = (path, Pos(node.line, node.column))

    def version(self, top: dict[str, tuple[Node, Node]]) -> None:
        if VERSION_KEY not in top:
            return
        node = top[VERSION_KEY][1]
        if node.value != SPEC_VERSION or isinstance(node.value, bool):
            self.error(
                "DC007",
                f"spec version {node.value!r} is not supported; this deconvcheck reads "
                f"version {SPEC_VERSION}",
                node,
                hint=f"write `{VERSION_KEY}: {SPEC_VERSION}`, or upgrade deconvcheck",
            )

    def string(self, node: Node, what: str) -> str | None:
        if node.kind == "scalar" and _is_name(node.value):
            return node.value
        self.error("DC006", f"{what} must be a non-empty string; found {_describe(node)}", node)
        return None

    def names(self, node: Node, what: str) -> list[tuple[str, Pos]] | None:
        """A layer name or a list of them."""
        items = node.value if node.kind == "seq" else [node]
        result = []
        for item in items:
            name = self.string(item, f"each entry of `{what}`")
            if name is None:
                return None
            result.append((name, Pos(item.line, item.column)))
        if not result:
            self.error("DC006", f"`{what}` is empty", node)
            return None
        return result

    def layers(self, node: Node) -> None:
        if node.kind != "seq" or not node.value:
            self.error(
                "DC006",
                f"`layers` must be a non-empty list of layers; found {_describe(node)}",
                node,
            )
            return
        unbuilt = 0  # items that are not mappings, beyond the ones reported in full
        for index, item in enumerate(node.value):
            if item.kind not in ("map", "flat") and self.not_layers >= PER_CODE:
                unbuilt += 1  # counted, not built: a list of a million scalars stays cheap
                continue
            if _calls_again(item):
                self.call(index, item.expanded() if item.kind == "flat" else item)
                continue
            decl = self.flat_layer(index, item) if item.kind == "flat" else self.layer(index, item)
            if decl is not None:
                self.spec.layers.append(decl)
        if unbuilt:
            message = f"{unbuilt} more DC006 finding(s) in this file: items that are not layers"
            self.spec.diagnostics.append(make("DC006", message, more=unbuilt))

    def call(self, index: int, node: Node) -> None:
        """`- {call: shared, inputs: [b]}`: the layer `shared`, declared above, called again."""
        keys: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if not self.is_new_key(key, keys, f"layer {index + 1}"):
                continue
            keys[key.value] = (key, value)
            if key.value not in CALL_KEYS:
                self.error(
                    "DC006",
                    f"layer {index + 1} calls a layer again (`call:`), which takes only "
                    f"`inputs:`; found {key.value!r}",
                    key,
                    hint="a call uses the layer's own arguments: set them where it is declared",
                )
        layer = self.string(keys[CALL_KEY][1], "`call` (the name of the layer to call again)")
        inputs = self.names(keys["inputs"][1], "inputs") if "inputs" in keys else None
        if layer is not None and ("inputs" not in keys or inputs is not None):
            after = len(self.spec.layers)
            self.spec.calls.append(CallDecl(layer, inputs, Pos(node.line, node.column), after))

    def flat_layer(self, index: int, node: Node) -> LayerDecl | None:
        """A layer the fast reader took from one line (a "flat" node: keys with plain values
        and columns). The usual one is declared here, without a node per value; one that needs
        a word (a repeated key, a type or name that is not a non-empty string, inputs that are
        not names, a nested model) goes to `layer`, which says it."""
        line = node.line
        args: dict[str, Any] = {}
        places: dict[str, tuple[int, int, int, int]] = {}
        reserved: dict[str, tuple[Any, int, tuple[int, ...] | None]] = {}
        for key, key_column, value, value_column, columns in node.value:
            if key in places or key in reserved:
                return self.layer(index, node.expanded())
            if key in RESERVED_LAYER_KEYS:
                reserved[key] = (value, value_column, columns)
            else:
                args[key] = value
                places[key] = (line, key_column, line, value_column)
        type_name = reserved["type"][0] if "type" in reserved else None
        name = reserved["name"][0] if "name" in reserved else None
        inputs = _flat_names(line, reserved["inputs"]) if "inputs" in reserved else None
        if (
            not _is_name(type_name)
            or ("name" in reserved and not _is_name(name))
            or inputs == []
            or "model" in args
            or BUILD_SHAPE in reserved
        ):
            return self.layer(index, node.expanded())
        return declare(
            type_name,
            name,
            args,
            inputs=inputs,
            pos=Pos(line, node.column),
            index=index,
            places=places,
        )

    def layer(self, index: int, node: Node) -> LayerDecl | None:
        if node.kind != "map":
            self.not_layers += 1
            self.error(
                "DC006",
                f"layer {index + 1} must be a mapping with `type:`; found {_describe(node)}",
                node,
                hint="write `- {type: Conv2D, filters: 64, kernel_size: 3}`",
            )
            return None
        # One pass over the pairs (10,000-layer stacks are read); the nodes are kept, for the
        # positions of the arguments a diagnostic names.
        keys: dict[str, tuple[Node, Node]] = {}
        args: dict[str, Any] = {}
        places: dict[str, tuple[int, int, int, int]] = {}
        for key, value in node.value:
            name = key.value
            if key.kind != "scalar" or type(name) is not str or name in keys:
                self.is_new_key(key, keys, f"layer {index + 1}")  # says what is wrong
                continue
            keys[name] = (key, value)
            if name not in RESERVED_LAYER_KEYS:
                args[name] = value.value if value.kind == "scalar" else value.plain()
                places[name] = (key.line, key.column, value.line, value.column)
        if "type" not in keys:
            self.error("DC104", f"layer {index + 1} has no `type:`", node)
            return None
        type_name = self.string(keys["type"][1], "`type`")
        if type_name is None:
            return None
        model = keys.get("model")
        if model is not None and isinstance(args["model"], str):  # a model file used as a layer
            args["model"] = self.submodel(args["model"], model[1])
        elif model is not None and model[1].kind == "map":  # ... or a model written in place
            args["model"] = self.inline(model[1])
        decl = declare(
            type_name,
            self.string(keys["name"][1], "`name`") if "name" in keys else None,
            args,
            inputs=self.names(keys["inputs"][1], "inputs") if "inputs" in keys else None,
            pos=Pos(node.line, node.column),
            index=index,
            places=places,
        )
        if BUILD_SHAPE in keys:
            decl.built_on = self.build_shape(keys[BUILD_SHAPE][1])
        return decl

    def build_shape(self, node: Node) -> list[tuple[int | None, ...]] | None:
        """`build_shape: [null, 8]`, or a list of such shapes (the batch axis included)."""
        value = node.plain()
        shapes = (
            value if isinstance(value, list) and value and isinstance(value[0], list) else [value]
        )
        if all(
            isinstance(s, list) and all(d is None or (type(d) is int and d >= 0) for d in s)
            for s in shapes
        ):
            return [tuple(s) for s in shapes]
        self.error(
            "DC006",
            f"`{BUILD_SHAPE}` must be a shape with the batch axis, such as [null, 8], or a list "
            f"of them; found {_describe(node)}",
            node,
        )
        return None
