"""`check`: every rule has a positive and a negative example in tests/rules/<CODE>/ (files named
bad_* must report the code, good_* must not); formats, configuration, suppression, pairs."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import deconvcheck
from deconvcheck import arith
from deconvcheck.checks.analyze import analyze
from deconvcheck.checks.config import Config, ConfigError, load_config, merge
from deconvcheck.checks.repair import fixes
from deconvcheck.checks.run import (
    PARALLEL_FROM,
    SPEC_SUFFIXES,
    FileResult,
    check_file,
    check_paths,
    classify,
)
from deconvcheck.cli.main import cli
from deconvcheck.diagnostics import CODE_PATTERN, RULES, Code, make
from deconvcheck.infer import infer
from deconvcheck.layers.base import Role, Window
from deconvcheck.model import Step
from deconvcheck.read.loader import load
from deconvcheck.report.check import render_github, sarif
from tests.conftest import SAMPLES

RULE_DIR = Path(__file__).parent / "rules"
# Every file named bad_* or good_* is a case, whatever its extension (each must be one `check`
# reads); other files in a folder are what a case names (an encoder, a nested model).
CASES = sorted(p for p in RULE_DIR.glob("DC*/*") if p.name.startswith(("bad_", "good_")))
# Model code that does not parse is kept as NAME.py.txt (ruff reads every .py file, and would
# fail on it); the test checks a copy named NAME.py.
STORED_AS_TEXT = ".py.txt"

# The codes no spec file in a folder can show, each with the reason and where it is tested.
NOT_A_SPEC_FILE = {
    Code.FILE_UNREADABLE: "the file itself cannot be read: a missing path, a folder, no "
    "permission (test_unreadable_is_exit_2); a spec naming a missing encoder is DC306, a "
    "missing nested model DC106",
}
# A rule that needs [tool.deconvcheck] to say something: the configuration its cases run with.
CONFIGS = {
    Code.OVER_BUDGET: Config(budgets=(("max-params", 1_000_000),)),
}


def _notes(path: Path) -> list[str]:
    """What a case says about itself: a YAML file's comment lines (the first line holds one, saying
    what the file shows); a JSON file, which holds no comment, has a section `## NAME` in its
    folder's README.md instead."""
    if path.suffix == ".json":
        readme = (path.parent / "README.md").read_text(encoding="utf-8")
        _, heading, after = readme.partition(f"\n## {path.name}\n")
        assert heading, f"{path.parent.name}/README.md has no section '## {path.name}'"
        notes = [line.strip() for line in after.split("\n## ")[0].splitlines()]
    else:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert "#" in lines[0], "the first line says, in a comment, what the file shows"
        notes = [line.split("#", 1)[1].strip() for line in lines if "#" in line]
    assert any(note and not note.startswith("expect") for note in notes), "say what it shows"
    return notes


# `expect: DC105 at 7` (or `at 7:5`, or no place): a finding of that code, there. A bad file
# reports its folder's code and the codes it expects, nothing else; a good file only the codes
# it expects. `expect-message: TEXT`: a finding of the folder's code says TEXT.
_EXPECT = re.compile(r"expect: (DC\d{3})(?: at (\d+)(?::(\d+))?)?")
_EXPECT_MESSAGE = re.compile(r"expect-message: (.+)")


