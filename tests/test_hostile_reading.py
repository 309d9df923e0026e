"""Hostile reading (issue 19, items 2 and 3, the reading parts of 4 and 5): reading is bounded on
every path, no file is ever lost, no reading error is internal, nothing is passed over in silence.

Each case runs as its own process under a 1 GiB address-space limit (`RLIMIT_AS`) and must end
within 10 s, with the exit status and the rule code it is tabled with; FIFOs and pipes nobody
writes to must be refused, not waited on. Large inputs are generated here (nothing big is
committed). Where a case needs a folder the process may not read or write and the tests run as
root, the process drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its bounding set first, so
that permission bits bind it as they bind any user.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import io
import json
import os
import re
import resource
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner

from deconvcheck.checks.config import Config
from deconvcheck.checks.run import check_paths, discover
from deconvcheck.cli.main import cli
from deconvcheck.read import loader
from deconvcheck.read.loader import MAX_FILES, MAX_LAYERS, MAX_NAME, Reading, load
from deconvcheck.read.spec import ReadFailure
from deconvcheck.read.tree import MAX_NODES
from deconvcheck.write import WriteError, write_file
from tests.conftest import ROOT

SECONDS = 10.0  # every case ends within this ...
ADDRESS_SPACE = 1 << 30  # ... and this much memory
SPEC = (
    "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [8, 8, 3]}\n"
    "  - {type: Conv2D, filters: 4, kernel_size: 3}\n"
)
INPUT_ONLY = "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [4]}\n"
VECTOR = INPUT_ONLY + "  - {type: Dense, units: 4}\n"


class Ran(NamedTuple):
    status: int
    out: str
    err: str
    seconds: float
    peak_mib: int

    @property
    def output(self) -> str:
        return self.out + self.err

    def codes(self) -> list[str]:
        """The rule codes of the finding lines (`path:line:column: DC... message`)."""
        return re.findall(r":\d+:\d+: (DC\d{3}) ", self.output)


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def _dac_dropper() -> Callable[[], None]:
    """What makes a child, as root, bound by permission bits: CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH dropped from its bounding set (so also after exec) and its own sets.
    The library and the structures are made here, in the parent: the child only calls."""
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _Header(0x20080522, 0), (_Data * 2)()  # _LINUX_CAPABILITY_VERSION_3

    def drop() -> None:
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
        if libc.capget(ctypes.byref(header), data) != 0:
            raise OSError(ctypes.get_errno(), "capget")
        data[0].effective &= ~0b110
        data[0].permitted &= ~0b110
        if libc.capset(ctypes.byref(header), data) != 0:
            raise OSError(ctypes.get_errno(), "capset")

    return drop


def _preexec(
    fsize: int | None, bound_by_permissions: bool, close_stdin: bool
) -> Callable[[], None]:
    """What the child does before exec: limits set there (the limits are its own, not the
    test process's). No thread of the test runs while it forks: they start after Popen."""
    drop = _dac_dropper() if bound_by_permissions and os.geteuid() == 0 else None

    def start() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        if drop is not None:
            drop()
        if close_stdin:
            os.close(0)

    return start


def run(
    *args: str,
    stdin: Any = subprocess.DEVNULL,
    data: bytes | None = None,
    endless: bytes | None = None,
    cwd: Path | str | None = None,
    fsize: int | None = None,
    bound_by_permissions: bool = False,
    close_stdin: bool = False,
) -> Ran:
    """`deconvcheck ARGS` in a process of its own, under RLIMIT_AS; killed (and the test
    failed) after SECONDS. `data` is its standard input; `endless` is written to it again and
    again until it stops reading."""
    command = [sys.executable, "-m", "deconvcheck", *args]
    feeding = data is not None or endless is not None
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE if feeding else stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd or ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"},
        preexec_fn=_preexec(fsize, bound_by_permissions, close_stdin),  # noqa: PLW1509
    )
    chunks: dict[str, list[bytes]] = {"out": [], "err": []}

    def drain(stream: Any, key: str) -> None:
        for block in iter(lambda: stream.read(65536), b""):
            chunks[key].append(block)

    def feed() -> None:
        assert process.stdin is not None
        try:
            if endless is not None:
                while True:
                    process.stdin.write(endless)
            process.stdin.write(data or b"")
            process.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # it stopped reading: what an endless stream is for

    threads = [
        threading.Thread(target=drain, args=(process.stdout, "out"), daemon=True),
        threading.Thread(target=drain, args=(process.stderr, "err"), daemon=True),
    ]
    threads += [threading.Thread(target=feed, daemon=True)] if feeding else []
    for thread in threads:
        thread.start()
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > SECONDS:
            process.kill()
            os.wait4(process.pid, 0)
            process.returncode = -9
            pytest.fail(f"deconvcheck {' '.join(args)} did not end within {SECONDS:.0f} s")
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    for thread in threads[:2]:
        thread.join(5)
    out, err = (b"".join(chunks[key]).decode("utf-8", "replace") for key in ("out", "err"))
    return Ran(process.returncode, out, err, seconds, usage.ru_maxrss // 1024)


def bounded(ran: Ran) -> Ran:
    """Within the bounds, and never an internal error or a traceback."""
    assert ran.seconds < SECONDS
    assert ran.peak_mib < ADDRESS_SPACE >> 20
    assert ran.status in (0, 1, 2), ran.output[-2000:]
    assert "internal error" not in ran.output and "Traceback" not in ran.output
    return ran


@functools.cache
def permissions_bind() -> bool:
    """Whether a child can be made to obey permission bits (always, unless root without the
    capability to drop capabilities)."""
    if os.geteuid() != 0:
        return True
    probe = subprocess.run(
        [sys.executable, "-c", "pass"],
        preexec_fn=_preexec(None, True, False),
        check=False,
        capture_output=True,
    )
    return probe.returncode == 0


needs_permissions = pytest.mark.skipif(
    "not permissions_bind()", reason="root that cannot drop CAP_DAC_OVERRIDE"
)


# ---------------------------------------------------------------- not a regular file


def fifo(folder: Path, name: str = "pipe.yaml") -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def unix_socket(folder: Path, name: str = "sock.yaml") -> Path:
    path = folder / name
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))  # kept bound for the test's life: closing does not remove it
    return path


