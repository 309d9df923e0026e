"""Hostile input at run time (issue 19, items 2, 4 and 5): Ctrl-C, output encodings, a deleted
working folder, wrong types in [tool.deconvcheck], odd numbers in arguments, work that grows
with the input, and Keras files whose output_layers or input_layers are no list of tensors.

Each case ends with its exit status (130 for Ctrl-C, 2 for a usage error, 0 or 1 otherwise,
never 3), a message that says what was received, no traceback, and within 10 s and 1 GiB.
Where the process itself matters (signals, encodings, the working folder, time and memory) a
real `python -m deconvcheck` runs; the rest goes through click's runner."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from deconvcheck.checks.config import ConfigError, PathPatterns, load_config
from deconvcheck.checks.run import PARALLEL_FROM
from deconvcheck.cli.main import cli, whole_number
from deconvcheck.infer import infer
from deconvcheck.read.loader import load
from deconvcheck.sizes import MAX_WORK, calls, over_budget
from deconvcheck.solve import plan
from deconvcheck.solve.settings import Bounds
from tests.conftest import SAMPLES

GiB = 1 << 30
FIXTURES = Path(__file__).parent / "fixtures"
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc, sends signals")


def chain(path: Path, layers: int) -> Path:
    """A spec of `layers` 'same' convolutions on an open-size input: every size is valid, and
    every size gives new shapes (no call result can be reused across sizes)."""
    lines = ["deconvcheck: 1", "layers:", "  - {type: Input, shape: [null, null, 3]}"]
    lines += [
        f"  - {{type: Conv2D, filters: 4, kernel_size: 3, padding: same, name: c{i}}}"
        for i in range(layers)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def bounded(rlimit: int) -> None:
    import resource  # noqa: PLC0415 - Unix only, in the child

    resource.setrlimit(resource.RLIMIT_AS, (rlimit, rlimit))


def process(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    memory: int = GiB,
    timeout: float = 30,
) -> tuple[int, bytes, bytes, float]:
    """`python -m deconvcheck ARGS` under a memory cap: status, stdout, stderr, seconds."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "deconvcheck", *args],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        preexec_fn=(lambda: bounded(memory)) if sys.platform == "linux" else None,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - start


def clean_end(status: int, stderr: bytes, expected: set[int]) -> None:
    text = stderr.decode("utf-8", "replace")
    assert status in expected, text
    assert "Traceback" not in text and "internal error" not in text, text


# -- Ctrl-C ------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and of its children that have ended."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listed:
            return [int(child) for child in listed.read().split()]
    except OSError:
        return []


