"""Words a user knows: what the product prints, its README, its sample specs and its package
never refer to the documents the project started from ("seed 000"), to "source documents" or to
the developers' `../shared` folder, which a user has never seen."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.test_cli import run

UNKNOWN = re.compile(r"\bseeds?\b(?! ?=)|seed_\d|source documents?|\.\./shared", re.IGNORECASE)
# Keras's own argument `seed` (dropout, augmentation) is a word users know: `seed = ignored(...)`
KERAS_ARGUMENT = re.compile(r"^\s*seed = ignored\(|\"seed\"|'seed'|random_seed")


def _files() -> list[Path]:
    package = list((ROOT / "deconvcheck").rglob("*.py"))
    return [ROOT / "README.md", *sorted(SAMPLES.glob("*")), *sorted(package)]


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_word_a_user_cannot_know_in_the_product(path: Path) -> None:
    lines = [
        (number, line)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNKNOWN.search(line) and not KERAS_ARGUMENT.search(line)
    ]
    assert lines == []


COMMANDS = [
    ["--help"],
    *[[name, "--help"] for name in ("summary", "check", "solve", "draw", "sizes", "convert")],
    ["solve", "--in", "64", "--out", "128"],
    ["solve", "--in", "3", "--out", "5", "--framework", "tf"],
    ["summary", str(SAMPLES / "dilated_decoder.yaml"), "--explain"],
    ["check", str(SAMPLES), "--extend-select", "DC3"],
    ["rules"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_word_a_user_cannot_know_in_what_commands_print(args: list[str]) -> None:
    _, out, err = run(*args)
    assert out.strip()  # the command said something
    assert UNKNOWN.findall(out + err) == []


def test_json_names_findings_and_fixes_as_the_text_does() -> None:
    """One vocabulary: the text says "finding" and "fix:", so do both JSON outputs (with the
    earlier names, "diagnostics" and "hint", kept beside them, equal, for existing readers)."""
    spec = str(SAMPLES / "dilated_decoder.yaml")
    code, out, _ = run("check", "--format", "json", spec)
    (entry,) = json.loads(out)["files"]
    assert code == 1 and entry["findings"] and entry["findings"] == entry["diagnostics"]
    finding = entry["findings"][0]
    assert finding["fix"] and finding["fix"] == finding["hint"]
    code, out, _ = run("summary", "--format", "json", spec)
    summary = json.loads(out)
    assert code == 0 and summary["findings"] and summary["findings"] == summary["diagnostics"]
    assert list(summary)[-2:] == ["findings", "diagnostics"]