# (id, how to make the path in a folder, what the message calls it). /dev/stdin and
# /proc/self/fd/0 are a pipe nobody writes to or closes: reading either would wait forever.
SPECIAL: list[tuple[str, Callable[[Path], str], str]] = [
    ("fifo", lambda folder: str(fifo(folder)), "is a FIFO (named pipe)"),
    ("socket", lambda folder: str(unix_socket(folder)), "is a socket"),
    ("dev_zero", lambda folder: "/dev/zero", "is a character device"),
    ("dev_urandom", lambda folder: "/dev/urandom", "is a character device"),
    ("dev_stdin", lambda folder: "/dev/stdin", "is a FIFO (named pipe)"),
    ("proc_fd_0", lambda folder: "/proc/self/fd/0", "is a FIFO (named pipe)"),
]


@pytest.fixture
def silent_pipe() -> Iterator[int]:
    """The read end of a pipe whose write end stays open and silent: standard input that never
    ends."""
    read_end, write_end = os.pipe()
    yield read_end
    os.close(read_end)
    os.close(write_end)


@pytest.mark.parametrize(("kind", "make", "called"), SPECIAL, ids=[row[0] for row in SPECIAL])
@pytest.mark.parametrize("command", ["summary", "check"])
def test_a_special_file_as_the_input_is_refused_at_once(
    tmp_path: Path, silent_pipe: int, kind: str, make: Callable[[Path], str], called: str,
    command: str,
) -> None:  # fmt: skip
    path = make(tmp_path)
    ran = bounded(run(command, path, stdin=silent_pipe))
    assert ran.status == 2
    assert f"{path}:0:0: DC001 {called}, not a regular file" in ran.output
    assert ran.seconds < 5


@pytest.mark.parametrize(("kind", "make", "called"), SPECIAL, ids=[row[0] for row in SPECIAL])
@pytest.mark.parametrize("command", ["summary", "check"])
def test_a_special_file_as_a_nested_model_is_refused_at_once(
    tmp_path: Path, silent_pipe: int, kind: str, make: Callable[[Path], str], called: str,
    command: str,
) -> None:  # fmt: skip
    model = make(tmp_path)
    spec = tmp_path / "uses.yaml"
    spec.write_text(SPEC + f"  - {{type: Functional, model: {model}}}\n")
    ran = bounded(run(command, str(spec), stdin=silent_pipe))
    assert ran.status == 1
    assert f"uses.yaml:5:31: DC106 model {model!r}: {called}, not a regular file" in ran.output


@pytest.mark.parametrize(("kind", "make", "called"), SPECIAL, ids=[row[0] for row in SPECIAL])
def test_a_special_file_as_the_encoder_is_refused_at_once(
    tmp_path: Path, silent_pipe: int, kind: str, make: Callable[[Path], str], called: str
) -> None:
    encoder = make(tmp_path)
    spec = tmp_path / "decoder.yaml"
    spec.write_text(SPEC + f"encoder: {encoder}\n")
    ran = bounded(run("check", str(spec), stdin=silent_pipe))
    assert ran.status == 1
    assert f"decoder.yaml:5:10: DC306 encoder {os.path.join(tmp_path, encoder)}: {called}" in (
        ran.output
    )


def test_a_fifo_swapped_in_after_the_check_is_opened_without_waiting(tmp_path: Path) -> None:
    """The race the stat cannot close: the file is opened non-blocking and checked again."""
    pipe = fifo(tmp_path)
    real_stat = os.stat

    def regular_once(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        found = real_stat(path, *args, **kwargs)
        if str(path) == str(pipe):  # what a regular file there a moment ago would have said
            return os.stat_result((stat.S_IFREG | 0o644, *found[1:]))
        return found

    done: list[BaseException] = []

    def read() -> None:
        try:
            loader.read_bytes(str(pipe))
        except BaseException as exc:  # whatever it is, the test reports it
            done.append(exc)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "stat", regular_once)
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(5)
    assert not reader.is_alive(), "the FIFO was waited on"
    assert isinstance(done[0], ReadFailure)
    assert "is a FIFO (named pipe), not a regular file" in done[0].diagnostic.message


# ---------------------------------------------------------------- standard input