def test_every_check_rule_has_both_examples() -> None:
    folders = {p.name for p in RULE_DIR.iterdir() if p.is_dir()}
    assert folders.isdisjoint(NOT_A_SPEC_FILE)
    assert sorted(folders | NOT_A_SPEC_FILE.keys()) == sorted(RULES)
    for code in folders:
        names = [p.name for p in CASES if p.parent.name == code]
        assert any(n.startswith("bad_") for n in names), code
        assert any(n.startswith("good_") for n in names), code


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_rule_example(path: Path, tmp_path: Path) -> None:
    code = path.parent.name
    checked = path
    if path.name.endswith(STORED_AS_TEXT):
        checked = tmp_path / path.name.removesuffix(".txt")
        checked.write_bytes(path.read_bytes())
    assert checked.suffix in SPEC_SUFFIXES
    notes = _notes(path)
    for note in notes:  # a misspelt expectation is an error, not a silently weaker test
        if note.startswith("expect"):
            assert _EXPECT.fullmatch(note) or _EXPECT_MESSAGE.fullmatch(note), note
    expected = [m.groups() for m in map(_EXPECT.fullmatch, notes) if m]
    messages = [m.group(1) for m in map(_EXPECT_MESSAGE.fullmatch, notes) if m]
    # Opt-in rules (advice) are selected for their own examples.
    config = CONFIGS.get(code, Config())._replace(extend_select=(code,))
    found = check_file(str(checked), config).diagnostics
    codes = {d.code for d in found}
    if path.name.startswith("bad_"):
        assert codes == {code} | {c for c, _, _ in expected}, found
    else:
        assert code not in {c for c, _, _ in expected}
        assert codes == {c for c, _, _ in expected}, found
    for want, line, column in expected:
        places = [f"{d.line}:{d.column}" for d in found if d.code == want]
        if line is not None:
            assert any(at.startswith(f"{line}:") for at in places), (want, places)
            assert column is None or f"{line}:{column}" in places, (want, places)
    for text in messages:
        assert any(text in d.message for d in found if d.code == code), (text, found)


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        result = CliRunner().invoke(cli, ["check", *args])
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_samples_exit_codes() -> None:
    clean = [str(SAMPLES / n) for n in ("vgg16_decoder.yaml", "vgg16_encoder.yaml", "unet.yaml")]
    assert run(*clean)[0] == 0
    code, out, err = run(str(SAMPLES))
    assert code == 1  # dilated_decoder.yaml is seed 000's mistake, on purpose
    assert [
        line.split(": ")[1].split()[0] for line in out.splitlines() if not line.startswith(" ")
    ] == ["DC305"]
    assert "1 finding(s)" in err


def test_unreadable_is_exit_2(tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing.yaml"))[0] == 2


def test_unet_100_explained_with_working_fixes(tmp_path: Path) -> None:
    """Seed 003 at 100x100: the DC201 names pool3 and offers only fixes that work; the re-tuned
    transposed convolution it proposes is applied here by hand and inferred again."""
    text = (SAMPLES / "unet.yaml").read_text().replace("[160, 160, 8]", "[100, 100, 8]")
    spec_path = tmp_path / "unet100.yaml"
    spec_path.write_text(text)
    (merge_diag,) = [
        d for d in check_file(str(spec_path), Config()).diagnostics if d.code == "DC201"
    ]
    assert merge_diag.layer == "up7"
    assert "from 'upconv7' with (None, 25, 25, 128) from 'conv3'" in merge_diag.message
    assert (
        "MaxPooling2D 'pool3' floored 25 to 12 (one row and column dropped)" in merge_diag.message
    )
    assert merge_diag.hint is not None
    assert "(1) use an input size that round-trips: 96 or 128" in merge_diag.hint
    # apply the proposed change: (12 - 1)·2 + 2 + 1 = 25 with padding 'valid', output_padding 1
    fixed = text.replace(
        "strides: 2, padding: same, name: upconv7}",
        "strides: 2, padding: valid, output_padding: 1, name: upconv7}",
    )
    assert fixed != text
    fixed_path = tmp_path / "fixed.yaml"
    fixed_path.write_text(fixed)
    model = infer(load(str(fixed_path)))
    assert model.ok and model.layers[-1].output_shape == (None, 100, 100, 5)
    # every strategy's result was verified the same way inside the tool
    titles = [f.title for f in fixes(load(str(spec_path)), "spatial")]
    assert titles[0] == "re-tune the transposed convolution"


def test_decoder_that_ends_at_224_not_225() -> None:
    diags = check_file(str(RULE_DIR / "DC301" / "bad_autoencoder_225.yaml"), Config()).diagnostics
    (restore,) = [d for d in diags if d.code == "DC301"]
    assert "sizes along the way: 225 → 112 → 224" in restore.message
    assert "MaxPooling2D 'pool' floored 225 to 112" in restore.message
    assert restore.hint is not None and "224 or 226" in restore.hint


def test_pair_option_and_sample_pair() -> None:
    enc, dec = str(SAMPLES / "vgg16_encoder.yaml"), str(SAMPLES / "vgg16_decoder.yaml")
    assert run("--pair", enc, dec)[0] == 0
    code, out, _ = run("--pair", enc, str(SAMPLES / "dilated_decoder.yaml"))
    assert code == 1
    assert "DC306 the decoder gives (9, 9, 512) but the encoder takes (224, 224, 3)" in out


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("deconvcheck: 1\nlayers: []\n", "spec"),
        ("deconvchek: 1\nlayers: []\n", "typo"),
        ("Deconvcheck: 1\n", "typo"),
        ("layers:\n  - {type: Input, shape: [3]}\n", "spec"),
        ("services:\n  web:\n    image: nginx\n", "other"),
        ('{"name": "pkg", "version": "1.0.0", "dependencies": {}}', "other"),
        ('{"deconvcheck": 1, "layers": []}', "spec"),
        ("jobs:\n  build:\n    steps: []\n", "other"),
    ],
)
def test_classify(text: str, kind: str) -> None:
    assert classify(text) == kind