def running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may never reap an orphan)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def interrupt(
    args: list[str], *, workers: int = 0, whole_group: bool = True, stdin: Any = None
) -> tuple[int, str, list[int], float]:
    """Start the command, wait until it is working (a second of CPU; `workers` child processes
    busy), then Ctrl-C: SIGINT to its process group as a terminal sends it, or to it alone.
    Status, stderr, the workers seen, seconds from the signal to the end."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "deconvcheck", *args],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert proc.poll() is None, "the command ended before it was interrupted"
            kids = children(proc.pid)
            if workers:
                if len(kids) >= workers and sum(cpu_seconds(k) for k in kids) > 0.5:
                    break
            elif stdin is not None and time.monotonic() > deadline - 19:
                break  # started a second ago: imported, now waiting for standard input
            elif cpu_seconds(proc.pid) > 1.0:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the command never got to work")
        sent = time.monotonic()
        if whole_group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        return proc.returncode, err.decode("utf-8", "replace"), kids, time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@linux_only
@pytest.mark.parametrize("whole_group", [True, False], ids=["terminal", "parent_only"])
def test_ctrl_c_in_a_parallel_check_ends_every_process(tmp_path: Path, whole_group: bool) -> None:
    """Before: the workers' tracebacks, or exit 1 ("Aborted!") only once every file had been
    checked (28 s here). Now: the workers ignore SIGINT, the parent ends them and exits 130."""
    spec = chain(tmp_path / "big.yaml", 2000)
    folder = tmp_path / "specs"
    folder.mkdir()
    for number in range(max(1000, PARALLEL_FROM)):  # some 9 s of work on two cores
        os.link(spec, folder / f"s{number}.yaml")
    status, err, kids, seconds = interrupt(
        ["check", str(folder)], workers=2, whole_group=whole_group
    )
    assert status == 130
    assert err.strip() == "deconvcheck: interrupted"
    assert seconds < 5
    deadline = time.monotonic() + 5
    while any(running(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(k) for k in kids)


@linux_only
@pytest.mark.parametrize(
    "command",
    [
        ["sizes", "{spec300}", "--range", "1:3000"],
        ["solve", "--in", "1", "--out", "1048576", "--stages"],
        ["summary", "{spec20000}"],
        ["check", "{many}"],
    ],
    ids=["sizes", "solve", "summary", "check"],
)
def test_ctrl_c_exits_130_from_every_command(tmp_path: Path, command: list[str]) -> None:
    """Before: exit 1 and "Aborted!" (click's handling of KeyboardInterrupt)."""
    many = tmp_path / "many"
    if "{many}" in command:  # fewer than PARALLEL_FROM: checked in this process
        many.mkdir()
        spec = chain(tmp_path / "big.yaml", 2000)
        for number in range(PARALLEL_FROM - 1):
            os.link(spec, many / f"s{number}.yaml")
    paths = {
        "{spec300}": lambda: chain(tmp_path / "s300.yaml", 300),
        "{spec20000}": lambda: chain(tmp_path / "s20000.yaml", 20000),
        "{many}": lambda: many,
    }
    args = [str(paths[a]()) if a in paths else a for a in command]
    status, err, _, seconds = interrupt(args)
    assert (status, err.strip()) == (130, "deconvcheck: interrupted")
    assert seconds < 5


@linux_only
def test_ctrl_c_while_reading_standard_input() -> None:
    read, write = os.pipe()  # open, never written: `summary -` waits on it
    try:
        with os.fdopen(read, "rb") as stdin:
            status, err, _, _ = interrupt(["summary", "-"], stdin=stdin)
    finally:
        os.close(write)
    assert (status, err.strip()) == (130, "deconvcheck: interrupted")


# -- Encodings and the working folder ----------------------------------------------------------


NAMES_YAML = """deconvcheck: 1
name: модель_名前
layers:
  - {type: Input, shape: [5, 5, 3], name: вход}
  - {type: Conv2D, filters: 4, kernel_size: 3, name: свёртка_日本}
  - {type: Conv2D, filters: 4, kernel_size: 7, name: слишком_большое}
"""

SURROGATES = {  # lone surrogates, as a JSON file may spell them
    "deconvcheck": 1,
    "name": "m\ud800",
    "layers": [
        {"type": "Input", "shape": [5, 5, 3], "name": "in\ud800"},
        {"type": "Conv2D", "filters": 4, "kernel_size": 7, "name": "c\udcff日本"},
    ],
}

COMMANDS = [
    ["summary"],
    ["summary", "--explain"],
    ["summary", "--format", "json"],
    ["check"],
    ["check", "--format", "github"],
    ["check", "--format", "json"],
    ["check", "--format", "sarif"],
    ["draw"],
    ["draw", "--to", "mermaid"],
    ["draw", "--to", "dot"],
    ["draw", "--to", "svg"],
    ["sizes", "--range", "1:16"],
]


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("names")
    (folder / "names.yaml").write_text(NAMES_YAML, encoding="utf-8")
    (folder / "surrogates.json").write_text(json.dumps(SURROGATES), encoding="utf-8")
    return {"names": folder / "names.yaml", "surrogates": folder / "surrogates.json"}


@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "utf-8"])
@pytest.mark.parametrize("which", ["names", "surrogates"])
@pytest.mark.parametrize("command", COMMANDS, ids=["-".join(c) for c in COMMANDS])
def test_any_output_encoding(
    named: dict[str, Path], encoding: str, which: str, command: list[str]
) -> None:
    """Before: UnicodeEncodeError, exit 3, for a non-Latin name under latin-1 and for a lone
    surrogate under every encoding (summary, draw, sizes; check with a finding). Now what the
    encoding cannot write is escaped (`\\u0432`)."""
    status, out, err, _ = process(
        *command, str(named[which]), env={"PYTHONIOENCODING": encoding}, timeout=10
    )
    clean_end(status, err, {0, 1})
    if encoding == "latin-1" and command == ["summary"]:
        escaped = "\\u0432\\u0445\\u043e\\u0434" if which == "names" else "in\\ud800"
        assert escaped.encode() in out