@pytest.mark.parametrize("command", ["summary", "check"])
def test_endless_standard_input_stops_at_16_mib(command: str) -> None:
    ran = bounded(run(command, "-", endless=b"# a comment line of a spec that never ends\n" * 999))
    assert ran.status == 2
    assert "<stdin>:0:0: DC009 standard input is larger than 16 MiB" in ran.output


@pytest.mark.parametrize("command", ["summary", "check", "draw"])
def test_closed_standard_input_is_a_usage_error(command: str) -> None:
    ran = bounded(run(command, "-", close_stdin=True))
    assert ran.status == 2
    assert "standard input is closed" in ran.err


# (id, bytes on standard input, exit status, rule code): UTF-16 and UTF-32 read with or without
# a byte-order mark; bytes that are no text a DC002.
STDIN = [
    ("utf8_bom", SPEC.encode("utf-8-sig"), 0, None),
    ("utf16_bom", SPEC.encode("utf-16"), 0, None),
    ("utf16le", SPEC.encode("utf-16-le"), 0, None),
    ("utf16be", SPEC.encode("utf-16-be"), 0, None),
    ("utf32_bom", SPEC.encode("utf-32"), 0, None),
    ("utf32le", SPEC.encode("utf-32-le"), 0, None),
    ("utf32be", SPEC.encode("utf-32-be"), 0, None),
    ("latin1", SPEC.encode() + "# café\n".encode("latin-1"), 1, "DC002"),
    ("bom_then_bytes", b"\xff\xfe\xfd" + SPEC.encode() + b"\x80", 1, "DC002"),
    ("utf16_odd_bytes", SPEC.encode("utf-16-le") + b"\x00", 1, "DC002"),
    ("utf32_surrogate", SPEC.encode("utf-32-le") + b"\x00\xd8\x00\x00", 1, "DC002"),
    ("nul", b"deconvcheck: 1\x00\n", 1, "DC002"),
]


@pytest.mark.parametrize(
    ("data", "status", "code"), [row[1:] for row in STDIN], ids=[row[0] for row in STDIN]
)
@pytest.mark.parametrize("command", ["summary", "check"])
def test_standard_input_in_any_encoding(
    command: str, data: bytes, status: int, code: str | None
) -> None:
    ran = bounded(run(command, "-", data=data))
    assert ran.status == status, ran.output
    assert ran.codes() == ([code] if code else [])


# ---------------------------------------------------------------- limits


def values(folder: Path, count: int, prefix: str = "") -> Path:
    """A spec with one list of `count` values, read by the fast reader unless `prefix` makes
    it give up."""
    path = folder / "values.yaml"
    items = ",".join(["1"] * count)
    path.write_text(f"{prefix}{VECTOR}  - {{type: Dense, units: 1, x: [{items}]}}\n")
    return path


def values_after_many_layers(folder: Path, count: int) -> Path:
    """The list on a line after 40 one-line layers: matched whole by the fast reader's pattern
    (a plain repetition kept state per item: 965 MB for 2 million)."""
    path = folder / "late.yaml"
    head = VECTOR + "  - {type: Dense, units: 4}\n" * 40
    path.write_text(head + f"  - {{type: Dense, units: 1, x: [{','.join(['1'] * count)}]}}\n")
    return path


def many_layers(folder: Path, count: int) -> Path:
    path = folder / "layers.yaml"
    path.write_text(VECTOR + "  - {type: ReLU}\n" * count)
    return path


def long_name(folder: Path, name: str, quoted: bool = False) -> Path:
    path = folder / "name.yaml"
    written = f'"{name}"' if quoted else name
    path.write_text(VECTOR + f"  - {{type: Dense, units: 1, name: {written}}}\n")
    return path


def long_keras_name(folder: Path, length: int) -> Path:
    path = folder / "model.json"
    path.write_text(keras_json(dense_name="d" * length))
    return path


def nested_chain(folder: Path, files: int = 9, uses: int = 6) -> Path:
    """`files` small files, each using the next `uses` times."""
    for index in range(files - 1):
        rows = "".join(
            f"  - {{type: Functional, model: n{index + 1}.yaml, name: m{use}}}\n"
            for use in range(uses)
        )
        (folder / f"n{index}.yaml").write_text(INPUT_ONLY + rows)
    (folder / f"n{files - 1}.yaml").write_text(VECTOR)
    return folder / "n0.yaml"


def chain_size(files: int = 9, uses: int = 6) -> int:
    """Layers of n0 with each nested model counted at each use: the last file has 2, each
    other an Input, `uses` nested-model layers and `uses` times the next file's."""
    size = 2
    for _ in range(files - 1):
        size = 1 + uses + uses * size
    return size


def many_files(folder: Path, count: int) -> Path:
    rows = ""
    for index in range(count):
        (folder / f"f{index}.yaml").write_text(VECTOR)
        rows += f"  - {{type: Functional, model: f{index}.yaml, inputs: [x], name: u{index}}}\n"
    path = folder / "many.yaml"
    path.write_text("deconvcheck: 1\nlayers:\n  - {type: Input, shape: [4], name: x}\n" + rows)
    return path


