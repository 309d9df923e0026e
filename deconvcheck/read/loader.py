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

import codecs
import os
import stat
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard, TypeVar

from deconvcheck.diagnostics import PER_CODE, Code, Diagnostic, make
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
    KeyPath,
    LayerDecl,
    Pos,
    ReadFailure,
    Spec,
    Written,
    declare,
    suggest,
)
from deconvcheck.read.tree import MAX_NODES, CollectionKey, Document, LoadError, looks_like_json
from deconvcheck.record import Record

MAX_BYTES = 16 * 1024 * 1024  # one file, or standard input
MAX_FILES = 256  # files one spec may pull in: its nested models, theirs, ...
MAX_PULLED_BYTES = 64 * 1024 * 1024  # ... their bytes together (what reading them costs) ...
# ... and their layers and arguments together: what a spec keeps of them, about 200 bytes each
# (a million are some 200 MB; half the values one file may hold). Bytes alone would not bound
# it: four files of 8 MB, a million short arguments each, held 935 MB.
MAX_PULLED_VALUES = MAX_NODES // 2
# Layers and calls of one model, a nested model's counted at each use (inference builds each
# use): 100,000 is the largest stack the benchmarks run, and what `summary` draws within 1 GiB.
MAX_LAYERS = 100_000
MAX_NAME = 1_000  # characters of a layer's or a model's name (Keras's own run to a few dozen)
MAX_NESTING = 8  # models used as layers inside models used as layers ...
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# Files held to JSON: a Keras .h5 holds model.to_json(), a .keras archive its config.json.
JSON_ONLY = (".json", ".h5", ".hdf5", ".keras")
PYTHON_SUFFIXES = (".py", ".pyw")  # model code, read by deconvcheck.read.python

# (st_dev, st_ino): one file, whichever path, hard link or symbolic link names it.
FileKey = tuple[int, int]
T = TypeVar("T")

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the stat opens without waiting
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read, or None for a regular file: a FIFO or a device
    (`/dev/zero`, `/dev/stdin`) could block forever or never end."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a spec file"
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"is {kind}, not a regular file: only files are read (`-` reads standard input)"


def _refuse(path: str, mode: int) -> None:
    reason = _not_regular(mode)
    if reason is not None:
        raise ReadFailure(make(Code.FILE_UNREADABLE, reason).at(path))


def _cannot(path: str, exc: OSError) -> ReadFailure:
    return ReadFailure(
        make(Code.FILE_UNREADABLE, f"cannot read file: {exc.strerror or exc}").at(path)
    )


def _too_large(what: str) -> Diagnostic:
    return make(Code.INPUT_TOO_LARGE, f"{what} is larger than {MAX_BYTES // 2**20} MiB")


