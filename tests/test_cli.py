"""The command line as a user meets it: exit codes, the JSON contract, errors without tracebacks."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from deconvcheck import __version__
from deconvcheck.cli.main import cli, main
from tests.conftest import SAMPLES

DECODER = str(SAMPLES / "vgg16_decoder.yaml")


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert (code, out.strip()) == (0, f"deconvcheck, version {__version__}")


def test_help_lists_commands_and_examples() -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "summary" in out
    assert "deconvcheck examples unet > unet.yaml" in out


def test_summary_text_footer_matches_seed_000() -> None:
    code, out, _ = run("summary", DECODER)
    assert code == 0
    assert out.startswith('Model: "vgg-16_decoder"\n')
    # seed 000's total, with Keras 3's size: 17,037,059 · 4 B / 1024² = 64.99 MB
    assert " Total params: 17,037,059 (64.99 MB)\n" in out
    assert " Trainable params: 17,037,059 (64.99 MB)\n" in out
    assert " Non-trainable params: 0 (0.00 B)\n" in out
    assert "\x1b[" not in out  # no colour codes in a pipe


def test_summary_json_contract() -> None:
    code, out, _ = run("summary", str(SAMPLES / "layer_tour.yaml"), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) >= {
        "name", "layers", "total_params", "trainable_params", "non_trainable_params",
        "outputs", "diagnostics",
    }  # fmt: skip
    assert (doc["total_params"], doc["trainable_params"], doc["non_trainable_params"]) == (
        87_957,
        87_829,
        128,
    )
    layer = doc["layers"][2]
    assert layer == {
        "name": "batch_normalization",
        "type": "BatchNormalization",
        "output_shape": [None, 128, 128, 64],
        "params": 256,
        "trainable_params": 128,
        "non_trainable_params": 128,
        "inputs": ["con1"],
        # one call, on the first output of con1's first call
        "calls": [{"inputs": [["con1", 0, 0]], "output_shapes": [[None, 128, 128, 64]]}],
    }
    assert doc["layers"][6]["inputs"] == ["activation", "up1"]
    assert doc["outputs"] == ["mer2"]
    assert doc["diagnostics"] == []
    rows = [line.strip().rstrip(",") for line in out.splitlines() if line.startswith("    {")]
    assert [json.loads(row) for row in rows] == doc["layers"]  # one layer a line
    assert doc["layers"][0]["type"] == "InputLayer"


def test_summary_json_one_layer_a_line_whatever_the_names(tmp_path: Path) -> None:
    """Layer names holding the separator of JSON objects (`}, {`) and brackets stay one a line."""
    spec = tmp_path / "odd.yaml"
    spec.write_text(
        "layers:\n"
        "  - {type: Input, shape: [4], name: 'in}, {put'}\n"
        "  - {type: Dense, units: 2, name: '}, {'}\n"
        "  - {type: Dense, units: 3, name: '[{\"a\": 1}]'}\n"
    )
    code, out, _ = run("summary", str(spec), "--format", "json")
    assert code == 0
    rows = [line.strip().rstrip(",") for line in out.splitlines() if line.startswith("    {")]
    assert [json.loads(row)["name"] for row in rows] == ["in}, {put", "}, {", '[{"a": 1}]']
    assert [json.loads(row)["params"] for row in rows] == [0, 4 * 2 + 2, 2 * 3 + 3]
    assert json.loads(out)["layers"] == [json.loads(row) for row in rows]


def test_summary_reads_stdin() -> None:
    code, out, _ = run("summary", "-", "-f", "json", stdin=Path(DECODER).read_text())
    assert code == 0
    assert json.loads(out)["total_params"] == 17_037_059


def test_json_spec_chosen_by_content(tmp_path: Path) -> None:
    spec = tmp_path / "model.txt"  # no .json extension: the content decides
    spec.write_text(
        json.dumps(
            {
                "deconvcheck": 1,
                "layers": [
                    {"type": "Input", "shape": [7, 7, 512]},
                    {"type": "Conv2DTranspose", "filters": 512, "kernel_size": 2, "strides": 2},
                ],
            }
        )
    )
    code, out, _ = run("summary", str(spec), "-f", "json")
    assert code == 0
    doc = json.loads(out)
    # seed 000: 2·2·512·512 + 512 = 1,049,088 and 7 -> 14
    assert doc["layers"][1]["output_shape"] == [None, 14, 14, 512]
    assert doc["total_params"] == 1_049_088
    assert [layer["name"] for layer in doc["layers"]] == ["input_layer", "conv2d_transpose"]


def test_refusal_exits_1_with_location_and_partial_table(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "deconvcheck: 1\n"
        "layers:\n"
        "  - {type: Input, shape: [7, 7, 512]}\n"
        "  - {type: Conv2DTranspose, filters: 8, kernel_size: 3, strides: 2, output_padding: 2}\n"
    )
    code, out, _ = run("summary", str(spec), "-f", "json")
    assert code == 1
    doc = json.loads(out)
    assert [layer["name"] for layer in doc["layers"]] == ["input_layer"]
    (diag,) = doc["diagnostics"]
    assert diag["code"] == "DC110"
    # line 4, at the refused value: the `2` of `output_padding: 2`
    column = (
        spec.read_text().splitlines()[3].index("output_padding: 2") + len("output_padding: ") + 1
    )
    assert (diag["path"], diag["line"], diag["column"]) == (str(spec), 4, column)
    assert diag["layer"] == "conv2d_transpose"
    assert diag["severity"] == "error"


def test_text_diagnostic_is_one_greppable_line(tmp_path: Path) -> None:
    spec = tmp_path / "typo.yaml"
    spec.write_text(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [8, 8, 3]}\n"
        "  - {type: Conv2D, filtres: 8, kernel_size: 3}\n"
    )
    code, out, _ = run("summary", str(spec))
    assert code == 1
    assert (
        f"{spec}:4:20: DC102 Conv2D 'conv2d': no argument 'filtres'; did you mean 'filters'?"
        in out.splitlines()
    )


@pytest.mark.parametrize("target", ["missing.yaml", "."])
def test_unreadable_exits_2(tmp_path: Path, target: str) -> None:
    code, out, err = run("summary", str(tmp_path / target))
    assert code == 2
    assert "Traceback" not in out + err


def test_markup_in_names_printed_as_is(tmp_path: Path) -> None:
    spec = tmp_path / "names.yaml"
    spec.write_text(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [4], name: '[red]x'}\n"
        "  - {type: Dense, units: 2, name: '[bold]y[/]'}\n"
    )
    code, out, _ = run("summary", str(spec), "--width", "88")
    assert code == 0
    assert "[red]x (InputLayer)" in out
    assert "[bold]y[/] (Dense)" in out


def test_real_process_pipe_respects_no_color() -> None:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "deconvcheck", "summary", DECODER],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0
    assert "\x1b[" not in proc.stdout
    # Keras: min(88, terminal columns - 4) -> 88 wide for a plain chain
    assert max(len(line) for line in proc.stdout.splitlines()) == 88


def test_the_process_ends_with_its_output_flushed_and_its_status(tmp_path: Path) -> None:
    """`python -m deconvcheck` (and the console script) skip the interpreter's teardown: every
    byte written must still arrive, and each exit status keep its meaning."""
    spec = tmp_path / "long.yaml"
    layers = ["  - {type: Input, shape: [8, 8, 3]}"]
    layers += ["  - {type: Conv2D, filters: 3, kernel_size: 3, padding: same}"] * 2999
    spec.write_text("layers:\n" + "\n".join(layers) + "\n")

    def process(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "deconvcheck", *args]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    done = process("summary", str(spec), "--format", "json")
    assert done.returncode == 0
    doc = json.loads(done.stdout)  # the whole document, to its last brace
    assert len(doc["layers"]) == 3000 and doc["total_params"] == 2999 * (3 * 3 * 3 * 3 + 3)
    found = process("check", str(SAMPLES / "unet.yaml"), "--input-shape", "100,100,8")
    assert found.returncode == 1 and " DC201 " in found.stdout
    assert found.stderr.strip().endswith(
        "1 error(s), 0 warning(s) in 1 of 1 spec file(s) (0 other file(s) skipped)"
    )
    wrong = process("summary", "--no-such-option")
    assert wrong.returncode == 2 and "No such option" in wrong.stderr
    closed = subprocess.run(  # standard output closed by the shell: no traceback, status kept
        ["sh", "-c", f"'{sys.executable}' -m deconvcheck --version >&-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (closed.returncode, closed.stderr) == (0, "")


def test_summary_shows_restoration_under_the_table() -> None:
    spec = Path(__file__).parent / "rules" / "DC301" / "bad_autoencoder_225.yaml"
    code, out, _ = run("summary", str(spec))
    assert code == 0  # Keras builds it: the finding is shown, the exit status is Keras's verdict
    table_end = out.index(" Non-trainable params:")
    assert out.index(": DC301 the output (None, 224, 224, 3)") > table_end
    assert "DC302" not in out  # advice is opt-in, for `check --extend-select`


def test_summary_traces_a_skip_connection() -> None:
    spec = Path(__file__).parent / "rules" / "DC201" / "bad_unet_100.yaml"
    code, out, _ = run("summary", str(spec), "-f", "json")
    assert code == 1
    (diag,) = json.loads(out)["diagnostics"]
    assert diag["code"] == "DC201"
    assert diag["message"].endswith(
        "MaxPooling2D 'p3' floored 25 to 12 (one row and column dropped)"
    )


def test_input_shape_tries_another_size_without_editing_the_file() -> None:
    """Seed 003's U-Net at 100x100 (its numbers: refused, 24 vs 25 at up7) from the 160x160
    sample, and at 96x96 (a multiple of 32: it round-trips)."""
    unet = str(SAMPLES / "unet.yaml")
    code, out, _ = run("summary", unet, "--input-shape", "100,100,8", "-f", "json")
    assert code == 1
    document = json.loads(out)
    assert document["layers"][0]["output_shape"] == [None, 100, 100, 8]
    assert [d["code"] for d in document["diagnostics"]] == ["DC201"]
    assert run("check", unet, "--input-shape", "96,96,8")[0] == 0
    assert run("check", unet, "--input-shape", "100,100,8")[0] == 1
    assert run("summary", unet, "--input-shape", "100,abc")[0] == 2


def test_check_reads_standard_input_as_summary_does() -> None:
    text = (SAMPLES / "unet.yaml").read_text().replace("[160, 160, 8]", "[100, 100, 8]")
    code, out, _ = run("check", "-", stdin=text)
    assert code == 1
    assert out.startswith("<stdin>:51:5: DC201 Concatenate 'up7' cannot join")
    assert run("check", "-", stdin=(SAMPLES / "unet.yaml").read_text())[0] == 0


def test_none_written_for_an_unknown_size_gets_a_hint() -> None:
    spec = "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [None, None, 3]}\n"
    code, out, _ = run("summary", "-", stdin=spec)
    assert code == 1
    assert "'None' is a string here" in out
    assert "fix: write null" in out


@pytest.mark.parametrize(("stride", "words"), [(2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th")])
def test_explain_says_every_nth_position_in_english(stride: int, words: str) -> None:
    spec = (
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [64, 64, 3]}\n"
        f"  - {{type: Conv2D, filters: 4, kernel_size: 1, strides: {stride}}}\n"
    )
    code, out, _ = run("summary", "-", "--explain", stdin=spec)
    assert code == 0
    assert f"stride {stride} keeps every {words} position" in out


def test_examples_are_shipped_and_printed() -> None:
    status, out, _ = run("examples")
    assert status == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted(p.stem for p in SAMPLES.glob("*.yaml"))
    status, out, _ = run("examples", "unet")
    assert status == 0 and out == (SAMPLES / "unet.yaml").read_text()
    status, _, err = run("examples", "unte")
    assert status == 2 and "did you mean 'unet'?" in err


def test_help_names_only_what_a_pip_user_has() -> None:
    """No checkout paths (sample_specs/, README.md) in any --help; exit 3 is listed."""
    _, top, _ = run("--help")
    assert "3 an internal error" in top
    for command in ("", "summary", "check", "draw", "sizes", "export", "convert", "solve"):
        _, out, _ = run(*([command] if command else []), "--help")
        assert "sample_specs" not in out and 'README.md"' not in out


# ---------------------------------------------------------------- an internal error: exit 3

PLANTED = "a bug planted by the test"
BUG_REPORT = (
    f"deconvcheck: internal error: RuntimeError: {PLANTED}\n"
    "This is a bug in deconvcheck; rerun with DECONVCHECK_DEBUG=1 for the traceback and "
    "report it with the spec file.\n"
)


def planted_bug(*args: object, **kwargs: object) -> None:
    raise RuntimeError(PLANTED)


# a command, its standard input, and the core function it calls that is made to fail
FAILING_COMMANDS = [
    (["summary", DECODER], None, "deconvcheck.api", "inferred"),
    (["check", "-"], (SAMPLES / "unet.yaml").read_text(), "deconvcheck.checks.run", "check_file"),
    (["solve", "--in", "7", "--out", "14"], None, "deconvcheck.solve.problem.Problem", "solve"),
]


@pytest.fixture
def main_in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`main` as the console script runs it, in this process: it turns the cyclic collector off
    for a short-lived process, which a test session keeps on; no DECONVCHECK_DEBUG."""
    monkeypatch.delenv("DECONVCHECK_DEBUG", raising=False)
    collecting = gc.isenabled()
    yield
    if collecting:
        gc.enable()