def large_files(folder: Path, count: int, mib: int) -> Path:
    padding = "#" * (mib << 20) + "\n"
    rows = ""
    for index in range(count):
        (folder / f"big{index}.yaml").write_text(padding + VECTOR)
        rows += f"  - {{type: Functional, model: big{index}.yaml, inputs: [x], name: b{index}}}\n"
    path = folder / "bigs.yaml"
    path.write_text("deconvcheck: 1\nlayers:\n  - {type: Input, shape: [4], name: x}\n" + rows)
    return path


def escapes(folder: Path, count: int) -> Path:
    """One double-quoted name of `count` escapes (PyYAML's path; skipping quoted text before
    parsing took over 1 GiB with a plain repetition)."""
    path = folder / "escapes.yaml"
    path.write_text(VECTOR + '  - {type: Dense, units: 1, name: "' + "\\n" * count + '"}\n')
    return path


def oversized(folder: Path) -> Path:
    path = folder / "big.yaml"
    path.write_text(VECTOR + "#" * (17 << 20) + "\n")
    return path


# (id, the file, exit status of summary and check, rule code, a piece of its message). A file
# too large to read is a usage error for `summary`, one finding among others for `check`.
LIMITS: list[tuple[str, Callable[[Path], Path], int | tuple[int, int], str, str]] = [
    ("8.3M_values_fast_reader", lambda d: values(d, 8_300_000), 1, "DC009",
     f"DC009 the file holds more than {MAX_NODES:,} values"),
    ("8.3M_values_pyyaml", lambda d: values(d, 8_300_000, "description: &d anchored\n"), 1,
     "DC009",
     f"DC009 the file holds more than {MAX_NODES:,} values"),
    ("2.1M_values_one_pattern", lambda d: values_after_many_layers(d, 2_100_000), 1, "DC009",
     f"DC009 the file holds more than {MAX_NODES:,} values"),
    ("590k_layers", lambda d: many_layers(d, 590_000), 1, "DC009",
     f"DC009 `layers` lists 590,002 layers; the limit is {MAX_LAYERS:,}"),
    ("10MB_name", lambda d: long_name(d, "a" * 10_000_000), 1, "DC009",
     f"DC009 layer 3's name is 10,000,000 characters long; the limit is {MAX_NAME:,}"),
    ("10MB_name_of_words", lambda d: long_name(d, "a b " * 2_500_000, quoted=True), 1, "DC009",
     "DC009 layer 3's name is 10,000,000 characters long"),
    ("5MB_keras_name", lambda d: long_keras_name(d, 5_000_000), 1, "DC009",
     "DC009 layer 2's name is 5,000,000 characters long"),
    ("3M_escapes", lambda d: escapes(d, 3_000_000), 1, "DC009",
     "DC009 layer 3's name is 3,000,000 characters long"),
    ("6^8_nested_models", nested_chain, 1, "DC009",
     f"DC009 the model has {chain_size():,} layers and calls, a nested model's counted at each "
     f"use; the limit is {MAX_LAYERS:,}"),
    ("300_files", lambda d: many_files(d, 300), 1, "DC009",
     f"many.yaml:{3 + MAX_FILES + 1}:31: DC009 model 'f{MAX_FILES}.yaml': the spec pulls in "
     f"more than {MAX_FILES} files"),
    ("70_MiB_pulled_in", lambda d: large_files(d, 5, 14), 1, "DC009",
     "bigs.yaml:8:31: DC009 model 'big4.yaml': the files the spec pulls in are larger than "
     "64 MiB"),
    ("17_MiB_file", oversized, (2, 1), "DC009", "DC009 file is larger than 16 MiB"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "status", "code", "message"),
    [row[1:] for row in LIMITS],
    ids=[row[0] for row in LIMITS],
)
@pytest.mark.parametrize("command", ["summary", "check"])
def test_every_limit_is_a_clear_finding_within_bounds(
    tmp_path: Path, command: str, make: Callable[[Path], Path], status: int | tuple[int, int],
    code: str, message: str,
) -> None:  # fmt: skip
    ran = bounded(run(command, str(make(tmp_path))))
    expected = status if isinstance(status, int) else status[command == "check"]
    assert ran.status == expected, ran.output[-2000:]
    assert code in ran.codes()
    assert message in ran.output


def test_a_chain_within_the_limit_still_reads(tmp_path: Path) -> None:
    """Six files, each using the next six times: 9,331 layers, read once each, built."""
    ran = bounded(run("summary", str(nested_chain(tmp_path, files=6)), "--format", "json"))
    assert ran.status == 0
    assert json.loads(ran.out)["total_params"] == 20 * 6**5  # Dense(4) on 4: 20, 6^5 copies