def file_key(path: str) -> FileKey:
    """The (device, inode) of a regular file; ReadFailure (DC001) for anything else."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _cannot(path, exc) from None
    _refuse(path, info.st_mode)
    return info.st_dev, info.st_ino


def read_bytes(path: str) -> tuple[bytes, FileKey]:
    """The bytes of a regular file, at most MAX_BYTES (of a Keras HDF5 file, its model_config),
    and its key. The file is checked before it is opened and again once open, so a FIFO or a
    device is refused before anything waits on it."""
    try:
        _refuse(path, os.stat(path).st_mode)
        descriptor = os.open(path, _OPEN_FLAGS)
        with open(descriptor, "rb") as file:
            info = os.fstat(descriptor)
            _refuse(path, info.st_mode)
            head = file.read(len(HDF5_SIGNATURE))
            if head == HDF5_SIGNATURE:  # the size limit is the attribute's: weights make it large
                from deconvcheck.read.h5file import model_config  # noqa: PLC0415

                return model_config(file, path, MAX_BYTES), (info.st_dev, info.st_ino)
            if info.st_size > MAX_BYTES:
                raise ReadFailure(_too_large("file").at(path))
            data = head + file.read(MAX_BYTES + 1 - len(head))  # a file that grew, /proc's
    except OSError as exc:
        raise _cannot(path, exc) from None
    if len(data) > MAX_BYTES:
        raise ReadFailure(_too_large("file").at(path))
    return data, (info.st_dev, info.st_ino)


def read_stream(stream: Any) -> bytes:
    """At most MAX_BYTES from a binary stream (standard input); ReadFailure (DC009) beyond,
    without reading the rest of an endless one."""
    data: bytes = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ReadFailure(_too_large("standard input").at("<stdin>"))
    return data


def _archive_errors() -> tuple[type[BaseException], ...]:
    """What zipfile raises for an archive it cannot read: a broken one (BadZipFile, zlib.error,
    EOFError, a negative seek's ValueError, ...), an encrypted one (RuntimeError), an unknown
    compression (NotImplementedError)."""
    import zipfile  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    errors: tuple[type[BaseException], ...] = (zipfile.BadZipFile, zlib.error, EOFError)
    errors += (ValueError, OSError, RuntimeError, NotImplementedError)
    try:
        import lzma  # noqa: PLC0415

        errors += (lzma.LZMAError,)
    except ImportError:  # a Python without lzma: zipfile says so with a RuntimeError
        pass
    return errors


_BROKEN = "the file is cut short or damaged (a partial copy or download?): save or copy it again"


def _keras_archive(data: bytes) -> bytes:
    """The config.json of a Keras 3 `.keras` archive (a zip); the weights are not read."""
    import io  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("config.json")
            if info.flag_bits & 0x1:
                raise LoadError(
                    make(
                        Code.WRONG_STRUCTURE,
                        "an encrypted .keras archive: config.json needs a password",
                        hint="give the archive as Keras's model.save() writes it, unencrypted",
                    )
                )
            if info.compress_type not in _READABLE_METHODS:
                raise LoadError(_unknown_method(info.compress_type))
            if info.file_size > MAX_BYTES:
                raise LoadError(_too_large("config.json in the archive"))
            with archive.open(info) as member:
                config: bytes = member.read(MAX_BYTES + 1)  # the header's size may lie
    except KeyError:
        raise LoadError(
            make(
                Code.WRONG_STRUCTURE, "a zip file without config.json: not a Keras 3 .keras archive"
            )
        ) from None
    except NotImplementedError:
        raise LoadError(_unknown_method(None)) from None
    except _archive_errors() as exc:
        raise LoadError(
            make(Code.WRONG_STRUCTURE, f"a broken .keras archive: {str(exc)[:200]}", hint=_BROKEN)
        ) from None
    if len(config) > MAX_BYTES:
        raise LoadError(_too_large("config.json in the archive"))
    return config


_READABLE_METHODS = (0, 8, 12, 14)  # stored, deflate, bzip2, lzma: what zipfile decompresses


def _unknown_method(method: int | None) -> Diagnostic:
    which = f" (zip method {method})" if method is not None else ""
    return make(
        Code.WRONG_STRUCTURE,
        f"config.json in the archive is compressed in a way Python's zipfile cannot read{which}",
        hint="Keras writes deflate: save the model again with model.save('model.keras')",
    )


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),  # before UTF-16's, which it starts with
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Without a byte-order mark, where the first four bytes are zero (a spec opens with ASCII: a
# key, a comment, a bracket) tells UTF-16 and UTF-32 apart, as RFC 4627 told a JSON text's.
_ZEROS = {
    (True, True, True, False): "utf-32-be",
    (False, True, True, True): "utf-32-le",
    (True, False, True, False): "utf-16-be",
    (False, True, False, True): "utf-16-le",
}


def _wide(data: bytes) -> tuple[str, int] | None:
    """(codec, bytes of byte-order mark) for UTF-16 or UTF-32 text, None for anything else."""
    for bom, codec in _BOMS:
        # A spec's keys are ASCII: UTF-16 text has a zero byte in its first characters. Without
        # one, 0xff 0xfe opens bytes that are not text, which UTF-8 decoding then says.
        if data.startswith(bom) and (codec.startswith("utf-32") or 0 in data[2:66]):
            return codec, len(bom)
    if len(data) < 4:
        return None
    zeros = (data[0] == 0, data[1] == 0, data[2] == 0, data[3] == 0)
    found = _ZEROS.get(zeros)
    return None if found is None else (found, 0)


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 or UTF-32 (with or without BOM); a
    `.keras` archive (zip) gives its config.json. Undecodable bytes and NUL are a DC002."""
    if data.startswith(b"PK\x03\x04"):
        data = _keras_archive(data)
    wide = _wide(data)
    if wide is not None:
        codec, skip = wide
        try:
            text = data[skip:].decode(codec)
        except UnicodeDecodeError as exc:
            name = codec[:6].upper()
            raise LoadError(
                make(
                    Code.NOT_UTF8,
                    f"invalid {name} text: {exc.reason}",
                    hint="save the file as UTF-8",
                )
            ) from None
    else:
        text = _utf8(data)
    if "\x00" in text:
        offset = text.index("\x00")
        raise LoadError(
            make(
                Code.NOT_UTF8,
                "the file contains a NUL byte: it is not a text file",
                line=text.count("\n", 0, offset) + 1,
            )
        )
    return text


def _utf8(data: bytes) -> str:
    try:
        # "utf-8-sig" would import a codec module of its own (0.2 ms of every start-up)
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            make(
                Code.NOT_UTF8,
                f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
                line=line,
                column=column,
                hint="save the file as UTF-8",
            )
        ) from None


