"""The README's examples run as shown, and its rule table lists every rule code."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from deconvcheck.cli.main import cli
from deconvcheck.diagnostics import RULES
from deconvcheck.infer import infer
from deconvcheck.read.loader import load
from deconvcheck.report.summary import render_text
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_spec_format_example_infers(tmp_path: Path) -> None:
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if "deconvcheck: 1" in b]
    spec = tmp_path / "example.yaml"
    spec.write_text(block, encoding="utf-8")
    model = infer(load(str(spec)))
    assert model.diagnostics == []
    # 160 -> pool 80 -> conv 64 ch -> transposed conv (k 2, s 2, same) 160 -> concat 32 + 32
    shapes = {layer.name: layer.output_shape for layer in model.layers}
    assert shapes["concatenate"] == (None, 160, 160, 64)
    assert shapes["conv2d_1"] == (None, 160, 160, 5)


def test_rule_table_lists_every_rule() -> None:
    documented = dict(re.findall(r"^\| (DC\d{3}) \| (\w+) \|", README, re.M))
    assert documented == {code: rule.severity.value for code, rule in RULES.items()}


def test_first_example_output_is_current() -> None:
    block = re.search(r"```console\n\$ [^\n]*\n(.*?)```", README, re.S)
    assert block is not None
    model = infer(load(str(ROOT / "sample_specs" / "dilated_decoder.yaml")))
    assert render_text(model, 76) == block.group(1)


def test_solve_example_output_is_current() -> None:
    block = re.search(r"```console\n\$ (deconvcheck solve[^\n]*)\n(.*?)```", README, re.S)
    assert block is not None
    args = shlex.split(block.group(1))[1:]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert result.stdout == block.group(2)