# ---------------------------------------------------------------- read once per run


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often each file is read (by name)."""
    counts: dict[str, int] = {}
    real = loader.read_bytes

    def counted(path: str) -> tuple[bytes, tuple[int, int]]:
        name = os.path.basename(path)
        counts[name] = counts.get(name, 0) + 1
        return real(path)

    monkeypatch.setattr(loader, "read_bytes", counted)
    return counts


def test_each_nested_file_is_read_once(tmp_path: Path, reads: dict[str, int]) -> None:
    spec = load(str(nested_chain(tmp_path, files=5)))
    assert spec.diagnostics == []
    assert reads == {f"n{index}.yaml": 1 for index in range(5)}


def test_an_encoder_many_decoders_name_is_read_once(tmp_path: Path, reads: dict[str, int]) -> None:
    (tmp_path / "encoder.yaml").write_text(SPEC)
    for index in range(3):
        (tmp_path / f"decoder{index}.yaml").write_text(SPEC + "encoder: encoder.yaml\n")
    results = check_paths([str(tmp_path / f"decoder{index}.yaml") for index in range(3)], Config())
    for result in results:  # it takes (8, 8, 3), where the encoder ends at (6, 6, 4)
        assert "DC306" in [d.code for d in result.diagnostics]
    assert reads["encoder.yaml"] == 1


def test_a_run_reads_afresh(tmp_path: Path) -> None:
    """The cache is the run's (a `Reading`), not the process's: a later run sees a change."""
    outer, inner = outer_and_inner(tmp_path)
    first = load(str(outer))
    inner.write_text(VECTOR.replace("units: 4", "units: 7"))
    second = load(str(outer))
    assert first.layers[1].args["model"].layers[1].args["units"] == 4
    assert second.layers[1].args["model"].layers[1].args["units"] == 7
    shared = Reading()  # one run: the nested model is read once, and is the same spec
    models = [shared.load(str(outer)).layers[1].args["model"] for _ in range(2)]
    assert models[0] is models[1]


def uses(folder: Path, *names: str) -> Path:
    rows = "".join(
        f"  - {{type: Functional, model: {name}, inputs: [x], name: u{index}}}\n"
        for index, name in enumerate(names)
    )
    path = folder / "uses.yaml"
    path.write_text("deconvcheck: 1\nlayers:\n  - {type: Input, shape: [4], name: x}\n" + rows)
    return path


def test_what_one_spec_pulls_in_is_bounded_by_its_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: dict[str, int]
) -> None:
    """What a spec keeps of the files it pulls in (layers and arguments: 4 for each file here)
    is bounded, not only their bytes: a file past the bound is read once, refused at each use,
    and not kept."""
    monkeypatch.setattr(loader, "MAX_PULLED_VALUES", 10)
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(VECTOR)
    spec = load(str(uses(tmp_path, "a.yaml", "b.yaml", "c.yaml", "c.yaml", "a.yaml")))
    found = [(d.code, d.line) for d in spec.diagnostics]
    assert found == [("DC009", 6), ("DC009", 7)]
    assert "the files the spec pulls in hold more than 10 layers and arguments" in (
        spec.diagnostics[0].message
    )
    assert reads == {"uses.yaml": 1, "a.yaml": 1, "b.yaml": 1, "c.yaml": 1}


def test_a_long_run_keeps_a_bounded_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: dict[str, int]
) -> None:
    """Many specs in one run, each with a model of its own: the run's cache keeps the newest
    (MAX_FILES of them here 3), and what it dropped is read again when asked for."""
    monkeypatch.setattr(loader, "MAX_FILES", 3)
    reading = Reading()
    for index in range(6):
        (tmp_path / f"m{index}.yaml").write_text(VECTOR)
        assert reading.load(str(uses(tmp_path, f"m{index}.yaml"))).diagnostics == []
    assert len(reading._pulled) == 3
    reading.load(str(uses(tmp_path, "m5.yaml", "m0.yaml")))
    assert (reads["m5.yaml"], reads["m0.yaml"]) == (1, 2)


def test_a_hard_link_to_a_model_being_read_is_the_same_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VECTOR + "  - {type: Functional, model: b.yaml}\n")
    os.link(tmp_path / "a.yaml", tmp_path / "b.yaml")
    (diag,) = load(str(tmp_path / "a.yaml")).diagnostics
    assert (diag.code, diag.line) == ("DC107", 5)
    assert "contains itself" in diag.message


# ---------------------------------------------------------------- Keras archives


def keras_json(dense_name: str = "d") -> str:
    dense = {
        "class_name": "Dense",
        "name": dense_name,
        "config": {"units": 2, "name": dense_name},
        "inbound_nodes": [
            {
                "args": [
                    {"class_name": "__keras_tensor__", "config": {"keras_history": ["i", 0, 0]}}
                ],
                "kwargs": {},
            }
        ],
    }
    layers = [
        {
            "class_name": "InputLayer",
            "name": "i",
            "config": {"batch_shape": [None, 4], "name": "i"},
            "inbound_nodes": [],
        },
        dense,
    ]
    config = {"name": "m", "layers": layers}
    config |= {"input_layers": [["i", 0, 0]], "output_layers": [[dense_name, 0, 0]]}
    return json.dumps({"class_name": "Functional", "config": config})


def archive(compression: int = zipfile.ZIP_DEFLATED, config: str | None = None) -> bytearray:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zipped:
        zipped.writestr("metadata.json", "{}")
        zipped.writestr("config.json", keras_json() if config is None else config)
    return bytearray(buffer.getvalue())


def _entry(data: bytearray) -> tuple[int, int]:
    """Offsets of config.json's local header and of its central directory record."""
    local = data.find(b"PK\x03\x04", 1)
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 1)
    return local, central


def encrypted(data: bytearray) -> bytearray:
    local, central = _entry(data)
    data[local + 6] |= 1  # general purpose flag bit 0: encrypted
    data[central + 8] |= 1
    return data


def method(number: int) -> Callable[[bytearray], bytearray]:
    def mark(data: bytearray) -> bytearray:
        local, central = _entry(data)
        data[local + 8] = data[central + 10] = number
        return data

    return mark