def read_text(path: str) -> str:
    """A file's text (see `decode`); a Keras HDF5 file (`.h5`) gives its model_config.
    ReadFailure when the file cannot be read, LoadError when its bytes are not text."""
    return decode(read_bytes(path)[0])


def parse_text(text: str, path: str = "") -> Document:
    """JSON when the document opens with '{' or '['; YAML otherwise. A '.json' or '.h5' file is
    held to JSON; any other that fails as JSON is tried as YAML ('{a: 1}' is YAML flow style)."""
    if looks_like_json(text):
        try:
            from deconvcheck.read.jsonreader import read_json  # noqa: PLC0415 - JSON only

            return read_json(text)
        except LoadError as json_error:
            if path.lower().endswith(JSON_ONLY):
                raise
            try:
                return _yaml(text)
            except LoadError:
                raise json_error from None
    return _yaml(text)


def _yaml(text: str) -> Document:
    from deconvcheck.read.yamlreader import parse_yaml  # noqa: PLC0415 - not for JSON

    return parse_yaml(text)


class _Pulled(Record):
    """A nested model file as read: its spec (without findings), its findings (reported at
    each use), its bytes and its values (layers and arguments, see `_values`: both counted
    against what one spec may pull in), and whether it reads as a spec or a Keras model at all
    (if not, it is named, never quoted)."""

    spec: Spec | None  # None: read once, not kept (it did not fit what a spec may pull in)
    found: list[Diagnostic]
    size: int
    values: int
    is_spec: bool


def _cost(found: _Pulled | ReadFailure | None) -> tuple[int, int]:
    """(bytes, values) of a file read before, (0, 0) for one not read yet."""
    return (found.size, found.values) if isinstance(found, _Pulled) else (0, 0)


def _values(spec: Spec) -> int:
    """What a spec keeps of its file: its layers, calls and arguments, those of the models
    written in it (not of the files it pulls in, counted as they are pulled in)."""
    count = len(spec.calls)
    for decl in spec.layers:
        count += 1 + len(decl.args)
        inner = decl.args.get("model")
        if isinstance(inner, Spec) and inner.path == spec.path:  # written in place
            count += _values(inner)
    return count