def test_unrelated_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (tmp_path / "broken.yaml").write_text("a: [\n")  # not a spec: no key says so
    code, out, err = run(str(tmp_path))
    assert (code, out) == (0, "")
    assert "0 spec file(s) checked" in err


def test_config_select_ignore_and_cli(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.deconvcheck]\nignore = ["DC303"]\n')
    spec = RULE_DIR / "DC303" / "bad_kernel_3_stride_2.yaml"
    assert load_config(tmp_path) == Config((), ("DC303",), str(tmp_path / "pyproject.toml"))
    assert run(str(spec), cwd=tmp_path)[0] == 0
    assert (
        run(str(spec), "--select", "DC303", cwd=tmp_path)[0] == 0
    )  # the file's ignore still applies
    code, _, _ = run(str(spec), "--select", "DC3")
    assert code == 1
    code, _, _ = run(str(spec), "--ignore", "DC3")
    assert code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[tool.deconvcheck]\nignore = ["DC999"]\n', "there is no rule DC999"),
        ('[tool.deconvcheck]\nignore = ["E501"]\n', "is not a rule code"),
        ('[tool.deconvcheck]\nselct = ["DC3"]\n', "unknown [tool.deconvcheck] keys: selct"),
        ("[tool.deconvcheck\n", "cannot read"),
    ],
)
def test_bad_config_is_a_usage_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(content)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(tmp_path)
    code, _, err = run(str(SAMPLES / "unet.yaml"), cwd=tmp_path)
    assert code == 2
    assert message in err


def test_merge_cli_over_file() -> None:
    base = Config(("DC2",), ("DC201",))
    merged = merge(base, ("DC3",), ("DC303",))
    assert merged.select == ("DC3",) and merged.ignore == ("DC201", "DC303")
    assert not merged.selects("DC303") and merged.selects("DC301") and not merged.selects("DC201")


def test_github_format_escapes() -> None:
    diag = make("DC303", "50% of 2, more:\nline", line=3, column=5, hint="a, b").at(
        "dir,x/a:b.yaml"
    )
    out = render_github([FileResult("dir,x/a:b.yaml", [diag], True)])
    assert out == (
        "::warning file=dir%2Cx/a%3Ab.yaml,line=3,col=5,"
        "title=DC303 transposed convolution kernel not divisible by its stride (checkerboard)"
        "::50%25 of 2, more:%0Aline%0Afix: a, b\n"
    )