def scrambled(data: bytearray) -> bytearray:
    start = _entry(data)[0] + 30 + len("config.json")
    for offset in range(start, start + 20):
        data[offset] ^= 0x55
    return data


def bad_crc(data: bytearray) -> bytearray:
    local, central = _entry(data)
    for at in (local + 14, central + 16):
        data[at] ^= 0xFF
    return data


def cut(data: bytearray) -> bytearray:
    local, _ = _entry(data)
    start = local + 30 + len("config.json") + 10
    return data[:start] + data[data.find(b"PK\x01\x02") :]


def claims_huge(data: bytearray) -> bytearray:
    _, central = _entry(data)
    data[central + 24 : central + 28] = (64 << 20).to_bytes(4, "little")  # uncompressed size
    return data


# (id, the archive's bytes, exit status of summary and check, rule code, a piece of the message)
ARCHIVES: list[tuple[str, Callable[[], bytes], int, str | None, str]] = [
    ("deflate", lambda: bytes(archive()), 0, None, ""),
    ("stored", lambda: bytes(archive(zipfile.ZIP_STORED)), 0, None, ""),
    ("bzip2", lambda: bytes(archive(zipfile.ZIP_BZIP2)), 0, None, ""),
    ("lzma", lambda: bytes(archive(zipfile.ZIP_LZMA)), 0, None, ""),
    ("encrypted", lambda: bytes(encrypted(archive())), 1, "DC006",
     "an encrypted .keras archive: config.json needs a password"),
    ("deflate64", lambda: bytes(method(9)(archive())), 1, "DC006",
     "compressed in a way Python's zipfile cannot read (zip method 9)"),
    ("aes", lambda: bytes(method(99)(archive())), 1, "DC006",
     "compressed in a way Python's zipfile cannot read (zip method 99)"),
    ("corrupt_data", lambda: bytes(scrambled(archive())), 1, "DC006",
     "a broken .keras archive: Error -3 while decompressing data"),
    ("bad_crc", lambda: bytes(bad_crc(archive())), 1, "DC006",
     "a broken .keras archive: Bad CRC-32 for file 'config.json'"),
    ("truncated", lambda: bytes(cut(archive())), 1, "DC006", "a broken .keras archive"),
    ("claims_64_MiB", lambda: bytes(claims_huge(archive())), 1, "DC009",
     "config.json in the archive is larger than 16 MiB"),
    ("no_config", lambda: bytes(archive(config="{}")).replace(b"config.json", b"configxjson"),
     1, "DC006", "a zip file without config.json"),
    ("trailing_comma_config", lambda: bytes(archive(config=keras_json()[:-2] + ",}}")), 1,
     "DC004", "JSON syntax error"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "status", "code", "message"),
    [row[1:] for row in ARCHIVES],
    ids=[row[0] for row in ARCHIVES],
)
@pytest.mark.parametrize("command", ["summary", "check"])
def test_a_keras_archive_that_cannot_be_read_is_a_finding(
    tmp_path: Path, command: str, make: Callable[[], bytes], status: int, code: str | None,
    message: str,
) -> None:  # fmt: skip
    path = tmp_path / "model.keras"
    path.write_bytes(make())
    ran = bounded(run(command, str(path)))
    assert ran.status == status, ran.output
    assert ran.codes() == ([code] if code else [])
    assert message in ran.output


# ---------------------------------------------------------------- check passes nothing over


def deep_keras(levels: int) -> str:
    return (
        '{"class_name": "Functional", "config": {"name": "m", "layers": '
        + "[" * levels
        + "]" * levels
        + "}}"
    )


# (id, file name, its bytes): each a spec or a Keras model that cannot be read as it is; `check`
# reports what `summary` reports, instead of passing it over as "other files".
UNREADABLE_SPECS: list[tuple[str, str, bytes]] = [
    ("utf32_bom", "spec.yaml", (SPEC + "  - {type: Dense, units: 0}\n").encode("utf-32")),
    ("utf32le", "spec.yaml", (SPEC + "  - {type: Dense, units: 0}\n").encode("utf-32-le")),
    ("utf16be", "spec.yaml", (SPEC + "  - {type: Dense, units: 0}\n").encode("utf-16-be")),
    ("keras_trailing_comma", "model.json", (keras_json()[:-2] + ",}}").encode()),
    ("keras_10000_deep", "model.json", deep_keras(10_000).encode()),
    ("keras_truncated", "model.json", keras_json()[:200].encode()),
]