class Reading:
    """One run's reading (one `summary`, one `check` of many files): every file a spec pulls in
    (a nested model, an encoder) is read and parsed once, then reused, and what one spec pulls
    in is bounded (MAX_FILES files, MAX_PULLED_BYTES bytes, MAX_PULLED_VALUES layers and
    arguments); so is what the run keeps for the next spec. Files are known by device and
    inode, so a hard link or a symbolic link to a file is that file. `files` is every file
    read: what `-o` may not overwrite. Not shared between threads."""

    def __init__(self, model: str | None = None) -> None:
        self.model = model  # model code: the model to read (`--model`), else every one
        self.files: set[FileKey] = set()
        self._pulled: dict[FileKey, _Pulled | ReadFailure] = {}  # nested models read so far
        self._kept_values = 0  # their values, kept
        self._made: dict[tuple[Callable[[Spec], Any], FileKey], tuple[Any, int]] = {}
        self._made_values = 0
        self._open: list[FileKey] = []  # the files being read, outermost first
        self._spec_files: set[FileKey] = set()  # what the spec being read has pulled in ...
        self._spec_bytes = self._spec_values = 0  # ... their bytes and values

    def load(self, path: str, source: str | bytes | None = None) -> Spec:
        """Read and structure the spec at `path` (or `source`: its text, or bytes such as
        standard input's). Raises ReadFailure only when the file cannot be read."""
        outer = self._spec_files, self._spec_bytes, self._spec_values
        self._spec_files, self._spec_bytes, self._spec_values = set(), 0, 0
        try:
            spec, _ = self._spec(path, source)
        finally:
            self._spec_files, self._spec_bytes, self._spec_values = outer
        problem = _oversized(spec)
        if problem is not None:  # nothing is inferred from it, as from a file too large to read
            spec.layers, spec.calls, spec.diagnostics = [], [], [problem.at(path)]
        return spec

    def made(self, path: str, make_from: Callable[[Spec], T]) -> T:
        """`make_from(spec)` of the spec at `path`, once per run: an encoder that many decoders
        name is read and inferred once. The oldest go while those kept pass MAX_PULLED_VALUES
        values (a `check` of decoders each with an encoder of its own stays bounded)."""
        key = (make_from, file_key(path))
        if key in self._made:
            return self._made[key][0]  # type: ignore[no-any-return]
        spec = self.load(path)
        made, values = make_from(spec), _values(spec)
        while self._made and self._made_values + values > MAX_PULLED_VALUES:
            self._made_values -= self._made.pop(next(iter(self._made)))[1]
        self._made[key] = (made, values)
        self._made_values += values
        return made

    def pulled(self, path: str) -> _Pulled:
        """The nested model file at `path`, read once per run. ReadFailure with DC001 (cannot
        be read, not a regular file), DC107 (it contains itself, or nests too deep) or DC009
        (the spec pulls in too many files, bytes or values)."""
        key = file_key(path)
        if key in self._open:
            raise ReadFailure(
                make(Code.CYCLE, "it contains itself (a model cannot be its own layer)")
            )
        if len(self._open) > MAX_NESTING:
            raise ReadFailure(make(Code.CYCLE, f"models nest more than {MAX_NESTING} files deep"))
        first = key not in self._spec_files
        if first and len(self._spec_files) >= MAX_FILES:
            raise ReadFailure(
                make(Code.INPUT_TOO_LARGE, f"the spec pulls in more than {MAX_FILES} files")
            )
        found = self._pulled.pop(key, None)  # put back last: the oldest go first
        if found is None or (isinstance(found, _Pulled) and found.spec is None):
            if first and not self._fits(*_cost(found)):
                if found is not None:
                    self._keep(key, found)
                raise self._too_much()  # the budget is spent: it is not (again) read
            found = self._read_pulled(path, key)
        if isinstance(found, ReadFailure):
            self._keep(key, found)
            raise found
        if first and not self._fits(found.size, found.values):
            # Remembered without its spec (the budget is what a spec may hold): another use
            # in this spec is refused without reading it again.
            self._keep(key, found._replace(spec=None, found=[]))
            raise self._too_much()
        self._keep(key, found)
        if first:
            self._spec_files.add(key)
            self._spec_bytes += found.size
            self._spec_values += found.values
        assert found.spec is not None  # a record without its spec is never accepted
        return found

    def _fits(self, size: int, values: int) -> bool:
        return (
            self._spec_bytes + size <= MAX_PULLED_BYTES
            and self._spec_values + values <= MAX_PULLED_VALUES
        )

    def _too_much(self) -> ReadFailure:
        if self._spec_values >= MAX_PULLED_VALUES or self._spec_bytes < MAX_PULLED_BYTES // 2:
            what = f"hold more than {MAX_PULLED_VALUES:,} layers and arguments"
        else:
            what = f"are larger than {MAX_PULLED_BYTES // 2**20} MiB"
        return ReadFailure(
            make(Code.INPUT_TOO_LARGE, f"the files the spec pulls in {what} together")
        )

    def _keep(self, key: FileKey, found: _Pulled | ReadFailure) -> None:
        """Cache a file read; the oldest go while more than MAX_FILES are kept or their
        values pass MAX_PULLED_VALUES (a long `check` run of many specs stays bounded)."""
        values = found.values if isinstance(found, _Pulled) and found.spec is not None else 0
        while self._pulled and (
            len(self._pulled) >= MAX_FILES or self._kept_values + values > MAX_PULLED_VALUES
        ):
            old = self._pulled.pop(next(iter(self._pulled)))
            if isinstance(old, _Pulled) and old.spec is not None:
                self._kept_values -= old.values
        self._pulled[key] = found
        self._kept_values += values

    def _read_pulled(self, path: str, key: FileKey) -> _Pulled | ReadFailure:
        try:
            data, _ = read_bytes(path)
        except ReadFailure as failure:
            return failure
        spec, is_spec = self._spec(path, data, key)
        found = _Pulled(spec, spec.diagnostics, len(data), _values(spec), is_spec)
        spec.diagnostics = []
        return found

    def _spec(
        self, path: str, source: str | bytes | None, key: FileKey | None = None
    ) -> tuple[Spec, bool]:
        """The spec and whether the text reads as one (see `_looks_like_spec`); a text that
        does not parse counts as one (its findings name a position, not the text)."""
        spec = Spec(path=path)
        if source is None:
            key = file_key(path)
        elif key is None and path != "<stdin>":  # text read by the caller: known, if a file
            try:
                key = file_key(path)
            except ReadFailure:
                key = None
        if key is not None:
            self.files.add(key)
        try:
            if source is None:  # a broken HDF5 file, one without a model: a LoadError
                source, key = read_bytes(path)
            if isinstance(source, bytes) and path.endswith(PYTHON_SUFFIXES):
                source = _declared(source)  # PEP 263: `# -*- coding: latin-1 -*-`
            text = decode(source) if isinstance(source, bytes) else source
            if path.endswith(PYTHON_SUFFIXES):
                return _python(spec, text, self.model), True
            document = parse_text(text, path)
        except LoadError as exc:
            spec.diagnostics.append(exc.diagnostic.at(path))
            return spec, True
        if key is not None:
            self._open.append(key)  # a model file naming this one is a cycle
        try:
            _build(spec, document, self)
        finally:
            if key is not None:
                self._open.pop()
        spec.diagnostics = [d.at(path) for d in spec.diagnostics]
        return spec, _looks_like_spec(document.value)


