"""How the text looks, against Keras's own bytes (tools/record_keras_summary_looks.py): the
summary in colour in a terminal, and with show_trainable; and the colour decision at the edge
(--color, NO_COLOR, FORCE_COLOR, a pipe)."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deconvcheck.cli.main import cli
from deconvcheck.infer import infer
from deconvcheck.read.loader import load
from deconvcheck.report.summary import default_line_length, render_text
from tests.conftest import GOLDENS, ROOT

LOOKS = json.loads(gzip.decompress((GOLDENS / "keras_summary_looks.json.gz").read_bytes()))
FIXTURES = ROOT / "tests" / "fixtures" / "applications"
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
UNET = str(ROOT / "sample_specs" / "unet.yaml")


def test_recording() -> None:
    assert LOOKS["keras_version"].startswith("3.")
    assert LOOKS["term"] == "xterm-256color"
    assert len(LOOKS["summaries"]) == 12


@pytest.mark.parametrize("key", sorted(LOOKS["summaries"]))
@pytest.mark.parametrize(
    "variant",
    ["plain+trainable", "color", "color+trainable", "plain+expand", "plain+expand+trainable"],
)
def test_summary_looks_like_keras(
    key: str, variant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Byte for byte, escape codes included: Keras's colours for numbers, None, class names,
    the bold model line, header and footer labels, show_trainable's Y/N/- column, and
    expand_nested's indented rows of a nested model's own layers."""
    model_id, columns = key.split("@")
    path = tmp_path / f"{model_id}.json"
    path.write_bytes(gzip.decompress((FIXTURES / f"{model_id}.json.gz").read_bytes()))
    model = infer(load(str(path)))
    assert model.ok
    monkeypatch.setenv("TERM", LOOKS["term"])  # rich picks its colour system from TERM
    monkeypatch.delenv("COLORTERM", raising=False)
    # rich keeps a parsed style's escape codes for the colour system it was first drawn in
    # (one per process for a command); a test before this one may have drawn in another
    from rich.style import Style  # noqa: PLC0415

    for cached in (Style.parse, Style._add, Style.clear_meta_and_links, Style.normalize):
        cache_clear = getattr(cached, "cache_clear", None)
        if cache_clear is not None:
            cache_clear()
    color, trainable, expand = "color" in variant, "trainable" in variant, "expand" in variant
    width = default_line_length(model, int(columns), show_trainable=trainable)
    ours = render_text(model, width, color=color, show_trainable=trainable, expand_nested=expand)
    keras_text = LOOKS["summaries"][key][variant]
    assert ours == keras_text
    assert bool(ESCAPE.search(ours)) == color


def test_a_frozen_base_model_is_n_and_layers_without_weights_dash() -> None:
    keras_text = LOOKS["summaries"]["keras_io_transfer_mobilenetv2@140"]["plain+trainable"]
    cells = {
        re.split(r"\s+\(", line.split("│")[1].strip())[0]: line.split("│")[-2].strip()
        for line in keras_text.splitlines()
        if line.startswith("│") and line.split("│")[1].strip()
    }
    assert cells["mobilenetv2_1.00_160"] == "N"
    assert cells["dense"] == "Y"
    assert cells["rescaling"] == "-"


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(cli, args, env=env)
    return result.output


@pytest.mark.parametrize(
    ("args", "env", "colored"),
    [
        (["summary", UNET], {}, False),  # CliRunner's output is not a terminal
        (["summary", UNET, "--color", "always"], {}, True),
        (["summary", UNET], {"FORCE_COLOR": "1"}, True),
        (["summary", UNET], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["summary", UNET, "--color", "always"], {"NO_COLOR": "1"}, True),  # the flag wins
        (["summary", UNET, "--color", "never"], {"FORCE_COLOR": "1"}, False),
        (["solve", "--in", "64", "--out", "128", "--color", "always"], {}, True),
        (["solve", "--in", "64", "--out", "128"], {}, False),
        (["rules", "--color", "always"], {}, True),
        (["layers", "Conv2D", "--color", "always"], {}, True),
    ],
)
def test_color_decision(args: list[str], env: dict[str, str], colored: bool) -> None:
    base = {"NO_COLOR": "", "FORCE_COLOR": "", "TERM": "xterm-256color"}
    output = _run(args, {**base, **env})
    assert bool(ESCAPE.search(output)) == colored
    if colored:  # the same characters once the escape codes are taken out
        plain = [a for a in args if a not in ("--color", "always")]
        assert ESCAPE.sub("", output) == _run(plain, base)


def test_in_a_terminal_the_table_is_coloured() -> None:
    """`script` gives the command a real terminal, as a user's shell does."""
    script = subprocess.run(["which", "script"], capture_output=True, text=True, check=False)
    if script.returncode != 0:
        pytest.fail("util-linux `script` is needed for this test")
    command = f"{sys.executable} -m deconvcheck summary {UNET}"
    env = {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "COLUMNS": "120"}
    shown = subprocess.run(
        ["script", "-qc", command, "/dev/null"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    ).stdout
    assert "\x1b[38;5;34m31,105,669\x1b[0m" in shown  # the total Keras recorded for unet
    piped = subprocess.run(
        [sys.executable, "-m", "deconvcheck", "summary", UNET],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    ).stdout
    assert "\x1b" not in piped
    assert " Total params: 31,105,669 (118.66 MB)" in piped