def test_sarif_required_fields(tmp_path: Path) -> None:
    results = [
        check_file(
            str(RULE_DIR / "DC303" / "bad_kernel_3_stride_2.yaml"), Config(extend_select=("DC303",))
        )
    ]
    doc = sarif(results)
    assert doc["version"] == "2.1.0"
    (sarif_run,) = doc["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "deconvcheck"
    rule_ids = [r["id"] for r in driver["rules"]]
    (result,) = sarif_run["results"]
    assert rule_ids[result["ruleIndex"]] == result["ruleId"] == "DC303"
    assert result["level"] == "warning"
    assert result["message"]["text"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 5}
    json.dumps(doc)  # serialisable


def test_json_format() -> None:
    code, out, _ = run(str(RULE_DIR / "DC305"), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["summary"] == {"files": 2, "specs": 2, "errors": 0, "warnings": 1}
    bad = next(f for f in doc["files"] if f["path"].endswith("bad_seed_000_dilation.yaml"))
    assert bad["diagnostics"][0]["code"] == "DC305"


def test_check_never_modifies_files(tmp_path: Path) -> None:
    target = tmp_path / "unet.yaml"
    target.write_text((SAMPLES / "unet.yaml").read_text().replace("[160, 160, 8]", "[100, 100, 8]"))
    before = target.read_bytes(), target.stat().st_mtime_ns
    run(str(target))
    assert (target.read_bytes(), target.stat().st_mtime_ns) == before


def test_many_files_in_parallel_give_the_sequential_results(tmp_path: Path) -> None:
    """Above PARALLEL_FROM files, `check` forks workers; the results and their order must be
    exactly those of checking the files one by one."""
    sources = sorted(RULE_DIR.glob("DC*/*.yaml"))
    for i in range(PARALLEL_FROM + 20):
        source = sources[i % len(sources)]
        (tmp_path / f"{i:04d}_{source.name}").write_text(
            source.read_text().replace("encoder.yaml", str(source.parent / "encoder.yaml"))
        )
    files = sorted(str(p) for p in tmp_path.iterdir())
    every_rule = Config(select=("DC",))
    parallel = check_paths(files, every_rule)
    sequential = [check_file(f, every_rule) for f in files]
    assert parallel == sequential
    assert sum(len(r.diagnostics) for r in parallel) > PARALLEL_FROM // 2


def test_rules_command_documents_every_check_rule() -> None:
    result = CliRunner().invoke(cli, ["rules", "DC3"])
    assert result.exit_code == 0
    for code in [c for c in RULES if c.startswith("DC3")]:
        assert f"{code}  " in result.stdout
        assert RULES[code].example and RULES[code].fix
    assert "fix:     kernel_size 4 with strides 2" in result.stdout


def test_rule_codes_have_the_documented_form() -> None:
    for code, rule in RULES.items():
        assert re.fullmatch(CODE_PATTERN, code), code
        assert rule.code == code


# ---------------------------------------------------------------- quiet by default


@pytest.mark.parametrize("code", ["DC302", "DC303"])
def test_advice_is_opt_in(code: str) -> None:
    """The design advice does not fail a commit unless selected (ruff's way)."""
    bad = next((RULE_DIR / code).glob("bad_*.yaml"))
    assert code not in [d.code for d in check_file(str(bad), Config()).diagnostics]
    assert run(str(bad))[0] == 0
    status, out, _ = run("--extend-select", code, str(bad))
    assert status == 1 and f" {code} " in out
    assert run("--select", "DC3", str(bad))[0] == 1


@pytest.mark.parametrize("code", ["DC302", "DC303", "DC304", "DC305"])
def test_a_design_rule_runs_only_when_selected(code: str) -> None:
    """analyze skips the rules the selection does not want (summary and check's defaults skip
    the advice), and runs them for --select / extend-select."""
    bad = next((RULE_DIR / code).glob("bad_*.yaml"))
    spec = load(str(bad))
    model = infer(spec)
    assert code in [d.code for d in analyze(spec, model)]
    assert code in [d.code for d in analyze(spec, model, lambda c: c == code)]
    assert code not in [d.code for d in analyze(spec, model, lambda c: c != code)]


def test_exit_zero_and_fail_on(tmp_path: Path) -> None:
    warning_only = next((RULE_DIR / "DC303").glob("bad_*.yaml"))
    assert run("--extend-select", "DC303", "--exit-zero", str(warning_only))[0] == 0
    assert run("--extend-select", "DC303", "--fail-on", "error", str(warning_only))[0] == 0
    assert run("--extend-select", "DC303", "--fail-on", "warning", str(warning_only))[0] == 1
    error = next((RULE_DIR / "DC301").glob("bad_*.yaml"))
    assert run("--fail-on", "error", str(error))[0] == 1
    assert run("--exit-zero", str(error))[0] == 0


def test_per_file_ignores_and_extend_select_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "legacy").mkdir()
    error = next((RULE_DIR / "DC301").glob("bad_*.yaml"))
    (tmp_path / "legacy" / "old.yaml").write_text(error.read_text())
    (tmp_path / "new.yaml").write_text(error.read_text())
    (tmp_path / "pyproject.toml").write_text(
        '[tool.deconvcheck]\nextend-select = ["DC302"]\n'
        'per-file-ignores = {"legacy/*.yaml" = ["DC301"]}\n'
    )
    config = load_config(tmp_path)
    assert config.extend_select == ("DC302",)
    assert not config.selects("DC301", str(tmp_path / "legacy" / "old.yaml"))
    assert config.selects("DC301", str(tmp_path / "new.yaml"))
    assert config.selects("DC302") and not config.selects("DC303")
    status, out, _ = run("legacy", "new.yaml", cwd=tmp_path)
    assert status == 1
    assert "new.yaml:6:5: DC301" in out
    assert [line for line in out.splitlines() if line.startswith("legacy")] == [
        line for line in out.splitlines() if line.startswith("legacy") and " DC302 " in line
    ]


def test_unknown_config_key_names_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.deconvcheck]\nextend_select = ["DC302"]\n')
    with pytest.raises(ConfigError, match="extend-select"):
        load_config(tmp_path)