def load(path: str, text: str | bytes | None = None, reading: Reading | None = None) -> Spec:
    """Read and structure a spec (`text`: its text, or bytes such as standard input's, when
    the caller has read it). Raises ReadFailure only when the file cannot be read. `reading`
    is the run's, shared by every spec a command reads; a new one by default."""
    return (reading or Reading()).load(path, text)


def _declared(data: bytes) -> bytes | str:
    """Model code in the encoding its first or second line declares (as Python reads it),
    as text; UTF-8 and undeclared code as the bytes (decoded, and refused, as any file is). An
    encoding Python does not know is left to the reader (DC010 at that line)."""
    from deconvcheck.read.python import encoding_declaration  # noqa: PLC0415

    first = data.find(b"\n")
    end = data.find(b"\n", first + 1) if first >= 0 else -1
    head = data[: end if end >= 0 else len(data)].decode("latin-1")  # a byte a character
    declared = encoding_declaration(head)
    if declared is None:
        return data
    try:
        codec = codecs.lookup(declared[1][1])
    except LookupError:
        return data
    if codec.name == "utf-8":
        return data
    try:
        return data.decode(codec.name)
    except UnicodeDecodeError:
        return data


def _python(spec: Spec, text: str, model: str | None) -> Spec:
    """Model code: the first model it builds, the others in `others`, every one a spec of
    its own with the file's findings on the first."""
    from deconvcheck.read.python import read_models  # noqa: PLC0415

    found = read_models(text, spec.path, model)
    first = found.specs[0] if found.specs else spec
    first.others = found.specs[1:]
    first.diagnostics = [d.at(spec.path) for d in found.findings]
    for each in [first, *found.specs]:
        each.complete = found.complete
    return first


def _build(spec: Spec, document: Document, reading: Reading) -> None:
    """A spec's declarations from a document: a Keras model file's by the Keras reader, any
    other, YAML or JSON alike, by `_Builder`."""
    if _has_key(document.value, "class_name"):  # only then load the Keras reader
        from deconvcheck.read.keras_model import build_keras_spec, is_keras_model  # noqa: PLC0415

        if is_keras_model(document.value):
            build_keras_spec(spec, document)
            return
    _Builder(spec, reading, document).build(document.value, ())


def _oversized(spec: Spec) -> Diagnostic | None:
    """DC009 for a model too large to infer or a name too long to draw: more than MAX_LAYERS
    layers and calls, a nested model's counted at each of its uses (nine files each using the
    next six times make 6^8 layers of a few bytes), or a name longer than MAX_NAME, its own or
    a nested model's (placed at the layer that uses that model)."""
    sizes: dict[int, int] = {}
    long_names: list[Diagnostic] = []

    def size(model: Spec, pos: Pos | None) -> int:
        if id(model) in sizes:
            return sizes[id(model)]
        sizes[id(model)] = total = len(model.layers) + len(model.calls)
        if model.name is not None and len(model.name) > MAX_NAME:
            long_names.append(_long_name("a model's name", model.name, pos or Pos()))
        for decl in model.layers:
            if decl.name is not None and len(decl.name) > MAX_NAME:
                what = f"layer {decl.index + 1}'s name" if pos is None else "a layer's name"
                long_names.append(_long_name(f"{what}", decl.name, pos or decl.pos))
            inner = decl.args.get("model")
            total += size(inner, pos or decl.pos) if isinstance(inner, Spec) else 0
        sizes[id(model)] = total
        return total

    total = size(spec, None)
    if long_names:
        return long_names[0]
    if total <= MAX_LAYERS:
        return None
    return make(
        Code.INPUT_TOO_LARGE,
        f"the model has {total:,} layers and calls, a nested model's counted at each use; "
        f"the limit is {MAX_LAYERS:,}",
        hint="a model used many times is built each time: use it fewer times, or call one "
        "layer again (`call:`)",
    )


def _long_name(what: str, name: str, pos: Pos) -> Diagnostic:
    return make(
        Code.INPUT_TOO_LARGE,
        f"{what} is {len(name):,} characters long; the limit is {MAX_NAME:,}",
        line=pos.line,
        column=pos.column,
    )


def _has_key(value: Any, key: str) -> bool:
    return type(value) is dict and key in value


def _describe(value: Any) -> str:
    if type(value) is dict:
        return "a mapping"
    if type(value) is list:
        return "a list"
    if type(value) is CollectionKey:
        return value.kind
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:60]}... ({len(text):,} characters)"


def _kind(value: Any) -> str:
    """What a document that is not a mapping holds, without quoting it (it may be any text
    file: a message never repeats the content of a file that is not a spec)."""
    if type(value) is list:
        return "a list"
    if isinstance(value, bool) or value is None:
        return "true, false or null"
    return "a number" if isinstance(value, (int, float)) else "a single line of text"