@pytest.mark.parametrize(
    ("name", "data"), [row[1:] for row in UNREADABLE_SPECS], ids=[r[0] for r in UNREADABLE_SPECS]
)
def test_check_reports_what_summary_reports(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    summary = bounded(run("summary", str(path)))
    checked = bounded(run("check", str(path)))
    folder = bounded(run("check", str(tmp_path)))
    assert summary.status == checked.status == folder.status == 1
    assert summary.codes() and checked.codes() == folder.codes() == summary.codes()
    assert "0 other file(s) skipped" in checked.err + folder.err


def test_an_utf32_spec_reads_as_its_utf8_twin(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(SPEC.encode("utf-32"))
    (tmp_path / "b.yaml").write_text(SPEC)
    ran = [bounded(run("summary", str(tmp_path / f"{n}.yaml"), "--format", "json")) for n in "ab"]
    assert ran[0].status == ran[1].status == 0
    assert json.loads(ran[0].out)["layers"] == json.loads(ran[1].out)["layers"]


def test_files_that_are_not_specs_are_still_skipped(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: nginx}\n")
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0",}')
    (tmp_path / "data.json").write_text("[" * 10_000 + "]" * 10_000)
    ran = bounded(run("check", str(tmp_path)))
    assert (ran.status, ran.codes()) == (0, [])
    assert "(3 other file(s) skipped)" in ran.err


@needs_permissions
def test_an_unreadable_folder_in_a_scan_is_named(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(SPEC)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "spec.yaml").write_text(SPEC + "  - {type: Dense, units: 0}\n")
    locked.chmod(0)
    try:
        ran = bounded(run("check", str(tmp_path), bound_by_permissions=True))
    finally:
        locked.chmod(0o755)
    assert ran.status == 2
    assert (
        f"{locked}:0:0: DC001 cannot read folder: Permission denied; the specs in it are not "
        "checked" in ran.output
    )


def test_discover_names_a_folder_it_cannot_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, in-process and whoever runs it: os.walk's listing of one folder fails."""
    (tmp_path / "a.yaml").write_text(SPEC)
    (tmp_path / "locked").mkdir()
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert list(discover([str(tmp_path)])) == [str(tmp_path / "a.yaml"), str(tmp_path / "locked")]


def test_special_and_broken_files_in_a_scan_are_named(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(SPEC)
    fifo(tmp_path, "pipe.yaml")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    ran = bounded(run("check", str(tmp_path)))
    assert ran.status == 2
    assert f"{tmp_path / 'pipe.yaml'}:0:0: DC001 is a FIFO (named pipe)" in ran.output
    assert f"{tmp_path / 'gone.yaml'}:0:0: DC001 cannot read file: No such file" in ran.output


# ---------------------------------------------------------------- the working folder is gone


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (["summary", "{spec}"], 0, 'Model: "functional"'),
        (["check", "{spec}"], 0, "1 spec file(s) checked, no findings"),
        (["check", "spec.yaml"], 2, "DC001 cannot read file: No such file or directory"),
        (["summary", "spec.yaml"], 2, "DC001 cannot read file: No such file or directory"),
        (["draw", "{spec}", "-o", "out.txt"], 2, "cannot write out.txt"),
        (["convert", "{spec}", "-o", "{here}/out.yaml"], 2, "cannot write"),
    ],
)
def test_a_deleted_working_folder(tmp_path: Path, args: list[str], status: int, said: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    here = tmp_path / "here"
    here.mkdir()
    command = [a.format(spec=spec, here=here) for a in args]
    script = f'cd "{here}" && rmdir "{here}" && exec "$@"'
    done = subprocess.run(
        ["sh", "-c", script, "sh", sys.executable, "-m", "deconvcheck", *command],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == status, done.stdout + done.stderr
    assert said in done.stdout + done.stderr
    assert "internal error" not in done.stderr


# ---------------------------------------------------------------- no file is ever lost


@pytest.fixture
def keras_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.json"
    path.write_text(keras_json())
    return path


def leftovers(folder: Path) -> list[str]:
    """Temporary files left beside a target."""
    return sorted(p.name for p in folder.rglob(".*.tmp"))


def outer_and_inner(folder: Path) -> tuple[Path, Path]:
    (folder / "inner.yaml").write_text(VECTOR)
    outer = folder / "outer.yaml"
    outer.write_text(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [4]}\n"
        "  - {type: Functional, model: inner.yaml}\n"
    )
    return outer, folder / "inner.yaml"


def hard_link(target: Path, link: Path) -> str:
    os.link(target, link)
    return str(link)


def symbolic_link(target: Path, link: Path) -> str:
    link.symlink_to(target)
    return str(link)


# (id, the command (SOURCE and TARGET filled in), how to make the target from the source folder
# and its files, the piece of the message): each exits 2, the files as they were, nothing left.
REFUSED: list[tuple[str, list[str], Callable[[Path, Path], str], str]] = [
    ("hard_link_of_input", ["convert", "{source}", "-o", "{target}"],
     lambda d, s: hard_link(s, d / "hard.json"),
     "refusing to overwrite"),
    ("symlink_to_input", ["convert", "{source}", "-o", "{target}"],
     lambda d, s: symbolic_link(s, d / "link.json"),
     "refusing to overwrite"),
    ("the_input_itself", ["export", "{source}", "-o", "{target}"], lambda d, s: str(s),
     "refusing to overwrite"),
    ("nested_model_draw", ["draw", "{outer}", "-o", "{target}"],
     lambda d, s: str(d / "inner.yaml"), "refusing to overwrite"),
    ("nested_model_convert", ["convert", "{outer}", "-o", "{target}"],
     lambda d, s: str(d / "inner.yaml"), "refusing to overwrite"),
    ("nested_model_export", ["export", "{outer}", "-o", "{target}"],
     lambda d, s: str(d / "inner.yaml"), "refusing to overwrite"),
    ("hard_link_of_nested_model", ["draw", "{outer}", "--to", "svg", "-o", "{target}"],
     lambda d, s: hard_link(d / "inner.yaml", d / "again.yaml"),
     "refusing to overwrite"),
    ("missing_folder", ["convert", "{source}", "-o", "{target}"],
     lambda d, s: str(d / "nope" / "out.yaml"), "cannot write"),
    ("empty_name", ["draw", "{source}", "-o", "{target}"], lambda d, s: "",
     "no file name given to write to"),
    ("dev_full", ["convert", "{source}", "-o", "{target}"], lambda d, s: "/dev/full",
     "No space left on device"),
    ("fifo_nobody_reads", ["draw", "{source}", "--to", "mermaid", "-o", "{target}"],
     lambda d, s: str(fifo(d, "out.mmd")), "No such device or address"),
    ("a_folder", ["convert", "{source}", "-o", "{target}"], lambda d, s: str(d), ""),
]  # fmt: skip


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under a folder: a file's bytes, or what kind of entry it is."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[path.name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[path.name] = path.read_bytes()
        else:
            found[path.name] = stat.filemode(path.lstat().st_mode)
    return found


@pytest.mark.parametrize(
    ("args", "make", "message"), [row[1:] for row in REFUSED], ids=[row[0] for row in REFUSED]
)
def test_an_output_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, keras_file: Path, args: list[str], make: Callable[[Path, Path], str],
    message: str,
) -> None:  # fmt: skip
    outer, _ = outer_and_inner(tmp_path)
    target = make(tmp_path, keras_file)
    before = snapshot(tmp_path)
    command = [a.format(source=keras_file, outer=outer, target=target) for a in args]
    ran = bounded(run(*command))
    assert ran.status == 2, ran.output
    assert message in ran.err
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path) == []