# ---------------------------------------------------------------- what a window drops


def _step(n: int, kernel: int, stride: int, padding: str = "valid", dilation: int = 1) -> Step:
    window = Window(kernel, stride, dilation, padding)
    out = arith.conv_output_length(n, kernel, stride, padding, dilation)
    assert out is not None
    return Step("x", "Conv2D", (n, n), (out, out), (stride, stride), True, Role.DOWNSAMPLING,
                (window, window))  # fmt: skip


def _brute_force_dropped(n: int, kernel: int, stride: int, dilation: int) -> int:
    """Count, by listing every valid window's taps, the trailing rows no window reads."""
    reach = (kernel - 1) * dilation + 1
    last = max(
        start + tap * dilation for start in range(0, n - reach + 1, stride) for tap in range(kernel)
    )
    return n - 1 - last


@given(
    n=st.integers(1, 80),
    kernel=st.integers(1, 7),
    stride=st.integers(1, 5),
    dilation=st.integers(1, 3),
)
def test_dropped_rows_equal_a_brute_force_window_count(
    n: int, kernel: int, stride: int, dilation: int
) -> None:
    reach = (kernel - 1) * dilation + 1
    if reach > n:
        return  # Keras refuses: no window fits
    step = _step(n, kernel, stride, "valid", dilation)
    assert step.dropped() == (_brute_force_dropped(n, kernel, stride, dilation),) * 2
    assert _step(n, kernel, stride, "same", dilation).dropped() == (0, 0)


@pytest.mark.parametrize(
    ("n", "kernel", "stride", "described"),
    [
        # (13 - 3) mod 2 = 0: the 6 windows end exactly at the last row
        (13, 3, 2, "Conv2D 'x' takes 13 to 6 (stride 2, nothing dropped)"),
        # InceptionV3's stem: (299 - 3) mod 2 = 0
        (299, 3, 2, "Conv2D 'x' takes 299 to 149 (stride 2, nothing dropped)"),
        # ResNet50's stem after ZeroPadding2D(3): (230 - 7) mod 2 = 1
        (230, 7, 2, "Conv2D 'x' floored 230 to 112 (one row and column dropped)"),
        # seed 003's pool3 at 100x100: (25 - 2) mod 2 = 1
        (25, 2, 2, "Conv2D 'x' floored 25 to 12 (one row and column dropped)"),
        # a window narrower than its stride skips rows; it does not round up
        (
            29,
            2,
            3,
            "Conv2D 'x' takes 29 to 10, reading 2 of every 3 positions (window 2 < stride 3)",
        ),
        # both: (31 - 2) mod 3 = 2 rows dropped at the end, and 1 of every 3 never read
        (
            31,
            2,
            3,
            "Conv2D 'x' floored 31 to 10 (2 rows and columns dropped), reading 2 of every 3 "
            "positions (window 2 < stride 3)",
        ),
    ],
)
def test_steps_are_described_by_what_the_window_did(
    n: int, kernel: int, stride: int, described: str
) -> None:
    assert _step(n, kernel, stride).describe() == described


def test_a_merge_of_different_ranks_is_reported_not_a_crash(tmp_path: Path) -> None:
    """Keras's Concatenate refuses (None, 8, 8, 3) with (None, 8, 3); no fix can crop one to
    the other, so none is offered (the repair step used to crash here)."""
    spec = tmp_path / "ranks.yaml"
    spec.write_text(
        "deconvcheck: 1\nlayers:\n"
        "  - {type: Input, shape: [8, 8, 3], name: a}\n"
        "  - {type: Input, shape: [8, 3], name: b}\n"
        "  - {type: Conv2D, filters: 3, kernel_size: 3, padding: same, inputs: [a], name: c}\n"
        "  - {type: Concatenate, inputs: [c, b], name: cat}\n"
    )
    status, out, _ = run(str(spec))
    assert status == 1
    assert ": DC201 Concatenate 'cat' cannot join (None, 8, 8, 3) from 'c' with (None, 8, 3)" in out