@linux_only
@pytest.mark.parametrize(
    ("command", "status"),
    [
        (["check", "{spec}"], 0),  # no pyproject.toml to find from a folder that is gone
        (["check", "relative.yaml"], 2),
        (["summary", "{spec}"], 0),
        (["draw", "{spec}", "--to", "svg", "-o", "relative.svg"], 2),
        (["solve", "--in", "7", "--out", "14"], 0),
    ],
    ids=["check", "check-relative", "summary", "draw-o-relative", "solve"],
)
def test_a_deleted_working_folder(tmp_path: Path, command: list[str], status: int) -> None:
    """Before: FileNotFoundError, exit 3 (check looks for pyproject.toml from the working
    folder; -o resolved a path in it)."""
    gone = tmp_path / "gone"
    gone.mkdir()

    def leave_deleted() -> None:
        os.chdir(gone)
        os.rmdir(gone)

    args = [str(SAMPLES / "unet.yaml") if a == "{spec}" else a for a in command]
    done = subprocess.run(
        [sys.executable, "-m", "deconvcheck", *args],
        capture_output=True,
        preexec_fn=leave_deleted,
        timeout=30,
        check=False,
    )
    clean_end(done.returncode, done.stderr, {status})


def test_an_os_error_once_the_working_folder_is_gone_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What no command handles itself: the last handler names the cause, exit 2, not 3."""
    from deconvcheck.cli import main as entry  # noqa: PLC0415
    from deconvcheck.solve.problem import Problem  # noqa: PLC0415

    def lost(*args: object) -> str:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(Problem, "solve", lost)
    monkeypatch.setattr(os, "getcwd", lost)
    with pytest.raises(SystemExit) as ended:
        entry.main(["solve", "--in", "7", "--out", "14"])
    assert ended.value.code == 2
    assert (
        "the working folder no longer exists (No such file or directory)" in capsys.readouterr().err
    )
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back


# -- [tool.deconvcheck] ------------------------------------------------------------------------


DEEP = "[" * 5000 + "]" * 5000
CONFIGS = [
    ('tool = "deconvcheck"\n', "tool must be a table ([tool]); received a string ('deconvc"),
    ("tool = 5  # deconvcheck\n", "tool must be a table ([tool]); received an integer (5)"),
    (
        '[tool]\ndeconvcheck = "DC301"\n',  # before: "unknown keys: 0, 1, 3, C, D"
        "tool.deconvcheck must be a table ([tool.deconvcheck] with keys such as "
        "select = [\"DC3\"]); received a string ('DC301')",
    ),
    ('[tool]\ndeconvcheck = ["DC301"]\n', "tool.deconvcheck must be a table"),
    ("[tool]\ndeconvcheck = 5\n", "received an integer (5)"),  # before: TypeError, exit 3
    (
        "[tool.deconvcheck]\nselect = [1, 2]\n",
        'select must hold rule codes, strings such as "DC303" or "DC3"; received an integer (1)',
    ),
    (
        '[tool.deconvcheck]\nselect = "DC3"\n',
        "select must be an array of rule codes, e.g. [\"DC3\"]; received a string ('DC3')",
    ),
    ('[tool.deconvcheck]\nignore = [["DC3"]]\n', "ignore must hold rule codes"),
    ("[tool.deconvcheck]\nextend-select = [{a = 1}]\n", "received a table"),
    ("[tool.deconvcheck]\nselect = 2024-01-01\n", "received a date or time"),
    (
        '[tool.deconvcheck]\nper-file-ignores = {"a/*" = "DC301"}\n',
        "per-file-ignores 'a/*' must be an array of rule codes",
    ),
    ("[tool.deconvcheck]\nper-file-ignores = 3\n", "per-file-ignores must be a table"),
    ('[tool.deconvcheck]\nper-file-budgets = {"a" = 5}\n', "per-file-budgets 'a' must be a table"),
    ("[tool.deconvcheck]\nmax-params = 1.5\n", "max-params must be a positive integer; received a"),
    ("[tool.deconvcheck]\nmax-params = true\n", "received a boolean (true)"),
    ('[tool.deconvcheck]\n"" = 1\n', "unknown [tool.deconvcheck] keys: ''"),
    (f"[tool.deconvcheck]\nselect = {DEEP}\n", "arrays or tables nested too deeply"),
    (f"# deconvcheck\nx = {DEEP}\n", "arrays or tables nested too deeply"),  # before: exit 3
    ("[tool.deconvcheck]\nmax-params = 1" + "0" * 5000 + "\n", "more than 4,300 digits"),
    (
        '[tool.deconvcheck]\nselect = ["' + "D" * 5000 + '"]\n',
        "'DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD... (5,002 characters) is not a rule code",
    ),
    (
        '[tool.deconvcheck.per-file-ignores]\n"' + "*" * 2000 + '" = ["DC3"]\n',
        "a pattern of 2,000 characters (at most 1,000)",
    ),
    (
        "[tool.deconvcheck.per-file-ignores]\n"
        + "".join(f'"{i:04}{"*a" * 495}" = ["DC3"]\n' for i in range(1011)),
        "per-file patterns of 1,004,934 characters in all (at most 1,000,000)",
    ),
    (
        "[tool.deconvcheck]\n" + "".join(f"k{i} = 1\n" for i in range(20)),
        "unknown [tool.deconvcheck] keys: k0, k1, k10, k11, k12 and 15 more",
    ),
]


@pytest.mark.parametrize(("content", "message"), CONFIGS)
def test_config_of_the_wrong_type_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(content)
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert message in str(raised.value)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(SAMPLES / "unet.yaml")])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr) < 500  # named, not printed


def test_twenty_thousand_per_file_ignores(tmp_path: Path) -> None:
    """Before: 60-91 s (each finding of each file resolved its path and matched every pattern
    again). Now each pattern is compiled once and each file matched once: the patterns still
    apply, 21 files in a second or two."""
    patterns = [f'"legacy{i}/*.yaml" = ["DC301"]' for i in range(20_000)]
    patterns.append('"ignored/*.json" = ["DC2"]')
    (tmp_path / "pyproject.toml").write_text(
        "[tool.deconvcheck.per-file-ignores]\n" + "\n".join(patterns) + "\n"
    )
    bad = json.dumps({**SURROGATES, "name": "m", "layers": SURROGATES["layers"]})
    for folder in ("ignored", "reported"):
        (tmp_path / folder).mkdir()
        for number in range(10):
            (tmp_path / folder / f"s{number}.json").write_text(bad)
    (tmp_path / "legacy7").mkdir()
    (tmp_path / "legacy7" / "old.yaml").write_text(
        (Path(__file__).parent / "rules" / "DC301" / "bad_autoencoder_225.yaml").read_text()
    )
    status, out, err, seconds = process("check", ".", cwd=tmp_path)
    clean_end(status, err, {1})
    assert seconds < 10
    reported = {line.split(":")[0] for line in out.decode().splitlines() if ": DC" in line}
    assert reported == {f"reported/s{n}.json" for n in range(10)}


def test_path_patterns_match_once_per_file() -> None:
    patterns = PathPatterns(tuple((f"p{i}/*" + "*a" * 20, (f"DC{i}",)) for i in range(2000)), "/")
    start = time.monotonic()
    for _ in range(1000):  # one file asked about a thousand times: matched once
        assert patterns.matching("/p7/" + "a" * 200) == [("DC7",)]
    assert time.monotonic() - start < 2
    copied = copy.deepcopy(patterns)
    assert copied == patterns and copied.matching("/p7/" + "a" * 30) == [("DC7",)]


# -- Numbers in arguments ----------------------------------------------------------------------


HUGE = "9" * 5000
UNET = str(SAMPLES / "unet.yaml")
ARGUMENTS = [
    (["solve", "--in", "²", "--out", "4"], "'²' is not a size"),  # before: ValueError, exit 3
    (["solve", "--in", "2", "--out", HUGE], "(5,002 characters) is not a size"),  # exit 3
    (["solve", "--in", "0", "--out", "4"], "'0' is not a size"),
    (["solve", "--in", "-3", "--out", "4"], "'-3' is not a size"),
    (["solve", "--in", "2x²", "--out", "4"], "'2x²' is not a size"),
    (["solve", "--in", "١٢", "--out", "24"], "'١٢' is not a size"),
    (["solve", "--in", "2", "--out", "4", "--max-kernel", "²"], "'²' is not a whole number"),
    (["solve", "--in", "2", "--out", "4", "--max-kernel", HUGE], "from 1 to 64"),
    (["solve", "--in", "2", "--out", "4", "--limit", HUGE], "is not a whole number, 0 or more"),
    (["solve", "--in", "2", "--out", "4", "--limit", "-1"], "'-1' is not a whole number, 0 or"),
    (["solve", "--in", "2", "--out", "4", "--dims", "4"], "'4' is not a whole number from 1 to"),
    (["summary", UNET, "--input-shape", "²,3,3"], "'²,3,3' is not a shape"),  # before: exit 3
    (["summary", UNET, "--input-shape", f"{HUGE},3,3"], "characters) is not a shape"),  # exit 3
    (["summary", UNET, "--input-shape", "0,3,3"], "'0,3,3' is not a shape"),
    (["summary", UNET, "--input-shape", "-1,3,3"], "'-1,3,3' is not a shape"),
    (["draw", UNET, "--input-shape", "²"], "'²' is not a shape"),
    (["check", UNET, "--input-shape", "²"], "'²' is not a shape"),
    (["summary", UNET, "--width", "²"], "'²' is not a whole number from 40 to 1000"),
    (["summary", UNET, "--width", "0"], "'0' is not a whole number from 40 to 1000"),
    (["summary", UNET, "--width", HUGE], "(5,002 characters) is not a whole number"),
    (["summary", UNET, "--batch-size", "0"], "'0' is not a whole number, 1 or more"),
    (["summary", UNET, "--batch-size", HUGE], "(5,002 characters) is not a whole number"),
    (["sizes", UNET, "--range", "²:4"], "'²:4': write LOW:HIGH"),  # before: ValueError, exit 3
    (["sizes", UNET, "--range", f"1:{HUGE}"], "characters): write LOW:HIGH"),  # exit 3
    (["sizes", UNET, "--range", "0:4"], "'0:4': write LOW:HIGH"),
    (["sizes", UNET, "--range", "5:4"], "'5:4': write LOW:HIGH"),
    (["sizes", UNET, "--range", "-1:4"], "'-1:4': write LOW:HIGH"),
]


@pytest.mark.parametrize(
    ("args", "message"), ARGUMENTS, ids=[" ".join(a)[:40] for a, _ in ARGUMENTS]
)
def test_numbers_in_arguments_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr) < 600


@pytest.mark.parametrize(
    ("text", "expected"),
    [("64", 64), ("  7 ", 7), ("007", 7), ("²", None), ("١٢", None), ("0", None), ("-1", None),
     ("1e3", None), ("", None), ("2147483647", 2147483647), ("2147483648", None),
     ("0" * 5000 + "1", 1), (HUGE, None)],
)  # fmt: skip
def test_whole_number(text: str, expected: int | None) -> None:
    assert whole_number(text) == expected


# -- Bounded work ------------------------------------------------------------------------------


def test_sizes_refuses_a_range_too_wide_for_the_model(tmp_path: Path) -> None:
    """Before: `--range 1:100000` on 300 layers ran for some two minutes (30 million layer
    calls). Now a usage error at once, naming a range that fits."""
    spec = chain(tmp_path / "s300.yaml", 300)
    status, _, err, seconds = process("sizes", str(spec), "--range", "1:100000")
    clean_end(status, err, {2})
    assert seconds < 5
    assert (
        b"--range 1:100000 would run 301 layer calls at each of 100,000 sizes (30,100,000; at "
        b"most 1,000,000 in one run): try --range 1:3322" in err
    )
    status, out, err, seconds = process("sizes", str(spec), "--range", "1:3322")
    clean_end(status, err, {0})
    assert seconds < 10
    assert b"valid: 3322 size(s)" in out


def test_sizes_budget_counts_nested_models() -> None:
    model = infer(load(str(SAMPLES / "unet.yaml")))
    assert calls(model.graph) == len(model.graph.schedule)
    assert over_budget(model.graph, 1, 512) is None
    widest = MAX_WORK // calls(model.graph)
    assert over_budget(model.graph, 1, widest) is None
    assert f"try --range 1:{widest}" in (over_budget(model.graph, 1, widest + 1) or "")
    outer = infer(load(str(FIXTURES / "calls" / "nested_model_twice.json")))
    assert calls(outer.graph) > len(outer.graph.schedule)  # the nested model's own calls too


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (  # before: unbounded (minutes, 450 MB and growing)
            ["--in", "1", "--out", "1048576", "--stages"],
            1,
            "the search for a chain from 1 to 1048576 stopped unfinished, with too many chains "
            "to try (--stages looks at 3,000,000 layer settings at most): plan it in parts, "
            "1 -> 1024 and 1024 -> 1048576",
        ),
        (  # before: unbounded
            ["--in", "1000000000000000000", "--out", "1", "--stages"],
            1,
            "1000000000000000000 -> 1 needs more than 16 stages of stride 8 or less, the most "
            "--stages plans",
        ),
        (
            ["--in", "1", "--out", "1000000000000000000", "--stages", "--max-stride", "64",
             "--max-kernel", "64", "--max-dilation", "16"],
            1,
            "stopped unfinished",
        ),
        (["--in", "1x1x1", "--out", "1048576x1048575x1048574", "--stages"], 1, "stopped"),
        (["--in", "1", "--out", "1000000000000000000", "--max-stride", "64", "--max-kernel",
          "64", "--max-dilation", "16"], 1, "use --stages"),  # before: 12 s
        (["--in", "7", "--out", "224", "--stages", "-F", "keras"], 0, "stages: 7x7 -> 14x14"),
    ],
    ids=["1-to-2^20", "10^18-to-1", "1-to-10^18-max-bounds", "3-axes", "no-stages", "7-to-224"],
)  # fmt: skip
def test_solve_stages_is_bounded(args: list[str], status: int, message: str) -> None:
    code, out, err, seconds = process("solve", *args)
    clean_end(code, err, {status})
    assert seconds < 10
    assert message in out.decode()


@pytest.mark.parametrize(
    ("n", "m", "stride", "fewest"),
    [(7, 224, 2, 4), (224, 7, 2, 4), (1, 2**20, 2, None), (1, 2**20, 8, 7), (10**18, 1, 8, None),
     (5, 5, 2, 1)],
)  # fmt: skip
def test_fewest_stages(n: int, m: int, stride: int, fewest: int | None) -> None:
    assert plan.fewest_stages(n, m, Bounds(max_stride=stride)) == fewest


def test_stage_search_shares_one_budget() -> None:
    budget = plan.Budget(1000)
    found = plan.stages("keras", 1, 2**20, Bounds(), budget=budget)
    assert found.chain is None and "stopped unfinished" in (found.why or "")
    assert budget.left < 0
    assert plan.stages("keras", 7, 224, Bounds(), budget=budget).chain is None  # spent
    assert [s.length_out for s in plan.stages("keras", 7, 224, Bounds()).chain or []] == [
        14, 28, 56, 112, 224,
    ]  # fmt: skip


# -- Keras files: output_layers and input_layers -----------------------------------------------


KERAS = json.loads((FIXTURES / "keras3" / "conv_autoencoder.json").read_text())
OUT, IN = "reconstruction", "image"
ENDS = [  # (key, value, DC006 message or None for a file read as Keras reads it)
    ("output_layers", 7, "received 7"),
    ("output_layers", [1, 2], "received 1"),
    ("output_layers", OUT, f"received '{OUT}'"),
    ("output_layers", [[OUT, 0, 0], 5], "received 5"),
    ("output_layers", [[OUT, 0.0, 0]], f"a tensor is named by ['{OUT}', 0.0, 0]"),
    ("output_layers", [[5, 0, 0]], "received 5"),
    ("output_layers", [[[OUT, 0, 0]]], None),  # a structure of outputs, as Keras 3 allows
    ("output_layers", {"b": [OUT, 0, 0], "a": [[OUT, 0, 0]]}, None),
    ("output_layers", [OUT, 0, 0], None),  # one output, unwrapped
    ("input_layers", 7, "received 7"),
    ("input_layers", [1, 2], "received 1"),
    ("input_layers", [[IN, 0, 0], 5], "received 5"),
    ("input_layers", {"a": 1}, "received 1"),
    ("input_layers", [[[IN, 0, 0]]], None),
    ("input_layers", {"x": [IN, 0, 0]}, None),
]


@pytest.mark.parametrize(("key", "value", "message"), ENDS)
def test_keras_output_and_input_layers(
    tmp_path: Path, key: str, value: object, message: str | None
) -> None:
    """Before: a malformed output_layers was dropped without a word and input_layers read as
    str() of whatever it held (nested lists, integers); the issue saw exit 3. Now a DC006 at the
    key, and the model read without it; a structure Keras accepts is flattened as Keras does."""
    document = copy.deepcopy(KERAS)
    document["config"][key] = value
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    summary = CliRunner().invoke(cli, ["summary", str(path)])
    check = CliRunner().invoke(cli, ["check", str(path)])
    for result in (summary, check):
        assert result.exception is None or isinstance(result.exception, SystemExit)
    if message is None:
        assert summary.exit_code == 0 and check.exit_code == 0, summary.output + check.output
        assert "DC006" not in summary.output + check.output
        return
    assert summary.exit_code == check.exit_code == 1
    for output in (summary.output, check.stdout):
        assert (
            "model.json:1:" in output
            and f": DC006 the Keras model's config.{key} cannot " in output
        )
        assert message in output