@needs_permissions
def test_a_read_only_folder_keeps_its_file(tmp_path: Path, keras_file: Path) -> None:
    folder = tmp_path / "read_only"
    folder.mkdir()
    old = folder / "model.yaml"
    old.write_text("the old spec\n")
    folder.chmod(0o555)
    try:
        ran = bounded(run("convert", str(keras_file), "-o", str(old), bound_by_permissions=True))
    finally:
        folder.chmod(0o755)
    assert ran.status == 2
    assert f"cannot write {old}: Permission denied; the old file is unchanged" in ran.err
    assert old.read_text() == "the old spec\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["text", "svg", "mermaid", "dot"])
def test_a_file_size_limit_keeps_the_old_file(tmp_path: Path, keras_file: Path, fmt: str) -> None:
    old = tmp_path / "profile.out"
    old.write_bytes(b"OLD" * 10_000)
    ran = bounded(run("draw", str(keras_file), "--to", fmt, "-o", str(old), fsize=100))
    assert ran.status == 2
    assert f"cannot write {old}: File too large; the old file is unchanged" in ran.err
    assert old.read_bytes() == b"OLD" * 10_000
    assert leftovers(tmp_path) == []


def test_a_full_disk_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "out.yaml"
    old.write_text("old\n")

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteError, match="No space left on device; the old file is unchanged"):
        write_file(str(old), b"new\n" * 1000)
    assert old.read_text() == "old\n"
    assert leftovers(tmp_path) == []


def test_an_interrupted_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "out.yaml"
    old.write_text("old\n")

    def interrupted(descriptor: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_file(str(old), b"new\n")
    assert old.read_text() == "old\n"
    assert leftovers(tmp_path) == []


def test_a_render_that_fails_keeps_the_old_file(
    tmp_path: Path, keras_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deconvcheck.report import draw  # noqa: PLC0415

    def broken(view: object) -> str:
        raise RuntimeError("a renderer's bug")

    monkeypatch.setitem(draw.REPORTERS, "svg", broken)
    old = tmp_path / "profile.svg"
    old.write_text("<svg>old</svg>")
    result = CliRunner().invoke(cli, ["draw", str(keras_file), "--to", "svg", "-o", str(old)])
    assert isinstance(result.exception, RuntimeError)
    assert old.read_text() == "<svg>old</svg>"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "args",
    [
        ["convert", "{source}", "-o", "{target}"],
        ["export", "{outer}", "-o", "{target}"],
        ["draw", "{outer}", "--to", "svg", "-o", "{target}"],
    ],
    ids=["convert", "export", "draw"],
)
def test_a_written_file_replaces_the_old_whole(
    tmp_path: Path, keras_file: Path, args: list[str]
) -> None:
    """Through a symbolic link (kept), with the old file's permissions."""
    outer, _ = outer_and_inner(tmp_path)
    real = tmp_path / "written" / "out.txt"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    command = [a.format(source=keras_file, outer=outer, target=link) for a in args]
    ran = bounded(run(*command))
    assert ran.status == 0, ran.output
    assert ran.err.startswith(f"wrote {link}")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() != "old\n" and len(real.read_text()) > 100
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_device_is_written_through_not_replaced(keras_file: Path) -> None:
    ran = bounded(run("convert", str(keras_file), "-o", "/dev/null"))
    assert ran.status == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_new_file_has_the_usual_permissions(tmp_path: Path, keras_file: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    ran = bounded(run("convert", str(keras_file), "-o", str(tmp_path / "new.yaml")))
    assert ran.status == 0
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o666 & ~umask