def test_budgets_hold_a_model_size_in_review(tmp_path: Path) -> None:
    """Seed 003's U-Net has 31,105,669 parameters (real Keras 3 on the seed's code)."""
    (tmp_path / "unet.yaml").write_text((SAMPLES / "unet.yaml").read_text())
    (tmp_path / "pyproject.toml").write_text("[tool.deconvcheck]\nmax-params = 30_000_000\n")
    status, out, _ = run("unet.yaml", cwd=tmp_path)
    assert status == 1
    assert (
        "DC401 model 'unet' has 31,105,669 parameters, over the budget max-params = 30,000,000"
        in out
    )
    (tmp_path / "pyproject.toml").write_text(
        "[tool.deconvcheck]\nmax-params = 31_105_669\nmax-macs = 10_000_000_000_000\n"
    )
    assert run("unet.yaml", cwd=tmp_path)[0] == 0  # exactly at the budget is within it
    (tmp_path / "pyproject.toml").write_text('[tool.deconvcheck]\nmax-params = "big"\n')
    assert run("unet.yaml", cwd=tmp_path)[0] == 2


def test_an_empty_file_is_skipped_but_named(tmp_path: Path) -> None:
    """Not a finding (a hook sees unrelated empty YAML), but the tally says which file it was."""
    (tmp_path / "lost.yaml").write_text("# nothing here yet\n\n")
    (tmp_path / "ci.yaml").write_text("on: push\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        f"0 spec file(s) checked, no findings (2 other file(s) skipped, 1 of them empty: "
        f"{tmp_path / 'lost.yaml'})"
    )


def test_a_batch_size_in_the_input_shape_gets_a_fix(tmp_path: Path) -> None:
    """Keras refuses at the Conv2D (a 4-axis Input is valid in itself); the fix names the Input."""
    spec = tmp_path / "batch.yaml"
    spec.write_text(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [1, 64, 64, 3]}\n"
        "  - {type: Conv2D, filters: 8, kernel_size: 3}\n"
    )
    result = CliRunner().invoke(cli, ["check", str(spec)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{spec}:4:5: DC203 Conv2D 'conv2d': expects inputs with 3 axes besides the batch axis; "
        "received shape (None, 1, 64, 64, 3)",
        "    fix: if the Input's `shape` starts with a batch size of 1, leave it out (Keras adds "
        "the batch axis): shape: [64, 64, 3]",
    ]


def test_budgets_per_file_pattern(tmp_path: Path) -> None:
    """A project budget, overridden for a folder of small models; later patterns win."""
    (tmp_path / "mobile").mkdir()
    (tmp_path / "unet.yaml").write_text((SAMPLES / "unet.yaml").read_text())
    (tmp_path / "mobile" / "unet.yaml").write_text((SAMPLES / "unet.yaml").read_text())
    (tmp_path / "pyproject.toml").write_text(
        "[tool.deconvcheck]\nmax-params = 40_000_000\n"
        '[tool.deconvcheck.per-file-budgets]\n"mobile/*.yaml" = {max-params = 5_000_000}\n'
    )
    status, out, _ = run(".", cwd=tmp_path)
    assert status == 1
    assert [line.split(": ", 1)[0] for line in out.splitlines() if "DC401" in line] == [
        "mobile/unet.yaml:0:0"
    ]
    assert "31,105,669 parameters, over the budget max-params = 5,000,000" in out
    (tmp_path / "pyproject.toml").write_text(
        "[tool.deconvcheck]\nmax-params = 40_000_000\n[tool.deconvcheck.per-file-budgets]\n"
        '"mobile/*.yaml" = {max-params = 5_000_000}\n"mobile/unet*" = {max-params = 32_000_000}\n'
    )
    assert run(".", cwd=tmp_path)[0] == 0
    (tmp_path / "pyproject.toml").write_text(
        '[tool.deconvcheck.per-file-budgets]\n"*.yaml" = {max-parameters = 1}\n'
    )
    status, _, err = run(".", cwd=tmp_path)
    assert status == 2
    assert "unknown budget 'max-parameters'" in err


def test_rules_are_named_by_symbols_declared_once() -> None:
    """Every `Code` symbol is one declared rule and every rule has its symbol; outside the
    registry no module spells a code as a string (a misspelt code cannot hide in one)."""
    symbols = {name: value for name, value in vars(Code).items() if name.isupper()}
    assert sorted(symbols.values()) == sorted(RULES)
    assert len(set(symbols.values())) == len(symbols)
    package = Path(deconvcheck.__file__).parent
    spelt = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        if path != package / "diagnostics.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(CODE_PATTERN, node.value)
    ]
    assert spelt == []


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_shows_an_example_and_a_fix(code: str) -> None:
    result = CliRunner().invoke(cli, ["rules", code])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith(code)
    assert any(line.strip().startswith("example: ") and len(line) > 20 for line in lines[1:])
    assert any(line.strip().startswith("fix: ") and len(line) > 16 for line in lines[1:])
