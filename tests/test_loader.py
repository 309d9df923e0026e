"""Bad input becomes diagnostics with a rule code, a line and a column; never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from deconvcheck.infer import infer
from deconvcheck.read.loader import load
from deconvcheck.read.spec import ReadFailure

HEAD = "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [8, 8, 3]}\n"


def diagnose(
    tmp_path: Path, text: str | bytes, name: str = "spec.yaml"
) -> list[tuple[str, int, int]]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    model = infer(load(str(path)))
    assert all(d.path == str(path) for d in model.diagnostics)
    return [(d.code, d.line, d.column) for d in model.diagnostics]


def at(text: str, line: int, token: str) -> tuple[int, int]:
    """(line, column) of the first `token` on `line` (1-based), so no column is counted by hand.
    A line past the last one is the end of the file, column 1."""
    lines = text.splitlines()
    return line, lines[line - 1].index(token) + 1 if line <= len(lines) else 1


BAD_YAML: list[tuple[str, list[tuple[str, int, str]]]] = [
    # text, [(code, line, token the diagnostic points at)]; line 0 = the whole file
    ("", [("DC006", 0, "")]),
    ("# only a comment\n", [("DC006", 0, "")]),
    ("- a\n- b\n", [("DC006", 1, "-")]),
    ("deconvcheck: 1\nlayers: [\n", [("DC003", 3, "")]),  # the file ends inside the list
    ("deconvcheck: 1\nlayers:\n\t- {type: Input}\n", [("DC003", 3, "\t")]),
    ("deconvcheck: 1\n---\ndeconvcheck: 1\n", [("DC006", 2, "---")]),
    (HEAD + "  - {type: Dense, units: 2, units: 3}\n", [("DC005", 4, "units: 3")]),
    ("deconvcheck: 2\nlayers: []\n", [("DC007", 1, "2"), ("DC006", 2, "[]")]),
    (
        "deconvcheck: 1\nlayer:\n  - {type: Input, shape: [3]}\n",
        [("DC006", 1, "d"), ("DC008", 2, "layer")],
    ),
    (HEAD + "  - {type: Dense, units: !!python/object:os.system x}\n", [("DC006", 4, "!!")]),
    (HEAD + "  - {type: Dense, units: yes}\n", [("DC103", 4, "yes")]),  # YAML 1.1's `yes`
    (HEAD + "  - {type: Dense, units: true}\n", [("DC103", 4, "true")]),  # a bool is not an int
    (HEAD + "  - {type: Conv2D, filters: 8, kernel_size: 1:20}\n", [("DC103", 4, "1:20")]),
    (HEAD + "  - {type: Dense, units: 010}\n", []),  # ten, not YAML 1.1's octal eight
    (HEAD + "  - {units: 3}\n", [("DC104", 4, "{")]),
    (HEAD + "  - {type: Conv2D, kernel_size: 3}\n", [("DC104", 4, "{")]),
    (HEAD + "  - {type: Dense, units: 3, name: input_layer}\n", [("DC105", 4, "{")]),
    (HEAD + "  - {type: Dense, units: 3, inputs: [nowhere]}\n", [("DC106", 4, "nowhere")]),
    (HEAD + "  - {type: Concatenate}\n", [("DC109", 4, "{")]),
    (
        "deconvcheck: 1\nlayers:\n  - {type: Dense, units: 3}\n",
        [("DC108", 3, "{"), ("DC109", 3, "{")],
    ),
    ("a: &a [*a]\n", [("DC009", 1, "&a")]),  # the anchored list contains itself
]


@pytest.mark.parametrize(("text", "expected"), BAD_YAML)
def test_yaml_problems(tmp_path: Path, text: str, expected: list[tuple[str, int, str]]) -> None:
    want = [(code, *(at(text, line, token) if line else (0, 0))) for code, line, token in expected]
    assert diagnose(tmp_path, text) == want


def test_cycle(tmp_path: Path) -> None:
    text = HEAD + (
        "  - {type: Dense, units: 3, name: a, inputs: [b]}\n"
        "  - {type: Dense, units: 3, name: b, inputs: [a]}\n"
    )
    codes = diagnose(tmp_path, text)
    assert [c[0] for c in codes] == ["DC107"]


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    # billion laughs: 10 levels of 10 aliases would expand to 10^10 values
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    codes = diagnose(tmp_path, "\n".join(lines) + "\n")
    assert [c[0] for c in codes] == ["DC009"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbf" + HEAD.encode(), []),  # UTF-8 byte-order mark
        (HEAD.encode("utf-16"), []),  # UTF-16 with its byte-order mark
        (HEAD.replace("\n", "\r\n").encode(), []),
        (b"deconvcheck: 1\nname: \xff\n", [("DC002", 2, 7)]),
        (b"deconvcheck: 1\x00\n", [("DC002", 1, 0)]),
    ],
)
def test_encodings(tmp_path: Path, data: bytes, expected: list[tuple[str, int, int]]) -> None:
    assert diagnose(tmp_path, data) == expected


BAD_JSON: list[tuple[str, list[tuple[str, int, str]]]] = [
    ('{"deconvcheck": 1, "layers": [}', [("DC004", 1, "}")]),
    ('{"deconvcheck": 1, "layers": [{"type": "Input", "shape": [NaN]}]}', [("DC004", 1, "NaN")]),
    ('{"deconvcheck": 1,\n "layers": [{"type": "Input", "shape": [3], "shape": [4]}]}',
     [("DC005", 2, '"shape": [4]')]),
    ('{"layers": [{"type": "Input", "shape": [1' + "0" * 5000 + "]}]}", [("DC004", 1, "10")]),
    ('{"deconvcheck": 1, "layers": [{"type": "Input", "shape": [7, 7, 512]},'
     ' {"type": "Conv2DTranspose", "filters": 512, "kernel_size": 2, "dilation_rate": 2}]}', []),
    ('{"deconvcheck": 1, "layers": [{"type": "Input", "shape": [3],}]}', [("DC004", 1, "}]}")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), BAD_JSON)
def test_json_problems(tmp_path: Path, text: str, expected: list[tuple[str, int, str]]) -> None:
    want = [(code, *at(text, line, token)) for code, line, token in expected]
    assert diagnose(tmp_path, text, "spec.json") == want


def test_missing_file_is_a_read_failure(tmp_path: Path) -> None:
    with pytest.raises(ReadFailure) as info:
        load(str(tmp_path / "absent.yaml"))
    assert info.value.diagnostic.code == "DC001"


def test_directory_is_a_read_failure(tmp_path: Path) -> None:
    with pytest.raises(ReadFailure) as info:
        load(str(tmp_path))
    assert info.value.diagnostic.code == "DC001"
