"""Hostile and broken input (tests/bad_inputs/, plus files generated here): every one ends in a
diagnostic with a rule code and a location, or a usage error; exit 1 or 2; bounded time; never a
traceback. Limits enforced: 16 MiB per file, 200,000 values, 200 levels of nesting, 1,000
columns of indentation, integers of at most 4,300 digits (Python's own limit)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from deconvcheck.cli.main import cli

CORPUS = Path(__file__).parent / "bad_inputs"

# file -> (summary's exit status, the rule code reported, or None for a file that is fine)
EXPECTED: dict[str, tuple[int, str | None]] = {
    "empty.yaml": (1, "DC006"),
    "comment_only.yaml": (1, "DC006"),
    "top_level_list.yaml": (1, "DC006"),
    "unclosed_bracket.yaml": (1, "DC003"),
    "tab_indent.yaml": (1, "DC003"),
    "two_documents.yaml": (1, "DC006"),
    "duplicate_keys.yaml": (1, "DC005"),
    "yes_as_number.yaml": (1, "DC103"),  # YAML 1.1 would read True
    "leading_zero_is_ten.yaml": (0, None),  # YAML 1.1 would read 8
    "exponent_is_a_float.yaml": (1, "DC103"),  # YAML 1.1 would read the string '1e3'
    "sexagesimal.yaml": (1, "DC103"),  # YAML 1.1 would read 80
    "bool_as_int.yaml": (1, "DC103"),  # a bool is an int in Python
    "python_object_tag.yaml": (1, "DC006"),
    "unknown_tag.yaml": (1, "DC006"),
    "merge_key.yaml": (1, "DC006"),
    "billion_laughs.yaml": (1, "DC009"),
    "self_alias.yaml": (1, "DC009"),
    "bom_utf8.yaml": (0, None),
    "utf16_with_bom.yaml": (0, None),
    "invalid_utf8.yaml": (1, "DC002"),
    "nul_byte.yaml": (1, "DC002"),
    "crlf.yaml": (0, None),
    "json_nan.json": (1, "DC004"),
    "trailing_comma.json": (1, "DC004"),
    "huge_integer.json": (1, "DC004"),
    "huge_integer.yaml": (1, "DC009"),
    "huge_strides_and_channels.yaml": (
        1,
        "DC103",
    ),  # beyond Keras's int64: refused, value shortened
    "zero_size.yaml": (1, "DC103"),
    "negative_size.yaml": (1, "DC103"),
    "not_a_mapping_layer.yaml": (1, "DC006"),
}


def invoke(*args: str) -> tuple[int, str, float]:
    start = time.perf_counter()
    result = CliRunner().invoke(cli, list(args))
    elapsed = time.perf_counter() - start
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output, elapsed


def test_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_summary_on_bad_input(name: str) -> None:
    status, code = EXPECTED[name]
    exit_code, output, elapsed = invoke("summary", str(CORPUS / name))
    assert exit_code == status, output
    assert "Traceback" not in output
    assert elapsed < 5
    if code is not None:
        assert f"{CORPUS / name}:" in output and f": {code} " in output


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_on_bad_input(name: str) -> None:
    exit_code, output, elapsed = invoke("check", "-q", str(CORPUS / name))
    assert exit_code in (0, 1, 2)
    assert "Traceback" not in output
    assert elapsed < 5
    _, code = EXPECTED[name]
    if code is not None and b"deconvcheck" in (CORPUS / name).read_bytes():
        # (a file that never says `deconvcheck` is not a spec for the hook, and is skipped)
        assert f": {code} " in output


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("fmt", ["text", "mermaid", "dot", "svg"])
def test_draw_on_bad_input(name: str, fmt: str) -> None:
    """`draw` exits as `summary` does, the problem said, in every format (an empty file drew
    nothing and crashed before)."""
    status, code = EXPECTED[name]
    exit_code, output, _ = invoke("draw", str(CORPUS / name), "--to", fmt)
    assert exit_code == status, output
    assert "internal error" not in output
    if code is not None:
        assert f": {code} " in output


@pytest.mark.parametrize(
    ("text", "suffix"),
    [
        ("a: " + "[" * 30_000 + "]" * 30_000 + "\n", ".yaml"),  # PyYAML's C loader would crash
        ('{"a": ' + "[" * 30_000 + "]" * 30_000 + "}\n", ".json"),
        ("a:\n" + "".join(" " * (2 * i) + f"k{i}:\n" for i in range(1, 600)), ".yaml"),
    ],
)
def test_deep_nesting(tmp_path: Path, text: str, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text(text)
    exit_code, output, elapsed = invoke("summary", str(path))
    assert exit_code == 1
    assert ": DC009 " in output
    assert elapsed < 5


def test_thousands_of_layers(tmp_path: Path) -> None:
    lines = ["deconvcheck: 1", "layers:", "  - {type: Input, shape: [16]}"]
    lines += ["  - {type: Dense, units: 16}"] * 5000
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n")
    exit_code, output, elapsed = invoke("summary", str(path), "--format", "json")
    assert exit_code == 0
    assert '"total_params": 1360000' in output  # 5000 · (16·16 + 16)
    assert elapsed < 10


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(17 * 2**20)
    exit_code, output, _ = invoke("summary", str(path))
    assert exit_code == 2
    assert ": DC009 file is larger than 16 MiB" in output


@pytest.mark.parametrize("kind", ["missing", "directory", "broken_symlink"])
def test_unreadable_paths(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "spec.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "broken_symlink":
        os.symlink(tmp_path / "nowhere.yaml", path)
    for command in ("summary", "check"):
        exit_code, output, _ = invoke(command, str(path))
        # `check` walks a folder (here an empty one); everything else is a usage error
        expected = 0 if (command, kind) == ("check", "directory") else 2
        assert exit_code == expected, (command, output)
        assert "Traceback" not in output


def test_many_findings_of_one_code_are_counted_not_all_printed(tmp_path: Path) -> None:
    """Output stays bounded: the first 20 findings of a code, then one line with the rest."""
    path = tmp_path / "many.yaml"
    path.write_text("deconvcheck: 1\nlayers:\n" + "  - 1\n" * 3000)
    exit_code, output, elapsed = invoke("check", str(path))
    assert exit_code == 1
    lines = [line for line in output.splitlines() if ": DC006 " in line]
    assert len(lines) == 21
    assert lines[-1].endswith(
        "DC006 2980 more DC006 finding(s) in this file (the first 20 are shown)"
    )
    assert elapsed < 10


def test_a_hundred_thousand_non_layers_are_counted_exactly(tmp_path: Path) -> None:
    """The reader builds the first findings and counts the rest (a million-item list stays
    bounded); the count is exact, and layers among them still infer."""
    path = tmp_path / "many.yaml"
    path.write_text(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [8]}\n"
        + "  - 1\n" * 50_000
        + "  - {type: Dense, units: 2}\n"
        + "  - [1, 2]\n" * 50_000
    )
    result = CliRunner().invoke(cli, ["summary", str(path), "--format", "json"])
    doc = json.loads(result.stdout)
    assert [d["code"] for d in doc["diagnostics"]] == ["DC006"] * 21
    assert doc["diagnostics"][19]["message"] == ("layer 21 must be a mapping with `type:`; found 1")
    assert doc["diagnostics"][-1]["message"] == (
        "99980 more DC006 finding(s) in this file (the first 20 are shown)"
    )
    assert [(r["type"], r["params"]) for r in doc["layers"]] == [("InputLayer", 0), ("Dense", 18)]


@pytest.mark.parametrize(
    ("value", "refused"),
    [(2**63 - 1, False), (2**63, True), (-(2**63), False), (10**400, True), (True, True)],
)
def test_integers_beyond_int64_are_refused_with_the_value_shortened(
    tmp_path: Path, value: object, refused: bool
) -> None:
    """Keras holds sizes and counts in int64: an `axis` beyond it is refused (DC103), and a
    400-digit number is not printed whole."""
    path = tmp_path / "big.yaml"
    text = "true" if value is True else str(value)
    path.write_text(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [4, 3]}\n"
        f"  - {{type: Concatenate, axis: {text}, inputs: [input_layer]}}\n"
    )
    exit_code, output, elapsed = invoke("summary", str(path))
    assert exit_code == 1  # in range, the axis is still out of range for (None, 4, 3): DC207
    code = "DC103" if refused else "DC207"
    assert f": {code} " in output
    assert max(len(line) for line in output.splitlines()) < 300
    assert elapsed < 5


def test_a_shape_of_more_than_int64_values_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    path.write_text(
        "deconvcheck: 1\nlayers:\n  - {type: Input, shape: ["
        + ", ".join(["4000000000"] * 3)
        + "]}\n"
    )
    exit_code, output, _ = invoke("summary", str(path))
    assert exit_code == 1
    assert "DC103" in output and "2^63" in output  # 4e9³ = 6.4e28 > 2^63 ≈ 9.2e18


@pytest.mark.parametrize(
    ("name", "text", "finding"),
    [
        (
            "syntax.yaml",
            "layers:\n  - {type: Input, shape: [4, 4]\n  - {type: Dense units: 3}\n",
            "syntax.yaml:3:3: DC003 YAML syntax error: did not find expected ',' or '}' while "
            "parsing a flow mapping\n"
            "    fix: check the indentation (spaces, not tabs) and that brackets and quotes "
            "close\n",
        ),
        (
            "not.json",
            '{"layers": [1, 2,]',
            "not.json:1:18: DC004 JSON syntax error: expected a value, found ]\n",
        ),
        (
            "no_layers.yaml",
            "name: x\n",
            "no_layers.yaml:1:1: DC006 the spec has no `layers:` list\n",
        ),
    ],
)
def test_a_file_that_cannot_be_read_prints_its_findings_without_a_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, finding: str
) -> None:
    """Nothing was inferred: no empty table, no totals of 0, just the finding (exit 1)."""
    (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)  # the findings name the file as given
    exit_code, output, _ = invoke("summary", name)
    assert (exit_code, output) == (1, finding)


def test_a_spec_refused_after_its_first_layers_keeps_its_table(tmp_path: Path) -> None:
    """Keras 3 refuses MaxPooling1D on a length-1 input; the Input before it was inferred, so
    the table shows it, with its totals and the finding under them."""
    (tmp_path / "pool.yaml").write_text(
        "layers:\n  - {type: Input, shape: [1, 4]}\n  - {type: MaxPooling1D, pool_size: 2}\n"
    )
    exit_code, output, _ = invoke("summary", str(tmp_path / "pool.yaml"))
    assert exit_code == 1
    assert output.startswith('Model: "functional"\n')
    assert "│ input_layer (InputLayer)        │ (None, 1, 4)  " in output
    assert " The totals cover 1 of 2 layers" in output
    assert ": DC202 MaxPooling1D 'max_pooling1d': computed output size" in output


# An unknown length made known (Reshape: None -> 1), then a MaxPooling1D on that length 1, which
# Keras 3 refuses: "Computed output size would be zero or negative. Received:
# `inputs.shape=[None 1 4]`, `pool_size=[2]`, `strides=(2,)`, `padding=valid`." (ValueError
# when the layer is called; the three layers before it build: (None, None, 4), (None, None, 4),
# (None, 1, 4)). With an upsampling layer inferred and the model refused, asking whether it is
# an encoder-decoder compared the Reshape's (1,) with (None,) and ended in a TypeError (exit 3).
REFUSED_AFTER_RESHAPE = (
    "layers:\n"
    "  - {type: Input, shape: [null, 4]}\n"
    "  - {type: UpSampling1D, size: 2}\n"
    "  - {type: Reshape, target_shape: [1, 4]}\n"
    "  - {type: MaxPooling1D, pool_size: 2}\n"
)
KERAS_REFUSAL = (
    "spec.yaml:5:5: DC202 MaxPooling1D 'max_pooling1d': computed output size would be zero or "
    "negative (0 on spatial axis 1); received input shape (None, 1, 4)\n"
)


@pytest.mark.parametrize(
    "command",
    [
        ["summary"],
        ["summary", "--explain", "--columns", "macs,memory,rf"],
        ["summary", "--format", "json"],
        ["check"],
        ["draw"],
        ["draw", "--to", "svg"],
        ["sizes"],
    ],
)
def test_a_pooling_refused_on_a_length_made_known_is_keras_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    (tmp_path / "spec.yaml").write_text(REFUSED_AFTER_RESHAPE)
    monkeypatch.chdir(tmp_path)
    exit_code, output, _ = invoke(*command, "spec.yaml")
    assert exit_code == 1
    if command == ["summary"]:
        assert "│ reshape (Reshape)               │ (None, 1, 4)  " in output
        assert " The totals cover 3 of 4 layers" in output
    if command[0] == "sizes":  # every size: 2·n·4 values cannot be reshaped to 1x4 (DC205)
        assert "first failing layer 'reshape' (DC205): 512 size(s)" in output
    elif "json" in command:
        found = json.loads(output)["diagnostics"]
        assert [(d["code"], d["line"], d["layer"]) for d in found] == [
            ("DC202", 5, "max_pooling1d")
        ]
    elif command[-1] != "svg":
        assert KERAS_REFUSAL in output


def test_restore_spatial_on_a_flat_output_is_a_finding_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`restore: spatial` on a model that ends in Flatten: the output (None, 8) has no spatial
    axes to give back 3, so DC301; looking for a Cropping/ZeroPadding to append compared one
    axis with none and ended in a ValueError (exit 3)."""
    (tmp_path / "flat.yaml").write_text(
        "restore: spatial\n"
        "layers:\n"
        "  - {type: Input, shape: [3, 4]}\n"
        "  - {type: AveragePooling1D, pool_size: 2, padding: same}\n"
        "  - {type: Flatten}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert invoke("summary", "flat.yaml")[0] == 0  # Keras builds it: (None, 2, 4), (None, 8)
    exit_code, output, _ = invoke("check", "flat.yaml")
    assert exit_code == 1
    assert output.startswith("flat.yaml:4:5: DC301 the output (None, 8) of 'flatten' does not ")