def _looks_like_spec(value: Any) -> bool:
    """A mapping with the version key, `layers:` or a Keras model's `class_name`: a file whose
    findings may quote it. Any other file a spec pulls in is only named."""
    return type(value) is dict and any(
        key in value for key in (VERSION_KEY, "layers", "class_name")
    )


def _is_name(value: object) -> TypeGuard[str]:
    """A non-empty string: what `type`, `name` and each of `inputs` must be."""
    return type(value) is str and value != ""


class _Builder:
    """A spec's declarations from its document's plain values, YAML and JSON alike. Every value
    is known by its path in the document; a position is asked of the document only for a
    finding or kept unread in a declaration (`Pos.of`)."""

    def __init__(self, spec: Spec, reading: Reading, document: Document) -> None:
        self.spec = spec
        self.reading = reading
        self.document = document
        self.not_layers = 0  # list items that are not mappings, reported so far

    def at(self, path: KeyPath, key: bool = False) -> Pos:
        return Pos.of(self.document, path, key)

    def submodel(self, reference: str, path: KeyPath) -> Spec | str:
        """The spec or Keras model file a layer's `model:` names, relative to this spec's
        folder; its problems are reported here, at the reference."""
        file = os.path.join(os.path.dirname(self.spec.path), reference)
        try:
            pulled = self.reading.pulled(file)
        except ReadFailure as failure:
            diag = failure.diagnostic
            code = (
                Code.UNKNOWN_REFERENCE if diag.code == Code.FILE_UNREADABLE else diag.code
            )  # a model that is not there
            self.error(code, f"model {reference!r}: {diag.message}", path, hint=diag.hint)
            return reference
        if not pulled.is_spec or pulled.spec is None:
            self.error(
                Code.UNKNOWN_REFERENCE,
                f"model {reference!r} is not a spec or a Keras model file: it has no "
                f"`{VERSION_KEY}:` or `layers:` key",
                path,
                hint="name a spec, or a file Keras's model.save() or model.to_json() wrote",
            )
            return reference
        for diag in pulled.found:
            at = f"{diag.path}:{diag.line}:{diag.column}" if diag.line else diag.path
            self.error(diag.code, f"in model {reference!r} ({at}): {diag.message}", path)
        return pulled.spec

    def inline(self, value: dict[Any, Any], path: KeyPath) -> Spec:
        """A model written in place of a file reference (`model: {name: ..., layers: [...]}`,
        the keys of a spec): read as a spec of its own, its problems reported where they are in
        this file."""
        inner = Spec(self.spec.path)
        _Builder(inner, self.reading, self.document).build(value, path)
        label = f"in model {inner.name!r}: " if inner.name else "in the nested model: "
        for diag in inner.diagnostics:
            self.spec.diagnostics.append(diag._replace(message=label + diag.message))
        inner.diagnostics = []
        return inner

    def error(
        self,
        code: str,
        message: str,
        where: KeyPath | Pos,
        hint: str | None = None,
        key: bool = False,
    ) -> None:
        """A finding at a position, or at the value (the key, if `key`) at a path."""
        pos = where if isinstance(where, Pos) else self.at(where, key)
        self.spec.diagnostics.append(
            make(code, message, line=pos.line, column=pos.column, hint=hint)
        )

    def mapping(self, value: dict[Any, Any], path: KeyPath, what: str) -> dict[str, Any]:
        """The mapping's keys as the spec reads them (the first of a repeated key); reports
        duplicate and non-string keys."""
        pairs = self.document.pairs(value, path)
        if pairs is None:
            return value  # every key a name, each written once
        result: dict[str, Any] = {}
        for index, (key, item) in enumerate(pairs):
            if self.is_new_key(key, index, result, path, what):
                result[key] = item
        return result

    def is_new_key(
        self, key: Any, index: int, seen: Mapping[str, Any], path: KeyPath, what: str
    ) -> bool:
        """Whether the key of the `index`th pair is a name not seen before in its mapping;
        reports it if not."""
        if type(key) is not str:
            # YAML reads an unquoted `null`, `true` or `3` as a value, not as a name
            plain = key is None or type(key) in (bool, int, float)
            self.error(
                Code.WRONG_STRUCTURE,
                f"keys of {what} must be names; found {_describe(key)}",
                (*path, index),
                hint="write the key in quotes if it is a name: YAML reads an unquoted null, true "
                "or 3 as a value"
                if plain
                else None,
                key=True,
            )
            return False
        if key in seen:
            first = self.at((*path, key), key=True)
            self.error(
                Code.DUPLICATE_KEY,
                f"duplicate key {key!r} in {what} (first at line {first.line}); "
                "YAML would silently keep the last one",
                (*path, index),
                hint="remove one of the two",
                key=True,
            )
            return False
        return True

    def build(self, value: Any, path: KeyPath) -> None:
        if self.document.empty:
            self.error(
                Code.WRONG_STRUCTURE,
                "the file is empty; a spec needs `layers:`",
                Pos(),
                hint="start from a sample spec: deconvcheck --help",
            )
            return
        if type(value) is not dict:
            self.error(
                Code.WRONG_STRUCTURE,
                f"a spec is a mapping with `layers:`; the file holds {_kind(value)}",
                path,
            )
            return
        top = self.mapping(value, path, "the spec")
        self.version(top, path)
        for key in top:
            if key not in TOP_KEYS:
                self.error(
                    Code.UNKNOWN_TOP_KEY,
                    f"unknown top-level key {key!r}{suggest(key, TOP_KEYS)}",
                    (*path, key),
                    hint=f"the keys are {', '.join(TOP_KEYS)}",
                    key=True,
                )
        if "name" in top:
            self.spec.name = self.string(top["name"], (*path, "name"), "the model name")
        if "layers" not in top:
            self.error(Code.WRONG_STRUCTURE, "the spec has no `layers:` list", path)
        else:
            self.layers(top["layers"], (*path, "layers"))
        if "outputs" in top:
            self.spec.outputs = self.names(top["outputs"], (*path, "outputs"), "outputs")
        if "inputs" in top:
            found = self.names(top["inputs"], (*path, "inputs"), "inputs")
            if found is not None:
                self.spec.input_order = [name for name, _ in found]
                self.spec.input_places = [pos for _, pos in found]
        if "restore" in top:
            restore = top["restore"]
            if restore in RESTORE_MODES:
                self.spec.restore = restore
            else:
                self.error(
                    Code.WRONG_STRUCTURE,
                    f"`restore` must be one of {', '.join(RESTORE_MODES)}; found "
                    f"{_describe(restore)}",
                    (*path, "restore"),
                    hint="spatial: the output has the input's height and width; shape: channels "
                    "too; none: not an encoder-decoder (a classifier, a generator)",
                )
        if "sequential" in top:
            if isinstance(top["sequential"], bool):
                self.spec.sequential = top["sequential"]
            else:
                self.error(
                    Code.WRONG_STRUCTURE,
                    f"`sequential` must be true or false; found {_describe(top['sequential'])}",
                    (*path, "sequential"),
                )
        if "encoder" in top:
            at = (*path, "encoder")
            encoder = self.string(top["encoder"], at, "`encoder` (the encoder spec's path)")
            if encoder is not None:
                self.spec.encoder = (encoder, self.at(at))

    def version(self, top: dict[str, Any], path: KeyPath) -> None:
        if VERSION_KEY not in top:
            return
        version = top[VERSION_KEY]
        if version != SPEC_VERSION or isinstance(version, bool):
            self.error(
                Code.UNSUPPORTED_VERSION,
                f"spec version {version!r} is not supported; this deconvcheck reads "
                f"version {SPEC_VERSION}",
                (*path, VERSION_KEY),
                hint=f"write `{VERSION_KEY}: {SPEC_VERSION}`, or upgrade deconvcheck",
            )

    def string(self, value: Any, path: KeyPath, what: str) -> str | None:
        if _is_name(value):
            return value
        self.error(
            Code.WRONG_STRUCTURE,
            f"{what} must be a non-empty string; found {_describe(value)}",
            path,
        )
        return None

    def names(self, value: Any, path: KeyPath, what: str) -> list[tuple[str, Pos]] | None:
        """A layer name or a list of them."""
        items = (
            [((*path, i), item) for i, item in enumerate(value)]
            if type(value) is list
            else [(path, value)]
        )
        result = []
        for at, item in items:
            name = self.string(item, at, f"each entry of `{what}`")
            if name is None:
                return None
            result.append((name, self.at(at)))
        if not result:
            self.error(Code.WRONG_STRUCTURE, f"`{what}` is empty", path)
            return None
        return result

    def layers(self, value: Any, path: KeyPath) -> None:
        if type(value) is not list or not value:
            self.error(
                Code.WRONG_STRUCTURE,
                f"`layers` must be a non-empty list of layers; found {_describe(value)}",
                path,
            )
            return
        if len(value) > MAX_LAYERS:  # refused before a declaration is made
            found = sum(1 for item in value if type(item) is dict)
            if found > MAX_LAYERS:
                message = f"`layers` lists {found:,} layers; the limit is {MAX_LAYERS:,}"
                self.error(Code.INPUT_TOO_LARGE, message, path)
                return
        unbuilt = 0  # items that are not mappings, beyond the ones reported in full
        declared = self.spec.layers
        for index, item in enumerate(value):
            if type(item) is not dict:
                if self.not_layers >= PER_CODE:
                    unbuilt += 1  # counted, not built: a list of a million scalars stays cheap
                    continue
            elif CALL_KEY in item:
                self.call(index, item, (*path, index))
                continue
            decl = self.layer(index, item, (*path, index))
            if decl is not None:
                declared.append(decl)
        if unbuilt:
            message = f"{unbuilt} more DC006 finding(s) in this file: items that are not layers"
            self.spec.diagnostics.append(make(Code.WRONG_STRUCTURE, message, more=unbuilt))

    def call(self, index: int, item: dict[Any, Any], path: KeyPath) -> None:
        """`- {call: shared, inputs: [b]}`: the layer `shared`, declared above, called again."""
        pairs = self.document.pairs(item, path)
        keys: dict[str, Any] = {}
        for number, (key, value) in enumerate(item.items() if pairs is None else pairs):
            if not self.is_new_key(key, number, keys, path, f"layer {index + 1}"):
                continue
            keys[key] = value
            if key not in CALL_KEYS:
                self.error(
                    Code.WRONG_STRUCTURE,
                    f"layer {index + 1} calls a layer again (`call:`), which takes only "
                    f"`inputs:`; found {key!r}",
                    (*path, key),
                    hint="a call uses the layer's own arguments: set them where it is declared",
                    key=True,
                )
        layer = self.string(
            keys[CALL_KEY], (*path, CALL_KEY), "`call` (the name of the layer to call again)"
        )
        inputs = (
            self.names(keys["inputs"], (*path, "inputs"), "inputs") if "inputs" in keys else None
        )
        if layer is not None and ("inputs" not in keys or inputs is not None):
            after = len(self.spec.layers)
            self.spec.calls.append(CallDecl(layer, inputs, self.at(path), after))

    def layer(self, index: int, item: Any, path: KeyPath) -> LayerDecl | None:
        if type(item) is not dict:
            self.not_layers += 1
            self.error(
                Code.WRONG_STRUCTURE,
                f"layer {index + 1} must be a mapping with `type:`; found {_describe(item)}",
                path,
                hint="write `- {type: Conv2D, filters: 64, kernel_size: 3}`",
            )
            return None
        pairs = self.document.pairs(item, path)
        if pairs is not None:  # a key written twice, or one that is not a name: said, left out
            keys: dict[str, Any] = {}
            for number, (key, value) in enumerate(pairs):
                if type(key) is not str or key in keys:
                    self.is_new_key(key, number, keys, path, f"layer {index + 1}")
                    continue
                keys[key] = value
            item = keys
        if "type" not in item:
            self.error(Code.MISSING_ARGUMENT, f"layer {index + 1} has no `type:`", path)
            return None
        type_name = item["type"]
        if type(type_name) is not str or not type_name:  # `_is_name` inlined: a call a layer
            self.string(type_name, (*path, "type"), "`type`")  # says what it is instead
            return None
        # The arguments: the mapping without the reserved keys, as a copy with the few written
        # deleted (a third of the time of a comprehension testing every key).
        args = item.copy()
        for reserved in RESERVED_LAYER_KEYS:
            if reserved in args:
                del args[reserved]
        model = args.get("model")
        if model is None:
            pass  # a layer, not a model: by far the most usual
        elif isinstance(model, str):  # a model file used as a layer
            args["model"] = self.submodel(model, (*path, "model"))
        elif type(model) is dict:  # ... or a model written in place
            args["model"] = self.inline(model, (*path, "model"))
        name = item.get("name")
        if "name" in item and (type(name) is not str or not name):  # `_is_name` inlined
            name = self.string(name, (*path, "name"), "`name`")  # None, and said
        decl = declare(
            type_name,
            name,
            args,
            inputs=self.names(item["inputs"], (*path, "inputs"), "inputs")
            if "inputs" in item
            else None,
            pos=Pos.of(self.document, path),
            index=index,
            written=Written(self.document, path, item),
        )
        if BUILD_SHAPE in item:
            decl.built_on = self.build_shape(item[BUILD_SHAPE], (*path, BUILD_SHAPE))
        return decl

    def build_shape(self, value: Any, path: KeyPath) -> list[tuple[int | None, ...]] | None:
        """`build_shape: [null, 8]`, or a list of such shapes (the batch axis included)."""
        shapes = (
            value if isinstance(value, list) and value and isinstance(value[0], list) else [value]
        )
        if all(
            isinstance(s, list) and all(d is None or (type(d) is int and d >= 0) for d in s)
            for s in shapes
        ):
            return [tuple(s) for s in shapes]
        self.error(
            Code.WRONG_STRUCTURE,
            f"`{BUILD_SHAPE}` must be a shape with the batch axis, such as [null, 8], or a list "
            f"of them; found {_describe(value)}",
            path,
        )
        return None