@pytest.mark.parametrize(
    ("argv", "stdin", "where", "function"), FAILING_COMMANDS, ids=["summary", "check", "solve"]
)
@pytest.mark.usefixtures("main_in_process")
def test_an_internal_error_is_exit_3_with_one_message_on_stderr(
    argv: list[str], stdin: str | None, where: str, function: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last handler: a bug in the core is exit 3 and two lines on standard error (what
    happened, how to report it), no traceback, nothing on standard output."""
    monkeypatch.setattr(f"{where}.{function}", planted_bug)
    with CliRunner().isolation(input=stdin) as (out, err, _), pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == 3
    assert err.getvalue().decode() == BUG_REPORT
    assert out.getvalue() == b""


@pytest.mark.usefixtures("main_in_process")
def test_deconvcheck_debug_lets_the_internal_error_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("deconvcheck.api.inferred", planted_bug)
    monkeypatch.setenv("DECONVCHECK_DEBUG", "1")
    with CliRunner().isolation() as (out, err, _), pytest.raises(RuntimeError, match=PLANTED):
        main(["summary", DECODER])
    assert (out.getvalue(), err.getvalue()) == (b"", b"")


# The console script's own process: `run` (what `deconvcheck` and `python -m deconvcheck` call)
# with the core function replaced before it starts.
PLANTED_RUN = f"""
import sys
import deconvcheck.api
def planted_bug(*args, **kwargs):
    raise RuntimeError({PLANTED!r})
deconvcheck.api.inferred = planted_bug
from deconvcheck.cli.main import run
sys.argv = ["deconvcheck", "summary", {DECODER!r}]
run()
"""


@pytest.mark.parametrize("debug", [None, "1"], ids=["plain", "DECONVCHECK_DEBUG=1"])
def test_an_internal_error_in_a_real_process(debug: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DECONVCHECK_DEBUG"}
    if debug:
        env["DECONVCHECK_DEBUG"] = debug
    done = subprocess.run(
        [sys.executable, "-c", PLANTED_RUN],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.stdout == ""
    if debug is None:
        assert (done.returncode, done.stderr) == (3, BUG_REPORT)
    else:  # Python's own report of an uncaught exception: the traceback, status 1
        assert done.returncode == 1
        assert done.stderr.startswith("Traceback (most recent call last):\n")
        assert done.stderr.endswith(f"RuntimeError: {PLANTED}\n")


@pytest.mark.parametrize("command", ["summary", "draw", "sizes", "convert", "export"])
def test_a_folder_where_a_file_is_wanted_is_a_usage_error(command: str) -> None:
    code, _, err = run(command, str(SAMPLES))
    assert code == 2
    assert f"File {str(SAMPLES)!r} is a directory." in err


@pytest.mark.parametrize("command", ["summary", "check"])
def test_the_shell_completes_paths_for_spec_arguments(command: str) -> None:
    """`_DECONVCHECK_COMPLETE=bash_complete`: a spec argument completes as a file, as a
    click.Path does (deconvcheck's own path type, which also keeps gettext out of start-up)."""
    done = subprocess.run(
        [sys.executable, "-m", "deconvcheck"],
        env={**os.environ, "_DECONVCHECK_COMPLETE": "bash_complete",
             "COMP_WORDS": f"deconvcheck {command} sam", "COMP_CWORD": "2"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.stdout.split() == ["file,sam"]


def test_help_is_offered_as_click_offers_it() -> None:
    code, out, _ = run("summary", "-h")
    assert code == 0 and out.startswith("Usage: cli summary [OPTIONS] SPEC")  # (in process)
    assert "  -h, --help" in out and "Show this message and exit." in out
